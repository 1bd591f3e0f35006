"""Inspection records (检查记录): one visit's evidence for every check point of its joint
checklist, validated and judged, stored in one transaction; department views (结果互认); and
the findings the closed loop consumes."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from attrs import evolve, field, frozen
from sqlmodel import Session

from .. import schemas
from ..errors import InvalidInput, NotFound
from ..i18n import _
from ..model import Finding, converter
from ..rulebook import Rulebook
from ..store import Store
from ..store.records import InspectionEvidence, InspectionFinding, InspectionRecord
from ..tables import not_json
from ..textfiles import read_utf8
from ._objects import object_items, object_name
from .build import Checklist, ChecklistElement, build_checklist
from .evidence import check_unit, failures, validate


@frozen
class Inspector:
    name: str
    department: str
    id: str | None = None


@frozen
class EvidenceEntry:
    """One element's evidence on a visit, with its verdict."""

    element: str
    canonical: str
    items: tuple[str, ...] = field(converter=tuple)
    """The visit's items requiring the element."""
    departments: tuple[str, ...] = field(converter=tuple)
    evidence: Any
    result: str
    """``pass``, ``fail`` or ``not_applicable``."""
    reasons: tuple[str, ...] = field(converter=tuple, factory=tuple)
    remark: str = ""
    attachments: tuple[str, ...] = field(converter=tuple, factory=tuple)


@frozen
class Record:
    """One joint visit: inspectors, time, the evidence of every check point, findings."""

    id: str
    object_key: str
    visited_at: dt.datetime
    on: dt.date
    inspectors: tuple[Inspector, ...] = field(converter=tuple)
    item_departments: tuple[tuple[str, tuple[str, ...]], ...] = field(converter=tuple)
    entries: tuple[EvidenceEntry, ...] = field(converter=tuple)
    findings: tuple[Finding, ...] = field(converter=tuple)
    remarks: str = ""
    attachments: tuple[str, ...] = field(converter=tuple, factory=tuple)

    @property
    def items(self) -> list[str]:
        return [i for i, _ in self.item_departments]

    def view(self, department: str) -> Record:
        """The department's view: exactly the entries and findings of its items, as if it had
        inspected alone; nothing is re-entered."""
        deps = dict(self.item_departments)
        mine = {i for i, ds in self.item_departments if department in ds}

        def restrict(x):
            items = [i for i in x.items if i in mine]
            departments = sorted({d for i in items for d in deps[i]})
            return evolve(x, items=items, departments=departments) if items else None

        return evolve(
            self,
            item_departments=[(i, ds) for i, ds in self.item_departments if i in mine],
            entries=[e for e in map(restrict, self.entries) if e is not None],
            findings=[f for f in map(restrict, self.findings) if f is not None],
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "object": self.object_key,
            "visited_at": self.visited_at.isoformat(),
            "on": self.on.isoformat(),
            "inspectors": [converter.unstructure(i) for i in self.inspectors],
            "items": self.items,
            "entries": [converter.unstructure(e) for e in self.entries],
            "findings": [converter.unstructure(f) for f in self.findings],
            "remarks": self.remarks,
            "attachments": list(self.attachments),
        }


# -- reading and checking -------------------------------------------------------------------


def read_record_file(path: str | Path) -> dict[str, Any]:
    """The JSON of a record file. :raises InvalidInput: naming the file, line and column."""
    path = Path(path)
    text = read_utf8(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"{path}:{exc.lineno}:{exc.colno}", "", not_json(exc.msg)) from exc
    return data


def _visited_at(data: Mapping[str, Any], location: str) -> dt.datetime:
    text = data["visited_at"]
    try:
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        when = None
    if when is None or when.tzinfo is None:
        raise InvalidInput(
            location,
            "visited_at",
            _(
                f"{text!r} 不是带时区偏移的 RFC 3339 日期时间（例如 2026-11-27T09:30:00+08:00）",
                f"{text!r} is not an RFC 3339 date-time with a UTC offset "
                f"(e.g. 2026-11-27T09:30:00+08:00)",
            ),
        )
    return when


def _entry_error(location: str, n: int, key: str, message: str) -> InvalidInput:
    return InvalidInput(location, f"entries[{n}].{key}" if key else f"entries[{n}]", message)


