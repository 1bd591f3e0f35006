"""Facts intake: per-object values with a time and a source, stored with history.

A file (JSONL, or CSV with the same columns) is applied whole or not at all: every bad line is
reported with its line number and field, and nothing is stored.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from attrs import frozen

from .. import schemas
from ..errors import InvalidInput
from ..i18n import _
from ..parameter_names import matcher
from ..rulebook import Rulebook
from ..store import Store
from ..store.registry import RegistryObject
from ..store.risk import FactRow
from ..tables import json_lines, read_table
from ..textfiles import read_utf8

#: Times without a zone are China Standard Time.
CST = dt.timezone(dt.timedelta(hours=8), "CST")
CHUNK = 1000
MAX_REPORTED = 20


@frozen
class IngestReport:
    file: str
    stored: int
    #: rows already stored (or repeated in the file): the same key, fact, time, source and value
    duplicates: int = 0
    #: the objects (keys, sorted) that new facts were stored for
    objects: tuple[str, ...] = ()


def fact_kinds(rulebook: Rulebook, on: dt.date) -> dict[str, str]:
    """Every fact the enabled rules read, with the kind of value it must have:
    ``number``, ``boolean``, ``date``, ``text`` (ordinal grades compared with a text
    threshold) or ``event`` (any value; counted by its time)."""
    kinds: dict[str, str] = {}
    by_rule = {
        "threshold": "number",
        "ratio": "number",
        "flag": "boolean",
        "expiry": "date",
        "count": "event",
    }
    for rule in rulebook.risk_rules(on):
        kind = by_rule[rule.kind]
        if rule.over is not None:  # read on the related objects: a number, or a flag counted
            over = rule.over
            counted = over.aggregate in ("count", "share") and over.comparator is None
            kinds.setdefault(rule.fact, "boolean" if counted else "number")
            if over.weight:
                kinds.setdefault(over.weight, "number")
            continue
        if rule.kind == "threshold" and _text_parameter(rulebook, rule.domain, rule.parameter):
            kind = "text"  # an ordinal grade compared as text, e.g. building grade >= "C"
        kinds.setdefault(rule.fact, kind)
        if rule.denominator:
            kinds.setdefault(rule.denominator, "number")
    return kinds


def _text_parameter(rulebook: Rulebook, domain: str, name: str | None) -> bool:
    """Whether the rule's threshold parameter (any the template can name) holds text."""
    if name is None:
        return False
    pattern = matcher(name)
    return any(
        pattern.fullmatch(n) and rulebook.unit(d, n) == "text"
        for d, n in rulebook.parameter_names(domain)
    )


def parse_time(text: str) -> dt.datetime:
    value = (
        dt.datetime.fromisoformat(text)
        if len(text) > 10
        else dt.datetime.combine(dt.date.fromisoformat(text), dt.time())
    )
    return value if value.tzinfo else value.replace(tzinfo=CST)


def _not_a_date(text: str) -> str:
    return _(f"{text!r} 不是真实存在的日期或时间", f"{text!r} is not a real date or time")


def _value_ok(kind: str, value: Any) -> str | None:
    if kind == "number" and (isinstance(value, bool) or not isinstance(value, int | float)):
        return _(f"应为数值，实为 {value!r}", f"expected a number, got {value!r}")
    if kind == "boolean" and not isinstance(value, bool):
        return _(f"应为 true 或 false，实为 {value!r}", f"expected true or false, got {value!r}")
    if kind == "text" and not isinstance(value, str):
        return _(f"应为文本，实为 {value!r}", f"expected text, got {value!r}")
    if kind == "date":
        try:
            dt.date.fromisoformat(str(value))
        except ValueError:
            return _(
                f"应为日期 YYYY-MM-DD，实为 {value!r}", f"expected a date YYYY-MM-DD, got {value!r}"
            )
    return None


def read_rows(path: Path) -> Iterator[tuple[int, Any]]:
    """``(line number, row)`` of a JSONL or CSV facts file (CSV values are read as JSON when
    they parse, else as text)."""
    # Each reader takes the file whole, before any row: an encoding error stores nothing.
    if path.suffix.lower() != ".csv":
        yield from json_lines(path)
        return
    _header, rows = read_table(path)
    for n, row in rows:
        raw = row.get("value")
        if raw is not None:
            try:
                row["value"] = json.loads(raw)
            except json.JSONDecodeError:
                pass
        yield n, row


def _missing_keys(store: Store, keys: set[str]) -> set[str]:
    found: set[str] = set()
    keys_list = sorted(keys)
    with store.engine.connect() as conn:
        for i in range(0, len(keys_list), CHUNK):
            chunk = keys_list[i : i + CHUNK]
            rows = conn.execute(sa.select(RegistryObject.key).where(RegistryObject.key.in_(chunk)))
            found.update(r[0] for r in rows)
    return keys - found


