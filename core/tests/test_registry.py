"""The registry (监管对象名录库) on SQLite and PostgreSQL: import in each format, validation,
all-or-nothing, skip-invalid with a rejects file, upsert with history, the object–item
mapping following object and item changes, baseline counts and gaps, the read API."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sys
import types

import attrs
import pytest
import sqlalchemy as sa
from fake_support import entry_point

from onething import Deployment, InvalidInput, Rulebook, enable, hookimpl
from onething.outfiles import sqlite_file
from onething.registry import (
    count_objects,
    get_object,
    import_file,
    import_objects,
    iter_objects,
)
from onething.registry import stats as registry_stats
from onething.registry.mapping import items_of, refresh_mapping
from onething.registry.uscc import alternative_key, make_uscc
from onething.store.registry import ObjectHistory, RegistryImport, RegistryObject

#: These tests read the messages in English; test_registry_kinds checks the Chinese.
pytestmark = pytest.mark.usefixtures("english")

ON = dt.date(2026, 11, 27)
LIAOCHENG = Deployment(region="371500", level="city", domains=("fake",))


def code(n: int, county: str = "371502") -> str:
    return make_uscc("9", "1", county, f"{n:08d}")


def row(n: int, *, types_=("shop",), uses_gas=True, **more) -> dict:
    base = {
        "uscc": code(n),
        "name": f"测试商店{n}",
        "region_code": "371502",
        "address": f"东昌府区柳园路{n}号",
        "domains": json.dumps(
            {"fake": {"object_types": list(types_), "attributes": {"uses_gas": uses_gas}}}
        ),
        "licences": json.dumps(
            [
                {
                    "number": f"JY{n:06d}",
                    "kind": "food_business",
                    "department": "market",
                    "valid_from": "2024-01-01",
                    "valid_to": "2028-12-31",
                }
            ]
        ),
        "credit_grade": "A",
        "risk_grade": "B",
    }
    return {**base, **more}


@pytest.fixture
def rulebook(fake_domains):
    return Rulebook(fake_domains, LIAOCHENG)


def load(store, rulebook, rows, **kw):
    return import_objects(store, rows, app_or_rulebook=rulebook, on=ON, **kw)


def names(store) -> dict[str, str]:
    return {o.key: o.name for batch in iter_objects(store) for o in batch}


def write_csv(path, rows):
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def write_xlsx(path, rows):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(list(rows[0]))
    for r in rows:
        # Excel users type region codes as numbers: the importer reads them back as text
        ws.append([int(v) if k == "region_code" else v for k, v in r.items()])
    wb.save(path)
    return path


# -- import formats ------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "jsonl"])
def test_each_format_imports_the_same_objects(store, rulebook, tmp_path, fmt):
    rows = [row(1), row(2, types_=("kiosk",), uses_gas=False)]
    if fmt == "jsonl":  # JSON Lines may carry domains and licences as JSON values
        rows = [{**r, "domains": json.loads(r["domains"])} for r in rows]
    path = {"csv": write_csv, "xlsx": write_xlsx, "jsonl": write_jsonl}[fmt](
        tmp_path / f"in.{fmt}", rows
    )
    report = import_file(store, path, app_or_rulebook=rulebook, on=ON)
    assert (report.format, report.rows, report.inserted) == (fmt, 2, 2)
    obj = get_object(store, code(1))
    assert obj.region_code == "371502"
    assert obj.domains["fake"].object_types == ("shop",)
    assert obj.domains["fake"].attributes == {"uses_gas": True}
    assert obj.licences[0].valid_to == dt.date(2028, 12, 31)
    assert (obj.credit_grade, obj.risk_grade) == ("A", "B")


def test_prefixed_columns_carry_domain_attributes(store, rulebook, tmp_path):
    r = {k: v for k, v in row(3).items() if k != "domains"}
    r |= {"fake.object_types": "shop;kiosk", "fake.floor_area": "42", "fake.uses_gas": "false"}
    import_file(store, write_csv(tmp_path / "p.csv", [r]), app_or_rulebook=rulebook, on=ON)
    member = get_object(store, code(3)).domains["fake"]
    assert member.object_types == ("kiosk", "shop")
    assert member.attributes == {"floor_area": 42, "uses_gas": False}


def test_an_unknown_column_rejects_the_file_before_anything_is_read(store, rulebook, tmp_path):
    path = write_csv(tmp_path / "u.csv", [{**row(1), "phone": "123"}])
    with pytest.raises(InvalidInput, match=r"u\.csv:1: phone: unknown column"):
        import_file(store, path, app_or_rulebook=rulebook, on=ON)
    assert count_objects(store) == 0


# -- validation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"uscc": code(1)[:17]}, "uscc", "18 characters"),
        ({"uscc": code(1).lower()}, "uscc", "lower case"),
        ({"uscc": code(1)[:17] + "O"}, "uscc", "no I, O, S, V or Z"),
        ({"uscc": code(1)[:17] + ("0" if code(1)[17] != "0" else "1")}, "uscc", "check character"),
        ({"uscc": ""}, "uscc", "alternative key"),
        ({"region_code": "370102"}, "region_code", "outside the deployment's region 371500"),
        ({"region_code": "371523"}, "region_code", "retired in 2019; use 371503"),
        ({"name": " "}, "name", "missing"),
        ({"credit_grade": "a"}, "credit_grade", "not one of A, B, C, D"),
        ({"domains": "{}"}, "domains", "at least one domain"),
        ({"domains": '{"catering": {"object_types": ["x"]}}'}, "domains.catering", "not enabled"),
        ({"domains": '{"fake": {"object_types": ["bank"]}}'}, "domains.fake.object_types", "shop"),
        (
            {"domains": '{"fake": {"object_types": ["shop"], "attributes": {"floor_area": 0}}}'},
            "domains.fake.attributes.floor_area",
            "minimum",
        ),
        ({"licences": "[{}]"}, "licences[0]", "number"),
        (
            {"licences": '[{"number": "1", "kind": "k", "department": "nope"}]'},
            "licences[0].department",
            "unknown department",
        ),
        (
            {
                "licences": '[{"number": "1", "kind": "k", "department": "market", '
                '"valid_from": "2025-01-01", "valid_to": "2024-01-01"}]'
            },
            "licences[0].valid_to",
            "before valid_from",
        ),
        ({"domains": "{not json"}, "domains", "not valid JSON"),
    ],
)
def test_a_bad_row_names_row_field_and_reason(store, rulebook, change, field, message):
    with pytest.raises(InvalidInput) as exc:
        load(store, rulebook, [row(7), row(1, **change)], source="in.csv")
    assert exc.value.location == "in.csv:2"
    assert exc.value.path == field
    assert message in exc.value.message
    assert count_objects(store) == 0


def test_tolerant_checksum_stores_flagged_rows_and_lists_them(store, rulebook):
    early = code(5)[:17] + ("0" if code(5)[17] != "0" else "1")
    report = load(store, rulebook, [row(1), row(5, uscc=early)], checksum="tolerant")
    assert report.flagged == [("<rows>:2", early)]
    assert report.inserted == 2
    with store.session() as s:
        assert s.get(RegistryObject, early).checksum_ok is False
        assert s.get(RegistryObject, code(1)).checksum_ok is True
    assert registry_stats.gaps(store, rulebook, on=ON)["flagged_uscc"] == 1


def test_tolerant_checksum_still_rejects_malformed_codes(store, rulebook):
    with pytest.raises(InvalidInput, match="lower case"):
        load(store, rulebook, [row(1, uscc=code(1).lower())], checksum="tolerant")


def test_a_business_without_a_uscc_uses_the_documented_alternative_key(store, rulebook):
    key = alternative_key("371502", "371502600012345")
    load(store, rulebook, [row(1, uscc="", key=key)])
    with store.session() as s:
        assert s.get(RegistryObject, key).key_kind == "alt"
    with pytest.raises(InvalidInput, match="not an alternative key"):
        load(store, rulebook, [row(2, uscc="", key="12345")])


def test_an_import_takes_its_settings_as_one_options_object_or_as_keywords(
    store, rulebook, tmp_path
):
    from onething.registry import ImportOptions

    early = code(5)[:17] + ("0" if code(5)[17] != "0" else "1")
    rows = [row(1), row(5, uscc=early)]
    tolerant = ImportOptions(app_or_rulebook=rulebook, checksum="tolerant", on=ON)
    assert import_objects(store, rows, tolerant).flagged == [("<rows>:2", early)]
    # keywords replace some of the options' values: strict again, so the early code is refused
    with pytest.raises(InvalidInput, match="check character"):
        import_objects(store, rows, tolerant, checksum="strict")
    path = write_csv(tmp_path / "in.csv", rows)
    report = import_file(store, path, tolerant, workers=0)
    assert (report.unchanged, report.flagged_count, report.workers) == (2, 1, 0)
    with pytest.raises(TypeError):
        import_objects(store, rows, tolerant, no_such_setting=True)


# -- all-or-nothing, skip-invalid ----------------------------------------------------------------


def test_one_bad_row_rolls_back_the_whole_import(store, rulebook):
    load(store, rulebook, [row(1)])
    before = names(store)
    good = [row(1, name="改名商店"), *(row(n) for n in range(10, 30))]
    with pytest.raises(InvalidInput, match=r"<rows>:22: region_code"):
        load(store, rulebook, [*good, row(99, region_code="110101")], batch_size=5)
    assert names(store) == before  # earlier batches were written and rolled back
    with store.session() as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(RegistryImport)) == 1
        assert s.scalar(sa.select(sa.func.count()).select_from(ObjectHistory)) == 0


def test_skip_invalid_stores_good_rows_and_writes_each_rejected_row(store, rulebook, tmp_path):
    rows = [row(1), row(2, region_code="370102"), row(3), row(4, credit_grade="E")]
    source = write_csv(tmp_path / "in.csv", rows)
    rejects = tmp_path / "rejects.csv"
    report = import_file(
        store, source, app_or_rulebook=rulebook, on=ON, skip_invalid=True, rejects=rejects
    )
    assert (report.inserted, report.rejected) == (2, 2)
    assert set(names(store)) == {code(1), code(3)}
    with rejects.open(encoding="utf-8") as fh:
        back = list(csv.DictReader(fh))
    assert [r["uscc"] for r in back] == [code(2), code(4)]
    assert list(back[0]) == [*rows[0], "reason"]  # original columns + reason
    assert back[0]["reason"].startswith(f"{source}:3: region_code:")
    assert back[1]["reason"].startswith(f"{source}:5: credit_grade:")
    # the corrected rejects file imports as it is (its reason column is ignored)
    fixed = [{**r, "region_code": "371502", "credit_grade": "B"} for r in back]
    again = import_file(store, write_csv(tmp_path / "fixed.csv", fixed), app_or_rulebook=rulebook)
    assert again.inserted == 2


BIG = int("9" * 400)


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        (
            row(
                2,
                domains=json.dumps(
                    {"fake": {"object_types": ["shop"], "attributes": {"floor_area": BIG}}}
                ),
            ),
            "domains.fake.attributes.floor_area",
        ),
        (row(2, address="柳园路\u00002号"), "address"),
        (row(2, name="测试\u0000商店"), "name"),
    ],
)
def test_what_the_database_cannot_store_is_refused_with_row_and_field(
    store, rulebook, tmp_path, bad, field
):
    """A 400-digit integer, or NUL in any text (PostgreSQL refuses it): the same on both."""
    source = write_csv(tmp_path / "in.csv", [row(1), bad])
    with pytest.raises(InvalidInput) as exc:
        import_file(store, source, app_or_rulebook=rulebook, on=ON)
    assert (exc.value.location, exc.value.path) == (f"{source}:3", field)
    assert names(store) == {}
    rejects = tmp_path / "rejects.csv"
    report = import_file(
        store, source, app_or_rulebook=rulebook, on=ON, skip_invalid=True, rejects=rejects
    )
    assert (report.inserted, report.rejected) == (1, 1)
    with rejects.open(encoding="utf-8") as fh:
        assert [r["reason"].split(": ")[:2] for r in csv.DictReader(fh)] == [[f"{source}:3", field]]


# -- upsert and history ----------------------------------------------------------------------------


def test_reimport_is_idempotent_and_keeps_the_history_of_changed_rows(store, rulebook):
    load(store, rulebook, [row(1), row(2)])
    again = load(store, rulebook, [row(1), row(2)])
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 2)
    changed = load(store, rulebook, [row(1, name="新名称", credit_grade="C"), row(2)])
    assert (changed.updated, changed.unchanged) == (1, 1)
    with store.session() as s:
        obj = s.get(RegistryObject, code(1))
        assert (obj.version, obj.name, obj.import_id) == (2, "新名称", changed.import_id)
        assert s.get(RegistryObject, code(2)).version == 1
        (hist,) = s.exec(sa.select(ObjectHistory)).scalars().all()
    assert (hist.key, hist.version, hist.import_id) == (code(1), 1, changed.import_id)
    assert hist.data["name"] == "测试商店1"
    assert hist.data["credit_grade"] == "A"


# -- mapping ------------------------------------------------------------------------------------


def test_objects_are_mapped_to_their_items_and_follow_object_changes(store, rulebook):
    load(store, rulebook, [row(1), row(2, types_=("kiosk",))])
    assert items_of(store, code(1)) == ["fake.001", "fake.002", "fake.003"]
    assert items_of(store, code(2)) == ["fake.001"]
    load(store, rulebook, [row(1, uses_gas=False)])  # the gas item no longer applies
    assert items_of(store, code(1)) == ["fake.001", "fake.002"]


def _fake_with_changed_items(monkeypatch):
    """The fake domain after a plugin update: fake.003 withdrawn, fake.004 for kiosks."""
    import onething_fake

    module = types.ModuleType("onething_fake_changed")
    for name in dir(onething_fake):
        if name.startswith("onething_") or name == "ONETHING_API":
            setattr(module, name, getattr(onething_fake, name))

    @hookimpl
    def onething_list_items():
        items = [i for i in onething_fake.onething_list_items() if i.code != "fake.003"]
        return [
            *items,
            attrs.evolve(items[0], code="fake.004", object_types=("kiosk",), name_en="Kiosk"),
        ]

    module.onething_list_items = onething_list_items
    monkeypatch.setitem(sys.modules, "onething_fake_changed", module)
    return enable(["fake"], entry_points=[entry_point("fake", "onething_fake_changed")])


@pytest.mark.parametrize("by_types", [False, True])
def test_the_mapping_is_recomputed_when_items_change(store, rulebook, monkeypatch, by_types):
    """A plugin with its own hook has every object of its domain re-mapped; without one, the
    objects of the changed items' object types are (``by_types``)."""
    from onething.registry import mapping

    if by_types:
        monkeypatch.setattr(mapping.Matcher, "hooked", lambda self, domain: False)
    load(store, rulebook, [row(1), row(2, types_=("kiosk",))])
    changed = Rulebook(_fake_with_changed_items(monkeypatch), LIAOCHENG)
    report = refresh_mapping(store, changed, on=ON)
    assert report.changed_items == {"fake": ["fake.003", "fake.004"]}
    assert report.objects == {"fake": 2}
    assert items_of(store, code(1)) == ["fake.001", "fake.002"]
    assert items_of(store, code(2)) == ["fake.001", "fake.004"]
    assert refresh_mapping(store, changed, on=ON).changed_items == {}  # nothing left to do


