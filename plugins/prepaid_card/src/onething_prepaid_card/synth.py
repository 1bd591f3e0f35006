"""Realistic synthetic attributes for the prepaid_card domain (``onething registry synth``).

The figures are plausible shapes, not statistics: most prepaid operators are small shops,
salons and gyms; a few are franchisors or group parents with large revenue.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from typing import Any

from onething.model import SupervisedObject

from .tiers import COMMERCE_SECTORS, TierThresholds, derive_tier

#: Synthetic registries are drawn as of this day, so a seed always gives the same registry.
AS_OF = dt.date(2026, 1, 1)

#: Sector of an object that is in this domain because it belongs to another one.
SECTOR_OF_DOMAIN: dict[str, str] = {
    "catering": "catering",
    "training": "vocational_training",
    "elderly_care": "elderly_care",
}

#: Sectors of stand-alone issuers, with relative weights.
ISSUER_SECTORS: dict[str, float] = {
    "retail": 25,
    "catering": 15,
    "resident_services": 22,
    "accommodation": 3,
    "fitness": 14,
    "education_training": 10,
    "vocational_training": 2,
    "culture_tourism": 5,
    "transport_services": 3,
    "other": 1,
}
#: Sellers (售卡企业) only exist under the commerce rules.
SELLER_SECTORS: dict[str, float] = {
    "retail": 6,
    "catering": 2,
    "resident_services": 2,
    "accommodation": 1,
}


def _sector(rng: random.Random, obj: SupervisedObject, types: Sequence[str]) -> str:
    for domain, sector in SECTOR_OF_DOMAIN.items():
        if domain in obj.domains:
            return sector
    table = SELLER_SECTORS if "issuer" not in types else ISSUER_SECTORS
    return rng.choices(list(table), weights=list(table.values()))[0]


def synth_attributes(
    objects: Sequence[SupervisedObject],
    domain: str,
    thresholds: TierThresholds,
    seed: int,
) -> list[dict[str, Any]]:
    """One attribute dict per object, deterministic for ``seed`` and the batch."""
    rng = random.Random(seed)
    out = []
    for obj in objects:
        member = obj.domains.get(domain)
        types = tuple(member.object_types) if member is not None else ("issuer",)
        sector = _sector(rng, obj, types)
        large = rng.random() < 0.08
        revenue = round(rng.lognormvariate(15.5 if large else 13.2, 1.0), -3)
        capital = round(rng.choice([0.1, 0.3, 0.5, 1, 2, 5, 10]) * 1_000_000 * (5 if large else 1))
        established = AS_OF - dt.timedelta(days=rng.randint(30, 20 * 365))
        attrs: dict[str, Any] = {
            "sector": sector,
            "main_revenue_last_year": float(revenue),
            "registered_capital": float(capital),
            "established_on": established.isoformat(),
            "issues_bearer_cards": rng.random() < 0.35,
            "redemption_sites": 1 if not large else rng.randint(2, 60),
        }
        if sector in COMMERCE_SECTORS and "issuer" in types:
            attrs["group_parent"] = large and rng.random() < 0.3
            attrs["franchisor"] = large and not attrs["group_parent"] and rng.random() < 0.5
            attrs["tier"] = derive_tier(attrs, thresholds, AS_OF)
        out.append(attrs)
    return out
