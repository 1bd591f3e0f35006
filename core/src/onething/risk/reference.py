"""Risk rules evaluated over facts: the reference semantics of each rule kind.

This is the readable reference (used by scenario tests and ``explain``); the batch engine
over the registry must give the same answers. See ``docs/scenarios.md`` for the table.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from attrs import frozen

from ..conditions import holds
from ..i18n import _
from ..model import Over, RiskRule, SupervisedObject
from ..parameter_names import fill
from ..rulebook import Rulebook

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


def related_keys(
    over: Over,
    key: str,
    relations: Iterable[tuple[str, str, str]],
    objects: Mapping[str, SupervisedObject],
    domain: str,
) -> set[str]:
    """The keys reached from ``key`` along ``over.path`` over ``relations`` (``(type, source,
    target)``, those in force), of ``over.object_types`` (in ``over.domain``, default
    ``domain``) when given."""
    relations = list(relations)
    reached = {key}
    for relation in over.path:
        reached = {
            (t if over.direction == "out" else s)
            for r, s, t in relations
            if r == relation and (s if over.direction == "out" else t) in reached
        }
    if over.object_types:
        d = over.domain or domain
        wanted = set(over.object_types)
        reached = {
            k
            for k in reached
            if k in objects
            and (m := objects[k].domains.get(d)) is not None
            and wanted & set(m.object_types)
        }
    return reached


def aggregate(
    rule: RiskRule, related: Sequence[Mapping[str, Any]], rulebook: Rulebook, on: dt.date
) -> Any:
    """The rule's aggregate over the facts of its related objects (:class:`Over`); ``None``
    when no related object holds the fact (or, for a share, their weights sum to 0)."""
    over = rule.over
    assert over is not None
    values = [(f[rule.fact], f) for f in related if f.get(rule.fact) is not None]
    if not values:
        return None
    if over.aggregate in ("sum", "mean", "max", "min"):
        numbers = [float(v) for v, _ in values]
        if over.aggregate == "sum":
            return sum(numbers)
        if over.aggregate == "mean":
            return sum(numbers) / len(numbers)
        return max(numbers) if over.aggregate == "max" else min(numbers)
    limit = None if over.comparator is None else rulebook.value(rule.domain, over.parameter, on)
    hit = total = 0.0
    counted = 0
    for value, facts in values:
        weight = 1.0
        if over.weight is not None:
            if facts.get(over.weight) is None:
                continue
            weight = float(facts[over.weight])
        passes = bool(value) if limit is None else COMPARATORS[over.comparator](value, limit)
        counted += 1
        total += weight
        hit += weight * passes
    if over.aggregate == "count":
        return hit if counted else None
    return hit / total if total else None


def judge(
    rule: RiskRule,
    obj: SupervisedObject,
    facts: Mapping[str, Any],
    rulebook: Rulebook,
    on: dt.date,
    related: Sequence[Mapping[str, Any]] | None = None,
) -> Verdict | None:
    """Evaluate one rule on one object; ``None`` when the rule does not apply to it.
    ``related``: the facts of the objects the rule reaches along its ``over`` path."""
    if not applies(rule, obj):
        return None
    attrs = obj.domains[rule.domain].attributes

    def verdict(fired: bool, observed: Any, threshold: Any, reason: str) -> Verdict:
        return Verdict(rule.id, obj.key, fired, observed, threshold, reason)

    threshold = None
    if rule.parameter is not None:
        pname = resolve_parameter(rule.parameter, attrs)
        if pname is None:
            return verdict(
                False,
                None,
                None,
                _(
                    f"缺少参数 {rule.parameter} 所需的属性",
                    f"attribute missing for parameter {rule.parameter}",
                ),
            )
        threshold = rulebook.value(rule.domain, pname, on)
    compare = COMPARATORS[rule.comparator]
    if rule.over is not None:
        value = aggregate(rule, related or (), rulebook, on)
        if value is None:
            return verdict(
                False,
                None,
                threshold,
                _(f"没有带事实 {rule.fact} 的关联对象", f"no related object with {rule.fact}"),
            )
        return verdict(
            compare(value, threshold),
            value,
            threshold,
            _(
                f"沿 {'/'.join(rule.over.path)} 的 {rule.over.aggregate}({rule.fact}) = "
                f"{value:.4g} {rule.comparator} {threshold}",
                f"{rule.over.aggregate}({rule.fact}) over {'/'.join(rule.over.path)} = "
                f"{value:.4g} {rule.comparator} {threshold}",
            ),
        )
    value = facts.get(rule.fact)
    if value is None:
        return verdict(
            False, None, threshold, _(f"缺少事实 {rule.fact}", f"fact {rule.fact} missing")
        )
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
            return verdict(
                False,
                None,
                threshold,
                _(
                    f"分母 {rule.denominator} 缺失或为 0",
                    f"denominator {rule.denominator} missing or 0",
                ),
            )
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
            _(
                f"截至 {on} 的 {window} 天内 {rule.fact} {n} 次 {rule.comparator} {threshold}",
                f"{n} {rule.fact} in the {window} days to {on} {rule.comparator} {threshold}",
            ),
        )
    if rule.kind == "expiry":
        days = int(threshold or 0)
        last_valid = _as_date(value)
        limit = on + dt.timedelta(days=days)
        return verdict(
            last_valid < limit,
            last_valid,
            limit,
            _(
                f"{rule.fact} {last_valid} 早于 {limit}",
                f"{rule.fact} {last_valid} before {limit}",
            ),
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
    relations: Iterable[tuple[str, str, str]] = (),
) -> list[Verdict]:
    """Every applicable rule's verdict on every object (fired or not); ``relations``:
    ``(type, source, target)`` in force on ``on``, for rules over related objects."""
    rules = rulebook.risk_rules(on)
    objects = list(objects)
    by_key = {o.key: o for o in objects}
    relations = list(relations)
    out = []
    for obj in objects:
        obj_facts = facts.get(obj.key, {})
        for rule in rules:
            related = None
            if rule.over is not None:
                keys = related_keys(rule.over, obj.key, relations, by_key, rule.domain)
                related = [facts.get(k, {}) for k in sorted(keys)]
            verdict = judge(rule, obj, obj_facts, rulebook, on, related)
            if verdict is not None:
                out.append(verdict)
    return out
