"""Reading cases (闭环事项): lists filtered in SQL and streamed, one case with the transitions
open to an actor and its history from the audit log, and a department's inbox (待办).

A province holds millions of cases: every filter is a ``WHERE`` clause and rows are streamed
(``yield_per``), never loaded whole.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any, cast

import sqlalchemy as sa
from attrs import frozen

from ..conditions import holds
from ..core_parameters import CORE
from ..errors import InvalidInput, NotFound
from ..i18n import _
from ..registry import regions
from ..registry.regions import code_range
from ..store import Store
from ..store.loop import LoopAudit, LoopCase
from ..store.registry import RegistryObject
from ..workdays import LOCAL_ZONE
from .cases import Actor, allowed, guard_facts
from .clock import as_utc, aware
from .spec import LEAD, OWNER, EffectiveTransition, Loop

BATCH = 1000


@frozen
class Deadline:
    """When the current step of a case is due, and how finely its rule counts."""

    at: dt.datetime | None
    """UTC; ``None``: the step has no time limit."""
    precision: str = "day"
    """``day``, ``working_day`` or ``minute`` (a limit counted in hours)."""
    provisional: bool = False
    """Counted in working days across a year whose holidays were not known when it was set:
    Monday to Friday stood in for the State Council's schedule (:mod:`onething.workdays`)."""

    @property
    def local(self) -> dt.datetime | None:
        return self.at.astimezone(LOCAL_ZONE) if self.at is not None else None

    def text(self, none: str) -> str:
        """``2026-11-09`` or ``2026-11-09 17:00`` in Asia/Shanghai; ``none`` when missing."""
        local = self.local
        if local is None:
            return none
        text = local.strftime("%Y-%m-%d %H:%M" if self.precision == "minute" else "%Y-%m-%d")
        if self.provisional:
            text += _(
                "（暂定：节假日安排未知，按周一至周五计）",
                " (provisional: holidays not yet known, counted Monday to Friday)",
            )
        return text


@frozen
class CaseSummary:
    """One case as a list shows it."""

    id: int
    version: int
    domain: str
    object_key: str
    object_name: str | None
    """from the registry; ``None`` when the object is not (or no longer) there"""
    region: str
    state: str
    stage: str | None
    """``None``: a state of a domain not enabled here"""
    owner: str
    lead: str | None
    source_kind: str
    source_ref: str | None
    risk_rule: str | None
    severity: str | None
    opened_at: dt.datetime
    entered_at: dt.datetime
    due: Deadline
    closed_at: dt.datetime | None
    overdue: bool


@frozen
class HistoryEntry:
    """One audit-log entry of a case: opened, moved, refused, noted."""

    seq: int
    at: dt.datetime
    action: str
    actor: Actor | None
    data: dict[str, Any]


@frozen
class OpenTransition:
    """A transition leading from the case's state, who may take it, and (given an actor)
    whether that actor may."""

    code: str
    label_zh: str
    label_en: str
    target: str
    roles: tuple[str, ...]
    departments: tuple[str, ...]
    """department codes, ``lead`` and ``owner`` resolved for this case"""
    evidence_schema: dict[str, Any] | None
    guard: dict[str, Any] | None
    guard_holds: bool
    """on the case's facts as they stand (a step may bring the facts a guard needs)"""
    allowed: bool | None
    """``None``: no actor given"""
    refusal: str = ""


@frozen
class CaseView:
    """One case in full: what a list shows, its facts, what opened it, the transitions leading
    on, and its history from the audit log."""

    summary: CaseSummary
    facts: dict[str, Any]
    transitions: tuple[OpenTransition, ...]
    history: tuple[HistoryEntry, ...]


@frozen
class InboxEntry:
    """A case a department must act on, and the transitions it may take."""

    case: CaseSummary
    transitions: tuple[str, ...]


# SQLModel sets __table__ when it builds the class; its stubs do not declare it
_C: sa.Table = LoopCase.__table__  # type: ignore[attr-defined]
_O: sa.Table = RegistryObject.__table__  # type: ignore[attr-defined]
_A: sa.Table = LoopAudit.__table__  # type: ignore[attr-defined]


def _select() -> sa.Select[Any]:
    return sa.select(_C, _O.c.name.label("object_name")).select_from(
        _C.outerjoin(_O, _O.c.key == _C.c.object_key)
    )


