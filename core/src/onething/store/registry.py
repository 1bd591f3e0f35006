"""Tables of the registry (监管对象名录库): objects, the history of changed rows, imports, and
the applicability profiles that store objects' memberships and object–item mapping."""

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
    profile_id: int | None = Field(
        default=None,
        foreign_key="registry_profile.id",
        index=True,
        description="its applicability profile: memberships and applicable items",
    )
    object_kind: str = Field(
        default="business", max_length=32, index=True, description="business, project, vehicle …"
    )
    display_key: str | None = Field(
        default=None, max_length=64, description="a person's masked ID (key: its keyed hash)"
    )


class RegistryRelation(SQLModel, table=True):
    """A typed, dated relation between two objects (``platform —operates→ vehicle``)."""

    __tablename__ = "registry_relation"
    __table_args__ = (
        sa.UniqueConstraint(
            "type", "source_key", "target_key", "valid_from", name="uq_registry_relation"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    type: str = Field(max_length=32)
    source_key: str = Field(max_length=64, index=True)
    target_key: str = Field(max_length=64, index=True)
    valid_from: dt.date
    valid_to: dt.date | None = Field(default=None, description="last day (inclusive)")
    version: int = 1
    import_id: int | None = Field(default=None, foreign_key="registry_import.id")
    updated_at: dt.datetime


class RelationHistory(SQLModel, table=True):
    """The previous state of a relation an import changed (append-only)."""

    __tablename__ = "registry_relation_history"

    id: int | None = Field(default=None, primary_key=True)
    relation_id: int = Field(index=True)
    version: int
    changed_at: dt.datetime
    import_id: int | None = Field(default=None, foreign_key="registry_import.id")
    data: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))


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
    mode: str = Field(
        max_length=32,
        description="all_or_nothing | skip_invalid, prefixed relations: for a relations import",
    )
    started_at: dt.datetime
    finished_at: dt.datetime | None = None
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    flagged: int = 0


class RegistryProfile(SQLModel, table=True):
    """An applicability profile (适用画像): the domains and object types an object belongs to
    and the items that apply to it. Objects supervised alike share one profile, so the
    mapping is stored once per profile — a province has millions of objects but a few
    thousand profiles. A profile never changes; an object moves to another one."""

    __tablename__ = "registry_profile"

    id: int | None = Field(default=None, primary_key=True)
    signature: str = Field(
        max_length=64, unique=True, description="SHA-256 of the canonical members and items"
    )
    created_on: dt.date


class ProfileMember(SQLModel, table=True):
    """One (domain, object type) of a profile: the set-based view of objects' ``domains``."""

    __tablename__ = "registry_profile_member"
    __table_args__ = (sa.Index("ix_profile_member_domain_type", "domain", "object_type"),)

    profile_id: int = Field(primary_key=True, foreign_key="registry_profile.id", ondelete="CASCADE")
    domain: str = Field(primary_key=True, max_length=32)
    object_type: str = Field(primary_key=True, max_length=64)


class ProfileItem(SQLModel, table=True):
    """One applicable item of a profile (对象-事项对应, stored per profile)."""

    __tablename__ = "registry_profile_item"
    __table_args__ = (sa.Index("ix_profile_item_item", "item_code"),)

    profile_id: int = Field(primary_key=True, foreign_key="registry_profile.id", ondelete="CASCADE")
    item_code: str = Field(primary_key=True, max_length=32)
    domain: str = Field(max_length=32)


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
