"""Cases (闭环事项): opening them from any source, moving them along the effective loop with
permission checks, guards, evidence and deadlines, optimistic versioning and the audit chain."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

import jsonschema
import sqlalchemy as sa
from attrs import asdict, field, frozen
from sqlmodel import Session

from .. import outbox, schemas
from ..conditions import holds
from ..departments import department_name
from ..errors import InvalidInput, NotFound, OnethingError, not_enabled
from ..i18n import _
from ..model import SEVERITIES, Finding
from ..store import Store
from ..store.loop import LoopCase, LoopStep
from ..tables import not_one_of
from ..workdays import LOCAL_ZONE
from . import audit
from .clock import as_utc, aware, utc_iso
from .spec import CORE, INITIAL_STATES, LEAD, OWNER, EffectiveTransition, Loop, due_at


class ConflictError(OnethingError):
    """Someone changed the case since it was read: read it again and retry."""


class Refused(OnethingError):
    """A transition was refused (the refusal is in the audit log)."""

    reason = "refused"


class IllegalTransition(Refused):
    """The transition does not exist for the case, or not from its current state."""

    reason = "illegal"


class PermissionDenied(Refused):
    """The actor's department, role or region may not take the transition."""

    reason = "permission"


class GuardFailed(Refused):
    """The transition's guard does not hold on the case's facts."""

    reason = "guard"


@frozen
class Actor:
    """Who acts: a department code, a role (``inspector``, ``reviewer``, ``leader``…) and the
    region code (GB/T 2260) of the department's level: a province covers its cities and
    counties, a city its counties."""

    department: str
    role: str
    region: str
    subject: str | None = None
    """Who the host platform authenticated (a signed token's ``sub``); the audit log records
    it. ``None``: not given (the command line, the library called directly)."""

    def covers(self, region: str) -> bool:
        mine = self.region
        if mine.endswith("0000"):
            return region[:2] == mine[:2]
        if mine.endswith("00"):
            return region[:4] == mine[:4]
        return region == mine


@frozen
class Complaint:
    """A complaint or report (投诉举报) received about an object."""

    id: str
    domain: str
    object_key: str
    summary: str = ""


@frozen
class CaseSource:
    """What opens a case; :func:`source_of` builds one from a finding, a risk verdict or a
    complaint."""

    kind: str
    """``warning`` | ``complaint`` | ``finding`` | ``event`` | ``penalty``"""
    domain: str
    object_key: str
    ref: str | None = None
    facts: dict[str, Any] = field(factory=dict)
    severity: str | None = None
    risk_rule: str | None = None
    owner: str | None = None
    """Department that owns the case first; default: the domain's lead department."""


def source_of(source: Any) -> CaseSource:
    """A :class:`CaseSource` from a :class:`~onething.model.Finding`, a fired
    :class:`onething.risk.Verdict`, a :class:`Complaint` or a :class:`CaseSource`."""
    if isinstance(source, CaseSource):
        return source
    if isinstance(source, Finding):
        return CaseSource(
            kind="finding",
            domain=source.element.split(".", 1)[0],
            object_key=source.object_key,
            ref=source.record_id,
            facts={
                "element": source.element,
                "canonical": source.canonical,
                "severity": source.severity,
                "items": list(source.items),
                "found_on": source.found_on.isoformat(),
            },
            severity=source.severity,
            owner=source.departments[0] if source.departments else None,
        )
    if isinstance(source, Complaint):
        return CaseSource(
            kind="complaint",
            domain=source.domain,
            object_key=source.object_key,
            ref=source.id,
            facts={"summary": source.summary},
        )
    if hasattr(source, "rule") and hasattr(source, "fired"):  # onething.risk.Verdict
        if not source.fired:
            raise InvalidInput(
                "open_case",
                source.rule,
                _("规则未触发：没有预警", "the rule did not fire: no warning"),
            )
        return CaseSource(
            kind="warning",
            domain=source.rule.split(".", 1)[0],
            object_key=source.key,
            ref=source.rule,
            facts=schemas.jsonable(
                {
                    "observed": source.observed,
                    "threshold": source.threshold,
                    "reason": source.reason,
                }
            ),
            risk_rule=source.rule,
        )
    raise InvalidInput(
        "open_case",
        "source",
        _(
            f"不能由 {type(source).__name__} 立案",
            f"cannot open a case from {type(source).__name__}",
        ),
    )


