"""``onething items``: the supervision item lists (监管事项清单), dated, with the city layer, the
unified list, the related official lists and their links, export and import."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from ..i18n import _, language
from ..model import MODES, RELATED_KINDS
from ..outfiles import sqlite_file
from .common import (
    config_option,
    date_option,
    day,
    domain_option,
    force_option,
    format_option,
    open_app,
    print_changed,
    print_json,
    print_table,
)

STAGE = {"before": ("事前", "before"), "during": ("事中", "during"), "after": ("事后", "after")}
PROBLEM = {
    "removed": ("已取消", "removed"),
    "renamed": ("已更名", "renamed"),
    "changed": ("已变更", "changed"),
    "unknown": ("不在清单中", "unknown"),
    "uncovered": ("无事项覆盖", "uncovered"),
}
CHANGE = {
    "added": ("新增", "added"),
    "removed": ("删除", "removed"),
    "changed": ("变更", "changed"),
    "renamed": ("更名", "renamed"),
}


def _t(pair: tuple[str, str]) -> str:
    return _(*pair)


def _day(value) -> dt.date:
    return value.date()


def make() -> click.Group:
    @click.group(
        "items",
        help=_(
            "监管事项清单：按日期查询与比对、城市层新增与停用、统一清单、与许可/权责/双随机/重点监管清单的联动校验、导出与导入。",
            "Supervision item lists: dated look-up and diff, city additions and disablings, the "
            "unified list, links to the licensing/power/random/key lists, export and import.",
        ),
    )
    def items() -> None:
        pass

    @items.command(
        "list",
        help=_(
            "列出某日有效的监管事项（已应用城市层；停用的省级事项标注原因）。",
            "List the items in force on a day (city layer applied; disabled provincial items "
            "marked with the reason).",
        ),
    )
    @config_option
    @domain_option
    @date_option()
    @format_option()
    @click.option(
        "--unified",
        is_flag=True,
        help=_(
            "列出统一清单（跨领域合并同一职责）",
            "the unified list (same duty across domains merged)",
        ),
    )
    def list_(config_path: Path, domain: str | None, at, fmt: str, unified: bool) -> None:
        from ..items import ItemCatalog, build
        from ..items.export import UNIFIED, as_json

        app = open_app(config_path)
        catalog = ItemCatalog.of(app)
        on = day(at)
        if unified:
            rows = build(catalog, on).sheets[UNIFIED]
        else:
            rows = catalog.at(on, domain)
        if fmt == "json":
            print_json([as_json(r, n) for n, r in enumerate(rows, 1)])
            return
        zh = _("zh", "en") == "zh"
        print_table(
            _(f"{on} 有效的监管事项（{len(rows)} 项）", f"Items in force on {on} ({len(rows)})"),
            [
                _("编码", "code"),
                _("名称", "name"),
                _("监管主体", "departments"),
                _("环节", "stage"),
                _("检查方式", "modes"),
                _("生效", "from"),
                _("来源", "layer"),
                _("状态", "status"),
            ],
            [
                [
                    r.code + (f" (+{', '.join(r.merged)})" if r.merged else ""),
                    r.item.name_zh if zh else r.item.name_en,
                    "、".join(r.item.departments),
                    _t(STAGE[r.item.stage]),
                    "、".join(MODES[m] if zh else m for m in r.item.modes),
                    r.item.effective_from,
                    _("本地新增", "city") if r.layer == "extension" else _("省级", "plugin"),
                    _("在用", "in use")
                    if r.active
                    else _(f"停用：{r.disabled}", f"disabled: {r.disabled}"),
                ]
                for r in rows
            ],
        )

    @items.command(
        "diff",
        help=_(
            "比较两个日期的事项清单：新增、删除、变更的字段。",
            "Compare the lists in force on two days: added, removed, changed fields.",
        ),
    )
    @config_option
    @date_option("--from", "起始日期（YYYY-MM-DD）", "the earlier day (YYYY-MM-DD)")
    @click.option(
        "--to",
        "to",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        metavar="YYYY-MM-DD",
        required=True,
        help=_("截止日期（YYYY-MM-DD）", "the later day (YYYY-MM-DD)"),
    )
    @click.option("--domain", default=None, help=_("只比较该领域", "only this domain"))
    @format_option()
    def diff(config_path: Path, at, to, domain: str | None, fmt: str) -> None:
        from ..items import ItemCatalog

        if at is None:
            raise click.UsageError(_("需要 --from 日期", "--from is required"))
        catalog = ItemCatalog.of(open_app(config_path))
        changes = catalog.diff(_day(at), _day(to), domain)
        if fmt == "json":
            from ..model import converter

            print_json(converter.unstructure(changes))
            return
        rows = []
        for c in changes:
            detail = "; ".join(
                f"{f.field}: {_shown(f.old)} → {_shown(f.new)}"
                for f in c.changes
                if language() == "en" or not f.field.endswith("_en")  # English names: json
            )
            rows.append([_t(CHANGE[c.kind]), c.code, c.name_zh, detail])
        print_table(
            _(
                f"{_day(at)} → {_day(to)} 事项变化（{len(changes)}）",
                f"Item changes {_day(at)} → {_day(to)} ({len(changes)})",
            ),
            [_("变化", "change"), _("编码", "code"), _("名称", "name"), _("变更字段", "fields")],
            rows,
        )

    @items.command(
        "import-related",
        help=_(
            "导入一份相关清单（许可、权责、双随机、重点监管）的完整版本，保留历史；"
            "CSV、XLSX 或 JSON，列：code/编码、name/名称，可选 department/部门、domain/领域。",
            "Import the full current version of a related list (licensing, power, random, key), "
            "keeping history; CSV, XLSX or JSON with columns code/编码, name/名称, optional "
            "department/部门, domain/领域.",
        ),
    )
    @config_option
    @click.option(
        "--kind",
        type=click.Choice([*RELATED_KINDS, "catalogue"]),
        required=True,
        help=_(
            "清单类别；catalogue：国家监管事项目录（监管事项目录编码），只比对、不存储",
            "which related list; catalogue: the national item catalogue (监管事项目录编码), "
            "mapped and reported, not stored",
        ),
    )
    @click.option(
        "--as-of",
        "as_of",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        metavar="YYYY-MM-DD",
        default=None,
        help=_(
            "该清单的版本日期（默认今天）",
            "the day this version of the list is in force (default today)",
        ),
    )
    @click.option(
        "--format",
        "fmt",
        type=click.Choice(["table", "json"]),
        default="table",
        show_default=True,
        help=_("报告格式（catalogue）", "report format (catalogue)"),
    )
    @click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
    def import_related_(config_path: Path, kind: str, as_of, fmt: str, file: Path) -> None:
        from ..items import import_related

        app = open_app(config_path)
        if kind == "catalogue":
            _catalogue(app, file, day(as_of), fmt)
            return
        r = import_related(app.store, kind, file, as_of=day(as_of))
        click.echo(
            _(
                f"已导入 {kind} 清单（{r.as_of}）：{r.rows} 条；新增 {r.added}，取消 {r.removed}，变更 {r.changed}，未变 {r.unchanged}",
                f"Imported the {kind} list as of {r.as_of}: {r.rows} entries; {r.added} added, "
                f"{r.removed} removed, {r.changed} changed, {r.unchanged} unchanged",
            )
        )

    def _catalogue(app, file: Path, on: dt.date, fmt: str) -> None:
        from ..items.national import map_catalogue

        r = map_catalogue(app.rulebook, file, on=on)
        if fmt == "json":
            print_json(r.as_json())
            return
        click.echo(
            _(
                f"国家监管事项目录 {file}（{r.entries} 条）对照 {on} 在用事项：匹配 {len(r.matched)}，"
                f"目录事项无对应事项 {len(r.national_without_item)}，事项无目录编码 "
                f"{len(r.items_without_code)}，冲突 {len(r.conflicts)}（未存储）",
                f"National catalogue {file} ({r.entries} entries) against the items in force on "
                f"{on}: {len(r.matched)} matched, {len(r.national_without_item)} national items "
                f"without an onething item, {len(r.items_without_code)} items without a national "
                f"code, {len(r.conflicts)} conflicts (nothing stored)",
            )
        )
        how = {
            "code": _("事项已载编码", "code on the item"),
            "file": _("文件指明", "named by the file"),
        }
        sections = [
            (_("匹配", "Matched"), [_("目录编码", "code"), _("事项", "item"), _("依据", "by")],
             [[c, i, how[b]] for c, i, b in r.matched]),
            (_("目录事项无对应事项", "National items without an onething item"),
             [_("目录编码", "code"), _("名称", "name")], [list(x) for x in r.national_without_item]),
            (_("事项无目录编码", "Items without a national code"),
             [_("事项", "item"), _("名称", "name")], [list(x) for x in r.items_without_code]),
            (_("冲突：文件指明的事项已载其他编码", "Conflicts: the item named carries another code"),
             [_("目录编码", "code"), _("事项", "item"), _("事项所载编码", "item's code")],
             [list(x) for x in r.conflicts]),
        ]  # fmt: skip
        for title, columns, rows in sections:
            if rows:
                print_table(title, columns, rows)

    @items.command(
        "check-links",
        help=_(
            "校验事项与相关清单的联动：关联条目已取消、更名或在事项版本之后变更的事项，以及没有事项覆盖的清单条目；有问题时退出码为 1。",
            "Check items against the related lists: items whose linked entry was removed, "
            "renamed or changed after the item's version, and list entries no item covers; "
            "exit 1 when anything is broken.",
        ),
    )
    @config_option
    @date_option()
    @format_option()
    def check_links_(config_path: Path, at, fmt: str) -> None:
        from ..items import ItemCatalog, check_links
        from ..items.related import imported_kinds

        app = open_app(config_path)
        on = day(at)
        problems = check_links(ItemCatalog.of(app), app.store, on)
        if fmt == "json":
            from ..model import converter

            print_json(converter.unstructure(problems))
        else:
            missing = sorted(set(RELATED_KINDS) - imported_kinds(app.store))
            if missing:
                click.echo(
                    _(
                        f"未导入、未校验的清单：{', '.join(missing)}",
                        f"not imported, not checked: {', '.join(missing)}",
                    ),
                    err=True,
                )
            print_table(
                _(
                    f"{on} 清单联动问题（{len(problems)}）",
                    f"Link problems on {on} ({len(problems)})",
                ),
                [
                    _("问题", "problem"),
                    _("事项", "item"),
                    _("清单", "list"),
                    _("条目编码", "entry"),
                    _("条目名称", "entry name"),
                    _("日期", "since"),
                    _("说明", "detail"),
                ],
                [
                    [
                        _t(PROBLEM[p.problem]),
                        p.item_code or "",
                        p.related_kind,
                        p.related_code,
                        p.related_name or "",
                        p.since or "",
                        p.detail,
                    ]
                    for p in problems
                ],
            )
        if problems:
            sys.exit(1)

    @items.command(
        "related-changes",
        help=_(
            "列出某日之后相关清单的变化（新增、取消、更名、变更）。",
            "List the changes to the related lists after a day (added, removed, renamed, changed).",
        ),
    )
    @config_option
    @date_option("--since", "起始日期（不含）", "changes after this day")
    @click.option(
        "--kind",
        type=click.Choice(RELATED_KINDS),
        default=None,
        help=_("清单类别", "which related list"),
    )
    @format_option()
    def related_changes(config_path: Path, at, kind: str | None, fmt: str) -> None:
        from ..items import changes_since

        app = open_app(config_path)
        since = day(at) if at else dt.date.min
        changes = changes_since(app.store, since, kind)
        if fmt == "json":
            from ..model import converter

            print_json(converter.unstructure(changes))
            return
        print_table(
            _(
                f"{since} 之后的清单变化（{len(changes)}）",
                f"List changes after {since} ({len(changes)})",
            ),
            [
                _("日期", "on"),
                _("清单", "list"),
                _("编码", "code"),
                _("变化", "change"),
                _("名称", "name"),
                _("说明", "detail"),
            ],
            [[c.on, c.kind, c.code, _t(CHANGE[c.change]), c.name, c.detail] for c in changes],
        )

    @items.command(
        "export",
        help=_(
            "按官方监管事项清单的列顺序导出（中文表头）：XLSX 每个领域一张表另加统一清单；CSV 一张清单；JSON 符合 item-list.schema.json。",
            "Export in the column order of an official item-list table (Chinese headers): XLSX "
            "with one sheet per domain plus the unified list; CSV one list; JSON valid against "
            "item-list.schema.json.",
        ),
    )
    @config_option
    @click.option(
        "--format",
        "fmt",
        type=click.Choice(["xlsx", "csv", "json"]),
        default="xlsx",
        show_default=True,
        help=_("导出格式", "export format"),
    )
    @click.option(
        "--out",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help=_(
            "输出文件（默认：输出目录下 items-<日期>.<格式>；- 为标准输出）",
            "output file (default: items-<date>.<format> in the output dir; - for stdout)",
        ),
    )
    @click.option("--domain", default=None, help=_("只导出该领域", "only this domain"))
    @date_option()
    @click.option(
        "--all-versions",
        is_flag=True,
        help=_("导出全部历史版本（不含统一清单）", "every version (no unified list)"),
    )
    @force_option
    def export_(
        config_path: Path,
        fmt: str,
        out: Path | None,
        domain: str | None,
        at,
        all_versions: bool,
        force: bool,
    ) -> None:
        from ..items import ItemCatalog, Labels, build, write

        app = open_app(config_path)
        catalog = ItemCatalog.of(app)
        on = day(at)
        lists = build(catalog, on, domain=domain, all_versions=all_versions)
        to_stdout = out is not None and str(out) == "-"
        if out is None:
            out = app.deployment.output_dir / f"items-{on}.{fmt}"
            out.parent.mkdir(parents=True, exist_ok=True)  # the configured output directory
        blob = write(
            lists,
            fmt,
            None if to_stdout else out,
            Labels(catalog),
            force=force,
            protected=[config_path, sqlite_file(app.store)],
        )
        if to_stdout:
            sys.stdout.buffer.write(blob)
            return
        counts = "，".join(f"{lists.titles.get(k, k)} {len(v)}" for k, v in lists.sheets.items())
        click.echo(_(f"已导出 {out}：{counts}", f"Exported {out}: {counts}"))

    @items.command(
        "import",
        help=_(
            "导入一份监管事项清单（items export 的格式：XLSX、CSV 或 JSON），完整校验后存储；有错误时不存储任何内容。",
            "Import an item list (the format of items export: XLSX, CSV or JSON), checked in "
            "full, then stored; on any error nothing is stored.",
        ),
    )
    @config_option
    @click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
    @format_option()
    def import_(config_path: Path, file: Path, fmt: str) -> None:
        from ..items import import_list

        app = open_app(config_path)
        import_id, rows = import_list(app.store, file)
        print_changed(
            fmt,
            _(
                f"已导入 {file}：{rows} 行（导入编号 {import_id}）",
                f"Imported {file}: {rows} rows (import {import_id})",
            ),
            {"imports": [import_id]},
            file=str(file),
            rows=rows,
        )

    return items


def _shown(value):
    """A changed field in the table: a basis as its laws and articles (its notes, often the
    domain owner's research notes, are in --format json)."""
    if isinstance(value, list) and value and all(isinstance(v, dict) and "law" in v for v in value):
        return "、".join(f"《{b['law']}》{b.get('article') or ''}" for b in value)
    return repr(value)
