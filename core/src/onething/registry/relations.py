"""Relations between registry objects (关系): typed by the plugins' ``relation_types``, dated
(``valid_from``, and ``valid_to`` the last day, inclusive), imported from CSV, XLSX or JSON
Lines beside the objects with the same rules: every bad row is ``file:row: field: reason``;
all or nothing by default, the good rows and a rejects file with ``skip_invalid``; one
transaction; a changed relation keeps its earlier state in ``registry_relation_history``.

A relation is identified by (type, source, target, valid_from); re-importing it with another
``valid_to`` (it ended) is a change. Both ends must be stored objects of the type's kinds;
a personal key (a resident ID number) is matched through its keyed hash, never stored.
Stored rows are one per relation: what applies to related objects is derived when asked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import orjson
import sqlalchemy as sa
from attrs import define, field

from ..errors import InvalidInput, OnethingError
from ..i18n import _
from ..store import Store
from ..store.registry import RegistryImport, RegistryObject, RegistryRelation, RelationHistory
from ..tables import unknown_column
from . import kinds as kinds_
from . import personal
from ._bulk import bind_value, driver_cursor, insert_tuples
from .parsing import RowError, json_object
from .rejects import Rejects
from .sources import Source, batched

COLUMNS = ("type", "source", "target", "valid_from", "valid_to")
IGNORED = ("reason",)
BATCH = 2000

_OBJECTS = RegistryObject.__table__
_RELATIONS = RegistryRelation.__table__
_RELATION_HISTORY = RelationHistory.__table__
_IMPORTS = RegistryImport.__table__
_INSERTED = (
    "type", "source_key", "target_key", "valid_from", "valid_to", "version", "import_id",
    "updated_at",
)  # fmt: skip


@define
class RelationReport:
    source: str
    format: str
    mode: str
    import_id: int | None = None
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    rejections: list[str] = field(factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            k: getattr(self, k)
            for k in ("source", "format", "mode", "import_id", "rows", "inserted", "updated")
        } | {"unchanged": self.unchanged, "rejected": self.rejected}


class _Parser:
    """One input row → ``(type, source key, target key, valid_from, valid_to)`` with the keys
    as stored, plus the keys to show in messages."""

    def __init__(self, app_or_rulebook: Any):
        domains = app_or_rulebook.domains
        self.kinds = kinds_.object_kinds(domains)
        self.types = kinds_.relation_types(domains)
        self.secret: bytes | None = None
        self.secret_env = personal.secret_env(app_or_rulebook)
        self._days: dict[str, dt.date] = {}

    def _text(self, raw: Mapping[str, Any], name: str) -> str:
        value = raw.get(name)
        return "" if value is None else str(value).strip()

    def _date(self, raw: Mapping[str, Any], name: str) -> dt.date | None:
        text = self._text(raw, name)
        if not text:
            return None
        day = self._days.get(text)
        if day is not None:  # a file repeats a few days: parse each once
            return day
        if len(self._days) >= 4096:
            self._days.clear()
        self._days[text] = day = self._parse_date(name, text)
        return day

    def _parse_date(self, name: str, text: str) -> dt.date:
        try:
            return dt.date.fromisoformat(text[:10]) if len(text) in (10, 19) else _bad(name, text)
        except ValueError:
            return _bad(name, text)

    def _end(self, raw: Mapping[str, Any], name: str, kind_code: str) -> tuple[str, str]:
        kind = self.kinds[kind_code]
        text = self._text(raw, name)
        if not text:
            raise RowError(
                name,
                _(f"缺失：{kind.name_zh}的编码", f"missing: the key of a {kind_code}"),
            )
        if kind_code == "business":
            return text, text
        if problem := kinds_.key_problem(kind, text):
            raise RowError(name, problem)
        if not kind.personal:
            return text, text
        if self.secret is None:
            self.secret = personal.load_secret(self.secret_env)  # raises: nothing stored
        return personal.person_key(self.secret, text), kinds_.mask_id(text)

    def parse(self, raw: Mapping[str, Any]) -> tuple[tuple, tuple[str, str]]:
        if "__error__" in raw:
            raise RowError("(row)", raw["__error__"])
        unknown = [k for k in raw if k not in COLUMNS and k not in IGNORED]
        if unknown:
            raise RowError(unknown[0], unknown_column(COLUMNS))
        code = self._text(raw, "type")
        rel = self.types.get(code)
        if rel is None:
            raise RowError(
                "type",
                _(
                    f"{code!r} 不是已启用领域的关系类型；应为 "
                    f"{'、'.join(self.types) or '（未声明任何关系类型）'} 之一",
                    f"{code!r} is not a relation type of the enabled domains; expected one of "
                    f"{', '.join(self.types) or '(none declared)'}",
                ),
            )
        source, shown_source = self._end(raw, "source", rel.source_kind)
        target, shown_target = self._end(raw, "target", rel.target_kind)
        start = self._date(raw, "valid_from")
        if start is None:
            raise RowError(
                "valid_from",
                _(
                    "缺失：关系的起始日（YYYY-MM-DD）",
                    "missing: the first day of the relation (YYYY-MM-DD)",
                ),
            )
        end = self._date(raw, "valid_to")
        if end is not None and end < start:
            raise RowError(
                "valid_to",
                _(f"{end} 早于 valid_from {start}", f"{end} is before valid_from {start}"),
            )
        return (code, source, target, start, end), (shown_source, shown_target)

    def masked(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        """``raw`` for a rejects file: a key of a personal kind, or one that looks like one,
        masked."""
        out = dict(raw)
        rel = self.types.get(self._text(raw, "type"))
        for end in ("source", "target"):
            text = self._text(raw, end)
            kind = self.kinds.get(getattr(rel, f"{end}_kind")) if rel is not None else None
            if text and ((kind is not None and kind.personal) or _looks_personal(self.kinds, text)):
                out[end] = kinds_.mask_id(text)
        return out


def _looks_personal(kinds: Mapping[str, Any], text: str) -> bool:
    return any(k.personal and kinds_.key_problem(k, text) is None for k in kinds.values())


def _bad(name: str, text: str):
    raise RowError(name, _(f"{text!r} 不是日期 YYYY-MM-DD", f"{text!r} is not a date YYYY-MM-DD"))


def _rows(path: Path, fmt: str | None) -> tuple[Source, Iterator[list[tuple[int, Any]]]]:
    src = Source(path, fmt)
    jobs = src.rows(BATCH)
    header = src.header

    def dicts() -> Iterator[list[tuple[int, Any]]]:
        for batch in jobs:
            out = []
            for line, raw in batch:
                if type(raw) is list:
                    raw = dict(zip(header or (), raw, strict=True))
                elif type(raw) is str:
                    raw = json_object(raw)
                out.append((line, raw))
            yield out

    return src, dicts()


def import_relations_file(
    store: Store,
    path: str | Path,
    *,
    app_or_rulebook: Any,
    fmt: str | None = None,
    skip_invalid: bool = False,
    rejects: str | Path | None = None,
    force_rejects: bool = False,
) -> RelationReport:
    """Import relations from a CSV, XLSX or JSON Lines file with :data:`COLUMNS`."""
    path = Path(path)
    src, jobs = _rows(path, fmt)
    try:
        if src.header is not None:
            for col in src.header:
                if col not in COLUMNS and col not in IGNORED:
                    raise InvalidInput(
                        f"{path}:1",
                        col or _("（空列名）", "(empty header)"),
                        unknown_column(COLUMNS),
                    )
        return _run(
            store,
            jobs,
            app_or_rulebook=app_or_rulebook,
            source=str(path),
            fmt=src.format,
            header=src.header,
            skip_invalid=skip_invalid,
            rejects=rejects,
            force_rejects=force_rejects,
        )
    finally:
        src.close()


def import_relations(
    store: Store,
    rows: Iterable[Mapping[str, Any]],
    *,
    app_or_rulebook: Any,
    source: str = "<rows>",
    skip_invalid: bool = False,
    rejects: str | Path | None = None,
) -> RelationReport:
    """Import relation rows (dicts with :data:`COLUMNS`), numbered from 1 in messages."""
    jobs = batched(((i, dict(r)) for i, r in enumerate(rows, 1)), BATCH)
    return _run(
        store,
        jobs,
        app_or_rulebook=app_or_rulebook,
        source=source,
        fmt="rows",
        header=None,
        skip_invalid=skip_invalid,
        rejects=rejects,
    )


def _run(
    store: Store,
    jobs: Iterator[list[tuple[int, Any]]],
    *,
    app_or_rulebook: Any,
    source: str,
    fmt: str,
    header: list[str] | None,
    skip_invalid: bool,
    rejects: str | Path | None,
    force_rejects: bool = False,
) -> RelationReport:
    from ..outfiles import sqlite_file

    parser = _Parser(app_or_rulebook)
    mode = "relations:" + ("skip_invalid" if skip_invalid else "all_or_nothing")
    report = RelationReport(source=source, format=fmt, mode=mode)
    sink = None
    if rejects is not None:
        protected = [sqlite_file(store), Path(source)]
        sink = Rejects(
            Path(rejects), header or [*COLUMNS], force=force_rejects, protected=protected
        )
    error: BaseException | None = None
    try:
        with store.session() as session:
            store.serialize(session, "registry")
            conn = session.connection()
            now = dt.datetime.now(dt.UTC)
            import_id = conn.execute(
                sa.insert(_IMPORTS)
                .values(file=source, format=fmt, mode=mode, started_at=now)
                .returning(_IMPORTS.c.id)
            ).scalar_one()
            report.import_id = import_id
            for batch in jobs:
                good = _checked(conn, parser, batch, report, source, skip_invalid, sink)
                _write(conn, good, import_id, report)
            conn.execute(
                sa.update(_IMPORTS)
                .where(_IMPORTS.c.id == import_id)
                .values(
                    finished_at=dt.datetime.now(dt.UTC),
                    rows=report.rows,
                    inserted=report.inserted,
                    updated=report.updated,
                    unchanged=report.unchanged,
                    rejected=report.rejected,
                )
            )
    except BaseException as exc:
        error = exc
        raise
    finally:
        if sink is not None:
            sink.close(error)
    return report


def _checked(conn, parser, batch, report, source, skip_invalid, sink) -> list[tuple]:
    parsed: list[tuple[int, Any, Any, Any]] = []  # (line, row or None, shown keys or error, raw)
    for line, raw in batch:
        report.rows += 1
        try:
            row, shown = parser.parse(raw)
        except RowError as exc:
            parsed.append((line, None, exc, raw))
            continue
        parsed.append((line, row, shown, raw))
    keys = sorted({k for _, row, _, _ in parsed if row is not None for k in row[1:3]})
    stored = _kinds_of(conn, keys)
    good = []
    for line, row, shown, raw in parsed:
        error = shown if row is None else _ends_problem(parser, row, shown, stored)
        if error is None:
            good.append(row)
            continue
        where = f"{source}:{line}"
        report.rejected += 1
        if not skip_invalid:
            raise InvalidInput(where, error.field, error.message)
        reason = f"{where}: {error.field}: {error.message}"
        if len(report.rejections) < 1000:
            report.rejections.append(reason)
        if sink is not None:
            sink.write(parser.masked(raw), reason)
    return good


# The batch's keys (or relation identities) as one JSON text parameter, at the driver level:
# an IN list of thousands costs more to compile and plan than the query takes to run.
_KINDS_SQL = {
    "sqlite": "SELECT key, object_kind FROM registry_object "
    "WHERE key IN (SELECT value FROM json_each(?))",
    "postgresql": "SELECT key, object_kind FROM registry_object "
    "WHERE key = ANY(ARRAY(SELECT jsonb_array_elements_text(%s::jsonb)))",
}
#: Stored relations with the batch's (type, source, target): through the unique index, so a
#: platform with 10^5 vehicles is not read again for every batch that adds one.
_EXISTING_SQL = {
    "sqlite": "SELECT r.id, r.type, r.source_key, r.target_key, r.valid_from, r.valid_to, "
    "r.version FROM json_each(?) j JOIN registry_relation r ON r.type = j.value ->> 0 "
    "AND r.source_key = j.value ->> 1 AND r.target_key = j.value ->> 2",
    "postgresql": "SELECT r.id, r.type, r.source_key, r.target_key, r.valid_from, r.valid_to, "
    "r.version FROM jsonb_array_elements(%s::jsonb) j JOIN registry_relation r "
    "ON r.type = j ->> 0 AND r.source_key = j ->> 1 AND r.target_key = j ->> 2",
}


def _kinds_of(conn, keys: list[str]) -> dict[str, str]:
    """The object kind of each of ``keys`` the registry holds."""
    if not keys:
        return {}
    with driver_cursor(conn) as (cur, _raw):
        cur.execute(_KINDS_SQL[conn.dialect.name], (orjson.dumps(keys).decode(),))
        return dict(cur.fetchall())


def _day(value) -> dt.date | None:
    """A date column as the driver returns it (SQLite: ISO text)."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _existing(conn, idents: list[tuple[str, str, str]]) -> dict[tuple, tuple]:
    """``(type, source, target, valid_from)`` → ``(id, valid_to, version)`` of the stored
    relations with one of ``idents`` (type, source, target)."""
    out: dict[tuple, tuple] = {}
    if not idents:
        return out
    with driver_cursor(conn) as (cur, _raw):
        cur.execute(_EXISTING_SQL[conn.dialect.name], (orjson.dumps(idents).decode(),))
        for rid, t, s, tg, start, end, version in cur.fetchall():
            out[(t, s, tg, _day(start))] = (rid, _day(end), version)
    return out


