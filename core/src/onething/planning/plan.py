"""A cycle's plan: sampling → tasks → joint visits → inspectors, as one JSON document (plus CSV
and an HTML summary), stored with an audit row so that ``onething plan verify`` can recompute it.

The plan document (``format: onething-plan/1``, :class:`~.document.PlanDocument`) holds: seed,
algorithm version, the SHA-256 of the canonical population (:mod:`.population`), every
parameter in force it used with its provenance, every stratum (population, ratio, sample size),
task, visit, assignment, task not placed (cap) and infeasible visit, and the fields
double-random platforms expect (``platform``: population total, sampled total, percentage, draw
date). ``plan_sha256`` is the SHA-256 of the canonical JSON of everything except the volatile
keys (:data:`VOLATILE`).
"""

from __future__ import annotations

import datetime as dt
import getpass
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from typing import Any

import attrs
import numpy as np
import sqlalchemy as sa
from attrs import frozen

from .. import outbox
from .._order import store_first
from ..core_parameters import CORE
from ..errors import InvalidInput, NotInForce
from ..i18n import _
from ..rulebook import ParameterInForce, Rulebook
from ..store import Store
from ..store.planning import PlanningAssignment, PlanningDraw, PlanningPlan, PlanningVisit
from .cycle import cycle_window
from .document import (
    FORMAT,
    VOLATILE,
    Algorithm,
    DeploymentRef,
    InspectorFigures,
    MissingRatio,
    OffsiteCheck,
    PlanDocument,
    PlanOptions,
    Platform,
    PopulationRef,
    PresenceRef,
    Summary,
    Window,
    canonical_json,
    digest,
)
from .inspectors import Inspector, draw_inspectors, load_pool
from .population import Population, load_population
from .presence import Presence, load_presence
from .prn import ALGORITHM as PRN_ALGORITHM
from .prn import prn_array
from .sampling import draw, ratios_in_force
from .tasks import non_random_tasks, random_tasks
from .visits import apply_cap, caps_in_force, constraints_in_force, merge

__all__ = [
    "ALGORITHM",
    "FORMAT",
    "VOLATILE",
    "History",
    "canonical_json",
    "compute_document",
    "compute_plan",
    "digest",
    "history",
    "make_plan",
]

ALGORITHM = "onething-plan-v1"
_PLANS = PlanningPlan.__table__
_VISITS = PlanningVisit.__table__
_ASSIGNMENTS = PlanningAssignment.__table__
DEFAULT_INSPECTOR_CAP = 60

Progress = Callable[[str], None]


@frozen
class History:
    """What earlier plans in the store contribute: visits this year, last cycle's inspectors."""

    prior_visits: dict[str, int]
    previous_assignments: dict[str, set[str]]


def history(store: Store, cycle: str, before: int | None = None) -> History:
    """From plans drawn before plan id ``before`` (all, if ``None``): visits of the latest plan
    of each other cycle of the same year, and the assignments of the latest plan of another
    cycle (the previous cycle)."""
    year = cycle_window(cycle)[0].year
    limit = before if before is not None else 2**31 - 1
    with store.engine.connect() as conn:
        latest = conn.execute(
            sa.select(_PLANS.c.cycle, sa.func.max(_PLANS.c.id))
            .where(_PLANS.c.cycle != cycle, _PLANS.c.id < limit)
            .group_by(_PLANS.c.cycle)
        ).all()
        years = dict(
            conn.execute(sa.select(_PLANS.c.id, _PLANS.c.year).where(_PLANS.c.id < limit)).all()
        )
        same_year = [pid for _, pid in latest if years.get(pid) == year]
        prior: dict[str, int] = {}
        if same_year:
            stmt = (
                sa.select(_VISITS.c.key, sa.func.count())
                .where(_VISITS.c.plan_id.in_(same_year))
                .group_by(_VISITS.c.key)
            )
            prior = {k: int(n) for k, n in conn.execute(stmt)}
        previous: dict[str, set[str]] = defaultdict(set)
        if latest:
            last = max(pid for _, pid in latest)
            for key, insp in conn.execute(
                sa.select(_ASSIGNMENTS.c.key, _ASSIGNMENTS.c.inspector_id).where(
                    _ASSIGNMENTS.c.plan_id == last
                )
            ):
                previous[key].add(insp)
    return History(prior_visits=prior, previous_assignments=dict(previous))


