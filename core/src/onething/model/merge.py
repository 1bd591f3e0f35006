"""Merge constraints: when an item's task may not join the object's joint visit."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from attrs import field, frozen

from .basis import Basis
from .fields import as_tuple

#: ``unannounced``: must be unannounced, so cannot be pre-scheduled with other tasks;
#: ``specialist``: needs a certified specialist team (e.g. special equipment);
#: ``window``: must happen in its own time window (e.g. during business hours at night);
#: ``separate``: must be a visit of its own for another stated reason.
MergeKind = Literal["unannounced", "specialist", "window", "separate"]


@frozen
class MergeConstraint:
    id: str
    domain: str
    items: tuple[str, ...] = field(converter=as_tuple)
    """Item codes whose tasks the constraint keeps out of joint visits."""
    kind: MergeKind
    reason_zh: str
    reason_en: str
    basis: tuple[Basis, ...] = field(converter=as_tuple)
    effective_from: dt.date
    effective_to: dt.date | None = None
    source: str | None = None
