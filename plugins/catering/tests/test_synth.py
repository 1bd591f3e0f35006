"""The catering plugin's synthetic attributes are realistic per object type and host domain,
stable per object, and make every supervision item reachable on a synthetic registry."""

from __future__ import annotations

import datetime as dt
from functools import cache

import jsonschema

import onething
from onething.model import Membership, SupervisedObject
from onething.rulebook import Rulebook

DOMAIN = "catering"
DAY = dt.date(2026, 6, 1)
TYPES = ("restaurant", "canteen", "small_eatery", "central_kitchen")


@cache
def domains():
    return onething.enable([DOMAIN])


def obj(key: str, object_type: str, **other_domains: str) -> SupervisedObject:
    members = {DOMAIN: Membership(object_types=[object_type])}
    members.update({d: Membership(object_types=[t]) for d, t in other_domains.items()})
    return SupervisedObject(key=key, name=key, region_code="371502", domains=members)


def synth(objects, seed=7):
    return domains().synth_attributes(DOMAIN, objects, seed)


def with_attributes(objects, attrs):
    return [
        SupervisedObject(
            key=o.key,
            name=o.name,
            region_code=o.region_code,
            domains={**o.domains, DOMAIN: Membership(o.domains[DOMAIN].object_types, a)},
        )
        for o, a in zip(objects, attrs, strict=True)
    ]


def mixed_batch(n: int = 400) -> list[SupervisedObject]:
    return [obj(f"SYN{i:05d}", TYPES[i % len(TYPES)]) for i in range(n)]


def test_attributes_fit_the_object_type():
    """Only canteens get a canteen kind, only central kitchens a supply mode, and small eateries
    stay under the statutory floor-area limit of a small eatery."""
    batch = mixed_batch()
    limit = Rulebook(domains()).value(DOMAIN, "small_eatery.area_limit", DAY)
    for o, a in zip(batch, synth(batch), strict=True):
        kind = o.domains[DOMAIN].object_types[0]
        assert ("canteen_kind" in a) == (kind == "canteen"), (kind, a)
        assert ("supply_mode" in a) == (kind == "central_kitchen"), (kind, a)
        assert ("banquet_service" in a) == (kind == "restaurant"), (kind, a)
        if kind == "small_eatery":
            assert a["area_m2"] < limit
        if kind == "central_kitchen":
            assert a["food_risk_grade"] == "D"  # key supervision: Art 22(2) of 总局令第49号


def test_attributes_validate_against_the_domain_schema():
    schema = domains().rules(DOMAIN).description.attribute_schema
    batch = mixed_batch(200)
    for a in synth(batch, seed=3):
        jsonschema.validate(a, schema)


def test_a_canteen_takes_its_kind_from_the_host_domain():
    """A canteen that is also an elderly-care home, a construction project or a hospital is that
    host's canteen, so its host department's item applies in the host's visit."""
    batch = [
        obj("HOME", "canteen", elderly_care="institution"),
        obj("SITE", "canteen", construction="project"),
        obj("HOSP", "canteen", medical="hospital"),
        obj("SCHOOL", "canteen", training="institution"),
    ]
    kinds = [a["canteen_kind"] for a in synth(batch)]
    assert kinds == ["elderly_care", "construction_site", "hospital", "school"]


def test_an_object_gets_the_same_attributes_alone_or_in_any_batch():
    batch = mixed_batch(40)
    together = synth(batch, seed=5)
    alone = [synth([o], seed=5)[0] for o in batch]
    backwards = synth(batch[::-1], seed=5)[::-1]
    assert together == alone == backwards


def test_the_seed_changes_the_attributes():
    batch = mixed_batch(40)
    assert synth(batch, seed=1) != synth(batch, seed=2)


def test_every_item_applies_to_some_synthetic_object_and_not_to_others():
    """On a synthetic registry each item is reachable, and none applies to everything: the
    object types and conditions of the item list actually discriminate."""
    batch = mixed_batch()
    objects = with_attributes(batch, synth(batch, seed=11))
    items = Rulebook(domains()).items(DAY, DOMAIN)
    pairs = domains().match_items(DOMAIN, objects, items, DAY)
    by_item: dict[str, set[str]] = {i.code: set() for i in items}
    for key, code in pairs:
        by_item[code].add(key)
    unreachable = sorted(c for c, keys in by_item.items() if not keys)
    assert unreachable == []
    universal = {c for c, keys in by_item.items() if len(keys) == len(objects)}
    # Items without a condition that cover all four object types are meant to be universal.
    meant = {i.code for i in items if i.condition is None and set(i.object_types) == set(TYPES)}
    assert universal == meant