def check_record(
    data: Mapping[str, Any],
    checklist: Checklist,
    *,
    location: str = "record",
    record_id: str | None = None,
) -> Record:
    """Validate a record's JSON against ``record.schema.json`` and every entry's evidence
    against its element's evidence schema; judge each element and derive the findings.

    Every check point of ``checklist`` needs one entry (evidence, or ``result:
    not_applicable``); an entry naming a ``canonical`` line gives the same evidence to every
    element of that line.

    :raises InvalidInput: at the first problem, naming the entry, the element code and the
        schema's message.
    """
    schemas.check(data, "record", location=location)
    visited_at = _visited_at(data, location)
    on = visited_at.date()
    by_code: dict[str, ChecklistElement] = {e.code: e for e in checklist.elements}
    by_line = {line.canonical: line for line in checklist.lines}
    given: dict[str, tuple[int, Mapping[str, Any]]] = {}
    for n, entry in enumerate(data["entries"]):
        if "element" in entry:
            code = entry["element"]
            if code not in by_code:
                raise _entry_error(
                    location,
                    n,
                    "element",
                    f"element {code!r} is not on this visit's checklist (items "
                    f"{', '.join(checklist.items)})",
                )
            codes = [code]
        else:
            canonical = entry["canonical"]
            if canonical not in by_line:
                raise _entry_error(
                    location,
                    n,
                    "canonical",
                    f"no line {canonical!r} on this visit's checklist; lines: "
                    f"{', '.join(sorted(by_line))}",
                )
            codes = [e.code for e in by_line[canonical].elements]
        for code in codes:
            if code in given:
                raise _entry_error(
                    location,
                    n,
                    "",
                    f"element {code} already has evidence in entries[{given[code][0]}]",
                )
            given[code] = (n, entry)
    missing = [c for c in by_code if c not in given]
    if missing:
        raise InvalidInput(
            location,
            "entries",
            _(
                f"要素 {'、'.join(missing)} 没有记录：联合检查单的每个检查点都需要证据，或 "
                '"result": "not_applicable"',
                f"no entry for element(s) {', '.join(missing)}: every check point of the joint "
                f'checklist needs evidence or "result": "not_applicable"',
            ),
        )

    rid = record_id or data.get("id") or uuid.uuid4().hex
    entries, findings = [], []
    for line in checklist.lines:
        for el in line.elements:
            n, entry = given[el.code]
            result = entry.get("result")
            evidence = entry.get("evidence")
            if "evidence" in entry:
                validate(
                    el.code,
                    el.evidence_schema,
                    evidence,
                    location=location,
                    path=f"entries[{n}].evidence",
                )
                check_unit(
                    el.code, evidence, el.limit, location=location, path=f"entries[{n}].evidence"
                )
            elif result != "not_applicable":
                raise _entry_error(
                    location,
                    n,
                    "evidence",
                    f'element {el.code} needs evidence (or "result": "not_applicable")',
                )
            reasons: list[str] = []
            if result != "not_applicable":
                reasons = failures(el.evidence_schema, evidence, el.limit, on)
                if result == "fail":
                    reasons.append("inspector: fail")
            verdict = (
                "not_applicable" if result == "not_applicable" else ("fail" if reasons else "pass")
            )
            e = EvidenceEntry(
                element=el.code,
                canonical=line.canonical,
                items=el.items,
                departments=el.departments,
                evidence=evidence,
                result=verdict,
                reasons=reasons,
                remark=entry.get("remark", ""),
                attachments=entry.get("attachments", ()),
            )
            entries.append(e)
            if verdict == "fail":
                findings.append(
                    Finding(
                        object_key=data["object"],
                        element=el.code,
                        canonical=line.canonical,
                        severity=el.severity,
                        items=el.items,
                        departments=el.departments,
                        basis=el.basis,
                        found_on=on,
                        record_id=rid,
                        evidence=evidence,
                        remark="；".join([*reasons, *([e.remark] if e.remark else [])]),
                    )
                )
    return Record(
        id=rid,
        object_key=data["object"],
        visited_at=visited_at,
        on=on,
        inspectors=[Inspector(**i) for i in data["inspectors"]],
        item_departments=checklist.item_departments,
        entries=entries,
        findings=findings,
        remarks=data.get("remarks", ""),
        attachments=data.get("attachments", ()),
    )


# -- storing ----------------------------------------------------------------------------------


def checklist_for_record(
    store: Store, rulebook: Rulebook, data: Mapping[str, Any], *, location: str = "record"
) -> Checklist:
    """The joint checklist a record is judged against: its ``items``, else the object's stored
    item mapping, on the day of the visit."""
    schemas.check(data, "record", location=location)
    on = _visited_at(data, location).date()
    key = data["object"]
    items = data.get("items")
    if items is None:
        items = object_items(store, key, rulebook, on)
        if not items:
            raise InvalidInput(
                location,
                "object",
                _(
                    f"对象 {key!r} 在名录库中没有已存的事项（未导入，或未映射事项）："
                    '请给出本次检查的 "items"',
                    f"object {key!r} has no stored items in the registry (not imported, or items "
                    f'not mapped): give the visit\'s "items"',
                ),
            )
    return build_checklist(
        rulebook,
        items,
        on,
        object_key=key,
        object_name=object_name(store, key),
        location=f"{location}: items",
    )


