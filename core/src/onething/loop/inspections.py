"""Inspection → loop: a stored record's findings open or attach to cases, in the record's own
transaction (docs/loop.md, "Inspections and cases").

The rules, per domain of the record's findings:

1. ``case`` given (``record add --case N``): the case must be open and about the record's
   object. The record attaches to it (even without findings: a re-inspection that finds the
   rectification done), and so do the findings of the case's domain. Attaching records the
   record id, the failed elements and their items in the case's facts; a case in ``reinspection`` also gets
   ``rectified`` = no finding of its domain, the fact its next step's guard reads.
2. Other findings, grouped by domain: they attach to the object's open case of that domain
   opened from an inspection finding, if there is one (a repeated violation is the same
   case); else they open one case in ``handling`` from the gravest of them, owned by the first
   department requiring it.

Each attachment bumps the case's version (who read it before must read it again) and is an
``record_attached`` entry of the audit log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from attrs import field, frozen
from sqlmodel import Session

from ..checklist.limits import SEVERITY_ORDER
from ..checklist.records import Record, check_record, checklist_for_record, store_record
from ..errors import InvalidInput
from ..i18n import _
from ..model import Finding
from ..rulebook import Rulebook
from ..store import Store
from ..store.loop import LoopCase
from ..store.registry import RegistryObject
from . import audit
from .cases import ConflictError, open_in, source_of
from .clock import as_utc
from .spec import Loop


@frozen
class RecordCases:
    """A stored record and the cases its findings opened or attached to."""

    record: Record
    opened: tuple[int, ...] = field(converter=tuple)
    attached: tuple[int, ...] = field(converter=tuple)


def _domain(f: Finding) -> str:
    return f.element.split(".", 1)[0]


def add_record(
    store: Store, rulebook: Rulebook, data: Mapping[str, Any], *, location: str = "record"
) -> Record:
    """Check a record against its joint checklist and store it, its evidence and its findings
    in one transaction; each finding opens a case of its domain or attaches to the open one of
    that object (:func:`add_inspection` with the rulebook's loop, which also takes the case
    that asked for the visit and says which cases moved). On any error nothing of it is
    stored: a violation is never stored without its case."""
    return add_inspection(store, rulebook, Loop(rulebook), data, location=location).record


def add_inspection(
    store: Store,
    rulebook: Rulebook,
    loop: Loop,
    data: Mapping[str, Any],
    *,
    case: int | None = None,
    location: str = "record",
    at: dt.datetime | None = None,
) -> RecordCases:
    """Check and store a record against its joint checklist and route its findings into the
    loop, in one transaction: on any error nothing is stored.

    :param case: the case that asked for this inspection (it must be open and about the
        record's object).
    :raises InvalidInput: a bad record, a case that does not exist, is closed or is about
        another object, or an object not in the registry whose findings must open a case.
    """
    at = as_utc(at)
    checklist = checklist_for_record(store, rulebook, data, location=location)
    record = check_record(data, checklist, location=location)
    with store.session() as s:
        store_record(s, record, location=location)
        opened, attached = route_findings(s, loop, record, case=case, at=at, location=location)
    return RecordCases(record, opened, attached)


def route_findings(
    s: Session,
    loop: Loop,
    record: Record,
    *,
    case: int | None = None,
    at: dt.datetime,
    location: str = "record",
) -> tuple[list[int], list[int]]:
    """Route a stored record's findings into the loop in the caller's transaction (the rules
    of the module's text); the cases opened and those attached to."""
    opened: list[int] = []
    attached: list[int] = []
    by_domain: dict[str, list[Finding]] = {}
    for f in record.findings:
        by_domain.setdefault(_domain(f), []).append(f)
    if case is not None:
        target = _asked(s, case, record, location)
        mine = by_domain.pop(target.domain, [])
        _attach(s, target, record, mine, at)
        attached.append(case)
    for domain, findings in by_domain.items():
        open_case = s.execute(
            sa.select(LoopCase)
            .where(
                LoopCase.object_key == record.object_key,
                LoopCase.domain == domain,
                LoopCase.source_kind == "finding",
                LoopCase.closed_at.is_(None),
            )
            .order_by(LoopCase.id)
            .limit(1)
        ).scalar_one_or_none()
        if open_case is not None:
            _attach(s, open_case, record, findings, at)
            attached.append(open_case.id or 0)
            continue
        region = s.execute(
            sa.select(RegistryObject.region_code).where(RegistryObject.key == record.object_key)
        ).scalar_one_or_none()
        if region is None:
            raise InvalidInput(
                location,
                "object",
                _(
                    f"对象 {record.object_key} 不在名录库中：其在 {domain} 的发现无法立案"
                    "（请先导入名录库）；未保存任何数据",
                    f"object {record.object_key} is not in the registry: its findings in "
                    f"{domain} cannot open a case (registry import first); nothing was stored",
                ),
            )
        gravest = max(findings, key=lambda f: SEVERITY_ORDER.index(f.severity))
        src = source_of(gravest)
        src = type(src)(
            kind=src.kind,
            domain=src.domain,
            object_key=src.object_key,
            ref=src.ref,
            facts={**src.facts, "elements": [f.element for f in findings]},
            severity=src.severity,
            owner=src.owner,
        )
        opened.append(open_in(s, loop, src, region=region, at=at).id or 0)
    return opened, attached


def _asked(s: Session, case_id: int, record: Record, location: str) -> LoopCase:
    case = s.get(LoopCase, case_id)
    if case is None:
        raise InvalidInput(location, "--case", _(f"没有案件 {case_id}", f"no case {case_id}"))
    if case.closed_at is not None:
        raise InvalidInput(
            location,
            "--case",
            _(f"案件 {case_id} 已办结（{case.state}）", f"case {case_id} is closed ({case.state})"),
        )
    if case.object_key != record.object_key:
        raise InvalidInput(
            location,
            "object",
            _(
                f"记录属于对象 {record.object_key}，而案件 {case_id} 属于 {case.object_key}",
                f"the record is of object {record.object_key}, case {case_id} of {case.object_key}",
            ),
        )
    return case


def _attach(
    s: Session, case: LoopCase, record: Record, findings: list[Finding], at: dt.datetime
) -> None:
    failed = [f.element for f in findings]
    facts: dict[str, Any] = {"record": record.id, "failed_elements": failed}
    items = sorted({*(case.facts.get("items") or ()), *(i for f in findings for i in f.items)})
    if items:  # what the re-inspection must cover (the planner's task rows)
        facts["items"] = items
    if case.state == "reinspection":
        facts["rectified"] = not failed
    version = case.version
    result = s.execute(
        sa.update(LoopCase)
        .where(LoopCase.id == case.id, LoopCase.version == version)
        .values(facts={**case.facts, **facts}, version=version + 1)
    )
    if result.rowcount != 1:
        raise ConflictError(
            _(
                f"关联记录期间事项 {case.id} 已被更改；请重试",
                f"case {case.id} changed while the record was attached; try again",
            )
        )
    audit.append(
        s,
        action="record_attached",
        case_id=case.id,
        actor=None,
        data={"record": record.id, "findings": failed, "facts": facts, "version": version + 1},
        at=at,
    )
