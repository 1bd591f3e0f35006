"""Evidence (检查证据): what the inspector records for an element, validated against the
element's ``evidence_schema``, and when it counts as a failure.

When evidence fails is data, read from the evidence schema (documented in
``docs/checklist.md``):

* a top-level boolean fails when ``false`` (the default schema is ``{"type": "boolean"}``);
* any value whose schema has ``"x-pass": V`` fails unless it equals ``V`` (``"x-pass": false``
  for flags where ``true`` is the violation, e.g. ``sick_staff_handling_food``);
* a number is compared with the element's ``limit`` (resolved on the day) when it is the whole
  evidence, the top-level property ``value``, or any value whose schema has ``"x-limit": true``;
* a date fails when it is before the visit day (an expired document) if its schema has
  ``"x-expiry": true`` or its property is named ``valid_to``, ``expires_on``, ``expiry_date``
  or ends in ``_valid_to``;
* a number whose schema has ``"x-at-least": "<sibling>"`` fails when smaller than that sibling
  (``with_current_certificate`` at least ``food_handlers``);
* any value whose schema has ``"x-fail": [V, ...]`` fails when it is one of them (a house
  appraised grade ``C`` or ``D``);
* a date whose schema has ``"x-age": true`` fails when its age on the visit day, in the limit's
  unit (``day``, ``month``, ``year``), does not meet the limit (the last full test of the fire
  facilities at most a year ago);
* a number whose schema has ``"x-ratio-of": "<sibling>"`` fails when it divided by the sibling
  does not meet the limit (custody balance / prepaid balance ``>= 1``); a zero sibling is judged
  only when the number is positive (an infinite ratio);
* the inspector's ``"result": "fail"`` fails the element whatever the evidence says.

Object booleans without ``x-pass`` are recorded, not judged: their meaning differs by element.
:func:`judged` lists, without evidence, the places of a schema that can fail: an element with
none can never fail (a silent defect) unless its schema says ``"x-advisory": "<why>"`` (the law
encourages, a shortfall is no violation).
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

import jsonschema
from jsonschema.exceptions import best_match

from ..errors import InvalidInput, PluginError
from ..i18n import _
from ..schemas import every_error, key_path
from .limits import ResolvedLimit, limit_text, number

EXPIRY_NAMES = ("valid_to", "expires_on", "expiry_date")
#: units an ``x-age`` date can be measured in
AGE_UNITS = ("day", "month", "year")
#: marks that need the element's limit to mean anything
LIMIT_MARKS = ("x-limit", "x-age", "x-ratio-of")


def _key(schema: dict[str, Any]) -> str:
    import json

    return json.dumps(schema, sort_keys=True, ensure_ascii=False)


@cache
def _validator(key: str) -> jsonschema.Draft202012Validator:
    import json

    schema = json.loads(key)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def validate(code: str, schema: dict[str, Any], evidence: Any, *, location: str, path: str) -> None:
    """Check ``evidence`` against element ``code``'s evidence schema.

    :raises InvalidInput: naming the element code, the key path and the schema's message.
    :raises PluginError: when the element's schema is itself not a valid JSON Schema.
    """
    try:
        validator = _validator(_key(schema))
    except jsonschema.SchemaError as exc:
        raise PluginError(
            f"element {code}: evidence_schema is not a JSON Schema: {exc.message}"
        ) from exc
    errors = sorted(validator.iter_errors(evidence), key=lambda e: [str(p) for p in e.path])
    if errors:
        from ..schemas.messages import message

        leaves = [best_match([e]) if e.context else e for e in errors]
        first = leaves[0]
        more = every_error(leaves, lambda e: (key_path(e.absolute_path, path), message(e)))
        raise InvalidInput(
            location,
            key_path(first.absolute_path, path),
            _(
                f"要素 {code} 的证据不符合其证据格式（evidence_schema）：",
                f"evidence for element {code} does not match its evidence_schema: ",
            )
            + message(first)
            + more,
        )


def _number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def check_unit(
    code: str, evidence: Any, limit: ResolvedLimit | None, *, location: str, path: str
) -> None:
    """A measured value recorded with a ``unit`` must use the unit of the element's limit."""
    if limit is None or not isinstance(evidence, dict) or "unit" not in evidence:
        return
    if evidence["unit"] != limit.unit:
        raise InvalidInput(
            location,
            f"{path}.unit",
            _(
                f"要素 {code} 的证据单位为 {evidence['unit']!r}，其限值单位为 {limit.unit!r}",
                f"evidence for element {code} is in {evidence['unit']!r}, its limit is in "
                f"{limit.unit!r}",
            ),
        )


