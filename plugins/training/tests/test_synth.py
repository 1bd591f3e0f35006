"""Synthetic training objects look like the domain: coherent sizes, licence and subsidy status,
prepaid tuition where the school is also a prepaid operator, and every conditional item on both
sides in a synthetic registry."""

import jsonschema
import pytest
from onething_training import plugin

from onething import Rulebook, enable
from onething.model import Membership, SupervisedObject


def batch(n, object_type, other=None, prefix="T"):
    def domains():
        out = {"training": Membership(object_types=[object_type])}
        if other:
            out[other] = Membership(object_types=["issuer"])
        return out

    return [
        SupervisedObject(key=f"{prefix}{i:05d}", name="t", region_code="371502", domains=domains())
        for i in range(n)
    ]


@pytest.fixture(scope="module")
def schools():
    return plugin.onething_synth_attributes(batch(400, "training_school"), seed=3)


@pytest.fixture(scope="module")
def bodies():
    return plugin.onething_synth_attributes(batch(200, "evaluation_body", prefix="E"), seed=3)


def test_attributes_match_the_schema(schools, bodies):
    validator = jsonschema.Draft202012Validator(plugin.description.attribute_schema)
    for attrs in (*schools, *bodies):
        validator.validate(attrs)


def test_schools_are_coherent(schools):
    for a in schools:
        assert a["staff"] >= a["full_time_teachers"] >= 3
        assert a["teaching_area_m2"] >= 300
        # an unlicensed provider is neither subsidised nor certified, and has no licence date
        if not a["licensed"]:
            assert not a["subsidised"] and not a["issues_skill_certificates"]
            assert "licence_valid_to" not in a
        else:
            assert "licence_valid_to" in a
        assert a["annual_trainees"] <= a["workstations"] * 6


def test_evaluation_bodies_have_a_kind_and_no_school_attributes(bodies):
    assert {a["evaluation_kind"] for a in bodies} == {"social_org", "employer"}
    assert all("licensed" not in a and "workstations" not in a for a in bodies)


def test_a_school_in_the_prepaid_card_domain_takes_tuition_in_advance():
    attrs = plugin.onething_synth_attributes(
        batch(50, "training_school", other="prepaid_card"), seed=1
    )
    assert all(a["prepaid_tuition"] for a in attrs)


def test_attributes_of_an_object_do_not_depend_on_its_batch(schools):
    objects = batch(400, "training_school")
    alone = plugin.onething_synth_attributes(objects[17:18], seed=3)
    assert alone == [schools[17]]
    assert plugin.onething_synth_attributes(objects[:5], seed=4) != schools[:5]


def test_every_conditional_item_has_objects_on_both_sides():
    """A synthetic registry exercises each condition: some objects with, some without."""
    import datetime as dt

    domains = enable(["training"])
    on = dt.date(2026, 6, 1)
    items = Rulebook(domains).items(on, "training")
    objects = batch(300, "training_school") + batch(60, "evaluation_body", prefix="E")
    attrs = plugin.onething_synth_attributes(objects, seed=9)
    objects = [
        SupervisedObject(
            key=o.key,
            name=o.name,
            region_code=o.region_code,
            domains={"training": Membership(o.domains["training"].object_types, a)},
        )
        for o, a in zip(objects, attrs, strict=True)
    ]
    matched = domains.match_items("training", objects, items, on)
    by_item = {i.code: {k for k, c in matched if c == i.code} for i in items}
    for item in items:
        if item.condition is not None:
            eligible = {
                o.key
                for o in objects
                if set(o.domains["training"].object_types) & set(item.object_types)
            }
            assert 0 < len(by_item[item.code]) < len(eligible), item.code
