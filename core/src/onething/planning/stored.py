"""What the store keeps of a draw (``GET /plans/{id}``): the plan row, its visits and the
inspectors assigned — the plan document itself is written out at the draw (``plan.json``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from ..errors import NotFound
from ..store import Store
from ..store.planning import PlanningAssignment, PlanningPlan, PlanningVisit


def _iso(value: dt.datetime) -> str:
    return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).isoformat()


def latest_plan(store: Store) -> int | None:
    """The id of the latest draw (of the latest cycle drawn), ``None`` before any."""
    with store.session() as s:
        return s.execute(sa.select(sa.func.max(PlanningPlan.id))).scalar_one()


def draw_document(store: Store, plan_id: int) -> dict[str, Any]:
    """The stored draw (``plan-draw.schema.json``). :raises NotFound: no such plan."""
    with store.session() as s:
        plan = s.get(PlanningPlan, plan_id)
        if plan is None:
            raise NotFound("plan", str(plan_id), "no such plan")
        latest = s.execute(
            sa.select(sa.func.max(PlanningPlan.id)).where(PlanningPlan.cycle == plan.cycle)
        ).scalar_one()
        visits = s.execute(
            sa.select(PlanningVisit.visit_id, PlanningVisit.key, PlanningVisit.items)
            .where(PlanningVisit.plan_id == plan_id)
            .order_by(PlanningVisit.visit_id)
        ).all()
        assigned: dict[str, list[dict[str, str]]] = {}
        for visit, inspector, dept in s.execute(
            sa.select(
                PlanningAssignment.visit_id,
                PlanningAssignment.inspector_id,
                PlanningAssignment.department,
            )
            .where(PlanningAssignment.plan_id == plan_id)
            .order_by(PlanningAssignment.visit_id, PlanningAssignment.inspector_id)
        ):
            assigned.setdefault(visit, []).append({"inspector": inspector, "department": dept})
        return {
            "plan_id": plan.id,
            "cycle": plan.cycle,
            "year": plan.year,
            "seed": plan.seed,
            "algorithm": plan.algorithm,
            "population_sha256": plan.population_sha256,
            "plan_sha256": plan.plan_sha256,
            "drawn_at": _iso(plan.created_at),
            "drawn_by": plan.created_by,
            "reason": plan.reason,
            "in_force": plan.id == latest,
            "visits": [
                {"id": v, "key": k, "items": list(items or []), "inspectors": assigned.get(v, [])}
                for v, k, items in visits
            ],
        }
