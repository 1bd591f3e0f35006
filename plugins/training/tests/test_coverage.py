"""The scenario files exercise every risk rule at, just below and just above its threshold,
every item and every parameter, and every item has check points."""

import datetime as dt
from pathlib import Path

import pytest
import yaml

import onething

HERE = Path(__file__).parent
DOMAIN = "training"


@pytest.fixture(scope="module")
def book():
    return onething.Rulebook(onething.enable([DOMAIN]))


@pytest.fixture(scope="module")
def rules(book):
    return book.domains.rules(DOMAIN)


@pytest.fixture(scope="module")
def cases():
    out = []
    for path in sorted(HERE.glob("*.scenario.yaml")):
        data = yaml.safe_load(path.read_text("utf-8"))
        if "config" not in data and "domains" not in data:  # layers change values
            out += data["cases"]
    return out


def _date(value):
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _observed(rule, facts, book, on):
    """The number the rule compares with its threshold, or None when it cannot be read."""
    value = facts.get(rule.fact)
    if value is None:
        return None
    if rule.kind == "ratio":
        denominator = facts.get(rule.denominator)
        return value / denominator if denominator else None
    if rule.kind == "count":
        window = book.value(DOMAIN, rule.window, on)
        return sum(1 for d in value if on - dt.timedelta(days=window) < _date(d) <= on)
    if rule.kind == "expiry":  # days left beyond the warning period
        days = book.value(DOMAIN, rule.parameter, on)
        return (_date(value) - (on + dt.timedelta(days=days))).days
    return value


def _threshold(rule, book, on):
    return 0 if rule.kind == "expiry" else book.value(DOMAIN, rule.parameter, on)


def _positions(rule, cases, book):
    """Where the stated objects sit against the rule's threshold: 'below', 'at', 'above'."""
    seen = set()
    for case in cases:
        on = _date(case["date"])
        if on < rule.effective_from:
            continue
        for key in case["expect"].get("warnings", {}):
            observed = _observed(rule, case.get("facts", {}).get(key, {}), book, on)
            if observed is None:
                continue
            if rule.kind == "flag":
                seen.add("at" if observed else "below")
                continue
            threshold = _threshold(rule, book, on)
            seen.add(
                "below" if observed < threshold else "at" if observed == threshold else "above"
            )
    return seen


def test_every_threshold_rule_is_stated_below_at_and_above(rules, cases, book):
    for rule in rules.risk_rules:
        if rule.kind == "flag":
            want = {"below", "at"}
        elif rule.kind == "threshold" and _threshold(rule, book, rule.effective_from) == 0:
            want = {"at", "above"}  # a count of people cannot be below zero
        else:
            want = {"below", "at", "above"}
        assert want <= _positions(rule, cases, book), rule.id


def test_every_rule_is_expected_to_fire_and_to_stay_quiet(rules, cases):
    for rule in rules.risk_rules:
        fired = quiet = 0
        for case in cases:
            for key, ids in case["expect"].get("warnings", {}).items():
                if rule.id in ids:
                    fired += 1
                elif rule.fact in case.get("facts", {}).get(key, {}):
                    quiet += 1
        assert fired and quiet, rule.id


def test_every_item_is_expected_to_apply_somewhere(rules, cases):
    expected = set()
    for case in cases:
        for key in ("items", "items_include"):
            for codes in case["expect"].get(key, {}).values():
                expected |= set(codes)
    assert {i.code for i in rules.items} <= expected


def test_every_conditional_item_is_expected_not_to_apply_somewhere(rules, cases):
    """For each item with a condition, an object of one of its types where it does not apply:
    a complete `items` list without it, or an `items_exclude` naming it."""
    for item in rules.items:
        if item.condition is None:
            continue
        shown = False
        for case in cases:
            types = {
                o["key"]: set(o["domains"].get(DOMAIN, {}).get("object_types", []))
                for o in case.get("objects", [])
            }
            for key, codes in case["expect"].get("items", {}).items():
                shown |= bool(types.get(key, set()) & set(item.object_types)) and (
                    item.code not in codes
                )
            for codes in case["expect"].get("items_exclude", {}).values():
                shown |= item.code in codes
        assert shown, item.code


def test_every_parameter_value_is_stated_in_a_scenario(rules, cases):
    stated = set()
    for case in cases:
        stated |= set(case["expect"].get("parameters", {}))
    assert {f"{DOMAIN}.{p.name}" for p in rules.parameters} <= stated


def test_every_item_has_check_points(rules):
    covered = {code for el in rules.elements for code in el.items}
    assert [i.code for i in rules.items if i.code not in covered] == []
