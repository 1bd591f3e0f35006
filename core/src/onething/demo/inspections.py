"""The joint inspections of a drawn plan, simulated: each staffed visit becomes an inspection
record of its drawn inspectors, stored through :meth:`onething.Onething.add_record` so that
its findings open or attach to cases, as a host platform's records would. Whether a check
point fails is decided by the plan's published hash (``prn``) of the seed, the visit and the
element: the same seed gives the same records."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any
from zoneinfo import ZoneInfo

import jsonschema
from attrs import define, field

from ..checklist.build import build_checklist
from ..planning.prn import prn
from .evidence import passing_evidence

LOCAL = ZoneInfo("Asia/Shanghai")

#: Share of check points found not compliant on a routine visit. With ~20 check points a
#: visit, about one visit in five finds something — the order of what pilot cities report
#: for random inspections; a simulation parameter, not a rule.
FAIL_RATE = 0.012


@define
class Simulated:
    records: int = 0
    findings: int = 0
    opened: list[int] = field(factory=list)
    not_applicable: int = 0
    record_of_case: dict[int, str] = field(factory=dict)


def visit_time(seed: str, visit_id: str, start: dt.date, days: int) -> dt.datetime:
    """A working hour of a weekday in the first ``days`` days of the cycle."""
    day = start + dt.timedelta(days=int(prn(seed, f"day/{visit_id}") * days))
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    hour = 9 + int(prn(seed, f"hour/{visit_id}") * 7)
    return dt.datetime.combine(day, dt.time(hour), LOCAL)


class EvidenceCache:
    """Passing evidence per element and limit (built once: a province has few elements)."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, str, dt.date], tuple[bool, Any]] = {}
        self._validators: dict[str, Any] = {}
        self.unbuildable: set[str] = set()

    def get(self, el, on: dt.date) -> tuple[bool, Any]:
        key = (el.code, el.limit.text() if el.limit else "", on)
        if key not in self._cache:
            if el.code not in self._validators:
                self._validators[el.code] = jsonschema.Draft202012Validator(
                    el.evidence_schema, format_checker=jsonschema.FormatChecker()
                )
            v = self._validators[el.code]
            self._cache[key] = passing_evidence(el.evidence_schema, el.limit, on, v)
            if not self._cache[key][0]:
                self.unbuildable.add(el.code)
        return self._cache[key]


def record_data(
    rulebook,
    *,
    record_id: str,
    key: str,
    items: list[str],
    when: dt.datetime,
    inspectors: list[dict[str, str]],
    fails: Callable[[str], bool],
    cache: EvidenceCache,
) -> tuple[dict[str, Any], int, int]:
    """A record (``record.schema.json``) of a visit: passing evidence for each check point,
    the inspector's ``fail`` where ``fails(element)``. :return: the record, how many check
    points failed and how many had to be recorded not applicable."""
    checklist = build_checklist(rulebook, items, when.date(), object_key=key)
    entries, failed, na = [], 0, 0
    for el in checklist.elements:
        ok, ev = cache.get(el, when.date())
        if not ok:
            entries.append({"element": el.code, "result": "not_applicable"})
            na += 1
            continue
        entry: dict[str, Any] = {"element": el.code, "evidence": ev}
        if fails(el.code):
            entry["result"] = "fail"
            entry["remark"] = "现场检查不符合要求（模拟）"
            failed += 1
        entries.append(entry)
    data = {
        "id": record_id,
        "object": key,
        "items": items,
        "visited_at": when.isoformat(),
        "inspectors": inspectors,
        "entries": entries,
        "remarks": "演示数据：模拟的联合检查记录",
    }
    return data, failed, na


def simulate(
    app,
    doc: dict[str, Any],
    pool_names: dict[str, str],
    *,
    seed: str,
    days: int,
    progress: Callable[[int, int], None] | None = None,
) -> Simulated:
    """Record every staffed visit of plan ``doc`` (``days``: the part of the cycle the visits
    are spread over)."""
    staff: dict[str, list[dict[str, str]]] = {}
    for a in doc["assignments"]:
        staff.setdefault(a["visit"], []).append(
            {
                "name": pool_names.get(a["inspector"], a["inspector"]),
                "department": a["department"],
                "id": a["inspector"],
            }
        )
    start = dt.date.fromisoformat(doc["window"]["start"])
    visits = [v for v in doc["visits"] if v["id"] in staff]
    out = Simulated()
    cache = EvidenceCache()
    for n, v in enumerate(visits, 1):
        when = visit_time(seed, v["id"], start, days)
        rid = f"R{doc['plan_id']}-{n:06d}"
        data, failed, na = record_data(
            app.rulebook,
            record_id=rid,
            key=v["key"],
            items=v["items"],
            when=when,
            inspectors=staff[v["id"]],
            fails=lambda code, vid=v["id"]: prn(seed, f"fail/{vid}/{code}") < FAIL_RATE,
            cache=cache,
        )
        result = app.add_record(data, at=when)
        out.records += 1
        out.findings += failed
        out.not_applicable += na
        for case_id in result.opened:
            out.opened.append(case_id)
            out.record_of_case[case_id] = rid
        if progress:
            progress(n, len(visits))
    return out


def ids(cases: Iterable[int]) -> list[int]:
    return sorted(set(cases))
