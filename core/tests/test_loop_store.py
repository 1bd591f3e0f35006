"""The closed loop on the store (SQLite and PostgreSQL): versions and concurrency, the audit
chain and its tampering, permissions, deadlines, events and linkage, the retrospective."""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).parent))
from loop_support import REGION, T0, loop_store, register, shared_store, stored_record  # noqa: F401

from onething.errors import InvalidInput
from onething.loop import (
    Actor,
    CaseSource,
    Complaint,
    ConflictError,
    GuardFailed,
    Loop,
    PermissionDenied,
    due_tasks,
    get_case,
    ingest_events,
    open_case,
    overdue,
    transition,
    verify_audit,
)
from onething.loop import report as loop_report
from onething.loop.audit import chain_hash
from onething.model import Finding
from onething.rulebook import Rulebook
from onething.store.loop import LoopAudit, LoopCase, LoopStep, LoopTask

#: These tests read the messages in English.
pytestmark = pytest.mark.usefixtures("english")

LEADER = Actor("market", "leader", "371500")
REVIEWER = Actor("market", "reviewer", "371500")


@pytest.fixture
def loop(fake_domains):
    return Loop(Rulebook(fake_domains))


def _warning(store, loop, key="K1", at=T0):
    return open_case(
        store,
        loop,
        CaseSource(kind="warning", domain="fake", object_key=key, risk_rule="fake.r1"),
        region=REGION,
        at=at,
    )


def _transferred(store, loop, to_department: str, key="K1", transferred_at=T0):
    """A warning assessed and its clue transferred to ``to_department`` (version 3)."""
    case = _warning(store, loop, key)
    case = transition(store, loop, case.id, "assess", REVIEWER, version=1, at=T0)
    return transition(
        store,
        loop,
        case.id,
        "transfer_clue",
        REVIEWER,
        version=2,
        evidence={"to_department": to_department},
        at=transferred_at,
    )


def _audit(store, action=None):
    with store.session() as s:
        q = sa.select(LoopAudit).order_by(LoopAudit.seq)
        if action:
            q = q.where(LoopAudit.action == action)
        return s.execute(q).scalars().all()


# -- versions and concurrency -------------------------------------------------------------------


def test_a_stale_version_is_a_conflict_and_changes_nothing(english, store, loop):
    case = _warning(store, loop)
    transition(store, loop, case.id, "assess", REVIEWER, version=1, at=T0)
    with pytest.raises(ConflictError, match="version 2, not 1"):
        transition(
            store, loop, case.id, "dismiss", REVIEWER, version=1, evidence={"reason": "x"}, at=T0
        )
    assert get_case(store, case.id).state == "assessment"
    assert len(_audit(store, "transition")) == 1