def _ends_problem(parser, row, shown, stored: Mapping[str, str]) -> RowError | None:
    """Why an end of ``row`` is not a stored object of the type's kind, or ``None``."""
    rel = parser.types[row[0]]
    for end, key, want, show in (
        ("source", row[1], rel.source_kind, shown[0]),
        ("target", row[2], rel.target_kind, shown[1]),
    ):
        have = stored.get(key)
        if have is None:
            return RowError(
                end,
                _(
                    f"{show}：名录库中没有这个编码的{_name(parser, want)}（请先导入）",
                    f"{show}: no {want} with this key in the registry (import it first)",
                ),
            )
        if have != want:
            return RowError(
                end,
                _(
                    f"{show} 是{_name(parser, have)}；关系 {row[0]} 连接的是{_name(parser, want)}",
                    f"{show} is a {have}; {row[0]} relates a {want}",
                ),
            )
    return None


def _name(parser, kind: str) -> str:
    known = parser.kinds.get(kind)
    return known.name_zh if known is not None else kind


def _write(conn, good: list[tuple], import_id: int, report: RelationReport) -> None:
    if not good:
        return
    now = dt.datetime.now(dt.UTC)
    existing = _existing(conn, sorted({r[:3] for r in good}))
    inserts: dict[tuple, dt.date | None] = {}  # identity → valid_to
    for t, s, tg, start, end in good:
        ident = (t, s, tg, start)
        if ident in inserts:  # repeated in one batch: the last row wins
            report.unchanged += inserts[ident] == end
            report.updated += inserts[ident] != end
            inserts[ident] = end
            continue
        old = existing.get(ident)
        if old is None:
            inserts[ident] = end
            report.inserted += 1
            continue
        rid, was, version = old
        if was == end:
            report.unchanged += 1
            continue
        conn.execute(
            sa.insert(_RELATION_HISTORY).values(
                relation_id=rid,
                version=version,
                changed_at=now,
                import_id=import_id,
                data={"valid_to": was.isoformat() if was else None},
            )
        )
        conn.execute(
            sa.update(_RELATIONS)
            .where(_RELATIONS.c.id == rid)
            .values(valid_to=end, version=version + 1, import_id=import_id, updated_at=now)
        )
        existing[ident] = (rid, end, version + 1)
        report.updated += 1
    stamp = bind_value(conn, _RELATIONS, "updated_at", now)
    insert_tuples(  # the driver's bulk path: executemany on SQLite, COPY on PostgreSQL
        conn,
        _RELATIONS,
        _INSERTED,
        [(*ident, end, 1, import_id, stamp) for ident, end in inserts.items()],
        processed=("updated_at",),
    )