def compute_plan(
    rulebook: Rulebook,
    population: Population,
    pool: Sequence[Inspector],
    earlier: History,
    **options: Any,
) -> dict[str, Any]:
    """The deterministic part of a plan document (no volatile keys), as the JSON values of
    :func:`compute_document` (its keyword arguments)."""
    return compute_document(rulebook, population, pool, earlier, **options).as_json()


def compute_document(
    rulebook: Rulebook,
    population: Population,
    pool: Sequence[Inspector],
    earlier: History,
    *,
    cycle: str,
    seed: str,
    task_rows: Sequence[dict[str, Any]] = (),
    inspector_cap: int = DEFAULT_INSPECTOR_CAP,
    progress: Progress | None = None,
    presence: Presence | None = None,
) -> PlanDocument:
    """The deterministic part of a plan document (no volatile keys).

    ``presence``: objects supervised off site (their tasks are ``offsite_checks``, never a
    visit) and objects visited at another object's place (:mod:`.presence`)."""
    presence = presence or Presence()
    step = progress or (lambda _s: None)
    if not seed:
        raise InvalidInput(
            "--seed",
            "",
            _(
                "必须给出随机种子（与计划一同公开）",
                "a seed is required (publish it with the plan)",
            ),
        )
    start, end = cycle_window(cycle)
    on = start
    items = {i.code: i for i in rulebook.items(on)}
    step("sampling")
    u = prn_array(seed, population.keys)
    ratios = ratios_in_force(rulebook, population, on)
    sample = draw(population, seed, ratios, u=u)
    tasks = random_tasks(population, sample, items)
    step("tasks")
    known = set(population.keys)
    nonrandom = non_random_tasks(list(task_rows), items, known, (start, end))
    tasks += nonrandom.tasks
    by_id = {t.id: t for t in tasks}
    regions = dict(zip(population.keys, population.regions, strict=True))
    grades = {
        k: population.credit_labels[c]
        for k, c in zip(population.keys, population.credit.tolist(), strict=True)
    }
    step("visits")
    constraints = constraints_in_force(rulebook, on)
    onsite = [t for t in tasks if t.key not in presence.offsite]
    offsite = sorted((t for t in tasks if t.key in presence.offsite), key=lambda t: t.id)
    # an object at several places joins whichever of them has a visit anyway (.presence)
    places = presence.places
    if presence.several:
        several = presence.several
        visited = {
            at
            for t in onsite
            if t.key not in several and (at := places.get(t.key, t.key)) not in several
        }
        places = presence.choose_places(visited)
    visits = merge(onsite, regions, constraints, places)
    caps = caps_in_force(rulebook, sorted({grades[v.key] for v in visits}), on)
    visits, unplaced, uncapped = apply_cap(visits, by_id, grades, caps, earlier.prior_visits)
    step("inspectors")
    per_dept = int(rulebook.value(CORE, "inspectors_per_visit", on))
    assignments, infeasible, load = draw_inspectors(
        visits,
        by_id,
        pool,
        seed,
        per_dept,
        inspector_cap,
        earlier.previous_assignments,
        constraints,
    )
    step("summary")
    params: dict[tuple[str, str], ParameterInForce] = {
        (p.domain, p.name): p for p in sample.parameters
    }
    for p in caps.values():
        if p is not None:
            params[(p.domain, p.name)] = p
    per_visit = rulebook.parameter(CORE, "inspectors_per_visit", on)
    params[(per_visit.domain, per_visit.name)] = per_visit
    frame = _frame_size(population, ratios)
    sampled = len(np.unique(sample.selected_obj))
    not_in_force = sorted(set(population.item_codes) - set(items))
    inspectors = {a.inspector for a in assignments}
    doc = PlanDocument(
        algorithm=Algorithm(plan=ALGORITHM, prn=PRN_ALGORITHM),
        cycle=cycle,
        window=Window(start=start, end=end),
        seed=seed,
        deployment=_deployment(rulebook),
        population=PopulationRef(
            sha256=population.sha256,
            objects=population.size,
            object_items=len(population.pair_obj),
        ),
        platform=Platform(
            population_total=frame,
            sampled_total=sampled,
            percentage=round(100 * sampled / frame, 2) if frame else 0.0,
        ),
        options=PlanOptions(inspector_cap=inspector_cap, inspectors_per_department=per_dept),
        parameters=[params[k].as_json() for k in sorted(params)],
        missing_ratios=[
            MissingRatio(item=i, credit_grade=g, objects=n) for i, g, n in sample.missing_ratios
        ],
        items_not_in_force=not_in_force,
        uncapped=uncapped,
        strata=sample.strata,
        tasks=sorted(tasks, key=lambda t: t.id),
        deferred=nonrandom.deferred,
        unplaceable=nonrandom.unplaceable,
        visits=visits,
        unplaced=unplaced,
        assignments=assignments,
        infeasible=infeasible,
        inspectors=InspectorFigures(
            pool=len(pool), drawn=len(inspectors), workload_max=max(load.values(), default=0)
        ),
    )
    if not presence.empty:  # a registry of businesses alone: the plan as before
        doc = doc.evolve(
            presence=PresenceRef(**presence.as_json()),  # type: ignore[arg-type]
            offsite_checks=[
                OffsiteCheck(task=t.id, key=t.key, item=t.item, departments=t.departments)
                for t in offsite
            ],
        )
    return doc.evolve(summary=summarise(doc, population, sample, ratios, items, presence.offsite))


