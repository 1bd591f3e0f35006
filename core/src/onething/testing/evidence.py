"""Hypothesis strategies for an element's evidence: valid against its evidence schema, with
every judged place (:func:`onething.checklist.evidence.judged`) on the passing side, or one of
them on the failing side. The contract suite uses them to show that each element's marks do
what the law says: evidence on the wrong side of a limit yields a finding.

Covers the JSON Schema the plugins use: object (properties, required, additionalProperties),
array (items), boolean, integer, number (minimum, maximum), string (minLength, format date and
date-time), enum. Anything else is an ``AssertionError`` naming the schema.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from hypothesis import strategies as st

from ..checklist.evidence import AGE_UNITS, add_age, age_passes, is_expiry
from ..checklist.limits import ResolvedLimit

#: the judged place the evidence must fail at, or None for evidence that passes everywhere
Target = str | None


def _measured(sch: dict[str, Any], where: str) -> bool:
    return (
        bool(sch.get("x-limit"))
        or where == "value"
        or (where == "" and sch.get("type") in ("number", "integer"))
    )


def _resolved(limit: ResolvedLimit | None) -> bool:
    return limit is not None and limit.value is not None


def testable(places: list[str], schema: dict[str, Any], limit: ResolvedLimit | None) -> list[str]:
    """The judged places that can be exercised on the day: those needing the limit only when
    its value resolved (a parameter templated on the object's tier does not)."""
    out = []
    for place in places:
        sch, where = _at(schema, place)
        needs_limit = (_measured(sch, where) or sch.get("x-age") or sch.get("x-ratio-of")) and not (
            "x-pass" in sch or sch.get("x-fail") or is_expiry(sch, place.split(".")[-1])
        )
        if needs_limit and not _resolved(limit):
            continue
        out.append(place)
    return out


def _at(schema: dict[str, Any], place: str) -> tuple[dict[str, Any], str]:
    sch = schema
    for part in [p for p in place.split(".") if p] if place else []:
        name = part.removesuffix("[]")
        sch = sch["properties"][name]
        if part.endswith("[]"):
            sch = sch["items"]
    return sch, place


def _int_range(lo: float | None, hi: float | None) -> st.SearchStrategy[int]:
    lo_i = None if lo is None else math.ceil(lo)
    hi_i = None if hi is None else math.floor(hi)
    assert lo_i is None or hi_i is None or lo_i <= hi_i, f"no integer in [{lo}, {hi}]"
    return st.integers(min_value=lo_i, max_value=hi_i if hi_i is not None else (lo_i or 0) + 10**6)


def _numbers(sch: dict[str, Any], lo: float | None = None, hi: float | None = None):
    """Numbers of the schema's type within [lo, hi] and its minimum."""
    minimum = sch.get("minimum")
    if minimum is not None:
        lo = minimum if lo is None else max(lo, minimum)
    maximum = sch.get("maximum")
    if maximum is not None:
        hi = maximum if hi is None else min(hi, maximum)
    if sch.get("type") == "integer":
        return _int_range(lo, hi)
    top = hi if hi is not None else (lo or 0) + 10**6
    assert lo is None or lo <= top, f"no number in [{lo}, {hi}]"
    return st.floats(min_value=lo, max_value=top, allow_nan=False, allow_infinity=False)


def _against(sch: dict[str, Any], limit: ResolvedLimit, passing: bool):
    """Numbers meeting (or breaking) the limit; integers step by one across the bound."""
    v, c = limit.value, limit.comparator
    assert v is not None
    step = 1 if sch.get("type") == "integer" else 1e-6 * max(1.0, abs(v))
    ranges = {
        ("<", True): (None, v - step),
        ("<=", True): (None, v),
        (">", True): (v + step, None),
        (">=", True): (v, None),
        ("<", False): (v, None),
        ("<=", False): (v + step, None),
        (">", False): (None, v),
        (">=", False): (None, v - step),
    }
    if c in ("==", "!=") and (c == "==") == passing:
        return st.just(int(v) if sch.get("type") == "integer" else v)
    if c in ("==", "!="):
        sides = []
        for lo, hi in ((None, v - step), (v + step, None)):
            try:
                sides.append(_numbers(sch, lo, hi))
            except AssertionError:  # below the schema's minimum
                continue
        assert sides, f"no value of {sch!r} differs from {v}"
        return st.one_of(sides).filter(lambda x: x != v)
    lo, hi = ranges[(c, passing)]
    return _numbers(sch, lo, hi).filter(lambda x: limit.passes(float(x)) is passing)


def _dates(lo: dt.date, hi: dt.date) -> st.SearchStrategy[str]:
    return st.dates(min_value=lo, max_value=hi).map(dt.date.isoformat)


def _aged(limit: ResolvedLimit, on: dt.date, passing: bool) -> st.SearchStrategy[str]:
    assert limit.value is not None and limit.unit in AGE_UNITS
    back = add_age(on, -limit.value, limit.unit)
    span = max((on - back).days, 1)
    lo, hi = back - dt.timedelta(days=2 * span + 31), on + dt.timedelta(days=span)
    return (
        st.dates(min_value=lo, max_value=hi)
        .filter(lambda d: age_passes(d, on, limit) is passing)
        .map(dt.date.isoformat)
    )


def _free(sch: dict[str, Any], on: dt.date) -> st.SearchStrategy[Any]:
    """Any value valid against an unmarked schema."""
    if "enum" in sch:
        return st.sampled_from(sch["enum"])
    kind = sch.get("type")
    if kind == "boolean":
        return st.booleans()
    if kind in ("integer", "number"):
        return _numbers(sch, None, 10**6)
    if kind == "string":
        if sch.get("format") == "date":
            return _dates(on - dt.timedelta(days=3650), on + dt.timedelta(days=3650))
        if sch.get("format") == "date-time":
            return st.datetimes(
                min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2040, 1, 1)
            ).map(lambda t: t.replace(microsecond=0).isoformat() + "+08:00")
        return st.text(alphabet="检查abc123", min_size=sch.get("minLength", 0), max_size=6)
    if kind == "array":
        return st.lists(_free(sch.get("items", {}), on), max_size=3)
    if kind == "object":
        extra = sch.get("additionalProperties")
        if isinstance(extra, dict) and not sch.get("properties"):
            return st.dictionaries(st.sampled_from(["a", "b", "c"]), _free(extra, on), max_size=3)
        if "properties" in sch:
            return _build(sch, None, on, None)
    raise AssertionError(f"evidence strategy: unsupported schema {sch!r}")