def test_an_import_brings_stored_objects_up_to_changed_items_first(store, rulebook, monkeypatch):
    load(store, rulebook, [row(1)])
    changed = Rulebook(_fake_with_changed_items(monkeypatch), LIAOCHENG)
    load(store, changed, [row(2, types_=("kiosk",))])
    assert items_of(store, code(1)) == ["fake.001", "fake.002"]
    assert items_of(store, code(2)) == ["fake.001", "fake.004"]


# -- baseline counts ------------------------------------------------------------------------------


def test_stats_count_by_domain_region_department_and_type_with_gaps(store, rulebook):
    load(
        store,
        rulebook,
        [row(1), row(2, uses_gas=False), row(3, types_=("kiosk",), region_code="371581")],
    )
    by_type = registry_stats.counts(store, rulebook, ["domain", "object_type"], on=ON)
    assert by_type == [
        {"domain": "fake", "object_type": "kiosk", "objects": 1},
        {"domain": "fake", "object_type": "shop", "objects": 2},
    ]
    by_region = registry_stats.counts(store, rulebook, ["region"], on=ON)
    assert [(r["region"], r["region_name"], r["objects"]) for r in by_region] == [
        ("371502", "聊城市东昌府区", 2),
        ("371581", "聊城市临清市", 1),
    ]
    by_dept = registry_stats.counts(store, rulebook, ["department"], on=ON)
    assert by_dept == [
        {"department": "fire", "objects": 2},  # fake.002: shops
        {"department": "housing", "objects": 1},  # fake.003: shops using gas
        {"department": "market", "objects": 3},  # fake.001: everyone
    ]
    gaps = registry_stats.gaps(store, rulebook, on=ON)
    assert gaps["objects"] == 3
    assert gaps["objects_without_item"] == {}
    assert gaps["items_without_object"] == []


