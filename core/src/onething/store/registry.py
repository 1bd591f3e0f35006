"""Tables of the registry (监管对象名录库): objects, their domain memberships, the history of
changed rows, imports, and the stored object–item mapping."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlmodel import Column, Field, SQLModel

from .types import JSON


class RegistryObject(SQLModel, table=True):
    """One supervised object; ``key`` is its uscc or documented alternative key."""

    __tablename__ = "registry_object"

    key: str = Field(primary_key=True, max_length=64)
    key_kind: str = Field(max_length=8, description="uscc | alt")
    checksum_ok: bool = Field(
        default=True, description="False: stored flagged under --uscc-checksum tolerant"
    )
    name: str
    region_code: str = Field(index=True, max_length=6)
    address: str = ""
    credit_grade: str | None = Field(default=None, max_length=8)
    risk_grade: str | None = Field(default=None, max_length=8)
    domains: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    licences: list[Any] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    version: int = Field(default=1, description="optimistic version, +1 on every change")
    import_id: int | None = Field(default=None, foreign_key="registry_import.id")
    updated_at: dt.datetime


class ObjectMembership(SQLModel, table=True):
    """One (object, domain, object type) row: the set-based view of ``domains`` for counting
    and sampling without reading JSON."""

    __tablename__ = "registry_membership"
    __table_args__ = (sa.Index("ix_membership_domain_type", "domain", "object_type"),)

    key: str = Field(
        primary_key=True, foreign_key="registry_object.key", ondelete="CASCADE", max_length=64
    )
    domain: str = Field(primary_key=True, max_length=32)
    object_type: str = Field(primary_key=True, max_length=64)


class ObjectHistory(SQLModel, table=True):
    """The previous state of a row an import changed (append-only)."""

    __tablename__ = "registry_history"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(index=True, max_length=64)
    version: int = Field(description="the version the row had before the change")
    changed_at: dt.datetime
    import_id: int | None = Field(default=None, foreign_key="registry_import.id")
    data: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))


class RegistryImport(SQLModel, table=True):
    """One run of ``onething registry import`` and its counts."""

    __tablename__ = "registry_import"

    id: int | None = Field(default=None, primary_key=True)
    file: str
    format: str = Field(max_length=8)
    mode: str = Field(max_length=16, description="all_or_nothing | skip_invalid")
    started_at: dt.datetime
    finished_at: dt.datetime | None = None
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    flagged: int = 0


class ObjectItem(SQLModel, table=True):
    """The stored mapping object → applicable item (对象-事项对应)."""

    __tablename__ = "registry_object_item"
    __table_args__ = (sa.Index("ix_object_item_item", "item_code"),)

    key: str = Field(
        primary_key=True, foreign_key="registry_object.key", ondelete="CASCADE", max_length=64
    )
    item_code: str = Field(primary_key=True, max_length=32)
    domain: str = Field(index=True, max_length=32)
    computed_on: dt.date


class ItemState(SQLModel, table=True):
    """The version of each item the stored mapping was computed with: when the items in force
    differ (a new plugin version, a city change, a new day), the objects they concern are
    re-mapped (``onething registry map``)."""

    __tablename__ = "registry_item_state"

    item_code: str = Field(primary_key=True, max_length=32)
    domain: str = Field(index=True, max_length=32)
    fingerprint: str = Field(max_length=64)
    object_types: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    computed_on: dt.date