def _deployment(rulebook: Rulebook) -> DeploymentRef:
    d = rulebook.deployment
    return DeploymentRef(
        name=getattr(d, "name", None),
        region=getattr(d, "region", None),
        domains=rulebook.domains.names,
    )


def _frame_size(population: Population, ratios: dict) -> int:
    sampled_items = {i for i, _g in ratios}
    mask = np.array([c in sampled_items for c in population.item_codes], dtype=bool)
    if not len(mask):
        return 0
    return len(np.unique(population.pair_obj[mask[population.pair_item]]))


def independent_expectation(
    population: Population,
    ratios: dict,
    items: dict,
    strata: Sequence[Any],
    offsite: frozenset[str] = frozenset(),
) -> float:
    """Expected visits of today's practice: each item sampled on its own with the same ratios,
    each department visiting on its own: E[#(object, department) with a sampled item]. Objects
    supervised off site are never visited, today or here.

    Vectorised (#31: a Python loop over 1.8 million pairs took seconds at 10^5 objects), with
    the loop's arithmetic kept bit for bit — each stratum's log1p taken once as a scalar, the
    terms in the loop's order, departments numbered in order of first appearance — so that the
    figure of a plan drawn before recomputes exactly."""
    nc, nr = len(population.credit_labels), len(population.risk_labels)
    code_of = {c: i for i, c in enumerate(population.item_codes)}
    log_q = np.zeros(len(population.item_codes) * nc * nr)
    sampled = np.zeros(len(log_q), dtype=bool)
    credit_of = {g: i for i, g in enumerate(population.credit_labels)}
    risk_of = {g: i for i, g in enumerate(population.risk_labels)}
    for s in strata:
        if s.item not in code_of or s.credit_grade not in credit_of or s.risk_grade not in risk_of:
            continue
        p = s.size / s.population
        if not p:
            continue
        j = (code_of[s.item] * nc + credit_of[s.credit_grade]) * nr + risk_of[s.risk_grade]
        sampled[j] = True
        log_q[j] = np.log1p(-p) if p < 1 else -np.inf
    obj, item = population.pair_obj, population.pair_item
    cell = (item.astype(np.int64) * nc + population.credit[obj]) * nr + population.risk[obj]
    keep = sampled[cell]
    if offsite:
        off = np.array([k in offsite for k in population.keys], dtype=bool)
        keep &= ~off[obj]
    obj, item, cell = obj[keep], item[keep], cell[keep]
    # each pair once per department of its item, in the item's order of departments
    depts_of: list[list[int]] = []
    index: dict[str, int] = {}
    for code in population.item_codes:
        ds = items[code].departments if code in items else ()
        depts_of.append([index.setdefault(d, len(index)) for d in ds])
    count = np.array([len(d) for d in depts_of], dtype=np.int64)
    if not len(obj) or not count[item].sum():
        return 0.0
    reps = count[item]
    flat = np.concatenate([np.asarray(d, dtype=np.int64) for d in depts_of if d] or [[0]])
    start = np.concatenate([[0], np.cumsum(count)[:-1]])
    within = np.arange(reps.sum()) - np.repeat(np.cumsum(reps) - reps, reps)
    dept = flat[np.repeat(start[item], reps) + within]
    objs = np.repeat(obj, reps)
    logs = np.repeat(log_q[cell], reps)
    # departments numbered as the loop numbered them: by first appearance among the terms
    present, first = np.unique(dept, return_index=True)
    number = np.zeros(len(index), dtype=np.int64)
    number[present[np.argsort(first, kind="stable")]] = np.arange(len(present))
    group = objs.astype(np.int64) * max(1, len(present)) + number[dept]
    uniq, inv = np.unique(group, return_inverse=True)
    total = np.zeros(len(uniq))
    np.add.at(total, inv, logs)
    return float(np.sum(1 - np.exp(total)))


