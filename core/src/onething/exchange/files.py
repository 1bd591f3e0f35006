"""Exchange rows and files: onething's values (:mod:`onething.exchange.extract`) as a
target's records — element names, vocabulary, envelope — validated against the kind's JSON
Schema and written as JSON Lines, CSV or XML; and the same files read back.

The envelope makes an export idempotent: a record's id is a UUID v5 of the target, the kind and
onething's key, so the same record always has the same id; what was last exported of it is
kept (``exchange_export``), so an unchanged record is written again exactly as before
(operation, batch, time) and a changed one as an ``update`` in this run's batch.
"""

from __future__ import annotations

import csv
import datetime as dt
import getpass
import hashlib
import io
import json
import re
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import jsonschema
import sqlalchemy as sa

from ..errors import InvalidInput
from ..i18n import _
from ..registry.kinds import id_check_character, mask_id
from ..store.exchange import ExchangeExport
from ..textfiles import read_utf8
from ..workdays import LOCAL_ZONE
from .extract import Context, canonical, extract
from .mapping import Field, Mapping, json_schema

FORMATS = ("jsonl", "csv", "xml")
NAMESPACE = uuid.UUID("6f0b2a43-4c1e-5d8a-9b7e-0e1a7c3d2f10")
ENVELOPE_ONLY = ("envelope.record_id", "envelope.operation", "envelope.batch",
                 "envelope.source", "envelope.time", "envelope.submitter")  # fmt: skip
_RESIDENT = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dX])(?![0-9A-Za-z])")


class RowValidator:
    """A kind's schema compiled for speed (fastjsonschema); on failure the first problem by
    key path, from jsonschema."""

    def __init__(self, schema: dict[str, Any]) -> None:
        import fastjsonschema

        self._fast = fastjsonschema.compile({k: v for k, v in schema.items() if k != "$schema"})
        self._error = fastjsonschema.JsonSchemaException
        self._full = jsonschema.Draft202012Validator(
            schema, format_checker=jsonschema.FormatChecker()
        )

    def problem(self, row: dict[str, Any]) -> tuple[str, str] | None:
        try:
            self._fast(row)
            return None
        except self._error:
            pass
        errors = sorted(self._full.iter_errors(row), key=lambda e: [str(p) for p in e.path])
        if not errors:
            return None
        from ..schemas.messages import message

        return "/".join(str(x) for x in errors[0].path), message(errors[0])


