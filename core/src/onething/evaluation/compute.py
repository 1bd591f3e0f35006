"""The evaluation's numbers, each one query over the stored registry, plans, inspection
records, cases and their steps (grouped and counted in the database); only the durations of
loop steps are streamed, for their median and 90th percentile."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict

import sqlalchemy as sa

from ..loop.clock import aware
from ..loop.report import confirming_states
from ..loop.spec import Loop
from ..model import LOOP_STAGES
from ..rulebook import Rulebook
from ..store import Store
from ..store.loop import LoopCase, LoopStep
from ..store.planning import PlanningAssignment, PlanningPlan, PlanningVisit
from ..store.records import InspectionEvidence, InspectionFinding, InspectionRecord
from ..store.registry import ProfileItem, RegistryObject
from ._sql import day_start, json_elements, today, window
from .model import Evaluation, Figure, StageTime

_OBJECTS = RegistryObject.__table__
_PROFILE_ITEMS = ProfileItem.__table__
_RECORDS = InspectionRecord.__table__
_EVIDENCE = InspectionEvidence.__table__
_FINDINGS = InspectionFinding.__table__
_CASES = LoopCase.__table__
_STEPS = LoopStep.__table__
_PLANS = PlanningPlan.__table__
_VISITS = PlanningVisit.__table__
_ASSIGNMENTS = PlanningAssignment.__table__


def _ratio(n: float | None, d: float | None, digits: int = 4) -> float | None:
    return round(n / d, digits) if n is not None and d else None


def _share(code, criterion, zh, en, n, d, **kw) -> Figure:
    return Figure(code, criterion, zh, en, "share", _ratio(n, d), n, d, **kw)


def _count(code, criterion, zh, en, n) -> Figure:
    return Figure(code, criterion, zh, en, "count", n)


def evaluate(
    store: Store,
    rulebook: Rulebook,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    at: dt.datetime | None = None,
) -> Evaluation:
    """Evaluate the pilot over the local days ``start`` … ``end`` (inclusive; default: from the
    first stored day to today). Records count by their visit day, cases by the day they were
    opened, plans by the day they were drawn, loop steps by the day they ended; the registry
    and the item list are counted as they stand on ``end``.

    :param at: the moment "overdue" is judged at (default: now, or the end of ``end`` if that
        is earlier).
    """
    end = end or today()
    at = at or min(dt.datetime.now(dt.UTC), day_start(end + dt.timedelta(days=1)))
    loop = Loop(rulebook)
    figures: list[Figure] = []
    with store.engine.connect() as conn:
        figures += _coverage(conn, rulebook, end)
        figures += _warnings(conn, loop, start, end)
        figures += _visits(conn, store, start, end)
        figures += _plans(conn, start, end)
        figures += _closure(conn, start, end, at)
        figures += _publication(conn, start, end, at)
        stages = _stage_times(conn, start, end)
    deployment = rulebook.deployment
    return Evaluation(
        deployment=getattr(deployment, "name", "") or "",
        region=getattr(deployment, "region", "") or "",
        start=start,
        end=end,
        computed_at=at,
        figures=figures,
        stage_times=stages,
    )


# -- risk focus -------------------------------------------------------------------------------


def _coverage(conn: sa.Connection, rulebook: Rulebook, end: dt.date) -> list[Figure]:
    objects = conn.execute(sa.select(sa.func.count()).select_from(_OBJECTS)).scalar_one()
    has_item = sa.exists().where(_PROFILE_ITEMS.c.profile_id == _OBJECTS.c.profile_id)
    mapped = conn.execute(
        sa.select(sa.func.count()).select_from(_OBJECTS).where(has_item)
    ).scalar_one()
    items = rulebook.items(end)
    complete = sum(1 for i in items if i.departments and i.basis)
    return [
        _share(
            "coverage.objects_with_items",
            "risk_focus",
            "名录库中至少对应一个监管事项的对象占比",
            "objects in the registry with at least one supervision item",
            mapped,
            objects,
        ),
        _share(
            "coverage.items_with_department_and_basis",
            "risk_focus",
            "现行监管事项中明确监管主体和监管依据的占比",
            "items in force with a department and a legal basis",
            complete,
            len(items),
        ),
    ]


def _warnings(conn, loop: Loop, start, end) -> list[Figure]:
    confirmed = sa.exists().where(
        _STEPS.c.case_id == _CASES.c.id, _STEPS.c.state.in_(confirming_states(loop))
    )
    row = conn.execute(
        sa.select(
            sa.func.count(),
            sa.func.coalesce(sa.func.sum(sa.case((confirmed, 1), else_=0)), 0),
            sa.func.coalesce(sa.func.sum(sa.case((_CASES.c.state == "dismissed", 1), else_=0)), 0),
        ).where(_CASES.c.source_kind == "warning", window(_CASES.c.opened_at, start, end))
    ).one()
    n, conf, dism = row
    return [
        _count("warnings.cases", "risk_focus", "风险预警形成的闭环事项", "cases from warnings", n),
        _share(
            "warnings.proved_right",
            "risk_focus",
            "经研判核实的预警占已研判预警的比例",
            "warnings that proved right (confirmed / decided)",
            conf,
            conf + dism,
        ),
    ]


# -- coordination and evidence ----------------------------------------------------------------


def _visits(conn, store: Store, start, end) -> list[Figure]:
    in_window = window(_RECORDS.c.visited_at, start, end)
    records, objects = conn.execute(
        sa.select(sa.func.count(), sa.func.count(sa.distinct(_RECORDS.c.object_key))).where(
            in_window
        )
    ).one()
    dep = json_elements(store, _EVIDENCE.c.departments, "dep")
    # (record, department): the visits each department would have made alone.
    per_dept = (
        sa.select(_EVIDENCE.c.record_id, dep.c.value.label("department"))
        .select_from(_EVIDENCE, dep)
        .join(_RECORDS, _RECORDS.c.id == _EVIDENCE.c.record_id)
        .where(in_window)
        .distinct()
        .subquery()
    )
    dept_visits = conn.execute(sa.select(sa.func.count()).select_from(per_dept)).scalar_one()
    joint = conn.execute(
        sa.select(sa.func.count()).select_from(
            sa.select(per_dept.c.record_id)
            .group_by(per_dept.c.record_id)
            .having(sa.func.count() > 1)
            .subquery()
        )
    ).scalar_one()
    # A check point (canonical line) of a visit is held once; alone, each department that
    # needs it would hold it again.
    lines_by_dept = (
        sa.select(_EVIDENCE.c.record_id, _EVIDENCE.c.canonical, dep.c.value)
        .select_from(_EVIDENCE, dep)
        .join(_RECORDS, _RECORDS.c.id == _EVIDENCE.c.record_id)
        .where(in_window)
        .distinct()
        .subquery()
    )
    solo = conn.execute(sa.select(sa.func.count()).select_from(lines_by_dept)).scalar_one()
    lines = conn.execute(
        sa.select(sa.func.count()).select_from(
            sa.select(_EVIDENCE.c.record_id, _EVIDENCE.c.canonical)
            .join(_RECORDS, _RECORDS.c.id == _EVIDENCE.c.record_id)
            .where(in_window)
            .distinct()
            .subquery()
        )
    ).scalar_one()
    with_findings = conn.execute(
        sa.select(sa.func.count(sa.distinct(_FINDINGS.c.record_id)))
        .join(_RECORDS, _RECORDS.c.id == _FINDINGS.c.record_id)
        .where(in_window)
    ).scalar_one()
    return [
        _count(
            "visits.records",
            "coordination",
            "上门检查次数（检查记录）",
            "visits (records)",
            records,
        ),
        Figure(
            "visits.per_business",
            "coordination",
            "被检查企业户均上门次数",
            "visits per business inspected",
            "per_business",
            _ratio(records, objects, 3),
            records,
            objects,
            baseline=_ratio(dept_visits, objects, 3),
            baseline_zh="各部门分别上门时的户均次数",
            baseline_en="each department visiting on its own",
        ),
        _count(
            "visits.saved",
            "coordination",
            "联合检查减少的上门次数",
            "visits saved by joint inspection",
            dept_visits - records,
        ),
        _share(
            "visits.joint_share",
            "coordination",
            "多部门联合检查占上门检查的比例",
            "share of visits that were joint (two or more departments)",
            joint,
            records,
        ),
        Figure(
            "checkpoints.saved",
            "coordination",
            "去重合并减少的检查要素数",
            "check points saved by deduplication",
            "count",
            solo - lines,
            solo - lines,
            solo,
            baseline=solo,
            baseline_zh="各部门分别检查时的要素数",
            baseline_en="check points if each department checked alone",
        ),
        _share(
            "findings.visit_rate",
            "evidence",
            "发现问题的检查占比",
            "visits that found at least one violation",
            with_findings,
            records,
        ),
    ]


def _plans(conn, start, end) -> list[Figure]:
    in_window = window(_PLANS.c.created_at, start, end)
    latest = (  # the plan in force of each cycle: its latest draw
        sa.select(sa.func.max(_PLANS.c.id))
        .where(in_window)
        .group_by(_PLANS.c.cycle)
        .scalar_subquery()
    )
    visits = conn.execute(
        sa.select(sa.func.count()).select_from(_VISITS).where(_VISITS.c.plan_id.in_(latest))
    ).scalar_one()
    per_visit = (
        sa.select(
            _ASSIGNMENTS.c.visit_id,
            sa.func.count(sa.distinct(_ASSIGNMENTS.c.department)).label("n"),
        )
        .where(_ASSIGNMENTS.c.plan_id.in_(latest))
        .group_by(_ASSIGNMENTS.c.plan_id, _ASSIGNMENTS.c.visit_id)
        .subquery()
    )
    staffed, joint = conn.execute(
        sa.select(
            sa.func.count(),
            sa.func.coalesce(sa.func.sum(sa.case((per_visit.c.n > 1, 1), else_=0)), 0),
        )
    ).one()
    return [
        _count("plan.visits", "coordination", "计划上门检查次数", "planned visits", visits),
        _share(
            "plan.staffed",
            "coordination",
            "配齐执法人员的计划检查占比",
            "planned visits with their inspectors drawn",
            staffed,
            visits,
        ),
        _share(
            "plan.joint_share",
            "coordination",
            "计划检查中多部门联合检查的比例",
            "share of staffed planned visits that are joint",
            joint,
            staffed,
        ),
    ]


# -- the closed loop and transparency ---------------------------------------------------------


def _closure(conn, start, end, at: dt.datetime) -> list[Figure]:
    opened, closed = conn.execute(
        sa.select(
            sa.func.count(),
            sa.func.coalesce(
                sa.func.sum(sa.case((_CASES.c.closed_at.is_not(None), 1), else_=0)), 0
            ),
        ).where(window(_CASES.c.opened_at, start, end))
    ).one()
    late_left = sa.and_(_STEPS.c.left_at.is_not(None), _STEPS.c.left_at > _STEPS.c.due_at)
    late_open = sa.and_(_STEPS.c.left_at.is_(None), _STEPS.c.due_at < at)
    overdue, timed = conn.execute(
        sa.select(
            sa.func.coalesce(sa.func.sum(sa.case((sa.or_(late_left, late_open), 1), else_=0)), 0),
            sa.func.count(),
        ).where(_STEPS.c.due_at.is_not(None), window(_STEPS.c.entered_at, start, end))
    ).one()
    referred = conn.execute(
        sa.select(sa.func.count(sa.distinct(_STEPS.c.case_id))).where(
            _STEPS.c.state == "referral", window(_STEPS.c.entered_at, start, end)
        )
    ).scalar_one()
    sanctioned = conn.execute(
        sa.select(sa.func.count(sa.distinct(_STEPS.c.case_id))).where(
            _STEPS.c.state == "joint_sanction", window(_STEPS.c.entered_at, start, end)
        )
    ).scalar_one()
    return [
        _count("loop.cases", "closure", "新开闭环事项", "cases opened", opened),
        _share(
            "loop.closure_rate",
            "closure",
            "已办结的闭环事项占比",
            "cases closed (of those opened)",
            closed,
            opened,
        ),
        _share(
            "loop.overdue_steps",
            "closure",
            "超过时限的环节占有时限环节的比例",
            "loop steps past their time limit (of steps with one)",
            overdue,
            timed,
        ),
        _count("loop.referred", "closure", "移送的事项", "cases referred", referred),
        _count(
            "loop.joint_sanctions",
            "closure",
            "启动失信联合惩戒的事项",
            "joint sanctions",
            sanctioned,
        ),
    ]


def _publication(conn, start, end, at: dt.datetime) -> list[Figure]:
    # A penalty decision is published on entering ``published``; its time limit bounds the
    # stay there: published on time = left (or still there) within it.
    on_time = sa.or_(
        _STEPS.c.due_at.is_(None),
        sa.and_(_STEPS.c.left_at.is_not(None), _STEPS.c.left_at <= _STEPS.c.due_at),
        sa.and_(_STEPS.c.left_at.is_(None), _STEPS.c.due_at >= at),
    )
    n, ok = conn.execute(
        sa.select(
            sa.func.count(), sa.func.coalesce(sa.func.sum(sa.case((on_time, 1), else_=0)), 0)
        ).where(_STEPS.c.state == "published", window(_STEPS.c.entered_at, start, end))
    ).one()
    return [
        _share(
            "publication.timeliness",
            "transparency",
            "处罚信息按时公示的比例",
            "penalty decisions published within their time limit",
            ok,
            n,
        )
    ]


def _stage_times(conn, start, end) -> list[StageTime]:
    durations: dict[str, list[float]] = defaultdict(list)
    q = sa.select(_STEPS.c.stage, _STEPS.c.entered_at, _STEPS.c.left_at).where(
        _STEPS.c.left_at.is_not(None), window(_STEPS.c.left_at, start, end)
    )
    for stage, entered, left in conn.execution_options(yield_per=5000).execute(q):
        durations[stage].append((aware(left) - aware(entered)).total_seconds() / 86400)
    order = {s: i for i, s in enumerate(LOOP_STAGES)}
    out = []
    for stage in sorted(durations, key=lambda s: order.get(s, 99)):
        v = sorted(durations[stage])
        p90 = v[0] if len(v) == 1 else statistics.quantiles(v, n=10, method="inclusive")[-1]
        out.append(StageTime(stage, len(v), round(statistics.median(v), 2), round(p90, 2)))
    return out