def test_two_officers_acting_at_once_exactly_one_wins(store, loop):
    """Two threads, each with its own connection, take the same transition on version 1."""
    case = _warning(store, loop)
    barrier = threading.Barrier(2)
    results: list[object] = []

    def officer():
        barrier.wait()
        try:
            results.append(transition(store, loop, case.id, "assess", REVIEWER, version=1, at=T0))
        except ConflictError as exc:
            results.append(exc)

    threads = [threading.Thread(target=officer) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wins = [r for r in results if isinstance(r, LoopCase)]
    assert len(wins) == 1 and sum(isinstance(r, ConflictError) for r in results) == 1
    assert get_case(store, case.id).version == 2
    assert len(_audit(store, "transition")) == 1
    with store.session() as s:
        assert verify_audit(s).ok


def test_parallel_officers_retrying_lose_no_update(store, loop):
    """Four threads move one case back and forth (dispute / agree_owner), re-reading on every
    conflict: the version counts every success, the audit log holds every one, the chain is
    intact."""
    case = _transferred(store, loop, "market")
    per_thread, successes = 4, []
    lock = threading.Lock()

    def officer():
        done = 0
        while done < per_thread:
            c = get_case(store, case.id)
            code, ev = (
                ("dispute", {"reason": "not ours"})
                if c.state == "clue_transfer"
                else ("agree_owner", {"to_department": "market"})
            )
            try:
                transition(store, loop, c.id, code, LEADER, version=c.version, evidence=ev, at=T0)
            except ConflictError:  # lost a race: re-read (a stale version is never a refusal)
                continue
            done += 1
            with lock:
                successes.append(code)

    threads = [threading.Thread(target=officer) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    final = get_case(store, case.id)
    assert final.version == 3 + len(successes) == 3 + 16
    assert len(_audit(store, "transition")) == 2 + 16
    with store.session() as s:
        assert verify_audit(s).ok


# -- audit chain ----------------------------------------------------------------------------------


def _chain(store, loop):
    case = _transferred(store, loop, "market")
    case = transition(store, loop, case.id, "accept_clue", REVIEWER, version=3, at=T0)
    with store.session() as s:
        assert verify_audit(s).ok and verify_audit(s).entries == 4
    return case


def _problem(store):
    return verify_audit(store).problem  # the store, as transition takes (or a session)


def test_audit_verify_detects_an_edited_entry(store, loop):
    _chain(store, loop)
    with store.session() as s:
        s.execute(
            sa.update(LoopAudit)
            .where(LoopAudit.seq == 2)
            .values(body=sa.func.replace(LoopAudit.body, "reviewer", "leader"))
        )
    p = _problem(store)
    assert (p.seq, p.kind) == (2, "edited")


def test_audit_verify_detects_a_deleted_entry(store, loop):
    _chain(store, loop)
    with store.session() as s:
        s.execute(sa.delete(LoopAudit).where(LoopAudit.seq == 2))
    p = _problem(store)
    assert (p.seq, p.kind) == (3, "deleted")


def test_audit_verify_detects_a_deleted_last_entry(store, loop):
    _chain(store, loop)
    with store.session() as s:
        s.execute(sa.delete(LoopAudit).where(LoopAudit.seq == 4))
    assert _problem(store).kind == "truncated"


def _anchor(store):
    with store.session() as s:
        v = verify_audit(s)
    assert v.ok
    return v.head


def test_a_cut_tail_with_its_head_set_back_fails_the_anchor(store, loop):
    """Inside the database a consistent prefix of the chain is indistinguishable from the
    whole chain; only the case the cut step moved still shows it (it is not where its last
    remaining step left it), and the anchor kept outside shows the tail was cut."""
    from onething.store.loop import LoopAuditHead

    _chain(store, loop)
    anchor = _anchor(store)
    assert anchor[0] == 4
    with store.session() as s:
        prev = s.execute(sa.select(LoopAudit.hash).where(LoopAudit.seq == 3)).scalar_one()
        s.execute(sa.delete(LoopAudit).where(LoopAudit.seq == 4))
        s.execute(sa.update(LoopAuditHead).values(seq=3, hash=prev))
    p = _problem(store)
    assert (p.kind, p.seq) == ("case", 3) and "not where its last audited step" in p.message
    with store.session() as s:
        p = verify_audit(s, expect=anchor).problem
    assert (p.kind, p.seq) == ("truncated", 4) and "anchor names entry 4" in p.message


def test_a_chain_rehashed_after_an_edit_fails_the_anchor(store, loop):
    from onething.store.loop import LoopAuditHead

    _chain(store, loop)
    anchor = _anchor(store)
    with store.session() as s:  # edit entry 2 and recompute every hash after it
        prev = s.execute(sa.select(LoopAudit.hash).where(LoopAudit.seq == 1)).scalar_one()
        for e in s.execute(
            sa.select(LoopAudit).where(LoopAudit.seq >= 2).order_by(LoopAudit.seq)
        ).scalars():
            if e.seq == 2:
                e.body = e.body.replace("reviewer", "leader")
            e.prev_hash, e.hash = prev, chain_hash(prev, e.body)
            prev = e.hash
        s.flush()
        s.execute(sa.update(LoopAuditHead).values(hash=prev))
    assert _problem(store) is None
    with store.session() as s:
        p = verify_audit(s, expect=anchor).problem
    assert (p.kind, p.seq) == ("rewritten", 4)
    with store.session() as s:  # an anchor on a later entry of a chain that grew: fine
        assert verify_audit(s, expect=(1, anchor[1])).problem.kind == "rewritten"


def test_a_missing_head_row_is_a_problem_not_a_crash(store, loop):
    from onething.store.loop import LoopAuditHead

    _chain(store, loop)
    with store.session() as s:
        (seq, digest) = s.execute(sa.select(LoopAuditHead.seq, LoopAuditHead.hash)).one()
        s.execute(sa.delete(LoopAuditHead))
    try:
        assert "head row is missing" in _problem(store).message
    finally:  # the loop tests share the store: put it back
        with store.session() as s:
            s.add(LoopAuditHead(id=1, seq=seq, hash=digest))


def test_audit_verify_detects_an_inserted_entry(store, loop):
    """A forger renumbers the entries after 2 and slips in a well-formed entry 3."""
    _chain(store, loop)
    with store.session() as s:
        for seq in (4, 3):
            s.execute(sa.update(LoopAudit).where(LoopAudit.seq == seq).values(seq=seq + 1))
        prev = s.execute(sa.select(LoopAudit.hash).where(LoopAudit.seq == 2)).scalar_one()
        body = json.dumps({"seq": 3, "action": "transition", "case": 1}, sort_keys=True)
        s.add(
            LoopAudit(
                seq=3,
                case_id=1,
                action="transition",
                body=body,
                prev_hash=prev,
                hash=chain_hash(prev, body),
            )
        )
    p = _problem(store)
    assert (p.seq, p.kind) == (4, "inserted")


def test_audit_verify_detects_reordered_entries(store, loop):
    _chain(store, loop)
    with store.session() as s:
        a, b = (
            s.execute(sa.select(LoopAudit).where(LoopAudit.seq == n)).scalar_one() for n in (2, 3)
        )
        rows = [
            {k: getattr(r, k) for k in ("case_id", "action", "body", "prev_hash", "hash")}
            for r in (a, b)
        ]
        s.execute(sa.update(LoopAudit).where(LoopAudit.seq == 2).values(**rows[1]))
        s.execute(sa.update(LoopAudit).where(LoopAudit.seq == 3).values(**rows[0]))
    p = _problem(store)
    assert (p.seq, p.kind) == (2, "reordered")


# -- permissions ----------------------------------------------------------------------------------


def test_a_department_not_granted_the_transition_is_refused_and_logged(english, store, loop):
    case = _warning(store, loop)
    with pytest.raises(PermissionDenied, match="department 'health' may not"):
        transition(
            store, loop, case.id, "assess", Actor("health", "reviewer", "371500"), version=1, at=T0
        )
    with pytest.raises(PermissionDenied, match="role 'inspector' may not"):
        transition(
            store, loop, case.id, "assess", Actor("market", "inspector", "371500"), version=1, at=T0
        )
    refused = _audit(store, "refused")
    assert [json.loads(e.body)["data"]["reason"] for e in refused] == ["permission"] * 2
    assert json.loads(refused[0].body)["actor"]["department"] == "health"
    assert get_case(store, case.id).version == 1


def test_an_actor_acts_only_on_cases_in_its_region(english, store, loop):
    case = _warning(store, loop)  # 371502, in 聊城市
    with pytest.raises(PermissionDenied, match="region 371600"):
        transition(
            store, loop, case.id, "assess", Actor("market", "reviewer", "371600"), version=1, at=T0
        )
    with pytest.raises(PermissionDenied, match="region 371503"):
        transition(
            store, loop, case.id, "assess", Actor("market", "reviewer", "371503"), version=1, at=T0
        )
    province = Actor("market", "reviewer", "370000")
    assert transition(store, loop, case.id, "assess", province, version=1, at=T0).version == 2


def test_evidence_failing_its_schema_is_refused_naming_the_key(store, loop):
    case = _warning(store, loop)
    transition(store, loop, case.id, "assess", REVIEWER, version=1, at=T0)
    with pytest.raises(InvalidInput, match=r"evidence.*to_department"):
        transition(
            store,
            loop,
            case.id,
            "transfer_clue",
            REVIEWER,
            version=2,
            evidence={"to_department": "Not A Code"},
            at=T0,
        )


def test_a_guard_that_does_not_hold_is_refused(store, loop):
    case = open_case(
        store,
        loop,
        Finding(
            object_key="K9",
            element="fake.e01",
            canonical="fake.e01",
            severity="serious",
            items=["fake.001"],
            departments=["market"],
            basis=[],
            found_on=T0.date(),
        ),
        region=REGION,
        at=T0,
    )
    assert case.state == "handling" and case.facts["items"] == ["fake.001"]
    case = transition(
        store,
        loop,
        case.id,
        "order_rectification_on_handling",
        Actor("market", "inspector", "371500"),
        version=1,
        evidence={"order_no": "R-1"},
        at=T0,
    )
    case = transition(
        store, loop, case.id, "reinspect", Actor("market", "inspector", "371500"), version=2, at=T0
    )
    with pytest.raises(GuardFailed):
        transition(
            store,
            loop,
            case.id,
            "confirm_rectified",
            Actor("market", "inspector", "371500"),
            version=3,
            evidence={"report": "ok", "record": stored_record(store, case.object_key)},
            facts={"rectified": False},
            at=T0,
        )


@pytest.mark.parametrize(
    ("facts", "message"),
    [
        ({"severity": "minor"}, r"facts\.severity: .*'minor'"),  # overwrote the case's severity
        ({"owner_note": "x"}, r"facts\.owner_note: .*may set only: severity$"),
        ({"overdue": False}, r"facts\.overdue: .*may set only"),  # computed by the engine
        ([1, 2], r"facts: expected a JSON object"),
    ],
)
def test_a_step_sets_only_the_facts_its_transition_declares(english, store, loop, facts, message):
    """``assess`` reads no fact: only the case's severity (from the list) may be set with it;
    the case is unchanged after a refusal."""
    case = _warning(store, loop)
    with pytest.raises(InvalidInput, match=message):
        transition(store, loop, case.id, "assess", REVIEWER, version=1, facts=facts, at=T0)
    after = get_case(store, case.id)
    assert (after.version, after.facts, after.severity) == (1, case.facts, case.severity)


def test_a_fact_a_guard_reads_must_have_the_guards_type(loop):
    from onething.loop.cases import settable_facts

    (t,) = [x for x in loop.outgoing("reinspection", "fake") if x.code == "confirm_rectified"]
    assert settable_facts(t)["rectified"] == {"type": "boolean"}
    assert "overdue" not in settable_facts(t)


# -- deadlines ------------------------------------------------------------------------------------


def test_limits_set_deadlines_and_overdue_lists_steps_past_them(store, loop):
    a = _warning(store, loop, "A")  # 15 working days to assess: 2026-11-23
    assert a.due_at == dt.datetime(2026, 11, 23, 9, tzinfo=dt.UTC)
    b = _transferred(store, loop, "health", "B", T0 + dt.timedelta(days=1))
    assert b.owner == "health"
    late = list(overdue(store, loop, dt.datetime(2026, 11, 24, tzinfo=dt.UTC)))
    assert [(r.object_key, r.owner, r.stage, r.state) for r in late] == [
        ("A", "market", "warning", "warning"),
        ("B", "health", "transfer", "clue_transfer"),
    ]
    assert late[0].days_over == 0 and late[1].days_over >= 0
    assert list(overdue(store, loop, dt.datetime(2026, 11, 10, tzinfo=dt.UTC))) == []


def test_the_order_deadline_prevails_over_the_default(store, loop):
    case = open_case(
        store, loop, CaseSource(kind="finding", domain="fake", object_key="K"), region=REGION, at=T0
    )
    case = transition(
        store,
        loop,
        case.id,
        "order_rectification_on_handling",
        Actor("market", "inspector", "371500"),
        version=1,
        evidence={"order_no": "R", "deadline": "2026-12-05"},
        at=T0,
    )
    assert case.due_at.date() == dt.date(2026, 12, 5)


def test_an_overdue_consultation_escalates_to_the_lead_department(store, loop):
    case = _transferred(store, loop, "health")
    health = Actor("health", "leader", "371500")
    case = transition(
        store, loop, case.id, "dispute", health, version=3, evidence={"reason": "not ours"}, at=T0
    )
    with pytest.raises(GuardFailed):  # 7 working days not yet over
        transition(store, loop, case.id, "escalate", LEADER, version=4, at=T0)
    case = transition(
        store, loop, case.id, "escalate", LEADER, version=4, at=T0 + dt.timedelta(days=12)
    )
    assert (case.state, case.owner) == ("handling", "market")


# -- events and linkage ---------------------------------------------------------------------------


def _event(i, type_, **kw):
    return {
        "id": f"e{i}",
        "type": type_,
        "at": "2026-11-20T10:00:00+08:00",
        "domain": "fake",
        "object_key": kw.pop("key", "K1"),
        "region": REGION,
        **kw,
    }


LICENCE = {"number": "JY1", "kind": "食品经营许可证"}


def _write(path, events):
    path.write_text(
        "\n".join(e if isinstance(e, str) else json.dumps(e, ensure_ascii=False) for e in events)
        + "\n",
        "utf-8",
    )
    return path


def test_events_link_licences_penalties_and_complaints(store, loop, tmp_path):
    register(store, "K1", "K2")
    f = _write(
        tmp_path / "ev.jsonl",
        [
            _event(1, "licence_granted", licence=LICENCE, item="fake.001"),
            _event(2, "licence_granted", key="K2", licence=LICENCE, item="fake.001"),
            _event(3, "licence_revoked", licence=LICENCE, reason="以欺骗手段取得"),
            _event(4, "penalty_decided", decision_no="聊市监罚〔2026〕1号", severity="severe"),
            _event(
                5,
                "penalty_decided",
                key="K2",
                decision_no="聊市监罚〔2026〕2号",
                severity="general",
            ),
            _event(6, "complaint_received", complaint_id="C-1", summary="预付卡无法退款"),
        ],
    )
    r = ingest_events(store, loop, f)
    assert (r.applied, r.tasks_scheduled, r.tasks_closed, len(r.cases_opened)) == (6, 2, 1, 2)
    with store.session() as s:
        tasks = {t.object_key: t for t in s.execute(sa.select(LoopTask)).scalars()}
    assert tasks["K1"].status == "closed" and "revoked" in tasks["K1"].reason
    assert tasks["K2"].status == "open" and tasks["K2"].due_on == dt.date(2027, 2, 18)
    sanction, complaint = (get_case(store, i) for i in r.cases_opened)
    assert (sanction.state, sanction.severity) == ("joint_sanction", "severe")
    assert (complaint.state, complaint.source_kind) == ("warning", "complaint")
    rows = list(due_tasks(store, (dt.date(2027, 1, 1), dt.date(2027, 3, 31))))
    assert [(x["key"], x["item"], x["kind"]) for x in rows] == [("K2", "fake.001", "post_licence")]
    again = ingest_events(store, loop, f)
    assert (again.applied, again.skipped) == (0, 6)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("{not json", "不是有效的 JSON"),
        (json.dumps(_event(9, "penalty_decided", decision_no="x", severity="dire")), "dire"),
        (json.dumps(_event(9, "licence_granted", licence=LICENCE)), "缺少必填字段 'item'"),
        (
            json.dumps(_event(9, "complaint_received", complaint_id="c", domain="nope")),
            "未启用",
        ),
        (
            json.dumps(
                {**_event(9, "complaint_received", complaint_id="c"), "at": "2026-11-20T10:00:00"}
            ),
            "没有时区",
        ),
        (json.dumps(_event(1, "complaint_received", complaint_id="c")), "与第 1 行重复"),
    ],
)
def test_a_bad_event_line_rejects_the_whole_file(chinese, store, loop, tmp_path, bad, message):
    f = _write(
        tmp_path / "ev.jsonl",
        [
            _event(1, "licence_granted", licence=LICENCE, item="fake.001"),
            _event(2, "complaint_received", complaint_id="C-1"),
            "",
            bad,
        ],
    )
    with pytest.raises(InvalidInput, match=message) as exc:
        ingest_events(store, loop, f)
    assert exc.value.location == f"{f}:4"
    with store.session() as s:
        for table in (LoopTask, LoopCase, LoopAudit):
            assert s.execute(sa.select(sa.func.count()).select_from(table)).scalar_one() == 0


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (_event(9, "complaint_received", complaint_id="c", key="K404"), "object_key: 名录库中没有对象 'K404'"),
        (_event(9, "complaint_received", complaint_id="c", region="371521"), "region: 371521 不是名录库中该对象的区划 371502"),
        (_event(9, "complaint_received", complaint_id="c", region="370102"), "region: 行政区划 370102 不在本部署的区域"),
        (_event(9, "licence_granted", licence=LICENCE, item="fake.999"), "item: 'fake.999' 不是 fake 领域"),
    ],
)  # fmt: skip
def test_an_event_naming_what_the_deployment_does_not_know_is_refused(
    chinese, store, loop, tmp_path, bad, message
):
    """The probe let these in, and every later plan failed on them."""
    register(store, "K1")
    f = _write(tmp_path / "ev.jsonl", [_event(1, "complaint_received", complaint_id="C-1"), bad])
    with pytest.raises(InvalidInput, match=rf"1 条事件有误，未执行任何事件：\n  {f}:2: {message}"):
        ingest_events(store, loop, f, region="371500")
    with store.session() as s:
        for table in (LoopTask, LoopCase, LoopAudit):
            assert s.execute(sa.select(sa.func.count()).select_from(table)).scalar_one() == 0


