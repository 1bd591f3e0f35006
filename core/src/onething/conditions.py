"""A tiny condition language for rules as data.

A condition is a dict, one of::

    {"attr": "tier", "in": ["group", "brand"]}     # eq, ne, in, gt, ge, lt, le, exists
    {"all": [c1, c2]}    {"any": [c1, c2]}    {"not": c}

It reads an object's domain attributes (or a case's facts); a missing attribute makes every
comparison false except ``exists: false`` and ``ne``. Its JSON Schema is
``plugin-data.schema.json#/$defs/condition``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

_MISSING = object()
_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "in": lambda a, b: a in b,
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
}


def holds(condition: Mapping[str, Any] | None, attributes: Mapping[str, Any]) -> bool:
    """Whether ``condition`` holds for ``attributes``; ``None`` always holds.

    >>> holds({"attr": "tier", "in": ["group", "brand"]}, {"tier": "brand"})
    True
    >>> holds({"all": [{"attr": "seats", "gt": 50}, {"attr": "tier", "exists": True}]}, {"seats": 80})
    False
    >>> holds({"attr": "seats", "ne": 0}, {})  # a missing attribute: only ne and exists: false hold
    True
    """
    if condition is None:
        return True
    if "all" in condition:
        return all(holds(c, attributes) for c in condition["all"])
    if "any" in condition:
        return any(holds(c, attributes) for c in condition["any"])
    if "not" in condition:
        return not holds(condition["not"], attributes)
    value = attributes.get(condition["attr"], _MISSING)
    ((op, expected),) = ((k, v) for k, v in condition.items() if k != "attr")
    if op == "exists":
        return bool((value is not _MISSING and value is not None) == expected)
    if value is _MISSING or value is None:
        return op == "ne"
    try:
        return bool(_COMPARE[op](value, expected))
    except TypeError:
        return False


def attributes_read(condition: Mapping[str, Any] | None) -> set[str]:
    """The attribute names a condition reads (for checking them against a schema)."""
    if condition is None:
        return set()
    for key in ("all", "any"):
        if key in condition:
            return set().union(*(attributes_read(c) for c in condition[key]))
    if "not" in condition:
        return attributes_read(condition["not"])
    return {condition["attr"]}
