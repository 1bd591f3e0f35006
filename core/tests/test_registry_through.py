"""Applicability through relations, on SQLite and PostgreSQL: an item with ``through`` applies
to the objects related to those of its object types (the builder of a project carries its wage
duties, every car a platform operates its fleet check), on the day its relation is in force,
derived when asked — no stored row per object; bad declarations are refused naming the item."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from city_support import PROJECT, SITE, city_relations, city_rows, code, rel

from onething import schemas
from onething.errors import InvalidInput
from onething.model import Item, Through, converter
from onething.registry import import_objects
from onething.registry.kinds import object_kinds, relation_types
from onething.registry.mapping import items_of
from onething.registry.relations import import_relations
from onething.registry.through import check_through, through_pairs

#: These tests read the messages in English; test_registry_kinds checks the Chinese.
pytestmark = pytest.mark.usefixtures("english")

ON = dt.date(2025, 6, 1)


@pytest.fixture
def city_store(store, city):
    import_objects(store, city_rows(), app_or_rulebook=city, on=ON)
    import_relations(store, city_relations(), app_or_rulebook=city)
    return store


def pairs(store, city, on=ON, **kw):
    with store.engine.connect() as conn:
        return through_pairs(conn, city, on, **kw)


def test_an_item_applies_to_the_objects_related_to_those_of_its_types(city_store, city):
    assert pairs(city_store, city) == [
        (code(2), "fakecity.009"),  # the project's builder (a contractor) carries its wages
        ("鲁P12345", "fakecity.010"),  # the two cars the platform operates, not the third
        ("鲁PD12345", "fakecity.010"),
    ]
    assert items_of(city_store, code(2), rulebook=city, on=ON) == ["fakecity.007", "fakecity.009"]
    # the objects it reaches through do not carry it themselves
    assert items_of(city_store, PROJECT, rulebook=city, on=ON) == ["fakecity.002"]
    assert items_of(city_store, code(1), rulebook=city, on=ON) == ["fakecity.001"]
    assert items_of(city_store, "鲁P12345F", rulebook=city, on=ON) == ["fakecity.004"]
    # nothing stored per object: the profiles hold no item that applies through a relation
    with city_store.engine.connect() as conn:
        stored = conn.execute(
            sa.text(
                "SELECT count(*) FROM registry_profile_item WHERE item_code IN "
                "('fakecity.009', 'fakecity.010')"
            )
        ).scalar_one()
    assert stored == 0


def test_through_follows_the_relations_in_force_on_the_day(city_store, city):
    ended = rel("operates", code(1), "鲁P12345", end="2025-03-31")
    later = rel("operates", code(1), "鲁P12345F", start="2025-09-01")
    import_relations(city_store, [ended, later], app_or_rulebook=city)
    got = {k for k, c in pairs(city_store, city) if c == "fakecity.010"}
    assert got == {"鲁PD12345"}
    got = {k for k, c in pairs(city_store, city, dt.date(2025, 10, 1)) if c == "fakecity.010"}
    assert got == {"鲁PD12345", "鲁P12345F"}
    assert pairs(city_store, city, dt.date(2024, 12, 31)) == []  # before every relation


def test_the_condition_and_the_related_types_select(city_store, city):
    base = dict(
        name_zh="x", name_en="x", domain="fakecity", departments=["transport"], basis=[],
        measures=["offsite"], stage="during", effective_from=dt.date(2020, 1, 1),
    )  # fmt: skip
    big = Item(
        code="fakecity.901",
        object_types=["platform"],
        condition={"attr": "fleet", "ge": 100},
        through=Through(relation="operates"),
        **base,
    )
    cars = Item(
        code="fakecity.902",
        object_types=["platform"],
        through=Through(relation="operates", object_types=["car"], domain="fakecity"),
        **base,
    )
    assert pairs(city_store, city, items=[big]) == []  # no platform with that attribute
    assert pairs(city_store, city, items=[cars], keys=["鲁PD12345", SITE]) == [
        ("鲁PD12345", "fakecity.902")
    ]
    rows = [r for r in city_rows() if r.get("uscc") == code(1)]
    rows[0]["domains"] = {"fakecity": {"object_types": ["platform"], "attributes": {"fleet": 120}}}
    import_objects(city_store, rows, app_or_rulebook=city, on=ON)
    assert {k for k, _ in pairs(city_store, city, items=[big])} == {"鲁P12345", "鲁PD12345"}


def test_the_registry_show_and_the_checklist_list_items_through(city_store, city):
    from onething.checklist._objects import checklist_of
    from onething.registry.documents import object_document

    app = SimpleNamespace(store=city_store, rulebook=city, domains=city.domains, config=None)
    doc = object_document(app, "鲁PD12345", ON, relations_on=ON)
    assert [i["item"] for i in doc["items"]] == ["fakecity.004", "fakecity.010"]
    checklist = checklist_of(app, ON, object_key=code(2))
    assert set(checklist.items) >= {"fakecity.007", "fakecity.009"}


def test_the_mapping_refresh_lists_the_items_applying_through_and_whom_they_reach(city_store, city):
    """``registry map`` stores no such pair, so its report lists each item with its relation
    and the number of objects it reaches on the day."""
    from onething.registry.mapping import refresh_mapping

    report = refresh_mapping(city_store, city, on=ON)
    got = {
        u.item: (u.relation, u.direction, u.object_types, u.reaches, u.objects)
        for u in report.through
    }
    assert got == {
        "fakecity.009": ("built_by", "out", ["project"], ["contractor"], 1),
        "fakecity.010": ("operates", "out", ["platform"], [], 2),
    }
    assert report.as_json()["through"][1]["objects"] == 2
    before = refresh_mapping(city_store, city, on=dt.date(2024, 12, 31))
    assert {u.item: u.objects for u in before.through} == {"fakecity.009": 0, "fakecity.010": 0}


def test_through_is_read_from_plugin_data():
    raw = {
        "item": [
            {
                "code": "fakecity.011", "name_zh": "x", "name_en": "x",
                "basis": [{"law": "虚构示例条例", "article": "第二条", "status": "unconfirmed"}],
                "departments": ["hrss"], "object_types": ["project"], "measures": ["onsite"],
                "stage": "during", "effective_from": "2020-01-01",
                "through": {"relation": "built_by", "object_types": ["contractor"]},
            }
        ]
    }  # fmt: skip
    data = schemas.check(raw, "plugin-data", location="items.toml", definition="items_file")
    item = converter.structure({**data["item"][0], "domain": "fakecity"}, Item)
    assert item.through == Through(relation="built_by", object_types=("contractor",))
    raw["item"][0]["through"] = {"relation": "built_by", "via": "x"}
    with pytest.raises(InvalidInput, match="through"):
        schemas.check(raw, "plugin-data", location="items.toml", definition="items_file")


def _with_items(domains, items):
    rules = domains.rules("fakecity")
    fake = SimpleNamespace(description=rules.description, items=items)
    return SimpleNamespace(
        names=["fakecity"], rules=lambda n: fake if n == "fakecity" else domains.rules(n)
    )


@pytest.mark.parametrize(
    ("through", "types", "field", "says"),
    [
        (Through(relation="sponsors"), ["project"], "relation", "not a relation type"),
        (Through(relation="built_by"), ["platform"], "direction", "is a business"),
        (Through(relation="operates", object_types=["driver"]), ["platform"], "object_types",
         "is a person"),
        (Through(relation="operates", object_types=["lorry"]), ["platform"], "object_types",
         "not an object type"),
    ],
)  # fmt: skip
def test_a_bad_through_is_refused_naming_the_item_and_field(city, through, types, field, says):
    item = Item(
        code="fakecity.099", name_zh="x", name_en="x", domain="fakecity", departments=["hrss"],
        basis=[], object_types=types, measures=["onsite"], stage="during",
        effective_from=dt.date(2020, 1, 1), through=through,
    )  # fmt: skip
    domains = _with_items(city.domains, [item])
    with pytest.raises(InvalidInput) as err:
        check_through(domains, object_kinds(city.domains), relation_types(city.domains))
    assert "fakecity: item fakecity.099: through" in str(err.value)
    assert field in str(err.value) and says in str(err.value)
