"""Results recorded on the provincial 双随机 platform, taken back as inspection records so that a
city that inspects there still closes the loop here (``onething exchange import --target
double-random --kind results``).

Each row becomes one record of the object (``检查对象编码哈希`` for a person, else
``检查对象编码``) with the row's items, time, inspectors and remarks. Its check points are those
of the joint checklist of its items on that day; each takes the platform's 检查项结果 (合格,
不合格, 合理缺项, 未检查 — a check point the row does not name was not checked); a 不合格 check
point is a finding, which opens or joins a case as any record's would. The platform's 抽查结果
and its plan and task numbers are kept with the record (``exchange_result``): exporting it
again gives the row back.

One transaction for the file: any bad row (its file, line and key path named) and nothing is
stored. Idempotent: a row whose record is already stored with the same content changes nothing;
one whose record is stored with other check points, items or inspectors is refused (a record is
never rewritten); only a changed 抽查结果 or remark of an imported record is taken (``update``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from attrs import define, field

from ..checklist.build import build_checklist
from ..checklist.records import EvidenceEntry, Inspector, Record, store_record
from ..errors import InvalidInput
from ..i18n import _
from ..model import Finding
from ..store.exchange import ExchangeResult
from ..store.records import InspectionRecord
from ..store.registry import RegistryObject
from .extract import JOIN
from .files import digest, read_rows
from .mapping import Mapping

#: The onething fields a results row gives back (source → its use).
GIVES = ("plan.id", "visit.id", "result.record", "result.items", "result.outcome",
         "result.check_items", "result.time", "result.inspector_names", "result.inspector_ids",
         "result.departments", "result.remarks", "object.code", "object.key_hash")  # fmt: skip


@define
class Imported:
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    findings: int = 0
    cases_opened: list[int] = field(factory=list)
    cases_attached: list[int] = field(factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "findings": self.findings,
            "cases_opened": self.cases_opened,
            "cases_attached": self.cases_attached,
        }


def _values(mapping: Mapping, row: dict[str, Any]) -> dict[str, Any]:
    """The row by onething source name, vocabularies read back (legacy codes too)."""
    out: dict[str, Any] = {}
    for f in mapping.fields("results"):
        if f.name in row:
            value = row[f.name]
            if f.vocabulary is not None and value is not None:
                value = mapping.vocabularies[f.vocabulary].reverse(f.name, value)
            out[f.source] = value
    return out


def _split(text: str | None) -> list[str]:
    return [x.strip() for x in (text or "").split(JOIN) if x.strip()]


def _time(where: str, name: str, text: str) -> dt.datetime:
    try:
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        when = None
    if when is None or when.tzinfo is None:
        raise InvalidInput(
            where,
            name,
            _(
                f"{text!r} 不是带 UTC 偏移的日期时间（如 2026-03-02T09:00:00+08:00）",
                f"{text!r} is not a date-time with its UTC offset (2026-03-02T09:00:00+08:00)",
            ),
        )
    return when


def _names(mapping: Mapping) -> dict[str, str]:
    return {f.source: f.name for f in mapping.fields("results")}


def to_record(app, mapping: Mapping, where: str, row: dict[str, Any]) -> tuple[Record, str]:
    """The record a results row stands for, and onething's code of its 抽查结果.

    :raises InvalidInput: naming the row and the element: an object not in the registry, an
        item not in force that day, a check point not on the visit's checklist, inspectors whose
        names, numbers and departments do not pair up."""
    name = _names(mapping)
    try:
        v = _values(mapping, row)
    except InvalidInput as exc:
        raise InvalidInput(where, exc.path, exc.message) from None
    key = v.get("object.key_hash") or v["object.code"]
    when = _time(where, name["result.time"], v["result.time"])
    on = when.date()
    items = _split(v["result.items"])
    if not items:
        raise InvalidInput(where, name["result.items"], _("没有事项编码", "no item codes"))
    try:
        checklist = build_checklist(app.rulebook, items, on, object_key=key, location=where)
    except InvalidInput as exc:
        raise InvalidInput(where, name["result.items"], exc.message) from None
    results_vocab = mapping.vocabularies.get("check_item_result")
    given: dict[str, str] = {}
    for n, entry in enumerate(v.get("result.check_items") or []):
        at = f"{name['result.check_items']}/{n}"
        code = entry.get("检查项编码")
        if not code or code not in {e.code for e in checklist.elements}:
            raise InvalidInput(
                where,
                f"{at}/检查项编码",
                _(
                    f"{code!r} 不是事项 {', '.join(items)} 在 {on} 的检查项",
                    f"{code!r} is not a check point of items {', '.join(items)} on {on}",
                ),
            )
        if code in given:
            raise InvalidInput(
                where,
                f"{at}/检查项编码",
                _(f"检查项 {code} 重复给出", f"check point {code} is given twice"),
            )
        text = entry.get("检查项结果", "")
        try:
            given[code] = results_vocab.reverse(f"{at}/检查项结果", text) if results_vocab else text
        except InvalidInput as exc:
            raise InvalidInput(where, exc.path, exc.message) from None
    names, ids, depts = (_split(v.get(f"result.{x}")) for x in ("inspector_names", "inspector_ids", "departments"))  # fmt: skip
    if not (len(names) == len(ids) == len(depts)):
        raise InvalidInput(
            where,
            name["result.inspector_names"],
            _(
                f"{len(names)} 名检查人员、{len(ids)} 个执法证号、{len(depts)} 个部门："
                f"每名检查人员各一个，以 {JOIN} 连接",
                f"{len(names)} inspectors, {len(ids)} certificate numbers and {len(depts)} "
                f"departments: one of each per inspector, joined by {JOIN}",
            ),
        )
    rid = v["result.record"]
    entries, findings = [], []
    for line in checklist.lines:
        for el in line.elements:
            result = given.get(el.code, "not_checked")
            reasons = ["双随机平台：不合格"] if result == "fail" else []
            entries.append(
                EvidenceEntry(
                    element=el.code, canonical=line.canonical, items=el.items,
                    departments=el.departments, evidence=None, result=result, reasons=reasons,
                )
            )  # fmt: skip
            if result == "fail":
                findings.append(
                    Finding(
                        object_key=key, element=el.code, canonical=line.canonical,
                        severity=el.severity, items=el.items, departments=el.departments,
                        basis=el.basis, found_on=on, record_id=rid, evidence=None,
                        remark="双随机平台：不合格",
                    )
                )  # fmt: skip
    record = Record(
        id=rid,
        object_key=key,
        visited_at=when,
        on=on,
        inspectors=[
            Inspector(name=n, department=d, id=i or None)
            for n, i, d in zip(names, ids, depts, strict=True)
        ],
        item_departments=checklist.item_departments,
        entries=entries,
        findings=findings,
        remarks=v.get("result.remarks") or "",
    )
    return record, v["result.outcome"]


def _same(stored: InspectionRecord, record: Record) -> bool:
    return (
        stored.object_key == record.object_key
        and [i for i, _ in stored.items] == record.items
        and [(i.get("name"), i.get("id"), i.get("department")) for i in stored.inspectors]
        == [(i.name, i.id, i.department) for i in record.inspectors]
    )


def import_results(app, mapping: Mapping, path: Path, fmt: str | None = None) -> Imported:
    """Import a results file (see the module's text); one transaction."""
    from ..loop import Loop
    from ..loop.inspections import route_findings
    from ..store.records import InspectionEvidence

    app.store.ensure_current()
    loop = Loop(app.rulebook)
    out = Imported()
    rows = list(read_rows(mapping, "results", path, fmt))
    seen: dict[str, str] = {}
    now = dt.datetime.now(dt.UTC)
    with app.store.session() as s:
        for where, row in rows:
            out.rows += 1
            envelope = {f.name for f in mapping.envelope}
            kept = {k: v for k, v in row.items() if k not in envelope}
            op = _values(mapping, {k: v for k, v in row.items() if k in envelope}).get(
                "envelope.operation"
            )
            if op == "delete":
                raise InvalidInput(
                    where,
                    _names(mapping)["envelope.operation"],
                    _(
                        "不支持删除操作：检查记录不删除；未存储任何内容",
                        "a delete is not taken: inspection records are never deleted; nothing "
                        "was stored",
                    ),
                )
            record, outcome = to_record(app, mapping, where, kept)
            if record.id in seen:
                raise InvalidInput(
                    where,
                    _names(mapping)["result.record"],
                    _(
                        f"检查记录 {record.id} 在本文件中已出现（{seen[record.id]}）",
                        f"record {record.id} is already in this file ({seen[record.id]})",
                    ),
                )
            seen[record.id] = where
            d = digest(kept)
            stored = s.get(InspectionRecord, record.id)
            if stored is not None:
                mine = s.get(ExchangeResult, record.id)
                ev = {
                    e.element: e.result
                    for e in s.execute(
                        sa.select(InspectionEvidence).where(
                            InspectionEvidence.record_id == record.id
                        )
                    ).scalars()
                }
                same_points = ev == {e.element: e.result for e in record.entries}
                if not (_same(stored, record) and same_points):
                    raise InvalidInput(
                        where,
                        _names(mapping)["result.record"],
                        _(
                            f"检查记录 {record.id} 已存储且对象、事项、检查人员或检查项结果不同："
                            "检查记录不改写；未存储任何内容",
                            f"record {record.id} is stored with another object, items, inspectors "
                            f"or check-point results: a record is never rewritten; nothing was "
                            f"stored",
                        ),
                    )
                if mine is None or mine.digest == d:
                    out.unchanged += 1  # onething's own record, or the same row again
                    continue
                mine.outcome, mine.row, mine.digest = outcome, _row(mapping, kept), d
                mine.file, mine.line, mine.imported_at = str(path), _line(where), now
                stored.remarks = record.remarks
                out.updated += 1
                continue
            obj = s.get(RegistryObject, record.object_key)
            if obj is None:
                raise InvalidInput(
                    where,
                    "检查对象编码",
                    _(
                        f"对象 {record.object_key} 不在名录库中（先导入名录库）；未存储任何内容",
                        f"object {record.object_key} is not in the registry (import it first); "
                        f"nothing was stored",
                    ),
                )
            store_record(s, record, location=where)
            s.add(
                ExchangeResult(
                    record_id=record.id, target=mapping.target, outcome=outcome,
                    row=_row(mapping, kept), digest=d, file=str(path), line=_line(where),
                    imported_at=now,
                )
            )  # fmt: skip
            opened, attached = route_findings(s, loop, record, at=now, location=where)
            out.inserted += 1
            out.findings += len(record.findings)
            out.cases_opened += opened
            out.cases_attached += attached
    return out


def _row(mapping: Mapping, row: dict[str, Any]) -> dict[str, Any]:
    """What onething keeps of the row to give back (by source name)."""
    v = _values(mapping, row)
    return {k: v.get(k) for k in ("plan.id", "visit.id")}


def _line(where: str) -> int:
    tail = where.rsplit(":", 1)[-1]
    digits = "".join(c for c in tail if c.isdigit())
    return int(digits) if digits else 0
