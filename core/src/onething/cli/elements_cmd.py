"""``onething elements list|conflicts``: check points in force, and limits domains disagree on."""

from __future__ import annotations

from pathlib import Path

import click

from ..i18n import _, label
from ..model import DIMENSIONS, SEVERITIES
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


def make() -> click.Group:
    @click.group(
        "elements",
        help=_(
            "监管要素：列出某日有效的检查要点，查找共享要素之间的限值冲突。",
            "Elements (check points): list those in force on a day; find conflicting limits "
            "of shared check points.",
        ),
    )
    def elements() -> None:
        pass

    @elements.command(
        "list",
        help=_(
            "列出某日有效的监管要素：代码、共享要素代码、维度、检查要点、事项、部门、依据、严重程度。",
            "List the elements in force on a day: code, canonical code, dimension, check point, "
            "items, departments, basis, severity.",
        ),
    )
    @config_option
    @domain_option
    @date_option()
    @format_option()
    def list_(config_path: Path, domain: str | None, at, fmt: str) -> None:
        from ..checklist import element_json, list_elements

        book = open_app(config_path).rulebook
        on = day(at)
        found = list_elements(book, on, domain)
        if fmt == "json":
            print_json([element_json(book, e, on) for e in found])
            return
        zh = _("zh", "en") == "zh"
        print_table(
            _(
                f"{on} 有效的监管要素（{len(found)} 项）",
                f"Elements in force on {on} ({len(found)})",
            ),
            [
                _("代码", "code"),
                _("共享要素", "canonical"),
                _("维度", "dimension"),
                _("检查要点", "check point"),
                _("事项", "items"),
                _("部门", "departments"),
                _("程度", "severity"),
                _("依据", "basis"),
            ],
            [
                [
                    e.code,
                    e.canonical if e.canonical != e.code else "",
                    DIMENSIONS[e.dimension] if zh else e.dimension,
                    label(e),
                    ", ".join(e.items),
                    ", ".join(e.departments),
                    SEVERITIES[e.severity] if zh else e.severity,
                    "；".join(b.cite() for b in e.basis),
                ]
                for e in found
            ],
        )

    @elements.command(
        "conflicts",
        help=_(
            "列出共享同一要素代码但限值不相容（阈值、单位、比较方式或频次不同）的要素对，附双方依据，供部门会商。",
            "List pairs of elements sharing a canonical code whose limits are incompatible "
            "(threshold, unit, kind of bound or frequency), with both bases, for the "
            "departments' consultation.",
        ),
    )
    @config_option
    @click.option(
        "--domain",
        default=None,
        help=_("只列出涉及该领域的冲突", "only conflicts involving this domain"),
    )
    @date_option()
    @format_option()
    def conflicts_(config_path: Path, domain: str | None, at, fmt: str) -> None:
        from ..checklist import conflicts
        from ..checklist.limits import limit_text

        book = open_app(config_path).rulebook
        on = day(at)
        if domain is not None:
            book.elements(on, domain)  # an unknown domain fails loudly
        found = conflicts(book, on, domain)
        if fmt == "json":
            print_json([c.as_json() for c in found])
            return
        print_table(
            _(f"{on} 的限值冲突（{len(found)} 处）", f"Conflicting limits on {on} ({len(found)})"),
            [
                _("共享要素", "canonical"),
                _("要素甲", "element A"),
                _("限值甲", "limit A"),
                _("依据甲", "basis A"),
                _("要素乙", "element B"),
                _("限值乙", "limit B"),
                _("依据乙", "basis B"),
                _("差异", "differs in"),
            ],
            [
                [
                    c.canonical,
                    c.a.element,
                    limit_text(c.a),
                    "；".join(b.cite() for b in (*c.a_basis, *c.a.basis)),
                    c.b.element,
                    limit_text(c.b),
                    "；".join(b.cite() for b in (*c.b_basis, *c.b.basis)),
                    ", ".join(c.reasons),
                ]
                for c in found
            ],
        )

    return elements
