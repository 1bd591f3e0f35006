"""The joint checklist (联合检查表): one visit, every department's check points, each once.

Elements required by the selected items are deduplicated by canonical code into lines, grouped
by dimension (personnel, equipment, environment, rules, quality, qualification). Each line names
every item and department relying on it, applies the strictest of its elements' limits and flags
limits that are incompatible.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from attrs import field, frozen

from ..check_points import catalogue
from ..errors import InvalidInput
from ..i18n import _
from ..model import DIMENSIONS, Basis, Element, converter
from ..rulebook import Rulebook
from .limits import (
    SEVERITY_ORDER,
    LimitConflict,
    ResolvedLimit,
    conflicts_among,
    resolve,
    strictest,
)

DIMENSION_ORDER = tuple(DIMENSIONS)


@frozen
class ChecklistElement:
    """One domain's element on a checklist line, restricted to the selected items."""

    code: str
    domain: str
    dimension: str
    label_zh: str
    label_en: str
    methods: tuple[str, ...] = field(converter=tuple)
    items: tuple[str, ...] = field(converter=tuple)
    """The selected items requiring this element."""
    departments: tuple[str, ...] = field(converter=tuple)
    """The departments of those items."""
    basis: tuple[Basis, ...] = field(converter=tuple)
    severity: str
    evidence_schema: dict[str, Any]
    limit: ResolvedLimit | None = None


@frozen
class Line:
    """One check point of the joint checklist: every element sharing a canonical code."""

    canonical: str
    dimension: str
    label_zh: str
    label_en: str
    elements: tuple[ChecklistElement, ...] = field(converter=tuple)
    items: tuple[str, ...] = field(converter=tuple)
    departments: tuple[str, ...] = field(converter=tuple)
    methods: tuple[str, ...] = field(converter=tuple)
    severity: str
    """The gravest severity among the elements."""
    limit: ResolvedLimit | None
    """The strictest limit applied; ``None`` when there is none or it cannot be decided."""
    conflicts: tuple[LimitConflict, ...] = field(converter=tuple)

    @property
    def shared(self) -> bool:
        return len(self.elements) > 1


@frozen
class Checklist:
    """The joint checklist of one visit (or one set of items) on one day."""

    on: dt.date
    items: tuple[str, ...] = field(converter=tuple)
    item_departments: tuple[tuple[str, tuple[str, ...]], ...] = field(converter=tuple)
    """``(item code, its departments)`` for every selected item."""
    lines: tuple[Line, ...] = field(converter=tuple)
    object_key: str | None = None
    object_name: str | None = None

    @property
    def elements(self) -> list[ChecklistElement]:
        return [e for line in self.lines for e in line.elements]

    @property
    def departments(self) -> list[str]:
        return sorted({d for _, ds in self.item_departments for d in ds})

    def department_items(self, department: str) -> list[str]:
        return [i for i, ds in self.item_departments if department in ds]

    def solo_points(self) -> dict[str, int]:
        """How many check points each department would inspect alone."""
        return {d: len(self.view(d).lines) for d in self.departments}

    def saved(self) -> int:
        """Check points saved by one joint visit instead of every department's own."""
        return sum(self.solo_points().values()) - len(self.lines)

    def view(self, department: str) -> Checklist:
        """The department's view: exactly the elements of its items, as if it visited alone."""
        mine = set(self.department_items(department))
        deps = dict(self.item_departments)
        kept = []
        for line in self.lines:
            for el in line.elements:
                items = [i for i in el.items if i in mine]
                if items:
                    kept.append((line.canonical, _restrict(el, items, deps)))
        return Checklist(
            on=self.on,
            items=[i for i in self.items if i in mine],
            item_departments=[(i, ds) for i, ds in self.item_departments if i in mine],
            lines=_lines(kept),
            object_key=self.object_key,
            object_name=self.object_name,
        )

    def as_json(self) -> dict[str, Any]:
        """The documented JSON form (``onething checklist --format json``)."""
        return {
            "on": self.on.isoformat(),
            "object": self.object_key,
            "object_name": self.object_name,
            "items": list(self.items),
            "departments": self.departments,
            "elements": len(self.elements),
            "lines": len(self.lines),
            "solo_points": self.solo_points(),
            "saved": self.saved(),
            "conflicts": sum(len(line.conflicts) for line in self.lines),
            "checklist": [_line_json(line) for line in self.lines],
        }


def _restrict(el: ChecklistElement, items: list[str], deps: Mapping[str, Iterable[str]]):
    departments = sorted({d for i in items for d in deps[i]})
    return ChecklistElement(
        code=el.code,
        domain=el.domain,
        dimension=el.dimension,
        label_zh=el.label_zh,
        label_en=el.label_en,
        methods=el.methods,
        items=items,
        departments=departments,
        basis=el.basis,
        severity=el.severity,
        evidence_schema=el.evidence_schema,
        limit=el.limit,
    )