def test_gaps_show_objects_without_items_and_items_without_objects(store, rulebook, monkeypatch):
    load(store, rulebook, [row(1, uses_gas=False)])  # nobody uses gas: fake.003 has no object
    gaps = registry_stats.gaps(store, rulebook, on=ON)
    assert [i["item"] for i in gaps["items_without_object"]] == ["fake.003"]
    with store.session() as s:  # an object whose items were all withdrawn
        s.execute(sa.text("DELETE FROM registry_profile_item"))
    gaps = registry_stats.gaps(store, rulebook, on=ON)
    assert gaps["objects_without_item"] == {"fake": 1}
    assert gaps["objects_without_item_examples"] == [{"domain": "fake", "key": code(1)}]


# -- read API ------------------------------------------------------------------------------------


def test_iter_objects_streams_in_key_order_and_filters(store, rulebook):
    rows = [row(n, region_code="371581" if n % 3 == 0 else "371502") for n in range(1, 12)]
    load(store, rulebook, rows)
    batches = list(iter_objects(store, batch_size=4))
    assert [len(b) for b in batches] == [4, 4, 3]
    keys = [o.key for b in batches for o in b]
    assert keys == sorted(code(n) for n in range(1, 12))
    in_linqing = [o.key for b in iter_objects(store, region="371581") for o in b]
    assert sorted(in_linqing) == sorted(code(n) for n in (3, 6, 9))
    assert count_objects(store) == 11
    assert count_objects(store, region="371581") == 3
    assert count_objects(store, region="371500", domain="fake") == 11
    assert count_objects(store, domain="catering") == 0
    assert get_object(store, "91371502MISSING000") is None