def open_case(
    store: Store,
    loop: Loop,
    source: Any,
    *,
    region: str,
    actor: Actor | None = None,
    at: dt.datetime | None = None,
) -> LoopCase:
    """Open a case (闭环事项) — the one entry for every case source.

    :param source: a :class:`~onething.model.Finding` (opened in ``handling``: the inspection
        established the facts), a fired :class:`onething.risk.Verdict` (a warning, opened in
        ``warning``), a :class:`Complaint` (``warning``), or a :class:`CaseSource` for anything
        else (host-platform events use it).
    :param region: the object's region code (GB/T 2260).
    :param actor: who opens it (``None``: the system, e.g. the risk engine).
    :return: the stored case, version 1, with its first deadline set.
    """
    with store.session() as session:
        return open_in(session, loop, source, region=region, actor=actor, at=at)


def open_in(
    session: Session,
    loop: Loop,
    source: Any,
    *,
    region: str,
    actor: Actor | None = None,
    at: dt.datetime | None = None,
) -> LoopCase:
    """:func:`open_case` inside the caller's transaction."""
    at = as_utc(at)
    src = source_of(source)
    if src.domain not in loop.lead:
        raise InvalidInput(
            "open_case",
            "domain",
            not_enabled(src.domain, loop.lead),
        )
    if src.kind not in INITIAL_STATES:
        raise InvalidInput("open_case", "kind", not_one_of(src.kind, INITIAL_STATES))
    state = INITIAL_STATES[src.kind]
    limit_name = "loop.complaint_acceptance_days" if src.kind == "complaint" else None
    limit = None
    if limit_name:
        limit = loop.parameter(CORE, limit_name, at.date())
    elif state == "warning":
        limit = loop.parameter(CORE, "loop.assessment_days", at.date())
    due, provisional = due_at(at, limit, loop.calendar)
    facts = dict(src.facts)
    if src.severity is not None:
        facts.setdefault("severity", src.severity)
    case = LoopCase(
        domain=src.domain,
        object_key=src.object_key,
        region_code=region,
        state=state,
        owner=src.owner or loop.lead[src.domain],
        source_kind=src.kind,
        source_ref=src.ref,
        risk_rule=src.risk_rule,
        severity=src.severity,
        facts=facts,
        version=1,
        opened_at=at,
        entered_at=at,
        due_at=due,
        due_provisional=provisional,
    )
    session.add(case)
    session.flush()
    session.add(
        LoopStep(
            case_id=case.id,
            domain=case.domain,
            state=state,
            stage=loop.stage_of(state),
            owner=case.owner,
            entered_at=at,
            due_at=case.due_at,
        )
    )
    audit.append(
        session,
        action="open",
        case_id=case.id,
        actor=_actor_json(actor),
        data={
            "source": asdict(src),
            "state": state,
            "owner": case.owner,
            "region": region,
            "due_at": utc_iso(case.due_at),
        },
        at=at,
    )
    outbox.append(
        session,
        "case.opened",
        f"case/{case.id}",
        {
            "case": case.id,
            "version": 1,
            "domain": case.domain,
            "object_key": case.object_key,
            "region": region,
            "state": state,
            "owner": case.owner,
            "source": {"kind": src.kind, "ref": src.ref},
            "severity": case.severity,
            "due_at": utc_iso(case.due_at),
            "actor": _actor_json(actor),
        },
        at=at,
    )
    return case


def _actor_json(actor: Actor | None) -> dict[str, str] | None:
    if actor is None:
        return None
    return {k: v for k, v in asdict(actor).items() if v is not None}


def _zoned(case: LoopCase) -> LoopCase:
    for name in ("opened_at", "entered_at", "due_at", "closed_at"):
        setattr(case, name, aware(getattr(case, name)))
    return case


