"""A hypothesis state machine drives random sequences of allowed and forbidden actions on
cases: a case never reaches a state outside the spec, no audit entry is ever lost, and every
closed case passed through the stages the spec requires."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import sys
from pathlib import Path

import sqlalchemy as sa
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule

sys.path.insert(0, str(Path(__file__).parent))
from loop_support import REGION, T0, actor_for, evidence_for, facts_for

from onething.errors import InvalidInput
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
from onething.store.loop import LoopAudit, LoopStep

STRANGERS = [
    Actor("ecology", "inspector", "371500"),
    Actor("market", "clerk", "371500"),
    Actor("market", "leader", "110000"),
]


def test_random_sequences_keep_the_loop_sound(fake_domains, tmp_path):
    from conftest import make_store

    shm = Path("/dev/shm")
    where = Path(shm / tmp_path.name) if shm.is_dir() else tmp_path
    where.mkdir(exist_ok=True)
    store, cleanup = make_store("sqlite", where)
    loop = Loop(Rulebook(fake_domains))
    codes = sorted(loop.transitions)

    class LoopMachine(RuleBasedStateMachine):
        cases = Bundle("cases")

        def __init__(self):
            super().__init__()
            self.at = T0
            self.expected_entries = self._entries()
            self.mine: set[int] = set()
            self.touched: int | None = None

        def _entries(self) -> int:
            with store.session() as s:
                return s.execute(sa.select(sa.func.count()).select_from(LoopAudit)).scalar_one()

        @rule(target=cases, kind=st.sampled_from(sorted(INITIAL_STATES)))
        def open(self, kind):
            case = open_case(
                store,
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
            case = get_case(store, case_id)
            self.touched = case_id
            options = loop.outgoing(case.state, case.domain)
            if not options:
                return
            t = data.draw(st.sampled_from(options))
            guard_ok = data.draw(st.booleans()) if t.spec.guard else True
            self.at += dt.timedelta(days=data.draw(st.integers(0, 40)))
            try:
                transition(
                    store,
                    loop,
                    case_id,
                    t.code,
                    actor_for(loop, t, case.domain, case.owner),
                    version=case.version,
                    evidence=evidence_for(t.spec.evidence_schema),
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
            """Any transition by an actor the loop does not grant, or on a stale version."""
            case = get_case(store, case_id)
            try:
                transition(
                    store,
                    loop,
                    case_id,
                    code,
                    who,
                    version=case.version - 1 if stale else case.version,
                    evidence=None,
                    at=self.at,
                )
            except ConflictError:
                return
            except (Refused, InvalidInput):
                self.expected_entries += 1
                return
            raise AssertionError(f"{who} took {code} on case {case_id}")

        @invariant()
        def states_stay_inside_the_spec(self):
            if self.touched is not None:
                case = get_case(store, self.touched)
                assert case.state in loop.states_for(case.domain)

        @invariant()
        def no_audit_entry_is_lost(self):
            assert self._entries() == self.expected_entries

        def teardown(self):
            with store.session() as s:
                assert verify_audit(s).ok

        @invariant()
        def closed_cases_passed_the_required_stages(self):
            for case_id in [self.touched] if self.touched is not None else []:
                case = get_case(store, case_id)
                if case.state != "closed":
                    continue
                with store.session() as s:
                    stages = set(
                        s.execute(
                            sa.select(LoopStep.stage).where(LoopStep.case_id == case_id)
                        ).scalars()
                    )
                start = STAGE_ORDER.index(loop.stage_of(INITIAL_STATES[case.source_kind]))
                required = {x for x in REQUIRED_BEFORE_CLOSED if STAGE_ORDER.index(x) >= start}
                assert required <= stages, (case_id, stages)
                with store.session() as s:
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

    LoopMachine.TestCase.settings = settings(max_examples=10, stateful_step_count=20, deadline=None)
    try:
        LoopMachine.TestCase().runTest()
    finally:
        cleanup()