# -- retrospective --------------------------------------------------------------------------------


def test_report_counts_precision_stage_times_stalls_and_rectification(store, loop, tmp_path):
    inspector = Actor("market", "inspector", "371500")
    confirmed = _transferred(store, loop, "market", "A", T0 + dt.timedelta(days=2))
    for code, ev, v, days in (
        ("accept_clue", None, 3, 3),
        ("order_rectification_on_handling", {"order_no": "1"}, 4, 5),
        ("reinspect", None, 5, 20),
    ):
        confirmed = transition(
            store,
            loop,
            confirmed.id,
            code,
            inspector,
            version=v,
            evidence=ev,
            at=T0 + dt.timedelta(days=days),
        )
    transition(
        store,
        loop,
        confirmed.id,
        "confirm_rectified",
        inspector,
        version=6,
        evidence={"report": "ok", "record": stored_record(store, confirmed.object_key)},
        facts={"rectified": True},
        at=T0 + dt.timedelta(days=22),
    )
    dismissed = _warning(store, loop, "B")
    transition(store, loop, dismissed.id, "assess", REVIEWER, version=1, at=T0)
    transition(
        store,
        loop,
        dismissed.id,
        "dismiss",
        REVIEWER,
        version=2,
        evidence={"reason": "误报"},
        at=T0 + dt.timedelta(days=1),
    )
    _warning(store, loop, "C")
    open_case(store, loop, Complaint("c1", "fake", "D"), region=REGION, at=T0)

    rep = loop_report.analyse(store, loop, T0 + dt.timedelta(days=30))
    rule = next(r for r in rep.precision if r["risk_rule"] == "fake.r1")
    assert (rule["warnings"], rule["confirmed"], rule["dismissed"], rule["open"]) == (3, 1, 1, 1)
    assert rule["precision"] == 0.5
    warning_stage = next(
        r for r in rep.stage_times if r["domain"] == "fake" and r["stage"] == "warning"
    )
    assert warning_stage["steps"] == 4  # A: warning, assessment; B: warning, assessment
    stall = next(r for r in rep.stalls if r["state"] == "warning")
    assert (stall["open"], stall["overdue"]) == (2, 2)
    assert rep.rectification == [
        {
            "domain": "fake",
            "ordered": 1,
            "rectified": 1,
            "not_rectified": 0,
            "pending": 0,
            "rate": 1.0,
        }
    ]
    written = loop_report.write(rep, tmp_path / "out")
    names = {p.name for p in written}
    assert {
        "precision.csv",
        "stage_times.csv",
        "stalls.csv",
        "rectification.csv",
        "stage_times.png",
        "stage_times.svg",
        "precision.png",
        "precision.svg",
    } <= names
    assert all(p.stat().st_size > 0 for p in written)
    with (tmp_path / "out" / "precision.csv").open(encoding="utf-8") as f:
        assert any(r["risk_rule"] == "fake.r1" for r in csv.DictReader(f))


