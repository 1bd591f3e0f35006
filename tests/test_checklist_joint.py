"""The joint checklist across domains: a restaurant that sells prepaid cards and runs a gas
kitchen gets one checklist; records are validated whole, stored in one transaction, and each
department's view equals its solo checklist (结果互认)."""

from __future__ import annotations

import copy
import datetime as dt
import json

import pytest
import sqlalchemy as sa
from checklist_domains import CHECKLIST_EPS, DOMAINS, RESTAURANT, USCC, good_record
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onething import InvalidInput, Rulebook, enable
from onething.checklist import (
    build_checklist,
    check_record,
    conflicts,
    iter_findings,
    load_record,
    render_html,
    render_markdown,
)
from onething.loop.inspections import add_record
from onething.store.records import InspectionEvidence, InspectionFinding, InspectionRecord

#: These tests read the messages in English.
pytestmark = pytest.mark.usefixtures("english")

ON = dt.date(2026, 11, 27)


@pytest.fixture(scope="module")
def book():
    return Rulebook(enable(DOMAINS, entry_points=CHECKLIST_EPS))


def line(c, canonical):
    (found,) = [ln for ln in c.lines if ln.canonical == canonical]
    return found


# -- the restaurant ---------------------------------------------------------------------------


def test_shared_elements_appear_once_naming_every_department(book):
    c = build_checklist(book, RESTAURANT, ON)
    canon = [ln.canonical for ln in c.lines]
    assert len(canon) == len(set(canon))
    gas = line(c, "gas_alarm")
    assert [e.code for e in gas.elements] == ["gas.e01", "kitchen.e01"]
    assert gas.departments == ("fire", "housing", "market")
    assert gas.items == ("gas.001", "kitchen.002")
    fire = line(c, "fire_facilities")
    assert [e.code for e in fire.elements] == ["fake.e01", "gas.e03", "kitchen.e02"]
    assert set(fire.departments) == {"fire", "housing", "market"}
    lic = line(c, "licence_display")
    assert lic.departments == ("commerce", "market")
    assert len(c.elements) == 12 and len(c.lines) == 8


def test_lines_are_grouped_in_dimension_order(book):
    c = build_checklist(book, RESTAURANT, ON)
    order = ["personnel", "equipment", "environment", "rules", "quality", "qualification"]
    dims = [order.index(ln.dimension) for ln in c.lines]
    assert dims == sorted(dims)
    assert c.lines[0].canonical == "food_handler_health_cert"


def test_conflicting_limits_are_flagged_and_the_strictest_applied(book):
    gas = line(build_checklist(book, RESTAURANT, ON), "gas_alarm")
    assert gas.limit.value == 6 and gas.limit.element == "gas.e01"
    (conflict,) = gas.conflicts
    assert set(conflict.reasons) == {"threshold", "frequency"}
    assert gas.severity == "major_hazard"


def test_elements_conflicts_lists_both_bases(book):
    (c,) = conflicts(book, ON)
    assert c.canonical == "gas_alarm"
    assert {c.a.element, c.b.element} == {"gas.e01", "kitchen.e01"}
    assert c.a_basis[0].law == "虚构燃气条例" and c.b_basis[0].law == "虚构餐饮条例"
    assert c.as_json()["a"]["value"] == 6


def test_saved_counts_the_check_points_departments_would_repeat_alone(book):
    c = build_checklist(book, RESTAURANT, ON)
    solo = c.solo_points()
    # market: health cert, licence, sample, gas alarm, fire; fire: gas alarm, fire; housing:
    # gas alarm, hose, fire; commerce: custody, licence, business licence
    assert solo == {"commerce": 3, "fire": 2, "housing": 3, "market": 5}
    assert c.saved() == 13 - 8


def test_a_department_view_equals_its_solo_checklist(book):
    joint = build_checklist(book, RESTAURANT, ON)
    for dept in joint.departments:
        solo = build_checklist(book, joint.department_items(dept), ON)
        assert joint.view(dept) == solo, dept


# -- properties -------------------------------------------------------------------------------


