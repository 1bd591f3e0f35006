"""The JSON Schemas shipped with core, and validation that reports key paths.

Schemas are published files (``onething/schemas/*.json``) so that host platforms and domain
owners can validate their files with any JSON Schema tool.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from ..errors import InvalidInput
from ..i18n import _

if TYPE_CHECKING:  # jsonschema is imported at the first validation, not with onething
    import jsonschema
    from jsonschema.exceptions import ValidationError
    from referencing import Registry


@cache
def load(name: str) -> dict[str, Any]:
    """Load the schema ``onething/schemas/<name>.schema.json``."""
    text = resources.files(__package__).joinpath(f"{name}.schema.json").read_text("utf-8")
    return json.loads(text)


NAMES = ("plugin-data", "registry-kinds", "config", "layer", "scenario", "facts")
#: The output documents: what commands print with ``--format json`` and the HTTP service
#: answers (``docs/openapi.json`` carries them as its components).
OUTPUTS = (
    "problem", "case-summary", "case", "case-page", "inbox-entry", "checklist", "record-view",
    "record-added", "parameter", "audit-verdict", "job", "outbox-event", "event-page", "plan",
    "plan-verdict", "plan-draw",
)  # fmt: skip


@cache
def _registry() -> Registry:
    """Every shipped schema by its ``$id``, so schemas can refer to each other."""
    from referencing import Registry, Resource

    resources_ = [Resource.from_contents(load(n)) for n in (*NAMES, *OUTPUTS)]
    return Registry().with_resources((r.id(), r) for r in resources_)


@cache
def validator(name: str, definition: str | None = None) -> jsonschema.Draft202012Validator:
    """A validator for schema ``name``, or for its ``$defs/<definition>``."""
    import jsonschema

    schema = load(name)
    if definition is not None:
        schema = {"$ref": f"{schema['$id']}#/$defs/{definition}"}
    return jsonschema.Draft202012Validator(
        schema, registry=_registry(), format_checker=jsonschema.FormatChecker()
    )


def jsonable(value: Any) -> Any:
    """TOML and YAML give dates; JSON Schema sees their ISO strings."""
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def key_path(path: Any, prefix: str = "") -> str:
    """Render a jsonschema path deque as ``a.b[3].c``."""
    out = prefix
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def _leaf(error: ValidationError) -> Any:
    from jsonschema.exceptions import best_match

    return (best_match([error]) if error.context else error).absolute_path


def every_error(errors: Sequence[Any], render: Callable[[Any], tuple[str, str]]) -> str:
    """Nothing for one error; for several, every one numbered on its own line as
    ``(key path, message)`` from ``render`` — none left out."""
    if len(errors) < 2:
        return ""
    lines = "".join(
        f"\n  {i}. {path}: {message}" for i, (path, message) in enumerate(map(render, errors), 1)
    )
    return _(f"；共 {len(errors)} 处错误：", f"; {len(errors)} errors in all:") + lines


def describe(error: ValidationError) -> str:
    """A message for one validation error, preferring the most specific sub-error."""
    from jsonschema.exceptions import best_match

    from .messages import expected_keys, message

    error = best_match([error]) if error.context else error
    if error.validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        return _(
            f"{message(error)}；{expected_keys(allowed)}",
            f"{error.message}; {expected_keys(allowed)}",
        )
    if error.validator == "enum":
        listed = ", ".join(map(repr, error.validator_value))
        return _(message(error), f"{error.instance!r} is not one of {listed}")
    return message(error)


#: The integers both databases store (JSON numbers beyond are read back as floats, or refused).
INT64 = range(-(2**63), 2**63)


def unstorable(value: Any, prefix: str = "") -> tuple[str, str] | None:
    """``(key path, reason)`` of the first value the store cannot keep as given: an integer
    beyond 64 bits, or text (a value or a key) with a NUL character, which PostgreSQL refuses
    — refused on SQLite too, so an input behaves the same on both."""
    import orjson

    try:  # the common case in one C call: JSON with no NUL escaped, integers within 53 bits
        if b"\\u0000" not in orjson.dumps(value, option=orjson.OPT_STRICT_INTEGER):
            return None
    except (TypeError, orjson.JSONEncodeError):
        pass  # a bigger integer, a key that is no text…: the walk below says where
    return _unstorable(value, prefix)


def _unstorable(value: Any, prefix: str) -> tuple[str, str] | None:
    if isinstance(value, str):
        if "\0" in value:
            return prefix or "(top level)", _(
                "含 NUL 字符（\\u0000），数据库无法存储",
                "contains a NUL character (\\u0000), which the database cannot store",
            )
    elif isinstance(value, int) and not isinstance(value, bool):
        if value not in INT64:
            return prefix or "(top level)", _(
                f"整数有 {len(str(abs(value)))} 位，超出数据库可存的 64 位整数范围（小数可以）",
                f"an integer of {len(str(abs(value)))} digits is beyond the 64-bit integers"
                " the database stores (a decimal number is fine)",
            )
    elif isinstance(value, dict):
        for k, v in value.items():
            path = f"{prefix}.{k}" if prefix else str(k)
            problem = _unstorable(k, path) or _unstorable(v, path)
            if problem:
                return problem
    elif isinstance(value, list | tuple):
        for i, v in enumerate(value):
            if problem := _unstorable(v, f"{prefix}[{i}]"):
                return problem
    return None


def check(
    instance: Any, name: str, *, location: str, definition: str | None = None, prefix: str = ""
) -> Any:
    """Validate ``instance`` against a schema; raise :class:`InvalidInput` naming the first
    error's key path (errors are sorted by path, so the report is stable).

    When there are several errors, the message lists every one, numbered, each with its key
    path (after the first's message, which ``path`` names).

    :return: the JSON-able form of ``instance`` that was validated.
    """
    data = jsonable(instance)
    errors = sorted(
        validator(name, definition).iter_errors(data), key=lambda e: [str(p) for p in e.path]
    )
    if errors:
        from jsonschema.exceptions import best_match

        first = errors[0]
        leaf = best_match([first]) if first.context else first
        raise InvalidInput(
            location,
            key_path(leaf.absolute_path, prefix),
            describe(first)
            + every_error(errors, lambda e: (key_path(_leaf(e), prefix), describe(e))),
        )
    if problem := unstorable(data, prefix):
        raise InvalidInput(location, *problem)
    return data


@cache
def _compiled(name: str) -> Any:
    import fastjsonschema

    return fastjsonschema.compile(
        {k: v for k, v in load(name).items() if k != "$schema"}, use_default=False
    )


def check_document(instance: Any, name: str, *, location: str) -> None:
    """Validate a large JSON document (a plan) against schema ``name``: compiled for speed,
    and on failure the first error by key path, as :func:`check` reports it."""
    import fastjsonschema

    try:
        _compiled(name)(instance)
        return
    except fastjsonschema.JsonSchemaValueException as exc:
        fast = exc
    errors = sorted(validator(name).iter_errors(instance), key=lambda e: [str(p) for p in e.path])
    if errors:
        from jsonschema.exceptions import best_match

        first = errors[0]
        leaf = best_match([first]) if first.context else first
        raise InvalidInput(location, key_path(leaf.absolute_path), describe(first))
    # Only the compiled validator holds this rule: a format jsonschema has no checker for here
    # (``date-time`` needs an optional package). Its path starts with ``data``.
    message = _(f"不符合规则 {fast.rule}：{fast.rule_definition!r}", fast.message)
    if fast.rule == "format":
        message = _(
            f"{fast.value!r} 不是有效的 {fast.rule_definition}",
            f"{fast.value!r} is not a valid {fast.rule_definition}",
        )
    path: list[str | int] = []
    node = instance
    for part in fast.path[1:]:  # list indices come as text: read them off the document
        step: str | int = int(part) if isinstance(node, list) else part
        path.append(step)
        node = node[step] if isinstance(node, list | dict) else None
    raise InvalidInput(location, key_path(path), message)
