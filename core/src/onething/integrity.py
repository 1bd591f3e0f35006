"""Consistency checks on one domain's data beyond what its JSON Schema can say: references
between items, elements, parameters and rules; dates; units; departments; the catalogue."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from .check_points import catalogue
from .departments import departments, unknown_department
from .i18n import _
from .loop import core_states
from .model import Parameter
from .model.dated import ends_before_start, overlapping_pairs
from .model.national import problems as national_problems
from .model.parameter import UNIT_BASE, UNITS
from .parameter_names import matcher

if TYPE_CHECKING:
    from .plugins import DomainRules


#: What each kind of entry is called in a message.
_KINDS = {
    "domain": ("领域", "domain"),
    "item": ("事项", "item"),
    "element": ("要素", "element"),
    "parameter": ("参数", "parameter"),
    "risk rule": ("风险规则", "risk rule"),
    "merge constraint": ("合并约束", "merge constraint"),
    "loop state": ("闭环状态", "loop state"),
    "loop transition": ("闭环环节", "loop transition"),
    "sanction": ("惩戒措施", "sanction"),
    "publication rule": ("公示规则", "publication rule"),
}


def _where(kind: str, ident: str) -> str:
    return f"{_(*_KINDS[kind])} {ident}"


def _overlapping(kind: str, versions: dict[str, list]) -> list[str]:
    out = []
    for ident, vs in versions.items():
        vs = sorted(vs, key=lambda v: v.effective_from)
        where = _where(kind, ident)
        out += [
            _(
                f"{where}：失效日 {r.effective_to} 不晚于生效日 {r.effective_from}",
                f"{where}: effective_to {r.effective_to} is not after effective_from "
                f"{r.effective_from}",
            )
            for r in ends_before_start(vs)
        ]
        out += [
            _(
                f"{where}：自 {a.effective_from} 和自 {b.effective_from} 起的版本重叠",
                f"{where}: versions from {a.effective_from} and {b.effective_from} overlap",
            )
            for a, b in overlapping_pairs(vs)
        ]
    return out


def _unknown_type(where: str, t: str) -> str:
    return _(f"{where}：未知的对象类型 {t!r}", f"{where}: unknown object type {t!r}")


def _prefix(where: str, domain: str) -> str:
    return _(f"{where}：编码必须以 {domain!r}. 开头", f"{where}: code must start with {domain!r}.")


def _units_agree(limit_unit: str, parameter_unit: str) -> bool:
    """The same unit, or one converting to it (years and months), or a unit the parameter
    vocabulary does not name (km, seats, µg/m³) counted by a ``count`` parameter."""
    if limit_unit == parameter_unit:
        return True
    base = UNIT_BASE.get(limit_unit, (limit_unit, 1.0))[0]
    if base == UNIT_BASE.get(parameter_unit, (parameter_unit, 1.0))[0]:
        return True
    return parameter_unit == "count" and limit_unit not in UNITS


def limit_unit_problems(
    where: str, unit: str, parameter: str | None, parameters: Sequence[Parameter]
) -> list[str]:
    """An element's limit in one unit against a parameter counted in another (a limit in days
    read from a parameter of units): every parameter the name matches must agree."""
    if parameter is None:
        return []
    pattern = matcher(parameter) if "{" in parameter else None
    return [
        _(
            f"{where}：限值单位 {unit!r} 与参数 {p.name} 的单位 {p.unit!r} 不一致",
            f"{where}: limit unit {unit!r} does not match the unit {p.unit!r} of parameter "
            f"{p.name}",
        )
        for p in parameters
        if (p.name == parameter if pattern is None else pattern.fullmatch(p.name))
        and not _units_agree(unit, p.unit)
    ]


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
                out.append(f"{where}: {unknown_department(c)}")

    def params(where: str, *names: str | None) -> None:
        for n in names:
            if n is not None and not parameter_exists(n, rules.parameters):
                out.append(
                    _(
                        f"{where}：参数 {n!r} 未在本领域的参数中声明",
                        f"{where}: parameter {n!r} is not declared in the domain's parameters",
                    )
                )

    depts(
        _where("domain", d),
        [rules.description.lead_department, *rules.description.responsible_departments],
    )
    if rules.description.synth_licence is not None:
        depts(f"{_where('domain', d)} synth_licence", [rules.description.synth_licence.department])
    out += [
        _unknown_type(f"{_where('domain', d)} synth_overlap_types.{other}", t)
        for other, t in rules.description.synth_overlap_types.items()
        if t not in object_types
    ]

    # items
    by_code = defaultdict(list)
    for item in rules.items:
        by_code[item.code].append(item)
        where = _where("item", item.code)
        if not item.code.startswith(f"{d}."):
            out.append(_prefix(where, d))
        depts(where, item.departments)
        out += [_unknown_type(where, t) for t in item.object_types if t not in object_types]
        out += national_problems(item.national_codes, where)
    out += _overlapping("item", by_code)
    item_codes = set(by_code)

    # elements
    by_code = defaultdict(list)
    canon = catalogue()
    for el in rules.elements:
        by_code[el.code].append(el)
        where = _where("element", el.code)
        if not el.code.startswith(f"{d}."):
            out.append(_prefix(where, d))
        if el.canonical != el.code and el.canonical not in canon:
            out.append(
                _(
                    f"{where}：canonical {el.canonical!r} 既不在核心检查点目录中，也不是要素自身的编码",
                    f"{where}: canonical {el.canonical!r} is neither in core's catalogue nor the "
                    "element's own code",
                )
            )
        out += [
            _(f"{where}：引用了未知的事项 {c!r}", f"{where}: requires unknown item {c!r}")
            for c in el.items
            if c not in item_codes
        ]
        depts(where, el.departments)
        out += national_problems(el.national_codes, where)
        if el.limit is not None:
            params(where, el.limit.parameter)
            out += limit_unit_problems(where, el.limit.unit, el.limit.parameter, rules.parameters)
            if el.limit.value is None and el.limit.parameter is None:
                out.append(
                    _(
                        f"{where}：限值需要一个数值或一个参数",
                        f"{where}: limit needs a value or a parameter",
                    )
                )
    out += _overlapping("element", by_code)

    # parameters
    seen = set()
    for p in rules.parameters:
        where = _where("parameter", p.name)
        if p.name in seen:
            out.append(_(f"{where}：声明了两次", f"{where}: declared twice"))
        seen.add(p.name)
        out += _overlapping("parameter", {p.name: list(p.values)})
        for v in p.values:
            if p.name.split(".")[0] == "sampling_ratio" and v.value == 0:
                out.append(
                    _(
                        f"{where}：自 {v.effective_from} 起抽查比例为 0，将使对象免于一切检查",
                        f"{where}: a sampling ratio of 0 from {v.effective_from} would exempt "
                        "objects from all checks",
                    )
                )
            if not value_fits_unit(p.unit, v.value):
                out.append(
                    _(
                        f"{where}：自 {v.effective_from} 起的值 {v.value!r} 与单位 {p.unit!r} 不符",
                        f"{where}: value {v.value!r} from {v.effective_from} does not fit unit "
                        f"{p.unit!r}",
                    )
                )

    # risk rules
    by_code = defaultdict(list)
    for r in rules.risk_rules:
        by_code[r.id].append(r)
        where = _where("risk rule", r.id)
        if not r.id.startswith(f"{d}."):
            out.append(_prefix(where, d))
        params(where, r.parameter, r.window)
        if r.over is not None:
            params(f"{where} over", r.over.parameter)
        out += [_unknown_type(where, t) for t in r.object_types if t not in object_types]
    out += _overlapping("risk rule", by_code)

    for m in rules.merge_constraints:
        out += [
            _(
                f"{_where('merge constraint', m.id)}：未知的事项 {c!r}",
                f"{_where('merge constraint', m.id)}: unknown item {c!r}",
            )
            for c in m.items
            if c not in item_codes
        ]

    if rules.loop is not None:
        states = set(core_states()) | {s.code for s in rules.loop.states}
        for s in rules.loop.states:
            if s.code in core_states():
                out.append(
                    _(
                        f"{_where('loop state', s.code)}：重新定义了核心状态",
                        f"{_where('loop state', s.code)}: redefines a core state",
                    )
                )
        for t in rules.loop.transitions:
            where = _where("loop transition", t.code)
            out += [
                _(f"{where}：未知的状态 {x!r}", f"{where}: unknown state {x!r}")
                for x in (t.source, t.target)
                if x not in states
            ]
            depts(where, t.departments, allow_lead=True)
            params(where, t.time_limit)

    for s in rules.sanctions:
        depts(_where("sanction", s.code), s.departments)
        params(_where("sanction", s.code), s.duration)
    for pub in rules.publication_rules:
        params(_where("publication rule", pub.code), pub.within, pub.period)
    return out