ALL_ITEMS = ["fake.001", "fake.002", "fake.003", *RESTAURANT[:-1]]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(items=st.sets(st.sampled_from(ALL_ITEMS), min_size=1))
def test_joint_checklist_holds_each_required_canonical_once_and_nothing_else(book, items):
    c = build_checklist(book, items, ON)
    required = {e.canonical for e in book.elements(ON) if set(e.items) & items}
    canon = [ln.canonical for ln in c.lines]
    assert sorted(canon) == sorted(required)
    for ln in c.lines:
        assert set(ln.items) <= items
        assert ln.departments == tuple(
            sorted({d for i, ds in c.item_departments if i in ln.items for d in ds})
        )
    for dept in c.departments:
        assert c.view(dept) == build_checklist(book, c.department_items(dept), ON)


def _auto_evidence(el, data):
    """Schema-valid evidence for any element of the test domains."""
    s = el.evidence_schema
    if s.get("type") == "boolean":
        return data.draw(st.booleans())
    if s.get("type") == "number":
        return data.draw(st.floats(0, 1))
    props = s["properties"]
    if "installed" in props:
        return {
            "installed": data.draw(st.booleans()),
            "months_since_test": data.draw(st.integers(0, 24)),
        }
    if "food_handlers" in props:
        return {
            "food_handlers": data.draw(st.integers(0, 9)),
            "with_certificate": data.draw(st.integers(0, 9)),
        }
    if "licence_no" in props:
        return {
            "licence_no": "L",
            "valid_to": data.draw(st.sampled_from(["2026-01-01", "2027-01-01"])),
        }
    return {"value": data.draw(st.integers(0, 300)), "unit": "gram"}


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(items=st.sets(st.sampled_from(ALL_ITEMS), min_size=1), data=st.data())
def test_the_union_of_department_views_is_the_joint_record(book, items, data):
    c = build_checklist(book, items, ON, object_key=USCC)
    entries = [{"element": e.code, "evidence": _auto_evidence(e, data)} for e in c.elements]
    rec = check_record(good_record(items=sorted(items), entries=entries), c)
    by_element = {e.element: e for e in rec.entries}
    union: dict[str, set] = {}
    for dept in c.departments:
        view = rec.view(dept)
        solo = c.view(dept)
        assert [e.element for e in view.entries] == [e.code for e in solo.elements]
        for e in view.entries:
            assert e.evidence == by_element[e.element].evidence
            assert e.result == by_element[e.element].result
            union.setdefault(e.element, set()).update(e.items)
    assert union == {e.element: set(e.items) for e in rec.entries}
    assert {f.element for f in rec.findings} == {
        e.element for e in rec.entries if e.result == "fail"
    }


# -- records ----------------------------------------------------------------------------------


def _count(store, table) -> int:
    with store.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table.__table__)).scalar_one()


def _register(store) -> None:
    from onething.store.registry import RegistryObject

    with store.session() as s:
        s.add(
            RegistryObject(
                key=USCC, key_kind="uscc", name="老街饭店", region_code="371502",
                updated_at=dt.datetime.now(dt.UTC),
            )
        )  # fmt: skip


def test_a_violation_of_an_object_not_in_the_registry_stores_nothing(store, book):
    data = good_record()
    data["entries"][0]["evidence"]["months_since_test"] = 9
    with pytest.raises(InvalidInput, match=r"not in the registry.*nothing was stored"):
        add_record(store, book, data, location="visit.json")
    assert _count(store, InspectionRecord) == 0


def test_a_record_is_stored_with_its_evidence_and_findings(store, book):
    """Stored whole, and each domain's findings open that domain's case (#19: the library
    entry point ``add_record`` used to store violations without any case)."""
    from onething.store.loop import LoopCase

    _register(store)
    data = good_record()
    data["entries"][0]["evidence"]["months_since_test"] = 9  # passes 12 (kitchen), fails 6 (gas)
    data["entries"][7]["evidence"]["valid_to"] = "2026-11-01"  # expired
    rec = add_record(store, book, data, location="visit.json")
    assert _count(store, InspectionEvidence) == 12
    with store.engine.connect() as conn:
        cases = conn.execute(sa.select(LoopCase.domain, LoopCase.source_kind)).all()
    assert sorted(cases) == [("cards", "finding"), ("gas", "finding")]
    assert {(f.element, f.severity) for f in rec.findings} == {
        ("gas.e01", "major_hazard"),
        ("cards.e03", "serious"),
    }
    loaded = load_record(store, "visit-1")
    assert loaded == rec
    found = list(iter_findings(store, object_key=USCC))
    assert found == list(rec.findings)
    gas = found[0]
    assert gas.departments == ("housing",) and gas.items == ("gas.001",)
    assert gas.basis[0].law == "虚构燃气条例" and gas.record_id == "visit-1"
    assert "months_since_test = 9, limit <= 6 month" in gas.remark


