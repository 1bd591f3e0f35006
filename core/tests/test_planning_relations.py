"""Planning through relations, on SQLite and PostgreSQL: the tasks of every object present
at a place join one visit there; vehicles and drivers (off-site kinds) never get a visit, their
tasks are the plan's off-site checks; plan verify sees a changed relation."""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from city_support import PROJECT, SITE, WORKS, city_relations, city_rows, code, rel

from onething.planning import Inspector, import_pool, make_plan, verify_plan, write_plan
from onething.planning.presence import presence_of, resolve_places
from onething.registry import import_objects
from onething.registry.relations import import_relations

ON = dt.date(2025, 6, 1)
DEPARTMENTS = ("market", "fire", "housing", "transport", "hrss", "emergency")


@pytest.fixture
def city_store(store, city):
    import_objects(store, city_rows(), app_or_rulebook=city, on=ON)
    import_relations(store, city_relations(), app_or_rulebook=city)
    pool = [
        Inspector(id=f"{d}-{n}", name=f"{d}{n}", department=d, region="371500")
        for d in DEPARTMENTS
        for n in range(4)
    ]
    import_pool(store, pool, "test")
    return store


def test_a_site_visit_covers_everything_present_and_vehicles_are_checked_off_site(city_store, city):
    doc = make_plan(city_store, city, cycle="2026Q1", seed="S", by="tester")
    tasks = {t["id"]: t for t in doc["tasks"]}
    site = [v for v in doc["visits"] if v["key"] == SITE]
    assert len(site) == 1, "one visit per site"
    visit = site[0]
    # the project (located_at), the contractor (works_at) and the installation at the
    # contractor's (installed_at, chained) are all visited at the site
    assert visit["objects"] == sorted([PROJECT, SITE, code(2), WORKS])
    assert {tasks[t]["item"] for t in visit["tasks"]} == {
        "fakecity.002",
        "fakecity.003",
        "fakecity.006",
        "fakecity.007",
        "fakecity.009",  # the project's wage duties on its builder, through built_by
    }
    assert set(visit["departments"]) == {"emergency", "hrss", "housing"} and visit["joint"]
    # nothing present elsewhere gets a visit of its own
    visited = {v["key"] for v in doc["visits"]}
    assert not visited & {PROJECT, code(2), WORKS}
    assert code(1) in visited  # the platform at its own premises
    # vehicles and the driver: off-site checks only, listed apart, never a visit
    offsite = {(x["key"], x["item"]) for x in doc["offsite_checks"]}
    assert {i for _, i in offsite} == {"fakecity.004", "fakecity.005", "fakecity.010"}
    assert len({k for k, _ in offsite}) == 4 and not visited & {k for k, _ in offsite}
    assert {"鲁P12345", "鲁PD12345", "鲁P12345F"} <= {k for k, _ in offsite}
    # the platform's fleet check on the two cars it operates (through operates), not the third
    assert {k for k, i in offsite if i == "fakecity.010"} == {"鲁P12345", "鲁PD12345"}
    assert doc["summary"]["offsite_checks"] == 6
    assert doc["presence"]["offsite_objects"] == 4
    assert verify_plan(city_store, city, doc) == []


def test_plan_files_list_off_site_checks_apart(city_store, city, tmp_path):
    doc = make_plan(city_store, city, cycle="2026Q1", seed="S", by="tester")
    paths = write_plan(doc, tmp_path / "out")
    with paths["csv"].open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    offsite = [r for r in rows if r["status"] == "offsite"]
    assert len(offsite) == 6 and all(r["visit"] == "" for r in offsite)
    assert "非现场核查" in paths["html"].read_text("utf-8")


def test_verify_sees_a_relation_that_changed_since_the_draw(city_store, city):
    doc = make_plan(city_store, city, cycle="2026Q1", seed="S", by="tester")
    ended = rel("located_at", PROJECT, SITE, end="2025-12-31")
    import_relations(city_store, [ended], app_or_rulebook=city)
    problems = verify_plan(city_store, city, doc)
    assert any(p.startswith("presence:") for p in problems), problems
    # the project is now visited on its own
    again = make_plan(city_store, city, cycle="2026Q1", seed="S", by="tester", reason="变更")
    assert PROJECT in {v["key"] for v in again["visits"]}


def test_a_registry_of_businesses_alone_plans_as_before(store, city):
    rows = [r for r in city_rows() if r["object_kind"] == "business"]
    import_objects(store, rows, app_or_rulebook=city, on=ON)
    import_pool(
        store,
        [
            Inspector(id=f"{d}-{n}", name="x", department=d, region="371500")
            for d in DEPARTMENTS
            for n in range(4)
        ],
        "test",
    )
    doc = make_plan(store, city, cycle="2026Q1", seed="S", by="tester")
    assert "presence" not in doc and "offsite_checks" not in doc
    assert all("objects" not in v for v in doc["visits"])


def test_places_chain_and_an_object_at_several_places_is_visited_at_one():
    direct = {"a": {"b"}, "b": {"c"}, "x": {"s1", "s2"}, "p": {"q"}, "q": {"p"}, "y": {"a", "c"}}
    places = resolve_places(direct)
    assert places["a"] == "c" and places["b"] == "c"
    assert "x" not in places  # two sites: decided by the plan
    assert places["p"] == "q" and places["q"] == "p"  # a cycle stops after one step
    presence = presence_of(direct, set())
    assert presence.several == {"x": ("s1", "s2")}
    assert presence.places["y"] == "c"  # both of its places chain to c: one place
    assert presence.choose_places({"s2"})["x"] == "s2"  # the site visited anyway
    assert presence.choose_places(set())["x"] == "s1"  # else the first


def test_a_unit_working_at_two_sites_joins_the_visit_of_one(city_store, city):
    other = "SITE-371502-0002"
    rows = [r for r in city_rows() if r.get("key") == SITE]
    import_objects(city_store, [{**rows[0], "key": other, "name": "另一现场"}],
                   app_or_rulebook=city, on=ON)  # fmt: skip
    import_relations(city_store, [rel("works_at", code(2), other)], app_or_rulebook=city)
    doc = make_plan(city_store, city, cycle="2026Q1", seed="S", by="tester")
    visits = {v["key"]: v for v in doc["visits"]}
    assert code(2) not in visits  # no visit of its own
    assert code(2) in visits[SITE]["objects"] and WORKS in visits[SITE]["objects"]
    assert code(2) not in (visits[other].get("objects") or [])
    assert verify_plan(city_store, city, doc) == []