def evidence(
    schema: dict[str, Any], limit: ResolvedLimit | None, on: dt.date, fail_at: Target = None
) -> st.SearchStrategy[Any]:
    """Evidence valid against ``schema`` that passes on ``on``, or fails at place ``fail_at``
    (a place of :func:`judged`; the others pass)."""

    return _build(schema, limit, on, fail_at)


@st.composite
def _build(draw, schema, limit, on, fail_at) -> Any:
    return _value(draw, schema, "", None, {}, {}, limit, on, fail_at)


def _value(draw, sch, where, name, siblings, parent, limit, on, fail_at) -> Any:
    failing = fail_at == where
    passing = True if fail_at is None or not failing else False
    if sch.get("type") == "object" and "properties" in sch:
        return _object(draw, sch, where, limit, on, fail_at)
    if sch.get("type") == "array" and "x-pass" not in sch:
        inner = f"{where}[]"
        if fail_at is not None and fail_at.startswith(inner):
            n = draw(st.integers(0, 2))
            good = [
                _value(draw, sch["items"], inner, name, {}, {}, limit, on, None) for _ in range(n)
            ]
            bad = _value(draw, sch["items"], inner, name, {}, {}, limit, on, fail_at)
            at = draw(st.integers(0, n))
            return [*good[:at], bad, *good[at:]]
        return [
            _value(draw, sch["items"], inner, name, {}, {}, limit, on, None)
            for _ in range(draw(st.integers(0, 2)))
        ]
    # a leaf, or an array judged as a whole: the marks decide
    if where == "" and sch.get("type") == "boolean" and "x-pass" not in sch:
        return passing  # the default evidence: a plain yes or no
    if "x-pass" in sch:
        want = sch["x-pass"]
        if passing:
            return want
        return draw(_free(sch, on).filter(lambda x: x != want and _not_in(x, sch)))
    if sch.get("x-fail"):
        bad = sch["x-fail"]
        if not passing:
            return draw(st.sampled_from(bad))
        return draw(_free(sch, on).filter(lambda x: x not in bad))
    if sch.get("x-at-least") and sch["x-at-least"] in parent:
        base = parent[sch["x-at-least"]]
        return draw(_numbers(sch, base, None) if passing else _numbers(sch, None, base - 1))
    if sch.get("x-ratio-of") and _resolved(limit) and sch["x-ratio-of"] in parent:
        base = parent[sch["x-ratio-of"]]
        assert limit is not None
        if sch.get("type") == "integer":  # a count of a count (members with experience)
            top = math.ceil(abs(base) * (abs(limit.value) + 1)) * 2 + 10
            return draw(
                _int_range(sch.get("minimum"), top).filter(
                    lambda x: limit.passes(x / base) is passing
                )
            )
        ratio = _against({"type": "number", "minimum": 0}, limit, passing)
        return draw(
            ratio.map(lambda r: base * r).filter(
                lambda x: x >= sch.get("minimum", -math.inf) and limit.passes(x / base) is passing
            )
        )
    if sch.get("x-age") and _resolved(limit) and limit is not None and limit.unit in AGE_UNITS:
        return draw(_aged(limit, on, passing))
    if _measured(sch, where) and _resolved(limit) and limit is not None:
        return draw(_against(sch, limit, passing))
    if is_expiry(sch, name) and sch.get("type") == "string":
        if passing:
            return draw(_dates(on, on + dt.timedelta(days=3650)))
        return draw(_dates(on - dt.timedelta(days=3650), on - dt.timedelta(days=1)))
    assert passing, f"place {fail_at!r} has no mark the strategy can break"
    return draw(_free(sch, on))