def test_evidence_violating_its_schema_rejects_the_whole_record(store, book):
    add_record(store, book, good_record(id="before"))
    before = [_count(store, t) for t in (InspectionRecord, InspectionEvidence, InspectionFinding)]
    data = good_record(id="bad")
    data["entries"][3]["evidence"] = {"food_handlers": 6, "with_certificate": -1}
    data["entries"][6]["evidence"] = 0.1  # a failure: it would yield a finding if stored
    with pytest.raises(InvalidInput) as exc:
        add_record(store, book, data, location="visit.json")
    assert exc.value.location == "visit.json"
    assert exc.value.path == "entries[3].evidence.with_certificate"
    assert "kitchen.e03" in exc.value.message
    assert "-1 is less than the minimum of 0" in exc.value.message
    after = [_count(store, t) for t in (InspectionRecord, InspectionEvidence, InspectionFinding)]
    assert after == before


def test_record_problems_name_what_is_wrong(book):
    c = build_checklist(book, RESTAURANT, ON, object_key=USCC)
    cases = [
        (lambda d: d["entries"].pop(), "entries", "cards.e03"),
        (
            lambda d: d["entries"].append({"element": "gas.e99", "evidence": True}),
            "entries[8].element",
            "gas.e99",
        ),
        (
            lambda d: d["entries"].append({"element": "gas.e02", "evidence": True}),
            "entries[8]",
            "entries[2]",
        ),
        (
            lambda d: d["entries"][5]["evidence"].update(unit="kg"),
            "entries[5].evidence.unit",
            "'kg'",
        ),
        (lambda d: d["entries"][2].pop("evidence"), "entries[2].evidence", "gas.e02"),
        (lambda d: d.update(visited_at="yesterday"), "visited_at", "date-time"),
        (lambda d: d["inspectors"].clear(), "inspectors", "non-empty"),
    ]
    for change, path, words in cases:
        data = copy.deepcopy(good_record())
        change(data)
        with pytest.raises(InvalidInput) as exc:
            check_record(data, c, location="r.json")
        assert exc.value.path == path, (path, str(exc.value))
        assert words in str(exc.value), (words, str(exc.value))


def test_not_applicable_needs_no_evidence_and_inspector_fail_always_fails(book):
    c = build_checklist(book, RESTAURANT, ON, object_key=USCC)
    data = good_record()
    data["entries"][2] = {"element": "gas.e02", "result": "not_applicable", "remark": "无软管"}
    data["entries"][6] = {
        "element": "cards.e01",
        "evidence": 0.9,
        "result": "fail",
        "remark": "账实不符",
    }
    rec = check_record(data, c)
    results = {e.element: e.result for e in rec.entries}
    assert results["gas.e02"] == "not_applicable" and results["cards.e01"] == "fail"
    (f,) = rec.findings
    assert f.element == "cards.e01" and "账实不符" in f.remark


def test_a_duplicate_record_id_is_rejected(store, book):
    add_record(store, book, good_record())
    with pytest.raises(InvalidInput, match="already stored"):
        add_record(store, book, good_record())


# -- rendering --------------------------------------------------------------------------------


def test_markdown_and_html_name_every_line_and_the_saving(chinese, book):
    c = build_checklist(book, RESTAURANT, ON, object_key=USCC, object_name="老街饭店")
    md = render_markdown(c)
    html = render_html(c)
    for ln in c.lines:
        assert ln.label_zh in md and ln.label_zh in html
    assert "合并减少5项" in md and "<b>5</b>" in html
    assert "限值冲突" in md and "限值冲突" in html
    assert "<script" not in html and "http" not in html.split("<body>")[1]
    assert "市住房和城乡建设局" in html


def test_checklist_json_has_documented_fields(book):
    data = json.loads(json.dumps(build_checklist(book, RESTAURANT, ON).as_json()))
    assert data["saved"] == 5 and data["lines"] == 8 and data["conflicts"] == 1
    gas = next(x for x in data["checklist"] if x["canonical"] == "gas_alarm")
    assert gas["conflict"] and gas["limit"]["value"] == 6
    assert {e["code"] for e in gas["elements"]} == {"gas.e01", "kitchen.e01"}
