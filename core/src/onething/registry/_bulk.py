"""Bulk inserts at the driver's speed: ``executemany`` on SQLite, ``COPY`` on PostgreSQL.

Used for the big tables of an import (objects, profile members and items) inside the
caller's transaction; values pass through the columns' own SQLAlchemy bind processing on
SQLite, so rows read back exactly as ORM-written ones.

Why driver level here, where everything else is SQLAlchemy Core over the declared tables: an
import writes 10^5–10^6 rows, and Core's ``executemany`` builds a parameter dict per row and
processes every value per row (``benchmarks/registry_import.py``: the object insert is the
largest part of an import); ``COPY`` has no Core form at all. The statements still name the
declared tables and columns (``table.name``, ``table.c``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa


@contextmanager
def driver_cursor(conn: sa.Connection) -> Iterator[tuple[Any, str]]:
    """A cursor of the driver's own connection, inside ``conn``'s transaction, and its
    parameter mark (``?`` for sqlite3, ``%s`` for psycopg); closed afterwards."""
    raw = conn.connection.dbapi_connection
    assert raw is not None
    cur = raw.cursor()
    try:
        yield cur, "%s" if conn.dialect.name == "postgresql" else "?"
    finally:
        cur.close()


def bind_value(conn: sa.Connection, table: sa.Table, column: str, value: Any) -> Any:
    """``value`` as the driver receives it for ``column`` (for ``insert_tuples(processed=)``)."""
    if conn.dialect.name == "postgresql":
        return value  # COPY takes the Python value
    proc = _bind_processor(table, column, conn.dialect)
    return value if proc is None else proc(value)


def _bind_processor(table: sa.Table, column: str, dialect: sa.Dialect) -> Any:
    """The column type's bind processor on ``dialect`` (``None``: values pass as they are),
    through the public type API."""
    return table.c[column].type.dialect_impl(dialect).bind_processor(dialect)


def _is_json(table: sa.Table, column: str, dialect: sa.Dialect) -> bool:
    return "JSON" in type(table.c[column].type.dialect_impl(dialect)).__name__


def insert_tuples(
    conn: sa.Connection,
    table: sa.Table,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    json_text: Sequence[str] = (),
    processed: Sequence[str] = (),
) -> None:
    """Insert ``rows`` (one value per name in ``columns``, Python values as the ORM takes
    them). The JSON columns named in ``json_text`` already hold their serialised JSON text
    (serialised once by the caller, never twice); the columns in ``processed`` hold values
    already passed through :func:`bind_value` (a constant processed once, not per row)."""
    if not rows:
        return
    dialect = conn.dialect
    names = ", ".join(f'"{c}"' for c in columns)
    if dialect.name == "postgresql":
        dump = [
            i for i, c in enumerate(columns) if c not in json_text and _is_json(table, c, dialect)
        ]
        with (
            driver_cursor(conn) as (cur, _),
            cur.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy,
        ):
            write = copy.write_row
            if not dump:
                for row in rows:
                    write(row)
                return
            for row in rows:
                row = list(row)
                for i in dump:
                    row[i] = json.dumps(row[i], ensure_ascii=False)
                write(row)
        return
    procs = []
    for i, c in enumerate(columns):
        if c in json_text or c in processed:
            continue
        proc = _bind_processor(table, c, dialect)
        if proc is not None:
            procs.append((i, proc))
    if procs:
        values = [list(row) for row in rows]
        for i, proc in procs:
            memo: dict[Any, Any] = {}  # dates repeat (computed_on): process each once
            for row in values:
                v = row[i]
                try:
                    row[i] = memo[v]
                except KeyError:
                    row[i] = memo[v] = proc(v)
                except TypeError:  # unhashable (JSON)
                    row[i] = proc(v)
        rows = values
    with driver_cursor(conn) as (cur, mark):
        marks = ", ".join(mark for _ in columns)
        cur.executemany(f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})', rows)
