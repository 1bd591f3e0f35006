"""Publication records (公示记录) derived from what the store holds.

Five sources, read in batches:

* **penalties** — a case's entry into the loop state ``published`` (``decide_penalty``): the
  decision's evidence (``decision_no``, ``severity``, ``amount``, anything else the host gave)
  from the audit chain, the case's facts, the object from the registry;
* **joint sanctions** — a case's entry into ``joint_sanction``;
* **inspection results** — each stored inspection record, once per domain it checked;
* **licences** — each licence (or filing) of a registry object, once per domain it belongs to
  that publishes licences and whose licence it is (:class:`LicenceScope`); it comes down the
  day after it is valid to (``licence_expired``), or when the registry drops it;
* **plans** — each drawn 双随机 plan in force for its cycle, once per domain it samples: the
  draw (cycle, seed, algorithm, digests, when and by whom) and its sample (the businesses
  drawn, never a natural person). A redraw supersedes the cycle's earlier plan.

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
from ..store.planning import PlanningAssignment, PlanningPlan, PlanningVisit
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
    person: bool = False
    """about a natural person (an object of kind ``person``): never published"""


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
    obj = objects.get(case.object_key)
    person = obj is not None and obj.object_kind == "person"
    base = _object_fields(obj, case.object_key)
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
            person=person,
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
    obj = objects.get(r.object_key)
    base = _object_fields(obj, r.object_key)
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
            person=obj is not None and obj.object_kind == "person",
        )


# -- licences ----------------------------------------------------------------------------------


@frozen
class LicenceScope:
    """Which licences a domain publishes: of its declared licence kind or issued by the
    department that issues it (catering: food_business, or any licence of 市场监管 such as a
    small eatery's registration); a domain declaring none: its lead department's."""

    kind: str | None
    department: str

    def covers(self, licence: dict[str, Any]) -> bool:
        if self.kind is not None and licence.get("kind") == self.kind:
            return True
        return licence.get("department") == self.department


def licence_sources(
    store: Store, at: dt.datetime, scopes: dict[str, LicenceScope]
) -> Iterator[Source]:
    """Licences valid from on or before ``at`` of the registry's businesses, per domain in
    ``scopes`` the object belongs to (a person is never published)."""
    if not scopes:
        return
    day = local_day(at)
    last = ""
    while True:
        with store.session() as s:
            objs = (
                s.execute(
                    sa.select(RegistryObject)
                    .where(RegistryObject.key > last, RegistryObject.object_kind == "business")
                    .order_by(RegistryObject.key)
                    .limit(BATCH)
                )
                .scalars()
                .all()
            )
        if not objs:
            return
        for obj in objs:
            yield from _licences(obj, scopes, day)
        last = objs[-1].key


def _licences(obj: RegistryObject, scopes: dict[str, LicenceScope], day: dt.date):
    mine = [d for d in sorted(obj.domains or {}) if d in scopes]
    if not mine or not obj.licences:
        return
    base = _object_fields(obj, obj.key)
    for lic in obj.licences:
        start = dt.date.fromisoformat(lic["valid_from"]) if lic.get("valid_from") else None
        end = dt.date.fromisoformat(lic["valid_to"]) if lic.get("valid_to") else None
        if start is not None and start > day:
            continue
        authority = _dept_name(lic["department"])
        data = {
            **base,
            "licence_no": lic["number"],
            "filing_number": lic["number"],
            "licence_kind": lic["kind"],
            "authority": authority,
            "filing_authority": authority,
            "valid_from": lic.get("valid_from"),
            "filing_date": lic.get("valid_from"),
            "valid_to": lic.get("valid_to"),
        }
        for d in mine:
            if not scopes[d].covers(lic):
                continue
            yield Source(
                key=f"licence:{obj.key}:{d}:{lic['number']}",
                record="licence",
                domain=d,
                object_key=obj.key,
                decided_on=start or local_day(obj.updated_at),
                severity=None,
                data={k: v for k, v in data.items() if v not in (None, "")},
                facts={"kind": lic["kind"], "department": lic["department"]},
                raw=None,
                ended=(end + dt.timedelta(days=1), "licence_expired") if end else None,
            )


# -- plans -------------------------------------------------------------------------------------


def plan_sources(store: Store, at: dt.datetime, domains: set[str]) -> Iterator[Source]:
    """The plan in force for each cycle as of ``at`` (its latest draw by then), once per domain
    of ``domains`` whose businesses it samples; the sample lists businesses by name and uscc."""
    if not domains:
        return
    with store.session() as s:
        plans = (
            s.execute(
                sa.select(PlanningPlan)
                .where(PlanningPlan.created_at <= at)
                .order_by(PlanningPlan.cycle, PlanningPlan.id)
            )
            .scalars()
            .all()
        )
    latest: dict[str, PlanningPlan] = {}
    for p in plans:
        latest[p.cycle] = p  # a redraw replaces the cycle's plan
    for cycle in sorted(latest):
        yield from _plan(store, latest[cycle], domains)


def _plan(store: Store, plan: PlanningPlan, domains: set[str]) -> Iterator[Source]:
    sample: dict[str, list[RegistryObject]] = {}
    departments: dict[str, set[str]] = {}
    last = ""
    while True:
        with store.session() as s:
            keys = list(
                s.execute(
                    sa.select(PlanningVisit.key)
                    .where(PlanningVisit.plan_id == plan.id, PlanningVisit.key > last)
                    .group_by(PlanningVisit.key)
                    .order_by(PlanningVisit.key)
                    .limit(BATCH)
                ).scalars()
            )
            if not keys:
                break
            objects = _objects(s, set(keys))
            for key, dept in s.execute(
                sa.select(PlanningAssignment.key, PlanningAssignment.department)
                .where(PlanningAssignment.plan_id == plan.id, PlanningAssignment.key.in_(keys))
                .distinct()
            ):
                departments.setdefault(key, set()).add(dept)
        for key in keys:
            obj = objects.get(key)
            if obj is None or obj.object_kind != "business":
                continue  # a person, a vehicle … is never listed
            for d in sorted(obj.domains or {}):
                if d in domains:
                    sample.setdefault(d, []).append(obj)
        last = keys[-1]
    day = local_day(plan.created_at)
    for d in sorted(sample):
        objs = sample[d]
        depts = sorted({x for o in objs for x in departments.get(o.key, ())})
        data = {
            "cycle": plan.cycle,
            "year": plan.year,
            "draw_date": day.isoformat(),
            "seed": plan.seed,
            "algorithm": plan.algorithm,
            "population_sha256": plan.population_sha256,
            "plan_sha256": plan.plan_sha256,
            "sample_size": len(objs),
            "sampled": [
                {"name": o.name, "uscc": o.key} if o.key_kind == "uscc" else {"name": o.name}
                for o in objs
            ],
            "departments": [_dept_name(x) for x in depts],
            "authority": "、".join(_dept_name(x) for x in depts),
            "redraw_reason": plan.reason,
        }
        yield Source(
            key=f"plan:{plan.cycle}:{d}",
            record="plan",
            domain=d,
            object_key=f"plan:{plan.cycle}",
            decided_on=day,
            severity=None,
            data={k: v for k, v in data.items() if v not in (None, "")},
            facts={"cycle": plan.cycle},
            raw=None,
        )
