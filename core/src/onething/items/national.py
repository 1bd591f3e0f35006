"""A national catalogue (国家监管事项目录) mapped onto onething's items: ``onething items
import-related --kind catalogue FILE``.

The file (CSV, XLSX or JSON rows; Chinese or English headers) lists the catalogue's entries:

=============  ===========================  ===============================================
column         also accepted                value
=============  ===========================  ===============================================
code           监管事项目录编码, 编码          the entry's 14-digit code (required, unique; the
                                            format is provisional, ``onething.model.national``)
name           事项名称, 名称                  the entry's name (required)
item           onething事项编码, 事项编码      the onething item it is (optional)
=============  ===========================  ===============================================

An entry is matched to the onething items in force on the day that carry its code, or to the
item its ``item`` column names. The report lists the matches, the entries without an onething
item, the items in force without a national code, and the conflicts (an entry naming an item
that carries another code). Nothing is stored: the codes themselves are the domain owners'
data (``national_codes`` of an item), the report tells them what to fill in.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from attrs import field, frozen

from ..i18n import _
from ..model.national import code_on, code_problem
from . import tabular

ALIASES = {
    "code": ("code", "监管事项目录编码", "编码"),
    "name": ("name", "事项名称", "名称"),
    "item": ("item", "onething事项编码", "事项编码"),
}


@frozen
class CatalogueReport:
    on: dt.date
    entries: int
    matched: tuple[tuple[str, str, str], ...] = field(converter=tuple)
    """(national code, onething item, how: ``code`` carried by the item | ``file`` named)"""
    national_without_item: tuple[tuple[str, str], ...] = field(converter=tuple)
    items_without_code: tuple[tuple[str, str], ...] = field(converter=tuple)
    """items in force no entry of the file matched (no code, or one the file does not list)"""
    conflicts: tuple[tuple[str, str, str], ...] = field(converter=tuple)
    """(national code, onething item named, the code the item carries)"""

    def as_json(self) -> dict[str, Any]:
        return {
            "on": self.on.isoformat(),
            "entries": self.entries,
            "matched": [{"code": c, "item": i, "by": b} for c, i, b in self.matched],
            "national_without_item": [
                {"code": c, "name": n} for c, n in self.national_without_item
            ],
            "items_without_code": [{"item": i, "name": n} for i, n in self.items_without_code],
            "conflicts": [{"code": c, "item": i, "item_code": x} for c, i, x in self.conflicts],
        }


def _table(path: Path, fmt: str | None) -> tabular.Table:
    from ..errors import InvalidInput

    tabular.check_exists(path)
    fmt = tabular.format_of(path, fmt)
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


def map_catalogue(
    rulebook, path: str | Path, *, on: dt.date, fmt: str | None = None
) -> CatalogueReport:
    """Read a national catalogue file and map it onto the items in force on ``on``.

    :raises InvalidInput: naming ``file:row`` and the column: a missing column, a code not of
        14 digits, a code given twice, an item code onething does not have."""
    from ..errors import InvalidInput

    path = Path(path)
    table = _table(path, fmt)
    header = {}
    for key, names in ALIASES.items():
        found = [h for h in table.headers if h in names]
        if found:
            header[key] = found[0]
    for key in ("code", "name"):
        if key not in header:
            raise InvalidInput(
                f"{path}:1",
                ALIASES[key][0],
                _(
                    f"缺少列 {ALIASES[key][0]!r}（或 {', '.join(ALIASES[key][1:])}）；"
                    f"文件的列：{', '.join(table.headers) or '（无）'}",
                    f"missing column {ALIASES[key][0]!r} (or {', '.join(ALIASES[key][1:])}); the "
                    f"file has: {', '.join(table.headers) or '(none)'}",
                ),
            )
    items = {i.code: i for i in rulebook.items(on)}
    carried: dict[str, list[str]] = {}
    for i in items.values():
        c = code_on(i.national_codes, "catalogue", on)
        if c is not None:
            carried.setdefault(c.code, []).append(i.code)
    entries: list[tuple[str, str, str | None]] = []
    seen: dict[str, str] = {}
    for row in table.rows:
        code = row.required(header["code"])
        if (problem := code_problem("catalogue", code)) is not None:
            raise row.error(header["code"], problem)
        if code in seen:
            raise row.error(
                header["code"],
                _(
                    f"编码 {code} 重复（首次出现在 {seen[code]}）",
                    f"code {code} is given twice (first at {seen[code]})",
                ),
            )
        seen[code] = row.where()
        item = row.text(header["item"]) if "item" in header else None
        if item is not None and item not in items:
            raise row.error(
                header["item"],
                _(
                    f"{on} 没有有效的事项 {item!r}（见 `onething items list`）",
                    f"no onething item {item!r} in force on {on} (`onething items list`)",
                ),
            )
        entries.append((code, row.required(header["name"]), item))
    matched, without, conflicts = [], [], []
    covered: set[str] = set()
    for code, name, item in entries:
        mine = [(i, "code") for i in carried.get(code, [])]
        if item is not None and item not in carried.get(code, []):
            other = code_on(items[item].national_codes, "catalogue", on)
            if other is not None:
                conflicts.append((code, item, other.code))
            else:
                mine.append((item, "file"))
        matched += [(code, i, how) for i, how in mine]
        covered |= {i for i, _ in mine}
        if not mine:
            without.append((code, name))
    conflicted = {i for _, i, _ in conflicts}
    no_code = [
        (i.code, i.name_zh)
        for i in sorted(items.values(), key=lambda i: i.code)
        if i.code not in covered and i.code not in conflicted
    ]
    return CatalogueReport(
        on=on,
        entries=len(entries),
        matched=matched,
        national_without_item=without,
        items_without_code=no_code,
        conflicts=conflicts,
    )
