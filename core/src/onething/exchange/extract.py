"""What onething gives for each exported kind: one ``(key, values)`` per record, ``values``
keyed by the names of :data:`onething.exchange.mapping.SOURCES` (``object.name``,
``action.result`` …) and holding onething's own codes; the mapping turns them into a target's
elements and vocabulary (:mod:`onething.exchange.files`).

Persons: the registry keeps no resident ID number, only its keyed hash (the key) and the masked
form (``display_key``): ``object.code`` is the masked form and ``object.key_hash`` the hash, for
the host platform, which holds identities, to fill the number in.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from ..departments import department_name
from ..errors import InvalidInput
from ..i18n import _
from ..model.national import code_on
from ..planning.cycle import cycle_window
from ..store.exchange import ExchangeResult
from ..store.loop import LoopCase
from ..store.planning import PlanningAssignment, PlanningInspector, PlanningPlan, PlanningVisit
from ..store.records import InspectionEvidence, InspectionRecord
from ..store.registry import RegistryObject
from ..workdays import LOCAL_ZONE

JOIN = "；"
NO_ITEM = {"item.code": None, "item.catalogue_code": None, "item.implementation_code": None}
#: Registry object kinds that are parties (行政相对人); projects, sites, vehicles are not.
PARTIES = ("business", "person")
#: The task kinds the plan's visits may carry, the first present naming the visit's kind.
TASK_ORDER = ("random", "key", "complaint", "post_licence", "reinspection")


def local_time(when: dt.datetime) -> str:
    if when.tzinfo is None:  # SQLite keeps no offset: stored values are UTC
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(LOCAL_ZONE).isoformat()


def _in_window(day: dt.date, start: dt.date | None, end: dt.date | None) -> bool:
    return (start is None or day >= start) and (end is None or day <= end)


class Context:
    """What every extractor reads: the app's rulebook and store, the deployment's province
    (whose 检查实施清单编码 is used) and its level (for department names)."""

    def __init__(self, app) -> None:
        self.app = app
        self.rulebook = app.rulebook
        self.store = app.store
        dep = app.rulebook.deployment
        self.region = f"{dep.region[:2]}0000" if dep is not None else None
        self.level = dep.level if dep is not None else "province"
        self._items: dict[dt.date, dict[str, Any]] = {}
        self._elements: dict[dt.date, dict[str, Any]] = {}

    def items(self, on: dt.date) -> dict[str, Any]:
        if on not in self._items:
            self._items[on] = {i.code: i for i in self.rulebook.items(on)}
        return self._items[on]

    def element_label(self, code: str, on: dt.date) -> str:
        if on not in self._elements:
            self._elements[on] = {e.code: e for e in self.rulebook.elements(on)}
        el = self._elements[on].get(code)
        return el.label_zh if el is not None else code

    def dept(self, code: str) -> str:
        return department_name(code, self.level)

    def national(self, item, kind: str, on: dt.date) -> str | None:
        if item is None:
            return None
        code = code_on(item.national_codes, kind, on, self.region)
        return code.code if code is not None else None

    def item_values(self, code: str, on: dt.date) -> dict[str, Any]:
        item = self.items(on).get(code)
        return {
            "item.code": code,
            "item.catalogue_code": self.national(item, "catalogue", on),
            "item.implementation_code": self.national(item, "implementation", on),
        }

    def body_code(self, code: str, on: dt.date, departments) -> str:
        """The implementing body's code: the credit code its 检查实施清单编码 begins with, else
        onething's department codes."""
        impl = self.national(self.items(on).get(code), "implementation", on)
        return impl[:18] if impl else JOIN.join(departments)


def object_values(obj: RegistryObject | None, key: str) -> dict[str, Any]:
    """The party's values; a person's code is its masked ID, the hash beside it."""
    if obj is None:
        return {"object.name": key, "object.code": key, "object.key_hash": None,
                "object.id_type": "other", "object.nature": "other_organisation",
                "object.address": None, "object.region": None}  # fmt: skip
    person = obj.object_kind == "person" or obj.display_key is not None
    if person:
        id_type, nature = "resident_id", "citizen"
    elif obj.key_kind == "uscc":
        # GB 32100: 92 个体工商户 are no legal persons; every other credit code is one's
        id_type, nature = "uscc", ("other_organisation" if key[:2] == "92" else "legal_person")
    else:
        id_type, nature = "other", "other_organisation"
    return {
        "object.name": obj.name,
        "object.code": obj.display_key if person else obj.key,
        "object.key_hash": obj.key if person else None,
        "object.id_type": id_type,
        "object.nature": nature,
        "object.address": obj.address or None,
        "object.region": obj.region_code,
    }


