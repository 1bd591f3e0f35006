"""Host-platform events (licence granted / changed / revoked / expiring, penalty decided,
complaint received) and the linkage rules they trigger.

One event per line of a JSON Lines file, each valid against
``onething/schemas/events.schema.json``. A file is applied all or nothing: the first bad line
(not JSON, not valid, domain not enabled, id repeated) rejects the whole file, naming the line.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import sqlalchemy as sa
from attrs import frozen
from sqlmodel import Session

from .. import schemas
from ..errors import InvalidInput, not_enabled
from ..i18n import _
from ..model import SEVERITIES, in_force
from ..store import Store
from ..store.loop import LoopCase, LoopEvent, LoopTask
from ..tables import json_lines
from ..workdays import LOCAL_ZONE
from . import audit
from .cases import CaseSource, open_in
from .clock import aware
from .spec import CORE, Loop

EVENT_TYPES = (
    "licence_granted",
    "licence_changed",
    "licence_revoked",
    "licence_expiring",
    "penalty_decided",
    "complaint_received",
)
SEVERITY_ORDER = tuple(SEVERITIES)


@cache
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(
        schemas.load("events"), format_checker=jsonschema.FormatChecker()
    )


def check_event(event: Any, location: str) -> dict[str, Any]:
    """Validate one event; :raises InvalidInput: naming ``location`` and the key path."""
    errors = sorted(_validator().iter_errors(event), key=lambda e: [str(p) for p in e.path])
    if errors:
        first = errors[0]
        raise InvalidInput(location, schemas.key_path(first.absolute_path), schemas.describe(first))
    try:
        at = dt.datetime.fromisoformat(event["at"])
    except ValueError:
        raise InvalidInput(
            location,
            "at",
            _(
                f"{event['at']!r} 不是真实存在的日期或时间（应为 ISO 8601）",
                f"{event['at']!r} is not a real date or time (ISO 8601 expected)",
            ),
        ) from None
    if at.tzinfo is None:
        raise InvalidInput(
            location,
            "at",
            _(
                f"{event['at']!r} 没有时区（加上 +08:00 或 Z）",
                f"{event['at']!r} has no time zone (add +08:00 or Z)",
            ),
        )
    if problem := schemas.unstorable(event):
        raise InvalidInput(location, *problem)
    return event


@frozen
class IngestResult:
    file: str
    events: int
    applied: int
    skipped: int
    """already applied before (same id)"""
    by_type: dict[str, int]
    cases_opened: list[int]
    tasks_scheduled: int
    tasks_closed: int


def _check_against_store(
    session: Session,
    loop: Loop,
    events: list[tuple[int, dict[str, Any]]],
    file: str,
    within: str | None,
) -> None:
    """Events name what the deployment knows: an object in the registry, in the region the
    registry gives it (inside the deployment's region ``within``), and an item in force in
    the event's domain. Every bad line is reported; then nothing is applied."""
    from ..registry import regions
    from ..store.registry import RegistryObject

    keys = sorted({e["object_key"] for _, e in events})
    region_of: dict[str, str] = {}
    for i in range(0, len(keys), 1000):
        region_of.update(
            session.execute(
                sa.select(RegistryObject.key, RegistryObject.region_code).where(
                    RegistryObject.key.in_(keys[i : i + 1000])
                )
            ).all()
        )
    items: dict[tuple[str, dt.date], set[str]] = {}
    errors: list[str] = []
    for line, e in events:
        where = f"{file}:{line}"
        region = region_of.get(e["object_key"])
        if region is None:
            key = e["object_key"]
            missing = _(f"名录库中没有对象 {key!r}", f"object {key!r} is not in the registry")
            errors.append(f"{where}: object_key: {missing}")
        elif (problem := regions.problem(e["region"], within)) is not None:
            errors.append(f"{where}: region: {problem}")
        elif e["region"] != region:
            errors.append(
                f"{where}: region: "
                + _(
                    f"{e['region']} 不是名录库中该对象的区划 {region}",
                    f"{e['region']} is not the object's region {region} in the registry",
                )
            )
        if "item" in e and loop.rulebook is not None:
            on = dt.datetime.fromisoformat(e["at"]).date()
            known = items.get((e["domain"], on))
            if known is None:
                known = {i.code for i in loop.rulebook.items(on, e["domain"])}
                items[(e["domain"], on)] = known
            if e["item"] not in known:
                errors.append(
                    f"{where}: item: "
                    + _(
                        f"{e['item']!r} 不是 {e['domain']} 领域在 {on} 的现行事项",
                        f"{e['item']!r} is no item of {e['domain']} in force on {on}",
                    )
                )
    if errors:
        rest = len(errors) - 20
        more = _(f"\n  ……另有 {rest} 条", f"\n  … and {rest} more") if rest > 0 else ""
        raise InvalidInput(
            file,
            "",
            _(
                f"{len(errors)} 条事件有误，未执行任何事件：",
                f"{len(errors)} bad event(s), nothing applied:",
            )
            + "\n  "
            + "\n  ".join(errors[:20])
            + more,
        )


def read_events(path: str | Path, loop: Loop) -> list[tuple[int, dict[str, Any]]]:
    """Every event of a JSONL file with its line number, all checked before anything is
    applied. Blank lines are allowed."""
    path = Path(path)
    out: list[tuple[int, dict[str, Any]]] = []
    ids: dict[str, int] = {}
    for n, event in json_lines(path):
        if isinstance(event, InvalidInput):
            raise event
        where = f"{path}:{n}"
        check_event(event, where)
        if event["domain"] not in loop.lead:
            raise InvalidInput(
                where,
                "domain",
                not_enabled(event["domain"], loop.lead),
            )
        if event["id"] in ids:
            first = ids[event["id"]]
            raise InvalidInput(
                where,
                "id",
                _(
                    f"id {event['id']!r} 与第 {first} 行重复",
                    f"id {event['id']!r} repeats line {first}",
                ),
            )
        ids[event["id"]] = n
        out.append((n, event))
    return out


def ingest_events(
    store: Store, loop: Loop, path: str | Path, *, region: str | None = None
) -> IngestResult:
    """Apply a JSONL file of host-platform events in one transaction (all or nothing).

    :param region: the deployment's region: an event outside it is refused.
    """
    events = read_events(path, loop)
    return apply_events(store, loop, events, str(path), region=region)


def apply_events(
    store: Store,
    loop: Loop,
    events: Iterable[tuple[int, dict[str, Any]]],
    file: str,
    *,
    region: str | None = None,
) -> IngestResult:
    events = list(events)
    by_type: Counter[str] = Counter()
    opened: list[int] = []
    scheduled = closed = skipped = 0
    now = dt.datetime.now(dt.UTC)
    with store.session() as session:
        store.serialize(session, "events")  # the same event ingested twice at once: once
        seen = (
            set(
                session.execute(
                    sa.select(LoopEvent.id).where(LoopEvent.id.in_([e["id"] for _, e in events]))
                ).scalars()
            )
            if events
            else set()
        )
        _check_against_store(
            session, loop, [x for x in events if x[1]["id"] not in seen], file, region
        )
        for line, event in events:
            if event["id"] in seen:
                skipped += 1
                continue
            by_type[event["type"]] += 1
            at = dt.datetime.fromisoformat(event["at"]).astimezone(dt.UTC)
            kind = event["type"]
            if kind in ("licence_granted", "licence_changed"):
                scheduled += _schedule(session, loop, event, at, "post_licence_inspection")
            elif kind == "licence_expiring":
                scheduled += _schedule(session, loop, event, at, "licence_expiry_check")
            elif kind == "licence_revoked":
                closed += _close_tasks(session, event, at)
            elif kind == "penalty_decided":
                case_id = _penalty(session, loop, event, at)
                if case_id is not None:
                    opened.append(case_id)
            elif kind == "complaint_received":
                case = open_in(
                    session,
                    loop,
                    CaseSource(
                        kind="complaint",
                        domain=event["domain"],
                        object_key=event["object_key"],
                        ref=event["complaint_id"],
                        facts={"summary": event.get("summary", ""), "event": event["id"]},
                    ),
                    region=event["region"],
                    at=at,
                )
                opened.append(case.id or 0)
            session.add(LoopEvent(id=event["id"], type=kind, file=file, line=line, applied_at=now))
    return IngestResult(
        file=file,
        events=len(events),
        applied=len(events) - skipped,
        skipped=skipped,
        by_type=dict(by_type),
        cases_opened=opened,
        tasks_scheduled=scheduled,
        tasks_closed=closed,
    )


def _schedule(
    session: Session, loop: Loop, event: dict[str, Any], at: dt.datetime, kind: str
) -> int:
    lic = event["licence"]
    if kind == "licence_expiry_check":
        due = dt.date.fromisoformat(lic["valid_to"])
    else:
        limit = loop.parameter(CORE, "loop.post_licence_inspection_days", at.date())
        due = at.date() + dt.timedelta(days=limit.days)
    task = LoopTask(
        kind=kind,
        domain=event["domain"],
        object_key=event["object_key"],
        region_code=event["region"],
        item=event.get("item"),
        due_on=due,
        reason=f"{event['type']}: {lic['kind']} {lic['number']}",
        event_id=event["id"],
        created_at=at,
    )
    session.add(task)
    session.flush()
    audit.append(
        session,
        action="task_scheduled",
        case_id=None,
        actor=None,
        data={
            "task": task.id,
            "kind": kind,
            "object": task.object_key,
            "item": task.item,
            "due_on": due.isoformat(),
            "event": event["id"],
        },
        at=at,
    )
    return 1


def _close_tasks(session: Session, event: dict[str, Any], at: dt.datetime) -> int:
    reason = f"licence {event['licence']['number']} revoked: {event['reason']}"
    ids = list(
        session.execute(
            sa.select(LoopTask.id).where(
                LoopTask.object_key == event["object_key"],
                LoopTask.domain == event["domain"],
                LoopTask.status == "open",
            )
        ).scalars()
    )
    if ids:
        session.execute(
            sa.update(LoopTask)
            .where(LoopTask.id.in_(ids))
            .values(status="closed", reason=reason, closed_at=at)
        )
    audit.append(
        session,
        action="tasks_closed",
        case_id=None,
        actor=None,
        data={"tasks": ids, "object": event["object_key"], "reason": reason, "event": event["id"]},
        at=at,
    )
    return len(ids)


def sanction_threshold(loop: Loop, domain: str, on: dt.date) -> str:
    """The least severity that opens the joint-sanction stage: the lowest ``min_severity`` of
    the domain's sanction measures in force, else core's ``loop.joint_sanction_min_severity``."""
    levels = []
    if loop.rulebook is not None and domain in loop.rulebook.domains:
        levels = [
            s.min_severity
            for s in loop.rulebook.rules(domain).sanctions
            if s.min_severity is not None and in_force(s, on)
        ]
    if levels:
        return min(levels, key=SEVERITY_ORDER.index)
    return str(loop.parameter_value(CORE, "loop.joint_sanction_min_severity", on))


def _penalty(session: Session, loop: Loop, event: dict[str, Any], at: dt.datetime) -> int | None:
    threshold = sanction_threshold(loop, event["domain"], at.date())
    severity = event["severity"]
    if SEVERITY_ORDER.index(severity) < SEVERITY_ORDER.index(threshold):
        audit.append(
            session,
            action="penalty_noted",
            case_id=None,
            actor=None,
            data={
                "event": event["id"],
                "severity": severity,
                "threshold": threshold,
                "object": event["object_key"],
            },
            at=at,
        )
        return None
    case = open_in(
        session,
        loop,
        CaseSource(
            kind="penalty",
            domain=event["domain"],
            object_key=event["object_key"],
            ref=event["decision_no"],
            facts={
                "decision_no": event["decision_no"],
                "amount": event.get("amount"),
                "event": event["id"],
                "sanction_threshold": threshold,
            },
            severity=severity,
        ),
        region=event["region"],
        at=at,
    )
    return case.id


def due_tasks(store: Store, window: tuple[dt.date, dt.date]) -> Iterable[dict[str, Any]]:
    """Open inspection tasks for the planner, in the planner's JSONL row form
    (``schemas/plan-tasks.schema.json``): post-licence inspections scheduled by licence events
    and re-inspections of cases in rectification whose deadline falls in ``window`` or before
    it (overdue: due now), one row per item of the case — those of its findings (``items`` in
    its facts), else the object's stored items of the case's domain (a case opened from a
    warning or a complaint). Rows after the window are the planner's to defer; a case whose
    object has no item of its domain is tracked by ``loop overdue``."""
    with store.session() as s:
        for t in s.execute(
            sa.select(LoopTask)
            .where(LoopTask.status == "open", LoopTask.kind == "post_licence_inspection")
            .order_by(LoopTask.id)
            .execution_options(yield_per=1000)
        ).scalars():
            if t.item:
                yield {
                    "id": f"task-{t.id}",
                    "key": t.object_key,
                    "item": t.item,
                    "kind": "post_licence",
                    "due": t.due_on.isoformat(),
                    "reason": t.reason or "",
                }
        # overdue cases are due now: no lower bound; the day is Asia/Shanghai's
        end = dt.datetime.combine(window[1] + dt.timedelta(days=2), dt.time(), tzinfo=dt.UTC)
        cases = (
            s.execute(
                sa.select(LoopCase)
                .where(LoopCase.state == "rectification", LoopCase.due_at < end)
                .order_by(LoopCase.id)
            )
            .scalars()
            .all()
        )
    for c in cases:
        due = aware(c.due_at).astimezone(LOCAL_ZONE).date()
        if due > window[1]:
            continue
        for item in c.facts.get("items") or _object_items(store, c.object_key, c.domain):
            yield {
                "id": f"case-{c.id}-{item}",
                "key": c.object_key,
                "item": item,
                "kind": "reinspection",
                "due": due.isoformat(),
                "reason": f"复查 case {c.id}",
            }


def _object_items(store: Store, key: str, domain: str) -> list[str]:
    """The object's stored items of ``domain`` (its applicability profile)."""
    from ..registry.mapping import items_of

    return [i for i in items_of(store, key) if i.split(".", 1)[0] == domain]
