"""The joint checklist on the real plugins' data (catering, prepaid cards, elderly care): only
invariants, since their data is being filled in."""

from __future__ import annotations

import datetime as dt

import pytest

from onething import Rulebook, enable
from onething.checklist import build_checklist, conflicts

ON = dt.date(2026, 11, 27)


@pytest.fixture(scope="module")
def book():
    return Rulebook(
        enable(["catering", "prepaid_card", "elderly_care"])
    )  # make setup installs them


def test_every_real_item_set_gives_unique_lines_and_department_views_equal_solo(book):
    items = [i.code for i in book.items(ON)]
    c = build_checklist(book, items, ON)
    canon = [ln.canonical for ln in c.lines]
    assert len(canon) == len(set(canon))
    assert len(c.elements) == len({e.code for e in c.elements})
    required = {e.code for e in book.elements(ON) if set(e.items) & set(items)}
    assert {e.code for e in c.elements} == required
    for dept in c.departments:
        assert c.view(dept) == build_checklist(book, c.department_items(dept), ON)


def test_real_conflicts_name_two_elements_of_one_canonical_code(book):
    by_code = {e.code: e for e in book.elements(ON)}
    for x in conflicts(book, ON):
        assert by_code[x.a.element].canonical == by_code[x.b.element].canonical == x.canonical
        assert x.reasons


def test_the_two_custody_regimes_are_two_check_points_and_no_conflict(book):
    # 9号令 (card issuers, commerce) and 民发〔2024〕19号 (care homes' fees, civil affairs):
    # other objects, funds and authorities — not one check point (issue 20).
    on = dt.date(2026, 12, 6)
    canonical = {e.code: e.canonical for e in book.elements(on)}
    assert canonical["prepaid_card.e22"] == "prepaid_fund_custody"
    assert canonical["elderly_care.e22"] == "care_fee_custody"
    custody = {"prepaid_fund_custody", "care_fee_custody"}
    assert [c for c in conflicts(book, on) if c.canonical in custody] == []


def test_the_catering_visit_of_issue_19_yields_two_findings(book):
    """4 of 6 food handlers certified and scope_matches false: two findings, not "0 failed"
    (catering.e06 x-at-least, catering.e01 x-pass); every other element passes."""
    from onething.checklist import check_record

    on = dt.date(2026, 12, 1)
    c = build_checklist(book, ["catering.001", "catering.003"], on)
    given = {
        "catering.e01": {
            "licence_no": "JY13715000000001",
            "valid_to": "2030-01-01",
            "scope_matches": False,
        },
        "catering.e06": {"food_handlers": 6, "with_current_certificate": 4},
    }
    entries = []
    for el in c.elements:
        if el.code in given:
            entries.append({"element": el.code, "evidence": given[el.code]})
        else:
            entries.append({"element": el.code, "result": "not_applicable"})
    rec = check_record(
        {
            "object": "91371500MA3C4XYZ1A",
            "items": ["catering.001", "catering.003"],
            "visited_at": "2026-12-01T09:30:00+08:00",
            "inspectors": [{"name": "张三", "department": "market", "id": "M-01"}],
            "entries": entries,
        },
        c,
    )
    assert sorted(f.element for f in rec.findings) == ["catering.e01", "catering.e06"]
    by = {f.element: f.remark for f in rec.findings}
    assert "with_current_certificate = 4，少于 food_handlers = 6" in by["catering.e06"]
    assert "scope_matches = False" in by["catering.e01"]
