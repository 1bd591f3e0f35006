"""Reference semantics of the rule kinds: each fires exactly when its comparison holds."""

from __future__ import annotations

import datetime as dt

import pytest
from fake_support import FAKE
from hypothesis import given
from hypothesis import strategies as st

from onething import enable
from onething.conditions import holds
from onething.model import Membership, SupervisedObject
from onething.risk import COMPARATORS, evaluate, resolve_parameter
from onething.rulebook import Rulebook

ON = dt.date(2025, 6, 30)


@pytest.fixture(scope="module")
def book():
    return Rulebook(enable(["fake"], entry_points=[FAKE]))


def shop(attributes=None, types=("shop",)):
    return SupervisedObject(
        key="K",
        name="n",
        region_code="371500",
        domains={"fake": Membership(list(types), attributes or {})},
    )


def fired(book, obj, facts):
    return {f.rule for f in evaluate([obj], {"K": facts}, book, ON) if f.fired}


@given(temperature=st.integers(-20, 40))
def test_threshold_fires_iff_the_comparison_holds(book, temperature):
    limit = book.value("fake", "max_temperature", ON)
    assert ("fake.cold_chain" in fired(book, shop(), {"cabinet_temperature": temperature})) == (
        temperature > limit
    )


@given(balance=st.integers(0, 1000), revenue=st.integers(0, 1000))
def test_ratio_fires_iff_the_ratio_exceeds_and_never_on_zero_denominator(book, balance, revenue):
    got = "fake.prepaid_debt" in fired(
        book, shop(), {"prepaid_balance": balance, "revenue": revenue}
    )
    assert got == (revenue > 0 and balance / revenue > book.value("fake", "max_debt_ratio", ON))


@given(ages=st.lists(st.integers(-10, 200), max_size=8))
def test_count_counts_only_events_inside_the_window(book, ages):
    events = [ON - dt.timedelta(days=a) for a in ages]
    inside = sum(1 for a in ages if 0 <= a < 90)
    got = "fake.complaints" in fired(book, shop(), {"complaints": events})
    assert got == (inside >= book.value("fake", "complaint_limit", ON))


def test_missing_facts_never_fire(book):
    assert fired(book, shop(), {}) == set()


def test_rules_respect_object_types(book):
    facts = {"licence_valid_to": ON}
    assert "fake.licence_expiring" in fired(book, shop(), facts)
    assert "fake.licence_expiring" not in fired(book, shop(types=("kiosk",)), facts)


def test_parameter_templates_are_filled_from_attributes():
    assert resolve_parameter("custody_ratio.{tier}", {"tier": "brand"}) == "custody_ratio.brand"
    assert resolve_parameter("custody_ratio.{tier}", {}) is None


@pytest.mark.parametrize(
    ("condition", "attributes", "expected"),
    [
        ({"attr": "tier", "in": ["a", "b"]}, {"tier": "a"}, True),
        ({"attr": "tier", "in": ["a", "b"]}, {"tier": "c"}, False),
        ({"attr": "beds", "ge": 10}, {"beds": 10}, True),
        ({"attr": "beds", "ge": 10}, {}, False),
        ({"attr": "beds", "ne": 10}, {}, True),
        ({"attr": "beds", "exists": False}, {}, True),
        ({"attr": "beds", "gt": 1}, {"beds": "many"}, False),
        (
            {"all": [{"attr": "a", "eq": 1}, {"not": {"attr": "b", "eq": 2}}]},
            {"a": 1, "b": 3},
            True,
        ),
        ({"any": [{"attr": "a", "eq": 2}, {"attr": "b", "eq": 2}]}, {"a": 1, "b": 3}, False),
        (None, {}, True),
    ],
)
def test_conditions(condition, attributes, expected):
    assert holds(condition, attributes) is expected


def test_every_comparator_is_known():
    assert set(COMPARATORS) == {"<", "<=", ">", ">=", "==", "!="}
