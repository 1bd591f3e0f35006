"""Default applicability: an item applies to an object of one of its object types whose domain
attributes satisfy the item's ``condition``. Used for plugins that do not implement
``onething_match_items``; vectorised per batch, not one hook call per object.

Set-based: the objects of a batch are grouped by what the decision reads — their object types
and the values of the attributes the items' conditions read — and each group is decided once
(:func:`match_members`). The result is exactly the per-object rule above, pair for pair and in
the same order.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from .conditions import attributes_read, holds
from .model import Item, SupervisedObject

_MISSING = object()
_LIST = object()
_DICT = object()
_OTHER = object()


def _freeze(value: Any) -> Any:
    """A hashable stand-in for an attribute value: equal stand-ins ⇒ every condition decides
    both values alike (the type is kept, so ``True`` and ``1`` stay apart)."""
    if value is _MISSING or value is None:
        return value
    if isinstance(value, list):
        return (_LIST, tuple(_freeze(v) for v in value))
    if isinstance(value, dict):
        return (_DICT, frozenset((k, _freeze(v)) for k, v in value.items()))
    try:
        hash(value)
    except TypeError:
        return (_OTHER, id(value))  # never grouped with another value
    return (type(value), value)


def match_members(
    items: Sequence[Item], members: Iterable[tuple[str, Sequence[str], Mapping[str, Any]]]
) -> Iterator[tuple[str, str]]:
    """``(key, item code)`` for ``members`` given as ``(key, object types, attributes)`` of one
    domain; the same pairs, in the same order, as deciding each member on its own."""
    by_type: dict[str, list[Item]] = {}
    read: set[str] = set()
    for item in items:
        for t in item.object_types:
            by_type.setdefault(t, []).append(item)
        read |= attributes_read(item.condition)
    names = sorted(read)
    decided: dict[Any, list[str]] = {}
    for key, types, attributes in members:
        get = attributes.get
        group = (tuple(types), tuple([_freeze(get(n, _MISSING)) for n in names]))
        codes = decided.get(group)
        if codes is None:
            codes = []
            done: set[str] = set()
            for t in types:
                for item in by_type.get(t, ()):
                    if item.code not in done and holds(item.condition, attributes):
                        done.add(item.code)
                        codes.append(item.code)
            decided[group] = codes
        for code in codes:
            yield (key, code)


def match_by_data(
    domain: str, objects: Sequence[SupervisedObject], items: Sequence[Item]
) -> Iterator[tuple[str, str]]:
    """Applicable ``(object key, item code)`` pairs of ``objects`` in ``domain``: per object, in
    object order, the items of its object types whose condition holds on its attributes."""
    members = (
        (obj.key, m.object_types, m.attributes)
        for obj in objects
        if (m := obj.domains.get(domain)) is not None
    )
    return match_members(items, members)
