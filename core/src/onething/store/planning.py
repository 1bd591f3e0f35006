"""Tables of the planner (双随机 + 一次检查): inspector pools, plans, their visits and
assignments (for the yearly cap and recusal in later cycles), and the append-only audit log of
every draw and redraw."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlmodel import Column, Field, SQLModel

from .types import JSON


class PlanningInspector(SQLModel, table=True):
    """One inspector of a department's pool (执法人员库)."""

    __tablename__ = "planning_inspector"

    id: str = Field(primary_key=True, max_length=64)
    name: str
    department: str = Field(index=True, max_length=32)
    region_code: str = Field(max_length=6)
    law_enforcement: bool = True
    qualifications: list[Any] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    conflicts: list[Any] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    max_visits: int | None = None
    source: str = ""
    updated_at: dt.datetime


class PlanningPlan(SQLModel, table=True):
    """One drawn plan of a cycle; a redraw is a new row, the latest row of a cycle is in force."""

    __tablename__ = "planning_plan"

    id: int | None = Field(default=None, primary_key=True)
    cycle: str = Field(index=True, max_length=16)
    year: int
    seed: str
    algorithm: str = Field(max_length=32)
    population_sha256: str = Field(max_length=64)
    plan_sha256: str = Field(max_length=64)
    created_at: dt.datetime
    created_by: str
    reason: str = ""
    inputs: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    """the non-random task rows and options the plan was drawn with, for ``plan verify``"""


class PlanningVisit(SQLModel, table=True):
    __tablename__ = "planning_visit"
    __table_args__ = (sa.Index("ix_planning_visit_key", "key"),)

    plan_id: int = Field(primary_key=True, foreign_key="planning_plan.id", ondelete="CASCADE")
    visit_id: str = Field(primary_key=True, max_length=160)
    key: str = Field(max_length=64)
    items: list[Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    """the visit's item codes (``None``: a draw stored before they were kept)"""


class PlanningAssignment(SQLModel, table=True):
    __tablename__ = "planning_assignment"
    __table_args__ = (sa.Index("ix_planning_assignment_key", "key"),)

    plan_id: int = Field(primary_key=True, foreign_key="planning_plan.id", ondelete="CASCADE")
    visit_id: str = Field(primary_key=True, max_length=160)
    inspector_id: str = Field(primary_key=True, max_length=64)
    department: str = Field(max_length=32)
    key: str = Field(max_length=64)


class PlanningDraw(SQLModel, table=True):
    """The audit log: every draw and redraw, who and why (append-only)."""

    __tablename__ = "planning_draw"

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int | None = Field(default=None, foreign_key="planning_plan.id")
    cycle: str = Field(max_length=16)
    seed: str
    kind: str = Field(max_length=16, description="draw | redraw | verify")
    at: dt.datetime
    who: str
    why: str = ""
    population_sha256: str = Field(max_length=64)
    plan_sha256: str = Field(default="", max_length=64)
    outcome: str = ""
