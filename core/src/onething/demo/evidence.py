"""Evidence that passes an element's check, built from its evidence schema and limit: what a
compliant business shows the inspector. Checked against the element's own judgement
(:func:`onething.checklist.evidence.failures`); an element whose evidence this cannot build is
recorded ``not_applicable`` and counted (the demo says how many)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import jsonschema

from ..checklist.evidence import failures, is_expiry
from ..checklist.limits import ResolvedLimit

_NUMERIC = ("number", "integer")


def _passing_number(sch: dict[str, Any], limit: ResolvedLimit | None, measured: bool) -> float:
    lo, hi = sch.get("minimum"), sch.get("maximum")
    v: float = lo if lo is not None else 1
    if measured and limit is not None and limit.value is not None:
        L = limit.value
        v = {
            "<": L - max(1, abs(L) * 0.2),
            "<=": L * 0.8 if L > 0 else L,
            ">": L + max(1, abs(L) * 0.2),
            ">=": L * 1.2 + 1 if L >= 0 else L,
            "==": L,
            "!=": L + 1,
        }[limit.comparator]
    if lo is not None:
        v = max(v, lo)
    if hi is not None:
        v = min(v, hi)
    return round(v) if sch.get("type") == "integer" else round(v, 3)


def _passing_date(sch, name, limit, on: dt.date) -> str:
    if is_expiry(sch, name):
        day = on + dt.timedelta(days=365)
    elif sch.get("x-age") and limit is not None and limit.value is not None:
        # An age below an upper limit: recent; above a lower one: long ago.
        recent = limit.comparator in ("<", "<=")
        day = on - dt.timedelta(days=7 if recent else 365 * 30)
    else:
        day = on - dt.timedelta(days=30)
    if sch.get("format") == "date-time":
        return f"{day.isoformat()}T09:00:00+08:00"
    return day.isoformat()


def _value(sch: dict[str, Any], name: str | None, where: str, limit, on: dt.date) -> Any:
    if "x-pass" in sch:
        return sch["x-pass"]
    if "const" in sch:
        return sch["const"]
    fail = sch.get("x-fail") or ()
    if "enum" in sch:
        return next((v for v in sch["enum"] if v not in fail), sch["enum"][0])
    kind = sch.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object":
        props = sch.get("properties", {})
        out = {
            k: _value(sub, k, f"{where}.{k}" if where else k, limit, on) for k, sub in props.items()
        }
        for k, sub in props.items():  # marks that compare siblings
            other = sub.get("x-at-least")
            if other in out and isinstance(out[k], int | float):
                out[k] = max(out[k], out[other])
            other = sub.get("x-ratio-of")
            if other in out and limit is not None and limit.value is not None:
                out[other] = 100
                share = _passing_number({"type": "number"}, limit, True)
                out[k] = round(share * 100) if sub.get("type") == "integer" else share * 100
        return out
    if kind == "array":
        n = max(1, sch.get("minItems", 1))
        return [_value(sch.get("items", {}), name, f"{where}[]", limit, on) for _ in range(n)]
    if kind == "boolean":
        return False if True in fail else True
    if kind in _NUMERIC:
        measured = bool(sch.get("x-limit")) or where in ("", "value")
        v = _passing_number(sch, limit, measured)
        while v in fail:
            v += 1
        return v
    if kind == "string":
        if sch.get("format") in ("date", "date-time") or is_expiry(sch, name) or sch.get("x-age"):
            return _passing_date(sch, name, limit, on)
        return "符合要求".ljust(sch.get("minLength", 0), "。")
    return None


def passing_evidence(
    schema: dict[str, Any],
    limit: ResolvedLimit | None,
    on: dt.date,
    validator: jsonschema.protocols.Validator | None = None,
) -> tuple[bool, Any]:
    """``(True, evidence)`` that is valid and passes on ``on``, or ``(False, None)``.
    ``validator``: the schema's, built once by the caller (building one is the slow part)."""
    validator = validator or jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.FormatChecker()
    )
    try:
        ev = _value(schema, None, "", limit, on)
    except (KeyError, TypeError, ValueError):
        return False, None
    if not validator.is_valid(ev):
        return False, None
    if failures(schema, ev, limit, on):
        return False, None
    return True, ev