def _independent_expectation_loop(
    population: Population,
    ratios: dict,
    items: dict,
    strata: Sequence[Any],
    offsite: frozenset[str] = frozenset(),
) -> float:
    """The loop :func:`independent_expectation` replaced, kept as the reference its test holds
    it to."""
    pi = {(s.item, s.credit_grade, s.risk_grade): s.size / s.population for s in strata}
    dept_index: dict[str, int] = {}
    objs, depts, logs = [], [], []
    skip = {i for i, k in enumerate(population.keys) if k in offsite} if offsite else ()
    for o, i in zip(population.pair_obj.tolist(), population.pair_item.tolist(), strict=True):
        if o in skip:
            continue
        code = population.item_codes[i]
        p = pi.get(
            (
                code,
                population.credit_labels[population.credit[o]],
                population.risk_labels[population.risk[o]],
            )
        )
        if not p:
            continue
        for d in items[code].departments:
            objs.append(o)
            depts.append(dept_index.setdefault(d, len(dept_index)))
            logs.append(np.log1p(-p) if p < 1 else -np.inf)
    if not objs:
        return 0.0
    group = np.asarray(objs, dtype=np.int64) * max(1, len(dept_index)) + np.asarray(depts)
    uniq, inv = np.unique(group, return_inverse=True)
    total = np.zeros(len(uniq))
    np.add.at(total, inv, np.asarray(logs))
    return float(np.sum(1 - np.exp(total)))


def summarise(doc: PlanDocument, population, sample, ratios, items, offsite=frozenset()) -> Summary:
    """The plan in figures, beside today's practice (:func:`independent_expectation`)."""
    tasks, visits = doc.tasks, doc.visits
    per_dept = Counter(d for t in tasks for d in t.departments)
    per_kind = Counter(t.kind for t in tasks)
    per_key = Counter(v.key for v in visits)
    independent = independent_expectation(population, ratios, items, sample.strata, offsite)
    return Summary(
        tasks=len(tasks),
        tasks_per_kind=dict(sorted(per_kind.items())),
        tasks_per_department=dict(sorted(per_dept.items())),
        visits=len(visits),
        joint_visits=sum(1 for v in visits if len(v.departments) > 1),
        split_visits=sum(1 for v in visits if not v.joint),
        department_visits=sum(len(v.departments) for v in visits),
        visits_per_business={str(k): n for k, n in sorted(Counter(per_key.values()).items())},
        independent_expected_visits=round(independent, 1),
        visits_saved=round(independent - len(visits), 1),
        unplaced_tasks=len(doc.unplaced),
        unplaceable_tasks=len(doc.unplaceable),
        infeasible_visits=len({x.visit for x in doc.infeasible}),
        missing_ratios=len(doc.missing_ratios),
        offsite_checks=None if doc.offsite_checks is None else len(doc.offsite_checks),
    )


# -- drawing and storing --------------------------------------------------------------------------