class _Rows:
    """Turns rows into :class:`CaseSummary`; deadline precisions cached by step rule."""

    def __init__(self, loop: Loop, at: dt.datetime):
        self.loop, self.at = loop, at
        self._precision: dict[tuple[str | None, str, dt.date], str] = {}

    def precision(self, via: str | None, domain: str, on: dt.date) -> str:
        key = (via, domain, on)
        if key not in self._precision:
            self._precision[key] = deadline_precision(self.loop, via, on)
        return self._precision[key]

    def summary(self, r: Any) -> CaseSummary:
        due = aware(r.due_at)
        entered = aware(r.entered_at)
        assert entered is not None
        known = r.state in self.loop.states
        return CaseSummary(
            id=r.id,
            version=r.version,
            domain=r.domain,
            object_key=r.object_key,
            object_name=r.object_name,
            region=r.region_code,
            state=r.state,
            stage=self.loop.stage_of(r.state) if known else None,
            owner=r.owner,
            lead=self.loop.lead.get(r.domain),
            source_kind=r.source_kind,
            source_ref=r.source_ref,
            risk_rule=r.risk_rule,
            severity=r.severity,
            opened_at=aware(r.opened_at),
            entered_at=entered,
            due=Deadline(
                due,
                self.precision(r.last_transition, r.domain, entered.date()),
                bool(r.due_provisional),
            ),
            closed_at=aware(r.closed_at),
            overdue=r.closed_at is None and due is not None and self.at > due,
        )


def deadline_precision(loop: Loop, via: str | None, on: dt.date) -> str:
    """``minute`` when the limit of the step entered by ``via`` is counted in hours,
    ``working_day`` when in working days, else ``day``."""
    if via is None:
        return "working_day"  # both opening limits (assessment, complaint acceptance) are
    t = loop.transitions.get(via)
    if t is None or t.spec.time_limit is None:
        return "day"  # an order's own deadline is a day
    try:
        unit = loop.parameter_in_force(t.domain, t.spec.time_limit, on).unit
    except Exception:  # a limit no longer in force: the stored deadline still stands
        return "day"
    if unit in ("hour", "minute"):
        return "minute"
    return "working_day" if unit == "working_day" else "day"


def _stream(store: Store, query: sa.Select[Any]) -> Iterator[Any]:
    with store.engine.connect() as conn:
        yield from conn.execution_options(yield_per=BATCH).execute(query)


def _check_choice(flag: str, value: str | None, known: list[str]) -> None:
    if value is not None and value not in known:
        raise InvalidInput(flag, value, f"unknown; known: {', '.join(sorted(known))}")


def list_cases(
    store: Store,
    loop: Loop,
    *,
    state: str | None = None,
    department: str | None = None,
    owner: str | None = None,
    overdue: bool = False,
    domain: str | None = None,
    object_key: str | None = None,
    region: str | None = None,
    at: dt.datetime | None = None,
    after: int | None = None,
) -> Iterator[CaseSummary]:
    """Cases in id order, streamed, every filter in SQL.

    :param state: a state code of the effective loop.
    :param department: cases the department owns now or whose domain it leads.
    :param owner: cases the department owns now.
    :param overdue: only open cases past their current step's deadline at ``at``.
    :param region: cases whose region lies in this GB/T 2260 region.
    :param at: the moment ``overdue`` is judged at (default now).
    :param after: only cases with a greater id (keyset paging: the last id of a page).
    """
    at = as_utc(at)
    _check_choice("--state", state, list(loop.states))
    _check_choice("--domain", domain, list(loop.lead))
    where: list[sa.ColumnElement[bool]] = []
    if state is not None:
        where.append(_C.c.state == state)
    if domain is not None:
        where.append(_C.c.domain == domain)
    if owner is not None:
        where.append(_C.c.owner == owner)
    if department is not None:
        led = [d for d, lead in loop.lead.items() if lead == department]
        where.append(sa.or_(_C.c.owner == department, _C.c.domain.in_(led)))
    if object_key is not None:
        where.append(_C.c.object_key == object_key)
    if region is not None:
        where.append(_C.c.region_code.between(*code_range(region)))
    if after is not None:
        where.append(_C.c.id > after)
    if overdue:
        where += [_C.c.closed_at.is_(None), _C.c.due_at.is_not(None), _C.c.due_at < at]
    rows = _Rows(loop, at)
    for r in _stream(store, _select().where(*where).order_by(_C.c.id)):
        yield rows.summary(r)


