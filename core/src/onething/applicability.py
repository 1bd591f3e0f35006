"""Default applicability: an item applies to an object of one of its object types whose domain
attributes satisfy the item's ``condition``. Used for plugins that do not implement
``onething_match_items``; vectorised per batch, not one hook call per object.

Set-based: the objects of a batch are grouped by what the decision reads — their object types
and the values of the attributes the items' conditions read — and each group is decided once
(:class:`Applicability`). The result is exactly the per-object rule above, pair for pair and in
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


#: Decided groups kept in memory: a condition on a continuous attribute (an area, a count)
#: makes nearly every object its own group, and an import's memory must stay flat.
_GROUPS_KEPT = 1 << 16


class Applicability:
    """The default rule for one domain's items, deciding each group of members once: a group
    is the object types and the values of the attributes the items' conditions read."""

    def __init__(self, items: Sequence[Item]):
        self._by_type: dict[str, list[Item]] = {}
        read: set[str] = set()
        for item in items:
            for t in item.object_types:
                self._by_type.setdefault(t, []).append(item)
            read |= attributes_read(item.condition)
        self.names = tuple(sorted(read))
        self._decided: dict[Any, tuple[str, ...]] = {}

    def codes(self, types: Sequence[str], attributes: Mapping[str, Any]) -> tuple[str, ...]:
        """The applicable item codes, in the order of ``types`` and then of the items."""
        get = attributes.get
        group = (tuple(types), tuple([_freeze(get(n, _MISSING)) for n in self.names]))
        codes = self._decided.get(group)
        if codes is None:
            found: dict[str, None] = {}
            for t in types:
                for item in self._by_type.get(t, ()):
                    if item.code not in found and holds(item.condition, attributes):
                        found[item.code] = None
            if len(self._decided) >= _GROUPS_KEPT:  # conditions on a continuous attribute
                self._decided.clear()
            codes = self._decided[group] = tuple(found)
        return codes


def match_members(
    items: Sequence[Item], members: Iterable[tuple[str, Sequence[str], Mapping[str, Any]]]
) -> Iterator[tuple[str, str]]:
    """``(key, item code)`` for ``members`` given as ``(key, object types, attributes)`` of one
    domain; the same pairs, in the same order, as deciding each member on its own."""
    decide = Applicability(items).codes
    for key, types, attributes in members:
        for code in decide(types, attributes):
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
