"""Risk through relations, on SQLite and PostgreSQL: a rule reads a fact on the objects related to
its own and aggregates it in the set-based engine (the share of a platform's cars past the exit
age, their highest mileage, the share of its drivers' orders served without a permit, two hops
away); the engine agrees with the reference semantics (Hypothesis), explain shows the aggregate,
bad declarations are refused naming the rule."""

from __future__ import annotations

import datetime as dt
import shutil
from types import SimpleNamespace

import pytest
from city_support import ID1, SECRET, city_relations, city_rows, code, person_id, plate, rel
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onething.errors import InvalidInput
from onething.model import Over
from onething.registry import get_object, import_objects
from onething.registry.kinds import relation_types
from onething.registry.personal import person_key
from onething.registry.relations import import_relations
from onething.registry.through import check_over
from onething.risk import evaluate as reference_evaluate
from onething.risk.engine import fire_all
from onething.risk.explain import explain
from onething.risk.facts import fact_kinds, facts_of, ingest, merge_for_rules
from onething.store import Store

#: These tests read the messages and explanations in English.
pytestmark = pytest.mark.usefixtures("english")

ON = dt.date(2025, 6, 30)
CARS = ["鲁P12345", "鲁PD12345"]  # operated by code(1); 鲁P12345F by no one


def facts(*rows):
    return list(enumerate(({"source": "t", "observed_at": "2025-06-01", **r} for r in rows), 1))


def fired(store, city) -> dict[str, tuple]:
    _, warnings = fire_all(store, city, ON, domains=["fakecity"])
    return {w.rule_id.split(".")[1]: (w.key, w.observed) for w in warnings}


