"""Inspector pools (执法人员库) and the random, verifiable draw of inspectors per visit.

Pool file (CSV, UTF-8 with or without BOM, or XLSX first sheet), one inspector a row, header:

``id, name, department, region, law_enforcement, qualifications, conflicts, max_visits``

* ``department``: a department code (``onething departments``); ``region``: six-digit code —
  a city-level code covers its counties, a province-level code its whole province;
* ``law_enforcement``: holds a law-enforcement certificate (``是/否``, ``true/false``, ``1/0``);
* ``qualifications``: ``;``-separated domain codes, item codes or specialist constraint ids;
  empty = qualified for every ordinary item of the department;
* ``conflicts``: ``;``-separated object keys the inspector declared a conflict of interest with;
* ``max_visits``: this inspector's workload cap per cycle (empty: the plan's ``--inspector-cap``).

Draw, per visit and per involved department (visits in order of ``H(seed, "visit/" + id)``):
eligible inspectors are the department's law-enforcement inspectors covering the object's
region, qualified for every item of the department in the visit (and holding the constraint id
of a ``specialist`` merge constraint), with no declared conflict with the object, not assigned
to the same object in the previous cycle, and under their workload cap. The
``core.inspectors_per_visit`` (2, 行政处罚法 第四十二条) eligible inspectors with the smallest
``H(seed, "<visit id>/<department>/<inspector id>")`` are drawn: each department acts in its own
name, so each needs two. A visit where any department has too few is listed as infeasible with
the counts of why, and gets no inspectors.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import random
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from attrs import field, frozen
from sqlmodel import select

from ..departments import departments, unknown_department
from ..errors import InvalidInput
from ..i18n import _
from ..model import MergeConstraint
from ..outfiles import atomic_write, escape_row
from ..store import Store
from ..store.planning import PlanningInspector
from ..tables import missing_columns, read_table, unknown_column
from .model import Assignment, Infeasible, Task, Visit
from .prn import prn_head, prn_int

COLUMNS = (
    "id",
    "name",
    "department",
    "region",
    "law_enforcement",
    "qualifications",
    "conflicts",
    "max_visits",
)
REQUIRED = ("id", "name", "department", "region")
_TRUE = {"是", "true", "1", "yes", "y", "t"}
_FALSE = {"否", "false", "0", "no", "n", "f", ""}


@frozen
class Inspector:
    id: str
    name: str
    department: str
    region: str
    law_enforcement: bool = True
    qualifications: frozenset[str] = field(factory=frozenset, converter=frozenset)
    conflicts: frozenset[str] = field(factory=frozenset, converter=frozenset)
    max_visits: int | None = None

    def covers(self, region: str) -> bool:
        r = self.region
        if r == region:
            return True
        if r.endswith("0000"):
            return region[:2] == r[:2]
        if r.endswith("00"):
            return region[:4] == r[:4]
        return False


# -- reading pool files -------------------------------------------------------------------------


def _rows(path: Path) -> Iterable[tuple[int, dict[str, str]]]:
    header, rows = read_table(path)
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InvalidInput(
            f"{path}:1",
            "header",
            missing_columns(missing, COLUMNS),
        )
    return rows


#: An inspector id: plain enough to name in a plan, a CSV or a URL, never read as a formula.
INSPECTOR_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def read_pool(path: Path) -> list[Inspector]:
    """Validate every row of a pool file; the first bad row raises, naming row and column."""
    depts = departments()
    out: dict[str, Inspector] = {}
    for n, row in _rows(path):
        where = f"{path}:{n}"
        for c in REQUIRED:
            if not row.get(c):
                raise InvalidInput(
                    where,
                    c,
                    _(
                        f"必须填写；列为 {'、'.join(COLUMNS)}",
                        f"required; columns are {', '.join(COLUMNS)}",
                    ),
                )
        unknown = set(row) - set(COLUMNS)
        if unknown - {""}:
            raise InvalidInput(where, sorted(unknown)[0], unknown_column(COLUMNS))
        if row["department"] not in depts:
            raise InvalidInput(
                where,
                "department",
                unknown_department(row["department"]),
            )
        region = row["region"]
        if len(region) != 6 or not region.isdigit():
            raise InvalidInput(
                where,
                "region",
                _(
                    f"应为 6 位行政区划代码，得到 {region!r}",
                    f"expected a six-digit region code, got {region!r}",
                ),
            )
        le = row.get("law_enforcement", "是").lower()
        if le not in _TRUE | _FALSE:
            raise InvalidInput(
                where,
                "law_enforcement",
                _(
                    f"应为 是/否 或 true/false，得到 {le!r}",
                    f"expected 是/否 or true/false, got {le!r}",
                ),
            )
        mv = row.get("max_visits", "")
        if mv and not (mv.isdigit() and int(mv) > 0):
            raise InvalidInput(
                where,
                "max_visits",
                _(f"应为正整数，得到 {mv!r}", f"expected a positive whole number, got {mv!r}"),
            )
        if not INSPECTOR_ID.fullmatch(row["id"]):
            raise InvalidInput(
                where,
                "id",
                _(
                    f"{row['id']!r}：应由字母、数字、'.'、'_' 或 '-' 组成，以字母或数字开头，"
                    f"最多 64 个字符（模式 {INSPECTOR_ID.pattern}）",
                    f"{row['id']!r}: expected letters, digits, '.', '_' or '-', starting with a "
                    f"letter or digit, at most 64 characters (pattern {INSPECTOR_ID.pattern})",
                ),
            )
        if row["id"] in out:
            raise InvalidInput(
                where,
                "id",
                _(f"检查人员 {row['id']!r} 出现两次", f"inspector {row['id']!r} appears twice"),
            )
        out[row["id"]] = Inspector(
            id=row["id"],
            name=row["name"],
            department=row["department"],
            region=region,
            law_enforcement=le in _TRUE if le else True,
            qualifications=[
                q.strip() for q in row.get("qualifications", "").split(";") if q.strip()
            ],
            conflicts=[q.strip() for q in row.get("conflicts", "").split(";") if q.strip()],
            max_visits=int(mv) if mv else None,
        )
    return list(out.values())


def write_pool(
    path: Path,
    pool: Sequence[Inspector],
    *,
    force: bool = False,
    protected: Iterable[Path | None] = (),
) -> None:
    """The pool as CSV (the columns :func:`read_pool` reads); an existing file only with
    ``force``, never one of ``protected``, through a temporary file."""
    with atomic_write(path, force=force, protected=protected) as f:
        w = csv.writer(f)
        w.writerow(COLUMNS)
        for i in pool:
            w.writerow(
                escape_row(
                    [
                        i.id,
                        i.name,
                        i.department,
                        i.region,
                        "是" if i.law_enforcement else "否",
                        ";".join(sorted(i.qualifications)),
                        ";".join(sorted(i.conflicts)),
                        "" if i.max_visits is None else i.max_visits,
                    ]
                )
            )


def synth_pool(
    departments_domains: Mapping[str, Iterable[str]],
    region: str,
    per_department: int,
    seed: int = 0,
    specialist: Mapping[str, Iterable[str]] | None = None,
) -> list[Inspector]:
    """A synthetic pool: ``per_department`` inspectors per department at ``region``; about one in
    ten without a law-enforcement certificate; about one in four holding the department's
    specialist qualifications."""
    rng = random.Random(seed)
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
    given = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
    out = []
    for dept in sorted(departments_domains):
        spec = sorted((specialist or {}).get(dept, ()))
        for n in range(1, per_department + 1):
            quals = set()
            if spec and rng.random() < 0.25:
                quals = set(spec) | set(departments_domains[dept])
            out.append(
                Inspector(
                    id=f"{dept}-{region}-{n:04d}",
                    name=rng.choice(surnames) + "".join(rng.choices(given, k=rng.randint(1, 2))),
                    department=dept,
                    region=region,
                    law_enforcement=rng.random() >= 0.1,
                    qualifications=quals,
                )
            )
    return out


def departments_to_staff(rulebook, on: dt.date) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """What a synthetic pool must cover on ``on``: each department of the items in force with
    its domains, and the specialist merge-constraint ids each department's inspectors need."""
    from .visits import constraints_in_force

    depts: dict[str, set[str]] = {}
    items = {i.code: i for i in rulebook.items(on)}
    for item in items.values():
        for d in item.departments:
            depts.setdefault(d, set()).add(item.domain)
    specialist: dict[str, set[str]] = {}
    for code, c in constraints_in_force(rulebook, on).items():
        if c.kind == "specialist" and code in items:
            for d in items[code].departments:
                specialist.setdefault(d, set()).add(c.id)
    return depts, specialist