def failures(
    schema: dict[str, Any], evidence: Any, limit: ResolvedLimit | None, on: dt.date
) -> list[str]:
    """Why ``evidence`` (already valid against ``schema``) fails; empty when it passes."""
    out: list[str] = []

    def measured(v: Any, where: str) -> None:
        if limit is None or not _number(v):
            return
        ok = limit.passes(float(v))
        if ok is False:
            out.append(
                _(
                    f"{where or '取值'} = {number(v)}，限值 {limit_text(limit)}",
                    f"{where or 'value'} = {number(v)}, limit {limit_text(limit)}",
                )
            )

    def aged(v: Any, where: str) -> None:
        day = _day(v)
        if limit is None or limit.value is None or day is None or limit.unit not in AGE_UNITS:
            return
        if age_passes(day, on, limit) is False:
            out.append(
                _(
                    f"{where} = {v}，至 {on} 超过时限 {limit_text(limit)}",
                    f"{where} = {v} on {on}: age limit {limit_text(limit)}",
                )
            )

    def ratio(v: Any, where: str, other: str, parent: Any) -> None:
        if limit is None or not _number(v) or not isinstance(parent, dict):
            return
        base = parent.get(other)
        if not _number(base) or (base == 0 and v <= 0):
            return
        r = float("inf") if base == 0 else v / base
        if limit.passes(r) is False:
            shown = "∞" if base == 0 else f"{r:.4g}"
            out.append(
                _(
                    f"{where} / {other} = {shown}，限值 {limit_text(limit)}",
                    f"{where} / {other} = {shown}, limit {limit_text(limit)}",
                )
            )

    def walk(sch: Any, v: Any, where: str, name: str | None, parent: Any) -> None:
        if not isinstance(sch, dict):
            return
        if "x-pass" in sch:
            if v != sch["x-pass"]:
                out.append(
                    _(
                        f"{where or '取值'} = {v!r}，应为 {sch['x-pass']!r}",
                        f"{where or 'value'} = {v!r}, expected {sch['x-pass']!r}",
                    )
                )
        elif where == "" and isinstance(v, bool) and v is False:
            out.append(_("取值 = 否", "value = false"))
        if v in sch.get("x-fail", ()):
            out.append(
                _(
                    f"{where or '取值'} = {v!r}，属于不合格值 {sch['x-fail']!r}",
                    f"{where or 'value'} = {v!r}, one of {sch['x-fail']!r}",
                )
            )
        if sch.get("x-age"):
            aged(v, where)
        if isinstance(sch.get("x-ratio-of"), str):
            ratio(v, where, sch["x-ratio-of"], parent)
        if sch.get("x-limit") or (where == "" and _number(v)) or where == "value":
            measured(v, where)
        if is_expiry(sch, name) and isinstance(v, str):
            day = _day(v)
            if day is not None and day < on:
                out.append(
                    _(f"{where} = {v}，已于 {on} 前到期", f"{where} = {v} expired before {on}")
                )
        other = sch.get("x-at-least")
        if other and isinstance(parent, dict) and _number(v) and _number(parent.get(other)):
            if v < parent[other]:
                out.append(
                    _(
                        f"{where} = {v}，少于 {other} = {parent[other]}",
                        f"{where} = {v} is less than {other} = {parent[other]}",
                    )
                )
        if isinstance(v, dict):
            props = sch.get("properties", {})
            for k, sub in v.items():
                if k in props:
                    walk(props[k], sub, f"{where}.{k}" if where else k, k, v)
        elif isinstance(v, list) and isinstance(sch.get("items"), dict):
            for i, sub in enumerate(v):
                walk(sch["items"], sub, f"{where}[{i}]", name, v)

    walk(schema, evidence, "", None, None)
    return out