def test_a_platform_is_judged_by_its_cars_and_their_drivers(store, city):
    import_objects(store, city_rows(), app_or_rulebook=city, on=ON)
    import_relations(store, city_relations(), app_or_rulebook=city)
    driver = person_key(SECRET.encode(), ID1)
    ingest(
        store,
        city,
        facts(
            {"key": CARS[0], "fact": "vehicle_age_years", "value": 9},  # past the exit age (8)
            {"key": CARS[1], "fact": "vehicle_age_years", "value": 3},
            {"key": "鲁P12345F", "fact": "vehicle_age_years", "value": 12},  # not the platform's
            {"key": CARS[0], "fact": "mileage_km", "value": 650_000},
            {"key": CARS[1], "fact": "mileage_km", "value": 20_000},
            {"key": driver, "fact": "driver_unlicensed", "value": True},
            {"key": driver, "fact": "orders", "value": 40},
        ),
        label="t",
        on=ON,
    )
    got = fired(store, city)
    assert got["fleet_overage_share"] == (code(1), 0.5)  # 1 of its 2 cars > 25 %
    assert got["fleet_mileage_max"] == (code(1), 650_000)
    assert got["unlicensed_driver_orders"] == (code(1), 1.0)  # platform → car → driver
    # the aggregate is the platform's: no warning on a car
    assert all(k == code(1) for k, _ in got.values())
    doc = explain(store, city, code(1), ON)
    share = next(r for r in doc["rules"] if r["rule"] == "fakecity.fleet_overage_share")
    assert share["fired"] and share["observed"] == 0.5 and "over operates" in share["reason"]
    # the older car leaves the fleet: the share falls to 0, the highest mileage with it
    ended = rel("operates", code(1), CARS[0], end="2025-03-31")
    import_relations(store, [ended], app_or_rulebook=city)
    assert fired(store, city) == {}


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    ages=st.lists(st.none() | st.integers(0, 12), min_size=6, max_size=6),
    mileage=st.lists(st.none() | st.integers(0, 900_000), min_size=6, max_size=6),
    unlicensed=st.lists(st.none() | st.booleans(), min_size=6, max_size=6),
    orders=st.lists(st.none() | st.integers(0, 50), min_size=6, max_size=6),
    fleet=st.lists(st.integers(0, 2), min_size=6, max_size=6),
    driven=st.lists(st.booleans(), min_size=6, max_size=6),
)
def test_the_engine_agrees_with_the_reference_over_related_objects(
    tmp_path_factory, _sqlite_template, city, ages, mileage, unlicensed, orders, fleet, driven
):
    """Three platforms, six cars each owned by one (or by the third, of no interest) and
    perhaps driven; random facts on the cars and drivers, some missing."""
    path = tmp_path_factory.mktemp("over") / "onething.db"
    shutil.copyfile(_sqlite_template, path)
    store = Store(f"sqlite:///{path}")
    try:
        platforms = [code(10 + p) for p in range(3)]
        cars, drivers = [plate(i) for i in range(6)], [person_id(i) for i in range(6)]
        rows = [
            {"object_kind": "business", "uscc": p, "name": "平台", "region_code": "371502",
             "domains": {"fakecity": {"object_types": ["platform"]}}}
            for p in platforms
        ] + [
            {"object_kind": kind, "key": k, "name": "x", "region_code": "371502",
             "domains": {"fakecity": {"object_types": [t]}}}
            for kind, t, keys in (("vehicle", "car", cars), ("person", "driver", drivers))
            for k in keys
        ]  # fmt: skip
        import_objects(store, rows, app_or_rulebook=city, on=ON)
        relations = [rel("operates", platforms[f], c) for f, c in zip(fleet, cars, strict=True)]
        relations += [
            rel("driven_by", c, d) for c, d, yes in zip(cars, drivers, driven, strict=True) if yes
        ]
        import_relations(store, relations, app_or_rulebook=city)
        hashed = [person_key(SECRET.encode(), d) for d in drivers]
        observed = []
        for i in range(6):
            for key, fact, value in (
                (cars[i], "vehicle_age_years", ages[i]),
                (cars[i], "mileage_km", mileage[i]),
                (hashed[i], "driver_unlicensed", unlicensed[i]),
                (hashed[i], "orders", orders[i]),
            ):
                if value is not None:
                    observed.append({"key": key, "fact": fact, "value": value})
        if observed:
            ingest(store, city, facts(*observed), label="t", on=ON)
        _, batch = fire_all(store, city, ON, domains=["fakecity"])
        kinds = fact_kinds(city, ON)
        keys = platforms + cars + hashed
        objects = [get_object(store, k) for k in keys]
        per_object = {k: merge_for_rules(*facts_of(store, k, ON), kinds) for k in keys}
        stored = [("operates", platforms[f], c) for f, c in zip(fleet, cars, strict=True)]
        stored += [
            ("driven_by", c, h) for c, h, yes in zip(cars, hashed, driven, strict=True) if yes
        ]
        reference = {
            (v.key, v.rule, round(v.observed, 9))
            for v in reference_evaluate(objects, per_object, city, ON, stored)
            if v.fired and v.rule.startswith("fakecity.")
        }
        assert {(w.key, w.rule_id, round(w.observed, 9)) for w in batch} == reference
    finally:
        store.dispose()


def _with_rules(domains, rules):
    real = domains.rules("fakecity")
    fake = SimpleNamespace(description=real.description, risk_rules=rules)
    return SimpleNamespace(names=["fakecity"], rules=lambda n: fake)


@pytest.mark.parametrize(
    ("over", "field", "says"),
    [
        (Over(path=["sponsors"], aggregate="max"), "path[0]", "not a relation type"),
        (Over(path=["driven_by"], aggregate="max"), "path[0]", "starts at a vehicle"),
        (Over(path=["operates", "operates"], aggregate="max"), "path[1]", "starts at a business"),
        (Over(path=["operates"], aggregate="max", object_types=["driver"]), "object_types",
         "is a person"),
    ],
)  # fmt: skip
def test_a_bad_over_is_refused_naming_the_rule_and_field(city, over, field, says):
    from attrs import evolve

    rule = next(r for r in city.risk_rules(ON, "fakecity") if r.over is not None)
    domains = _with_rules(city.domains, [evolve(rule, over=over)])
    with pytest.raises(InvalidInput) as err:
        check_over(domains, relation_types(city.domains))
    assert f"fakecity: risk rule {rule.id}: over" in str(err.value)
    assert field in str(err.value) and says in str(err.value)
