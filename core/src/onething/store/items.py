"""Tables of the item-list engine (onething.items): the history of the four related official
lists (许可 / 权责 / 双随机 / 重点监管), one row per entry version, and imported item lists."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlmodel import Column, Field, SQLModel

from .types import JSON


class RelatedImport(SQLModel, table=True):
    """One import of a related list: a full snapshot of that list as of a day."""

    __tablename__ = "items_related_import"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16, index=True, description="licensing | power | random | key")
    file: str
    format: str = Field(max_length=8)
    as_of: dt.date = Field(description="the day the imported list is the list in force")
    imported_at: dt.datetime
    rows: int = 0
    added: int = 0
    removed: int = 0
    changed: int = 0
    unchanged: int = 0


class RelatedEntryRow(SQLModel, table=True):
    """One version of one entry of a related list. A change closes the open version
    (``valid_to``) and opens the next; nothing is overwritten."""

    __tablename__ = "items_related_entry"
    __table_args__ = (
        sa.UniqueConstraint("kind", "code", "version", name="uq_related_entry_version"),
        sa.Index("ix_related_entry_open", "kind", "valid_to"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)
    code: str = Field(max_length=64)
    version: int
    name: str
    department: str | None = Field(default=None, max_length=32)
    domain: str | None = Field(default=None, max_length=32)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    digest: str = Field(max_length=64, description="sha256 of name, department, domain, data")
    valid_from: dt.date
    valid_to: dt.date | None = None
    import_id: int = Field(foreign_key="items_related_import.id")
    ended_import_id: int | None = Field(default=None, foreign_key="items_related_import.id")


class ItemListImport(SQLModel, table=True):
    """One import of an item list (the export format of ``onething items export``)."""

    __tablename__ = "items_list_import"

    id: int | None = Field(default=None, primary_key=True)
    file: str
    format: str = Field(max_length=8)
    imported_at: dt.datetime
    rows: int = 0


class ItemListRow(SQLModel, table=True):
    """One row of an imported item list, as the documented JSON of ``item-list.schema.json``."""

    __tablename__ = "items_list_row"
    __table_args__ = (sa.Index("ix_items_list_row_sheet", "import_id", "sheet", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    import_id: int = Field(foreign_key="items_list_import.id", ondelete="CASCADE")
    sheet: str = Field(max_length=64, description="a domain code, or 'unified'")
    seq: int
    code: str = Field(max_length=32)
    data: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