def record_id(target: str, kind: str, key: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{target}/{kind}/{key}"))


def no_resident_ids(text: str) -> str:
    """``text`` with every full resident ID number (GB 11643 check digit valid) masked: no
    exported file carries one, whatever a free-text field held."""

    def mask(m: re.Match) -> str:
        s = m.group(1)
        return mask_id(s) if id_check_character(s[:17]) == s[17] else s

    return _RESIDENT.sub(mask, text)


def _vocab(mapping: Mapping, f: Field, value: Any, where: str) -> Any:
    if f.vocabulary is None or value is None:
        return value
    v = mapping.vocabularies[f.vocabulary]
    if value not in v.values:
        raise InvalidInput(
            where,
            f.name,
            _(
                f"onething 的值 {value!r} 在「{v.name_zh}」（{v.code}）中没有对应值",
                f"onething value {value!r} has no {v.name_zh} ({v.code}) value",
            ),
        )
    return v.values[value]


def _plain(mapping: Mapping, f: Field, value: Any, where: str) -> Any:
    value = _vocab(mapping, f, value, where)
    if f.type == "list" and value is not None:
        v = mapping.vocabularies.get("check_item_result")
        value = [
            {k: (v.values.get(x, x) if v and k == "检查项结果" else no_resident_ids(str(x)))
             for k, x in entry.items()}
            for entry in value
        ]  # fmt: skip
    elif isinstance(value, str):
        value = no_resident_ids(value)
    return value


def body(mapping: Mapping, kind: str, values: dict[str, Any], where: str) -> dict[str, Any]:
    """The record's fields that are not the envelope's (what its digest is of)."""
    return {
        f.name: _plain(mapping, f, values.get(f.source), where)
        for f in mapping.kind(kind).fields
        if f.source not in ENVELOPE_ONLY
    }


def digest(fields: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(fields).encode()).hexdigest()


def _envelope_row(mapping: Mapping, kind: str, env: dict[str, Any]) -> dict[str, Any]:
    """Envelope values placed under every field (envelope or kind) that takes one."""
    out = {}
    for f in mapping.fields(kind):
        if f.source in ENVELOPE_ONLY:
            value = env.get(f.source)
            out[f.name] = _vocab(mapping, f, value, "envelope")
    return out


def ordered(mapping: Mapping, kind: str, row: dict[str, Any]) -> dict[str, Any]:
    return {f.name: row.get(f.name) for f in mapping.fields(kind)}


def export_rows(
    app,
    mapping: Mapping,
    kind: str,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    plan_doc: dict[str, Any] | None = None,
    batch: str | None = None,
    submitter: str | None = None,
    now: dt.datetime | None = None,
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Every record of ``kind`` as the target's rows, and counts by operation; the exported
    state is stored in one transaction (so the next export knows what changed)."""
    now = now or dt.datetime.now(dt.UTC)
    batch = batch or f"{now.astimezone(LOCAL_ZONE):%Y%m%d%H%M%S}"
    ctx = Context(app)
    dep = app.rulebook.deployment
    source = f"onething:{dep.region}" if dep is not None else "onething"
    submitter = submitter or getpass.getuser()
    T = ExchangeExport.__table__
    with app.store.engine.connect() as conn:
        known = {
            r.record_id: r
            for r in conn.execute(
                sa.select(T).where(T.c.target == mapping.target, T.c.kind == kind)
            )
        }
    rows, changes = [], []
    counts = {"insert": 0, "update": 0, "unchanged": 0}
    validator = RowValidator(json_schema(mapping, kind))
    for key, values in extract(ctx, kind, start, end, mapping=mapping, plan_doc=plan_doc):
        rid = record_id(mapping.target, kind, key)
        where = f"{kind} {key}"
        fields = body(mapping, kind, values, where)
        d = digest(fields)
        old = known.get(rid)
        if old is not None and old.digest == d:
            env = old.envelope
            counts["unchanged"] += 1
        else:
            op = "update" if old is not None else "insert"
            counts[op] += 1
            env = {
                "envelope.record_id": rid,
                "envelope.operation": op,
                "envelope.batch": batch,
                "envelope.source": source,
                "envelope.time": now.astimezone(LOCAL_ZONE).isoformat(timespec="seconds"),
                "envelope.submitter": submitter,
            }
            changes.append((rid, key, d, env, old is not None))
        row = ordered(mapping, kind, {**fields, **_envelope_row(mapping, kind, env)})
        problem = validator.problem(row)
        if problem:  # onething's own data: a mapping that does not fit it
            raise InvalidInput(
                where,
                problem[0],
                _(
                    f"导出的记录不符合模式：{problem[1]}",
                    f"exported row fails its schema: {problem[1]}",
                ),
            )
        rows.append(row)
    if changes:
        with app.store.session() as s:
            conn = s.connection()
            for rid, key, d, env, exists in changes:
                vals = {"key": key[:200], "digest": d, "envelope": env, "updated_at": now}
                if exists:
                    conn.execute(
                        sa.update(T)
                        .where(T.c.target == mapping.target, T.c.kind == kind,
                               T.c.record_id == rid)
                        .values(**vals)
                    )  # fmt: skip
                else:
                    conn.execute(
                        sa.insert(T).values(target=mapping.target, kind=kind, record_id=rid, **vals)
                    )
    return rows, counts


# -- writing --------------------------------------------------------------------------------


def _cell(f: Field, value: Any) -> str:
    if value is None:
        return ""
    if f.type == "list":
        return json.dumps(value, ensure_ascii=False)
    if f.type == "boolean":
        return "true" if value else "false"
    return str(value)


def render(mapping: Mapping, kind: str, rows: Iterable[dict[str, Any]], fmt: str) -> bytes:
    """The file's bytes: JSON Lines (one record a line), CSV (UTF-8 with BOM, one column per
    element, lists as JSON) or XML (one element per record, lists as nested elements)."""
    fields = mapping.fields(kind)
    if fmt == "jsonl":
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
        return text.encode()
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow([f.name for f in fields])
        for r in rows:
            w.writerow([_cell(f, r.get(f.name)) for f in fields])
        return ("\ufeff" + buf.getvalue()).encode()
    if fmt == "xml":
        k = mapping.kind(kind)
        root = ET.Element(
            "数据交换",
            {"target": mapping.target, "kind": kind, "mapping": mapping.version},
        )
        for r in rows:
            rec = ET.SubElement(root, k.record)
            for f in fields:
                value = r.get(f.name)
                if value is None:
                    continue
                el = ET.SubElement(rec, f.name)
                if f.type == "list":
                    for entry in value:
                        item = ET.SubElement(el, "项")
                        for name, x in entry.items():
                            ET.SubElement(item, name).text = str(x)
                else:
                    el.text = _cell(f, value)
        ET.indent(root)
        return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
    raise InvalidInput(
        "--format",
        "",
        _(
            f"{fmt!r}：应为 {', '.join(FORMATS)} 之一",
            f"{fmt!r}: expected one of {', '.join(FORMATS)}",
        ),
    )


# -- reading --------------------------------------------------------------------------------


def _typed(f: Field, text: str, where: str) -> Any:
    if text == "":
        return None
    try:
        if f.type == "integer":
            return int(text)
        if f.type == "number":
            return float(text)
        if f.type == "boolean":
            if text not in ("true", "false"):
                raise ValueError(text)
            return text == "true"
        if f.type == "list":
            value = json.loads(text)
            if not isinstance(value, list):
                raise ValueError(text)
            return value
    except (ValueError, json.JSONDecodeError):
        raise InvalidInput(
            where,
            f.name,
            _(
                f"{text!r} 不是 {f.type} 类型的值（{f.name_zh}）",
                f"{text!r} is not a {f.type} value ({f.name_en})",
            ),
        ) from None
    return text


def format_of(path: Path, fmt: str | None) -> str:
    if fmt:
        return fmt
    suffix = path.suffix.lower().lstrip(".")
    if suffix in FORMATS:
        return suffix
    raise InvalidInput(
        str(path),
        "",
        _(
            f"无法从 {path.name!r} 判断格式：请给出 --format jsonl|csv|xml",
            f"cannot tell the format from {path.name!r}: give --format jsonl|csv|xml",
        ),
    )


def read_rows(
    mapping: Mapping, kind: str, path: Path, fmt: str | None = None
) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(where, row)`` of each record of an exchange file, ``where`` naming file and line (or
    record); every row is checked against the kind's JSON Schema, the first problem raised
    with its key path."""
    fmt = format_of(path, fmt)
    fields = {f.name: f for f in mapping.fields(kind)}
    validator = RowValidator(json_schema(mapping, kind, reading=True))
    for where, row in _raw_rows(mapping, kind, path, fmt, fields):
        problem = validator.problem(row)
        if problem:
            raise InvalidInput(
                where,
                problem[0] or "(row)",
                _(
                    f"不符合 {kind} 的模式：{problem[1]}",
                    f"not a valid {kind} record: {problem[1]}",
                ),
            )
        yield where, row


def _raw_rows(mapping, kind, path: Path, fmt: str, fields: dict[str, Field]):
    if fmt == "jsonl":
        from ..tables import json_lines

        for n, value in json_lines(path):
            if isinstance(value, InvalidInput):
                raise value
            if not isinstance(value, dict):
                raise InvalidInput(f"{path}:{n}", "", _("应为 JSON 对象", "expected a JSON object"))
            yield f"{path}:{n}", value
        return
    if fmt == "csv":
        from ..tables import csv_problem, unique_header

        text = read_utf8(path)
        reader = csv.reader(io.StringIO(text, newline=""))
        try:
            lines = [(reader.line_num, values) for values in reader]
        except csv.Error as exc:
            raise InvalidInput(f"{path}:{reader.line_num}", "", csv_problem(exc)) from None
        if not lines:
            raise InvalidInput(
                str(path), "", _("文件为空：应有表头行", "empty file: expected a header")
            )
        header = unique_header(str(path), lines[0][1])
        unknown = [h for h in header if h not in fields]
        if unknown:
            raise InvalidInput(
                f"{path}:1",
                unknown[0],
                _(
                    f"{kind}（{mapping.version}）中没有元素 {unknown[0]!r}",
                    f"no element {unknown[0]!r} in {kind} ({mapping.version})",
                ),
            )
        for n, values in lines[1:]:
            if not "".join(values).strip():
                continue
            if len(values) != len(header):
                raise InvalidInput(
                    f"{path}:{n}",
                    "",
                    _(
                        f"有 {len(values)} 个值，表头有 {len(header)} 列",
                        f"{len(values)} values, the header has {len(header)}",
                    ),
                )
            yield (
                f"{path}:{n}",
                {
                    h: _typed(fields[h], v, f"{path}:{n}")
                    for h, v in zip(header, values, strict=True)
                },
            )
        return
    if fmt == "xml":
        try:
            root = ET.fromstring(path.read_bytes())
        except FileNotFoundError:
            raise InvalidInput(str(path), "", _("文件不存在", "no such file")) from None
        except ET.ParseError as exc:
            raise InvalidInput(
                str(path), "", _(f"不是格式正确的 XML：{exc}", f"not well-formed XML: {exc}")
            ) from None
        record = mapping.kind(kind).record
        for n, rec in enumerate(root, 1):
            where = f"{path}:{record}[{n}]"
            if rec.tag != record:
                raise InvalidInput(
                    where, rec.tag, _(f"应为 <{record}> 元素", f"expected a <{record}> element")
                )
            row: dict[str, Any] = dict.fromkeys(fields)  # absent: null, as in CSV
            for el in rec:
                f = fields.get(el.tag)
                if f is None:
                    raise InvalidInput(
                        where,
                        el.tag,
                        _(f"{kind} 中没有元素 {el.tag!r}", f"no element {el.tag!r} in {kind}"),
                    )
                if f.type == "list":
                    row[el.tag] = [{x.tag: x.text or "" for x in item} for item in el]
                else:
                    row[el.tag] = _typed(f, el.text or "", where)
            yield where, row
        return
    raise InvalidInput(
        "--format",
        "",
        _(
            f"{fmt!r}：应为 {', '.join(FORMATS)} 之一",
            f"{fmt!r}: expected one of {', '.join(FORMATS)}",
        ),
    )
