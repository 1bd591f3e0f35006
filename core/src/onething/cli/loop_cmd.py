"""``onething loop``, ``onething events`` and ``onething audit``: the closed loop (全程闭环)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from pathlib import Path

import click

from ..i18n import _, language
from ..model import LOOP_STAGES
from .common import (
    config_option,
    current_store,
    date_option,
    force_option,
    format_option,
    open_app,
    print_changed,
    print_json,
    print_table,
)


def _loop(app):
    from ..loop import Loop

    return Loop(app.rulebook)


def _moment(at) -> dt.datetime:
    if at is None:
        return dt.datetime.now(dt.UTC)
    return dt.datetime.combine(at.date(), dt.time(23, 59, 59), tzinfo=dt.UTC)


def make() -> click.Group:
    @click.group(
        "loop",
        help=_(
            "全程闭环：风险预警研判 → 线索移交处置 → 部门联合监管 → 失信联合惩戒 → 结果回溯分析。",
            "The closed loop: warning and assessment → clue transfer and handling → joint "
            "supervision → joint sanction → retrospective analysis.",
        ),
    )
    def loop() -> None:
        pass

    @loop.command(
        "states",
        help=_(
            "列出本部署生效的闭环（核心 + 已启用领域的扩展）：状态、流转、时限，以及与现有平台"
            "状态码（未录入/待审核/审核退回/不通过/已公示；未完结/已完结）的对应。",
            "List the deployment's effective loop (core + enabled domains' extensions): states, "
            "transitions, time limits, and the mapping to existing platforms' status codes.",
        ),
    )
    @config_option
    @click.option(
        "--format",
        "fmt",
        type=click.Choice(["table", "json", "status-csv"]),
        default="table",
        show_default=True,
        help=_("输出格式（status-csv：状态码对应表）", "output format (status-csv: status map)"),
    )
    def states(config_path: Path, fmt: str) -> None:
        app = open_app(config_path)
        lp = _loop(app)
        if fmt == "json":
            print_json(lp.as_json())
            return
        if fmt == "status-csv":
            rows = lp.status_map
            w = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
            return
        from ..loop.documents import Labels
        from ..loop.spec import CORE

        en = language() == "en"
        names = Labels(app, lp)

        def source(domain: str) -> str:
            return _("通用", "general") if domain == CORE else names.domain(domain)

        print_table(
            _("闭环状态", "Loop states"),
            [
                _("状态", "state"),
                _("名称", "label"),
                _("环节", "stage"),
                _("来源", "from"),
                _("记录状态", "record status"),
                _("办结", "completion"),
            ],
            [
                [
                    code,
                    s.label_en if en else s.label_zh,
                    s.stage if en else LOOP_STAGES[s.stage],
                    source(domain),
                    lp.platform_status(code)["record"],
                    lp.platform_status(code)["completion"],
                ]
                for code, (s, domain) in lp.states.items()
            ],
        )
        print_table(
            _("闭环流转", "Loop transitions"),
            [
                _("流转", "transition"),
                _("从", "from"),
                _("到", "to"),
                _("角色", "roles"),
                _("部门", "departments"),
                _("时限参数", "time limit"),
                _("来源", "from"),
            ],
            [
                [
                    t.code,
                    _state(lp, t.spec.source, en),
                    _state(lp, t.spec.target, en),
                    names.roles(t.spec.roles),
                    ("、" if not en else ", ").join(names.part(d) for d in t.spec.departments),
                    t.spec.time_limit or "",
                    source(t.domain),
                ]
                for t in lp.transitions.values()
            ],
        )

    @loop.command(
        "diagram",
        help=_(
            "输出本部署生效闭环的流程图：Mermaid、Graphviz（dot/png/svg）或 BPMN 2.0 XML"
            "（可导入 Flowable、Camunda、Activiti）。",
            "Draw the effective loop: Mermaid, Graphviz (dot/png/svg) or BPMN 2.0 XML "
            "(importable by Flowable, Camunda, Activiti).",
        ),
    )
    @config_option
    @click.option(
        "--format",
        "fmt",
        type=click.Choice(["mermaid", "dot", "png", "svg", "bpmn"]),
        default="mermaid",
        show_default=True,
        help=_("图的格式", "diagram format"),
    )
    @click.option(
        "--domain",
        default=None,
        help=_("只画核心与该领域的扩展", "draw core and this domain's extension only"),
    )
    @click.option(
        "--dialect",
        type=click.Choice(["juel", "python"]),
        default="juel",
        show_default=True,
        help=_(
            "BPMN 条件表达式语言（juel：Flowable/Camunda/Activiti；python：SpiffWorkflow）",
            "BPMN condition language (juel: Flowable/Camunda/Activiti; python: SpiffWorkflow)",
        ),
    )
    @click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help=_("输出文件（png/svg 必填）", "output file (required for png/svg)"),
    )
    @force_option
    def diagram(
        config_path: Path,
        fmt: str,
        domain: str | None,
        dialect: str,
        output: Path | None,
        force: bool,
    ) -> None:
        from ..errors import InvalidInput, not_enabled
        from ..loop import diagram as d
        from ..outfiles import write_atomic

        lp = _loop(open_app(config_path))
        if domain is not None and domain not in lp.lead:
            raise InvalidInput(
                "--domain",
                "",
                not_enabled(domain, lp.lead),
            )
        if fmt in ("png", "svg"):
            if output is None:
                raise click.UsageError(_("png/svg 需要 -o 文件", "png/svg need -o FILE"))
            image = d.graphviz(lp, domain).pipe(format=fmt)
            write_atomic(output, image, option="--output", force=force, protected=[config_path])
            click.echo(str(output))
            return
        if fmt == "mermaid":
            text = d.mermaid(lp, domain)
        elif fmt == "dot":
            text = d.graphviz(lp, domain).source
        else:
            text = d.bpmn(lp, dialect)
        if output is None:
            click.echo(text, nl=False)
        else:
            write_atomic(output, text, option="--output", force=force, protected=[config_path])
            click.echo(str(output))

    @loop.command(
        "overdue",
        help=_(
            "列出超过时限的环节，按部门和环节汇总。",
            "List steps past their time limit, by department and stage.",
        ),
    )
    @config_option
    @date_option("--at", "截至日期（默认现在）", "as of this day (default now)")
    @click.option(
        "--format",
        "fmt",
        type=click.Choice(["table", "json", "csv"]),
        default="table",
        show_default=True,
        help=_("输出格式", "output format"),
    )
    def overdue_cmd(config_path: Path, at, fmt: str) -> None:
        from ..loop import overdue
        from ..loop.documents import overdue_json

        app = open_app(config_path)
        lp = _loop(app)
        rows = list(overdue(current_store(app), lp, _moment(at)))
        rows.sort(key=lambda r: (r.owner, r.stage, -r.days_over))
        data = [overdue_json(r) for r in rows]
        if fmt == "json":
            print_json(data)
        elif fmt == "csv":
            fields = list(data[0]) if data else ["department", "stage", "state", "case"]
            w = csv.DictWriter(sys.stdout, fieldnames=fields)
            w.writeheader()
            w.writerows(data)
        else:
            from ..loop.documents import Labels

            lab = names = Labels(app, lp)
            print_table(
                _(f"超时环节：{len(data)}", f"Overdue steps: {len(data)}"),
                [
                    _("部门", "department"),
                    _("环节", "stage"),
                    _("状态", "state"),
                    _("事项", "case"),
                    _("领域", "domain"),
                    _("对象", "object"),
                    _("时限", "due"),
                    _("超期天数", "days over"),
                ],
                [
                    [
                        lab.dept(r["department"]),
                        lab.stage(r["stage"]),
                        lab.state(r["state"]),
                        r["case"],
                        names.domain(r["domain"]),
                        r["object"],
                        r["due_at"][:10],
                        r["days_over"],
                    ]
                    for r in data
                ],
            )

    @loop.command(
        "report",
        help=_(
            "结果回溯分析：预警转化为确认违法的比例（按领域、按预警规则）、各环节用时（中位数、"
            "P90）、积压环节、整改率；输出 CSV 与图表（PNG/SVG）。",
            "Retrospective analysis: warnings confirmed as violations (per domain and risk "
            "rule), time per stage (median, p90), stalls, rectification rate; CSV and charts.",
        ),
    )
    @config_option
    @date_option("--at", "截至日期（默认现在）", "as of this day (default now)")
    @click.option(
        "--out",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("loop-report"),
        show_default=True,
        help=_("输出目录", "output directory"),
    )
    @force_option
    @format_option()
    def report_cmd(config_path: Path, at, out: Path, force: bool, fmt: str) -> None:
        from ..loop import report
        from ..outfiles import sqlite_file

        app = open_app(config_path)
        store = current_store(app)
        rep = report.analyse(store, _loop(app), _moment(at))
        protected = [config_path, sqlite_file(store)]
        paths = [str(p) for p in report.write(rep, out, force=force, protected=protected)]
        print_changed(fmt, "\n".join(paths), {"files": paths})

    @loop.command(
        "act",
        help=_(
            "以某部门、角色、区划的身份对闭环事项执行一次流转（需给出读到的版本号）。",
            "Take a transition on a case as a department, role and region (give the version "
            "you read).",
        ),
    )
    @config_option
    @click.argument("case_id", type=int)
    @click.argument("transition_code")
    @click.option("--department", required=True, help=_("部门代码", "department code"))
    @click.option("--role", required=True, help=_("角色", "role"))
    @click.option("--region", required=True, help=_("区划代码", "region code"))
    @click.option(
        "--version",
        "version",
        type=int,
        required=True,
        help=_("读到的版本号", "the version you read"),
    )
    @click.option("--evidence", default=None, help=_("证据（JSON）", "evidence (JSON)"))
    @click.option("--facts", default=None, help=_("新事实（JSON）", "new facts (JSON)"))
    @format_option()
    def act(
        config_path,
        case_id,
        transition_code,
        department,
        role,
        region,
        version,
        evidence,
        facts,
        fmt,
    ) -> None:
        from ..errors import InvalidInput
        from ..loop import Actor, transition
        from ..loop.clock import aware
        from ..loop.documents import Labels
        from ..loop.queries import Deadline, deadline_precision

        def parse(name, text):
            if text is None:
                return None
            try:
                return json.loads(text)
            except json.JSONDecodeError as exc:
                raise InvalidInput(name, "", f"not valid JSON: {exc.msg}") from None

        from ..loop.cases import check_actor

        app = open_app(config_path)
        lp = _loop(app)
        actor = Actor(department, role, region)
        check_actor(actor, within=app.deployment.region)
        case = transition(
            current_store(app),
            lp,
            case_id,
            transition_code,
            actor,
            version=version,
            evidence=parse("--evidence", evidence),
            facts=parse("--facts", facts),
        )
        lab = Labels(app, lp)
        precision = deadline_precision(lp, case.last_transition, case.entered_at.date())
        due = Deadline(aware(case.due_at), precision, case.due_provisional)
        print_changed(
            fmt,
            _(
                f"事项 {case.id}：{lab.state(case.state)}，版本 {case.version}，时限 {lab.due(due)}",
                f"case {case.id}: {lab.state(case.state)}, version {case.version}, "
                f"due {lab.due(due)}",
            ),
            {"cases": [case.id]},
            case={
                "id": case.id,
                "transition": transition_code,
                "state": case.state,
                "version": case.version,
                "due": due.at.isoformat() if due.at is not None else None,
            },
        )

    from .cases_cmd import add_commands

    add_commands(loop, _loop, current_store)
    return loop


def make_events() -> click.Group:
    @click.group(
        "events",
        help=_(
            "宿主平台事件（许可、处罚、投诉）。",
            "Host-platform events (licences, penalties, complaints).",
        ),
    )
    def events() -> None:
        pass

    @events.command(
        "ingest",
        help=_(
            "导入 JSONL 事件文件（每行一个事件，schemas/events.schema.json）：许可授予排定许可后检"
            "查，许可撤销关闭该对象的待办任务，处罚按严重程度启动联合惩戒，投诉开启闭环事项。"
            "任一行无效则整个文件不生效，并指出行号。",
            "Ingest a JSONL file of events (schemas/events.schema.json): a granted licence "
            "schedules a post-licence inspection, a revoked one closes the object's open tasks, "
            "a penalty opens the joint-sanction stage by severity, a complaint opens a case. One "
            "bad line rejects the whole file, naming the line.",
        ),
    )
    @config_option
    @click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
    @format_option()
    def ingest(config_path: Path, file: Path, fmt: str) -> None:
        from ..loop import ingest_events
        from ..loop.documents import case_ids

        app = open_app(config_path)
        r = ingest_events(current_store(app), _loop(app), file, region=app.deployment.region)
        opened = f" ({case_ids(r.cases_opened)})" if r.cases_opened else ""
        print_changed(
            fmt,
            _(
                f"{r.file}：事件 {r.events}，已应用 {r.applied}，重复跳过 {r.skipped}；开启事项 "
                f"{len(r.cases_opened)}{opened}，排定任务 {r.tasks_scheduled}，关闭任务 "
                f"{r.tasks_closed}",
                f"{r.file}: {r.events} events, {r.applied} applied, {r.skipped} skipped as "
                f"already applied; {len(r.cases_opened)} cases opened{opened}, "
                f"{r.tasks_scheduled} tasks scheduled, {r.tasks_closed} tasks closed",
            ),
            {"cases": r.cases_opened},
            file=r.file,
            events=r.events,
            applied=r.applied,
            skipped=r.skipped,
            by_type=r.by_type,
            tasks_scheduled=r.tasks_scheduled,
            tasks_closed=r.tasks_closed,
        )

    return events


def make_audit() -> click.Group:
    @click.group("audit", help=_("闭环审计日志（哈希链）。", "The loop's hash-chained audit log."))
    def audit() -> None:
        pass

    @audit.command(
        "verify",
        help=_(
            "校验审计日志哈希链，发现被修改、删除、插入或调序的记录时指出第一条问题记录"
            "（退出码 1）。",
            "Verify the audit hash chain; name the first edited, deleted, inserted or "
            "reordered entry (exit code 1).",
        ),
    )
    @config_option
    @click.option(
        "--expect",
        default=None,
        metavar="SEQ:HASH",
        help=_(
            "在库外保存的锚点（先前 verify 或 audit head 输出的链头）：该条记录必须仍在且哈希不变",
            "an anchor kept outside the database (a head printed earlier by verify or audit "
            "head): that entry must still be there with that hash",
        ),
    )
    @format_option()
    def verify(config_path: Path, expect: str | None, fmt: str) -> None:
        from ..errors import InvalidInput
        from ..loop import verify_audit
        from ..loop.audit import parse_anchor

        anchor = parse_anchor(expect) if expect is not None else None
        store = current_store(open_app(config_path))
        with store.session() as s:
            v = verify_audit(s, expect=anchor)
        if fmt == "json":
            print_json(v.as_json())
            if v.problem is not None:
                sys.exit(1)
            return
        if v.problem is not None:
            raise InvalidInput("audit log", "", v.problem.message)
        seq, digest = v.head
        click.echo(
            _(
                f"审计日志完好：{v.entries} 条；链头 {seq}:{digest}（请在库外保存，下次用 --expect 校验）",
                f"audit log intact: {v.entries} entries; head {seq}:{digest} (keep it outside "
                "the database and check against it with --expect)",
            )
        )

    @audit.command(
        "head",
        help=_(
            "校验哈希链并输出带时间戳的链头检查点（JSON），供宿主平台在库外发布或保存。",
            "Verify the chain and print a timestamped checkpoint of its head (JSON) for the "
            "host platform to publish or store outside the database.",
        ),
    )
    @config_option
    @click.option(
        "--out",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help=_("写入该文件（默认标准输出）", "write to this file (default: standard output)"),
    )
    @force_option
    @format_option(("json", "table"))
    def head(config_path: Path, out: Path | None, force: bool, fmt: str) -> None:
        import datetime as dt

        from ..errors import InvalidInput
        from ..loop import verify_audit
        from ..outfiles import sqlite_file, write_atomic

        app = open_app(config_path)
        store = current_store(app)
        with store.session() as s:
            v = verify_audit(s)
        if v.problem is not None:
            raise InvalidInput("audit log", "", v.problem.message)
        seq, digest = v.head
        checkpoint = {
            "anchor": f"{seq}:{digest}",
            "seq": seq,
            "hash": digest,
            "entries": v.entries,
            "database": store.engine.url.render_as_string(hide_password=True),
            "checked_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        if out is None and fmt == "table":
            click.echo(
                _(
                    f"链头 {checkpoint['anchor']}（{v.entries} 条，{checkpoint['checked_at']}）",
                    f"head {checkpoint['anchor']} ({v.entries} entries, {checkpoint['checked_at']})",
                )
            )
            return
        if out is None:
            print_json(checkpoint)
            return
        text = json.dumps(checkpoint, ensure_ascii=False, indent=2) + "\n"
        write_atomic(out, text, force=force, protected=[config_path, sqlite_file(store)])
        print_changed(fmt, str(out), {"files": [str(out)]})

    return audit


def _state(lp, code: str, en: bool) -> str:
    if code not in lp.states:
        return code
    s = lp.state(code)
    return s.label_en if en else s.label_zh
