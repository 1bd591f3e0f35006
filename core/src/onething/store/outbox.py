"""Tables of events out (the transactional outbox): every case transition, new case, overdue
step, new plan and publication change, appended in the transaction that made it; where each
webhook's delivery has got to; and the service's long jobs (``onething serve``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlmodel import Column, Field, SQLModel

from .types import JSON


class OutboxEvent(SQLModel, table=True):
    """One event. ``id`` increases in commit order (appends are serialized), so a reader that
    has seen ``id`` N never misses a later event by reading ``id > N``; ``key`` is its
    idempotency key (the same on every delivery, unique: an overdue step is noted once however
    many service processes look)."""

    __tablename__ = "outbox_event"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=128, unique=True)
    type: str = Field(max_length=32, index=True)
    subject: str = Field(max_length=96)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    at: dt.datetime = Field(sa_type=sa.DateTime(timezone=True))


class OutboxCursor(SQLModel, table=True):
    """Where one webhook's delivery has got to: the last event delivered (or skipped, as not
    wanted), the failed attempts at the next one, when to try again, and the lease of the
    process delivering now (several service processes share one database)."""

    __tablename__ = "outbox_cursor"

    webhook: str = Field(primary_key=True, max_length=64)
    last_id: int = 0
    attempts: int = 0
    next_at: dt.datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    last_error: str | None = Field(default=None, sa_type=sa.Text)
    lease_owner: str | None = Field(default=None, max_length=64)
    lease_until: dt.datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    delivered: int = 0


class ServiceJob(SQLModel, table=True):
    """A long piece of work the service runs (registry import, risk evaluation, plan draw):
    its status and progress, and once done its result or its problem (any process of the
    service answers ``GET /jobs/{id}``)."""

    __tablename__ = "service_job"

    id: str = Field(primary_key=True, max_length=32)
    kind: str = Field(max_length=32)
    status: str = Field(max_length=16, description="queued | running | succeeded | failed")
    done: int = 0
    total: int | None = None
    subject: str | None = Field(default=None, max_length=128)
    created_at: dt.datetime = Field(sa_type=sa.DateTime(timezone=True))
    finished_at: dt.datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    result: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    problem: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    owner: str | None = Field(
        default=None, max_length=160, description="host:pid:process start of who runs it"
    )
    heartbeat_at: dt.datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