def _day(v: Any) -> dt.date | None:
    if not isinstance(v, str):
        return None
    try:
        return dt.date.fromisoformat(v[:10])
    except ValueError:
        return None


def add_age(day: dt.date, value: float, unit: str) -> dt.date:
    """``day`` plus ``value`` units (calendar months and years; the 31st ends a shorter month)."""
    if unit == "day":
        return day + dt.timedelta(days=value)
    months = round(value * (12 if unit == "year" else 1))
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def age_passes(day: dt.date, on: dt.date, limit: ResolvedLimit) -> bool:
    """Whether the age of ``day`` on ``on`` meets the limit: age OP N holds exactly when
    ``on`` OP ``day + N`` (the age grows with ``on``), so no fractional years are needed."""
    assert limit.value is not None
    edge = add_age(day, limit.value, limit.unit)
    return {
        "<": on < edge,
        "<=": on <= edge,
        ">": on > edge,
        ">=": on >= edge,
        "==": on == edge,
        "!=": on != edge,
    }[limit.comparator]


def is_expiry(sch: dict[str, Any], name: str | None) -> bool:
    return bool(sch.get("x-expiry")) or (
        name is not None and (name in EXPIRY_NAMES or name.endswith("_valid_to"))
    )


def judged(schema: dict[str, Any], limit: Any) -> tuple[list[str], list[str]]:
    """The places of an evidence schema that can fail, and marks that point nowhere.

    ``limit`` is the element's :class:`onething.model.Limit` (or ``None``). A place is a key
    path (``units[].inspection_valid_to``; ``""`` the whole evidence). A problem is a mark that
    can never act: ``x-at-least``/``x-ratio-of`` naming no sibling, ``x-limit``/``x-age``/
    ``x-ratio-of`` on an element without a limit, ``x-age`` with a limit in a unit that is not
    a time.
    """
    places: list[str] = []
    problems: list[str] = []

    def walk(sch: Any, where: str, name: str | None, siblings: dict[str, Any]) -> None:
        if not isinstance(sch, dict):
            return
        at = where or "(evidence)"
        if "x-pass" in sch or sch.get("x-fail"):
            places.append(where)
        elif where == "" and sch.get("type") == "boolean":
            places.append(where)
        for mark in LIMIT_MARKS:
            if sch.get(mark) and limit is None:
                problems.append(f"{at}: {mark} but the element has no limit")
        if limit is not None:
            if (
                sch.get("x-limit")
                or where == "value"
                or (where == "" and sch.get("type") in ("number", "integer"))
            ):
                places.append(where)
            if sch.get("x-age"):
                if limit.unit in AGE_UNITS:
                    places.append(where)
                else:
                    problems.append(f"{at}: x-age but the limit is in {limit.unit!r}")
        for mark in ("x-at-least", "x-ratio-of"):
            other = sch.get(mark)
            if other is None:
                continue
            if other not in siblings:
                problems.append(f"{at}: {mark} names {other!r}, not a sibling property")
            elif mark == "x-at-least" or limit is not None:
                places.append(where)
        if is_expiry(sch, name) and sch.get("type") == "string":
            places.append(where)
        props = sch.get("properties", {})
        for k, sub in props.items():
            walk(sub, f"{where}.{k}" if where else k, k, props)
        if isinstance(sch.get("items"), dict):
            walk(sch["items"], f"{where}[]", name, {})

    walk(schema, "", None, {})
    return sorted(set(places)), problems


def never_fails(elements: Any) -> list[str]:
    """One line per element whose evidence can never fail, or with a mark that points nowhere
    (``validate`` warns, the contract suite fails)."""
    out = []
    for el in elements:
        places, problems = judged(el.evidence_schema, el.limit)
        out += [f"{el.code}: {p}" for p in problems]
        if not places and not el.evidence_schema.get("x-advisory"):
            out.append(
                f"{el.code}: no evidence can fail (mark the violation: x-pass, x-fail, x-limit, x-age, "
                "x-ratio-of, x-at-least or an expiry date; x-advisory if none)"
            )
    return out