# -- the set-based matcher equals the per-object rule ------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from onething.applicability import match_by_data, match_members  # noqa: E402
from onething.conditions import holds  # noqa: E402
from onething.model import Basis, Item, Membership, SupervisedObject  # noqa: E402

_TYPES = ("shop", "canteen", "site")
_ATTRS = ("tier", "seats", "gas", "tags")
_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-2, 3),
    st.sampled_from([0.0, 1.0, 2.5, float("nan")]),
    st.sampled_from(["a", "b", ""]),
    st.lists(st.sampled_from(["a", 1, True]), max_size=2),
    st.dictionaries(st.sampled_from(["x", "y"]), st.integers(0, 1), max_size=2),
)
_LEAF = st.one_of(
    st.builds(lambda a, v: {"attr": a, "exists": v}, st.sampled_from(_ATTRS), st.booleans()),
    st.builds(
        lambda a, op, v: {"attr": a, op: v},
        st.sampled_from(_ATTRS),
        st.sampled_from(["eq", "ne", "gt", "ge", "lt", "le"]),
        _VALUES,
    ),
    st.builds(
        lambda a, v: {"attr": a, "in": v},
        st.sampled_from(_ATTRS),
        st.one_of(st.lists(_VALUES, max_size=3), st.sampled_from(["ab", ""])),
    ),
)
_CONDITIONS = st.one_of(
    st.none(),
    st.recursive(
        _LEAF,
        lambda c: st.one_of(
            st.builds(lambda cs: {"all": cs}, st.lists(c, max_size=3)),
            st.builds(lambda cs: {"any": cs}, st.lists(c, max_size=3)),
            st.builds(lambda x: {"not": x}, c),
        ),
        max_leaves=5,
    ),
)
_LAW = Basis(law="虚构示例条例", article="第一条", status="unconfirmed")


def _item(n: int, types_: list[str], condition) -> Item:
    return Item(
        f"fake.{n:03d}", "fake", "事项", "Item", [_LAW], ["market"], types_, ["onsite"], "during",
        dt.date(2020, 1, 1), condition=condition,
    )  # fmt: skip


_ITEMS = st.lists(
    st.tuples(st.lists(st.sampled_from(_TYPES), min_size=1, max_size=2, unique=True), _CONDITIONS),
    max_size=6,
).map(lambda specs: [_item(i, t, c) for i, (t, c) in enumerate(specs)])
_MEMBERS = st.lists(
    st.tuples(
        st.lists(st.sampled_from(_TYPES), min_size=1, max_size=3, unique=True),
        st.dictionaries(st.sampled_from(_ATTRS), _VALUES, max_size=4),
        st.booleans(),  # in the domain at all
    ),
    max_size=25,
)


def _reference(domain, objects, items):
    """The per-object rule: each object × each item of its types, its condition decided."""
    for obj in objects:
        member = obj.domains.get(domain)
        if member is None:
            continue
        done = set()
        for t in member.object_types:
            for item in items:
                if t in item.object_types and item.code not in done:
                    if holds(item.condition, member.attributes):
                        done.add(item.code)
                        yield (obj.key, item.code)


@settings(deadline=None)  # examples from the profile: quick by default, more with thorough
@given(items=_ITEMS, members=_MEMBERS)
def test_set_based_matching_gives_exactly_the_per_object_pairs(items, members):
    objects = [
        SupervisedObject(
            key=f"K{i:03d}",
            name="x",
            region_code="371502",
            domains={"fake" if inside else "other": Membership(types_, attrs)},
        )
        for i, (types_, attrs, inside) in enumerate(members)
    ]
    expected = list(_reference("fake", objects, items))
    assert list(match_by_data("fake", objects, items)) == expected
    rows = [(o.key, m.object_types, m.attributes) for o in objects if (m := o.domains.get("fake"))]
    assert list(match_members(items, rows)) == expected


# -- applicability profiles -----------------------------------------------------------------------


def _profiles(store) -> dict[str, tuple[list, list]]:
    """Per object key: its profile's members and items, as stored."""
    with store.engine.connect() as conn:
        pid = dict(conn.execute(sa.text("SELECT key, profile_id FROM registry_object")).all())
        members, items = {}, {}
        for p, d, t in conn.execute(
            sa.text("SELECT profile_id, domain, object_type FROM registry_profile_member")
        ):
            members.setdefault(p, []).append((d, t))
        for p, d, c in conn.execute(
            sa.text("SELECT profile_id, domain, item_code FROM registry_profile_item")
        ):
            items.setdefault(p, []).append((d, c))
    return {k: (sorted(members.get(p, [])), sorted(items.get(p, []))) for k, p in pid.items()}


