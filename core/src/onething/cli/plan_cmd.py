"""``onething plan`` (draw a cycle's plan, ``plan verify``) and ``onething inspectors``
(``import``, ``synth``): 双随机、一次检查."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    pass

from ..errors import InvalidInput
from ..i18n import _
from .common import (
    config_option,
    force_option,
    format_option,
    open_app,
    print_changed,
    print_json,
    print_table,
    progress_bar,
)

STEPS = ("registry", "sampling", "tasks", "visits", "inspectors", "summary")


def _summary(doc) -> None:
    from ..departments import department_name

    s = doc["summary"]
    p = doc["platform"]
    print_table(
        _(
            f"{doc['cycle']} 抽查计划（种子 {doc['seed']}）",
            f"{doc['cycle']} plan (seed {doc['seed']})",
        ),
        [_("项目", "figure"), _("数值", "value")],
        [
            [_("抽查对象总数", "population total"), p["population_total"]],
            [_("抽中对象数", "sampled total"), p["sampled_total"]],
            [_("抽查比例 %", "percentage"), p["percentage"]],
            [_("检查任务", "tasks"), s["tasks"]],
            [_("上门检查次数", "visits"), s["visits"]],
            [_("多部门联合检查", "joint visits (≥2 departments)"), s["joint_visits"]],
            [_("因合并约束单独安排", "split visits"), s["split_visits"]],
            [
                _("各部门分别抽查预计次数", "expected visits, independent sampling"),
                s["independent_expected_visits"],
            ],
            [_("减少上门次数", "visits saved"), s["visits_saved"]],
            [_("因年度上限未安排的任务", "tasks not placed (cap)"), s["unplaced_tasks"]],
            [
                _(
                    "无法安排的闭环任务（对象已不在名录或事项已失效）",
                    "loop tasks that cannot be placed",
                ),
                s["unplaceable_tasks"],
            ],
            [_("无法配齐执法人员的检查", "infeasible visits"), s["infeasible_visits"]],
            [_("未设抽查比例的事项×信用等级", "random items without a ratio"), s["missing_ratios"]],
        ],
    )
    print_table(
        _("各部门任务数", "tasks per department"),
        [_("部门", "department"), _("任务", "tasks")],
        [
            [department_name(d, "city", "en" if _("zh", "en") == "en" else "zh"), n]
            for d, n in s["tasks_per_department"].items()
        ],
    )
    print_table(
        _("每户检查次数", "visits per business"),
        [_("次数", "visits"), _("企业数", "businesses")],
        [[k, n] for k, n in s["visits_per_business"].items()],
    )
    missing: dict[str, list[str]] = {}
    for m in doc["missing_ratios"]:
        missing.setdefault(m["item"], []).append(f"{m['credit_grade']}:{m['objects']}")
    for item, grades in missing.items():
        click.echo(
            _(
                f"注意：双随机事项 {item} 未设抽查比例，未抽取（信用等级:对象数 {' '.join(grades)}）",
                f"note: random item {item} has no sampling ratio in force; not sampled "
                f"(grade:objects {' '.join(grades)})",
            ),
            err=True,
        )


def make() -> click.Group:
    @click.group(
        "plan",
        invoke_without_command=True,
        help=_(
            "双随机、一次检查：按种子抽取一个周期的联合检查计划（可公开复核），写出 plan.json、"
            "plan.csv、summary.html 和前几次检查的联合检查表。同一周期再次抽取须 --reason，"
            "并记入审计日志。子命令 verify 复核计划。",
            "Double-random, one inspection: draw a cycle's joint-visit plan from a seed "
            "(verifiable by anyone); writes plan.json, plan.csv, summary.html and the joint "
            "checklists of the first visits. A second draw of a cycle needs --reason and is "
            "audited. Subcommand verify recomputes a plan.",
        ),
    )
    @config_option
    @click.option(
        "--cycle",
        help=_("抽查周期：2026、2026H1、2026Q1、2026-03", "cycle: 2026, 2026H1, 2026Q1, 2026-03"),
    )
    @click.option("--seed", help=_("随机种子（公开）", "random seed (published)"))
    @click.option(
        "--out",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help=_(
            "输出目录（默认配置中的 output.dir）",
            "output folder (default: the config's output.dir)",
        ),
    )
    @click.option(
        "--tasks",
        "tasks_file",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help=_(
            "非随机任务（JSON Lines：重点监管、投诉举报、许可后检查、复查）",
            "non-random tasks (JSON Lines: key, complaint, post-licence, re-inspection)",
        ),
    )
    @click.option(
        "--inspector-cap",
        type=click.IntRange(min=1),
        default=60,
        show_default=True,
        help=_(
            "每名执法人员本周期最多检查次数（人员库 max_visits 优先）",
            "most visits per inspector in the cycle (the pool's max_visits wins)",
        ),
    )
    @click.option(
        "--checklists",
        type=click.IntRange(min=0),
        default=5,
        show_default=True,
        help=_("输出前 N 次检查的联合检查表", "write the joint checklists of the first N visits"),
    )
    @click.option(
        "--skip-loop-errors",
        "skip_loop",
        is_flag=True,
        help=_(
            "闭环任务无法读取时提示并继续",
            "warn and go on when the closed-loop tasks cannot be read",
        ),
    )
    @click.option(
        "--by", default=None, help=_("抽取人（默认当前用户）", "who draws (default: current user)")
    )
    @click.option(
        "--reason", default="", help=_("抽取或重新抽取的原因", "why (required for a redraw)")
    )
    @force_option
    @format_option()
    @click.pass_context
    def plan(
        ctx,
        config_path,
        cycle,
        seed,
        out,
        tasks_file,
        inspector_cap,
        checklists,
        skip_loop,
        by,
        reason,
        force,
        fmt,
    ):
        if ctx.invoked_subcommand is not None:
            return
        if not cycle or not seed:
            raise click.UsageError(_("需要 --cycle 和 --seed", "--cycle and --seed are required"))
        from ..outfiles import check_folder, sqlite_file
        from ..planning import make_plan, read_task_file, write_checklists, write_plan
        from ..planning.output import plan_files
        from ..planning.tasks import loop_tasks

        app = open_app(config_path)
        rows = read_task_file(tasks_file) if tasks_file else []
        out_dir = out or _default_out(app, config_path)
        written: dict = {}  # the files, written in the draw's unit of work

        def write(d) -> None:  # the plan's document
            # Every file checked before any is written: a refusal leaves none and no draw.
            protected = [config_path, sqlite_file(app.store)]
            check_folder(out_dir, plan_files(d, checklists), force=force, protected=protected)
            written["paths"] = write_plan(d, out_dir, force=True)
            written["lists"] = (
                write_checklists(d, app.rulebook, out_dir, checklists, app.store, force=True)
                if checklists
                else []
            )

        with progress_bar(counts=False) as bar:
            task = bar.add_task(_("抽取", "drawing"), total=len(STEPS))

            def step(name: str) -> None:
                bar.update(task, description=name, advance=1)

            from ..planning.cycle import cycle_window

            try:
                rows = rows + loop_tasks(app.store, cycle_window(cycle))
            except InvalidInput as exc:
                if not skip_loop:
                    raise
                click.echo(
                    _(f"注意：未纳入闭环任务：{exc}", f"note: closed-loop tasks left out: {exc}"),
                    err=True,
                )
            doc = make_plan(
                app.store,
                app.rulebook,
                cycle=cycle,
                seed=seed,
                task_rows=rows,
                inspector_cap=inspector_cap,
                by=by,
                reason=reason,
                progress=step,
                write=write,
                document=True,
            )
        paths, lists = written["paths"], written["lists"]
        visits = len(doc.visits)
        doc = doc.as_json_without("tasks", "visits", "assignments", "unplaced", "infeasible")
        if fmt == "json":
            files = [*(str(paths[k]) for k in ("json", "csv", "html")), *map(str, lists)]
            print_changed(
                fmt,
                "",
                {"plans": [doc["plan_id"]], "files": files},
                plan_id=doc["plan_id"],
                cycle=doc["cycle"],
                seed=doc["seed"],
                kind=doc["kind"],
                visits=visits,
            )
            return
        _summary(doc)
        click.echo(
            _(
                f"计划 #{doc['plan_id']} 已写出：{paths['json']}、{paths['csv']}、{paths['html']}；联合检查表 {len(lists)} 份",
                f"plan #{doc['plan_id']} written: {paths['json']}, {paths['csv']}, {paths['html']}; {len(lists)} joint checklists",
            )
        )

    @plan.command(
        "verify",
        help=_(
            "用库中的名录、执法人员库和抽取时记录的输入重算计划，列出与计划文件的全部差异；不一致时退出码 1。",
            "Recompute a plan from the stored registry, inspector pool and the inputs recorded "
            "at the draw, and list every difference from the file; exit 1 on any.",
        ),
    )
    @click.argument("plan_file", type=click.Path(dir_okay=False, path_type=Path))
    @config_option
    @format_option()
    def verify(plan_file, config_path, fmt):
        from ..planning import read_plan, verify_plan

        app = open_app(config_path)
        doc = read_plan(plan_file, check=False)  # checked by verify_plan, as far as needed
        problems = verify_plan(app.store, app.rulebook, doc, checked=False, location=str(plan_file))
        if fmt == "json":
            # plan-verdict.schema.json, as POST /plans/verify answers
            print_json(
                {"verified": not problems, "plan_id": doc.get("plan_id"), "differences": problems}
            )
            if problems:
                sys.exit(1)
            return
        if problems:
            for p in problems:
                click.echo(p)
            click.echo(
                _(
                    f"复核不通过：{len(problems)} 处差异",
                    f"NOT verified: {len(problems)} difference(s)",
                ),
                err=True,
            )
            sys.exit(1)
        click.echo(
            _(
                f"复核通过：计划 #{doc['plan_id']}（{doc['cycle']}，种子 {doc['seed']}）可由名录完全重算",
                f"verified: plan #{doc['plan_id']} ({doc['cycle']}, seed {doc['seed']}) recomputes exactly",
            )
        )

    return plan


def _default_out(app, config_path: Path) -> Path:
    d = getattr(app.deployment, "output_dir", None)
    return Path(d) if d else Path("out")


def make_inspectors() -> click.Group:
    @click.group(
        "inspectors",
        help=_("执法人员库：导入、合成。", "Inspector pools: import, synthesise."),
    )
    def inspectors() -> None:
        pass

    @inspectors.command(
        "import",
        help=_(
            "导入执法人员库（CSV 或 XLSX；列：id、name、department、region、law_enforcement、"
            "qualifications、conflicts、max_visits，见 docs/planning.md）。全部有效才写入，按 id 更新。",
            "Import an inspector pool (CSV or XLSX; columns id, name, department, region, "
            "law_enforcement, qualifications, conflicts, max_visits; see docs/planning.md). "
            "All-or-nothing; upserts by id.",
        ),
    )
    @click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
    @config_option
    @format_option()
    def import_(file, config_path, fmt):
        from ..planning import import_pool, read_pool

        app = open_app(config_path)
        if not file.exists():
            raise InvalidInput(str(file), "", "no such file")
        pool = read_pool(file)
        ins, upd = import_pool(app.store, pool, str(file))
        print_changed(
            fmt,
            _(
                f"已导入执法人员：新增 {ins}，更新 {upd}",
                f"inspectors imported: {ins} new, {upd} updated",
            ),
            {"inspectors": sorted(i.id for i in pool)},  # each inserted or updated
            inserted=ins,
            updated=upd,
        )

    @inspectors.command(
        "synth",
        help=_(
            "为部署启用领域涉及的每个部门生成合成执法人员库（CSV），供测试和演示。",
            "Write a synthetic inspector pool (CSV) for every department of the enabled domains, "
            "for tests and the demo.",
        ),
    )
    @config_option
    @click.option(
        "--out",
        type=click.Path(dir_okay=False, path_type=Path),
        required=True,
        help=_("输出 CSV 文件", "output CSV file"),
    )
    @click.option(
        "--per-department",
        type=click.IntRange(min=1),
        default=40,
        show_default=True,
        help=_("每个部门人数", "inspectors per department"),
    )
    @click.option("--seed", type=int, default=0, show_default=True, help=_("随机种子", "seed"))
    @force_option
    @format_option()
    def synth(config_path, out, per_department, seed, force, fmt):
        import datetime as dt

        from ..outfiles import sqlite_file
        from ..planning import synth_pool, write_pool
        from ..planning.inspectors import departments_to_staff

        app = open_app(config_path)
        depts, specialist = departments_to_staff(app.rulebook, dt.date.today())
        pool = synth_pool(depts, app.deployment.region, per_department, seed, specialist)
        write_pool(out, pool, force=force, protected=[config_path, sqlite_file(app.store)])
        print_changed(
            fmt,
            _(f"已生成 {len(pool)} 名执法人员：{out}", f"wrote {len(pool)} inspectors to {out}"),
            {"files": [str(out)]},
            inspectors=len(pool),
        )

    return inspectors
