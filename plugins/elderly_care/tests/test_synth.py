"""The synthetic-attribute generator gives coherent elderly-care objects."""

import jsonschema
import pytest
from onething_elderly_care import plugin

from onething.model import Membership, SupervisedObject


def batch(n, object_type, prefix="K"):
    return [
        SupervisedObject(
            key=f"{prefix}{i:05d}",
            name=f"o{i}",
            region_code="371502",
            domains={"elderly_care": Membership(object_types=[object_type])},
        )
        for i in range(n)
    ]


@pytest.fixture(scope="module")
def homes():
    return plugin.onething_synth_attributes(batch(400, "care_home"), seed=3)


@pytest.fixture(scope="module")
def centres():
    return plugin.onething_synth_attributes(batch(400, "community_centre"), seed=3)


def test_attributes_match_the_schema(homes, centres):
    validator = jsonschema.Draft202012Validator(plugin.description.attribute_schema)
    for attrs in (*homes, *centres):
        validator.validate(attrs)


def test_institutions_have_ten_beds_or_more_and_no_more_residents_than_beds(homes):
    assert all(a["beds"] >= 10 for a in homes)
    assert all(0 <= a["residents"] <= a["beds"] for a in homes)


def test_community_centres_are_small(centres):
    assert all(a["beds"] < 10 and a["residents"] <= a["beds"] for a in centres)


def test_dependent_attributes_are_coherent(homes, centres):
    for a in (*homes, *centres):
        assert not a["has_gas_kitchen"] or a["has_canteen"]
        assert not a["has_oxygen_pipeline"] or a["has_clinic"]
        assert not (a["charges_deposit"] or a["charges_membership_fee"]) or a["charges_prepaid"]
        # public and publicly-owned homes may not charge membership fees
        assert not a["charges_membership_fee"] or a["ownership"] in (
            "private_nonprofit",
            "private_forprofit",
        )


def test_every_conditional_item_has_objects_on_both_sides(homes):
    """A synthetic registry exercises each condition: some homes with, some without."""
    for attr in ("has_clinic", "has_canteen", "has_lift", "has_boiler", "charges_prepaid"):
        values = {a[attr] for a in homes}
        assert values == {True, False}, attr
    assert {a["ownership"] for a in homes} == {
        "public",
        "public_private",
        "private_nonprofit",
        "private_forprofit",
    }


def test_an_objects_attributes_depend_on_seed_and_key_not_on_the_batch():
    objects = batch(30, "care_home")
    whole = plugin.onething_synth_attributes(objects, seed=5)
    reversed_ = plugin.onething_synth_attributes(objects[::-1], seed=5)
    assert whole == reversed_[::-1]
    assert plugin.onething_synth_attributes(objects[7:8], seed=5) == [whole[7]]
    assert plugin.onething_synth_attributes(objects, seed=6) != whole


def test_objects_without_a_known_type_get_no_attributes():
    obj = SupervisedObject(key="X", name="x", region_code="371502", domains={})
    assert plugin.onething_synth_attributes([obj], seed=1) == [{}]