def get_case(store: Store, case_id: int) -> LoopCase:
    with store.session() as session:
        case = session.get(LoopCase, case_id)
        if case is None:
            raise NotFound("case", str(case_id), _("没有这个案件", "no such case"))
        session.expunge(case)
        return _zoned(case)


def _outgoing(loop: Loop, case: LoopCase, sep: str) -> str:
    return sep.join(x.code for x in loop.outgoing(case.state, case.domain))


def allowed(loop: Loop, case: LoopCase, t: EffectiveTransition, actor: Actor) -> tuple[bool, str]:
    """Whether ``actor`` may take ``t`` on ``case``, and why not."""
    if actor.role not in t.spec.roles:
        return False, _(
            f"角色 {actor.role!r} 无权执行；允许的角色：{'、'.join(t.spec.roles)}",
            f"role {actor.role!r} may not; allowed roles: {', '.join(t.spec.roles)}",
        )
    depts = set()
    for d in t.spec.departments:
        depts.add(loop.lead.get(case.domain, "") if d == LEAD else case.owner if d == OWNER else d)
    if actor.department not in depts:
        names = "、".join(department_name(d) for d in sorted(depts))
        return False, _(
            f"{department_name(actor.department)}无权执行；允许的部门：{names}",
            f"department {actor.department!r} may not; allowed: {', '.join(sorted(depts))} "
            f"({', '.join(t.spec.departments)})",
        )
    if not actor.covers(case.region_code):
        return False, _(
            f"辖区 {actor.region} 不包含案件所在的区域 {case.region_code}",
            f"region {actor.region} does not cover the case's region {case.region_code}",
        )
    return True, ""


def check_actor(actor: Actor, *, within: str | None = None) -> None:
    """An actor names a department of the list and a region code in use (inside the
    deployment's region ``within``). The host platform authenticates the person; the library
    checks that the identity it is handed can exist, then authorises each step by role,
    department and region (a role no transition grants is refused there, and logged).

    :raises InvalidInput: naming the part that cannot.
    """
    from ..departments import departments, unknown_department
    from ..registry import regions

    if actor.department not in departments():
        raise InvalidInput("actor", "department", unknown_department(actor.department))
    if problem := regions.problem(actor.region, within):
        raise InvalidInput("actor", "region", problem)


#: Facts a guard reads that the engine computes: no actor may set them.
COMPUTED_FACTS = frozenset({"overdue", "source_kind", "domain"})


def settable_facts(t: EffectiveTransition) -> dict[str, dict[str, Any]]:
    """The facts a step of ``t`` may establish, each with its JSON Schema: those its guard
    reads (typed by the values the guard compares with), and the case's ``severity``. Any
    other fact would let an actor rewrite the case beside the transition's purpose."""
    out: dict[str, dict[str, Any]] = {"severity": {"enum": list(SEVERITIES)}}

    def walk(c: Mapping[str, Any] | None) -> None:
        if c is None:
            return
        for key in ("all", "any"):
            for sub in c.get(key, ()):
                walk(sub)
        if "not" in c:
            walk(c["not"])
        if "attr" not in c or c["attr"] in COMPUTED_FACTS or c["attr"] in out:
            return
        ((op, value),) = ((k, v) for k, v in c.items() if k != "attr")
        sample = value[0] if op == "in" and value else value
        kind = {bool: "boolean", str: "string", int: "number", float: "number"}.get(type(sample))
        out[c["attr"]] = {"type": kind} if kind and op != "exists" else {}

    walk(t.spec.guard)
    return out


def _facts_problem(t: EffectiveTransition, facts: Mapping[str, Any]) -> tuple[str, str] | None:
    """(key path, reason) of the first fact this step may not set, or set so."""
    allowed_facts = settable_facts(t)
    for name in sorted(facts):
        schema = allowed_facts.get(name)
        if schema is None:
            return (
                f"facts.{name}",
                _(
                    f"环节 {t.code} 只能设定：{'、'.join(sorted(allowed_facts))}",
                    f"transition {t.code} may set only: {', '.join(sorted(allowed_facts))}",
                ),
            )
        errors = list(jsonschema.Draft202012Validator(schema).iter_errors(facts[name]))
        if errors:
            return f"facts.{name}", schemas.describe(errors[0])
    return None


