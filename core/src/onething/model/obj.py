"""监管对象 (object): a business or institution in the registry, as hooks see it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from attrs import field, frozen

from .fields import as_tuple


@frozen
class Licence:
    number: str
    kind: str
    """Licence kind code of the issuing domain (e.g. ``food_business``)."""
    department: str
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    """Last day of validity (inclusive, as printed on the licence)."""


@frozen
class Membership:
    """An object's place in one domain: its object types there and its domain attributes."""

    object_types: tuple[str, ...] = field(converter=as_tuple)
    attributes: dict[str, Any] = field(factory=dict)


@frozen
class SupervisedObject:
    """One registry object. ``key`` is its uscc, or the documented alternative key of a
    business without one (see ``onething.uscc.alternative_key``)."""

    key: str
    name: str
    region_code: str
    domains: dict[str, Membership] = field(factory=dict)
    address: str = ""
    licences: tuple[Licence, ...] = field(factory=tuple, converter=as_tuple)
    credit_grade: str | None = None
    risk_grade: str | None = None
    object_kind: str = "business"
    """Its object kind (``business``, ``project``, ``vehicle``, ``person`` …)."""
    display_key: str | None = None
    """The key to show when ``key`` must not be (a person's masked ID number; ``key`` is then
    its keyed hash)."""

    @property
    def shown_key(self) -> str:
        return self.display_key or self.key