def store_record(s: Session, record: Record, *, location: str = "record") -> None:
    """Store a checked record, its evidence and its findings in the caller's transaction."""
    now = dt.datetime.now(dt.UTC)
    if s.get(InspectionRecord, record.id) is not None:
        raise InvalidInput(
            location,
            "id",
            _(f"记录 {record.id!r} 已保存过", f"a record {record.id!r} is already stored"),
        )
    s.add(
        InspectionRecord(
            id=record.id,
            object_key=record.object_key,
            visited_at=record.visited_at.astimezone(dt.UTC),
            on=record.on,
            inspectors=[converter.unstructure(i) for i in record.inspectors],
            items=[[i, list(ds)] for i, ds in record.item_departments],
            remarks=record.remarks,
            attachments=list(record.attachments),
            created_at=now,
        )
    )
    s.flush()
    for n, e in enumerate(record.entries):
        s.add(
            InspectionEvidence(
                record_id=record.id,
                element=e.element,
                position=n,
                canonical=e.canonical,
                items=list(e.items),
                departments=list(e.departments),
                evidence=e.evidence,
                result=e.result,
                reasons=list(e.reasons),
                remark=e.remark,
                attachments=list(e.attachments),
            )
        )
    for f in record.findings:
        s.add(InspectionFinding(**_finding_row(f)))
    s.flush()


def _finding_row(f: Finding) -> dict[str, Any]:
    data = converter.unstructure(f)
    data["found_on"] = f.found_on
    return data


def _to_finding(row: Mapping[str, Any]) -> Finding:
    data = {
        k: row[k]
        for k in (
            "object_key",
            "element",
            "canonical",
            "severity",
            "items",
            "departments",
            "basis",
            "evidence",
            "remark",
            "record_id",
        )
    }
    data["found_on"] = row["found_on"].isoformat()
    return converter.structure(data, Finding)


def load_record(store: Store, record_id: str) -> Record:
    """A stored record. :raises InvalidInput: when there is none with that id."""
    R, E, F = (t.__table__ for t in (InspectionRecord, InspectionEvidence, InspectionFinding))
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(R).where(R.c.id == record_id)).mappings().first()
        if row is None:
            raise NotFound(
                "record", record_id, _("没有该编号的检查记录", "no stored record with this id")
            )
        ev = conn.execute(sa.select(E).where(E.c.record_id == record_id)).mappings().all()
        fs = (
            conn.execute(sa.select(F).where(F.c.record_id == record_id).order_by(F.c.id))
            .mappings()
            .all()
        )
    visited_at = row["visited_at"]
    if visited_at.tzinfo is None:  # SQLite keeps no offset: stored values are UTC
        visited_at = visited_at.replace(tzinfo=dt.UTC)
    return Record(
        id=row["id"],
        object_key=row["object_key"],
        visited_at=visited_at,
        on=row["on"],
        inspectors=[converter.structure(i, Inspector) for i in row["inspectors"]],
        item_departments=[(i, tuple(ds)) for i, ds in row["items"]],
        entries=[
            EvidenceEntry(
                element=r["element"],
                canonical=r["canonical"],
                items=r["items"],
                departments=r["departments"],
                evidence=r["evidence"],
                result=r["result"],
                reasons=r["reasons"],
                remark=r["remark"],
                attachments=r["attachments"],
            )
            for r in sorted(ev, key=lambda r: r["position"])
        ],
        findings=[_to_finding(r) for r in fs],
        remarks=row["remarks"],
        attachments=row["attachments"],
    )


def iter_findings(
    store: Store,
    *,
    object_key: str | None = None,
    since: dt.date | None = None,
    batch_size: int = 1000,
) -> Iterator[Finding]:
    """Stream stored findings (the closed loop's input), oldest first, in batches."""
    F = InspectionFinding.__table__
    query = sa.select(F).order_by(F.c.id)
    if object_key is not None:
        query = query.where(F.c.object_key == object_key)
    if since is not None:
        query = query.where(F.c.found_on >= since)
    with store.engine.connect() as conn:
        result = conn.execution_options(yield_per=batch_size).execute(query).mappings()
        for row in result:
            yield _to_finding(row)
