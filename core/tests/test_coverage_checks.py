"""The coverage checks read a rule as the engine does: a ``{attr}`` in its parameter name from the
object's attributes, and only objects the rule applies to."""

import datetime as dt
from pathlib import Path

import pytest

import onething
from onething.testing import DomainCoverage, coverage

RULE = (
    "prepaid_card.custody_below_ratio"  # custody_balance / prepaid_balance < custody_ratio.{tier}
)


@pytest.fixture(scope="module")
def book():
    return onething.Rulebook(onething.enable(["prepaid_card"]))


@pytest.fixture(scope="module")
def rule(book):
    return next(r for r in book.domains.rules("prepaid_card").risk_rules if r.id == RULE)


def case(custody: float, attributes: dict, object_types=("issuer",)) -> dict:
    return {
        "date": "2026-06-01",
        "objects": [
            {
                "key": "K",
                "domains": {
                    "prepaid_card": {"object_types": list(object_types), "attributes": attributes}
                },
            }
        ],
        "facts": {"K": {"custody_balance": custody, "prepaid_balance_last_quarter": 100}},
        "expect": {"warnings": {"K": []}},
    }


RETAIL = {"sector": "retail"}


def test_a_templated_threshold_is_the_tiers(book, rule):
    # custody_ratio.brand is 0.4 and custody_ratio.scale 0.2: 40 of 100 is at one, above the other
    assert coverage.positions(
        rule, [case(40, RETAIL | {"tier": "brand"})], book, "prepaid_card"
    ) == {"at"}
    assert coverage.positions(
        rule, [case(40, RETAIL | {"tier": "scale"})], book, "prepaid_card"
    ) == {"above"}


def test_objects_the_rule_does_not_apply_to_are_not_counted(book, rule):
    other_sector = case(40, {"sector": "education", "tier": "brand"})
    other_type = case(40, RETAIL | {"tier": "brand"}, object_types=("seller",))
    not_a_member = case(40, RETAIL | {"tier": "brand"}) | {"objects": []}
    cases = [other_sector, other_type, not_a_member]
    assert coverage.positions(rule, cases, book, "prepaid_card") == set()


def test_a_missing_placeholder_attribute_gives_no_threshold(book, rule):
    on = dt.date(2026, 6, 1)
    assert coverage.threshold(rule, book, "prepaid_card", on, RETAIL | {"tier": "group"}) == 0.3
    assert coverage.threshold(rule, book, "prepaid_card", on, RETAIL) is None


HAZCHEM_TESTS = Path(__file__).parents[2] / "plugins" / "hazchem" / "tests"


@pytest.mark.parametrize(
    "declared",
    [
        {},  # hazchem.018 has no check points and is not declared
        {"hazchem.018": ""},  # declared without saying why
        {"hazchem.018": "条文未读", "hazchem.012": "条文未读"},  # 012 has check points
    ],
)
def test_items_without_check_points_must_be_declared_exactly_and_with_a_reason(declared):
    class Coverage(DomainCoverage):
        domain = "hazchem"
        folder = HAZCHEM_TESTS
        without_check_points = declared

    with pytest.raises(AssertionError):
        Coverage().test_every_item_has_check_points()
    Coverage.without_check_points = {"hazchem.018": "条文未读"}
    Coverage().test_every_item_has_check_points()


def test_a_templated_rule_is_stated_against_each_parameter_it_resolves_to(book):
    rules = book.domains.rules("prepaid_card")
    brand = [case(c, RETAIL | {"tier": "brand"}) for c in (39, 40, 41)]
    group = [case(c, RETAIL | {"tier": "group"}) for c in (29, 30)]  # never above 30 %
    missing = coverage.missing_positions(rules, brand + group, book, "prepaid_card")
    assert [m for m in missing if m.startswith(RULE)] == [
        f"{RULE} (custody_ratio.group)",
        f"{RULE} (custody_ratio.scale)",
    ]


def test_staying_quiet_counts_only_where_the_rule_applies(book):
    rules = book.domains.rules("prepaid_card")
    fires = case(39, RETAIL | {"tier": "brand"})
    fires["expect"] = {"warnings": {"K": [RULE]}}
    quiet_seller = case(41, RETAIL | {"tier": "brand"}, object_types=("seller",))
    quiet_issuer = case(41, RETAIL | {"tier": "brand"})
    assert RULE in coverage.never_fired_or_never_quiet(rules, [fires, quiet_seller], "prepaid_card")
    assert RULE not in coverage.never_fired_or_never_quiet(
        rules, [fires, quiet_issuer], "prepaid_card"
    )


def test_each_version_of_an_item_is_expected_on_a_day_it_is_in_force():
    rules = onething.Rulebook(onething.enable(["hazchem"])).domains.rules("hazchem")
    after_the_act = {"date": "2026-06-01", "expect": {"items_include": {"T": ["hazchem.003"]}}}
    missing = coverage.items_never_expected(rules, [after_the_act])
    assert "hazchem.003 (2013-12-07)" in missing  # the 条例's version, to 2026-04-30
    assert "hazchem.003 (2026-05-01)" not in missing
