"""``onething departments``: the department registry (监管主体) and its stable codes."""

from __future__ import annotations

import click

from ..departments import departments
from ..i18n import _, language
from .common import format_option, print_json, print_table


def make() -> click.Command:
    @click.command(
        "departments",
        help=_(
            "列出部门代码及其省、市、县级名称。", "List department codes and their names by level."
        ),
    )
    @format_option()
    def departments_(fmt: str) -> None:
        rows = [[d.code, d.province, d.city, d.county, d.name_en] for d in departments().values()]
        if fmt == "json":
            print_json(
                [
                    dict(zip(["code", "province", "city", "county", "name_en"], r, strict=True))
                    for r in rows
                ]
            )
            return
        columns = [_("代码", "code"), _("省级", "province"), _("市级", "city"), _("县级", "county")]
        if language() == "en":  # the names are Chinese; the English one helps a reader of en
            print_table("Departments", [*columns, "English"], rows)
        else:
            print_table("监管部门", columns, [r[:-1] for r in rows])

    return departments_
