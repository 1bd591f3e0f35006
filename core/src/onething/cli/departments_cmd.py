"""``onething departments``: the department registry (监管主体) and its stable codes."""

from __future__ import annotations

import click

from ..departments import departments
from ..i18n import _
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
        print_table(
            _("监管部门", "Departments"),
            [
                _("代码", "code"),
                _("省级", "province"),
                _("市级", "city"),
                _("县级", "county"),
                "English",
            ],
            rows,
        )

    return departments_
