"""Tables of inspection records (检查记录): one row per visit, one per element's evidence, one
per finding (what the closed loop consumes)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlmodel import Column, Field, SQLModel

from .types import JSON


class InspectionRecord(SQLModel, table=True):
    """One visit to one object: who, when, which items."""

    __tablename__ = "inspection_record"

    id: str = Field(primary_key=True, max_length=64)
    object_key: str = Field(index=True, max_length=64)
    visited_at: dt.datetime = Field(sa_column=Column(sa.DateTime(timezone=True), nullable=False))
    on: dt.date = Field(description="the day whose rules the record was judged by")
    inspectors: list[Any] = Field(sa_column=Column(JSON, nullable=False))
    items: list[Any] = Field(sa_column=Column(JSON, nullable=False))
    remarks: str = ""
    attachments: list[Any] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: dt.datetime = Field(sa_column=Column(sa.DateTime(timezone=True), nullable=False))


class InspectionEvidence(SQLModel, table=True):
    """The evidence recorded for one element on one visit, and its verdict."""

    __tablename__ = "inspection_evidence"

    record_id: str = Field(
        primary_key=True, foreign_key="inspection_record.id", ondelete="CASCADE", max_length=64
    )
    element: str = Field(primary_key=True, max_length=32)
    position: int = Field(description="order on the checklist")
    canonical: str = Field(index=True, max_length=64)
    items: list[Any] = Field(sa_column=Column(JSON, nullable=False))
    departments: list[Any] = Field(sa_column=Column(JSON, nullable=False))
    evidence: Any = Field(default=None, sa_column=Column(JSON, nullable=True))
    result: str = Field(max_length=16, description="pass | fail | not_applicable")
    reasons: list[Any] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    remark: str = ""
    attachments: list[Any] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class InspectionFinding(SQLModel, table=True):
    """A failed element on a visit (``onething.model.Finding``), for the closed loop."""

    __tablename__ = "inspection_finding"
    __table_args__ = (sa.Index("ix_finding_object_day", "object_key", "found_on"),)

    id: int | None = Field(default=None, primary_key=True)
    record_id: str = Field(
        foreign_key="inspection_record.id", ondelete="CASCADE", max_length=64, index=True
    )
    object_key: str = Field(max_length=64)
    element: str = Field(max_length=32)
    canonical: str = Field(max_length=64)
    severity: str = Field(max_length=16)
    items: list[Any] = Field(sa_column=Column(JSON, nullable=False))
    departments: list[Any] = Field(sa_column=Column(JSON, nullable=False))
    basis: list[Any] = Field(sa_column=Column(JSON, nullable=False))
    found_on: dt.date
    evidence: Any = Field(default=None, sa_column=Column(JSON, nullable=True))
    remark: str = ""
