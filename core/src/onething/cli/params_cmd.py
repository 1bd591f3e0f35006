"""``onething params``: the parameters in force on a day, city layer applied."""

from __future__ import annotations

from pathlib import Path

import click

from ..core_parameters import CORE
from ..i18n import _, label
from ..model.parameter import UNITS
from .common import (
    config_option,
    date_option,
    day,
    domain_option,
    format_option,
    open_app,
    print_json,
    print_table,
)

STATUS_ZH = {"verified": "已核实", "secondary": "二手来源", "unconfirmed": "未核实"}
LAYER_ZH = {"plugin": "插件", "override": "城市覆盖", "extension": "城市扩展"}


def make() -> click.Command:
    @click.command(
        "params",
        help=_(
            "列出某日有效的参数（阈值、限额、期限、比例），含取值、单位、依据、核实状态和来源；已应用城市层覆盖。",
            "List the parameters (thresholds, limits, deadlines, ratios) in force on a day, with "
            "value, unit, basis, verification status and provenance; city overrides applied.",
        ),
    )
    @config_option
    @domain_option
    @date_option()
    @format_option()
    @click.option(
        "--all-versions",
        is_flag=True,
        help=_(
            "列出每个参数的全部历史取值（忽略 --at）",
            "list every dated value of each parameter (ignores --at)",
        ),
    )
    def params(config_path: Path, domain: str | None, at, fmt: str, all_versions: bool) -> None:
        book = open_app(config_path).rulebook
        on = day(at)
        found = (
            list(book.parameter_versions(domain)) if all_versions else book.parameters(on, domain)
        )
        if fmt == "json":
            print_json([p.as_json() for p in found])
            return
        zh = _("zh", "en") == "zh"
        names = {d: label(book.domains.rules(d).description, "name") for d in book.domains.names}
        names[CORE] = _("通用", "general")
        print_table(
            _(f"{on} 有效的参数", f"Parameters in force on {on}")
            if not all_versions
            else _("参数全部取值", "All parameter values"),
            [
                _("领域", "domain"),
                _("参数", "name"),
                _("名称", "label"),
                _("取值", "value"),
                _("单位", "unit"),
                _("依据", "basis"),
                _("核实", "status"),
                _("生效", "from"),
                _("失效", "to"),
                _("来源", "layer"),
            ],
            [
                [
                    names.get(p.domain, p.domain),
                    p.name,
                    label(p),
                    p.value,
                    UNITS.get(p.unit, p.unit) if zh else p.unit,
                    "；".join(b.cite() for b in p.basis),
                    STATUS_ZH[p.status] if zh else p.status,
                    p.effective_from,
                    p.effective_to or "",
                    LAYER_ZH[p.provenance.layer] if zh else p.provenance.layer,
                ]
                for p in found
            ],
        )

    return params
