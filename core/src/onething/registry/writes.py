"""The registry's writes of an import, inside its one transaction: the import's own row, each
batch's objects upserted by key (new keys inserted at the driver's speed, changed ones updated
with a history row), and SQLite's page cache enlarged while it runs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import orjson
import sqlalchemy as sa

from ..store.registry import ObjectHistory, RegistryImport, RegistryObject
from ._bulk import bind_value, driver_cursor, insert_tuples
from ._rows import DATA_COLUMNS, data_of
from .parsing import dumps

if TYPE_CHECKING:
    from .importer import ImportReport
    from .mapping import Mapper

_OBJECTS = RegistryObject.__table__
_HISTORY = ObjectHistory.__table__
_IMPORTS = RegistryImport.__table__
_O_COLUMNS = (  # a prepared row (key, DATA_COLUMNS) and then these
    "key",
    *DATA_COLUMNS,
    "version",
    "import_id",
    "updated_at",
    "profile_id",
)

#: The SQLite page cache an import's connection uses, in KiB (SQLite's default is 2 MiB: a
#: registry's key index outgrows it after some 10^5 objects, and every insert then misses).
SQLITE_CACHE_KIB = 64 * 1024


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def start_import(conn: sa.Connection, *, source: str, fmt: str, mode: str) -> int:
    """The new import's row (``registry_import``): its id."""
    return conn.execute(
        sa.insert(_IMPORTS)
        .values(file=source, format=fmt, mode=mode, started_at=_now())
        .returning(_IMPORTS.c.id)
    ).scalar_one()


def finish_import(conn: sa.Connection, import_id: int, counts: Mapping[str, int]) -> None:
    """The import's row finished, with its ``counts`` (rows, inserted, updated, unchanged,
    rejected, flagged)."""
    conn.execute(
        sa.update(_IMPORTS).where(_IMPORTS.c.id == import_id).values(finished_at=_now(), **counts)
    )


@contextmanager
def sqlite_cache(conn: sa.Connection) -> Iterator[sa.Connection]:
    """``conn``; on SQLite with a larger page cache for the import, then its own again (the
    connection is pooled)."""
    if conn.dialect.name != "sqlite":
        yield conn
        return
    before = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    conn.exec_driver_sql(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
    try:
        yield conn
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size = {int(before)}")


def _parsed(row: tuple | Mapping[str, Any]) -> dict[str, Any]:
    """The describing part of a prepared row (tuple) or a stored one (mapping), with its JSON
    columns as values."""
    if isinstance(row, tuple):
        data = dict(zip(DATA_COLUMNS, row[1:], strict=True))
        data["domains"] = orjson.loads(data["domains"])
        data["licences"] = orjson.loads(data["licences"])
        return data
    return data_of(row)


_STORED_SQL = {
    # The batch's keys as one JSON text parameter: an IN list of thousands costs more to build
    # and plan, and a driver's array adapter formats every element in Python.
    "sqlite": "SELECT {cols} FROM registry_object WHERE key IN (SELECT value FROM json_each(?))",
    "postgresql": "SELECT {cols} FROM registry_object "
    "WHERE key = ANY(ARRAY(SELECT jsonb_array_elements_text(%s::jsonb)))",
}


def stored_rows(conn: sa.Connection, keys: list[str]) -> dict[str, dict[str, Any]]:
    """The stored rows (``key``, ``version`` and :data:`DATA_COLUMNS`) of those of ``keys``
    the registry holds, JSON columns as values."""
    names = ("key", "version", *DATA_COLUMNS)
    sql = _STORED_SQL[conn.dialect.name].format(cols=", ".join(f'"{c}"' for c in names))
    with driver_cursor(conn) as (cur, _):
        cur.execute(sql, (dumps(keys),))
        found = cur.fetchall()
    out = {}
    for values in found:
        row = dict(zip(names, values, strict=True))
        for c in ("domains", "licences"):
            if isinstance(row[c], str | bytes):  # SQLite hands JSON back as text
                row[c] = orjson.loads(row[c])
        row["checksum_ok"] = bool(row["checksum_ok"])
        out[row["key"]] = row
    return out


def write_batch(
    conn: sa.Connection,
    good: list[tuple],
    import_id: int,
    mapper: Mapper,
    report: ImportReport,
) -> None:
    """Upsert one batch of prepared rows: insert new keys, update changed ones with a history
    row (version+1), count unchanged ones; every written row gets its applicability profile."""
    if not good:
        return
    stored = stored_rows(conn, list(dict.fromkeys(res[1][0] for res in good)))
    now = _now()
    # key → (row, version, profile key): the state after each row, for keys repeated in a batch
    state: dict[str, tuple[Any, int, Any]] = {}
    history: list[dict[str, Any]] = []
    for _line, row, _data, pkey in good:
        key = row[0]
        before = state.get(key)
        old = before[0] if before is not None else stored.get(key)
        if old is None:
            state[key] = (row, 1, pkey)
            report.inserted += 1
            continue
        version = before[1] if before is not None else old["version"]
        was, data = _parsed(old), _parsed(row)
        if was == data:
            report.unchanged += 1
            continue
        history.append(
            {"key": key, "version": version, "changed_at": now, "import_id": import_id, "data": was}
        )
        state[key] = (row, version + 1, pkey)
        report.updated += 1  # a key inserted earlier in this batch: still one insert
    if not state:
        return
    profiles = mapper.resolve([pkey for _, _, pkey in state.values()])
    report.mapped += sum(n for _, counts in profiles for n in counts.values())
    written = list(zip(state.values(), profiles, strict=True))
    now_value = bind_value(conn, _OBJECTS, "updated_at", now)
    insert_tuples(
        conn,
        _OBJECTS,
        _O_COLUMNS,
        [
            (*row, version, import_id, now_value, pid)
            for (row, version, _), (pid, _) in written
            if row[0] not in stored
        ],
        json_text=("domains", "licences"),
        processed=("updated_at",),
    )
    updates = [
        {
            **{f"b_{c}": v for c, v in _parsed(row).items()},
            "b_version": version,
            "b_profile_id": pid,
            "b_key": row[0],
        }
        for (row, version, _), (pid, _) in written
        if row[0] in stored
    ]
    if updates:
        conn.execute(
            sa.update(_OBJECTS)
            .where(_OBJECTS.c.key == sa.bindparam("b_key"))
            .values(
                {
                    **{c: sa.bindparam(f"b_{c}") for c in (*DATA_COLUMNS, "version", "profile_id")},
                    "import_id": import_id,
                    "updated_at": now,
                }
            ),
            updates,
        )
    if history:
        conn.execute(sa.insert(_HISTORY), history)
