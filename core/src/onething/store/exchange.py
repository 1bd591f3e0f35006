"""Tables of the exchange (数据交换): what was last exported of each record to each target
(so that an unchanged record is exported again as it was and a changed one as an update), and
the results taken back from the 双随机 platform with what onething cannot derive itself (the
platform's result, plan and task numbers)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlmodel import Column, Field, SQLModel

from .types import JSON


class ExchangeExport(SQLModel, table=True):
    """The last exported state of one record of one kind to one target."""

    __tablename__ = "exchange_export"

    target: str = Field(primary_key=True, max_length=32)
    kind: str = Field(primary_key=True, max_length=32)
    record_id: str = Field(primary_key=True, max_length=36, description="the envelope's id")
    key: str = Field(max_length=200, description="onething's key of the record")
    digest: str = Field(max_length=64, description="SHA-256 of the record without envelope")
    envelope: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    """the envelope it was last exported with (operation, batch, time …)"""
    updated_at: dt.datetime = Field(sa_type=sa.DateTime(timezone=True))


class ExchangeResult(SQLModel, table=True):
    """An inspection record taken from a target (``exchange import``): the row as imported."""

    __tablename__ = "exchange_result"

    record_id: str = Field(
        primary_key=True, foreign_key="inspection_record.id", ondelete="CASCADE", max_length=64
    )
    target: str = Field(max_length=32)
    outcome: str = Field(max_length=32, description="onething's code of the platform's result")
    row: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    """the imported row, without its envelope (what export gives back)"""
    digest: str = Field(max_length=64)
    file: str
    line: int
    imported_at: dt.datetime = Field(sa_type=sa.DateTime(timezone=True))