def case_history(store: Store, case_id: int) -> list[HistoryEntry]:
    """Every audit-log entry of the case, in order (refusals included)."""
    with store.engine.connect() as conn:
        if conn.execute(sa.select(_C.c.id).where(_C.c.id == case_id)).first() is None:
            raise NotFound("case", str(case_id), _("没有该事项", "no such case"))
        bodies = conn.execute(
            sa.select(_A.c.body).where(_A.c.case_id == case_id).order_by(_A.c.seq)
        ).scalars()
        out = []
        for body in bodies:
            e = json.loads(body)
            out.append(
                HistoryEntry(
                    seq=e["seq"],
                    at=dt.datetime.fromisoformat(e["at"]),
                    action=e["action"],
                    actor=Actor(**e["actor"]) if e.get("actor") else None,
                    data=e.get("data") or {},
                )
            )
        return out


def _departments(loop: Loop, t: EffectiveTransition, domain: str, owner: str) -> tuple[str, ...]:
    lead = loop.lead.get(domain, "")
    return tuple(
        dict.fromkeys(lead if d == LEAD else owner if d == OWNER else d for d in t.spec.departments)
    )


def case(
    store: Store,
    loop: Loop,
    case_id: int,
    *,
    actor: Actor | None = None,
    at: dt.datetime | None = None,
) -> CaseView:
    """One case in full; with ``actor``, each transition says whether that actor may take it."""
    at = as_utc(at)
    with store.engine.connect() as conn:
        row = conn.execute(_select().where(_C.c.id == case_id)).first()
    if row is None:
        raise NotFound("case", str(case_id), _("没有该事项", "no such case"))
    summary = _Rows(loop, at).summary(row)
    as_case = cast(LoopCase, row)  # the row has the columns a case has
    facts = guard_facts(as_case, {}, at)
    transitions = []
    if summary.stage is not None and summary.closed_at is None:
        for t in loop.outgoing(row.state, row.domain):
            ok, why = allowed(loop, as_case, t, actor) if actor is not None else (None, "")
            transitions.append(
                OpenTransition(
                    code=t.code,
                    label_zh=t.spec.label_zh,
                    label_en=t.spec.label_en,
                    target=t.spec.target,
                    roles=tuple(t.spec.roles),
                    departments=_departments(loop, t, row.domain, row.owner),
                    evidence_schema=t.spec.evidence_schema,
                    guard=t.spec.guard,
                    guard_holds=holds(t.spec.guard, facts),
                    allowed=ok,
                    refusal=why,
                )
            )
    return CaseView(
        summary=summary,
        facts=dict(row.facts or {}),
        transitions=tuple(transitions),
        history=tuple(case_history(store, case_id)),
    )


def inbox(
    store: Store,
    loop: Loop,
    department: str,
    region: str,
    *,
    at: dt.datetime | None = None,
) -> Iterator[InboxEntry]:
    """Open cases in ``region`` that ``department`` may move on now (by the loop's grants,
    whatever the role), by deadline: overdue first, then soonest, then none."""
    at = as_utc(at)
    problem = regions.problem(region)
    if problem is not None:
        raise InvalidInput("--region", region, problem)
    led = {d for d, lead in loop.lead.items() if lead == department}
    grants: list[sa.ColumnElement[bool]] = []
    for t in loop.transitions.values():
        scope = list(loop.lead) if t.domain == CORE else [t.domain]
        for d in t.spec.departments:
            cond: sa.ColumnElement[bool]
            if d == LEAD:
                cond = _C.c.domain.in_(sorted(led & set(scope)))
            elif d == OWNER:
                cond = sa.and_(_C.c.owner == department, _C.c.domain.in_(scope))
            elif d == department:
                cond = _C.c.domain.in_(scope)
            else:
                continue
            grants.append(sa.and_(_C.c.state == t.spec.source, cond))
    if not grants:
        return
    query = (
        _select()
        .where(
            _C.c.closed_at.is_(None),
            _C.c.region_code.between(*code_range(region)),
            sa.or_(*grants),
        )
        .order_by(_C.c.due_at.is_(None), _C.c.due_at, _C.c.id)
    )
    rows = _Rows(loop, at)
    for r in _stream(store, query):
        codes = tuple(
            t.code
            for t in loop.outgoing(r.state, r.domain)
            if department in _departments(loop, t, r.domain, r.owner)
        )
        yield InboxEntry(rows.summary(r), codes)