# -- storing and loading pools ------------------------------------------------------------------


def import_pool(store: Store, pool: Sequence[Inspector], file: str) -> tuple[int, int]:
    """Upsert a pool in one transaction; returns (inserted, updated). Inspectors not in the file
    stay, as they are (a pool file may be one department's)."""
    store.ensure_current()
    now = dt.datetime.now(dt.UTC)
    inserted = updated = 0
    with store.session() as s:
        existing = {r.id: r for r in s.exec(select(PlanningInspector)).all()}
        for i in pool:
            row = existing.get(i.id)
            data = dict(
                name=i.name,
                department=i.department,
                region_code=i.region,
                law_enforcement=i.law_enforcement,
                qualifications=sorted(i.qualifications),
                conflicts=sorted(i.conflicts),
                max_visits=i.max_visits,
                source=file,
                updated_at=now,
            )
            if row is None:
                s.add(PlanningInspector(id=i.id, **data))
                inserted += 1
            else:
                for k, v in data.items():
                    setattr(row, k, v)
                s.add(row)
                updated += 1
    return inserted, updated


def load_pool(store: Store) -> list[Inspector]:
    t = PlanningInspector.__table__
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(
                t.c.id,
                t.c.name,
                t.c.department,
                t.c.region_code,
                t.c.law_enforcement,
                t.c.qualifications,
                t.c.conflicts,
                t.c.max_visits,
            )
        ).all()

    return sorted(
        (
            Inspector(
                id=r[0],
                name=r[1],
                department=r[2],
                region=r[3],
                law_enforcement=bool(r[4]),
                qualifications=_json_list(r[5]),
                conflicts=_json_list(r[6]),
                max_visits=r[7],
            )
            for r in rows
        ),
        key=lambda i: i.id,
    )


