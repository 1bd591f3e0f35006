"""Whether a plugin's scenario files exercise its rules: each risk rule below, at and above its
threshold and both firing and quiet, each item applying somewhere (and, if conditioned, not
applying somewhere), each parameter stated, each item with check points.

Each function returns what is missing (empty: covered), so a plugin's test reads
``assert missing_positions(...) == []``. Shared by the plugins' ``test_coverage.py``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from ..model import RiskRule
from ..plugins import DomainRules
from ..rulebook import Rulebook

Case = dict[str, Any]


def scenario_cases(folder: Path, skip: Iterable[str] = ("config",)) -> list[Case]:
    """The cases of every ``*.scenario.yaml`` in ``folder``, but for files with a top-level
    key in ``skip`` (a city layer's cases change parameter values)."""
    out: list[Case] = []
    for path in sorted(folder.glob("*.scenario.yaml")):
        data = yaml.safe_load(path.read_text("utf-8"))
        if not any(k in data for k in skip):
            out += data["cases"]
    return out


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def observed(rule: RiskRule, facts: dict[str, Any], book: Rulebook, domain: str, on: dt.date):
    """The number the rule compares with its threshold, or None when it cannot be read."""
    value = facts.get(rule.fact)
    if value is None:
        return None
    if rule.kind == "ratio":
        denominator = facts.get(rule.denominator)
        return value / denominator if denominator else None
    if rule.kind == "count":
        window = book.value(domain, rule.window, on)
        return sum(1 for d in value if on - dt.timedelta(days=window) < _date(d) <= on)
    if rule.kind == "expiry":  # days left beyond the warning period (none: already expired)
        days = book.value(domain, rule.parameter, on) if rule.parameter else 0
        return (_date(value) - (on + dt.timedelta(days=days))).days
    return value


def threshold(rule: RiskRule, book: Rulebook, domain: str, on: dt.date):
    return 0 if rule.kind == "expiry" else book.value(domain, rule.parameter, on)


def positions(rule: RiskRule, cases: list[Case], book: Rulebook, domain: str) -> set[str]:
    """Where the stated objects sit against the rule's threshold: 'below', 'at', 'above'."""
    seen = set()
    for case in cases:
        on = _date(case["date"])
        if on < rule.effective_from:
            continue
        for key in case["expect"].get("warnings", {}):
            value = observed(rule, case.get("facts", {}).get(key, {}), book, domain, on)
            if value is None:
                continue
            if rule.kind == "flag":
                seen.add("at" if value else "below")
                continue
            limit = threshold(rule, book, domain, on)
            seen.add("below" if value < limit else "at" if value == limit else "above")
    return seen


def missing_positions(
    rules: DomainRules, cases: list[Case], book: Rulebook, domain: str, *, zero_floor=False
) -> list[str]:
    """Rules not stated below, at and above their threshold (a flag: false and true). With
    ``zero_floor``, a threshold of 0 needs no 'below' (a count of people cannot be negative)."""
    out = []
    for rule in rules.risk_rules:
        if rule.kind == "flag":
            want = {"below", "at"}
        elif (
            zero_floor
            and rule.kind == "threshold"
            and threshold(rule, book, domain, rule.effective_from) == 0
        ):
            want = {"at", "above"}
        else:
            want = {"below", "at", "above"}
        if not want <= positions(rule, cases, book, domain):
            out.append(rule.id)
    return out


def never_fired_or_never_quiet(rules: DomainRules, cases: list[Case]) -> list[str]:
    out = []
    for rule in rules.risk_rules:
        fired = quiet = 0
        for case in cases:
            for key, ids in case["expect"].get("warnings", {}).items():
                if rule.id in ids:
                    fired += 1
                elif rule.fact in case.get("facts", {}).get(key, {}):
                    quiet += 1
        if not (fired and quiet):
            out.append(rule.id)
    return out


def items_never_expected(rules: DomainRules, cases: list[Case]) -> list[str]:
    expected = set()
    for case in cases:
        for key in ("items", "items_include"):
            for codes in case["expect"].get(key, {}).values():
                expected |= set(codes)
    return sorted({i.code for i in rules.items} - expected)


def conditional_items_never_left_out(
    rules: DomainRules, cases: list[Case], domain: str
) -> list[str]:
    """Items with a condition with no object of their types where they do not apply: a
    complete ``items`` list without them, or an ``items_exclude`` naming them."""
    out = []
    for item in rules.items:
        if item.condition is None:
            continue
        shown = False
        for case in cases:
            types = {
                o["key"]: set(o["domains"].get(domain, {}).get("object_types", []))
                for o in case.get("objects", [])
            }
            for key, codes in case["expect"].get("items", {}).items():
                shown |= bool(types.get(key, set()) & set(item.object_types)) and (
                    item.code not in codes
                )
            for codes in case["expect"].get("items_exclude", {}).values():
                shown |= item.code in codes
        if not shown:
            out.append(item.code)
    return out


def parameters_not_stated(rules: DomainRules, cases: list[Case], domain: str) -> list[str]:
    stated = set()
    for case in cases:
        stated |= set(case["expect"].get("parameters", {}))
    return sorted({f"{domain}.{p.name}" for p in rules.parameters} - stated)


def items_without_check_points(rules: DomainRules) -> list[str]:
    covered = {code for el in rules.elements for code in el.items}
    return [i.code for i in rules.items if i.code not in covered]
