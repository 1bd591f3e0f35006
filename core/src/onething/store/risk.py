"""Tables of risk warning and grading: facts with history, warnings, grade history."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlmodel import Column, Field, SQLModel

from .types import JSON


class FactRow(SQLModel, table=True):
    """One observed fact about one object (append-only: the history is the table)."""

    __tablename__ = "risk_fact"
    __table_args__ = (
        sa.Index("ix_fact_key_fact_time", "key", "fact", "observed_at"),
        sa.Index("ix_fact_fact_time", "fact", "observed_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=64)
    fact: str = Field(max_length=64)
    value: Any = Field(sa_column=Column(JSON, nullable=True))
    observed_at: dt.datetime
    source: str = Field(max_length=64)
    ingested_at: dt.datetime
    batch: str = Field(max_length=64, description="the file or call that brought it")


class WarningRow(SQLModel, table=True):
    """A risk warning: at most one open per object and rule (partial unique index)."""

    __tablename__ = "risk_warning"
    __table_args__ = (
        sa.Index(
            "ux_warning_open",
            "key",
            "rule_id",
            unique=True,
            sqlite_where=sa.text("closed_at IS NULL"),
            postgresql_where=sa.text("closed_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=64, index=True)
    rule_id: str = Field(max_length=96)
    domain: str = Field(max_length=32)
    severity: str = Field(max_length=16)
    offsite: bool = False
    opened_on: dt.date
    opened_at: dt.datetime
    observed: Any = Field(sa_column=Column(JSON, nullable=True))
    threshold: Any = Field(sa_column=Column(JSON, nullable=True))
    reason: str = ""
    case_id: str | None = Field(default=None, max_length=64)
    closed_at: dt.datetime | None = None
    closed_reason: str | None = None


class GradeRow(SQLModel, table=True):
    """A grade given to an object (append-only history; the latest row is current)."""

    __tablename__ = "risk_grade"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=64, index=True)
    graded_on: dt.date
    credit_grade: str = Field(max_length=8)
    credit_source: str = Field(max_length=16, description="imported | default")
    risk_grade: str = Field(max_length=8)
    stratum: str = Field(max_length=16)
    explanation: Any = Field(sa_column=Column(JSON, nullable=False))
