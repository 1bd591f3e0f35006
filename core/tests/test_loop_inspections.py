"""Inspection → loop (issue 19): a record's findings open or attach to cases in the record's
transaction; transitions that rest on an inspection name a stored record of the case's object.
On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).parent))
from loop_support import LOOP_TABLES, REGION, T0, register, shared_store  # noqa: F401

from onething.errors import InvalidInput
from onething.loop import Actor, CaseSource, Loop, audit, get_case, open_case, transition
from onething.loop.inspections import add_inspection
from onething.rulebook import Rulebook
from onething.store.loop import LoopAudit, LoopCase
from onething.store.records import InspectionRecord

#: These tests read the messages in English.
pytestmark = pytest.mark.usefixtures("english")

INSPECTOR = Actor("market", "inspector", "371500")
LEADER = Actor("market", "leader", "371500")
AT = dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def store(shared_store):  # noqa: F811
    """The module's store, the loop's and the inspections' tables emptied."""
    with shared_store.session() as s:
        for table in (
            "inspection_finding",
            "inspection_evidence",
            "inspection_record",
            *LOOP_TABLES,
        ):
            s.execute(sa.text(f"DELETE FROM {table}"))
        s.execute(sa.text("UPDATE loop_audit_head SET seq = 0, hash = :h"), {"h": "0" * 64})
    return shared_store


@pytest.fixture
def book(fake_domains):
    return Rulebook(fake_domains)


@pytest.fixture
def loop(book):
    return Loop(book)


def visit(rid: str, *, extinguishers: bool = True, area: float = 10, key: str = "K") -> dict:
    """A visit to ``key`` for both fake items: fake.e01 (a yes/no) and fake.e02 (an area under
    the kiosk limit of 20 m²)."""
    return {
        "id": rid,
        "object": key,
        "items": ["fake.001", "fake.002"],
        "visited_at": "2026-12-01T10:00:00+08:00",
        "inspectors": [{"name": "张三", "department": "market", "id": "M-01"}],
        "entries": [
            {"element": "fake.e01", "evidence": extinguishers},
            {"element": "fake.e02", "evidence": area},
        ],
    }


def actions(store, case_id):
    with store.session() as s:
        return (
            s.execute(
                sa.select(LoopAudit.action)
                .where(LoopAudit.case_id == case_id)
                .order_by(LoopAudit.seq)
            )
            .scalars()
            .all()
        )


def test_findings_open_one_case_per_domain_in_handling(store, book, loop):
    register(store, "K")
    done = add_inspection(store, book, loop, visit("v1", extinguishers=False, area=30), at=AT)
    assert len(done.record.findings) == 2 and done.attached == ()
    (case_id,) = done.opened
    case = get_case(store, case_id)
    assert (case.state, case.source_kind, case.source_ref) == ("handling", "finding", "v1")
    assert case.severity == "serious"  # the gravest: fake.e01
    assert case.facts["elements"] == ["fake.e01", "fake.e02"]
    assert actions(store, case_id) == ["open"]


def test_a_repeated_finding_attaches_to_the_open_case(store, book, loop):
    register(store, "K")
    (first,) = add_inspection(store, book, loop, visit("v1", extinguishers=False), at=AT).opened
    again = add_inspection(store, book, loop, visit("v2", area=25), at=AT)
    assert again.opened == () and again.attached == (first,)
    case = get_case(store, first)
    assert case.version == 2 and case.facts["record"] == "v2"
    assert case.facts["failed_elements"] == ["fake.e02"]
    assert actions(store, first) == ["open", "record_attached"]
    # the attachment's version is audited: the chain and the case's row agree
    with store.session() as s:
        assert audit.verify(s).problem is None
        s.execute(sa.update(LoopCase).values(version=LoopCase.version + 1))
    with store.session() as s:  # one more version than the log shows: changed outside it
        problem = audit.verify(s).problem
    assert problem.kind == "case" and "version 3, audited 2" in problem.message


def test_a_passing_record_opens_nothing(store, book, loop):
    register(store, "K")
    done = add_inspection(store, book, loop, visit("v1"), at=AT)
    assert done.record.findings == () or list(done.record.findings) == []
    assert done.opened == () and done.attached == ()


def _stored(store, rid):
    with store.session() as s:
        return s.get(InspectionRecord, rid) is not None


