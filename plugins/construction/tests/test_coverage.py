"""The scenario files exercise every risk rule at, just below and just above its threshold,
every item (and each conditioned item's exclusion) and every parameter."""

from pathlib import Path

import pytest

import onething
from onething.testing import coverage

HERE = Path(__file__).parent
DOMAIN = "construction"


@pytest.fixture(scope="module")
def book():
    return onething.Rulebook(onething.enable([DOMAIN]))


@pytest.fixture(scope="module")
def rules(book):
    return book.domains.rules(DOMAIN)


@pytest.fixture(scope="module")
def cases():
    return coverage.scenario_cases(HERE, skip=("config",))  # city-layer cases change values


def test_every_threshold_rule_is_stated_below_at_and_above(rules, cases, book):
    assert coverage.missing_positions(rules, cases, book, DOMAIN) == []


def test_every_rule_is_expected_to_fire_and_to_stay_quiet(rules, cases):
    assert coverage.never_fired_or_never_quiet(rules, cases) == []


def test_every_item_is_expected_to_apply_somewhere(rules, cases):
    assert coverage.items_never_expected(rules, cases) == []


def test_every_parameter_value_is_stated_in_a_scenario(rules, cases):
    assert coverage.parameters_not_stated(rules, cases, DOMAIN) == []


def test_every_conditioned_item_is_expected_not_to_apply_somewhere(rules, cases):
    assert coverage.conditional_items_never_left_out(rules, cases, DOMAIN) == []


def test_every_item_has_check_points(rules):
    assert coverage.items_without_check_points(rules) == []
