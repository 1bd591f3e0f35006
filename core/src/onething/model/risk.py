"""风险预警规则 (risk rule): a signal in the facts that raises a warning."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from attrs import field, frozen

from .basis import Basis
from .element import Severity
from .fields import as_tuple

#: ``threshold``: fact ⋈ parameter; ``ratio``: fact / denominator ⋈ parameter;
#: ``count``: number of ``fact`` events in the last ``window`` days ⋈ parameter;
#: ``flag``: the fact is true; ``expiry``: the date in ``fact`` is before the day of evaluation
#: plus ``parameter`` days (0 or no parameter: already expired).
RuleKind = Literal["threshold", "ratio", "count", "flag", "expiry"]
RULE_KINDS: tuple[str, ...] = ("threshold", "ratio", "count", "flag", "expiry")
Comparator = Literal["<", "<=", ">", ">=", "==", "!="]


Aggregate = Literal["count", "share", "sum", "mean", "max", "min"]
AGGREGATES: tuple[str, ...] = ("count", "share", "sum", "mean", "max", "min")


@frozen
class Over:
    """A rule's fact read on the objects related to the rule's objects and aggregated per
    object (a platform's vehicles past their exit age; the share of its drivers' orders
    served without a permit). The aggregate is then compared as a ``threshold`` rule's value."""

    path: tuple[str, ...] = field(converter=as_tuple)
    """Relation types followed, in force on the day of evaluation (``["operates"]``; two hops
    ``["operates", "driven_by"]`` reach a platform's drivers)."""
    aggregate: Aggregate
    """``count``: related objects that pass (their boolean fact is true, or their value
    passes ``comparator``/``parameter``); ``share``: those that pass among those with a
    value; ``sum``/``mean``/``max``/``min`` of the values. ``weight`` weighs count and share."""
    direction: Literal["out", "in"] = "out"
    """``out``: the rule's objects are each hop's sources; ``in``: its targets."""
    object_types: tuple[str, ...] = field(factory=tuple, converter=as_tuple)
    """Only related objects (the last hop's) of these types of ``domain``; empty: all."""
    domain: str | None = None
    """The domain of ``object_types`` (default: the rule's)."""
    comparator: Comparator | None = None
    """With ``parameter``: the test a related object's value passes, for count and share."""
    parameter: str | None = None
    weight: str | None = None
    """A number fact of the related objects (their orders) weighing count and share."""


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
    basis: tuple[Basis, ...] = field(converter=as_tuple)
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
    object_types: tuple[str, ...] = field(factory=tuple, converter=as_tuple)
    """Object types the rule applies to; empty: all of the domain's."""
    condition: dict[str, Any] | None = None
    """Further condition on domain attributes (see ``onething.conditions``)."""
    offsite: bool = False
    """Runs on device or platform data alone and opens a warning without a visit."""
    source: str | None = None
    over: Over | None = None
    """Read ``fact`` on related objects and aggregate it (:class:`Over`); ``kind`` is then
    ``threshold``, comparing the aggregate."""
