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
* the inspector's ``"result": "fail"`` fails the element whatever the evidence says.

Object booleans without ``x-pass`` are recorded, not judged: their meaning differs by element.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

import jsonschema
from jsonschema.exceptions import best_match

from ..errors import InvalidInput, PluginError
from ..schemas import key_path
from .limits import ResolvedLimit, number

EXPIRY_NAMES = ("valid_to", "expires_on", "expiry_date")


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
        first = best_match([errors[0]]) if errors[0].context else errors[0]
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise InvalidInput(
            location,
            key_path(first.absolute_path, path),
            f"evidence for element {code} does not match its evidence_schema: "
            f"{first.message}{more}",
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
            f"evidence for element {code} is in {evidence['unit']!r}, its limit is in "
            f"{limit.unit!r}",
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
            out.append(f"{where or 'value'} = {number(v)}, limit {limit.text()}")

    def walk(sch: Any, v: Any, where: str, name: str | None, parent: Any) -> None:
        if not isinstance(sch, dict):
            return
        if "x-pass" in sch:
            if v != sch["x-pass"]:
                out.append(f"{where or 'value'} = {v!r}, expected {sch['x-pass']!r}")
        elif where == "" and isinstance(v, bool) and v is False:
            out.append("value = false")
        if sch.get("x-limit") or (where == "" and _number(v)) or where == "value":
            measured(v, where)
        expiry = sch.get("x-expiry") or (
            name is not None and (name in EXPIRY_NAMES or name.endswith("_valid_to"))
        )
        if expiry and isinstance(v, str):
            try:
                day = dt.date.fromisoformat(v[:10])
            except ValueError:
                day = None
            if day is not None and day < on:
                out.append(f"{where} = {v} expired before {on}")
        other = sch.get("x-at-least")
        if other and isinstance(parent, dict) and _number(v) and _number(parent.get(other)):
            if v < parent[other]:
                out.append(f"{where} = {v} is less than {other} = {parent[other]}")
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
