"""Synthetic prepaid operators look like the domain: sectors, tiers consistent with the
derivation, and the sector of objects that come from another domain."""

import collections
from functools import cache

from onething_prepaid_card import COMMERCE_SECTORS, derive_tier, plugin
from onething_prepaid_card.synth import AS_OF

from onething import enable
from onething.model import Membership, SupervisedObject


def _objects(n, types=("issuer",), other=None):
    def domains():
        out = {"prepaid_card": Membership(list(types))}
        if other:
            out[other] = Membership(["x"])
        return out

    return [
        SupervisedObject(key=f"S{i:05d}", name="s", region_code="371500", domains=domains())
        for i in range(n)
    ]


@cache
def _domains():
    return enable(["prepaid_card"])


def _synth(objects, seed=5):
    return _domains().synth_attributes("prepaid_card", objects, seed)


def test_tiers_are_those_the_derivation_gives():
    thresholds = plugin.tier_thresholds(AS_OF)
    for attrs in _synth(_objects(300)):
        if "tier" in attrs:
            assert (
                derive_tier({k: v for k, v in attrs.items() if k != "tier"}, thresholds, AS_OF)
                == attrs["tier"]
            )


def test_only_commerce_sector_issuers_get_a_tier():
    for attrs in _synth(_objects(300)):
        assert ("tier" in attrs) == (attrs["sector"] in COMMERCE_SECTORS)


def test_every_tier_and_many_sectors_appear_in_a_large_batch():
    attrs = _synth(_objects(2000))
    assert set(collections.Counter(a.get("tier") for a in attrs)) >= {
        "group",
        "brand",
        "scale",
        "other",
    }
    assert len({a["sector"] for a in attrs}) >= 8


def test_sellers_are_commerce_businesses_without_a_tier():
    for attrs in _synth(_objects(100, types=("seller",))):
        assert attrs["sector"] in COMMERCE_SECTORS
        assert "tier" not in attrs


def test_objects_from_another_domain_take_its_sector():
    assert {a["sector"] for a in _synth(_objects(50, other="catering"))} == {"catering"}
    assert {a["sector"] for a in _synth(_objects(50, other="training"))} == {"vocational_training"}
    assert {a["sector"] for a in _synth(_objects(50, other="elderly_care"))} == {"elderly_care"}


def test_another_seed_gives_another_batch():
    objects = _objects(50)
    assert _synth(objects, seed=1) != _synth(objects, seed=2)