_json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53) + 1, 2**53 - 1)
    # from 2**53 on an integral float prints as digits, which parse back as an integer
    # beyond the safe range and are then carried as text
    | st.floats(-(2.0**53 - 1), 2.0**53 - 1, allow_nan=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@given(_json_values)
def test_audit_bodies_are_rfc8785_canonical_and_round_trip(data):
    """Any JSON value: its body parses back to it, and re-canonicalising the parse gives the
    same bytes — what a verifier in another language relies on."""
    from onething.loop.audit import canonical

    body = canonical(data)
    assert json.loads(body) == data
    assert canonical(json.loads(body)) == body


def test_audit_bodies_render_numbers_as_rfc8785_does():
    from onething.loop.audit import canonical

    assert canonical({"b": 2500000.0, "a": 1e-07, "c": [dt.date(2026, 1, 2), 2**60]}) == (
        '{"a":1e-7,"b":2500000,"c":["2026-01-02","1152921504606846976"]}'
    )


CITY_ASSESSMENT = """
[deployment]
region = "371500"
level = "city"
domains = ["fake"]

[[override]]
domain = "core"
parameter = "loop.assessment_days"
value = 5
effective_from = 2026-01-01
basis = [{law = "聊城市某规定", article = "第三条", status = "secondary"}]
status = "secondary"
reviewed = 2026-11-01
reason = "本市预警研判时限较短"
"""


def test_a_city_layer_shortens_a_loop_time_limit_and_the_loop_uses_it(store, tmp_path):
    """Issue 17's bug: a city override of ``core.loop.*`` loaded through the public entry point
    is accepted and sets the deadline (5 working days from Monday 2026-11-02, not 15)."""
    from fake_support import FAKE

    from onething import Onething

    (tmp_path / "onething.toml").write_text(CITY_ASSESSMENT, "utf-8")
    app = Onething.from_config(tmp_path / "onething.toml", entry_points=[FAKE])
    p = app.rulebook.parameter("core", "loop.assessment_days", T0.date())
    assert (p.value, p.provenance.layer) == (5, "override")
    assert app.loop.parameter("core", "loop.assessment_days", T0.date()).days == 5
    case = _warning(store, app.loop)  # the deployment's own loop
    assert case.due_at == dt.datetime(2026, 11, 9, 9, tzinfo=dt.UTC)
    assert _warning(store, app.loop, "K2", at=T0.replace(year=2025)).due_at == dt.datetime(
        2025, 11, 21, 9, tzinfo=dt.UTC
    )  # before the override's day the law's 15 working days hold


@pytest.mark.parametrize(
    "change, expected",
    [
        (lambda s: s.execute(sa.update(LoopCase).values(state="closed")), "state 'closed'"),
        (lambda s: s.execute(sa.update(LoopCase).values(owner="nosuch")), "owner 'nosuch'"),
        (lambda s: s.execute(sa.update(LoopCase).values(version=LoopCase.version + 1)), "version"),
        (lambda s: s.execute(sa.delete(LoopStep)) and s.execute(sa.delete(LoopCase)), "gone"),
    ],
)
def test_a_case_changed_outside_the_log_fails_verify(store, loop, change, expected):
    """The chain intact, the case's row edited behind it: verify names the case."""
    _chain(store, loop)
    assert _problem(store) is None
    with store.session() as s:
        change(s)
    p = _problem(store)
    assert p.kind == "case" and expected in p.message
