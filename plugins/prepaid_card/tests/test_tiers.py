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


def test_a_city_override_of_a_threshold_reaches_the_item_mapping():
    """The registry passes the deployment's rulebook to the hook: a city that raises the
    revenue threshold of a scale issuer sees a 6-million business as an ordinary issuer."""
    import onething
    from onething import Deployment, Rulebook
    from onething.config import Override
    from onething.model import Basis, Membership, SupervisedObject

    domains = onething.enable(["prepaid_card"])
    issuer = SupervisedObject(
        key="91371502MA00000000",
        name="某超市",
        region_code="371502",
        domains={
            "prepaid_card": Membership(
                ("issuer",), {"sector": "retail", "main_revenue_last_year": 6_000_000}
            )
        },
    )
    raised = Override(
        domain="prepaid_card",
        parameter="tier.scale_min_revenue",
        value=10_000_000,
        effective_from=dt.date(2026, 1, 1),
        basis=[Basis(law="某市单用途卡管理办法（示例）", article="第五条", status="unconfirmed")],
        status="unconfirmed",
        reviewed=ON,
        reason="示例：本市提高规模发卡企业门槛",
    )
    city = Deployment(region="371500", level="city", domains=("prepaid_card",), overrides=[raised])

    def tiers_mapped(rulebook):
        items = {i.code: i for i in rulebook.items(ON, "prepaid_card")}
        pairs = domains.match_items("prepaid_card", [issuer], list(items.values()), ON, rulebook)
        return {t for _k, c in pairs for t in ("scale", "other") if _tier_item(items[c], t)}

    national = Deployment(region="371500", level="city", domains=("prepaid_card",))
    assert tiers_mapped(Rulebook(domains, national)) == {"scale"}
    assert tiers_mapped(Rulebook(domains, city)) == {"other"}


def _tier_item(item, tier):
    """Whether ``item`` is one that only issuers of ``tier`` get."""
    leaves = (item.condition or {}).get("all", [])
    return any(c.get("attr") == "tier" and c.get("eq") == tier for c in leaves)
