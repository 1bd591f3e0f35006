"""风险预警规则 (risk rule): a signal in the facts that raises a warning."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from attrs import field, frozen

from .basis import Basis
from .element import Severity

#: ``threshold``: fact ⋈ parameter; ``ratio``: fact / denominator ⋈ parameter;
#: ``count``: number of ``fact`` events in the last ``window`` days ⋈ parameter;
#: ``flag``: the fact is true; ``expiry``: the date in ``fact`` is before the day of evaluation
#: plus ``parameter`` days (0 or no parameter: already expired).
RuleKind = Literal["threshold", "ratio", "count", "flag", "expiry"]
RULE_KINDS: tuple[str, ...] = ("threshold", "ratio", "count", "flag", "expiry")
Comparator = Literal["<", "<=", ">", ">=", "==", "!="]


@frozen
class RiskRule:
    id: str
    """``<domain>.<name>`` (e.g. ``prepaid_card.custody_below_ratio``)."""
    domain: str
    label_zh: str
    label_en: str
    kind: RuleKind
    fact: str
    """Name of the fact (see the facts schema) the rule reads."""
    severity: Severity
    basis: tuple[Basis, ...] = field(converter=tuple)
    effective_from: dt.date
    effective_to: dt.date | None = None
    comparator: Comparator = ">="
    parameter: str | None = None
    """Parameter holding the threshold; ``{attr}`` is replaced by the object's domain attribute
    (e.g. ``custody_ratio.{tier}``)."""
    denominator: str | None = None
    """Second fact, for ``ratio`` rules."""
    window: str | None = None
    """Parameter holding the window in days, for ``count`` rules."""
    object_types: tuple[str, ...] = field(factory=tuple, converter=tuple)
    """Object types the rule applies to; empty: all of the domain's."""
    condition: dict[str, Any] | None = None
    """Further condition on domain attributes (see ``onething.conditions``)."""
    offsite: bool = False
    """Runs on device or platform data alone and opens a warning without a visit."""
    source: str | None = None
