"""Publication records (公示记录) derived from what the store holds.

Three sources, read in batches:

* **penalties** — a case's entry into the loop state ``published`` (``decide_penalty``): the
  decision's evidence (``decision_no``, ``severity``, ``amount``, anything else the host gave)
  from the audit chain, the case's facts, the object from the registry;
* **joint sanctions** — a case's entry into ``joint_sanction``;
* **inspection results** — each stored inspection record, once per domain it checked.

A penalty or sanction comes down when the case's credit is repaired (``credit_repaired``); a
sanction also when it ends (``sanction_ended``). Re-deciding a penalty, correcting the case's
facts or the object's name changes the published content: the next ``publish`` supersedes.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from attrs import field, frozen

from ..departments import department_name
from ..store import Store
from ..store.loop import LoopAudit, LoopCase, LoopStep
from ..store.records import InspectionEvidence, InspectionFinding, InspectionRecord
from ..store.registry import RegistryObject
from ..workdays import LOCAL_ZONE

BATCH = 1000

#: Loop transitions after which a case's penalty and sanction come down, and why.
WITHDRAWING = {"credit_repaired": "credit_repair"}
#: … and after which only its sanction does.
ENDING_SANCTION = {"sanction_ended": "sanction_ended"}

#: Field names the rules use for the object's (business's) name.
NAME_FIELDS = ("party_name", "operator_name", "object_name", "school_name", "holder_name", "name")


@frozen
class Source:
    """One thing that may be published: where it comes from and every field it can give."""

    key: str
    """stable identity: ``penalty:case:12``, ``inspection_result:record:R1:catering``"""
    record: str
    domain: str
    object_key: str
    decided_on: dt.date
    severity: str | None
    data: dict[str, Any] = field(factory=dict)
    """the fields a rule's ``publish`` list picks from"""
    facts: dict[str, Any] = field(factory=dict)
    """what a rule's ``when`` reads"""
    raw: Any = None
    """the whole input the record was derived from (for finding person names to mask)"""
    ended: tuple[dt.date, str] | None = None
    """the day and reason it came down (credit repair …), if it has by ``at``"""


def local_day(when: dt.datetime) -> dt.date:
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(LOCAL_ZONE).date()


def _objects(session, keys: set[str]) -> dict[str, RegistryObject]:
    if not keys:
        return {}
    rows = session.execute(sa.select(RegistryObject).where(RegistryObject.key.in_(keys)))
    return {o.key: o for o in rows.scalars()}


def _dept_name(code: str) -> str:
    return department_name(code, "city")