def _objects(conn, keys) -> dict[str, RegistryObject]:
    keys = sorted(set(keys))
    out: dict[str, RegistryObject] = {}
    T = RegistryObject.__table__
    for i in range(0, len(keys), 900):
        for row in conn.execute(sa.select(T).where(T.c.key.in_(keys[i : i + 900]))).mappings():
            out[row["key"]] = RegistryObject(**row)
    return out


# -- plans: which plan visit a record served ----------------------------------------------------


def plans_in_force(conn) -> list[PlanningPlan]:
    """The latest plan of each cycle (a redraw supersedes)."""
    P = PlanningPlan.__table__
    rows = [PlanningPlan(**r) for r in conn.execute(sa.select(P).order_by(P.c.id)).mappings()]
    latest: dict[str, PlanningPlan] = {}
    for p in rows:
        latest[p.cycle] = p
    return sorted(latest.values(), key=lambda p: p.id or 0)


def plan_code(plan: PlanningPlan) -> str:
    return f"{plan.cycle}-{plan.id}"


def visit_index(conn) -> dict[str, list[tuple[dt.date, dt.date, str, str]]]:
    """Object key → (window start, end, plan code, visit id) of the visits planned for it."""
    V = PlanningVisit.__table__
    out: dict[str, list[tuple[dt.date, dt.date, str, str]]] = {}
    for p in plans_in_force(conn):
        start, end = cycle_window(p.cycle)
        for key, vid in conn.execute(sa.select(V.c.key, V.c.visit_id).where(V.c.plan_id == p.id)):
            out.setdefault(key, []).append((start, end, plan_code(p), vid))
    return out


def _visit_of(index, key: str, on: dt.date) -> tuple[str, str] | None:
    for start, end, plan, vid in index.get(key, ()):
        if start <= on <= end:
            return plan, vid
    return None


# -- records ------------------------------------------------------------------------------------


def _records(ctx: Context, start, end) -> Iterator[tuple[Any, list[Any], dict, Any]]:
    """Stored records in the window (by the day they were judged by), with their evidence,
    the object, and the row they were imported from (if they were)."""
    R, E, X = (t.__table__ for t in (InspectionRecord, InspectionEvidence, ExchangeResult))
    q = sa.select(R).order_by(R.c.id)
    if start is not None:
        q = q.where(R.c.on >= start)
    if end is not None:
        q = q.where(R.c.on <= end)
    with ctx.store.engine.connect() as conn:
        recs = list(conn.execute(q).mappings())
        evidence: dict[str, list[Any]] = {}
        imported: dict[str, Any] = {}
        ids = [r["id"] for r in recs]
        for i in range(0, len(ids), 900):
            chunk = ids[i : i + 900]
            for e in conn.execute(
                sa.select(E).where(E.c.record_id.in_(chunk)).order_by(E.c.record_id, E.c.position)
            ).mappings():
                evidence.setdefault(e["record_id"], []).append(e)
            for x in conn.execute(sa.select(X).where(X.c.record_id.in_(chunk))).mappings():
                imported[x["record_id"]] = x
        objects = _objects(conn, [r["object_key"] for r in recs])
        index = visit_index(conn)
        cases = case_index(conn)
    for r in recs:
        yield (
            r,
            evidence.get(r["id"], []),
            {
                "object": objects.get(r["object_key"]),
                "visit": _visit_of(index, r["object_key"], r["on"]),
                "cases": cases.get(r["id"], []),
            },
            imported.get(r["id"]),
        )


def case_index(conn) -> dict[str, list[tuple[str, str]]]:
    """Record id → (state, domain) of each case it opened or was attached to."""
    C = LoopCase.__table__
    out: dict[str, list[tuple[str, str]]] = {}
    for row in conn.execute(sa.select(C.c.source_ref, C.c.facts, C.c.state, C.c.domain)):
        refs = {row.source_ref, (row.facts or {}).get("record")} - {None}
        for ref in refs:
            out.setdefault(ref, []).append((row.state, row.domain))
    return out


