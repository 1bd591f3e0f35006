"""发卡企业类别: the issuer tier of 单用途商业预付卡管理办法（试行） from registry attributes.

The tier decides the filing authority (集团、品牌 → province; 规模 → city; 其他 → county, Art 7) and
the custody share of last quarter's prepaid balance (Art 26). Only enterprises in the commerce
sectors (零售业、住宿和餐饮业、居民服务业) are issuers under that rule, so the others have no tier.

Definitions (secondary sources, see parameters ``tier.*``): a 集团发卡企业 is a group parent whose
cards are redeemable within the group; a 品牌发卡企业 is a franchisor whose cards are redeemable
within its franchise system; a 规模发卡企业 is any other issuer whose main-business revenue last
year reached ``tier.scale_min_revenue``, or that is younger than ``tier.new_business_period``
years with registered capital of at least ``tier.scale_min_capital_new``; the rest are 其他.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from attrs import frozen

#: Sectors whose prepaid cards fall under 单用途商业预付卡管理办法（试行） (commerce supervises them).
COMMERCE_SECTORS: frozenset[str] = frozenset(
    {"retail", "accommodation", "catering", "resident_services"}
)
TIERS: tuple[str, ...] = ("group", "brand", "scale", "other")


@frozen
class TierThresholds:
    """The parameter values the scale test uses, in force on one day."""

    scale_min_revenue: float
    """``tier.scale_min_revenue``, CNY."""
    scale_min_capital_new: float
    """``tier.scale_min_capital_new``, CNY."""
    new_business_years: float
    """``tier.new_business_period``, years."""


def _years_between(start: dt.date, end: dt.date) -> float:
    return (end - start).days / 365.25


def derive_tier(
    attributes: Mapping[str, Any], thresholds: TierThresholds, on: dt.date
) -> str | None:
    """The issuer tier on day ``on``; ``None`` outside the commerce sectors.

    A tier already in ``attributes`` (the one on the filing record) wins over the derivation.
    Missing figures count as not meeting a threshold.
    """
    if attributes.get("sector") not in COMMERCE_SECTORS:
        return None
    if attributes.get("tier") in TIERS:
        return attributes["tier"]
    if attributes.get("group_parent"):
        return "group"
    if attributes.get("franchisor"):
        return "brand"
    revenue = attributes.get("main_revenue_last_year")
    if revenue is not None and revenue >= thresholds.scale_min_revenue:
        return "scale"
    established = attributes.get("established_on")
    capital = attributes.get("registered_capital")
    if established is not None and capital is not None:
        if isinstance(established, str):
            established = dt.date.fromisoformat(established)
        young = _years_between(established, on) < thresholds.new_business_years
        if young and capital >= thresholds.scale_min_capital_new:
            return "scale"
    return "other"
