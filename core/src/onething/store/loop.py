"""Tables of the closed loop (全程闭环): cases with an optimistic version, the visits of each
case to each state (for deadlines and the retrospective), the hash-chained audit log and its
head, scheduled tasks from host-platform events, and the ids of ingested events."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlmodel import Column, Field, SQLModel

from .types import JSON


class LoopCase(SQLModel, table=True):
    """One case (闭环事项). ``version`` grows by one on every transition; an update names the
    version it read (``UPDATE … WHERE version = :v``), so a stale update changes nothing."""

    __tablename__ = "loop_case"
    __table_args__ = (sa.Index("ix_loop_case_state", "state", "domain"),)

    id: int | None = Field(default=None, primary_key=True)
    domain: str = Field(max_length=32, index=True)
    object_key: str = Field(max_length=64, index=True)
    region_code: str = Field(max_length=6, index=True)
    state: str = Field(max_length=64)
    owner: str = Field(max_length=32, description="department that owns the case now")
    source_kind: str = Field(
        max_length=16, description="warning | complaint | finding | event | penalty"
    )
    source_ref: str | None = None
    risk_rule: str | None = Field(default=None, max_length=96, index=True)
    severity: str | None = Field(default=None, max_length=16)
    facts: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    last_transition: str | None = Field(default=None, max_length=64)
    version: int = Field(default=1)
    opened_at: dt.datetime = Field(sa_type=sa.DateTime(timezone=True))
    entered_at: dt.datetime = Field(sa_type=sa.DateTime(timezone=True))
    due_at: dt.datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    due_provisional: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    """``due_at`` was counted Monday to Friday across a year the calendar did not know"""
    closed_at: dt.datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))


class LoopStep(SQLModel, table=True):
    """One stay of a case in one state: entered, due, left."""

    __tablename__ = "loop_step"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="loop_case.id", index=True)
    domain: str = Field(max_length=32)
    state: str = Field(max_length=64)
    stage: str = Field(max_length=32)
    owner: str = Field(max_length=32)
    via: str | None = Field(default=None, max_length=64, description="transition that entered it")
    entered_at: dt.datetime = Field(sa_type=sa.DateTime(timezone=True))
    due_at: dt.datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    left_at: dt.datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))


class LoopAudit(SQLModel, table=True):
    """One audit entry. ``body`` is the canonical JSON of the entry (sequence number included);
    ``hash`` = SHA-256 of ``prev_hash`` + ``body``: append-only, each entry chained to the one
    before."""

    __tablename__ = "loop_audit"

    seq: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    case_id: int | None = Field(default=None, index=True)
    action: str = Field(max_length=32)
    body: str = Field(sa_type=sa.Text)  # the migration made it TEXT: no length limit
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class LoopAuditHead(SQLModel, table=True):
    """The last entry of the audit chain (one row); locked to append, so the chain is linear."""

    __tablename__ = "loop_audit_head"

    id: int = Field(default=1, primary_key=True)
    seq: int = 0
    hash: str = Field(max_length=64)


class LoopTask(SQLModel, table=True):
    """A task the linkage rules schedule (post-licence inspection, expiry check); the planner
    picks open tasks up."""

    __tablename__ = "loop_task"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32)
    domain: str = Field(max_length=32)
    object_key: str = Field(max_length=64, index=True)
    region_code: str = Field(max_length=6)
    item: str | None = Field(default=None, max_length=32, description="item to inspect")
    due_on: dt.date
    status: str = Field(default="open", max_length=8, description="open | closed")
    reason: str | None = None
    event_id: str | None = Field(default=None, max_length=64)
    created_at: dt.datetime = Field(sa_type=sa.DateTime(timezone=True))
    closed_at: dt.datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))


class LoopEvent(SQLModel, table=True):
    """A host-platform event already applied (ingesting it again is a no-op)."""

    __tablename__ = "loop_event"

    id: str = Field(primary_key=True, max_length=64)
    type: str = Field(max_length=32)
    file: str
    line: int
    applied_at: dt.datetime = Field(sa_type=sa.DateTime(timezone=True))