def check_items(ctx: Context, entries, on: dt.date) -> list[dict[str, str]]:
    """One entry per check point, onething's result codes (``not_checked``: an imported result
    that did not check it)."""
    return [
        {"检查项编码": e["element"], "检查项名称": ctx.element_label(e["element"], on),
         "检查项结果": e["result"]}
        for e in entries
    ]  # fmt: skip


def _inspectors(r) -> tuple[str, str, list[str]]:
    ins = r["inspectors"]
    return (
        JOIN.join(i["name"] for i in ins),
        JOIN.join(i.get("id") or "" for i in ins),
        [i["department"] for i in ins],
    )


def action_number(record_id: str, item: str) -> str:
    """The inspection action of one record and item; the record's id is the stem."""
    return f"{record_id}-{item}"


def inspection_actions(ctx: Context, start, end) -> Iterator[tuple[str, dict[str, Any]]]:
    for r, entries, about, _imported in _records(ctx, start, end):
        names, ids, inspecting = _inspectors(r)
        visit = about["visit"]
        for item, departments in r["items"]:
            mine = [e for e in entries if item in e["items"]]
            depts = [d for d in departments if d in inspecting] or list(departments)
            item_obj = ctx.items(r["on"]).get(item)
            yield (
                f"{r['id']}/{item}",
                {
                    **object_values(about["object"], r["object_key"]),
                    **ctx.item_values(item, r["on"]),
                    "action.number": action_number(r["id"], item),
                    "action.name": f"{item_obj.name_zh if item_obj else item}检查",
                    "action.department_name": JOIN.join(ctx.dept(d) for d in depts),
                    "action.department_code": ctx.body_code(item, r["on"], depts),
                    "action.form": "routine" if visit else "special",
                    "action.category": "onsite",
                    "action.method": "random" if visit else "special",
                    "action.result": "fail" if any(e["result"] == "fail" for e in mine) else "pass",
                    "action.check_items": check_items(ctx, mine, r["on"]),
                    "action.time": local_time(r["visited_at"]),
                    "action.inspector_names": names,
                    "action.inspector_ids": ids,
                    "action.plan_id": visit[0] if visit else None,
                    "action.record": r["id"],
                },
            )


def outcome(mapping, loop, cases: list[tuple[str, str]], failed: bool) -> str:
    """The result a record is published with: ``no_problem`` without findings; else
    ``rectified`` when every case of its findings maps to it, else ``pending``."""
    if not failed:
        return "no_problem"
    values = [state_outcome(mapping, loop, state) for state, _ in cases]
    if values and all(v == "rectified" for v in values):
        return "rectified"
    return "pending"


def state_outcome(mapping, loop, state: str) -> str:
    """The one result a case in ``state`` gives (by code for core states, by stage for a
    plugin's). :raises InvalidInput: for a state the mapping does not cover."""
    if state in mapping.outcome_state:
        return mapping.outcome_state[state]
    spec = loop.states.get(state) if loop is not None else None
    stage = spec[0].stage if spec is not None else None
    if stage in mapping.outcome_stage:
        return mapping.outcome_stage[stage]
    raise InvalidInput(
        mapping.location,
        "outcome",
        _(
            f"闭环状态 {state!r}（阶段 {stage!r}）没有对应的结果：请将其加入 [outcome.state]，"
            "或将其阶段加入 [outcome.stage]",
            f"loop state {state!r} (stage {stage!r}) maps to no result: add it to "
            "[outcome.state] or its stage to [outcome.stage]",
        ),
    )


