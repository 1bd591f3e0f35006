"""The synthetic-attribute generator gives coherent hazchem enterprises (registry synth)."""

import jsonschema
import pytest
from onething_hazchem import plugin

from onething.model import Membership, SupervisedObject


def batch(n, object_type, prefix="H"):
    return [
        SupervisedObject(
            key=f"{prefix}{i:05d}",
            name=f"o{i}",
            region_code="371502",
            domains={"hazchem": Membership(object_types=[object_type])},
        )
        for i in range(n)
    ]


@pytest.fixture(scope="module")
def drawn():
    return {
        t: plugin.onething_synth_attributes(batch(400, t), seed=3)
        for t in ("producer", "trader", "user")
    }


def test_attributes_match_the_schema(drawn):
    validator = jsonschema.Draft202012Validator(plugin.description.attribute_schema)
    for attrs in (a for t in drawn.values() for a in t):
        validator.validate(attrs)


def test_a_major_hazard_source_has_a_grade_and_a_traders_sits_in_its_store(drawn):
    """GB 18218-2018 counts production and storage units; a trader has only storage units."""
    for kind, xs in drawn.items():
        for attrs in xs:
            if attrs["major_hazard_sources"] >= 1:
                assert 1 <= attrs["major_hazard_top_level"] <= 4
                assert attrs["has_storage"] or kind != "trader"
            else:
                assert "major_hazard_top_level" not in attrs
            # storage facilities (installations synth draws) only where the enterprise stores
            assert (attrs["storage_facilities"] >= 1) == attrs["has_storage"]


def test_object_types_follow_the_regulation(drawn):
    # producers store and hold a production licence, not a use licence (条例 第十四条、第二十九条)
    assert all(a["has_storage"] and not a["use_licence_required"] for a in drawn["producer"])
    # only chemical users need a use licence; traders run no hazardous process
    assert not any(a["use_licence_required"] or a["hazardous_process"] for a in drawn["trader"])
    assert all(a["use_licence_required"] for a in drawn["user"] if a["hazardous_process"])
    assert not any(a["sells_online"] for a in drawn["user"])
    # traders are small, producers larger
    mean = {t: sum(a["employees"] for a in xs) / len(xs) for t, xs in drawn.items()}
    assert mean["trader"] < mean["user"] < mean["producer"]


def test_every_conditional_item_has_objects_on_both_sides(drawn):
    """A synthetic registry exercises each item condition and risk-rule condition."""
    everyone = [a for t in drawn.values() for a in t]
    for attr in (
        "has_storage",
        "handles_toxic",
        "handles_precursor",
        "use_licence_required",
        "has_pressure_equipment",
        "own_dg_vehicles",
        "sells_online",
    ):
        assert {a[attr] for a in everyone} == {True, False}, attr
    assert {a["major_hazard_sources"] >= 1 for a in everyone} == {True, False}
    assert {a.get("major_hazard_top_level") for a in everyone} == {None, 1, 2, 3, 4}


def test_an_objects_attributes_depend_on_seed_and_key_not_on_the_batch():
    objects = batch(30, "producer")
    whole = plugin.onething_synth_attributes(objects, seed=5)
    reversed_ = plugin.onething_synth_attributes(objects[::-1], seed=5)
    assert whole == reversed_[::-1]
    assert plugin.onething_synth_attributes(objects[7:8], seed=5) == [whole[7]]
    assert plugin.onething_synth_attributes(objects, seed=6) != whole


def test_objects_without_a_hazchem_type_get_no_attributes():
    obj = SupervisedObject(key="X", name="x", region_code="371502", domains={})
    assert plugin.onething_synth_attributes([obj], seed=1) == [{}]


def test_every_item_applies_to_some_synthetic_enterprises_and_each_conditioned_one_not_to_all():
    """On a synthetic registry (the generator's attributes, the items' own conditions) every
    item in force applies somewhere, and every item with a condition also leaves some out."""
    import datetime as dt

    import attrs

    from onething.applicability import match_by_data
    from onething.model import Membership, in_force

    on = dt.date(2026, 12, 7)
    # items applying through installed_at reach installations, not these (test_plan.py)
    items = [i for i in plugin.onething_list_items() if in_force(i, on) and i.through is None]
    objects = []
    for kind in ("producer", "trader", "user"):
        for obj, attrs_ in zip(
            batch(200, kind, prefix=kind[0]),
            plugin.onething_synth_attributes(batch(200, kind, prefix=kind[0]), seed=9),
            strict=True,
        ):
            objects.append(
                attrs.evolve(
                    obj, domains={"hazchem": Membership(object_types=[kind], attributes=attrs_)}
                )
            )
    pairs = set(match_by_data("hazchem", objects, items))
    for item in items:
        keys = {k for k, code in pairs if code == item.code}
        assert keys, item.code
        if item.condition is not None:
            typed = {
                o.key
                for o in objects
                if set(o.domains["hazchem"].object_types) & set(item.object_types)
            }
            assert keys < typed, item.code
