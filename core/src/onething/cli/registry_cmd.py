"""``onething registry``: import, map, count and synthesise the object registry (监管对象名录库)."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    pass

from ..i18n import _
from .common import (
    config_option,
    current_store,
    date_option,
    day,
    force_option,
    format_option,
    open_app,
    print_changed,
    print_json,
    print_table,
    progress_bar,
)


def _through_table(app, report) -> None:
    """The items applying through a relation (derived, not stored by the mapping): from which
    object types, along which relation, onto which, and how many objects they reach."""
    from ..i18n import label
    from ..registry.kinds import relation_types

    domains = app.rulebook.domains
    relations = relation_types(domains)
    types = {
        (d, t.code): label(t, "name")
        for d in domains.names
        for t in domains.rules(d).description.object_types
    }

    def named(domain: str, codes: list[str]) -> str:
        return _("、", ", ").join(types.get((domain, c), c) for c in codes) or _(
            "（任何）", "(any)"
        )

    print_table(
        _(
            f"经关系适用的事项（{report.on}，不存储）",
            f"Items applying through a relation ({report.on}, not stored)",
        ),
        [
            _("领域", "domain"),
            _("事项", "item"),
            _("名称", "name"),
            _("对象类型", "object types"),
            _("关系", "relation"),
            _("适用于", "applies to"),
            _("对象数", "objects"),
        ],
        [
            [
                u.domain,
                u.item,
                _(u.name_zh, u.name_en),
                named(u.domain, u.object_types),
                label(relations[u.relation], "name") if u.relation in relations else u.relation,
                named(u.reaches_domain, u.reaches),
                u.objects,
            ]
            for u in report.through
        ],
    )


def make() -> click.Group:
    @click.group(
        "registry",
        help=_(
            "监管对象名录库：导入、事项对应、监管底数、合成数据。",
            "The object registry: import, item mapping, baseline counts, synthetic data.",
        ),
    )
    def registry() -> None:
        pass

    @registry.command(
        "import",
        help=_(
            "导入监管对象（CSV、XLSX、JSON Lines；列见 docs/registry.md）。默认全部成功才写入；"
            "--skip-invalid --rejects 文件 写入有效行并把每个无效行及原因写入该文件。"
            "按统一社会信用代码更新，保留变更历史。",
            "Import supervised objects (CSV, XLSX, JSON Lines; columns in docs/registry.md). "
            "All-or-nothing by default; --skip-invalid --rejects FILE stores the good rows and "
            "writes every bad row with its reason to FILE. Upserts by uscc, keeping history.",
        ),
    )
    @click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
    @config_option
    @click.option(
        "--format",
        "fmt",
        type=click.Choice(["csv", "xlsx", "jsonl"]),
        default=None,
        help=_("文件格式（默认按扩展名）", "file format (default: by suffix)"),
    )
    @click.option(
        "--uscc-checksum",
        type=click.Choice(["strict", "tolerant"]),
        default="strict",
        show_default=True,
        help=_(
            "校验位错误的代码：strict 拒绝；tolerant 标记后入库并在报告中列出（格式错误总被拒绝）",
            "codes with a wrong check character: strict rejects; tolerant stores them flagged "
            "and lists them (malformed codes are always rejected)",
        ),
    )
    @click.option(
        "--skip-invalid",
        is_flag=True,
        help=_("跳过无效行（须同时给出 --rejects）", "skip invalid rows (needs --rejects)"),
    )
    @click.option(
        "--rejects",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help=_(
            "无效行写入的文件（CSV：原列 + reason）",
            "file for rejected rows (CSV: original columns + reason)",
        ),
    )
    @click.option(
        "--force",
        is_flag=True,
        help=_("覆盖已存在的 --rejects 文件", "write over an existing --rejects file"),
    )
    @date_option(
        "--at",
        "事项对应的日期（默认今天）",
        "the day the item mapping is computed for (default today)",
    )
    @click.option(
        "--report",
        "report_format",
        type=click.Choice(["table", "json"]),
        default="table",
        show_default=True,
        help=_("导入报告的格式", "format of the import report"),
    )
    @click.option(
        "--workers",
        type=click.IntRange(min=0),
        default=None,
        help=_(
            "校验与对应所用的进程数（0：本进程；默认：大文件每个 CPU 一个）",
            "worker processes validating and mapping rows (0: this process; default: one per "
            "CPU for large files)",
        ),
    )
    def import_(
        file,
        config_path,
        fmt,
        uscc_checksum,
        skip_invalid,
        rejects,
        force,
        at,
        report_format,
        workers,
    ):
        from ..registry.importer import import_file

        if skip_invalid and rejects is None:
            raise click.UsageError(
                _("--skip-invalid 须同时给出 --rejects 文件", "--skip-invalid needs --rejects FILE")
            )
        app = open_app(config_path)
        store = current_store(app)
        with progress_bar(_("导入", "importing"), auto_refresh=False) as bar:
            task = bar.add_task("import", total=None)

            def progress(done, total):
                bar.update(task, completed=done, total=total, refresh=True)

            report = import_file(
                store,
                file,
                app_or_rulebook=app,
                fmt=fmt,
                checksum=uscc_checksum,
                skip_invalid=skip_invalid,
                rejects=rejects,
                force_rejects=force,
                on=day(at),
                progress=progress,
                workers=workers,
            )
        if report_format == "json":
            print_json(report.as_json())
            return
        print_table(
            _("导入报告", "Import report"),
            [_("项目", "count"), _("数量", "n")],
            [
                [_("读取行数", "rows read"), report.rows],
                [_("新增", "inserted"), report.inserted],
                [_("变更", "updated"), report.updated],
                [_("未变", "unchanged"), report.unchanged],
                [_("拒绝", "rejected"), report.rejected],
                [_("校验位存疑（已标记）", "flagged check character"), report.flagged_count],
                [_("对象-事项对应", "object–item pairs"), report.mapped],
                [_("并行进程", "worker processes"), report.workers],
            ],
        )
        for where, key in report.flagged:
            click.echo(
                _(f"标记：{where} {key} 校验位不符", f"flagged: {where} {key} check character")
            )
        if report.rejected:
            click.echo(
                _(
                    f"{report.rejected} 行被拒绝，原因见 {rejects}",
                    f"{report.rejected} rows rejected, reasons in {rejects}",
                ),
                err=True,
            )

    @registry.command(
        "import-relations",
        help=_(
            "导入对象之间的关系（CSV、XLSX、JSON Lines；列 type,source,target,valid_from,valid_to，"
            "见 docs/registry.md）。两端须为已导入、种类相符的对象。默认全部成功才写入；"
            "--skip-invalid --rejects 文件 写入有效行并记录无效行。保留变更历史。",
            "Import relations between objects (CSV, XLSX, JSON Lines; columns type, source, "
            "target, valid_from, valid_to; see docs/registry.md). Both ends must be stored "
            "objects of the type's kinds. All-or-nothing by default; --skip-invalid --rejects "
            "FILE stores the good rows and writes the bad ones with their reasons. Keeps history.",
        ),
    )
    @click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
    @config_option
    @click.option(
        "--format",
        "fmt",
        type=click.Choice(["csv", "xlsx", "jsonl"]),
        default=None,
        help=_("文件格式（默认按扩展名）", "file format (default: by suffix)"),
    )
    @click.option(
        "--skip-invalid",
        is_flag=True,
        help=_("跳过无效行（须同时给出 --rejects）", "skip invalid rows (needs --rejects)"),
    )
    @click.option(
        "--rejects",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help=_("无效行写入的文件", "file for rejected rows"),
    )
    @click.option(
        "--force",
        is_flag=True,
        help=_("覆盖已存在的 --rejects 文件", "write over an existing --rejects file"),
    )
    @click.option(
        "--report",
        "report_format",
        type=click.Choice(["table", "json"]),
        default="table",
        show_default=True,
        help=_("导入报告的格式", "format of the import report"),
    )
    def import_relations_(file, config_path, fmt, skip_invalid, rejects, force, report_format):
        from ..registry.relations import import_relations_file

        if skip_invalid and rejects is None:
            raise click.UsageError(
                _("--skip-invalid 须同时给出 --rejects 文件", "--skip-invalid needs --rejects FILE")
            )
        app = open_app(config_path)
        report = import_relations_file(
            current_store(app),
            file,
            app_or_rulebook=app,
            fmt=fmt,
            skip_invalid=skip_invalid,
            rejects=rejects,
            force_rejects=force,
        )
        if report_format == "json":
            print_json(report.as_json())
            return
        print_table(
            _("关系导入报告", "Relation import report"),
            [_("项目", "count"), _("数量", "n")],
            [
                [_("读取行数", "rows read"), report.rows],
                [_("新增", "inserted"), report.inserted],
                [_("变更", "updated"), report.updated],
                [_("未变", "unchanged"), report.unchanged],
                [_("拒绝", "rejected"), report.rejected],
            ],
        )
        if report.rejected:
            click.echo(
                _(
                    f"{report.rejected} 行被拒绝，原因见 {rejects}",
                    f"{report.rejected} rows rejected, reasons in {rejects}",
                ),
                err=True,
            )

    @registry.command(
        "map",
        help=_(
            "按当日有效的事项重新计算对象-事项对应：只重算事项变化所涉及的对象（--full 全部重算）；"
            "并列出经关系适用的事项（不存储）及其适用的对象数。",
            "Recompute the object–item mapping for the items in force: only objects concerned "
            "by changed items (--full: all); and list the items applying through a relation "
            "(not stored) with the number of objects they reach.",
        ),
    )
    @config_option
    @date_option()
    @click.option("--full", is_flag=True, help=_("全部重算", "recompute every object"))
    @format_option(("table", "json"))
    def map_(config_path, at, full, fmt):
        from ..registry.mapping import refresh_mapping

        app = open_app(config_path)
        report = refresh_mapping(current_store(app), app, on=day(at), full=full)
        if fmt == "json":
            print_json(report.as_json())
            return
        print_table(
            _(f"对象-事项对应（{report.on}）", f"Object–item mapping ({report.on})"),
            [
                _("领域", "domain"),
                _("变化的事项", "changed items"),
                _("重算对象", "objects"),
                _("对应", "pairs"),
            ],
            [
                [d, ", ".join(c) or "-", report.objects[d], report.pairs[d]]
                for d, c in report.changed_items.items()
            ],
        )
        if report.through:
            _through_table(app, report)

    @registry.command(
        "stats",
        help=_(
            "监管底数：按领域、区划、部门、对象类型统计对象数，并列出覆盖缺口"
            "（无适用事项的对象、无对象的事项）。",
            "Baseline counts by domain, region, department, object type, with coverage gaps "
            "(objects with no applicable item, items with no object).",
        ),
    )
    @config_option
    @click.option(
        "--by",
        default="domain",
        show_default=True,
        help=_(
            "分组维度，逗号分隔：domain,region,department,object_type,object_kind",
            "grouping, comma-separated: domain,region,department,object_type,object_kind",
        ),
    )
    @date_option()
    @format_option(("table", "json", "csv"))
    def stats_(config_path, by, at, fmt):
        from ..registry.documents import stats_document

        dims = [b.strip() for b in by.split(",") if b.strip()]
        app = open_app(config_path)
        current_store(app)
        doc = stats_document(app, dims, day(at))
        if fmt == "json":
            print_json(doc)
            return
        rows, gap, relations = doc["counts"], doc["gaps"], doc["relations"]
        columns = list(rows[0]) if rows else [*dims, "objects"]
        if fmt == "csv":
            writer = csv.writer(sys.stdout)
            writer.writerow(columns)
            for r in rows:
                writer.writerow([r.get(c, "") for c in columns])
            return
        from ..loop.documents import Labels

        names = Labels(app, None)  # domains and departments only: no loop needed
        shown = {"domain": names.domain, "department": names.dept}
        print_table(
            _(
                f"监管底数（{gap['objects']} 个对象）",
                f"Baseline counts ({gap['objects']} objects)",
            ),
            [_(*DIMENSIONS.get(c, (c, c))) for c in columns],
            [[shown.get(c, _same)(r.get(c)) for c in columns] for r in rows],
        )
        if relations:
            print_table(
                _("对象关系（当日有效）", "Relations (in force on the day)"),
                [_("关系", "relation"), _("条数", "relations")],
                [[t, n] for t, n in relations.items()],
            )
        print_table(
            _("覆盖缺口：无适用事项的对象", "Coverage gap: objects with no applicable item"),
            [_("领域", "domain"), _("对象数", "objects")],
            [[names.domain(d), n] for d, n in gap["objects_without_item"].items()],
        )
        print_table(
            _("覆盖缺口：无对象的事项", "Coverage gap: items with no object"),
            [_("领域", "domain"), _("事项", "item"), _("名称", "name")],
            [
                [names.domain(i["domain"]), i["item"], _(i["name_zh"], i["name_en"])]
                for i in gap["items_without_object"]
            ],
        )
        if gap["flagged_uscc"]:
            click.echo(
                _(
                    f"校验位存疑的代码：{gap['flagged_uscc']} 个",
                    f"codes with a flagged check character: {gap['flagged_uscc']}",
                )
            )

    @registry.command(
        "show",
        help=_(
            "查看一个对象：名录信息、所属领域、许可证、适用事项（含部门）与变更历史。",
            "Show one object: its registry record, domains, licences, applicable items (with "
            "departments) and change history.",
        ),
    )
    @click.argument("key")
    @config_option
    @date_option()
    @format_option(("table", "json"))
    def show_(key, config_path, at, fmt):
        from ..model import SupervisedObject, converter
        from ..registry import regions
        from ..registry.documents import object_document

        app = open_app(config_path)
        current_store(app)
        doc = object_document(app, key, day(at), relations_on=day(at) if at else None)
        if fmt == "json":
            print_json(doc)
            return
        obj = converter.structure(doc["object"], SupervisedObject)
        items, relations, history = doc["items"], doc["relations"], doc["history"]
        print_table(
            _(f"对象 {obj.shown_key}", f"Object {obj.shown_key}"),
            [_("项目", "field"), _("内容", "value")],
            [
                [_("对象种类", "object kind"), obj.object_kind],
                [_("名称", "name"), obj.name],
                [_("区划", "region"), f"{obj.region_code} {regions.name(obj.region_code)}"],
                [_("地址", "address"), obj.address],
                [_("信用等级", "credit grade"), obj.credit_grade or "-"],
                [_("风险等级", "risk grade"), obj.risk_grade or "-"],
            ],
        )
        print_table(
            _("所属领域", "Domains"),
            [_("领域", "domain"), _("对象类型", "object types"), _("属性", "attributes")],
            [
                [d, ", ".join(m.object_types), json.dumps(m.attributes, ensure_ascii=False)]
                for d, m in obj.domains.items()
            ],
        )
        print_table(
            _("许可证", "Licences"),
            [_("编号", "number"), _("种类", "kind"), _("部门", "department"), _("有效期", "valid")],
            [
                [
                    lic.number,
                    lic.kind,
                    lic.department,
                    f"{lic.valid_from or ''}–{lic.valid_to or ''}",
                ]
                for lic in obj.licences
            ],
        )
        zh = _("zh", "en") == "zh"
        print_table(
            _(f"适用事项（{len(items)} 项）", f"Applicable items ({len(items)})"),
            [_("事项", "item"), _("名称", "name"), _("部门", "departments")],
            [
                [
                    i["item"],
                    (i["name_zh"] if zh else i["name_en"]) or "",
                    ", ".join(i["departments"]),
                ]
                for i in items
            ],
        )
        print_table(
            _(f"关系（{len(relations)} 条）", f"Relations ({len(relations)})"),
            [
                _("方向", "direction"),
                _("关系", "relation"),
                _("对象", "object"),
                _("种类", "kind"),
                _("有效期", "valid"),
            ],
            [
                [
                    "→" if r["direction"] == "out" else "←",
                    r["type"],
                    f"{r['other']} {r['other_name']}",
                    r["other_kind"],
                    f"{r['valid_from']}–{r['valid_to'] or ''}",
                ]
                for r in relations
            ],
        )
        if history:
            print_table(
                _("变更历史", "History"),
                [_("版本", "version"), _("变更时间", "changed at"), _("导入文件", "import file")],
                [[h["version"], h["changed_at"], h["import_file"] or ""] for h in history],
            )

    @registry.command(
        "profiles",
        help=_(
            "适用画像：对象实际所处的领域、对象类型与适用事项组合，按对象数从多到少，"
            "含占比与涉及部门。",
            "Applicability profiles: the combinations of domains, object types and applicable "
            "items the objects are supervised under, most objects first, with share and "
            "departments.",
        ),
    )
    @config_option
    @click.option(
        "--top",
        type=click.IntRange(min=1),
        default=20,
        show_default=True,
        help=_("列出的画像数", "how many profiles to list"),
    )
    @date_option()
    @format_option(("table", "json", "csv"))
    def profiles_(config_path, top, at, fmt):
        from ..registry import stats

        app = open_app(config_path)
        result = stats.profiles(current_store(app), app.rulebook, on=day(at), top=top)
        if fmt == "json":
            print_json(result)
            return
        rows = [
            [
                p["profile"],
                p["objects"],
                f"{p['share']:.1%}",
                "；".join(f"{d}:{t}" for d, t in p["members"]),
                len(p["items"]),
                len(p["departments"]),
            ]
            for p in result["top"]
        ]
        columns = [
            _("画像", "profile"),
            _("对象数", "objects"),
            _("占比", "share"),
            _("领域:对象类型", "domain:object type"),
            _("事项数", "items"),
            _("部门数", "departments"),
        ]
        if fmt == "csv":
            writer = csv.writer(sys.stdout)
            writer.writerow(["profile", "objects", "share", "members", "items", "departments"])
            for p in result["top"]:
                writer.writerow(
                    [
                        p["profile"],
                        p["objects"],
                        p["share"],
                        ";".join(f"{d}:{t}" for d, t in p["members"]),
                        ";".join(p["items"]),
                        ";".join(p["departments"]),
                    ]
                )
            return
        print_table(
            _(
                f"适用画像（{result['objects']} 个对象，{result['profiles']} 种画像）",
                f"Applicability profiles ({result['objects']} objects, "
                f"{result['profiles']} profiles)",
            ),
            columns,
            rows,
        )

    @registry.command(
        "synth",
        help=_(
            "生成合成监管对象名录（有效代码、本地区县代码、多领域组合、许可证、信用等级），以及"
            "各领域为其绘制的项目、现场、车辆、人员、设施等对象及其关系，供测试、演示和基准测试"
            "使用。先导入对象文件，再导入关系文件（registry import-relations）。",
            "Generate a synthetic registry (valid uscc, the region's county codes, multi-domain "
            "businesses, licences, credit grades), with the projects, sites, vehicles, people "
            "and installations the domains draw for them and the relations between them, for "
            "tests, the demo and benchmarks. Import the objects first, then the relations "
            "(registry import-relations).",
        ),
    )
    @config_option
    @click.option("--region", required=True, help=_("行政区划代码", "GB/T 2260 region code"))
    @click.option(
        "--size",
        type=int,
        required=True,
        help=_("经营主体数（关联对象另计）", "number of businesses (related objects besides)"),
    )
    @click.option("--seed", type=int, default=0, show_default=True, help=_("随机种子", "seed"))
    @click.option(
        "--out",
        type=click.Path(dir_okay=False, path_type=Path),
        required=True,
        help=_("输出文件（.csv、.jsonl、.xlsx）", "output file (.csv, .jsonl, .xlsx)"),
    )
    @click.option(
        "--relations-out",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help=_(
            "关系输出文件（默认：输出文件旁的 <名称>.relations.<扩展名>；仅当启用的领域绘制关联"
            "对象时写出）",
            "relations file (default: <name>.relations.<ext> beside --out; written only when "
            "the enabled domains draw related objects)",
        ),
    )
    @force_option
    @format_option()
    def synth_(config_path, region, size, seed, out, relations_out, force, fmt):
        from ..outfiles import sqlite_file
        from ..registry import synth

        app = open_app(config_path)
        with progress_bar(_("生成", "generating")) as bar:
            task = bar.add_task("synth", total=size)
            w = synth.write(
                app.domains,
                region,
                size,
                seed,
                out,
                relations_out=relations_out,
                progress=lambda done, total: bar.update(task, completed=done),
                force=force,
                protected=[config_path, sqlite_file(app.store)],
            )
        if fmt == "json":
            files = [out] if w.relations_path is None else [out, w.relations_path]
            print_changed(
                fmt,
                "",
                {"files": [str(f) for f in files]},
                objects=w.objects,
                businesses=w.businesses,
                relations=w.relations if w.relations_path is not None else None,
            )
            return
        click.echo(
            _(
                f"已生成 {w.objects} 个对象（经营主体 {w.businesses} 个）：{out}",
                f"wrote {w.objects} objects ({w.businesses} businesses) to {out}",
            )
        )
        if w.relations_path is not None:
            click.echo(
                _(
                    f"已生成 {w.relations} 条关系：{w.relations_path}",
                    f"wrote {w.relations} relations to {w.relations_path}",
                )
            )

    return registry


#: The columns of ``registry stats``: its grouping dimensions and the count.
DIMENSIONS = {
    "domain": ("领域", "domain"),
    "region": ("区划", "region"),
    "department": ("部门", "department"),
    "object_type": ("对象类型", "object type"),
    "object_kind": ("对象种类", "object kind"),
    "objects": ("对象数", "objects"),
}


def _same(value):
    return value
