"""Synthetic objects beyond businesses (``registry synth``): the fakecity plugin's
``synth_related`` and ``synth_links`` draw vehicles and their drivers for platforms, projects
and their sites for contractors, installations for chemical works, with valid unique keys
and the relations between them; the rows always import, and a plan over them visits sites
and checks vehicles and drivers off site."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections import Counter

import attrs
import pytest
from city_support import SECRET
from fake_support import FAKE, FAKECITY
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onething import Rulebook, enable
from onething.errors import InvalidInput
from onething.model import SynthLink, SynthRelated
from onething.planning import Inspector, import_pool, make_plan, verify_plan
from onething.registry import kinds as K
from onething.registry import synth
from onething.registry.importer import RowParser, import_file
from onething.registry.relations import _Parser, count_relations, import_relations_file
from onething.registry.synth import Synthesiser
from onething.registry.synth_related import RelatedSynthesiser

#: These tests read the messages in English; test_registry_kinds checks the Chinese.
pytestmark = pytest.mark.usefixtures("english")

ON = dt.date.today()
CYCLE = f"{ON.year}Q{(ON.month - 1) // 3 + 1}"
DEPARTMENTS = ("market", "fire", "housing", "transport", "hrss", "emergency", "health")


@pytest.fixture(scope="module")
def domains():
    mp = pytest.MonkeyPatch()
    mp.setenv("ONETHING_PERSON_SECRET", SECRET)
    yield enable(["fake", "fakecity"], entry_points=[FAKE, FAKECITY])
    mp.undo()


def drawn(domains, size: int, seed: int, batch_size: int = 2000):
    objects, relations = [], []
    for rows, more in Synthesiser(domains, "371500", seed).draw(size, batch_size):
        objects += rows + more.objects
        relations += more.relations
    return objects, relations


def key_of(row) -> str:
    return row["uscc"] or row["key"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10**6), size=st.integers(1, 120), batch=st.integers(7, 80))
def test_synthetic_rows_of_every_kind_always_parse_and_their_relations_close(
    domains, seed, size, batch
):
    """Every drawn object row passes the importer's row check, keys are unique, every relation
    row passes the relation check, and both its ends are drawn objects of the type's kinds."""
    objects, relations = drawn(domains, size, seed, batch)
    parser = RowParser(domains, region="371500", checksum="strict")
    stored: dict[str, str] = {}
    clear_to_stored: dict[str, str] = {}
    for row in objects:
        parsed, flagged = parser.parse(row)
        assert not flagged
        assert parsed["key"] not in stored, "keys are unique"
        stored[parsed["key"]] = parsed["object_kind"]
        clear_to_stored[key_of(row)] = parsed["key"]
    kinds = Counter(stored.values())
    assert kinds["business"] == size
    rel_parser = _Parser(Rulebook(domains))
    types = K.relation_types(domains)
    for raw in relations:
        (code, source, target, start, end), _ = rel_parser.parse(raw)
        assert end is None and start <= ON
        assert stored[source] == types[code].source_kind
        assert stored[target] == types[code].target_kind
        assert clear_to_stored[raw["source"]] == source  # a person's clear ID matches its hash


def test_each_anchor_gets_its_related_objects_and_a_driver_per_vehicle(domains):
    objects, relations = drawn(domains, 400, seed=5)
    by_type = Counter(r["type"] for r in relations)
    kinds = Counter(o.get("object_kind") or "business" for o in objects)
    platforms = [
        o for o in objects if "platform" in o["domains"].get("fakecity", {}).get("object_types", [])
    ]
    assert platforms and by_type["operates"] == kinds["vehicle"] >= 20 * len(platforms)
    assert by_type["driven_by"] == kinds["person"] == kinds["vehicle"]
    assert by_type["located_at"] == kinds["site"] == kinds["project"] == by_type["built_by"]
    assert by_type["works_at"] == kinds["site"]  # a contractor on every site (share 1)
    assert by_type["installed_at"] == kinds["installation"] > 0
    plates = [o["key"] for o in objects if o.get("object_kind") == "vehicle"]
    assert any(len(p) == 8 for p in plates) and any(len(p) == 7 for p in plates)
    assert all(p.startswith("鲁P") for p in plates)  # 聊城's issuing letter
    people = [o for o in objects if o.get("object_kind") == "person"]
    assert all(not o["address"] and 2 <= len(o["name"]) <= 4 for o in people)
    sites = [o for o in objects if o.get("object_kind") == "site"]
    assert all(o["name"].endswith("施工现场") and o["address"] for o in sites)
    # related objects sit in their anchor's county
    region = {key_of(o): o["region_code"] for o in objects}
    assert all(
        region[r["source"]] == region[r["target"]] for r in relations if r["type"] != "works_at"
    )