def _json_list(v: Any) -> list[str]:
    if isinstance(v, str):
        import json

        return list(json.loads(v))
    return list(v or [])


# -- the draw -----------------------------------------------------------------------------------


def draw_inspectors(
    visits: Sequence[Visit],
    tasks: Mapping[str, Task],
    pool: Sequence[Inspector],
    seed: str,
    per_department: int,
    default_cap: int,
    previous: Mapping[str, set[str]],
    constraints: Mapping[str, MergeConstraint],
) -> tuple[list[Assignment], list[Infeasible], dict[str, int]]:
    """Assignments, infeasible visits, and each inspector's workload."""
    by_dept: dict[str, list[Inspector]] = defaultdict(list)
    for i in pool:
        by_dept[i.department].append(i)
    load: dict[str, int] = defaultdict(int)
    qualified: dict[tuple[str, str, frozenset], tuple[list[Inspector], dict[str, int]]] = {}
    head, sha = prn_head(seed), hashlib.sha256
    ids = {i.id: i.id.encode() for i in pool}
    assignments: list[Assignment] = []
    infeasible: list[Infeasible] = []
    order = sorted(visits, key=lambda v: (prn_int(seed, "visit/" + v.id), v.id))
    for v in order:
        chosen: list[Assignment] = []
        problems: list[Infeasible] = []
        for dept in v.departments:
            needs: list[tuple[str, str | None]] = []  # (domain or item, specialist constraint id)
            for t in v.tasks:
                task = tasks[t]
                if dept in task.departments:
                    c = constraints.get(task.item)
                    needs.append((task, c.id if c is not None and c.kind == "specialist" else None))
            # who may go, before recusal and workload: the same for every visit of the
            # department, region and kind of tasks, so worked out once (#31)
            need = frozenset((t.domain, t.item, c) for t, c in needs)
            found = qualified.get((dept, v.region, need))
            if found is None:
                found = qualified[(dept, v.region, need)] = _fit(by_dept.get(dept, ()), v, needs)
            fit, ruled_out = found
            before = previous.get(v.key, ())
            eligible = [
                i
                for i in fit
                if v.key not in i.conflicts
                and i.id not in before
                and load[i.id] < (i.max_visits or default_cap)
            ]
            if len(eligible) < per_department:
                counts = {**ruled_out, "recusal": 0, "workload": 0}
                for i in fit:  # the later checks, in the order they apply
                    if v.key in i.conflicts or i.id in before:
                        counts["recusal"] += 1
                    elif load[i.id] >= (i.max_visits or default_cap):
                        counts["workload"] += 1
                why = "；".join(f"{k}={n}" for k, n in counts.items() if n)
                problems.append(
                    Infeasible(
                        visit=v.id,
                        department=dept,
                        reason=f"符合条件的执法人员 {len(eligible)} 人，少于 {per_department} 人（{why or 'pool=0'}）",
                    )
                )
                continue
            # the smallest (prn_int(seed, "<visit>/<dept>/" + id), id), its hashing inlined:
            # the first 8 bytes of the digest, big-endian, then the id's UTF-8 bytes order
            # as the integer and the id do (#31: no int or tuple per inspector)
            at = head + f"{v.id}/{dept}/".encode()
            drawn = sorted([sha(at + b).digest()[:8] + b for b in [ids[i.id] for i in eligible]])
            chosen.extend(Assignment(v.id, dept, k[8:].decode()) for k in drawn[:per_department])
        if problems:
            infeasible.extend(problems)
            continue
        for a in chosen:
            load[a.inspector] += 1
        assignments.extend(chosen)
    assignments.sort(key=lambda a: (a.visit, a.department, a.inspector))
    infeasible.sort(key=lambda x: (x.visit, x.department))
    return assignments, infeasible, dict(load)


def _fit(
    staff: Sequence[Inspector], v: Visit, needs: Sequence[tuple[Task, str | None]]
) -> tuple[list[Inspector], dict[str, int]]:
    """The department's inspectors who may go to visits in ``v``'s region with its tasks
    before recusal and workload, and how many each earlier check ruled out (an infeasible
    visit's reason), in the order the checks apply."""
    counts = dict(pool=0, not_law_enforcement=0, region=0, qualification=0)
    fit = []
    for i in staff:
        counts["pool"] += 1
        if not i.law_enforcement:
            counts["not_law_enforcement"] += 1
        elif not i.covers(v.region):
            counts["region"] += 1
        elif not all(_qualified(i, t, c) for t, c in needs):
            counts["qualification"] += 1
        else:
            fit.append(i)
    return fit, counts


def _qualified(i: Inspector, task: Task, specialist: str | None) -> bool:
    if specialist is not None and specialist not in i.qualifications:
        return False
    if not i.qualifications:
        return specialist is None
    return bool({task.domain, task.item} & i.qualifications) or (
        specialist is not None and specialist in i.qualifications
    )