def _line(canonical: str, elements: list[ChecklistElement]) -> Line:
    elements = sorted(elements, key=lambda e: e.code)
    cat = catalogue().get(canonical)
    first = elements[0]
    limits = [e.limit for e in elements if e.limit is not None]
    pairs = [(e, e.limit) for e in elements if e.limit is not None]
    return Line(
        canonical=canonical,
        dimension=cat.dimension if cat else first.dimension,
        label_zh=cat.label_zh if cat else first.label_zh,
        label_en=cat.label_en if cat else first.label_en,
        elements=elements,
        items=sorted({i for e in elements for i in e.items}),
        departments=sorted({d for e in elements for d in e.departments}),
        methods=sorted({m for e in elements for m in e.methods}),
        severity=max((e.severity for e in elements), key=SEVERITY_ORDER.index),
        limit=strictest(limits),
        conflicts=conflicts_among(canonical, pairs),
    )


def _lines(kept: list[tuple[str, ChecklistElement]]) -> list[Line]:
    groups: dict[str, list[ChecklistElement]] = {}
    for canonical, el in kept:
        groups.setdefault(canonical, []).append(el)
    lines = [_line(c, els) for c, els in groups.items()]
    return sorted(lines, key=lambda ln: (DIMENSION_ORDER.index(ln.dimension), ln.canonical))


def _checklist_element(
    rulebook: Rulebook, el: Element, items: list[str], deps: Mapping[str, Iterable[str]], on
) -> ChecklistElement:
    return _restrict(
        ChecklistElement(
            code=el.code,
            domain=el.domain,
            dimension=el.dimension,
            label_zh=el.label_zh,
            label_en=el.label_en,
            methods=el.methods,
            items=items,
            departments=(),
            basis=el.basis,
            severity=el.severity,
            evidence_schema=el.evidence_schema,
            limit=resolve(rulebook, el, on),
        ),
        items,
        deps,
    )


def build_checklist(
    rulebook: Rulebook,
    items: Iterable[str],
    on: dt.date,
    *,
    object_key: str | None = None,
    object_name: str | None = None,
    location: str = "--items",
) -> Checklist:
    """The joint checklist for ``items`` (codes of items in force on ``on``).

    :raises InvalidInput: naming an item code that is not in force on ``on`` in an enabled
        domain.
    """
    in_force = {i.code: i for i in rulebook.items(on)}
    wanted = list(dict.fromkeys(items))
    for n, code in enumerate(wanted):
        if code not in in_force:
            close = sorted(c for c in in_force if c.split(".")[0] == code.split(".")[0])
            raise InvalidInput(
                location,
                f"[{n}]",
                _(
                    f"事项 {code!r} 在 {on} 不属于已启用领域的现行事项"
                    + (f"；该领域的事项：{', '.join(close)}" if close else ""),
                    f"item {code!r} is not in force on {on} in an enabled domain"
                    + (f"; items of that domain: {', '.join(close)}" if close else ""),
                ),
            )
    deps = {c: tuple(in_force[c].departments) for c in wanted}
    chosen = set(wanted)
    kept = []
    for el in rulebook.elements(on):
        relying = [i for i in el.items if i in chosen]
        if relying:
            kept.append((el.canonical, _checklist_element(rulebook, el, relying, deps, on)))
    return Checklist(
        on=on,
        items=sorted(wanted),
        item_departments=sorted(deps.items()),
        lines=_lines(kept),
        object_key=object_key,
        object_name=object_name,
    )


def _limit_json(lim: ResolvedLimit | None) -> dict[str, Any] | None:
    return lim.as_json() if lim else None


def _line_json(line: Line) -> dict[str, Any]:
    return {
        "canonical": line.canonical,
        "dimension": line.dimension,
        "label_zh": line.label_zh,
        "label_en": line.label_en,
        "items": list(line.items),
        "departments": list(line.departments),
        "methods": list(line.methods),
        "severity": line.severity,
        "limit": _limit_json(line.limit),
        "conflict": bool(line.conflicts),
        "conflicts": [c.as_json() for c in line.conflicts],
        "elements": [
            {
                "code": e.code,
                "domain": e.domain,
                "label_zh": e.label_zh,
                "label_en": e.label_en,
                "items": list(e.items),
                "departments": list(e.departments),
                "methods": list(e.methods),
                "severity": e.severity,
                "basis": [converter.unstructure(b) for b in e.basis],
                "limit": _limit_json(e.limit),
                "evidence_schema": e.evidence_schema,
            }
            for e in line.elements
        ],
    }
