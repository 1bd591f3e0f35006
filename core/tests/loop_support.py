"""Helpers for the closed-loop tests: actors, evidence and facts that satisfy a transition."""

from __future__ import annotations

import datetime as dt
from typing import Any

from onething.loop import Actor, Loop
from onething.loop.spec import INITIAL_STATES, LEAD, OWNER, EffectiveTransition

REGION = "371502"  # 东昌府区, in 聊城市 371500
T0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)


def actor_for(loop: Loop, t: EffectiveTransition, domain: str, owner: str) -> Actor:
    dept = t.spec.departments[0]
    dept = loop.lead[domain] if dept == LEAD else owner if dept == OWNER else dept
    return Actor(dept, t.spec.roles[0], "371500")


def evidence_for(schema: dict[str, Any] | None, store=None, object_key: str = "K") -> Any:
    """Evidence that satisfies ``schema``; a property marked ``x-record`` names a record of
    ``object_key`` stored for it (without findings) in ``store``."""
    if schema is None:
        return None
    value = _value(schema)
    for name, sub in schema.get("properties", {}).items():
        if sub.get("x-record") and store is not None:
            value[name] = stored_record(store, object_key)
    return value


def stored_record(store, object_key: str) -> str:
    """A stored inspection record of ``object_key`` without findings (a passing visit)."""
    import uuid

    from onething.store.records import InspectionRecord

    rid = f"rec-{uuid.uuid4().hex[:12]}"
    with store.session() as s:
        s.add(
            InspectionRecord(
                id=rid,
                object_key=object_key,
                visited_at=T0,
                on=T0.date(),
                inspectors=[],
                items=[],
                created_at=T0,
            )
        )
    return rid


def _value(schema: dict[str, Any]) -> Any:
    if "enum" in schema:
        return schema["enum"][0]
    if "allOf" in schema:
        return _value({k: v for s in schema["allOf"] for k, v in s.items()})
    kind = schema.get("type", "object")
    kind = kind[0] if isinstance(kind, list) else kind
    if kind == "object":
        props = schema.get("properties", {})
        return {k: _value(props.get(k, {"type": "string"})) for k in schema.get("required", [])}
    if kind == "array":
        return [_value(schema.get("items", {"type": "string"}))] * max(1, schema.get("minItems", 0))
    if kind in ("number", "integer"):
        return 1
    if kind == "boolean":
        return True
    if schema.get("format") == "date":
        return "2027-01-31"
    if schema.get("format") == "date-time":
        return "2027-01-31T09:00:00+08:00"
    if "pattern" in schema:
        return "health"
    return "x"


def facts_for(guard: dict[str, Any] | None, want: bool = True) -> dict[str, Any]:
    """Facts under which ``guard`` evaluates to ``want`` (``overdue`` is computed, skipped)."""
    if guard is None:
        return {}
    if "all" in guard and want:
        return {k: v for g in guard["all"] for k, v in facts_for(g, True).items()}
    if "any" in guard and want:
        return facts_for(guard["any"][0], True)
    if "not" in guard:
        return facts_for(guard["not"], not want)
    attr = guard.get("attr")
    if attr in ("overdue", "domain", "source_kind"):
        return {}
    if "eq" in guard:
        v = guard["eq"]
        if want:
            return {attr: v}
        return {attr: (not v) if isinstance(v, bool) else f"not-{v}"}
    if "in" in guard:
        return {attr: guard["in"][0]} if want else {attr: "none-of-them"}
    if "exists" in guard:
        return {attr: 1} if guard["exists"] == want else {}
    raise NotImplementedError(guard)


def simple_paths(loop: Loop, domain: str, initial: str) -> list[list[EffectiveTransition]]:
    """Every path of transitions from ``initial`` to a terminal state that visits no state
    twice."""
    out: list[list[EffectiveTransition]] = []

    def walk(state: str, seen: set[str], path: list[EffectiveTransition]) -> None:
        if loop.terminal(state):
            out.append(path)
            return
        for t in loop.outgoing(state, domain):
            if t.spec.target not in seen:
                walk(t.spec.target, seen | {t.spec.target}, [*path, t])

    walk(initial, {initial}, [])
    return out


def initial_states() -> list[tuple[str, str]]:
    return list({state: kind for kind, state in INITIAL_STATES.items()}.items())


# -- one migrated database per backend and module, emptied before each test -------------------

import pytest  # noqa: E402
import sqlalchemy as sa  # noqa: E402

LOOP_TABLES = ("loop_step", "loop_audit", "loop_task", "loop_event", "loop_case")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def shared_store(request, tmp_path_factory):
    from conftest import make_store

    store, cleanup = make_store(request.param, tmp_path_factory.mktemp(request.param))
    yield store
    cleanup()


@pytest.fixture(name="store")
def loop_store(shared_store):
    """The module's store for this backend, with the loop's tables emptied."""
    with shared_store.session() as s:
        for table in LOOP_TABLES:
            s.execute(sa.text(f"DELETE FROM {table}"))
        s.execute(sa.text("UPDATE loop_audit_head SET seq = 0, hash = :h"), {"h": "0" * 64})
    return shared_store


def register(store, *keys, region=REGION):
    """Objects the events may name (events about objects not in the registry are refused);
    the loop tests share one store, so an object may be there already."""
    from onething.store.registry import RegistryObject

    now = dt.datetime.now(dt.UTC)
    with store.session() as s:
        for key in keys:
            s.merge(
                RegistryObject(
                    key=key, key_kind="alt", name=key, region_code=region, updated_at=now
                )
            )