def guard_facts(case: LoopCase, facts: Mapping[str, Any], at: dt.datetime) -> dict[str, Any]:
    """What a guard reads: the case's facts, this step's new facts, and computed facts
    ``overdue``, ``severity``, ``source_kind``, ``domain``."""
    due = aware(case.due_at)
    return {
        **case.facts,
        **facts,
        "overdue": due is not None and at > due,
        "severity": facts.get("severity", case.facts.get("severity", case.severity)),
        "source_kind": case.source_kind,
        "domain": case.domain,
    }


def transition(
    store: Store,
    loop: Loop,
    case_id: int,
    code: str,
    actor: Actor,
    *,
    version: int,
    evidence: Any = None,
    facts: Mapping[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> LoopCase:
    """Take transition ``code`` on case ``case_id`` as ``actor``.

    :param version: the case version the actor read; if the case moved on since, nothing is
        written (not even to the audit log) and :class:`ConflictError` is raised. The version
        is compared first: a request is judged only on the version it was made on, so whether
        it is refused (and logged) never depends on when the actor read the case.
    :param evidence: the evidence the transition requires (validated by its JSON Schema).
    :param facts: facts this step establishes (e.g. ``{"rectified": true}``); guards read them.
    :raises IllegalTransition, PermissionDenied, GuardFailed: refused, and the refusal logged.
    :raises InvalidInput: evidence that fails the transition's schema (logged as a refusal).
    :raises ConflictError: the case is no longer at ``version`` (not logged).
    """
    at = as_utc(at)
    if facts is not None and not isinstance(facts, Mapping):
        raise InvalidInput(
            f"case {case_id} {code}", "facts", _("应为 JSON 对象", "expected a JSON object")
        )
    facts = dict(facts or {})
    check_actor(actor)
    case = get_case(store, case_id)
    # The version first: a stale request is a conflict, not a refusal, and is not logged. Judged
    # on a state the actor never saw, the same request would be refused (and logged) or not
    # depending on when the actor read the case, e.g. an officer who lost a race on "assess"
    # would be refused as illegal instead of told to read again.
    if case.version != version:
        raise ConflictError(
            _(
                f"事项 {case_id} 已是第 {case.version} 版，不是第 {version} 版：读取后已有人办理；"
                "请重新读取",
                f"case {case_id} is at version {case.version}, not {version}: someone acted on it "
                f"since you read it; read it again",
            )
        )

    def refuse(exc_type: type[OnethingError], why: str, **extra: Any) -> None:
        with store.session() as session:
            audit.append(
                session,
                action="refused",
                case_id=case.id,
                actor=_actor_json(actor),
                data={
                    "transition": code,
                    "state": case.state,
                    "version": version,
                    "reason": getattr(exc_type, "reason", "invalid"),
                    "message": why,
                },
                at=at,
            )
        if exc_type is InvalidInput:
            raise InvalidInput(f"case {case_id} {code}", extra.get("path", "evidence"), why)
        raise exc_type(
            _(
                f"案件 {case_id}：环节 {code!r} 被拒绝：{why}",
                f"case {case_id}: transition {code!r} refused: {why}",
            )
        )

    t = loop.transitions.get(code)
    if t is None or t.domain not in (CORE, case.domain):
        refuse(
            IllegalTransition,
            _(
                f"{case.domain} 案件没有这个环节；在 {case.state!r} 可以执行："
                f"{_outgoing(loop, case, '、') or '（无）'}",
                f"no such transition for a {case.domain} case; from "
                f"{case.state!r} it may take: {_outgoing(loop, case, ', ') or '(none)'}",
            ),
        )
    if t.spec.source != case.state:
        refuse(
            IllegalTransition,
            _(
                f"该环节始于 {t.spec.source!r}，案件处于 {case.state!r}；在此可以执行："
                f"{_outgoing(loop, case, '、') or '（无）'}",
                f"it leads from {t.spec.source!r}, the case is in "
                f"{case.state!r}; from there it may take: {_outgoing(loop, case, ', ') or '(none)'}",
            ),
        )
    ok, why = allowed(loop, case, t, actor)
    if not ok:
        refuse(PermissionDenied, why)
    if problem := _facts_problem(t, facts):
        refuse(InvalidInput, problem[1], path=problem[0])
    if t.spec.evidence_schema is not None:
        errors = sorted(
            jsonschema.Draft202012Validator(
                t.spec.evidence_schema, format_checker=jsonschema.FormatChecker()
            ).iter_errors(evidence if evidence is not None else {}),
            key=lambda e: [str(p) for p in e.path],
        )
        if errors:
            refuse(
                InvalidInput,
                _(
                    f"{schemas.describe(errors[0])}（{code} 的证据模式）",
                    f"{schemas.describe(errors[0])} (the evidence schema of {code})",
                ),
                path=schemas.key_path(errors[0].absolute_path, "evidence"),
            )
    if problem := record_problem(store, case, t, evidence):
        refuse(InvalidInput, problem[1], path=problem[0])
    if not holds(t.spec.guard, guard_facts(case, facts, at)):
        refuse(
            GuardFailed,
            _(
                f"案件的事实不满足条件 {t.spec.guard}",
                f"guard {t.spec.guard} does not hold on the case's facts",
            ),
        )
    return _apply(store, loop, case, t, actor, version, evidence, facts, at)


def record_problem(
    store: Store, case: LoopCase, t: EffectiveTransition, evidence: Any
) -> tuple[str, str] | None:
    """Evidence properties marked ``"x-record"`` name a stored inspection record of the case's
    object (``"passing"``: one without a finding in the case's domain — a re-inspection that
    found the rectification done). ``(path, why)`` of the first that does not, else ``None``."""
    from ..store.records import InspectionFinding, InspectionRecord

    props = (t.spec.evidence_schema or {}).get("properties", {})
    for name, sch in props.items():
        mark = sch.get("x-record") if isinstance(sch, dict) else None
        if not mark or not isinstance(evidence, Mapping) or name not in evidence:
            continue
        rid = evidence[name]
        with store.session() as s:
            row = s.get(InspectionRecord, rid)
            if row is None:
                return f"evidence.{name}", _(
                    f"没有已保存的检查记录 {rid!r}（请先 record add）",
                    f"no stored inspection record {rid!r} (record add first)",
                )
            if row.object_key != case.object_key:
                return (
                    f"evidence.{name}",
                    _(
                        f"记录 {rid!r} 属于对象 {row.object_key}，案件的对象是 {case.object_key}",
                        f"record {rid!r} is of object {row.object_key}, the case's is "
                        f"{case.object_key}",
                    ),
                )
            if mark == "passing":
                failed = (
                    s.execute(
                        sa.select(InspectionFinding.element).where(
                            InspectionFinding.record_id == rid,
                            InspectionFinding.element.like(f"{case.domain}.%"),
                        )
                    )
                    .scalars()
                    .all()
                )
                if failed:
                    return (
                        f"evidence.{name}",
                        _(
                            f"记录 {rid!r} 在 {case.domain} 有发现：{'、'.join(sorted(failed))}；"
                            "它不能证明已整改",
                            f"record {rid!r} has findings in {case.domain}: "
                            f"{', '.join(sorted(failed))}; it does not show the rectification done",
                        ),
                    )
    return None


def _apply(
    store: Store,
    loop: Loop,
    case: LoopCase,
    t: EffectiveTransition,
    actor: Actor,
    version: int,
    evidence: Any,
    facts: dict[str, Any],
    at: dt.datetime,
) -> LoopCase:
    target = t.spec.target
    owner = case.owner
    ev = evidence if isinstance(evidence, dict) else {}
    if t.spec.effect == "owner_from_evidence":
        owner = ev["to_department"]
    elif t.spec.effect == "owner_to_lead":
        owner = loop.lead[case.domain]
    severity = ev.get("severity") or facts.get("severity") or case.severity
    if severity is not None:
        facts["severity"] = severity
    new_facts = {**case.facts, **facts}
    due, provisional = due_at(at, loop.limit(t, at.date()), loop.calendar)
    if isinstance(ev.get("deadline"), str):  # the order's own deadline prevails: to the
        d = dt.date.fromisoformat(ev["deadline"])  # end of that day where it was ordered
        due = dt.datetime.combine(d, dt.time(23, 59, 59), tzinfo=LOCAL_ZONE).astimezone(dt.UTC)
        provisional = False
    terminal = loop.terminal(target)
    with store.session() as session:
        result = session.execute(
            sa.update(LoopCase)
            .where(LoopCase.id == case.id, LoopCase.version == version)
            .values(
                state=target,
                owner=owner,
                facts=new_facts,
                severity=severity,
                last_transition=t.code,
                version=version + 1,
                entered_at=at,
                due_at=due,
                due_provisional=provisional,
                closed_at=at if terminal else None,
            )
        )
        if result.rowcount != 1:
            raise ConflictError(
                _(
                    f"办理期间事项 {case.id} 已被他人更改（第 {version} 版已过时）；未写入任何数据；"
                    "请重新读取",
                    f"case {case.id} was changed by someone else while you acted (version "
                    f"{version} is stale); nothing was written; read it again",
                )
            )
        session.execute(
            sa.update(LoopStep)
            .where(LoopStep.case_id == case.id, LoopStep.left_at.is_(None))
            .values(left_at=at)
        )
        session.add(
            LoopStep(
                case_id=case.id,
                domain=case.domain,
                state=target,
                stage=loop.stage_of(target),
                owner=owner,
                via=t.code,
                entered_at=at,
                due_at=due,
            )
        )
        audit.append(
            session,
            action="transition",
            case_id=case.id,
            actor=_actor_json(actor),
            data={
                "transition": t.code,
                "domain": t.domain,
                "from": case.state,
                "to": target,
                "version": version + 1,
                "owner": owner,
                "evidence": schemas.jsonable(evidence),
                "facts": schemas.jsonable(facts),
                "due_at": utc_iso(due),
            },
            at=at,
        )
        outbox.append(
            session,
            "case.transitioned",
            f"case/{case.id}",
            {
                "case": case.id,
                "version": version + 1,
                "transition": t.code,
                "domain": case.domain,
                "object_key": case.object_key,
                "region": case.region_code,
                "from": case.state,
                "to": target,
                "owner": owner,
                "closed": terminal,
                "due_at": utc_iso(due),
                "actor": _actor_json(actor),
            },
            at=at,
        )
        updated = session.get(LoopCase, case.id, populate_existing=True)
        assert updated is not None
        session.flush()
        session.expunge(updated)
        return _zoned(updated)


# -- deadlines ----------------------------------------------------------------------------------


@frozen
class Overdue:
    case_id: int
    domain: str
    object_key: str
    region: str
    state: str
    stage: str
    owner: str
    due_at: dt.datetime
    days_over: int


def overdue(
    store: Store, loop: Loop, at: dt.datetime | None = None, *, batch: int = 1000
) -> Iterator[Overdue]:
    """Open cases whose current step is past its time limit, by department and stage."""
    at = as_utc(at)
    last = 0
    while True:
        with store.session() as session:
            rows = (
                session.execute(
                    sa.select(LoopCase)
                    .where(
                        LoopCase.closed_at.is_(None),
                        LoopCase.due_at.is_not(None),
                        LoopCase.due_at < at,
                        LoopCase.id > last,
                    )
                    .order_by(LoopCase.id)
                    .limit(batch)
                )
                .scalars()
                .all()
            )
        if not rows:
            return
        for c in rows:
            due = aware(c.due_at)
            assert due is not None
            yield Overdue(
                case_id=c.id or 0,
                domain=c.domain,
                object_key=c.object_key,
                region=c.region_code,
                state=c.state,
                stage=loop.stage_of(c.state) if c.state in loop.states else "?",
                owner=c.owner,
                due_at=due,
                days_over=(at - due).days,
            )
        last = rows[-1].id or 0