# -- reading -----------------------------------------------------------------------------------


def _in_force(on: dt.date | None) -> list[sa.ColumnElement[bool]]:
    if on is None:
        return []
    return [
        _RELATIONS.c.valid_from <= on,
        sa.or_(_RELATIONS.c.valid_to.is_(None), _RELATIONS.c.valid_to >= on),
    ]


def relations_of(store: Store, key: str, *, on: dt.date | None = None) -> list[dict[str, Any]]:
    """The relations of object ``key`` (both directions; in force ``on`` if given): type,
    direction (``out``: it is the source), the other end as shown (a person masked), its name
    and kind, the validity and version."""
    other = _OBJECTS.alias("other")
    out = []
    with store.engine.connect() as conn:
        for direction, mine, theirs in (
            ("out", _RELATIONS.c.source_key, _RELATIONS.c.target_key),
            ("in", _RELATIONS.c.target_key, _RELATIONS.c.source_key),
        ):
            q = (
                sa.select(
                    _RELATIONS.c.type,
                    theirs,
                    other.c.display_key,
                    other.c.name,
                    other.c.object_kind,
                    _RELATIONS.c.valid_from,
                    _RELATIONS.c.valid_to,
                    _RELATIONS.c.version,
                )
                .select_from(_RELATIONS.outerjoin(other, other.c.key == theirs))
                .where(mine == key, *_in_force(on))
                .order_by(_RELATIONS.c.type, theirs, _RELATIONS.c.valid_from)
            )
            for t, k, shown, name, kind, start, end, version in conn.execute(q):
                out.append(
                    {
                        "direction": direction,
                        "type": t,
                        "other": shown or k,
                        "other_name": name or "",
                        "other_kind": kind or "",
                        "valid_from": start.isoformat(),
                        "valid_to": end.isoformat() if end else None,
                        "version": version,
                    }
                )
    return out


def count_relations(store: Store, *, on: dt.date | None = None) -> dict[str, int]:
    """Relations per type (in force ``on`` if given)."""
    q = (
        sa.select(_RELATIONS.c.type, sa.func.count())
        .where(*_in_force(on))
        .group_by(_RELATIONS.c.type)
        .order_by(_RELATIONS.c.type)
    )
    with store.engine.connect() as conn:
        return {t: int(n) for t, n in conn.execute(q)}


def relation_history(store: Store, relation_id: int) -> list[dict[str, Any]]:
    q = sa.select(
        _RELATION_HISTORY.c.version, _RELATION_HISTORY.c.changed_at, _RELATION_HISTORY.c.data
    ).where(_RELATION_HISTORY.c.relation_id == relation_id)
    with store.engine.connect() as conn:
        return [
            {"version": v, "changed_at": at, "data": d}
            for v, at, d in conn.execute(q.order_by(_RELATION_HISTORY.c.id))
        ]


__all__ = [
    "COLUMNS",
    "OnethingError",
    "RelationReport",
    "count_relations",
    "import_relations",
    "import_relations_file",
    "relation_history",
    "relations_of",
]