def results(ctx: Context, start, end, mapping) -> Iterator[tuple[str, dict[str, Any]]]:
    from ..loop import Loop

    loop = Loop(ctx.rulebook)
    for r, entries, about, imported in _records(ctx, start, end):
        names, ids, inspecting = _inspectors(r)
        visit = about["visit"]
        row = (imported or {}).get("row") or {}
        failed = any(e["result"] == "fail" for e in entries)
        values = {
            **object_values(about["object"], r["object_key"]),
            "plan.id": visit[0] if visit else None,
            "visit.id": visit[1] if visit else None,
            "result.record": r["id"],
            "result.items": JOIN.join(i for i, _ in r["items"]),
            "result.outcome": imported["outcome"]
            if imported
            else outcome(mapping, loop, about["cases"], failed),
            "result.check_items": check_items(ctx, entries, r["on"]),
            "result.time": local_time(r["visited_at"]),
            "result.inspector_names": names,
            "result.inspector_ids": ids,
            "result.departments": JOIN.join(inspecting),
            "result.remarks": r["remarks"] or None,
        }
        if imported:  # what the platform said that onething does not derive
            values.update({k: v for k, v in row.items() if k in ("plan.id", "visit.id")})
        yield r["id"], values


def penalties(ctx: Context, start, end) -> Iterator[tuple[str, dict[str, Any]]]:
    from ..publication.records import case_sources

    now = dt.datetime.now(dt.UTC)
    sources = [s for s in case_sources(ctx.store, now) if s.record == "penalty"]
    sources = [s for s in sources if _in_window(s.decided_on, start, end)]
    C = LoopCase.__table__
    ids = [int(s.key.rsplit(":", 1)[1]) for s in sources]
    with ctx.store.engine.connect() as conn:
        cases = {
            row["id"]: row
            for i in range(0, len(ids), 900)
            for row in conn.execute(sa.select(C).where(C.c.id.in_(ids[i : i + 900]))).mappings()
        }
        objects = _objects(conn, [s.object_key for s in sources])
    for s, cid in zip(sources, ids, strict=True):
        case = cases[cid]
        facts = case["facts"] or {}
        items = [i for i in facts.get("items") or [] if i.startswith(f"{case['domain']}.")]
        item = items[0] if items else None
        record = case["source_ref"] if case["source_kind"] == "finding" else facts.get("record")
        amount = s.data.get("amount")
        yield (
            f"case:{cid}",
            {
                **object_values(objects.get(s.object_key), s.object_key),
                **(ctx.item_values(item, s.decided_on) if item else NO_ITEM),
                "penalty.number": f"CF-{cid}",
                "penalty.decision_no": s.data.get("decision_number"),
                "penalty.decided_on": s.decided_on.isoformat(),
                "penalty.authority": s.data.get("authority"),
                "penalty.violation": s.data.get("violation_type"),
                "penalty.content": s.data.get("penalty"),
                "penalty.amount": float(amount) if isinstance(amount, (int, float)) else None,
                "penalty.action_number": action_number(record, item) if record and item else None,
                "penalty.case": cid,
            },
        )


def items(ctx: Context, start, end) -> Iterator[tuple[str, dict[str, Any]]]:
    on = end or dt.date.today()
    for i in sorted(ctx.rulebook.items(on), key=lambda i: i.code):
        yield (
            f"{i.code}@{i.effective_from}",
            {
                **ctx.item_values(i.code, on),
                "item.name": i.name_zh,
                "item.basis": JOIN.join(b.cite() for b in i.basis),
                "item.department_names": JOIN.join(ctx.dept(d) for d in i.departments),
                "item.department_code": ctx.body_code(i.code, on, i.departments),
                "item.object_types": JOIN.join(i.object_types),
                "item.measures": JOIN.join(i.measures),
                "item.effective_from": i.effective_from.isoformat(),
                "item.effective_to": i.effective_to.isoformat() if i.effective_to else None,
            },
        )


def objects(ctx: Context, start, end) -> Iterator[tuple[str, dict[str, Any]]]:
    T = RegistryObject.__table__
    last = ""
    while True:
        with ctx.store.engine.connect() as conn:
            rows = list(
                conn.execute(
                    sa.select(T)
                    .where(T.c.key > last, T.c.object_kind.in_(PARTIES))
                    .order_by(T.c.key)
                    .limit(2000)
                ).mappings()
            )
        if not rows:
            return
        for row in rows:
            yield row["key"], object_values(RegistryObject(**row), row["key"])
        last = rows[-1]["key"]


