"""Bulk inserts at the driver's speed: ``executemany`` on SQLite, ``COPY`` on PostgreSQL.

Used for the big tables of an import (objects, memberships, object–item pairs) inside the
caller's transaction; values pass through the columns' own SQLAlchemy bind processing on
SQLite, so rows read back exactly as ORM-written ones.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa


def insert_rows(conn: sa.Connection, table: sa.Table, rows: Sequence[dict[str, Any]]) -> None:
    if not rows:
        return
    columns = list(rows[0])
    dialect = conn.dialect
    raw = conn.connection.dbapi_connection
    assert raw is not None
    if dialect.name == "postgresql":
        json_cols = {
            c for c in columns if "JSON" in type(table.c[c].type.dialect_impl(dialect)).__name__
        }
        names = ", ".join(f'"{c}"' for c in columns)
        with raw.cursor() as cur, cur.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(
                    [
                        json.dumps(row[c], ensure_ascii=False) if c in json_cols else row[c]
                        for c in columns
                    ]
                )
        return
    values = [[row[c] for row in rows] for c in columns]
    for i, c in enumerate(columns):
        proc = table.c[c].type._cached_bind_processor(dialect)
        if proc is None:
            continue
        memo: dict[Any, Any] = {}  # dates repeat (computed_on): process each once
        out = []
        for v in values[i]:
            try:
                out.append(memo[v])
            except KeyError:
                memo[v] = p = proc(v)
                out.append(p)
            except TypeError:  # unhashable (JSON)
                out.append(proc(v))
        values[i] = out
    marks = ", ".join("?" for _ in columns)
    names = ", ".join(f'"{c}"' for c in columns)
    cur = raw.cursor()
    try:
        cur.executemany(
            f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})', list(zip(*values))
        )
    finally:
        cur.close()
