"""onething domain plugin: 单用途商业预付卡 (Single-purpose commercial prepaid cards).

The rules are data in ``data/``; see this plugin's README for sources and overrides. Python adds
only what data cannot express: the issuer tier derived from registry attributes (for items that
depend on it, when the registry lacks the tier of the filing record) and realistic synthetic
attributes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from functools import partial
from typing import Any

from attrs import evolve

from onething import DataDomain, NotInForce, hookimpl
from onething.applicability import match_by_data
from onething.model import Item, Membership, SupervisedObject, in_force

from .synth import AS_OF, synth_attributes
from .tiers import COMMERCE_SECTORS, TIERS, TierThresholds, derive_tier

ONETHING_API = 1

__all__ = [
    "COMMERCE_SECTORS",
    "ONETHING_API",
    "TIERS",
    "PrepaidCardDomain",
    "TierThresholds",
    "derive_tier",
    "plugin",
]


class PrepaidCardDomain(DataDomain):
    """The prepaid_card data, plus tier derivation and synthetic attributes."""

    def _value(self, name: str, on: dt.date) -> Any:
        """The plugin's own value of parameter ``name`` on ``on``, or ``None``."""
        for p in self.onething_list_parameters():
            if p.name == name:
                return next((v.value for v in p.values if in_force(v, on)), None)
        raise LookupError(f"prepaid_card has no parameter {name}")

    def tier_thresholds(self, on: dt.date, rulebook: Any = None) -> TierThresholds | None:
        """The tier thresholds in force on ``on``, or ``None`` before the tiers existed: from
        the deployment's ``rulebook`` (so a city's override of ``tier.*`` applies) when given,
        else the plugin's own values. A ``tier`` on the registry record still wins."""
        read = self._value if rulebook is None else partial(_in_force, rulebook, self.code)
        values = [
            read(name, on)
            for name in (
                "tier.scale_min_revenue",
                "tier.scale_min_capital_new",
                "tier.new_business_period",
            )
        ]
        if None in values:
            return None
        return TierThresholds(*values)

    @hookimpl
    def onething_match_items(
        self, objects: Sequence[SupervisedObject], items: Sequence[Item], on: dt.date, rulebook
    ) -> Iterable[tuple[str, str]]:
        """Core's data matching, with the issuer tier derived where the registry lacks it
        (thresholds as the deployment's rulebook has them)."""
        thresholds = self.tier_thresholds(on, rulebook)
        enriched = []
        for obj in objects:
            member = obj.domains.get(self.code)
            if thresholds is not None and member is not None and "tier" not in member.attributes:
                tier = derive_tier(member.attributes, thresholds, on)
                if tier is not None:
                    attrs = {**member.attributes, "tier": tier}
                    domains = {**obj.domains, self.code: Membership(member.object_types, attrs)}
                    obj = evolve(obj, domains=domains)
            enriched.append(obj)
        return list(match_by_data(self.code, enriched, items))

    @hookimpl
    def onething_synth_attributes(
        self, objects: Sequence[SupervisedObject], seed: int
    ) -> Sequence[dict[str, Any]]:
        return synth_attributes(objects, self.code, self.tier_thresholds(AS_OF), seed)


def _in_force(rulebook: Any, domain: str, name: str, on: dt.date) -> Any:
    try:
        return rulebook.value(domain, name, on)
    except NotInForce:
        return None


plugin = PrepaidCardDomain(__name__)
