"""Private access to the registry for the checklist engine (one place to swap)."""

from __future__ import annotations

from ..store import Store


def object_name(store: Store, key: str) -> str | None:
    """The registry name of object ``key``, ``None`` when it is not in the registry."""
    from ..registry import get_object

    obj = get_object(store, key)
    return None if obj is None else obj.name


def object_items(store: Store, key: str) -> list[str]:
    """The object's stored applicable items (the items of its applicability profile), by
    code."""
    from ..registry.mapping import items_of

    return items_of(store, key)
