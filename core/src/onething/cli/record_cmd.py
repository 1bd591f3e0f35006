"""``onething record add|show``: store an inspection record; read it whole or as one
department's view (结果互认)."""

from __future__ import annotations

from pathlib import Path

import click

from ..i18n import _
from ..loop.documents import case_ids
from .common import (
    config_option,
    format_option,
    open_app,
    print_changed,
    print_json,
    print_table,
)


def make() -> click.Group:
    @click.group(
        "record",
        help=_(
            "检查记录：保存联合检查结果，按部门查看。",
            "Inspection records: store joint-visit results, view them by department.",
        ),
    )
    def record() -> None:
        pass

    @record.command(
        "add",
        help=_(
            "保存一次检查的记录（JSON，见 schemas/record.schema.json）：每项证据按其要素的证据结构校验，"
            "任一项无效则整条记录不保存；不合格要素生成问题（findings），按闭环规则开启或关联闭环事项"
            "（--case 关联提请检查的事项），并打印事项编号。",
            "Store one visit's record (JSON, see schemas/record.schema.json): each evidence is "
            "validated against its element's evidence schema; any invalid entry rejects the whole "
            "record; failed elements yield findings, which open or attach to cases by the loop's "
            "rules (--case: the case that asked for the inspection); prints the case ids.",
        ),
    )
    @config_option
    @click.argument("file", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE.json")
    @click.option(
        "--case",
        "case_id",
        type=int,
        default=None,
        help=_(
            "提请本次检查的闭环事项编号：记录及该领域的问题关联到它",
            "the case that asked for this inspection: the record and its domain's findings "
            "attach to it",
        ),
    )
    @format_option()
    def add(config_path: Path, file: Path, case_id: int | None, fmt: str) -> None:
        from ..checklist import read_record_file
        from ..loop import Loop
        from ..loop.inspections import add_inspection

        app = open_app(config_path)
        app.store.ensure_current()
        data = read_record_file(file)
        done = add_inspection(
            app.store, app.rulebook, Loop(app.rulebook), data, case=case_id, location=str(file)
        )
        rec = done.record
        failed = len(rec.findings)
        if fmt == "json":
            print_changed(
                fmt,
                "",
                {"records": [rec.id], "cases": [*done.opened, *done.attached]},
                record=rec.as_json(),
                opened=list(done.opened),
                attached=list(done.attached),
            )
            return
        click.echo(
            _(
                f"已保存检查记录 {rec.id}：{len(rec.entries)} 项要素，不合格 {failed} 项",
                f"Stored record {rec.id}: {len(rec.entries)} elements, {failed} failed",
            )
        )
        if done.opened:
            ids = case_ids(done.opened)
            click.echo(
                _(
                    f"开启闭环事项 {len(done.opened)} 件：{ids}",
                    f"Opened {len(done.opened)} cases: {ids}",
                )
            )
        if done.attached:
            ids = case_ids(done.attached)
            click.echo(_(f"关联闭环事项：{ids}", f"Attached to cases: {ids}"))

    @record.command(
        "show",
        help=_(
            "显示一条检查记录，或某部门的视图。",
            "Show a stored record, or one department's view of it.",
        ),
    )
    @config_option
    @click.argument("record_id", metavar="ID")
    @click.option(
        "--department",
        default=None,
        help=_(
            "只显示该部门事项的要素（结果互认）",
            "only the elements of this department's items (mutual recognition)",
        ),
    )
    @format_option()
    def show(config_path: Path, record_id: str, department: str | None, fmt: str) -> None:
        from ..checklist import load_record

        app = open_app(config_path)
        app.store.ensure_current()
        rec = load_record(app.store, record_id)
        if department is not None:
            rec = rec.view(department)
        if fmt == "json":
            print_json(rec.as_json())
            return
        print_table(
            _(
                f"检查记录 {rec.id}（{rec.object_key}，{rec.on}）",
                f"Record {rec.id} ({rec.object_key}, {rec.on})",
            ),
            [
                _("要素", "element"),
                _("共享要素", "canonical"),
                _("事项", "items"),
                _("部门", "departments"),
                _("结果", "result"),
                _("原因", "reasons"),
            ],
            [
                [
                    e.element,
                    e.canonical,
                    ", ".join(e.items),
                    ", ".join(e.departments),
                    e.result,
                    "；".join(e.reasons),
                ]
                for e in rec.entries
            ],
        )

    return record
