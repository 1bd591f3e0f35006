"""Value classes of the item-list engine: listed items, related-list entries, link problems,
and the differences between two dated lists."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from attrs import field, frozen

from ..model import Item

#: ``plugin``: from a domain plugin (the provincial list); ``extension``: added by the city layer.
ItemLayer = Literal["plugin", "extension"]


@frozen
class ListedItem:
    """One row of an item list: an item version, where it comes from and what the city did."""

    item: Item
    layer: ItemLayer = "plugin"
    domains: tuple[str, ...] = field(factory=tuple, converter=tuple)
    """Domains the row serves: the item's own domain, plus those whose same duty was merged
    into it in the unified list."""
    merged: tuple[str, ...] = field(factory=tuple, converter=tuple)
    """Codes of the other domains' items merged into this row (unified list only)."""
    reason: str | None = None
    """Why the city layer added the item."""
    disabled: str | None = None
    """Why the city layer disabled this provincial item (``None``: in use)."""

    @property
    def code(self) -> str:
        return self.item.code

    @property
    def active(self) -> bool:
        return self.disabled is None


@frozen
class FieldChange:
    field: str
    old: Any
    new: Any


@frozen
class ItemChange:
    """One code's difference between two dated lists."""

    code: str
    kind: Literal["added", "removed", "changed"]
    name_zh: str
    changes: tuple[FieldChange, ...] = field(factory=tuple, converter=tuple)


@frozen
class RelatedEntry:
    """One version of an entry of a related official list (许可/权责/双随机/重点监管)."""

    kind: Literal["licensing", "power", "random", "key"]
    code: str
    name: str
    version: int
    valid_from: dt.date
    valid_to: dt.date | None = None
    department: str | None = None
    domain: str | None = None
    data: dict[str, Any] = field(factory=dict)


#: ``removed``: the linked entry is no longer in its list; ``renamed`` / ``changed``: the entry
#: was renamed or changed after the item's version took effect; ``unknown``: the linked code was
#: never in the imported list; ``uncovered``: a list entry in force that no item links to.
ProblemKind = Literal["removed", "renamed", "changed", "unknown", "uncovered"]


@frozen
class LinkProblem:
    problem: ProblemKind
    related_kind: str
    related_code: str
    related_name: str | None = None
    item_code: str | None = None
    item_from: dt.date | None = None
    since: dt.date | None = None
    detail: str = ""
