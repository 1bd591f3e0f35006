"""Private access to the registry for the checklist engine (one place to swap)."""

from __future__ import annotations

from ..i18n import _
from ..store import Store


def object_name(store: Store, key: str) -> str | None:
    """The registry name of object ``key``, ``None`` when it is not in the registry."""
    from ..registry import get_object

    obj = get_object(store, key)
    return None if obj is None else obj.name


def object_items(store: Store, key: str, rulebook=None, on=None) -> list[str]:
    """The object's applicable items, by code: those of its applicability profile and, given
    the rulebook, those applying to it through a relation in force on ``on``."""
    from ..registry.mapping import items_of

    return items_of(store, key, rulebook=rulebook, on=on)


def checklist_of(app, on, *, object_key: str | None = None, items: list[str] | None = None):
    """The joint checklist of one registry object (its stored items) or of item codes, on
    ``on`` — what ``onething checklist`` prints and the HTTP service answers. Both: the object's
    checklist for those items only (a planned visit's own items).

    :raises NotFound: an object not in the registry.
    :raises InvalidInput: an object without stored items, or unknown item codes.
    """
    from ..errors import InvalidInput, NotFound
    from .build import build_checklist

    name = None
    if object_key is not None:
        from ..registry import stored_key

        store = app.store
        store.ensure_current()
        # a person's ID number is looked up by its keyed hash and shown masked only
        object_key, shown = stored_key(app, object_key)
        codes = object_items(store, object_key, app.rulebook, on)
        name = object_name(store, object_key)
        if name is None:
            raise NotFound(
                "--object", shown, _("名录库中没有该对象", "no such object in the registry")
            )
        if not codes:
            raise InvalidInput(
                "--object",
                shown,
                "the object has no stored items (run the registry's item mapping first)",
            )
        location = f"registry[{shown}]"
        object_key = shown
        if items is not None:
            codes, location = list(items), "items"
    else:
        codes = list(items or [])
        location = "--items"
    return build_checklist(
        app.rulebook, codes, on, object_key=object_key, object_name=name, location=location
    )