def test_case_given_attaches_the_record_or_rejects_it_whole(store, book, loop):
    register(store, "K", "OTHER")
    asked = open_case(
        store, loop, CaseSource(kind="warning", domain="fake", object_key="K"), region=REGION
    )
    done = add_inspection(store, book, loop, visit("v1", extinguishers=False), case=asked.id, at=AT)
    assert done.opened == () and done.attached == (asked.id,)
    assert get_case(store, asked.id).facts["failed_elements"] == ["fake.e01"]
    for case, record, why in (
        (999_999, visit("v2"), "no case 999999"),
        (asked.id, visit("v3", key="OTHER"), "the record is of object OTHER"),
    ):
        with pytest.raises(InvalidInput) as exc:
            add_inspection(store, book, loop, record, case=case, at=AT)
        assert why in str(exc.value)
        assert not _stored(store, record["id"])  # nothing of the record stored


def test_findings_of_an_object_not_in_the_registry_store_nothing(store, book, loop):
    with pytest.raises(InvalidInput) as exc:
        add_inspection(store, book, loop, visit("v1", extinguishers=False, key="GHOST"), at=AT)
    assert "GHOST is not in the registry" in str(exc.value)
    assert not _stored(store, "v1")


def test_inspect_jointly_needs_a_stored_record_of_the_case_object(english, store, book, loop):
    register(store, "K", "OTHER")
    (case_id,) = add_inspection(store, book, loop, visit("v1", extinguishers=False), at=AT).opened
    add_inspection(store, book, loop, visit("elsewhere", key="OTHER"), at=AT)
    for record, why in (
        ("nope", "no stored inspection record 'nope'"),
        ("elsewhere", "is of object OTHER"),
    ):
        with pytest.raises(InvalidInput) as exc:
            transition(
                store,
                loop,
                case_id,
                "inspect_jointly",
                INSPECTOR,
                version=1,
                evidence={"record": record},
                at=AT,
            )
        assert why in str(exc.value) and exc.value.path == "evidence.record"
    case = transition(
        store,
        loop,
        case_id,
        "inspect_jointly",
        INSPECTOR,
        version=1,
        evidence={"record": "v1"},
        at=AT,
    )
    assert case.state == "joint_inspection"
    assert actions(store, case_id) == ["open", "refused", "refused", "transition"]


def test_a_passing_reinspection_record_rectifies_and_closes_the_joint_supervision(
    english, store, book, loop
):
    register(store, "K")
    (case_id,) = add_inspection(store, book, loop, visit("v1", extinguishers=False), at=AT).opened
    step = [
        ("inspect_jointly", INSPECTOR, {"record": "v1"}),
        ("order_rectification", INSPECTOR, {"order_no": "责改〔2026〕1号", "record": "v1"}),
        ("reinspect", INSPECTOR, None),
    ]
    v = 1
    for code, who, ev in step:
        v = transition(store, loop, case_id, code, who, version=v, evidence=ev, at=AT).version
    # still failing at the re-inspection: rectified is false, the record cannot confirm
    failing = add_inspection(
        store, book, loop, visit("re1", extinguishers=False), case=case_id, at=AT
    )
    assert failing.attached == (case_id,) and failing.opened == ()
    case = get_case(store, case_id)
    assert case.facts["rectified"] is False
    with pytest.raises(InvalidInput) as exc:
        transition(
            store,
            loop,
            case_id,
            "confirm_rectified",
            INSPECTOR,
            version=case.version,
            evidence={"record": "re1"},
            at=AT,
        )
    assert "has findings in fake: fake.e01" in str(exc.value)
    # the second re-inspection passes: rectified, confirmed with that record
    add_inspection(store, book, loop, visit("re2"), case=case_id, at=AT)
    case = get_case(store, case_id)
    assert case.facts["rectified"] is True
    case = transition(
        store,
        loop,
        case_id,
        "confirm_rectified",
        INSPECTOR,
        version=case.version,
        evidence={"record": "re2"},
        at=AT,
    )
    assert case.state == "retrospective"


def test_a_closed_case_takes_no_record(store, book, loop):
    register(store, "K")
    case = open_case(
        store, loop, CaseSource(kind="warning", domain="fake", object_key="K"), region=REGION
    )
    case = transition(store, loop, case.id, "assess", LEADER, version=1, at=AT)
    transition(
        store, loop, case.id, "dismiss", LEADER, version=2, evidence={"reason": "误报"}, at=AT
    )
    with pytest.raises(InvalidInput) as exc:
        add_inspection(store, book, loop, visit("v9"), case=case.id, at=AT)
    assert "is closed (dismissed)" in str(exc.value)
    assert not _stored(store, "v9")
    assert T0 < AT
