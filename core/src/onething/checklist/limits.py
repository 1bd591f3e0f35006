"""Limits resolved on a day: the value behind an element's ``limit``, and how two limits of one
canonical check point compare (same requirement, one stricter, or incompatible)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from attrs import field, frozen

from ..errors import InvalidInput, NotInForce
from ..i18n import language
from ..model import Basis, Element, converter
from ..model.parameter import UNIT_BASE, UNITS
from ..rulebook import Rulebook

#: comparator -> family: an upper bound, a lower bound, an exact value, an excluded value
FAMILIES = {"<": "upper", "<=": "upper", ">": "lower", ">=": "lower", "==": "exact", "!=": "not"}
#: frequencies from the most to the least frequent (a more frequent check is stricter)
FREQUENCIES = ("daily", "weekly", "monthly", "quarterly", "half_yearly", "yearly")
FREQUENCIES_ZH = {
    "daily": "每日",
    "weekly": "每周",
    "monthly": "每月",
    "quarterly": "每季度",
    "half_yearly": "每半年",
    "yearly": "每年",
}
#: The glossary's severities, from the mildest.
SEVERITY_ORDER = ("general", "serious", "severe", "major_hazard")


@frozen
class ResolvedLimit:
    """An element's limit with its value on a day (``value`` is ``None`` when it cannot be
    resolved without the object, e.g. a parameter name templated on the object's tier)."""

    element: str
    domain: str
    comparator: str
    unit: str
    value: float | None
    parameter: str | None = None
    frequency: str | None = None
    basis: tuple[Basis, ...] = field(default=(), converter=tuple)
    note: str | None = None

    def text(self) -> str:
        """``<= 20 square_metre (yearly)``: the requirement in one line, in codes (the English
        text; :func:`limit_text` says it in the current language)."""
        value = "?" if self.value is None else number(self.value)
        freq = f"（{self.frequency}）" if self.frequency else ""
        return f"{self.comparator} {value} {self.unit}{freq}"

    def as_json(self) -> dict[str, Any]:
        return {
            "element": self.element,
            "domain": self.domain,
            "comparator": self.comparator,
            "value": self.value,
            "unit": self.unit,
            "parameter": self.parameter,
            "frequency": self.frequency,
            "basis": [converter.unstructure(b) for b in self.basis],
            "note": self.note,
        }

    def passes(self, measured: float) -> bool | None:
        """Whether ``measured`` (in the limit's unit) meets the limit; ``None`` if unresolved."""
        if self.value is None:
            return None
        v = self.value
        return {
            "<": measured < v,
            "<=": measured <= v,
            ">": measured > v,
            ">=": measured >= v,
            "==": measured == v,
            "!=": measured != v,
        }[self.comparator]


def limit_text(lim: ResolvedLimit) -> str:
    """``≤ 6 月（每半年）`` in Chinese, ``<= 6 month (half_yearly)`` in English."""
    if language() == "en":
        return lim.text()
    sign = {"<=": "≤", ">=": "≥", "!=": "≠", "==": "="}.get(lim.comparator, lim.comparator)
    value = "？" if lim.value is None else number(lim.value)
    freq = f"（{FREQUENCIES_ZH.get(lim.frequency, lim.frequency)}）" if lim.frequency else ""
    return f"{sign} {value} {UNITS.get(lim.unit, lim.unit)}{freq}"


def number(v: float) -> str:
    """``5,000,000`` and ``0.4``, never ``5e+06``."""
    return f"{int(v):,}" if float(v).is_integer() else f"{v:g}"


def resolve(rulebook: Rulebook, element: Element, on: dt.date) -> ResolvedLimit | None:
    """The element's limit with its value on ``on`` (from the parameter when it names one)."""
    lim = element.limit
    if lim is None:
        return None
    common = dict(
        element=element.code,
        domain=element.domain,
        comparator=lim.comparator,
        unit=lim.unit,
        parameter=lim.parameter,
        frequency=lim.frequency,
    )
    if lim.parameter is None:
        return ResolvedLimit(value=lim.value, basis=element.basis, **common)
    if "{" in lim.parameter:
        return ResolvedLimit(
            value=None, basis=element.basis, note="depends on the object's attributes", **common
        )
    try:
        p = rulebook.parameter(element.domain, lim.parameter, on)
    except NotInForce as exc:
        return ResolvedLimit(value=None, basis=element.basis, note=str(exc), **common)
    except InvalidInput as exc:
        return ResolvedLimit(value=None, basis=element.basis, note=exc.message, **common)
    value = p.value if isinstance(p.value, int | float) and not isinstance(p.value, bool) else None
    return ResolvedLimit(value=value, basis=p.basis, **common)