def _not_in(x: Any, sch: dict[str, Any]) -> bool:
    return x not in sch.get("x-fail", ())


def _object(draw, sch, where, limit, on, fail_at) -> dict[str, Any]:
    props: dict[str, Any] = sch["properties"]
    required = set(sch.get("required", ()))
    path = {k: f"{where}.{k}" if where else k for k in props}

    def on_path(k: str) -> bool:
        return fail_at is not None and (
            fail_at == path[k]
            or fail_at.startswith(path[k] + ".")
            or fail_at.startswith(path[k] + "[]")
        )

    needed = {k for k in props if on_path(k)}
    for k in list(needed):  # a failing comparison needs its sibling
        for mark in ("x-at-least", "x-ratio-of"):
            if props[k].get(mark):
                needed.add(props[k][mark])
    # siblings that others are compared with first, positive where a comparison must fail
    bases = {p.get(m) for p in props.values() for m in ("x-at-least", "x-ratio-of")} - {None}
    out: dict[str, Any] = {}
    order = sorted(props, key=lambda k: k not in bases)
    for k in order:
        if k not in required and k not in needed and not draw(st.booleans()):
            continue
        sub = props[k]
        target = fail_at if on_path(k) else None
        if k in bases and not on_path(k):
            dependents = [
                d
                for d in props
                if on_path(d) and k in (props[d].get("x-at-least"), props[d].get("x-ratio-of"))
            ]
            if dependents or sub.get("type") in ("integer", "number"):
                lo = (
                    1 if dependents or any(props[d].get("x-ratio-of") == k for d in props) else None
                )
                out[k] = draw(_numbers(sub, lo, 10**6)) if "x-pass" not in sub else sub["x-pass"]
                continue
        out[k] = _value(draw, sub, path[k], k, props, out, limit, on, target)
    return out
