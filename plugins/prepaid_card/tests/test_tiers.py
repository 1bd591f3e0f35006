"""The issuer tier (发卡企业类别) is derived from registry attributes as 单用途商业预付卡管理办法
（试行） defines it, with the plugin's own parameter values."""

import datetime as dt

import pytest
from onething_prepaid_card import COMMERCE_SECTORS, TierThresholds, derive_tier, plugin

ON = dt.date(2026, 11, 27)
NATIONAL = TierThresholds(
    scale_min_revenue=5_000_000, scale_min_capital_new=1_000_000, new_business_years=1
)


@pytest.mark.parametrize(
    ("attributes", "tier"),
    [
        ({"sector": "retail", "group_parent": True, "franchisor": True}, "group"),
        ({"sector": "catering", "franchisor": True, "main_revenue_last_year": 0}, "brand"),
        ({"sector": "resident_services", "main_revenue_last_year": 5_000_000}, "scale"),
        ({"sector": "resident_services", "main_revenue_last_year": 4_999_999}, "other"),
        (
            {"sector": "retail", "registered_capital": 1_000_000, "established_on": "2026-01-01"},
            "scale",
        ),
        (
            {"sector": "retail", "registered_capital": 999_999, "established_on": "2026-01-01"},
            "other",
        ),
        (
            {"sector": "retail", "registered_capital": 1_000_000, "established_on": "2025-11-01"},
            "other",
        ),
        ({"sector": "retail", "registered_capital": 1_000_000}, "other"),
        ({"sector": "accommodation"}, "other"),
    ],
)
def test_tier_follows_the_definitions(attributes, tier):
    assert derive_tier(attributes, NATIONAL, ON) == tier


def test_the_tier_on_the_filing_record_wins():
    attrs = {"sector": "retail", "tier": "other", "group_parent": True}
    assert derive_tier(attrs, NATIONAL, ON) == "other"


@pytest.mark.parametrize("sector", ["fitness", "education_training", "elderly_care", "other", None])
def test_operators_outside_the_commerce_sectors_have_no_tier(sector):
    attrs = {"sector": sector, "group_parent": True, "main_revenue_last_year": 9e9}
    assert derive_tier(attrs, NATIONAL, ON) is None


def test_thresholds_come_from_the_plugins_parameters():
    assert plugin.tier_thresholds(ON) == NATIONAL


def test_no_thresholds_before_the_rule_existed():
    assert plugin.tier_thresholds(dt.date(2012, 10, 31)) is None


def test_a_changed_threshold_changes_the_tier():
    stricter = TierThresholds(
        scale_min_revenue=10_000_000, scale_min_capital_new=1_000_000, new_business_years=1
    )
    attrs = {"sector": "retail", "main_revenue_last_year": 6_000_000}
    assert derive_tier(attrs, NATIONAL, ON) == "scale"
    assert derive_tier(attrs, stricter, ON) == "other"


def _sector_lists(condition):
    """Every `sector in [...]` list inside a condition."""
    if condition is None:
        return []
    if "all" in condition or "any" in condition:
        return [s for c in condition.get("all", condition.get("any")) for s in _sector_lists(c)]
    if "not" in condition:
        return _sector_lists(condition["not"])
    return [set(condition["in"])] if condition["attr"] == "sector" and "in" in condition else []


def test_data_conditions_and_python_agree_on_the_commerce_sectors():
    """Items and rules restricted to commerce sectors use exactly the sectors the tier
    derivation treats as commerce, so no sector gets commerce items without a tier or the
    reverse."""
    rules = plugin.onething_list_items() + plugin.onething_list_risk_rules()
    lists = [s for r in rules for s in _sector_lists(r.condition)]
    assert lists, "no commerce-sector condition found"
    assert all(s == COMMERCE_SECTORS for s in lists)