def _base(limit: ResolvedLimit) -> tuple[str, float | None]:
    base, factor = UNIT_BASE.get(limit.unit, (limit.unit, 1.0))
    return base, None if limit.value is None else limit.value * factor


def differences(a: ResolvedLimit, b: ResolvedLimit) -> list[str]:
    """Why two limits of one canonical check point are incompatible (empty: they agree).

    Reasons: ``unit`` (units that do not convert), ``comparator`` (different kinds of bound),
    ``threshold`` (different values once converted, or a value unknown on the day),
    ``frequency``.
    """
    out = []
    (ua, va), (ub, vb) = _base(a), _base(b)
    if ua != ub:
        out.append("unit")
    if FAMILIES[a.comparator] != FAMILIES[b.comparator]:
        out.append("comparator")
    elif ua == ub:
        same_source = (
            a.domain == b.domain and a.parameter is not None and a.parameter == b.parameter
        )
        unknown = va is None or vb is None
        if a.comparator != b.comparator or (unknown and not same_source) or (va != vb):
            out.append("threshold")
    if a.frequency != b.frequency:
        out.append("frequency")
    return out


def _stricter(a: ResolvedLimit, b: ResolvedLimit) -> ResolvedLimit | None:
    """The stricter of two limits, ``None`` when strictness cannot be decided."""
    if not differences(a, b):
        return a
    (ua, va), (ub, vb) = _base(a), _base(b)
    fam = FAMILIES[a.comparator]
    if ua != ub or fam != FAMILIES[b.comparator] or fam not in ("upper", "lower"):
        return None
    if va is None or vb is None:
        return None
    fa, fb = a.frequency, b.frequency
    if fa != fb:
        if fa not in FREQUENCIES or fb not in FREQUENCIES:
            return None
        freq_winner = a if FREQUENCIES.index(fa) < FREQUENCIES.index(fb) else b
    else:
        freq_winner = None
    if va == vb:
        value_winner = a if a.comparator in ("<", ">") else b
        if a.comparator == b.comparator:
            value_winner = freq_winner or a
    elif fam == "upper":
        value_winner = a if va < vb else b
    else:
        value_winner = a if va > vb else b
    if freq_winner is not None and freq_winner is not value_winner:
        return None  # one is stricter in value, the other in frequency: consult
    return value_winner


def strictest(limits: Sequence[ResolvedLimit]) -> ResolvedLimit | None:
    """The strictest of several limits, ``None`` if there are none or it cannot be decided."""
    best: ResolvedLimit | None = None
    for lim in sorted(limits, key=lambda x: x.element):
        if best is None:
            best = lim
            continue
        best = _stricter(best, lim)
        if best is None:
            return None
    return best


@frozen
class LimitConflict:
    """Two elements of one canonical check point that demand incompatible limits."""

    canonical: str
    a: ResolvedLimit
    b: ResolvedLimit
    reasons: tuple[str, ...] = field(converter=tuple)
    a_basis: tuple[Basis, ...] = field(default=(), converter=tuple)
    """The element's own basis (the limit's value has its own, in ``a.basis``)."""
    b_basis: tuple[Basis, ...] = field(default=(), converter=tuple)

    def as_json(self) -> dict[str, Any]:
        return {
            "canonical": self.canonical,
            "reasons": list(self.reasons),
            "a": {
                **self.a.as_json(),
                "element_basis": [converter.unstructure(b) for b in self.a_basis],
            },
            "b": {
                **self.b.as_json(),
                "element_basis": [converter.unstructure(b) for b in self.b_basis],
            },
        }


def conflicts_among(
    canonical: str, pairs: Sequence[tuple[Element, ResolvedLimit]]
) -> list[LimitConflict]:
    """Every pair of elements (of one canonical code) whose limits are incompatible."""
    out = []
    ordered = sorted(pairs, key=lambda p: p[0].code)
    for i, (ea, la) in enumerate(ordered):
        for eb, lb in ordered[i + 1 :]:
            reasons = differences(la, lb)
            if reasons:
                out.append(LimitConflict(canonical, la, lb, reasons, ea.basis, eb.basis))
    return out