def ingest(
    store: Store,
    rulebook: Rulebook,
    rows: Iterable[tuple[int, Any]],
    *,
    label: str,
    on: dt.date | None = None,
) -> IngestReport:
    """Validate every row, then store all of them in one transaction, or none.

    :raises InvalidInput: listing the bad lines (``label:line: field: reason``).
    """
    kinds = fact_kinds(rulebook, on or dt.date.today())
    errors: list[str] = []
    good: list[dict[str, Any]] = []
    by_key: dict[str, list[int]] = {}
    for n, row in rows:
        where = f"{label}:{n}"
        if isinstance(row, InvalidInput):
            errors.append(str(row))
            continue
        try:
            data = schemas.check(row, "facts", location=where)
        except InvalidInput as exc:
            errors.append(str(exc))
            continue
        kind = kinds.get(data["fact"])
        if kind is None:
            errors.append(
                f"{where}: fact: "
                + _(
                    f"未知的事实 {data['fact']!r}；已启用的规则读取：{', '.join(sorted(kinds))}",
                    f"unknown fact {data['fact']!r}; the enabled rules read: "
                    f"{', '.join(sorted(kinds))}",
                )
            )
            continue
        problem = _value_ok(kind, data["value"])
        if problem:
            errors.append(
                f"{where}: value: "
                + _(f"{problem}（事实 {data['fact']}）", f"{problem} for fact {data['fact']}")
            )
            continue
        try:  # the schema checks the shape only: 2026-02-30 gets here
            at = parse_time(data["observed_at"]).astimezone(dt.UTC)
        except ValueError:
            errors.append(f"{where}: observed_at: {_not_a_date(data['observed_at'])}")
            continue
        by_key.setdefault(data["key"], []).append(n)
        good.append({**data, "observed_at": at})
    for key in sorted(_missing_keys(store, set(by_key))):
        missing = _(f"名录库中没有对象 {key!r}", f"object {key!r} is not in the registry")
        errors += [f"{label}:{n}: key: {missing}" for n in by_key[key]]
    if errors:
        errors.sort(key=_line_of)
        rest = len(errors) - MAX_REPORTED
        more = _(f"\n  ……另有 {rest} 条", f"\n  … and {rest} more") if rest > 0 else ""
        raise InvalidInput(
            label,
            "",
            _(
                f"{len(errors)} 条事实有误，未保存任何数据：\n  ",
                f"{len(errors)} bad fact(s), nothing stored:\n  ",
            )
            + "\n  ".join(errors[:MAX_REPORTED])
            + more,
        )
    now = dt.datetime.now(dt.UTC)
    with store.session() as s:
        store.serialize(s, "facts")  # two ingests of one file at once store it once
        new = _not_yet_stored(s, good)
        for i in range(0, len(new), CHUNK):
            s.connection().execute(
                sa.insert(FactRow.__table__),
                [{**g, "ingested_at": now, "batch": label[-64:]} for g in new[i : i + CHUNK]],
            )
    return IngestReport(
        file=label,
        stored=len(new),
        duplicates=len(good) - len(new),
        objects=tuple(sorted({g["key"] for g in new})),
    )


def _identity(key: str, fact: str, at: dt.datetime, source: str, value: Any) -> tuple:
    """What makes two observations the same one (SQLite returns times without their zone)."""
    at = at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at.astimezone(dt.UTC)
    return (key, fact, at, source, json.dumps(value, sort_keys=True, ensure_ascii=False))


def _not_yet_stored(s: Any, good: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows of ``good`` not stored before nor repeated earlier in it: ingesting the same
    observation twice must not make a count rule fire twice."""
    seen: set[tuple] = set()
    for i in range(0, len(good), CHUNK):
        chunk = good[i : i + CHUNK]
        times = [g["observed_at"] for g in chunk]
        rows = s.execute(
            sa.select(FactRow.key, FactRow.fact, FactRow.observed_at, FactRow.source, FactRow.value)
            .where(FactRow.key.in_({g["key"] for g in chunk}))
            .where(FactRow.observed_at.between(min(times), max(times)))
        )
        seen.update(_identity(*r) for r in rows)
    new = []
    for g in good:
        ident = _identity(g["key"], g["fact"], g["observed_at"], g["source"], g["value"])
        if ident not in seen:
            seen.add(ident)
            new.append(g)
    return new


def _line_of(message: str) -> tuple[int, str]:
    head = message.split(": ", 1)[0]
    line = head.rsplit(":", 1)[-1]
    return (int(line) if line.isdigit() else 0, message)


def ingest_file(
    store: Store, rulebook: Rulebook, path: str | Path, *, on: dt.date | None = None
) -> IngestReport:
    path = Path(path)
    read_utf8(path)  # a missing file, a directory or a non-UTF-8 file: one located error
    return ingest(store, rulebook, read_rows(path), label=str(path), on=on)


def day_end(on: dt.date) -> dt.datetime:
    """The first instant after day ``on`` (China time), in UTC as stored."""
    return dt.datetime.combine(on + dt.timedelta(days=1), dt.time(), CST).astimezone(dt.UTC)


def facts_of(
    store: Store, key: str, on: dt.date
) -> tuple[dict[str, Any], dict[str, list[dt.date]]]:
    """The facts of one object on day ``on``: the latest value of each fact observed up to
    that day, and the days of each fact's observations (for event counts)."""
    end = day_end(on)
    out: dict[str, Any] = {}
    events: dict[str, list[dt.date]] = {}
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(FactRow.fact, FactRow.value, FactRow.observed_at)
            .where(FactRow.key == key, FactRow.observed_at < end)
            .order_by(FactRow.observed_at, FactRow.id)
        )
        for fact, value, observed_at in rows:
            out[fact] = value
            events.setdefault(fact, []).append(as_cst(observed_at).date())
    return out, events


def as_cst(value: dt.datetime) -> dt.datetime:
    """Stored times are UTC; SQLite returns them naive, PostgreSQL aware. Give China time."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(CST)


def merge_for_rules(
    latest: Mapping[str, Any], events: Mapping[str, list[dt.date]], kinds: Mapping[str, str]
) -> dict[str, Any]:
    """Facts for :func:`onething.risk.reference.judge`: events as lists of days, values as the
    latest value (dates parsed)."""
    out: dict[str, Any] = {}
    for fact, value in latest.items():
        kind = kinds.get(fact)
        if kind == "event":
            out[fact] = events[fact]
        elif kind == "date":
            out[fact] = dt.date.fromisoformat(str(value))
        else:
            out[fact] = value
    return out
