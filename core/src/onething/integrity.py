"""Consistency checks on one domain's data beyond what its JSON Schema can say: references
between items, elements, parameters and rules; dates; units; departments; the catalogue."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from .check_points import catalogue
from .departments import departments
from .loop import core_states
from .model import Parameter
from .model.dated import ends_before_start, overlapping_pairs
from .model.national import problems as national_problems
from .parameter_names import matcher

if TYPE_CHECKING:
    from .plugins import DomainRules


def _overlapping(kind: str, versions: dict[str, list]) -> list[str]:
    out = []
    for ident, vs in versions.items():
        vs = sorted(vs, key=lambda v: v.effective_from)
        out += [
            f"{kind} {ident}: effective_to {r.effective_to} is not after effective_from {r.effective_from}"
            for r in ends_before_start(vs)
        ]
        out += [
            f"{kind} {ident}: versions from {a.effective_from} and {b.effective_from} overlap"
            for a, b in overlapping_pairs(vs)
        ]
    return out


def parameter_exists(name: str, parameters: Sequence[Parameter]) -> bool:
    """Whether ``name`` names a parameter, where ``{attr}`` placeholders match any segment."""
    names = {p.name for p in parameters}
    if "{" not in name:
        return name in names
    pattern = matcher(name)
    return any(pattern.fullmatch(n) for n in names)


def value_fits_unit(unit: str, value: object) -> bool:
    if unit == "flag":
        return isinstance(value, bool)
    if unit == "text":
        return isinstance(value, str)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    if value != value or value in (float("inf"), float("-inf")):
        return False  # NaN, infinity
    if unit == "ratio":
        return 0 <= value <= 1
    return value >= 0


def problems(rules: DomainRules) -> list[str]:
    """Every inconsistency in one domain's contributions, as readable lines."""
    d = rules.description.code
    known_depts = set(departments())
    object_types = {t.code for t in rules.description.object_types}
    out: list[str] = []

    def depts(where: str, codes: Iterable[str], allow_lead: bool = False) -> None:
        for c in codes:
            if c not in known_depts and not (allow_lead and c in ("lead", "owner")):
                out.append(f"{where}: unknown department {c!r} (see `onething departments`)")

    def params(where: str, *names: str | None) -> None:
        for n in names:
            if n is not None and not parameter_exists(n, rules.parameters):
                out.append(f"{where}: parameter {n!r} is not declared in the domain's parameters")

    depts(
        f"domain {d}",
        [rules.description.lead_department, *rules.description.responsible_departments],
    )
    if rules.description.synth_licence is not None:
        depts(f"domain {d} synth_licence", [rules.description.synth_licence.department])
    out += [
        f"domain {d} synth_overlap_types.{other}: unknown object type {t!r}"
        for other, t in rules.description.synth_overlap_types.items()
        if t not in object_types
    ]

    # items
    by_code = defaultdict(list)
    for item in rules.items:
        by_code[item.code].append(item)
        where = f"item {item.code}"
        if not item.code.startswith(f"{d}."):
            out.append(f"{where}: code must start with {d!r}.")
        depts(where, item.departments)
        out += [
            f"{where}: unknown object type {t!r}"
            for t in item.object_types
            if t not in object_types
        ]
        out += national_problems(item.national_codes, where)
    out += _overlapping("item", by_code)
    item_codes = set(by_code)

    # elements
    by_code = defaultdict(list)
    canon = catalogue()
    for el in rules.elements:
        by_code[el.code].append(el)
        where = f"element {el.code}"
        if not el.code.startswith(f"{d}."):
            out.append(f"{where}: code must start with {d!r}.")
        if el.canonical != el.code and el.canonical not in canon:
            out.append(
                f"{where}: canonical {el.canonical!r} is neither in core's catalogue nor the element's own code"
            )
        out += [f"{where}: requires unknown item {c!r}" for c in el.items if c not in item_codes]
        depts(where, el.departments)
        out += national_problems(el.national_codes, where)
        if el.limit is not None:
            params(where, el.limit.parameter)
            if el.limit.value is None and el.limit.parameter is None:
                out.append(f"{where}: limit needs a value or a parameter")
    out += _overlapping("element", by_code)

    # parameters
    seen = set()
    for p in rules.parameters:
        where = f"parameter {p.name}"
        if p.name in seen:
            out.append(f"{where}: declared twice")
        seen.add(p.name)
        out += _overlapping("parameter", {p.name: list(p.values)})
        for v in p.values:
            if p.name.split(".")[0] == "sampling_ratio" and v.value == 0:
                out.append(
                    f"{where}: a sampling ratio of 0 from {v.effective_from} would exempt objects from all checks"
                )
            if not value_fits_unit(p.unit, v.value):
                out.append(
                    f"{where}: value {v.value!r} from {v.effective_from} does not fit unit {p.unit!r}"
                )

    # risk rules
    by_code = defaultdict(list)
    for r in rules.risk_rules:
        by_code[r.id].append(r)
        where = f"risk rule {r.id}"
        if not r.id.startswith(f"{d}."):
            out.append(f"{where}: id must start with {d!r}.")
        params(where, r.parameter, r.window)
        if r.over is not None:
            params(f"{where} over", r.over.parameter)
        out += [
            f"{where}: unknown object type {t!r}" for t in r.object_types if t not in object_types
        ]
    out += _overlapping("risk rule", by_code)

    for m in rules.merge_constraints:
        out += [
            f"merge constraint {m.id}: unknown item {c!r}" for c in m.items if c not in item_codes
        ]

    if rules.loop is not None:
        states = set(core_states()) | {s.code for s in rules.loop.states}
        for s in rules.loop.states:
            if s.code in core_states():
                out.append(f"loop state {s.code}: redefines a core state")
        for t in rules.loop.transitions:
            where = f"loop transition {t.code}"
            out += [
                f"{where}: unknown state {x!r}" for x in (t.source, t.target) if x not in states
            ]
            depts(where, t.departments, allow_lead=True)
            params(where, t.time_limit)

    for s in rules.sanctions:
        depts(f"sanction {s.code}", s.departments)
        params(f"sanction {s.code}", s.duration)
    for pub in rules.publication_rules:
        params(f"publication rule {pub.code}", pub.within, pub.period)
    return out
