"""The synthetic-attribute generator gives coherent medical institutions, stable per object, on
both sides of every item condition."""

import jsonschema
import pytest
from onething_medical import plugin

from onething.model import Membership, SupervisedObject


def batch(n, object_type, prefix="K", **other):
    domains = {"medical": Membership(object_types=[object_type])}
    domains.update({d: Membership(object_types=[t]) for d, t in other.items()})
    return [
        SupervisedObject(
            key=f"{prefix}{i:05d}", name=f"o{i}", region_code="371502", domains=domains
        )
        for i in range(n)
    ]


@pytest.fixture(scope="module")
def drawn():
    return {
        t: plugin.onething_synth_attributes(batch(400, t), seed=3)
        for t in ("hospital", "clinic", "village_clinic", "in_house_clinic")
    }


def test_attributes_match_the_schema(drawn):
    validator = jsonschema.Draft202012Validator(plugin.description.attribute_schema)
    for attrs in (a for group in drawn.values() for a in group):
        validator.validate(attrs)


def test_hospitals_are_licensed_have_beds_and_levels_follow_beds(drawn):
    for a in drawn["hospital"]:
        assert a["authorisation"] == "licence" and a["beds"] >= 20
        if a["beds"] >= 500:
            assert a["level"] == "level3"
        elif a["beds"] >= 100:
            assert a["level"] == "level2"
        else:
            assert a["level"] in ("level1", "ungraded")
        assert not a["beds"] >= 100 or a["key_fire_safety_unit"]


def test_village_and_in_house_clinics_have_no_radiology_and_few_beds(drawn):
    for a in (*drawn["village_clinic"], *drawn["in_house_clinic"]):
        assert a["has_radiology"] is False and a["beds"] <= 20
    assert all(a["authorisation"] == "licence" for a in drawn["village_clinic"])


def test_every_conditional_item_has_objects_on_both_sides(drawn):
    clinics = drawn["clinic"]
    for attr in ("insurance_designated", "has_radiology"):
        assert {a[attr] for a in clinics} == {True, False}, attr
    assert {a["authorisation"] for a in clinics} == {"licence", "filing"}


def test_a_care_homes_clinic_keeps_infirmary_beds_sometimes():
    homes = plugin.onething_synth_attributes(
        batch(300, "in_house_clinic", prefix="H", elderly_care="care_home"), seed=4
    )
    assert any(a["beds"] > 0 for a in homes) and any(a["beds"] == 0 for a in homes)


def test_an_objects_attributes_depend_on_seed_and_key_not_on_the_batch():
    objects = batch(30, "clinic")
    whole = plugin.onething_synth_attributes(objects, seed=5)
    assert plugin.onething_synth_attributes(objects[::-1], seed=5) == whole[::-1]
    assert plugin.onething_synth_attributes(objects[7:8], seed=5) == [whole[7]]
    assert plugin.onething_synth_attributes(objects, seed=6) != whole


def test_objects_without_a_medical_type_get_no_attributes():
    obj = SupervisedObject(key="X", name="x", region_code="371502", domains={})
    assert plugin.onething_synth_attributes([obj], seed=1) == [{}]


def test_only_a_clinic_not_an_outpatient_department_practises_on_filing():
    objects = [
        SupervisedObject(
            key=f"M{i:04d}",
            name=f"某{i}口腔门诊部",
            region_code="371502",
            domains={"medical": Membership(object_types=["clinic"])},
        )
        for i in range(200)
    ]
    assert {a["authorisation"] for a in plugin.onething_synth_attributes(objects, seed=2)} == {
        "licence"
    }
