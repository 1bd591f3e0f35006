"""Tables of publication (结果全公开): every version of every published record, with its state.

A record's ``key`` names what is published (``penalty:case:12``); each change of its published
content is a new ``version`` that supersedes the last, so the history of corrections is kept;
a record that comes down (credit repair, end of its period, its source gone) keeps its row with
the day and the reason."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlmodel import Column, Field, SQLModel

from .types import JSON


class PublicationEntry(SQLModel, table=True):
    __tablename__ = "publication_entry"
    __table_args__ = (
        sa.UniqueConstraint("key", "version", name="uq_publication_key_version"),
        sa.Index("ix_publication_status", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=160, index=True)
    version: int
    rule: str = Field(max_length=64)
    domain: str = Field(max_length=32)
    record: str = Field(max_length=24, description="inspection_result | penalty | sanction | …")
    object_key: str = Field(max_length=64, index=True)
    status: str = Field(max_length=16, description="up | superseded | withdrawn | expired")
    content: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    """the published (redacted) document, as the feeds show it"""
    content_sha256: str = Field(max_length=64)
    redactions: list[Any] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    decided_on: dt.date
    due_on: dt.date = Field(description="last day to publish (the rule's deadline)")
    published_on: dt.date
    display_to: dt.date | None = Field(default=None, description="first day no longer shown")
    ended_on: dt.date | None = None
    end_reason: str | None = Field(
        default=None, max_length=24, description="superseded | credit_repair | period_end | gone"
    )
    created_at: dt.datetime = Field(sa_type=sa.DateTime(timezone=True))
