"""Effective dates shared by every dated rule.

``effective_from`` is the first day in force; ``effective_to`` is the first day *no longer* in
force (exclusive, like 废止之日), or ``None`` while still in force.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from itertools import pairwise
from typing import Protocol, TypeVar


class Dated(Protocol):
    # read-only members, so that frozen attrs classes match
    @property
    def effective_from(self) -> dt.date: ...
    @property
    def effective_to(self) -> dt.date | None: ...


def in_force(rule: Dated, on: dt.date) -> bool:
    """Whether ``rule`` is in force on day ``on``."""
    return rule.effective_from <= on and (rule.effective_to is None or on < rule.effective_to)


def overlaps(a: Dated, b: Dated) -> bool:
    """Whether two dated intervals share at least one day."""
    a_end = a.effective_to or dt.date.max
    b_end = b.effective_to or dt.date.max
    return a.effective_from < b_end and b.effective_from < a_end


T = TypeVar("T", bound=Dated)


def version_on(versions: Iterable[T], on: dt.date) -> T | None:
    """The version in force on ``on``, or ``None``; versions must not overlap."""
    return next((v for v in versions if in_force(v, on)), None)


def ends_before_start(versions: Iterable[T]) -> list[T]:
    """The versions whose ``effective_to`` is not after their ``effective_from``."""
    return [
        v for v in versions if v.effective_to is not None and v.effective_to <= v.effective_from
    ]


def overlapping_pairs(versions: Iterable[T]) -> list[tuple[T, T]]:
    """Consecutive versions (by start) of one rule that share a day."""
    ordered = sorted(versions, key=lambda v: v.effective_from)
    return [(a, b) for a, b in pairwise(ordered) if overlaps(a, b)]
