"""The pilot evaluation's numbers come from the stored data: a record, a finding, a closed
case or a late step stored moves the figure that counts it (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).parent))
from loop_support import register

from onething.evaluation import evaluate, to_html, to_json
from onething.loop import Loop
from onething.loop.inspections import add_inspection
from onething.rulebook import Rulebook
from onething.store.loop import LoopCase, LoopStep

DAY = dt.date(2026, 12, 1)
AT = dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def book(fake_domains):
    return Rulebook(fake_domains)


def visit(rid: str, key: str, *, extinguishers: bool = True, when: str = "2026-12-01") -> dict:
    """A joint visit: fake.001 (market: fake.e02, an area under 20 m²) and fake.002 (fire:
    fake.e01, extinguishers present)."""
    return {
        "id": rid,
        "object": key,
        "items": ["fake.001", "fake.002"],
        "visited_at": f"{when}T10:00:00+08:00",
        "inspectors": [{"name": "张三", "department": "market", "id": "M-01"}],
        "entries": [
            {"element": "fake.e01", "evidence": extinguishers},
            {"element": "fake.e02", "evidence": 10},
        ],
    }


def ev(store, book, **kw):
    return evaluate(store, book, start=kw.pop("start", None), end=kw.pop("end", DAY), at=AT)


def test_figures_move_with_the_stored_records_and_cases(store, book):
    loop = Loop(book)
    register(store, "K1", "K2")
    empty = ev(store, book)
    assert empty.figure("visits.records").value == 0
    assert empty.figure("findings.visit_rate").value is None  # no visit: no rate, not 0

    add_inspection(store, book, loop, visit("r1", "K1"), at=AT)
    one = ev(store, book)
    assert one.figure("visits.records").value == 1
    assert one.figure("findings.visit_rate").value == 0
    # One joint visit served market and fire: alone they would have come twice.
    assert one.figure("visits.joint_share").value == 1
    assert one.figure("visits.per_business").value == 1
    assert one.figure("visits.per_business").baseline == 2
    assert one.figure("visits.saved").value == 1

    add_inspection(store, book, loop, visit("r2", "K2", extinguishers=False), at=AT)
    two = ev(store, book)
    assert two.figure("findings.visit_rate").value == 0.5
    assert two.figure("loop.cases").value == 1
    assert two.figure("loop.closure_rate").value == 0

    with store.session() as s:  # the case closed behind the evaluation's back
        s.execute(sa.update(LoopCase).values(closed_at=AT, state="closed"))
    assert ev(store, book).figure("loop.closure_rate").value == 1


def test_overdue_steps_and_publication_timeliness_are_read_from_the_steps(store, book):
    loop = Loop(book)
    register(store, "K3")
    add_inspection(store, book, loop, visit("r3", "K3", extinguishers=False), at=AT)
    base = ev(store, book).figure("loop.overdue_steps")
    assert base.numerator == 0
    with store.session() as s:  # its open step gets a time limit, already past
        s.execute(sa.update(LoopStep).values(due_at=AT - dt.timedelta(days=1)))
    late = ev(store, book).figure("loop.overdue_steps")
    assert late.numerator == late.denominator >= 1

    assert ev(store, book).figure("publication.timeliness").value is None
    with store.session() as s:
        case_id = s.execute(sa.select(LoopCase.id)).scalar_one()
        s.add(
            LoopStep(
                case_id=case_id,
                domain="fake",
                state="published",
                stage="joint_sanction",
                owner="market",
                entered_at=AT - dt.timedelta(hours=5),
                due_at=AT - dt.timedelta(hours=1),
                left_at=AT,
            )
        )
    assert ev(store, book).figure("publication.timeliness").value == 0  # left after due


def test_the_period_selects_what_is_counted(store, book):
    loop = Loop(book)
    register(store, "K4", "K5")
    add_inspection(store, book, loop, visit("r4", "K4", when="2026-11-02"), at=AT)
    add_inspection(store, book, loop, visit("r5", "K5", when="2026-12-01"), at=AT)
    assert ev(store, book).figure("visits.records").value == 2
    dec = ev(store, book, start=dt.date(2026, 12, 1))
    assert dec.figure("visits.records").value == 1
    nov = ev(store, book, start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 30))
    assert nov.figure("visits.records").value == 1


def test_json_and_html_carry_every_figure(store, book, tmp_path):
    register(store, "K6")
    add_inspection(store, book, Loop(book), visit("r6", "K6"), at=AT)
    e = ev(store, book)
    doc = json.loads(to_json(e))
    assert {f["code"] for f in doc["figures"]} == {f.code for f in e.figures}
    html = to_html(e)
    assert "data:image/png;base64," in html and "<script" not in html  # self-contained
    assert "联合检查" in html
    from onething.i18n import set_language

    set_language("en")
    assert "joint" in to_html(e)