def test_alike_objects_share_one_profile_and_an_object_moves_when_it_changes(store, rulebook):
    load(store, rulebook, [row(n) for n in range(1, 6)] + [row(6, uses_gas=False)])
    with store.engine.connect() as conn:
        ids = dict(conn.execute(sa.text("SELECT key, profile_id FROM registry_object")).all())
        assert conn.execute(sa.text("SELECT count(*) FROM registry_profile")).scalar_one() == 2
    assert len({ids[code(n)] for n in range(1, 6)}) == 1
    assert ids[code(6)] != ids[code(1)]
    assert _profiles(store)[code(1)] == (
        [("fake", "shop")],
        [("fake", "fake.001"), ("fake", "fake.002"), ("fake", "fake.003")],
    )
    load(store, rulebook, [row(1, uses_gas=False)])  # now alike object 6: it joins its profile
    with store.engine.connect() as conn:
        moved = dict(conn.execute(sa.text("SELECT key, profile_id FROM registry_object")).all())
    assert moved[code(1)] == ids[code(6)]
    assert items_of(store, code(1)) == ["fake.001", "fake.002"]


def test_concurrent_imports_create_a_shared_new_profile_once(store, rulebook):
    import threading

    errors = []

    def run(n):
        try:
            load(store, rulebook, [row(n, types_=("kiosk",))])
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    profiles = _profiles(store)
    assert profiles[code(1)] == profiles[code(2)] == ([("fake", "kiosk")], [("fake", "fake.001")])
    with store.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM registry_profile")).scalar_one() == 1


def _snapshot(store):
    """What an import stored, independent of row ids: objects, profiles, history, counts."""
    with store.engine.connect() as conn:
        objects = [
            tuple(r)
            for r in conn.execute(
                sa.text(
                    "SELECT key, key_kind, checksum_ok, name, region_code, address, "
                    "credit_grade, risk_grade, version FROM registry_object ORDER BY key"
                )
            )
        ]
        history = [
            tuple(r)
            for r in conn.execute(
                sa.text("SELECT key, version FROM registry_history ORDER BY key, version")
            )
        ]
    got = {o.key: (o.domains, o.licences) for batch in iter_objects(store) for o in batch}
    return objects, history, got, _profiles(store)


def _wipe(store):
    with store.engine.begin() as conn:
        for table in ("registry_history", "registry_object", "registry_import"):
            conn.execute(sa.text(f"DELETE FROM {table}"))


def _mixed_rows():
    """Good rows across types, bad ones, a repeated key and a flagged code."""
    rows = [
        row(n, types_=("shop", "kiosk")[n % 2 :][:1], uses_gas=n % 3 == 0) for n in range(1, 40)
    ]
    rows[4]["region_code"] = "370102"  # outside the deployment
    rows[11]["licences"] = "[{"  # not JSON
    rows[17]["domains"] = json.dumps({"fake": {"object_types": ["castle"]}})
    rows[23] = row(3, name="改名")  # the same key again, changed: one insert, one update
    bad = code(41)
    rows.append(row(41, uscc=bad[:17] + ("0" if bad[17] != "0" else "1")))  # wrong check char
    return rows


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_a_parallel_import_stores_exactly_what_an_in_process_import_stores(
    store, rulebook, tmp_path, fmt
):
    write = write_csv if fmt == "csv" else write_jsonl
    path = write(tmp_path / f"in.{fmt}", _mixed_rows())
    changed = write(tmp_path / f"again.{fmt}", [row(n, address="新址") for n in range(1, 30, 2)])
    results = []
    for workers in (0, 2):
        rejects = tmp_path / f"rejects-{workers}.csv"
        kw = {"app_or_rulebook": rulebook, "on": ON, "batch_size": 7, "workers": workers}
        first = import_file(
            store, path, checksum="tolerant", skip_invalid=True, rejects=rejects, **kw
        )
        second = import_file(store, changed, **kw)  # updates with history
        assert (first.workers, second.workers) == (workers, workers)
        reports = [
            {k: v for k, v in r.as_json().items() if k not in ("import_id", "workers")}
            for r in (first, second)
        ]
        results.append((reports, first.rejections, rejects.read_text("utf-8"), _snapshot(store)))
        _wipe(store)
    assert results[0] == results[1]
    reports = results[0][0]
    assert (reports[0]["rejected"], reports[0]["flagged"], reports[0]["updated"]) == (3, 1, 1)
    assert (reports[1]["updated"], reports[1]["inserted"]) == (14, 1)  # row 5 was rejected


def test_a_parallel_import_reports_the_first_bad_row_in_file_order(store, rulebook, tmp_path):
    rows = [row(n) for n in range(1, 30)]
    rows[20]["credit_grade"] = "E"
    rows[9]["name"] = ""
    path = write_csv(tmp_path / "in.csv", rows)
    with pytest.raises(InvalidInput, match=r"in\.csv:11: name: missing"):
        import_file(store, path, app_or_rulebook=rulebook, on=ON, batch_size=3, workers=2)
    assert count_objects(store) == 0


