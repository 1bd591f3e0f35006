"""Registry answers as JSON documents: one object with its items, relations and history, and
the baseline counts — what ``registry show|stats --format json`` print and what the HTTP
service answers, built once here."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..errors import NotFound
from ..i18n import _


def object_document(app, key: str, on: dt.date, *, relations_on: dt.date | None) -> dict[str, Any]:
    """The object ``key`` (a person's ID number is looked up by its keyed hash): its record,
    applicable items with their departments on ``on``, relations (those in force on
    ``relations_on``, every one when ``None``) and change history.

    :raises NotFound: when the registry has no such object.
    """
    from ..model import converter
    from . import get_object, object_history, stored_key
    from . import relations as rel_
    from .mapping import items_of

    store = app.store
    key, shown = stored_key(app, key)
    obj = get_object(store, key)
    if obj is None:
        raise NotFound(
            "KEY",
            shown,
            _(
                "名录库中没有该对象（统一社会信用代码或 ALT- 替代代码）",
                "no such object in the registry (uscc or ALT- key)",
            ),
        )
    by_code = {i.code: i for i in app.rulebook.items(on)}
    items = [
        {
            "item": c,
            "name_zh": by_code[c].name_zh if c in by_code else None,
            "name_en": by_code[c].name_en if c in by_code else None,
            "departments": list(by_code[c].departments) if c in by_code else [],
        }
        for c in items_of(store, key, rulebook=app.rulebook, on=on)
    ]
    return {
        "object": converter.unstructure(obj),
        "items": items,
        "relations": rel_.relations_of(store, key, on=relations_on),
        "history": object_history(store, key),
    }


def stats_document(app, dims: list[str], on: dt.date) -> dict[str, Any]:
    """Baseline counts grouped by ``dims``, coverage gaps and relations in force on ``on``."""
    from . import stats
    from .relations import count_relations

    store = app.store
    return {
        "by": dims,
        "counts": stats.counts(store, app.rulebook, dims, on=on),
        "gaps": stats.gaps(store, app.rulebook, on=on),
        "relations": count_relations(store, on=on),
    }
