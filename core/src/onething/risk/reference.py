"""Risk rules evaluated over facts: the reference semantics of each rule kind.

This is the readable reference (used by scenario tests and ``explain``); the batch engine
over the registry must give the same answers. See ``docs/scenarios.md`` for the table.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Iterable, Mapping
from typing import Any

from attrs import frozen

from ..conditions import holds
from ..model import RiskRule, SupervisedObject
from ..rulebook import Rulebook
from ..templates import fill

COMPARATORS = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}


@frozen
class Verdict:
    """One rule's verdict on one object, with what it read (for ``explain``)."""

    rule: str
    key: str
    fired: bool
    observed: Any
    threshold: Any
    reason: str


def _as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def resolve_parameter(name: str, attributes: Mapping[str, Any]) -> str | None:
    """Fill ``{attr}`` placeholders from the object's attributes; ``None`` if one is missing."""
    return fill(name, attributes)


def applies(rule: RiskRule, obj: SupervisedObject) -> bool:
    member = obj.domains.get(rule.domain)
    if member is None:
        return False
    if rule.object_types and not set(rule.object_types) & set(member.object_types):
        return False
    return holds(rule.condition, member.attributes)


def judge(
    rule: RiskRule, obj: SupervisedObject, facts: Mapping[str, Any], rulebook: Rulebook, on: dt.date
) -> Verdict | None:
    """Evaluate one rule on one object; ``None`` when the rule does not apply to it."""
    if not applies(rule, obj):
        return None
    attrs = obj.domains[rule.domain].attributes

    def verdict(fired: bool, observed: Any, threshold: Any, reason: str) -> Verdict:
        return Verdict(rule.id, obj.key, fired, observed, threshold, reason)

    threshold = None
    if rule.parameter is not None:
        pname = resolve_parameter(rule.parameter, attrs)
        if pname is None:
            return verdict(False, None, None, f"attribute missing for parameter {rule.parameter}")
        threshold = rulebook.value(rule.domain, pname, on)
    compare = COMPARATORS[rule.comparator]
    value = facts.get(rule.fact)
    if value is None:
        return verdict(False, None, threshold, f"fact {rule.fact} missing")
    if rule.kind == "flag":
        return verdict(bool(value), value, True, f"{rule.fact} = {value}")
    if rule.kind == "threshold":
        return verdict(
            compare(value, threshold),
            value,
            threshold,
            f"{rule.fact} {rule.comparator} {threshold}",
        )
    if rule.kind == "ratio":
        denominator = facts.get(rule.denominator)
        if not denominator:
            return verdict(False, None, threshold, f"denominator {rule.denominator} missing or 0")
        ratio = value / denominator
        return verdict(
            compare(ratio, threshold),
            ratio,
            threshold,
            f"{rule.fact} / {rule.denominator} = {ratio:.4g} {rule.comparator} {threshold}",
        )
    if rule.kind == "count":
        window = rulebook.value(rule.domain, rule.window, on)
        start = on - dt.timedelta(days=int(window))
        n = sum(1 for d in _events(value) if start < d <= on)
        return verdict(
            compare(n, threshold),
            n,
            threshold,
            f"{n} {rule.fact} in the {window} days to {on} {rule.comparator} {threshold}",
        )
    if rule.kind == "expiry":
        days = int(threshold or 0)
        last_valid = _as_date(value)
        limit = on + dt.timedelta(days=days)
        return verdict(
            last_valid < limit, last_valid, limit, f"{rule.fact} {last_valid} before {limit}"
        )
    raise ValueError(f"unknown rule kind {rule.kind!r}")


def _events(value: Any) -> Iterable[dt.date]:
    if isinstance(value, int):  # a pre-aggregated count carries no dates: treat as all recent
        raise TypeError("count rules read a list of event dates, not a number")
    return (_as_date(v) for v in value)


def evaluate(
    objects: Iterable[SupervisedObject],
    facts: Mapping[str, Mapping[str, Any]],
    rulebook: Rulebook,
    on: dt.date,
) -> list[Verdict]:
    """Every applicable rule's verdict on every object (fired or not)."""
    rules = rulebook.risk_rules(on)
    out = []
    for obj in objects:
        obj_facts = facts.get(obj.key, {})
        for rule in rules:
            verdict = judge(rule, obj, obj_facts, rulebook, on)
            if verdict is not None:
                out.append(verdict)
    return out