def test_stray_quotes_and_multi_line_fields_import_alike_in_workers_and_in_process(
    store, rulebook, tmp_path
):
    rows = [row(n) for n in range(1, 25)]
    rows[2]["name"] = 'A"B商店'  # written unquoted below: a stray quote, read literally
    for r in rows[5:]:
        r["address"] = "东昌府区\n柳园路"  # a quoted field over two lines
    rows[20]["credit_grade"] = "E"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(
        [list(rows[0]), *map(list, map(dict.values, rows))]
    )
    text = out.getvalue().replace('"A""B商店"', 'A"B商店')
    path = tmp_path / "in.csv"
    path.write_text(text, "utf-8")
    seen = []
    for workers in (0, 2):
        report = import_file(
            store, path, app_or_rulebook=rulebook, on=ON, batch_size=3, workers=workers,
            skip_invalid=True,
        )  # fmt: skip
        seen.append((report.inserted, report.rejections, _snapshot(store)))
        _wipe(store)
    assert seen[0] == seen[1]
    inserted, rejections, _ = seen[0]
    assert inserted == 23
    # rows 1–5 take a line each, the later ones two: row 21 ends on line 1 + 5 + 16 * 2
    assert rejections == [f"{path}:38: credit_grade: 'E' is not one of A, B, C, D (upper case)"]
    objects = seen[0][2][0]
    assert {o[3] for o in objects if o[3].startswith("A")} == {'A"B商店'}
    assert sum(o[5] == "东昌府区\n柳园路" for o in objects) == 18


def test_large_files_are_prepared_in_workers_only_in_a_single_threaded_process(
    store, rulebook, tmp_path, monkeypatch
):
    import os
    import threading

    from onething.registry import importer

    monkeypatch.setattr(importer, "PARALLEL_BYTES", 0)
    path = write_csv(tmp_path / "in.csv", [row(1), row(2)])
    report = import_file(store, path, app_or_rulebook=rulebook, on=ON)
    assert report.workers == ((os.cpu_count() or 1) if (os.cpu_count() or 1) > 1 else 0)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)  # a host's thread: forking beside it is unsafe
    other.start()
    try:
        report = import_file(store, path, app_or_rulebook=rulebook, on=ON)
    finally:
        stop.set()
        other.join()
    assert report.workers == 0
    monkeypatch.setattr(importer, "PARALLEL_BYTES", 1 << 40)
    assert import_file(store, path, app_or_rulebook=rulebook, on=ON).workers == 0


def _before_profiles(cfg):
    """Every area migrated except the profiles branch: the merge head 0012 undone first (a
    walk down the profiles branch from a merge is ambiguous), then 0009, 0008 and 0007."""
    from alembic import command

    command.upgrade(cfg, "heads")
    command.downgrade(cfg, "0009")
    command.downgrade(cfg, "profiles@-3")


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_migration_0007_moves_stored_mappings_into_profiles_and_back(kind, tmp_path):

    from conftest import make_store

    store, cleanup = make_store(kind, tmp_path, upgrade=False)
    try:
        cfg = store._alembic()
        _before_profiles(cfg)
        now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        old_members = [(code(1), "fake", "shop"), (code(2), "fake", "shop"),
                       (code(2), "fake", "kiosk"), (code(3), "fake", "shop")]  # fmt: skip
        old_items = [(code(1), "fake.001"), (code(1), "fake.002"), (code(2), "fake.001"),
                     (code(3), "fake.001"), (code(3), "fake.002")]  # fmt: skip
        with store.engine.begin() as conn:
            for n in (1, 2, 3):
                conn.execute(
                    sa.text(
                        "INSERT INTO registry_object (key, key_kind, checksum_ok, name, "
                        "region_code, address, domains, licences, version, updated_at) VALUES "
                        "(:k, 'uscc', true, 'n', '371502', '', '{}', '[]', 1, :now)"
                    ),
                    {"k": code(n), "now": now},
                )
            conn.execute(
                sa.text("INSERT INTO registry_membership VALUES (:k, :d, :t)"),
                [{"k": k, "d": d, "t": t} for k, d, t in old_members],
            )
            conn.execute(
                sa.text(
                    "INSERT INTO registry_object_item (key, item_code, domain, computed_on) "
                    "VALUES (:k, :c, 'fake', :on)"
                ),
                [{"k": k, "c": c, "on": ON} for k, c in old_items],
            )
        store.upgrade()
        store.ensure_current()
        assert items_of(store, code(1)) == items_of(store, code(3)) == ["fake.001", "fake.002"]
        assert items_of(store, code(2)) == ["fake.001"]
        profiles = _profiles(store)
        assert profiles[code(1)] == profiles[code(3)]  # alike objects share their profile
        assert profiles[code(2)][0] == [("fake", "kiosk"), ("fake", "shop")]
        _before_profiles(cfg)
        with store.engine.connect() as conn:
            members = conn.execute(
                sa.text("SELECT key, domain, object_type FROM registry_membership")
            ).all()
            items = conn.execute(sa.text("SELECT key, item_code FROM registry_object_item")).all()
            names = sa.inspect(conn).get_table_names()
        assert sorted(map(tuple, members)) == sorted(old_members)
        assert sorted(map(tuple, items)) == sorted(old_items)
        assert "registry_profile" not in names
        store.upgrade()  # and up again
        assert items_of(store, code(2)) == ["fake.001"]
    finally:
        cleanup()


def test_an_sqlite_import_enlarges_its_page_cache_only_while_it_runs(tmp_path):
    from onething.registry.writes import SQLITE_CACHE_KIB
    from onething.registry.writes import sqlite_cache as _sqlite_cache
    from onething.store import Store

    store = Store(f"sqlite:///{tmp_path}/cache.db")
    store.upgrade()
    with store.engine.connect() as conn:
        before = conn.exec_driver_sql("PRAGMA cache_size").scalar()
        with _sqlite_cache(conn):
            assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == -SQLITE_CACHE_KIB
        assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == before
    store.dispose()


