"""The four related official lists (行政许可事项清单, 权责清单, 双随机抽查事项清单, 重点监管事项清单):
import with history, link checking against the item list, and "what changed since".

An import is the full list of one kind as of a day (``as_of``). Compared with the versions
open in the store, an entry is *added*, *removed* (its version is closed), *changed* or
*renamed* (its version is closed and the next opened), or unchanged. Nothing is overwritten, so
the list of any kind on any day since its first import can be answered.

File columns (CSV header row, XLSX first sheet's first row, or JSON objects' keys; Chinese or
English names):

============  =====================  =======================================================
column        also accepted          value
============  =====================  =======================================================
code          编码, 事项编码           the entry's code in its official list (required, unique)
name          名称, 事项名称           the entry's name (required)
department    部门, 实施部门, 实施主体  a department code or name (``onething departments``)
domain        领域                   the pilot domain it belongs to, if known
(any other)                          kept with the entry; a change to it is a change
============  =====================  =======================================================

An entry with a ``domain`` that the deployment does not enable is never reported as uncovered.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from itertools import pairwise
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from attrs import frozen
from sqlmodel import select

from ..departments import unknown_department
from ..errors import InvalidInput
from ..i18n import _
from ..model import RELATED_KINDS
from ..store import Store
from ..store.items import RelatedEntryRow, RelatedImport
from . import tabular
from .model import LinkProblem, RelatedEntry
from .versions import ItemCatalog

ALIASES = {
    "code": ("code", "编码", "事项编码"),
    "name": ("name", "名称", "事项名称"),
    "department": ("department", "部门", "实施部门", "实施主体"),
    "domain": ("domain", "领域"),
}
BATCH = 1000


def _chunks(seq: Sequence, n: int = BATCH) -> Iterator[Sequence]:
    for i in range(0, len(seq), n):
        yield seq[i : i + n]


@frozen
class ParsedEntry:
    code: str
    name: str
    department: str | None
    domain: str | None
    data: dict[str, Any]
    where: str

    @property
    def digest(self) -> str:
        raw = json.dumps(
            [self.name, self.department, self.domain, self.data],
            ensure_ascii=False,
            sort_keys=True,
            default=str,
        )
        return hashlib.sha256(raw.encode()).hexdigest()


def _table(path: Path, fmt: str) -> tabular.Table:
    if fmt == "csv":
        return tabular.read_csv(path)
    if fmt == "xlsx":
        return tabular.read_xlsx(path)
    data = tabular.load_json(path)
    if isinstance(data, dict):
        data = data.get("entries")
    if not isinstance(data, list):
        raise InvalidInput(
            str(path),
            "entries",
            _(
                '应为条目列表（或 {"entries": [...]}）',
                'expected a list of entries (or {"entries": [...]})',
            ),
        )
    return tabular.read_json_rows(path, data, "entries")


def parse_related(path: str | Path, fmt: str | None = None) -> list[ParsedEntry]:
    """Read and check a related-list file; nothing is stored.

    :raises InvalidInput: naming ``file:row:column`` of the first problem (missing column,
        empty code or name, duplicate code, unknown department).
    """
    path = Path(path)
    tabular.check_exists(path)
    fmt = tabular.format_of(path, fmt)
    table = _table(path, fmt)
    header = {}
    for key, names in ALIASES.items():
        found = [h for h in table.headers if h in names]
        if found:
            header[key] = found[0]
    missing = [ALIASES[k][0] for k in ("code", "name") if k not in header]
    if missing:
        where = f"{path}:1"
        raise InvalidInput(
            where,
            missing[0],
            _(
                f"缺少列 {missing[0]!r}（或 {', '.join(ALIASES[missing[0]][1:])}）；"
                f"文件的列：{', '.join(table.headers) or '（无）'}",
                f"missing column {missing[0]!r} (or {', '.join(ALIASES[missing[0]][1:])}); "
                f"the file has: {', '.join(table.headers) or '(none)'}",
            ),
        )
    depts = tabular.department_codes()
    known_cols = set(header.values())
    seen: dict[str, str] = {}
    out = []
    for row in table.rows:
        code = row.required(header["code"])
        if code in seen:
            raise row.error(
                header["code"],
                _(
                    f"编码 {code!r} 重复（首次出现在 {seen[code]}）",
                    f"duplicate code {code!r} (first at {seen[code]})",
                ),
            )
        seen[code] = row.where()
        dept = row.text(header["department"]) if "department" in header else None
        if dept is not None:
            if dept not in depts:
                raise row.error(
                    header["department"],
                    unknown_department(dept),
                )
            dept = depts[dept]
        data = {
            h: tabular.Row.text(row, h)
            for h in row.values
            if h not in known_cols and tabular.Row.text(row, h) is not None
        }
        out.append(
            ParsedEntry(
                code=code,
                name=row.required(header["name"]),
                department=dept,
                domain=row.text(header["domain"]) if "domain" in header else None,
                data=data,
                where=row.where(),
            )
        )
    return out


@frozen
class RelatedImportResult:
    id: int
    kind: str
    as_of: dt.date
    rows: int
    added: int
    removed: int
    changed: int
    unchanged: int


def _check_kind(kind: str) -> None:
    if kind not in RELATED_KINDS:
        raise InvalidInput(
            "--kind",
            "",
            _(
                f"{kind!r} 不是可选值（{', '.join(RELATED_KINDS)}）之一",
                f"{kind!r} is not one of {', '.join(RELATED_KINDS)}",
            ),
        )


def import_related(
    store: Store, kind: str, path: str | Path, *, as_of: dt.date, fmt: str | None = None
) -> RelatedImportResult:
    """Import the full list of ``kind`` as of ``as_of``, keeping history; one transaction.

    :raises InvalidInput: for a bad file (nothing stored) or an ``as_of`` not after the last
        import of that kind (history is append-only).
    """
    _check_kind(kind)
    path = Path(path)
    entries = parse_related(path, fmt)
    store.ensure_current()
    with store.session() as s:
        last = s.exec(
            select(sa.func.max(RelatedImport.as_of)).where(RelatedImport.kind == kind)
        ).one()
        if last is not None and as_of <= last:
            raise InvalidInput(
                "--as-of",
                "",
                _(
                    f"{kind} 清单上次导入的生效日为 {last}；新的导入须晚于该日（历史不改写）",
                    f"the {kind} list was last imported as of {last}; a new import must be as of "
                    f"a later day (history is never rewritten)",
                ),
            )
        imp = RelatedImport(
            kind=kind,
            file=str(path),
            format=tabular.format_of(path, fmt),
            as_of=as_of,
            imported_at=dt.datetime.now(dt.UTC),
            rows=len(entries),
        )
        s.add(imp)
        s.flush()
        open_rows = {
            code: (rid, digest, version)
            for code, rid, digest, version in s.exec(
                select(
                    RelatedEntryRow.code,
                    RelatedEntryRow.id,
                    RelatedEntryRow.digest,
                    RelatedEntryRow.version,
                ).where(RelatedEntryRow.kind == kind, RelatedEntryRow.valid_to.is_(None))
            )
        }
        new_codes = {e.code for e in entries}
        to_close = [rid for code, (rid, _, _) in open_rows.items() if code not in new_codes]
        removed = len(to_close)
        fresh = [e for e in entries if e.code not in open_rows]
        last_version: dict[str, int] = {}
        for chunk in _chunks([e.code for e in fresh]):
            for code, v in s.exec(
                select(RelatedEntryRow.code, sa.func.max(RelatedEntryRow.version))
                .where(RelatedEntryRow.kind == kind, RelatedEntryRow.code.in_(chunk))
                .group_by(RelatedEntryRow.code)
            ):
                last_version[code] = v
        inserts = []
        changed = unchanged = 0
        for e in entries:
            digest = e.digest
            if e.code in open_rows:
                rid, old_digest, version = open_rows[e.code]
                if old_digest == digest:
                    unchanged += 1
                    continue
                changed += 1
                to_close.append(rid)
                next_version = version + 1
            else:
                next_version = last_version.get(e.code, 0) + 1
            inserts.append(
                {
                    "kind": kind,
                    "code": e.code,
                    "version": next_version,
                    "name": e.name,
                    "department": e.department,
                    "domain": e.domain,
                    "data": e.data,
                    "digest": digest,
                    "valid_from": as_of,
                    "valid_to": None,
                    "import_id": imp.id,
                    "ended_import_id": None,
                }
            )
        table = RelatedEntryRow.__table__
        for chunk in _chunks(to_close):
            s.execute(
                sa.update(table)
                .where(table.c.id.in_(chunk))
                .values(valid_to=as_of, ended_import_id=imp.id)
            )
        for chunk in _chunks(inserts):
            s.execute(sa.insert(table), list(chunk))
        imp.added = len(fresh)
        imp.removed = removed
        imp.changed = changed
        imp.unchanged = unchanged
        s.add(imp)
        return RelatedImportResult(
            imp.id, kind, as_of, len(entries), len(fresh), removed, changed, unchanged
        )


def _entry(r: RelatedEntryRow) -> RelatedEntry:
    return RelatedEntry(
        kind=r.kind,
        code=r.code,
        name=r.name,
        version=r.version,
        valid_from=r.valid_from,
        valid_to=r.valid_to,
        department=r.department,
        domain=r.domain,
        data=dict(r.data),
    )


def _in_force(col_from, col_to, on: dt.date):
    return sa.and_(col_from <= on, sa.or_(col_to.is_(None), col_to > on))


def entries(store: Store, kind: str, on: dt.date) -> Iterator[RelatedEntry]:
    """The entries of the ``kind`` list in force on ``on``, streamed by code."""
    _check_kind(kind)
    with store.session() as s:
        q = (
            select(RelatedEntryRow)
            .where(
                RelatedEntryRow.kind == kind,
                _in_force(RelatedEntryRow.valid_from, RelatedEntryRow.valid_to, on),
            )
            .order_by(RelatedEntryRow.code)
            .execution_options(yield_per=BATCH)
        )
        for r in s.exec(q):
            yield _entry(r)


def _history(store: Store, kind: str, codes: Iterable[str]) -> dict[str, list[RelatedEntry]]:
    out: dict[str, list[RelatedEntry]] = defaultdict(list)
    with store.session() as s:
        for chunk in _chunks(sorted(set(codes))):
            q = (
                select(RelatedEntryRow)
                .where(RelatedEntryRow.kind == kind, RelatedEntryRow.code.in_(chunk))
                .order_by(RelatedEntryRow.code, RelatedEntryRow.version)
            )
            for r in s.exec(q):
                out[r.code].append(_entry(r))
    return out


def _what_changed(old: RelatedEntry, new: RelatedEntry) -> tuple[str, str]:
    if old.name != new.name:
        return "renamed", f"「{old.name}」→「{new.name}」"
    fields = [f for f in ("department", "domain") if getattr(old, f) != getattr(new, f)] + sorted(
        k for k in old.data.keys() | new.data.keys() if old.data.get(k) != new.data.get(k)
    )
    return "changed", ", ".join(
        f"{f}: {getattr(old, f, None) if f in ('department', 'domain') else old.data.get(f)!r} → "
        f"{getattr(new, f, None) if f in ('department', 'domain') else new.data.get(f)!r}"
        for f in fields
    )


def imported_kinds(store: Store) -> set[str]:
    with store.session() as s:
        return set(s.exec(select(RelatedImport.kind).distinct()))


def check_links(catalog: ItemCatalog, store: Store, on: dt.date) -> list[LinkProblem]:
    """Every broken link between the item list in force on ``on`` and the related lists.

    * an item whose linked entry was removed, renamed or changed after the item's version took
      effect (or whose link names it differently), or was never in the list (``unknown``);
    * every entry in force that no item links to (``uncovered``), except entries of domains
      the deployment does not enable.

    Kinds never imported are not checked (see :func:`imported_kinds`).
    """
    store.ensure_current()
    kinds = imported_kinds(store)
    rows = catalog.at(on, include_disabled=False)
    links = [(row.item, link) for row in rows for link in row.item.related if link.kind in kinds]
    out: list[LinkProblem] = []
    linked: dict[str, set[str]] = defaultdict(set)
    by_kind: dict[str, list] = defaultdict(list)
    for item, link in links:
        by_kind[link.kind].append((item, link))
        linked[link.kind].add(link.code)
    for kind, pairs in by_kind.items():
        history = _history(store, kind, [link.code for _, link in pairs])
        for item, link in pairs:
            base = dict(
                related_kind=kind,
                related_code=link.code,
                item_code=item.code,
                item_from=item.effective_from,
            )
            versions = history.get(link.code, [])
            if not versions:
                out.append(
                    LinkProblem(
                        "unknown", related_name=link.name, detail="not in the imported list", **base
                    )
                )
                continue
            current = next(
                (
                    v
                    for v in versions
                    if v.valid_from <= on and (v.valid_to is None or on < v.valid_to)
                ),
                None,
            )
            if current is None and all(v.valid_from > on for v in versions):
                current = versions[0]  # the list was first imported after ``on``
            if current is None:
                last = versions[-1]
                out.append(
                    LinkProblem(
                        "removed",
                        related_name=last.name,
                        since=last.valid_to,
                        detail=f"removed from the list as of {last.valid_to}",
                        **base,
                    )
                )
                continue
            later = [
                (prev, v)
                for prev, v in pairwise(versions)
                if item.effective_from < v.valid_from and v.version <= current.version
            ]
            if later:
                prev, v = later[-1]
                what, detail = _what_changed(prev, v)
                if any(_what_changed(p, n)[0] == "renamed" for p, n in later):
                    what = "renamed"
                    p, n = next((p, n) for p, n in later if p.name != n.name)
                    detail = _what_changed(p, n)[1]
                out.append(
                    LinkProblem(
                        what,
                        related_name=current.name,
                        since=v.valid_from,
                        detail=f"{detail} (as of {v.valid_from}, after the item's version of "
                        f"{item.effective_from})",
                        **base,
                    )
                )
            elif link.name and link.name != current.name:
                out.append(
                    LinkProblem(
                        "renamed",
                        related_name=current.name,
                        since=current.valid_from,
                        detail=f"the item links 「{link.name}」, the list says 「{current.name}」",
                        **base,
                    )
                )
    enabled = set(catalog.domains)
    for kind in sorted(kinds):
        for e in entries(store, kind, on):
            if e.code in linked[kind]:
                continue
            if e.domain is not None and e.domain not in enabled:
                continue
            out.append(
                LinkProblem(
                    "uncovered",
                    kind,
                    e.code,
                    related_name=e.name,
                    since=e.valid_from,
                    detail="no item in force links to this entry",
                )
            )
    return out


@frozen
class RelatedChange:
    kind: str
    code: str
    change: str
    """added | removed | renamed | changed"""
    on: dt.date
    name: str
    detail: str = ""


def changes_since(store: Store, since: dt.date, kind: str | None = None) -> list[RelatedChange]:
    """Every change to the related lists after ``since`` (exclusive), oldest first."""
    kinds = [kind] if kind else list(RELATED_KINDS)
    for k in kinds:
        _check_kind(k)
    out = []
    with store.session() as s:
        touched = s.exec(
            select(RelatedEntryRow.kind, RelatedEntryRow.code)
            .where(
                RelatedEntryRow.kind.in_(kinds),
                sa.or_(RelatedEntryRow.valid_from > since, RelatedEntryRow.valid_to > since),
            )
            .distinct()
        ).all()
    by_kind: dict[str, list[str]] = defaultdict(list)
    for k, c in touched:
        by_kind[k].append(c)
    for k, codes in by_kind.items():
        for code, versions in _history(store, k, codes).items():
            for prev, v in zip([None, *versions], versions, strict=False):
                gap = prev is not None and prev.valid_to != v.valid_from
                if gap and prev.valid_to is not None and prev.valid_to > since:
                    out.append(RelatedChange(k, code, "removed", prev.valid_to, prev.name))
                if v.valid_from > since:
                    if prev is None or prev.valid_to != v.valid_from:
                        out.append(RelatedChange(k, code, "added", v.valid_from, v.name))
                    else:
                        what, detail = _what_changed(prev, v)
                        out.append(RelatedChange(k, code, what, v.valid_from, v.name, detail))
            last = versions[-1]
            if last.valid_to is not None and last.valid_to > since:
                out.append(RelatedChange(k, code, "removed", last.valid_to, last.name))
    return sorted(out, key=lambda c: (c.on, c.kind, c.code))
