"""Findings: what a failed check point yields, and what the closed loop consumes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from attrs import field, frozen

from .basis import Basis
from .element import Severity
from .fields import as_tuple


@frozen
class Finding:
    """A failed element on one object, found on a visit (or by off-site supervision).

    Produced by inspection records; the closed loop opens or updates a case from each.
    """

    object_key: str
    element: str
    """Element code (``<domain>.e<nn>``)."""
    canonical: str
    severity: Severity
    items: tuple[str, ...] = field(converter=as_tuple)
    """Codes of the items whose check point failed."""
    departments: tuple[str, ...] = field(converter=as_tuple)
    """Departments concerned: every department relying on the element."""
    basis: tuple[Basis, ...] = field(converter=as_tuple)
    found_on: dt.date
    record_id: str | None = None
    """The inspection record it comes from (``None`` for off-site findings)."""
    evidence: Any = None
    """The evidence the inspector recorded for the element (JSON value)."""
    remark: str = ""
