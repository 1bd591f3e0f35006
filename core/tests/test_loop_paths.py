"""Every legal path of the core loop runs end to end on the store; illegal transitions are
refused; the structure of the loop holds (stages, closing requirement, plugin extensions)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import jsonschema
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from loop_support import (
    REGION,
    T0,
    actor_for,
    evidence_for,
    facts_for,
    initial_states,
    loop_store,  # noqa: F401
    shared_store,  # noqa: F401
    simple_paths,
)

from onething import enable
from onething.conditions import holds
from onething.errors import PluginError
from onething.loop import (
    CaseSource,
    IllegalTransition,
    Loop,
    core_states,
    core_transitions,
    open_case,
    transition,
    verify_audit,
)
from onething.loop.cases import allowed, guard_facts
from onething.loop.spec import INITIAL_STATES, REQUIRED_BEFORE_CLOSED, STAGE_ORDER
from onething.model import LoopExtension, LoopTransition
from onething.rulebook import Rulebook
from onething.store.loop import LoopCase

#: These tests read the messages in English.
pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def loop(fake_domains):
    return Loop(Rulebook(fake_domains))


def _core_paths(loop):
    out = []
    for state, kind in initial_states():
        for path in simple_paths(loop, "fake", state):
            if all(t.domain == "core" for t in path):
                out.append((kind, path))
    return out


def test_core_loop_data_is_consistent():
    states, transitions = core_states(), core_transitions()
    assert {
        "warning",
        "assessment",
        "rectification",
        "reinspection",
        "referral",
        "consultation",
        "credit_repair",
        "joint_sanction",
        "closed",
    } <= set(states)
    for t in transitions.values():
        assert t.source in states and t.target in states, t.code
        assert t.roles and t.departments
    stages = {s.stage for s in states.values()}
    assert stages == set(STAGE_ORDER)


def test_every_core_time_limit_names_a_core_parameter_in_force_today(loop):
    for t in core_transitions().values():
        if t.time_limit:
            limit = loop.limit(loop.transitions[t.code], dt.date(2026, 11, 27))
            assert limit.days > 0 and limit.unit in ("day", "working_day")


def test_penalty_decision_and_publication_limits_come_from_the_laws(loop):
    on = dt.date(2026, 11, 27)
    decide = loop.parameter("core", "loop.penalty_decision_days", on)
    assert (decide.days, decide.unit, decide.status) == (90, "day", "verified")
    assert "第六十条" in decide.basis[0].article
    publish = loop.parameter("core", "loop.publication_days", on)
    assert (publish.days, publish.unit, publish.status) == (20, "working_day", "verified")


def _covering(paths):
    """Few paths that together take every transition of ``paths``."""
    left = {t.code for _, path in paths for t in path}
    out = []
    while left:
        kind, best = max(paths, key=lambda kp: len(left & {t.code for t in kp[1]}))
        out.append((kind, best))
        left -= {t.code for t in best}
    return out


def test_every_legal_path_of_the_core_loop_is_allowed_step_by_step(loop):
    """Each simple path from each initial state to an end: at every step the transition leads
    from the current state, the actor it names is allowed, its evidence validates and its guard
    holds on the facts given."""
    paths = _core_paths(loop)
    assert len(paths) > 30
    for kind, path in paths:
        state = INITIAL_STATES[kind]
        case = LoopCase(
            domain="fake",
            object_key="K",
            region_code=REGION,
            state=state,
            owner="market",
            source_kind=kind,
            facts={},
            opened_at=T0,
            entered_at=T0,
            due_at=T0,
        )
        for t in path:
            assert t.spec.source == case.state
            assert allowed(loop, case, t, actor_for(loop, t, "fake", case.owner))[0], t.code
            facts = facts_for(t.spec.guard)
            assert holds(t.spec.guard, guard_facts(case, facts, T0 + dt.timedelta(days=1)))
            if t.spec.evidence_schema:
                jsonschema.validate(evidence_for(t.spec.evidence_schema), t.spec.evidence_schema)
            case.state, case.facts = t.spec.target, {**case.facts, **facts}
        assert loop.terminal(case.state)


def test_every_core_transition_runs_on_the_store(store, loop):
    """Paths that together take every core transition, run end to end on the database."""
    for kind, path in _covering(_core_paths(loop)):
        at = T0
        case = open_case(
            store,
            loop,
            CaseSource(kind=kind, domain="fake", object_key=f"K-{kind}"),
            region=REGION,
            at=at,
        )
        for t in path:
            at += dt.timedelta(days=40)  # past every limit, so `overdue` guards hold
            case = transition(
                store,
                loop,
                case.id,
                t.code,
                actor_for(loop, t, "fake", case.owner),
                version=case.version,
                evidence=evidence_for(t.spec.evidence_schema, store, f"K-{kind}"),
                facts=facts_for(t.spec.guard),
                at=at,
            )
        assert loop.terminal(case.state), [t.code for t in path]
        assert case.version == len(path) + 1
        assert case.closed_at is not None
    with store.session() as s:
        assert verify_audit(s).ok


def test_a_transition_from_another_state_is_refused(english, store, loop):
    case = open_case(
        store, loop, CaseSource(kind="warning", domain="fake", object_key="K"), region=REGION, at=T0
    )
    t = loop.transitions["close"]
    with pytest.raises(IllegalTransition, match="the case is in 'warning'"):
        transition(
            store,
            loop,
            case.id,
            "close",
            actor_for(loop, t, "fake", case.owner),
            version=1,
            evidence={"summary": "x"},
            at=T0,
        )


def test_an_unknown_or_foreign_transition_is_refused(english, store, loop):
    case = open_case(
        store, loop, CaseSource(kind="warning", domain="fake", object_key="K"), region=REGION, at=T0
    )
    with pytest.raises(IllegalTransition, match="no such transition"):
        transition(
            store,
            loop,
            case.id,
            "teleport",
            actor_for(loop, loop.transitions["assess"], "fake", case.owner),
            version=1,
            at=T0,
        )


def test_every_closed_path_passes_the_required_stages(loop):
    for state, _kind in initial_states():
        start = STAGE_ORDER.index(loop.stage_of(state))
        required = {s for s in REQUIRED_BEFORE_CLOSED if STAGE_ORDER.index(s) >= start}
        for path in simple_paths(loop, "fake", state):
            if path and path[-1].spec.target == "closed":
                seen = {loop.stage_of(t.spec.target) for t in path} | {loop.stage_of(state)}
                assert required <= seen, [t.code for t in path]


def test_an_extension_that_closes_a_case_skipping_joint_supervision_is_rejected(loop):
    shortcut = LoopExtension(
        domain="bad",
        transitions=[
            LoopTransition(
                "bad_close",
                "assessment",
                "closed",
                "直接办结",
                "Close",
                roles=["leader"],
                departments=["lead"],
            )
        ],
    )
    with pytest.raises(PluginError, match="never passed the stage"):
        Loop(None, extensions={"bad": shortcut})


def test_plugin_extension_exists_only_where_the_plugin_is_enabled(fake_domains):
    without = Loop(Rulebook(enable([])))
    assert "fake_suspended" not in without.states
    assert "fake_suspend" not in without.transitions
    with_fake = Loop(Rulebook(fake_domains))
    assert with_fake.states["fake_suspended"][1] == "fake"
    assert with_fake.transitions["fake_suspend"].domain == "fake"
    assert "fake_suspend" in {t.code for t in with_fake.outgoing("rectification", "fake")}
    assert "fake_suspend" not in {t.code for t in with_fake.outgoing("rectification", "other")}


def test_status_map_covers_every_state_with_platform_codes(loop):
    rows = {r["state"]: r for r in loop.status_map}
    assert set(loop.states) <= set(rows)
    assert rows["warning"]["record"] == "未录入"
    assert rows["dismissed"] == {**rows["dismissed"], "record": "不通过", "completion": "已完结"}
    assert rows["closed"]["completion"] == "已完结"
    assert {r["record"] for r in rows.values()} == {
        "未录入",
        "待审核",
        "审核退回",
        "不通过",
        "已公示",
    }
    assert loop.platform_status("handling", "return_for_investigation")["record"] == "审核退回"


# -- effects ---------------------------------------------------------------------------------


def _hand_over(code: str, effect: str | None, evidence_schema=None) -> LoopExtension:
    return LoopExtension(
        domain="fake",
        transitions=[
            LoopTransition(
                code,
                "assessment",
                "clue_transfer",
                "移交",
                "Hand over",
                roles=["reviewer"],
                departments=["owner", "lead"],
                evidence_schema=evidence_schema,
                effect=effect,
            )
        ],
    )


TO_DEPARTMENT = {
    "type": "object",
    "required": ["to_department"],
    "properties": {"to_department": {"type": "string"}},
}


def test_a_transition_handing_over_to_the_evidences_department_must_ask_for_one():
    with pytest.raises(PluginError, match="effect 'owner_from_evidence' needs an evidence_schema"):
        Loop(None, extensions={"fake": _hand_over("fake_pass_on", "owner_from_evidence")})
    Loop(
        None, extensions={"fake": _hand_over("fake_pass_on", "owner_from_evidence", TO_DEPARTMENT)}
    )


def test_the_core_transfers_say_their_effect_in_data():
    effects = {c: t.effect for c, t in core_transitions().items() if t.effect}
    assert effects == {
        "transfer_clue": "owner_from_evidence",
        "agree_owner": "owner_from_evidence",
        "escalate": "owner_to_lead",
    }


@pytest.mark.parametrize(
    ("effect", "owner"),
    [("owner_from_evidence", "health"), ("owner_to_lead", "market"), (None, "transport")],
)
def test_the_owner_follows_the_transitions_effect_not_its_code(store, fake_domains, effect, owner):
    """A plugin's own transition (any code) hands the case over as its ``effect`` says."""
    ext = _hand_over("fake_pass_on", effect, TO_DEPARTMENT)
    loop = Loop(Rulebook(fake_domains))
    loop.transitions["fake_pass_on"] = Loop(None, extensions={"fake": ext}).transitions[
        "fake_pass_on"
    ]
    case = open_case(
        store,
        loop,
        CaseSource(kind="warning", domain="fake", object_key="E1", owner="transport"),
        region=REGION,
        at=T0,
    )
    reviewer = actor_for(loop, loop.transitions["assess"], "fake", "transport")
    case = transition(store, loop, case.id, "assess", reviewer, version=1, at=T0)
    case = transition(
        store,
        loop,
        case.id,
        "fake_pass_on",
        reviewer,
        version=2,
        evidence={"to_department": "health"},
        at=T0,
    )
    assert case.owner == owner
