"""``risk explain``: why an object has its warnings and grade — rules, facts and values."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from ..errors import NotFound
from ..i18n import _
from ..model import converter
from ..rulebook import Rulebook
from ..store import Store
from ..store.risk import WarningRow
from .facts import fact_kinds, facts_of, merge_for_rules
from .grades import current_grade
from .reference import judge


def _related_facts(store: Store, rulebook: Rulebook, rule, key: str, on: dt.date) -> list:
    """The facts of the objects ``rule`` reaches from ``key`` along its ``over`` path (the
    relations in force on ``on``), for the reference ``judge``."""
    from ..registry import get_object

    over = rule.over
    a, b = ("source_key", "target_key") if over.direction == "out" else ("target_key", "source_key")
    reached = {key}
    with store.engine.connect() as conn:
        for relation in over.path:
            q = sa.text(
                f"SELECT {b} FROM registry_relation WHERE type = :t AND {a} IN :k AND "
                "valid_from <= :on AND (valid_to IS NULL OR valid_to >= :on)"
            ).bindparams(sa.bindparam("k", expanding=True))
            reached = (
                set(conn.execute(q, {"t": relation, "k": sorted(reached), "on": on}).scalars())
                if reached
                else set()
            )
    kinds = fact_kinds(rulebook, on)
    out = []
    for k in sorted(reached):
        if over.object_types:
            obj = get_object(store, k)
            m = obj.domains.get(over.domain or rule.domain) if obj else None
            if m is None or not set(over.object_types) & set(m.object_types):
                continue
        out.append(merge_for_rules(*facts_of(store, k, on), kinds))
    return out


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def explain(store: Store, rulebook: Rulebook, key: str, on: dt.date) -> dict[str, Any]:
    """Every applicable rule's verdict with the facts and thresholds it read, the object's
    open warnings and its current grade."""
    from ..registry import get_object

    obj = get_object(store, key)
    if obj is None:
        raise NotFound("key", key, _("名录库中没有该对象", "no such object in the registry"))
    latest, events = facts_of(store, key, on)
    facts = merge_for_rules(latest, events, fact_kinds(rulebook, on))
    rules = []
    for rule in rulebook.risk_rules(on):
        related = None if rule.over is None else _related_facts(store, rulebook, rule, key, on)
        verdict = judge(rule, obj, facts, rulebook, on, related)
        if verdict is None:
            continue
        rules.append(
            {
                "rule": rule.id,
                "label_zh": rule.label_zh,
                "label_en": rule.label_en,
                "kind": rule.kind,
                "fired": verdict.fired,
                "observed": _json(verdict.observed),
                "threshold": _json(verdict.threshold),
                "reason": verdict.reason,
                "severity": rule.severity,
                "parameter": rule.parameter,
                "basis": [converter.unstructure(b) for b in rule.basis],
            }
        )
    with store.engine.connect() as conn:
        open_warnings = [
            {
                "rule": r.rule_id,
                "severity": r.severity,
                "opened_on": r.opened_on.isoformat(),
                "reason": r.reason,
            }
            for r in conn.execute(
                sa.select(WarningRow)
                .where(WarningRow.key == key, WarningRow.closed_at.is_(None))
                .order_by(WarningRow.id)
            ).mappings()
        ]
    grade = current_grade(store, key)
    return {
        "key": key,
        "name": obj.name,
        "on": on.isoformat(),
        "facts": {k: _json(v) for k, v in latest.items()},
        "rules": rules,
        "open_warnings": open_warnings,
        "grade": None
        if grade is None
        else {
            k: _json(grade[k])
            for k in (
                "credit_grade",
                "credit_source",
                "risk_grade",
                "stratum",
                "graded_on",
                "explanation",
            )
        },
    }