_FAKE_TYPES = ("shop", "kiosk")


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rounds=st.lists(
        st.lists(
            st.tuples(
                st.integers(1, 12),
                st.lists(st.sampled_from(_FAKE_TYPES), min_size=1, max_size=2, unique=True),
                st.booleans(),
            ),
            min_size=1,
            max_size=10,
        ),
        min_size=1,
        max_size=3,
    )
)
def test_every_object_has_exactly_its_own_items_through_shared_profiles(
    rounds, rulebook, sqlite_store
):
    """Objects share profiles, yet after any sequence of imports and changes each stored
    object's items are exactly those the per-object rule gives for its current data."""
    _wipe(sqlite_store)
    items = rulebook.items(ON, "fake")
    for rows in rounds:
        load(sqlite_store, rulebook, [row(n, types_=t, uses_gas=g) for n, t, g in rows])
        objects = [o for batch in iter_objects(sqlite_store) for o in batch]
        expected: dict[str, list[str]] = {o.key: [] for o in objects}
        for key, code_ in _reference("fake", objects, items):
            expected[key].append(code_)
        assert {o.key: items_of(sqlite_store, o.key) for o in objects} == {
            k: sorted(v) for k, v in expected.items()
        }


@pytest.fixture
def sqlite_store(tmp_path):
    """One SQLite store for all the examples of a property test (each empties it first)."""
    from onething.store import Store

    store = Store(f"sqlite:///{tmp_path}/p.db")
    store.upgrade()
    yield store
    store.dispose()


def test_an_input_error_survives_the_trip_back_from_a_worker_process():
    import pickle

    exc = pickle.loads(pickle.dumps(InvalidInput("in.csv:7", "name", "missing")))
    assert (exc.location, exc.path, exc.message, str(exc)) == (
        "in.csv:7", "name", "missing", "in.csv:7: name: missing",
    )  # fmt: skip


def test_a_plugin_failing_in_a_worker_fails_the_import_and_stores_nothing(
    store, rulebook, tmp_path, monkeypatch
):
    from onething import PluginError
    from onething.registry import mapping

    def broken(self, rows):
        raise PluginError("plugin 'fake' onething_match_items returned an unknown item")

    monkeypatch.setattr(mapping.Matcher, "keys", broken)  # the forked workers inherit it
    path = write_csv(tmp_path / "in.csv", [row(n) for n in range(1, 20)])
    with pytest.raises(PluginError, match="unknown item"):
        import_file(store, path, app_or_rulebook=rulebook, on=ON, batch_size=5, workers=2)
    assert count_objects(store) == 0


def test_a_worker_process_that_dies_fails_the_import_and_stores_nothing(
    chinese, store, rulebook, tmp_path, monkeypatch
):
    """A worker killed mid-import (out of memory, say) must fail the import, not hang it."""
    import os

    from onething import OnethingError
    from onething.registry import mapping

    def dies(self, rows):
        os._exit(9)

    monkeypatch.setattr(mapping.Matcher, "keys", dies)
    path = write_csv(tmp_path / "in.csv", [row(n) for n in range(1, 20)])
    with pytest.raises(OnethingError, match="工作进程意外退出"):
        import_file(store, path, app_or_rulebook=rulebook, on=ON, batch_size=5, workers=2)
    assert count_objects(store) == 0


def test_concurrent_imports_of_the_same_new_keys_all_succeed_once(store, tmp_path):
    """Four processes importing the same new objects at once: each object stored once, every
    import succeeds (the probe found UniqueViolation tracebacks for the losers)."""
    from race_support import race, registry_import

    path = write_csv(tmp_path / "in.csv", [row(n) for n in range(1, 301)])
    assert race(registry_import, store.url, store.connect_args, str(path), ON) == [0, 0, 0, 0]
    assert count_objects(store) == 300


def test_concurrent_upgrades_of_an_empty_database_all_succeed(tmp_path):
    from race_support import db_upgrade, race

    from conftest import make_store

    for kind in ("sqlite", "postgresql"):
        store, drop = make_store(kind, tmp_path, upgrade=False)
        try:
            assert race(db_upgrade, store.url, store.connect_args) == [0, 0, 0, 0], kind
            assert store.current() == store.heads()
        finally:
            drop()


# -- the rejects file (issue 16 items 2, 8) ------------------------------------------------


def _import(store, rulebook, source, rejects, **kw):
    return import_file(
        store, source, app_or_rulebook=rulebook, on=ON, skip_invalid=True, rejects=rejects, **kw
    )


def test_the_input_and_the_database_are_never_written_over(store, rulebook, tmp_path):
    source = write_csv(tmp_path / "in.csv", [row(1), row(2, credit_grade="E")])
    targets = [source] + ([sqlite_file(store)] if sqlite_file(store) else [])
    for target in targets:
        before = target.read_bytes()
        # even forced, and named by another spelling of the same path
        other = target.parent / "." / target.name
        with pytest.raises(InvalidInput, match="--rejects"):
            _import(store, rulebook, source, other, force_rejects=True)
        assert target.read_bytes() == before


def test_an_existing_rejects_file_is_refused_unless_forced(store, rulebook, tmp_path):
    source = write_csv(tmp_path / "in.csv", [row(1), row(2, credit_grade="E")])
    rejects = tmp_path / "rejects.csv"
    rejects.write_text("keep me", "utf-8")
    with pytest.raises(InvalidInput, match="--force"):
        _import(store, rulebook, source, rejects)
    assert rejects.read_text("utf-8") == "keep me"
    report = _import(store, rulebook, source, rejects, force_rejects=True)
    assert report.rejected == 1
    assert code(2) in rejects.read_text("utf-8")
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_failed_import_leaves_no_rejects_file_and_no_temporary_file(store, rulebook, tmp_path):
    # a row rejected (and written) first, then bytes that are not UTF-8: fatal even when skipping
    source = write_csv(tmp_path / "in.csv", [row(1, credit_grade="E"), *map(row, range(2, 40))])
    with source.open("ab") as fh:
        fh.write(b"\xff\xfe,\xff\n")
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(InvalidInput, match="UTF-8"):
        _import(store, rulebook, source, out / "rejects.csv", batch_size=1, workers=0)
    assert list(out.iterdir()) == []


