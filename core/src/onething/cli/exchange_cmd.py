"""``onething exchange``: onething's records in the language of the existing systems (互联网+监管,
双随机、一公开 platform) — export, the platform's results back, and each kind's JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..exchange import TARGETS
from ..i18n import _
from ..outfiles import sqlite_file, write_atomic
from .common import (
    config_option,
    force_option,
    format_option,
    open_app,
    print_changed,
    print_json,
)

KINDS = sorted({k for ks in TARGETS.values() for k in ks})


def _mapping_option(f):
    return click.option(
        "--mapping",
        "mapping_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help=_(
            "城市修订的映射文件（TOML，默认内置映射）",
            "a city's corrected mapping file (TOML; default: the built-in one)",
        ),
    )(f)


def _target_kind(f):
    f = click.option(
        "--kind",
        type=click.Choice(KINDS),
        required=True,
        help=_(
            "数据类别（互联网+监管：inspection-actions、penalties、items、objects、inspectors；"
            "双随机：plan、results）",
            "kind of data (internet-plus-supervision: inspection-actions, penalties, items, "
            "objects, inspectors; double-random: plan, results)",
        ),
    )(f)
    return click.option(
        "--target",
        type=click.Choice(list(TARGETS)),
        required=True,
        help=_("对接的系统", "the system exchanged with"),
    )(f)


def _day_option(name: str, zh: str, en: str):
    return click.option(
        name,
        name.lstrip("-"),
        type=click.DateTime(formats=["%Y-%m-%d"]),
        metavar="YYYY-MM-DD",
        default=None,
        help=_(zh, en),
    )


def make() -> click.Group:
    @click.group(
        "exchange",
        help=_(
            "数据交换：按既有系统（“互联网+监管”系统、“双随机、一公开”监管平台）的数据元导出检查行为、"
            "行政处罚、监管事项、行政相对人、执法人员、抽查计划和抽查结果（含交换信封：操作类型、批次号、"
            "来源、记录标识），导入平台上录入的抽查结果，输出每类数据的 JSON Schema。映射是带版本的数据"
            "文件，未对照标准原文核对的字段均为 provisional（见 docs/exchange.md）。",
            "Data exchange: export inspection actions, penalties, items, parties, inspectors, "
            "plan tasks and results in the elements of the existing systems (Internet Plus "
            "Supervision, the double-random platform), with the exchange envelope (operation, "
            "batch, source, record id); import results recorded on the platform; print each "
            "kind's JSON Schema. Mappings are versioned data files; every field not checked "
            "against a standard's text is provisional (docs/exchange.md).",
        ),
    )
    def exchange() -> None:
        pass

    @exchange.command(
        "export",
        help=_(
            "导出一类数据。同一记录的记录标识不变；未变的记录按上次导出原样写出，变更的记录为更新"
            "（U）操作；每行均按该类的 JSON Schema 校验。自然人的证件号只输出脱敏形式，旁附键控哈希，"
            "由持有身份信息的宿主平台补全。",
            "Export one kind. A record keeps its record id; an unchanged record is written as "
            "it was last exported, a changed one as an update (U); every row is validated "
            "against the kind's JSON Schema. A person's ID number is written masked only, "
            "with its keyed hash beside it, for the host platform, which holds identities, to "
            "fill in.",
        ),
    )
    @config_option
    @_target_kind
    @_day_option("--from", "起始日期（含）", "first day (inclusive)")
    @_day_option("--to", "截止日期（含）", "last day (inclusive)")
    @click.option(
        "--format",
        "fmt",
        type=click.Choice(["jsonl", "csv", "xml"]),
        default="jsonl",
        show_default=True,
        help=_("文件格式", "file format"),
    )
    @click.option(
        "--out",
        type=click.Path(dir_okay=False, path_type=Path),
        required=True,
        help=_("输出文件", "output file"),
    )
    @click.option(
        "--plan",
        "plan_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help=_(
            "抽查计划文件 plan.json（--kind plan 必需）",
            "the plan's plan.json (needed by --kind plan)",
        ),
    )
    @click.option(
        "--batch", default=None, help=_("批次号（默认当前时间）", "batch number (default: now)")
    )
    @click.option(
        "--submitter",
        default=None,
        help=_("报送人员（默认当前用户）", "reported by (default: the user)"),
    )
    @_mapping_option
    @force_option
    def export_cmd(
        config_path, target, kind, fmt, out, plan_path, batch, submitter, mapping_path, force,
        **days,
    ) -> None:  # fmt: skip
        from ..exchange import load_mapping
        from ..exchange.extract import read_plan_file
        from ..exchange.files import export_rows, render
        from ..outfiles import check_target

        mapping = load_mapping(target, mapping_path)
        mapping.kind(kind)
        app = open_app(config_path)
        app.store.ensure_current()
        protected = [sqlite_file(app.store), plan_path, mapping_path]
        check_target(out, option="--out", force=force, protected=protected)
        doc = read_plan_file(plan_path) if plan_path is not None else None
        start, end = (days[k].date() if days[k] else None for k in ("from", "to"))
        rows, counts = export_rows(
            app, mapping, kind, start=start, end=end, plan_doc=doc, batch=batch,
            submitter=submitter,
        )  # fmt: skip
        write_atomic(out, render(mapping, kind, rows, fmt), force=True, protected=protected)
        click.echo(
            _(
                f"已导出 {len(rows)} 条 {kind}（{target}，映射 {mapping.version}）：新增 "
                f"{counts['insert']}，更新 {counts['update']}，未变 {counts['unchanged']} → {out}",
                f"Exported {len(rows)} {kind} ({target}, mapping {mapping.version}): "
                f"{counts['insert']} inserted, {counts['update']} updated, "
                f"{counts['unchanged']} unchanged → {out}",
            )
        )

    @exchange.command(
        "import",
        help=_(
            "导入“双随机、一公开”平台上录入的抽查结果，作为检查记录（不合格的检查项为问题，进入闭环）。"
            "整个文件一个事务：任何一行有误（指明文件、行和键路径）则不存储任何内容；重复导入不改变数据。",
            "Import results recorded on the double-random platform as inspection records (a "
            "failed check point is a finding and enters the loop). One transaction for the "
            "file: any bad row (its file, line and key path named) and nothing is stored; "
            "importing again changes nothing.",
        ),
    )
    @config_option
    @_target_kind
    @click.option(
        "--format",
        "fmt",
        type=click.Choice(["jsonl", "csv", "xml"]),
        default=None,
        help=_("文件格式（默认按扩展名）", "file format (default: from the extension)"),
    )
    @click.option(
        "--report",
        "report",
        type=click.Choice(["table", "json"]),
        default="table",
        show_default=True,
        help=_("报告格式", "report format"),
    )
    @_mapping_option
    @click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
    def import_cmd(config_path, target, kind, fmt, report, mapping_path, file) -> None:
        from ..errors import InvalidInput
        from ..exchange import load_mapping
        from ..exchange.importer import import_results

        if (target, kind) != ("double-random", "results"):
            raise InvalidInput(
                "--kind",
                "",
                _(
                    "只能导入 --target double-random --kind results（平台上录入的抽查结果）",
                    "only --target double-random --kind results (results recorded on the "
                    "platform) can be imported",
                ),
            )
        mapping = load_mapping(target, mapping_path)
        app = open_app(config_path)
        r = import_results(app, mapping, file, fmt)
        if report == "json":
            print_json(r.as_json())
            return
        click.echo(
            _(
                f"已导入 {file}：{r.rows} 行；新增检查记录 {r.inserted}，更新 {r.updated}，未变 "
                f"{r.unchanged}；问题 {r.findings} 个，新开闭环事项 {len(r.cases_opened)} 件，"
                f"并入已有事项 {len(r.cases_attached)} 件",
                f"Imported {file}: {r.rows} rows; {r.inserted} records inserted, {r.updated} "
                f"updated, {r.unchanged} unchanged; {r.findings} findings, "
                f"{len(r.cases_opened)} cases opened, {len(r.cases_attached)} attached to",
            )
        )

    @exchange.command(
        "schema",
        help=_(
            "输出一类导出数据每行的 JSON Schema（含信封字段）。",
            "Print the JSON Schema of one row of an exported kind (envelope included).",
        ),
    )
    @_target_kind
    @_mapping_option
    @click.option(
        "--out",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help=_("写入文件（默认输出到标准输出）", "write to this file (default: stdout)"),
    )
    @force_option
    @format_option()
    def schema_cmd(target, kind, mapping_path, out, force, fmt) -> None:
        from ..exchange import json_schema, load_mapping

        doc = json_schema(load_mapping(target, mapping_path), kind)
        if out is None:
            print_json(doc)
            return
        write_atomic(out, json.dumps(doc, ensure_ascii=False, indent=2) + "\n", force=force)
        print_changed(fmt, _(f"已写入 {out}", f"Wrote {out}"), {"files": [str(out)]})

    return exchange