def make_plan(
    store: Store,
    rulebook: Rulebook,
    *,
    cycle: str,
    seed: str,
    task_rows: Sequence[dict[str, Any]] = (),
    inspector_cap: int = DEFAULT_INSPECTOR_CAP,
    by: str | None = None,
    reason: str = "",
    progress: Progress | None = None,
    write: Callable[[Any], Any] | None = None,
    document: bool = False,
) -> Any:
    """Draw, store and audit a plan; a second draw of a cycle is a redraw and needs a reason.

    ``write(doc)`` writes the plan's files inside the unit of work that records the draw: if it
    fails, no draw is recorded (and a rerun is not a redraw). ``doc``, and what is returned:
    the plan's JSON values, or with ``document`` its :class:`~.document.PlanDocument` (no
    JSON values built: #31).

    :raises InvalidInput: for a redraw without reason, a bad cycle, seed or task row.
    """
    store, rulebook = store_first(store, rulebook, "make_plan")
    if reason and not reason.strip():
        raise InvalidInput(
            "--reason",
            "",
            _("为空；请说明谁要求抽取、为何抽取", "blank; say who asked for the draw and why"),
        )
    store.ensure_current()
    (progress or (lambda _s: None))("registry")
    cycle_window(cycle)
    with store.engine.connect() as conn:
        draws = conn.execute(
            sa.select(sa.func.count()).select_from(_PLANS).where(_PLANS.c.cycle == cycle)
        ).scalar_one()
    if draws and not reason:
        raise InvalidInput(
            "--reason",
            "",
            _(
                f"周期 {cycle} 已抽取 {draws} 次；重新抽取会记入审计，需要 --reason（谁要求、为何）",
                f"cycle {cycle} was drawn {draws} time(s) already; a redraw is audited and needs "
                f"--reason (who asked for it and why)",
            ),
        )
    population = load_population(store, rulebook, cycle_window(cycle)[0])
    presence = load_presence(store, rulebook, cycle_window(cycle)[0])
    pool = load_pool(store)
    earlier = history(store, cycle)
    try:
        drawn = compute_document(
            rulebook,
            population,
            pool,
            earlier,
            cycle=cycle,
            seed=seed,
            task_rows=task_rows,
            inspector_cap=inspector_cap,
            progress=progress,
            presence=presence,
        )
    except NotInForce as exc:
        raise InvalidInput("--cycle", "", str(exc)) from None
    now = dt.datetime.now(dt.UTC)
    who = by or getpass.getuser()
    kind = "redraw" if draws else "draw"
    drawn = drawn.evolve(platform=attrs.evolve(drawn.platform, draw_date=now.date()))
    # The hash and the files come from the same typed document, each written from it by
    # orjson: the hash is digest(the file's values) (document.canonical_bytes).
    sha = drawn.digest()
    inputs = {
        "tasks": [{k: v for k, v in r.items()} for r in task_rows],
        "inspector_cap": inspector_cap,
    }
    with store.session() as s:
        plan = PlanningPlan(
            cycle=cycle,
            year=cycle_window(cycle)[0].year,
            seed=seed,
            algorithm=ALGORITHM,
            population_sha256=population.sha256,
            plan_sha256=sha,
            created_at=now,
            created_by=who,
            reason=reason,
            inputs=inputs,
        )
        s.add(plan)
        s.flush()
        conn = s.connection()
        visits = [
            {"plan_id": plan.id, "visit_id": v.id, "key": v.key, "items": list(v.items)}
            for v in drawn.visits
        ]
        keys = {v.id: v.key for v in drawn.visits}
        assigns = [
            {
                "plan_id": plan.id,
                "visit_id": a.visit,
                "inspector_id": a.inspector,
                "department": a.department,
                "key": keys[a.visit],
            }
            for a in drawn.assignments
        ]
        for table, rows in ((_VISITS, visits), (_ASSIGNMENTS, assigns)):
            for i in range(0, len(rows), 5000):
                conn.execute(sa.insert(table), rows[i : i + 5000])
        s.add(
            PlanningDraw(
                plan_id=plan.id,
                cycle=cycle,
                seed=seed,
                kind=kind,
                at=now,
                who=who,
                why=reason,
                population_sha256=population.sha256,
                plan_sha256=sha,
                outcome=f"{len(drawn.visits)} visits",
            )
        )
        final = drawn.evolve(
            plan_id=plan.id,
            drawn_at=now.isoformat(),
            drawn_by=who,
            reason=reason,
            kind=kind,
            plan_sha256=sha,
        )
        doc = final if document else final.as_json()
        outbox.append(
            s,
            "plan.drawn",
            f"plan/{plan.id}",
            {
                "plan": plan.id,
                "cycle": cycle,
                "kind": kind,
                "seed": seed,
                "visits": len(drawn.visits),
                "assignments": len(drawn.assignments),
                "plan_sha256": sha,
                "drawn_by": who,
                "reason": reason,
            },
            at=now,
        )
        if write is not None:
            write(doc)
    return doc