def test_the_same_seed_writes_the_same_files_and_another_seed_others(domains, tmp_path):
    a = synth.write(domains, "371500", 300, 7, tmp_path / "a.csv")
    synth.write(domains, "371500", 300, 7, tmp_path / "b.csv")
    synth.write(domains, "371500", 300, 8, tmp_path / "c.csv")
    assert a.relations_path == tmp_path / "a.relations.csv" and a.businesses == 300
    for name in ("{}.csv", "{}.relations.csv"):
        same = [(tmp_path / name.format(x)).read_bytes() for x in "abc"]
        assert same[0] == same[1] != same[2]
    with (tmp_path / "a.relations.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == a.relations and list(rows[0]) == [
        "type",
        "source",
        "target",
        "valid_from",
        "valid_to",
    ]


def test_an_existing_relations_file_is_refused_and_nothing_is_left_behind(domains, tmp_path):
    (tmp_path / "r.relations.csv").write_text("keep", "utf-8")
    with pytest.raises(Exception, match="--relations-out"):
        synth.write(domains, "371500", 50, 1, tmp_path / "r.csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.relations.csv"]
    assert (tmp_path / "r.relations.csv").read_text("utf-8") == "keep"
    w = synth.write(domains, "371500", 50, 1, tmp_path / "r.csv", force=True)
    assert w.relations and (tmp_path / "r.relations.csv").read_text("utf-8") != "keep"


def test_a_registry_of_businesses_alone_writes_no_relations_file(fake_domains, tmp_path):
    w = synth.write(fake_domains, "371500", 20, 1, tmp_path / "r.jsonl")
    assert w.relations_path is None and w.objects == 20
    assert [p.name for p in tmp_path.iterdir()] == ["r.jsonl"]


@given(st.sets(st.integers(0, 16_435_999), min_size=1, max_size=200))
def test_resident_ids_are_valid_and_one_to_one(indices):
    ids = {RelatedSynthesiser._resident_id(i, "371502") for i in indices}
    assert len(ids) == len(indices)
    person = K.ObjectKind("person", "人", "person", "resident_id", personal=True)
    assert all(K.key_problem(person, i) is None for i in ids)


@settings(max_examples=20, deadline=None)
@given(
    n=st.integers(1, 3000),
    share=st.floats(0, 1),
    county=st.sampled_from(["371502", "370102", "110101"]),
)
def test_plates_and_project_codes_are_valid_and_distinct(domains, n, share, county):
    r = RelatedSynthesiser(domains, 1, ON, ["鑫源"], ["人民路"])
    import random

    rng = random.Random(n)
    plates = [r._plate("vehicle", county, rng, share) for _ in range(n)]
    codes = [r._project_code(i, county, rng) for i in range(n)]
    vehicle = K.ObjectKind("vehicle", "车", "vehicle", "plate")
    project = K.ObjectKind("project", "项目", "project", "project_code")
    assert len(set(plates)) == n and len(set(codes)) == n
    assert all(K.key_problem(vehicle, p) is None for p in plates)
    assert all(K.key_problem(project, c) is None for c in codes)
    assert all(len(p) == 8 for p in plates) if share == 1 else True


def _with(monkeypatch, **changes) -> None:
    """The fakecity plugin with its description changed, for one test."""
    import onething_fakecity

    desc = onething_fakecity.plugin.description
    monkeypatch.setattr(
        type(onething_fakecity.plugin),
        "description",
        property(lambda self: attrs.evolve(desc, **changes)),
    )
    monkeypatch.setenv("ONETHING_PERSON_SECRET", SECRET)


