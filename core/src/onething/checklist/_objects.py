"""Private access to the registry for the checklist engine (one place to swap)."""

from __future__ import annotations

import sqlalchemy as sa

from ..store import Store
from ..store.registry import ObjectItem


def object_name(store: Store, key: str) -> str | None:
    """The registry name of object ``key``, ``None`` when it is not in the registry."""
    from ..registry import get_object

    obj = get_object(store, key)
    return None if obj is None else obj.name


def object_items(store: Store, key: str) -> list[str]:
    """The object's stored applicable items (``registry_object_item``), by code."""
    t = ObjectItem.__table__
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(t.c.item_code).where(t.c.key == key).order_by(t.c.item_code)
        ).all()
    return [r[0] for r in rows]