def inspectors(ctx: Context, start, end) -> Iterator[tuple[str, dict[str, Any]]]:
    T = PlanningInspector.__table__
    with ctx.store.engine.connect() as conn:
        rows = list(conn.execute(sa.select(T).order_by(T.c.id)).mappings())
    for row in rows:
        yield (
            row["id"],
            {
                "inspector.name": row["name"],
                "inspector.id": row["id"],
                "inspector.department": row["department"],
                "inspector.department_name": ctx.dept(row["department"]),
                "inspector.region": row["region_code"],
                "inspector.law_enforcement": bool(row["law_enforcement"]),
            },
        )


def read_plan_file(path: Path) -> dict[str, Any]:
    from ..planning.verify import read_plan

    return read_plan(path)


def plan(ctx: Context, start, end, doc: dict[str, Any] | None) -> Iterator[tuple[str, dict]]:
    """The visits of the plan ``doc`` (``plan.json``: the store keeps no visit's items), which
    must be a plan the store holds."""
    if doc is None:
        raise InvalidInput(
            "--plan",
            "",
            _(
                "--kind plan 需要计划的 plan.json（`onething plan` 写出的文件）",
                "--kind plan needs the plan's plan.json (the file `onething plan` wrote)",
            ),
        )
    P, A = PlanningPlan.__table__, PlanningAssignment.__table__
    with ctx.store.engine.connect() as conn:
        row = conn.execute(sa.select(P).where(P.c.id == doc.get("plan_id"))).mappings().first()
        if row is None or row["plan_sha256"] != doc.get("plan_sha256"):
            raise InvalidInput(
                "--plan",
                "plan_id",
                _(
                    f"库中没有摘要相符的计划 {doc.get('plan_id')!r}",
                    f"plan {doc.get('plan_id')!r} with this digest is not in the store",
                ),
            )
        staff: dict[str, list[str]] = {}
        for vid, iid in conn.execute(
            sa.select(A.c.visit_id, A.c.inspector_id)
            .where(A.c.plan_id == row["id"])
            .order_by(A.c.visit_id, A.c.department, A.c.inspector_id)
        ):
            staff.setdefault(vid, []).append(iid)
        names = dict(conn.execute(sa.select(PlanningInspector.id, PlanningInspector.name)).all())
        objects_ = _objects(conn, [v["key"] for v in doc["visits"]])
    p = PlanningPlan(**row)
    window = doc["window"]
    kinds = {t["id"]: t.get("kind", "random") for t in doc.get("tasks", [])}
    on = dt.date.fromisoformat(window["start"])
    for v in doc["visits"]:
        mine = {kinds.get(t, "random") for t in v.get("tasks", [])} or {"random"}
        kind = next(k for k in TASK_ORDER if k in mine) if mine & set(TASK_ORDER) else "random"
        ids = staff.get(v["id"], [])
        yield (
            f"{plan_code(p)}/{v['id']}",
            {
                **object_values(objects_.get(v["key"]), v["key"]),
                "plan.id": plan_code(p),
                "plan.cycle": p.cycle,
                "plan.start": window["start"],
                "plan.end": window["end"],
                "visit.id": v["id"],
                "visit.kind": kind,
                "visit.joint": bool(v.get("joint", True)),
                "visit.items": JOIN.join(v["items"]),
                "visit.catalogue_codes": JOIN.join(
                    c for i in v["items"] if (c := ctx.item_values(i, on)["item.catalogue_code"])
                )
                or None,
                "visit.department_names": JOIN.join(ctx.dept(d) for d in v["departments"]),
                "visit.inspector_names": JOIN.join(names.get(i, i) for i in ids) or None,
                "visit.inspector_ids": JOIN.join(ids) or None,
            },
        )


def extract(ctx: Context, kind: str, start, end, *, mapping=None, plan_doc=None):
    """``(key, values)`` of every record of ``kind``."""
    if kind == "inspection-actions":
        return inspection_actions(ctx, start, end)
    if kind == "results":
        return results(ctx, start, end, mapping)
    if kind == "plan":
        return plan(ctx, start, end, plan_doc)
    return {"penalties": penalties, "items": items, "objects": objects,
            "inspectors": inspectors}[kind](ctx, start, end)  # fmt: skip


def canonical(values: Any) -> str:
    return json.dumps(values, ensure_ascii=False, sort_keys=True, default=str)
