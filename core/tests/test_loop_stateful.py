"""A hypothesis state machine drives random sequences of allowed and forbidden actions on
cases: a case never reaches a state outside the spec, no audit entry is ever lost, and every
closed case passed through the stages the spec requires.

Every example runs on a store of its own (a copy of the session's migrated SQLite template, in
a fresh directory) and on a clock of its own (``T0`` plus the drawn days; the engine never reads
the wall clock here): examples are independent and replay exactly, and no other test session
can write into the audit log this test counts."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import shutil
import sys
import tempfile
from pathlib import Path

import sqlalchemy as sa
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule

sys.path.insert(0, str(Path(__file__).parent))
from loop_support import REGION, T0, actor_for, evidence_for, facts_for

from onething.loop import (
    INITIAL_STATES,
    REQUIRED_BEFORE_CLOSED,
    Actor,
    CaseSource,
    ConflictError,
    Loop,
    Refused,
    get_case,
    open_case,
    transition,
    verify_audit,
)
from onething.loop.spec import STAGE_ORDER
from onething.rulebook import Rulebook
from onething.store import Store
from onething.store.loop import LoopAudit, LoopStep

STRANGERS = [
    Actor("ecology", "inspector", "371500"),
    Actor("market", "clerk", "371500"),
    Actor("market", "leader", "110000"),
]


def test_random_sequences_keep_the_loop_sound(fake_domains, _sqlite_template, tmp_path):
    # A directory no other session shares (a fixed name under /dev/shm outlived the run and was
    # shared by concurrent sessions: their entries landed in this test's audit log).
    shm = Path("/dev/shm")
    where = Path(tempfile.mkdtemp(prefix="onething-loop-", dir=shm if shm.is_dir() else tmp_path))
    examples = itertools.count()
    loop = Loop(Rulebook(fake_domains))
    codes = sorted(loop.transitions)

    class LoopMachine(RuleBasedStateMachine):
        cases = Bundle("cases")

        def __init__(self):
            super().__init__()
            self.db = where / f"example-{next(examples)}.db"
            shutil.copyfile(_sqlite_template, self.db)
            self.store = Store(f"sqlite:///{self.db}")
            self.at = T0
            self.expected_entries = self._entries()
            self.mine: set[int] = set()
            self.touched: int | None = None

        def _entries(self) -> int:
            with self.store.session() as s:
                return s.execute(sa.select(sa.func.count()).select_from(LoopAudit)).scalar_one()

        @rule(target=cases, kind=st.sampled_from(sorted(INITIAL_STATES)))
        def open(self, kind):
            case = open_case(
                self.store,
                loop,
                CaseSource(kind=kind, domain="fake", object_key="K"),
                region=REGION,
                at=self.at,
            )
            self.expected_entries += 1
            self.mine.add(case.id)
            self.touched = case.id
            return case.id

        @rule(case_id=cases, data=st.data())
        def take_allowed(self, case_id, data):
            """An allowed transition (when the state has one), sometimes with its guard
            failing: it moves the case or is refused, and either way it is logged."""
            case = get_case(self.store, case_id)
            self.touched = case_id
            options = loop.outgoing(case.state, case.domain)
            if not options:
                return
            t = data.draw(st.sampled_from(options))
            guard_ok = data.draw(st.booleans()) if t.spec.guard else True
            self.at += dt.timedelta(days=data.draw(st.integers(0, 40)))
            try:
                transition(
                    self.store,
                    loop,
                    case_id,
                    t.code,
                    actor_for(loop, t, case.domain, case.owner),
                    version=case.version,
                    evidence=evidence_for(t.spec.evidence_schema, self.store),
                    facts=facts_for(t.spec.guard, guard_ok),
                    at=self.at,
                )
            except Refused:
                pass
            self.expected_entries += 1

        @rule(
            case_id=cases,
            code=st.sampled_from(codes),
            who=st.sampled_from(STRANGERS),
            stale=st.booleans(),
        )
        def take_forbidden(self, case_id, code, who, stale):
            """Any transition by an actor the loop does not grant: refused and logged; on a
            stale version, a conflict and nothing written (docs/loop.md: the version first)."""
            case = get_case(self.store, case_id)
            try:
                transition(
                    self.store,
                    loop,
                    case_id,
                    code,
                    who,
                    version=case.version - 1 if stale else case.version,
                    evidence=None,
                    at=self.at,
                )
            except Refused:
                assert not stale, f"{who}'s {code} on a stale version was refused, not a conflict"
                self.expected_entries += 1
                return
            except ConflictError:
                assert stale, f"{who}'s {code} on the current version was a conflict"
                return
            raise AssertionError(f"{who} took {code} on case {case_id}")

        @rule(case_id=cases, data=st.data())
        def take_stale(self, case_id, data):
            """A transition (allowed, or with its guard failing) on a version the case has
            moved on from: a conflict, not a refusal (a refusal raised here fails the test);
            nothing is written, not even to the log."""
            case = get_case(self.store, case_id)
            options = loop.outgoing(case.state, case.domain)
            if not options:
                return
            t = data.draw(st.sampled_from(options))
            guard_ok = data.draw(st.booleans()) if t.spec.guard else True
            try:
                transition(
                    self.store,
                    loop,
                    case_id,
                    t.code,
                    actor_for(loop, t, case.domain, case.owner),
                    version=case.version - 1,
                    evidence=evidence_for(t.spec.evidence_schema, self.store),
                    facts=facts_for(t.spec.guard, guard_ok),
                    at=self.at,
                )
            except ConflictError:
                now = get_case(self.store, case_id)
                assert (now.state, now.version) == (case.state, case.version)
                return
            raise AssertionError(f"{t.code} on a stale version moved case {case_id}")

        @invariant()
        def states_stay_inside_the_spec(self):
            if self.touched is not None:
                case = get_case(self.store, self.touched)
                assert case.state in loop.states_for(case.domain)

        @invariant()
        def no_audit_entry_is_lost(self):
            assert self._entries() == self.expected_entries

        def teardown(self):
            try:
                with self.store.session() as s:
                    assert verify_audit(s).ok
            finally:
                self.store.dispose()
                for f in where.glob(f"{self.db.name}*"):  # with its -wal and -shm files
                    f.unlink()

        @invariant()
        def closed_cases_passed_the_required_stages(self):
            for case_id in [self.touched] if self.touched is not None else []:
                case = get_case(self.store, case_id)
                if case.state != "closed":
                    continue
                with self.store.session() as s:
                    stages = set(
                        s.execute(
                            sa.select(LoopStep.stage).where(LoopStep.case_id == case_id)
                        ).scalars()
                    )
                start = STAGE_ORDER.index(loop.stage_of(INITIAL_STATES[case.source_kind]))
                required = {x for x in REQUIRED_BEFORE_CLOSED if STAGE_ORDER.index(x) >= start}
                assert required <= stages, (case_id, stages)
                with self.store.session() as s:
                    moves = [
                        json.loads(b)["data"]
                        for b in s.execute(
                            sa.select(LoopAudit.body)
                            .where(LoopAudit.case_id == case_id, LoopAudit.action == "transition")
                            .order_by(LoopAudit.seq)
                        ).scalars()
                    ]
                assert [m["to"] for m in moves][-1] == "closed"
                assert all(a["to"] == b["from"] for a, b in itertools.pairwise(moves))

    LoopMachine.TestCase.settings = settings(stateful_step_count=20, deadline=None)
    try:
        LoopMachine.TestCase().runTest()
    finally:
        shutil.rmtree(where, ignore_errors=True)
