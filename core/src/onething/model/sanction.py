"""失信联合惩戒 (joint sanction) measures and publication rules of a domain."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from attrs import field, frozen

from .basis import Basis
from .element import Severity
from .fields import as_tuple


@frozen
class SanctionMeasure:
    code: str
    domain: str
    label_zh: str
    label_en: str
    trigger_zh: str
    """When the measure applies, as the basis states it."""
    departments: tuple[str, ...] = field(converter=as_tuple)
    basis: tuple[Basis, ...] = field(converter=as_tuple)
    effective_from: dt.date
    effective_to: dt.date | None = None
    min_severity: Severity | None = None
    """Least finding severity that opens this measure; ``None``: decided case by case."""
    duration: str | None = None
    """Parameter holding how long the measure lasts."""
    source: str | None = None


PublishedRecord = Literal["inspection_result", "penalty", "licence", "warning", "sanction", "plan"]


@frozen
class PublicationRule:
    code: str
    domain: str
    record: PublishedRecord
    label_zh: str
    label_en: str
    publish: tuple[str, ...] = field(converter=as_tuple)
    """Fields of the record that are published."""
    basis: tuple[Basis, ...] = field(converter=as_tuple)
    effective_from: dt.date
    effective_to: dt.date | None = None
    redact: tuple[str, ...] = field(factory=tuple, converter=as_tuple)
    """Fields that are published only in redacted form (names of natural persons, ID numbers…)."""
    within: str | None = None
    """Parameter: days after the decision by which the record must be published."""
    period: str | None = None
    """Parameter: how long the record stays published."""
    when: dict[str, Any] | None = None
    """Condition (``onething.conditions``) on the record's facts — the case's facts, the
    decision's evidence, ``department`` and ``severity`` — under which this rule, not an
    unconditioned one of the same record kind, applies (a reprimand's shorter period, say)."""
    source: str | None = None
