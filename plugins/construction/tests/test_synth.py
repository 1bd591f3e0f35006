"""The synthetic-attribute generator gives coherent construction objects (registry synth)."""

import datetime as dt

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from onething_construction import plugin

import onething
from onething.applicability import Applicability
from onething.model import Membership, SupervisedObject

TYPES = (
    "project",
    "site",
    "crane",
    "general_contractor",
    "subcontractor",
    "developer",
    "supervisor",
)


def batch(n, object_type, prefix="C"):
    return [
        SupervisedObject(
            key=f"{prefix}{i:05d}",
            name=f"o{i}",
            region_code="371502",
            domains={"construction": Membership(object_types=[object_type])},
        )
        for i in range(n)
    ]


@pytest.fixture(scope="module")
def drawn():
    return {t: plugin.onething_synth_attributes(batch(400, t), seed=3) for t in TYPES}


def test_attributes_match_the_schema(drawn):
    validator = jsonschema.Draft202012Validator(plugin.description.attribute_schema)
    for attrs in (a for t in drawn.values() for a in t):
        validator.validate(attrs)


def test_each_kind_gets_only_its_own_attributes(drawn):
    """A crane has a type and no floor area; a unit has staff; a project has a size and a phase."""
    assert all(set(a) == {"crane_type"} for a in drawn["crane"])
    assert all(set(a) == {"phase", "urban_area"} for a in drawn["site"])
    for unit in ("general_contractor", "subcontractor", "developer", "supervisor"):
        assert all(set(a) == {"employees"} for a in drawn[unit])
    assert all(
        {"phase", "investment_wan", "floor_area_m2", "workers"} <= set(a) for a in drawn["project"]
    )


def test_projects_are_realistic(drawn):
    """The contract price is below the investment; every phase occurs; a few small works fall
    below the permit limit (30 万元 or 300 m²) and most do not."""
    projects = drawn["project"]
    assert all(a["contract_price_wan"] < a["investment_wan"] for a in projects)
    assert {a["phase"] for a in projects} == {
        "preparation",
        "under_construction",
        "suspended",
        "completed",
    }
    small = [a for a in projects if a["investment_wan"] <= 30 or a["floor_area_m2"] <= 300]
    assert 0 < len(small) < len(projects) * 0.15


def test_some_contractors_need_a_safety_director_and_some_do_not(drawn):
    """山东省安全生产条例 第二十一条: 100 staff in a high-risk unit; the synthetic units fall on
    both sides, so item construction.009 applies to some and not to others."""
    staff = [a["employees"] for a in drawn["general_contractor"] + drawn["subcontractor"]]
    assert min(staff) < 100 <= max(staff)


def test_every_item_applies_to_some_synthetic_object_and_each_conditioned_one_leaves_some_out(
    drawn,
):
    book = onething.Rulebook(onething.enable(["construction"]))
    items = book.items(dt.date(2026, 12, 1), domain="construction")
    decide = Applicability(items).codes
    decided = [(kind, set(decide([kind], attrs))) for kind, xs in drawn.items() for attrs in xs]
    assert set().union(*(codes for _, codes in decided)) == {i.code for i in items}
    for item in (i for i in items if i.condition):
        typed = [codes for kind, codes in decided if kind in item.object_types]
        assert any(item.code not in codes for codes in typed), item.code


def test_an_object_gets_the_same_attributes_alone_or_in_any_batch():
    objs = batch(30, "project") + batch(30, "crane", prefix="K")
    together = plugin.onething_synth_attributes(objs, seed=5)
    alone = [plugin.onething_synth_attributes([o], seed=5)[0] for o in objs]
    backwards = plugin.onething_synth_attributes(objs[::-1], seed=5)[::-1]
    assert together == alone == backwards


def test_an_object_of_another_domain_gets_no_attributes():
    other = SupervisedObject(
        key="X1",
        name="x",
        region_code="371502",
        domains={"catering": Membership(object_types=["canteen"])},
    )
    assert plugin.onething_synth_attributes([other], seed=1) == [{}]


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**31 - 1), kind=st.sampled_from(TYPES))
def test_any_seed_gives_valid_coherent_attributes(seed, kind):
    validator = jsonschema.Draft202012Validator(plugin.description.attribute_schema)
    for attrs in plugin.onething_synth_attributes(batch(5, kind), seed=seed):
        validator.validate(attrs)
        if kind == "project":
            assert attrs["contract_price_wan"] < attrs["investment_wan"]
            assert attrs["workers"] >= 3
