"""The main job's monitoring data: facts that make a small share of the synthetic registry's
objects cross a risk rule, so the closed loop's first link (risk warning → case) runs on the
plugins' own rules. Deterministic from the seed; a rule whose threshold needs the object's
attributes, reads related objects or counts events is left out (its facts are not drawn)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from ..planning.prn import prn
from ..registry import iter_objects

#: The share of a rule's objects whose facts cross it.
SHARE = 0.01


def _crossing(rule, limit: Any, on: dt.date) -> Any:
    """A value of the rule's fact that fires it, or ``None`` when none is drawn."""
    if rule.kind == "flag":
        return True
    if rule.kind == "expiry":
        return (on - dt.timedelta(days=30)).isoformat()
    if rule.kind != "threshold" or not isinstance(limit, int | float) or isinstance(limit, bool):
        return None
    if rule.comparator in (">=", ">"):
        return limit * 2 + 1
    if rule.comparator in ("<=", "<") and limit > 0:
        return limit / 2
    return None


def demo_facts(app, on: dt.date, seed: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line, fact row)`` for the facts ingestion, observed the day before ``on``; one pass
    over each domain's objects."""
    book = app.rulebook
    by_domain: dict[str, list[tuple[Any, set[str], Any]]] = {}
    for rule in book.risk_rules(on):
        if rule.over is not None or rule.condition is not None or "{" in (rule.parameter or ""):
            continue
        limit = book.value(rule.domain, rule.parameter, on) if rule.parameter else None
        value = _crossing(rule, limit, on)
        if value is not None:
            by_domain.setdefault(rule.domain, []).append((rule, set(rule.object_types), value))
    observed = (on - dt.timedelta(days=1)).isoformat()
    line = 0
    for domain, rules in by_domain.items():
        for batch in iter_objects(app.store, domain=domain):
            for obj in batch:
                member = obj.domains.get(domain)
                if member is None:
                    continue
                types = set(member.object_types)
                for rule, wanted, value in rules:
                    if wanted and not wanted & types:
                        continue
                    if prn(seed, f"fact/{rule.id}/{obj.key}") >= SHARE:
                        continue
                    line += 1
                    yield (
                        line,
                        {
                            "key": obj.key,
                            "fact": rule.fact,
                            "value": value,
                            "observed_at": observed,
                            "source": "演示监测数据（合成）",
                        },
                    )
