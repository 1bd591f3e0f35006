"""Default applicability: an item applies to an object of one of its object types whose domain
attributes satisfy the item's ``condition``. Used for plugins that do not implement
``onething_match_items``; vectorised per batch, not one hook call per object."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from .conditions import holds
from .model import Item, SupervisedObject


def match_by_data(
    domain: str, objects: Sequence[SupervisedObject], items: Sequence[Item]
) -> Iterator[tuple[str, str]]:
    by_type: dict[str, list[Item]] = {}
    for item in items:
        for t in item.object_types:
            by_type.setdefault(t, []).append(item)
    for obj in objects:
        member = obj.domains.get(domain)
        if member is None:
            continue
        done = set()
        for t in member.object_types:
            for item in by_type.get(t, ()):
                if item.code not in done and holds(item.condition, member.attributes):
                    done.add(item.code)
                    yield (obj.key, item.code)