def test_rejected_text_cells_are_escaped_against_formulas(store, rulebook, tmp_path):
    source = write_csv(tmp_path / "in.csv", [row(1, name="=HYPERLINK(1)", credit_grade="E")])
    rejects = tmp_path / "rejects.csv"
    _import(store, rulebook, source, rejects)
    with rejects.open(encoding="utf-8") as fh:
        (back,) = csv.DictReader(fh)
    assert back["name"] == "'=HYPERLINK(1)"


def test_synthetic_licences_and_names_come_from_the_plugins_data(fake_domains):
    """Core knows no domain: a description's ``synth_licence`` and ``synth_name_suffixes``
    decide the licence and the name ending; without them, a generic licence and 有限公司."""
    import attrs

    from onething.model import SynthLicence
    from onething.registry.synth import Synthesiser

    synth = Synthesiser(fake_domains, "371500", seed=3)
    (row,) = next(synth.batches(1))
    assert row["licences"][0]["kind"] == "fake_licence"
    assert row["licences"][0]["number"].startswith("XK")
    assert row["name"].endswith(("有限公司", "经营部"))
    desc = synth.desc["fake"]
    synth.desc["fake"] = attrs.evolve(
        desc,
        synth_licence=SynthLicence("fake_permit", "health", "FK"),
        synth_name_suffixes=("小卖部",),
    )
    (row,) = next(synth.batches(1))
    assert (row["licences"][0]["kind"], row["licences"][0]["department"]) == (
        "fake_permit",
        "health",
    )
    assert row["licences"][0]["number"].startswith("FK") and row["name"].endswith("小卖部")


def test_synthetic_licence_validity_and_sole_trader_share_come_from_the_plugins_data(
    fake_domains,
):
    """``synth_licence.validity_years`` sets how long a synthetic licence runs (default five
    years) and ``synth_sole_trader_share`` how many businesses are sole traders (0: none, as
    for hazardous-chemical enterprises); defaults leave the output unchanged."""
    import datetime as dt

    import attrs

    from onething.model import SynthLicence
    from onething.registry.synth import Synthesiser

    def span(r):
        lic = r["licences"][0]
        return (
            dt.date.fromisoformat(lic["valid_to"]) - dt.date.fromisoformat(lic["valid_from"])
        ).days

    synth = Synthesiser(fake_domains, "371500", seed=3)
    before = next(synth.batches(200))
    assert {span(r) for r in before} == {5 * 365}
    assert any(r["uscc"][1] == "2" or not r["uscc"] for r in before)  # some sole traders
    desc = synth.desc["fake"]
    synth.desc["fake"] = attrs.evolve(
        desc,
        synth_licence=SynthLicence("fake_permit", "health", "FK", validity_years=3),
        synth_sole_trader_share=0.0,
    )
    after = next(synth.batches(200))
    assert {span(r) for r in after} == {3 * 365}
    assert all(r["uscc"][1] == "1" for r in after)


def test_an_overlap_type_fixes_the_object_type_without_changing_the_draw():
    """``synth_overlap_types`` names the type another domain's object takes when it joins by
    overlap (a chemical plant's catering is its canteen); every other object is drawn as
    before, because the type is still drawn from the stream."""
    from onething import enable
    from onething.registry.synth import Synthesiser

    domains = enable(["catering", "hazchem"])
    synth = Synthesiser(domains, "371500", seed=3)
    rows = next(synth.batches(600))
    both = [r for r in rows if {"catering", "hazchem"} <= set(r["domains"])]
    assert both and all(r["domains"]["catering"]["object_types"] == ["canteen"] for r in both)
    import attrs

    desc = synth.desc["catering"]
    synth.desc["catering"] = attrs.evolve(desc, synth_overlap_types={})
    drawn = next(synth.batches(600))
    assert [r["uscc"] for r in drawn] == [r["uscc"] for r in rows]
    types = {
        r["domains"]["catering"]["object_types"][0]
        for r in drawn
        if r["uscc"] in {b["uscc"] for b in both}
    }
    assert types - {"canteen"}  # without the fixed type, restaurants and eateries are drawn


# -- one field-size limit, one message, in every format (#16.10) --------------------------------


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_a_field_over_the_limit_is_refused_alike_in_csv_and_jsonl(
    chinese, store, rulebook, tmp_path, fmt
):
    from onething.tables import FIELD_LIMIT

    rows = [row(1), row(2, address="长" * (FIELD_LIMIT + 1))]
    path = {"csv": write_csv, "jsonl": write_jsonl}[fmt](tmp_path / f"in.{fmt}", rows)
    line = {"csv": 3, "jsonl": 2}[fmt]  # the row after the first (CSV: after its header)
    with pytest.raises(InvalidInput, match=rf"in\.{fmt}:{line}: .*超过 {FIELD_LIMIT} 个字符的上限"):
        import_file(store, path, app_or_rulebook=rulebook, on=ON)
    assert count_objects(store) == 0


def test_a_field_at_the_limit_is_imported_in_jsonl(store, rulebook, tmp_path):
    from onething.tables import FIELD_LIMIT

    path = write_jsonl(tmp_path / "in.jsonl", [row(1, address="长" * FIELD_LIMIT)])
    assert import_file(store, path, app_or_rulebook=rulebook, on=ON).inserted == 1


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_a_utf8_bom_is_accepted_in_every_registry_format(store, rulebook, tmp_path, fmt):
    path = {"csv": write_csv, "jsonl": write_jsonl}[fmt](tmp_path / f"in.{fmt}", [row(1)])
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert import_file(store, path, app_or_rulebook=rulebook, on=ON).inserted == 1


def test_a_registry_path_that_is_a_directory_says_so(chinese, store, rulebook, tmp_path):
    d = tmp_path / "dir.csv"
    d.mkdir()
    with pytest.raises(InvalidInput, match="应为文件"):
        import_file(store, d, app_or_rulebook=rulebook, on=ON)