def _object_fields(obj: RegistryObject | None, key: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if obj is not None:
        for f in NAME_FIELDS:
            out[f] = obj.name
        out["address"] = obj.address
        if obj.key_kind == "uscc":
            out["uscc"] = obj.key
    else:
        out["object_key"] = key
    return out


def _evidence(session, case_ids: list[int], via: set[str]) -> dict[tuple[int, str], dict]:
    """The evidence of the last audited transition of each case into each ``via``."""
    out: dict[tuple[int, str], dict] = {}
    q = (
        sa.select(LoopAudit.case_id, LoopAudit.body)
        .where(LoopAudit.case_id.in_(case_ids), LoopAudit.action == "transition")
        .order_by(LoopAudit.seq)
    )
    for case_id, body in session.execute(q):
        data = json.loads(body).get("data", {})
        if data.get("transition") in via:
            ev = data.get("evidence")
            out[(case_id, data["transition"])] = ev if isinstance(ev, dict) else {}
    return out


def case_sources(store: Store, at: dt.datetime) -> Iterator[Source]:
    """Penalties and joint sanctions of cases as they stood at ``at``."""
    last = 0
    while True:
        with store.session() as s:
            ids = list(
                s.execute(
                    sa.select(LoopStep.case_id)
                    .where(
                        LoopStep.case_id > last,
                        LoopStep.entered_at <= at,
                        LoopStep.state.in_(("published", "joint_sanction")),
                    )
                    .group_by(LoopStep.case_id)
                    .order_by(LoopStep.case_id)
                    .limit(BATCH)
                ).scalars()
            )
            if not ids:
                return
            steps = (
                s.execute(
                    sa.select(LoopStep)
                    .where(LoopStep.case_id.in_(ids), LoopStep.entered_at <= at)
                    .order_by(LoopStep.case_id, LoopStep.entered_at, LoopStep.id)
                )
                .scalars()
                .all()
            )
            cases = {
                c.id: c
                for c in s.execute(sa.select(LoopCase).where(LoopCase.id.in_(ids))).scalars()
            }
            vias = {st.via for st in steps if st.via}
            evidence = _evidence(s, ids, vias)
            objects = _objects(s, {c.object_key for c in cases.values()})
        for cid in ids:
            yield from _case(
                cases[cid], [st for st in steps if st.case_id == cid], evidence, objects
            )
        last = ids[-1]


def _case(case: LoopCase, steps: list[LoopStep], evidence, objects) -> Iterator[Source]:
    withdrawn = next(
        ((local_day(st.entered_at), WITHDRAWING[st.via]) for st in steps if st.via in WITHDRAWING),
        None,
    )
    sanction_end = next(
        (
            (local_day(st.entered_at), ENDING_SANCTION[st.via])
            for st in steps
            if st.via in ENDING_SANCTION
        ),
        None,
    )
    base = _object_fields(objects.get(case.object_key), case.object_key)
    authority = _dept_name(case.owner)
    for record, state, ended in (
        ("penalty", "published", withdrawn),
        ("sanction", "joint_sanction", withdrawn or sanction_end),
    ):
        entered = [st for st in steps if st.state == state]
        if not entered:
            continue
        step = entered[-1] if record == "penalty" else entered[0]  # a re-decision corrects
        ev = evidence.get((case.id, step.via or ""), {})
        facts = dict(case.facts)
        severity = ev.get("severity") or facts.get("severity") or case.severity
        day = local_day(step.entered_at)
        data = {
            **base,
            "authority": authority,
            "filing_authority": authority,
            "violation_type": facts.get("violation_type") or case.risk_rule or case.source_kind,
            "dishonest_conduct": facts.get("violation_type") or case.risk_rule,
            **{k: v for k, v in facts.items() if k not in base},
            **{k: v for k, v in ev.items() if k not in base},
        }
        if record == "penalty":
            data.update(decision_date=day.isoformat())
            data.setdefault("decision_number", ev.get("decision_no"))
            if "amount" in ev and "penalty" not in data:
                data["penalty"] = f"罚款 {ev['amount']} 元"
        else:
            data.update(listing_date=day.isoformat(), decision_date=day.isoformat())
            data.update(start_date=day.isoformat())
        yield Source(
            key=f"{record}:case:{case.id}",
            record=record,
            domain=case.domain,
            object_key=case.object_key,
            decided_on=day,
            severity=severity,
            data={k: v for k, v in data.items() if v is not None},
            facts={**facts, **ev, "department": case.owner, "severity": severity},
            raw={"facts": facts, "evidence": ev},
            ended=ended,
        )


def record_sources(store: Store, at: dt.datetime) -> Iterator[Source]:
    """Inspection results of the records stored by ``at``, one per (record, domain)."""
    last = ""
    while True:
        with store.session() as s:
            recs = (
                s.execute(
                    sa.select(InspectionRecord)
                    .where(InspectionRecord.id > last, InspectionRecord.created_at <= at)
                    .order_by(InspectionRecord.id)
                    .limit(BATCH)
                )
                .scalars()
                .all()
            )
            if not recs:
                return
            ids = [r.id for r in recs]
            ev = s.execute(
                sa.select(InspectionEvidence).where(InspectionEvidence.record_id.in_(ids))
            ).scalars()
            by_rec: dict[str, list[InspectionEvidence]] = {}
            for e in ev:
                by_rec.setdefault(e.record_id, []).append(e)
            found: dict[str, list[InspectionFinding]] = {}
            for f in s.execute(
                sa.select(InspectionFinding).where(InspectionFinding.record_id.in_(ids))
            ).scalars():
                found.setdefault(f.record_id, []).append(f)
            objects = _objects(s, {r.object_key for r in recs})
        for r in recs:
            yield from _record(r, by_rec.get(r.id, []), found.get(r.id, []), objects)
        last = recs[-1].id


def _record(r: InspectionRecord, evidence, findings, objects) -> Iterator[Source]:
    domains = sorted({e.element.split(".", 1)[0] for e in evidence})
    base = _object_fields(objects.get(r.object_key), r.object_key)
    day = local_day(r.visited_at)
    for d in domains:
        mine = [e for e in evidence if e.element.startswith(f"{d}.")]
        failed = [f for f in findings if f.element.startswith(f"{d}.")]
        depts = sorted({x for e in mine for x in e.departments})
        items = sorted({x for e in mine for x in e.items})
        result = "不合格" if failed else "合格"
        data = {
            **base,
            "inspection_date": day.isoformat(),
            "sampling_date": day.isoformat(),
            "result": result,
            "problems_found": [f"{f.element} {f.remark}".strip() for f in failed],
            "failed_items": [f.element for f in failed],
            "inspection_items": items,
            "items": items,
            "departments": [_dept_name(x) for x in depts],
            "authority": "、".join(_dept_name(x) for x in depts),
            "remarks": r.remarks,
            "rectification": "责令整改" if failed else "",
        }
        raw = {
            "remarks": r.remarks,
            "evidence": [e.evidence for e in mine],
            "findings": [f.evidence for f in failed],
        }
        yield Source(
            key=f"inspection_result:record:{r.id}:{d}",
            record="inspection_result",
            domain=d,
            object_key=r.object_key,
            decided_on=day,
            severity=max((f.severity for f in failed), default=None),
            data=data,
            facts={"result": "fail" if failed else "pass", "departments": depts},
            raw=raw,
        )