@pytest.mark.parametrize(
    ("entry", "field", "message"),
    [
        (SynthRelated("hazard_source", "installed_at", "works"), "key", "template is required"),
        (SynthRelated("car", "driven_by", "platform"), "relation", "relates a vehicle"),
        (SynthRelated("platform", "operates", "car"), "object_type", "drawn by synth_share"),
        (SynthRelated("car", "operates", "nobody"), "anchor", "not an object type"),
        (SynthRelated("car", "operates", "platform", key="V{n}"), "key", "unique"),
        (SynthRelated("car", "operates", "platform", names=["{nope}"]), "names", "unknown field"),
        (SynthRelated("car", "operates", "platform", count=(3, 1)), "count", "exceeds"),
        (SynthRelated("car", "nope", "platform"), "relation", "not a relation type"),
    ],
)
def test_a_bad_declaration_is_refused_naming_the_entry(monkeypatch, entry, field, message):
    _with(monkeypatch, synth_related=(entry,), synth_links=())
    domains = enable(["fakecity"], entry_points=[FAKECITY])
    with pytest.raises(InvalidInput) as exc:
        Synthesiser(domains, "371500", 1)
    assert exc.value.location == "fakecity: synth_related[0]" and exc.value.path == field
    assert message in str(exc.value)


def test_a_template_drawing_a_key_its_kind_refuses_is_an_error(monkeypatch):
    bad = SynthRelated("site", "located_at", "project", key="LOT-{index}")
    first = SynthRelated("project", "built_by", "contractor", count=(1, 1))
    _with(monkeypatch, synth_related=(first, bad))
    domains = enable(["fakecity"], entry_points=[FAKECITY])
    with pytest.raises(InvalidInput, match="invalid key"):
        drawn(domains, 30, 1)


def test_a_link_to_an_unknown_type_is_refused(monkeypatch):
    _with(monkeypatch, synth_links=(SynthLink("site", "works_at", "nobody"),))
    with pytest.raises(InvalidInput, match="synth_links"):
        Synthesiser(enable(["fakecity"], entry_points=[FAKECITY]), "371500", 1)


def test_a_synthetic_city_imports_and_plans_site_visits_and_off_site_checks(
    store, tmp_path, monkeypatch
):
    """On SQLite and PostgreSQL: the files ``registry synth`` writes import with no rejection
    (objects, then relations), persons under their keyed hash; the plan visits each site once
    with the project and the contractors there, and checks vehicles and drivers off site."""
    monkeypatch.setenv("ONETHING_PERSON_SECRET", SECRET)
    city = Rulebook(enable(["fake", "fakecity"], entry_points=[FAKE, FAKECITY]))
    w = synth.write(city.domains, "371500", 600, 11, tmp_path / "r.csv")
    objects = import_file(store, tmp_path / "r.csv", app_or_rulebook=city, on=ON)
    assert (objects.inserted, objects.rejected) == (w.objects, 0)
    relations = import_relations_file(store, w.relations_path, app_or_rulebook=city)
    assert (relations.inserted, relations.rejected) == (w.relations, 0)
    assert sum(count_relations(store).values()) == w.relations
    import_pool(
        store,
        [
            Inspector(id=f"{d}-{n}", name=f"{d}{n}", department=d, region="371500")
            for d in DEPARTMENTS
            for n in range(30)
        ],
        "test",
    )
    doc = make_plan(store, city, cycle=CYCLE, seed="S", by="tester")
    with (tmp_path / "r.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    kind = {key_of(r): r["object_kind"] or "business" for r in rows}
    visited = {v["key"] for v in doc["visits"]}
    assert not any(kind.get(k) in ("vehicle", "person", "project") for k in visited)
    assert not any(k.startswith("PH-") for k in visited)
    site_visits = [v for v in doc["visits"] if kind.get(v["key"]) == "site"]
    assert site_visits and all(len(set(v["objects"])) >= 2 for v in site_visits)
    assert any(kind.get(o) == "project" for v in site_visits for o in v["objects"])
    offsite = {x["key"] for x in doc["offsite_checks"]}
    assert offsite and all(kind.get(k) == "vehicle" or k.startswith("PH-") for k in offsite)
    assert json.dumps(doc, ensure_ascii=False).count("PH-") > 0
    clear = [key_of(r) for r in rows if r["object_kind"] == "person"]
    text = json.dumps(doc, ensure_ascii=False)
    assert not any(c in text for c in clear[:200])
    assert verify_plan(store, city, doc) == []
