"""Export the item list as an official 监管事项清单 table (XLSX, CSV, JSON) and read it back.

Columns, in the order of an official table, Chinese headers; the readable columns come first,
then the coded columns that make the file import back losslessly (``onething items import``):

序号, 事项编码, 事项名称, 监管依据, 监管主体, 监管对象, 监管措施, 事项环节, 检查方式, 所属领域,
生效日期, 失效日期, 适用层级, 关联清单, 事项来源, 状态, 说明, 监管事项目录编码, 检查实施清单编码,
事项名称（英文）, 领域代码, 监管主体代码, 监管对象代码, 合并事项编码, 监管依据（结构化）,
关联清单（结构化）, 适用条件（结构化）, 国家编码（结构化）.

监管事项目录编码 and 检查实施清单编码 are the item's national codes in force on the list's day
(the deployment's province's 实施清单编码 where the item has one per province); their formats are
provisional (:mod:`onething.model.national`).

On import, 监管主体 / 监管措施 / 事项环节 / 检查方式 / 适用层级 accept the Chinese labels or the
codes; the coded columns, where present, win. The JSON form is published as
``onething/schemas/item-list.schema.json``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from attrs import evolve, field, frozen

from .. import schemas
from ..departments import department_name, unknown_department
from ..errors import InvalidInput
from ..i18n import _
from ..model import MEASURES, MODES, Basis, Item, NationalCode, RelatedLink, converter
from ..model.national import code_on
from ..model.national import problems as national_problems
from ..outfiles import escape_row, write_atomic
from ..tables import not_json, not_one_of, required
from . import tabular
from .model import ListedItem
from .unified import unify
from .versions import ItemCatalog, version_problems

UNIFIED = "unified"
UNIFIED_TITLE = "统一监管事项清单"
STAGE_ZH = {"before": "事前", "during": "事中", "after": "事后"}
LEVEL_ZH = {"province": "省级", "city": "市级", "county": "县级"}
LAYER_ZH = {"plugin": "省级清单", "extension": "本地新增"}
KIND_SHORT = {"licensing": "许可", "power": "权责", "random": "双随机", "key": "重点监管"}
ACTIVE, DISABLED = "在用", "停用"

COLUMNS: tuple[tuple[str, str, int], ...] = (
    # key, header, width (characters)
    ("seq", "序号", 6),
    ("code", "事项编码", 16),
    ("name_zh", "事项名称", 36),
    ("basis", "监管依据", 48),
    ("departments", "监管主体", 20),
    ("object_types", "监管对象", 24),
    ("measures", "监管措施", 20),
    ("stage", "事项环节", 8),
    ("modes", "检查方式", 16),
    ("domains", "所属领域", 14),
    ("effective_from", "生效日期", 12),
    ("effective_to", "失效日期", 12),
    ("levels", "适用层级", 14),
    ("related", "关联清单", 24),
    ("layer", "事项来源", 10),
    ("status", "状态", 16),
    ("reason", "说明", 24),
    ("catalogue_code", "监管事项目录编码", 18),
    ("implementation_code", "检查实施清单编码", 26),
    ("name_en", "事项名称（英文）", 36),
    ("domain_codes", "领域代码", 16),
    ("department_codes", "监管主体代码", 16),
    ("object_type_codes", "监管对象代码", 20),
    ("merged", "合并事项编码", 16),
    ("basis_json", "监管依据（结构化）", 30),
    ("related_json", "关联清单（结构化）", 20),
    ("condition_json", "适用条件（结构化）", 20),
    ("national_json", "国家编码（结构化）", 20),
)
HEADERS = {k: h for k, h, _ in COLUMNS}
REQUIRED = ("code", "name_zh", "name_en", "basis", "departments", "object_type_codes",
            "measures", "stage", "modes", "domain_codes", "effective_from")  # fmt: skip


@frozen
class ItemList:
    """A deployment's item list as exported: the unified list and one list per domain."""

    at: dt.date | None
    """The day the lists are in force; ``None`` for a full history (every version)."""
    sheets: dict[str, list[ListedItem]]
    """``unified`` and domain codes → rows, in sheet order."""
    titles: dict[str, str] = field(factory=dict)
    deployment: dict[str, str] = field(factory=dict)


def _plain(row: ListedItem) -> ListedItem:
    """The row as an export holds it (the data file a rule came from is not exported)."""
    return evolve(row, item=evolve(row.item, source=None))


def build(
    catalog: ItemCatalog,
    on: dt.date | None,
    *,
    domain: str | None = None,
    all_versions: bool = False,
) -> ItemList:
    """The item list of a deployment on ``on`` (or every version with ``all_versions``)."""
    domains = [domain] if domain else catalog.domains
    if domain is not None:
        catalog.at(dt.date.today(), domain)  # checks the domain is enabled
    sheets: dict[str, list[ListedItem]] = {}
    titles = {}
    if not all_versions and domain is None:
        elements = catalog.rulebook.elements(on)
        sheets[UNIFIED] = [
            _plain(r) for r in unify(catalog.at(on, include_disabled=False), elements)
        ]
        titles[UNIFIED] = UNIFIED_TITLE
    for d in domains:
        rows = catalog.versions(d) if all_versions else catalog.at(on, d)
        sheets[d] = [_plain(r) for r in rows]
        titles[d] = catalog.rulebook.rules(d).description.name_zh
    dep = catalog.deployment
    info = {"name": dep.name, "region": dep.region, "level": dep.level} if dep else {}
    return ItemList(None if all_versions else on, sheets, titles, info)


# -- rows ↔ cells -------------------------------------------------------------------------------


class Labels:
    """Chinese names of departments (at the deployment's level), object types and domains."""

    def __init__(self, catalog: ItemCatalog | None = None, level: str = "province"):
        self.level = level
        self.region: str | None = None
        """The deployment's province (GB/T 2260), whose 检查实施清单编码 the export shows."""
        self.object_types: dict[tuple[str, str], str] = {}
        self.domains: dict[str, str] = {}
        if catalog is not None:
            dep = catalog.deployment
            self.level = dep.level if dep else level
            self.region = f"{dep.region[:2]}0000" if dep else None
            for d in catalog.domains:
                desc = catalog.rulebook.rules(d).description
                self.domains[d] = desc.name_zh
                for t in desc.object_types:
                    self.object_types[(d, t.code)] = t.name_zh

    def object_type(self, domains: Sequence[str], code: str) -> str:
        return next(
            (self.object_types[(d, code)] for d in domains if (d, code) in self.object_types), code
        )


def _join(values) -> str:
    return "、".join(values)


def _national(i: Item, kind: str, on: dt.date | None, region: str | None) -> str:
    """The item's code of ``kind`` in force on ``on`` (on its version's first day for a full
    history), ``""`` when it has none."""
    code = code_on(i.national_codes, kind, on or i.effective_from, region)
    return code.code if code else ""


def cells(seq: int, row: ListedItem, labels: Labels, on: dt.date | None = None) -> dict[str, Any]:
    """One row as the table's cells, by column key (``on``: the list's day, for the national
    codes in force)."""
    i = row.item
    domains = row.domains or (i.domain,)
    return {
        "seq": seq,
        "code": i.code,
        "name_zh": i.name_zh,
        "basis": "\n".join(b.cite() for b in i.basis),
        "departments": _join(department_name(d, labels.level) for d in i.departments),
        "object_types": _join(labels.object_type(domains, t) for t in i.object_types),
        "measures": _join(MEASURES.get(m, m) for m in i.measures),
        "stage": STAGE_ZH[i.stage],
        "modes": _join(MODES.get(m, m) for m in i.modes),
        "domains": _join(labels.domains.get(d, d) for d in domains),
        "effective_from": i.effective_from.isoformat(),
        "effective_to": i.effective_to.isoformat() if i.effective_to else "",
        "levels": _join(LEVEL_ZH[lv] for lv in i.levels),
        "related": "\n".join(
            f"{KIND_SHORT[r.kind]} {r.code}" + (f" {r.name}" if r.name else "") for r in i.related
        ),
        "layer": LAYER_ZH[row.layer],
        "status": ACTIVE if row.active else f"{DISABLED}：{row.disabled}",
        "reason": row.reason or "",
        "catalogue_code": _national(i, "catalogue", on, labels.region),
        "implementation_code": _national(i, "implementation", on, labels.region),
        "name_en": i.name_en,
        "domain_codes": _join(domains),
        "department_codes": _join(i.departments),
        "object_type_codes": _join(i.object_types),
        "merged": _join(row.merged),
        "basis_json": json.dumps(converter.unstructure(i.basis), ensure_ascii=False),
        "related_json": json.dumps(converter.unstructure(i.related), ensure_ascii=False)
        if i.related
        else "",
        "condition_json": json.dumps(i.condition, ensure_ascii=False) if i.condition else "",
        "national_json": json.dumps(converter.unstructure(i.national_codes), ensure_ascii=False)
        if i.national_codes
        else "",
    }


def as_json(row: ListedItem, seq: int) -> dict[str, Any]:
    """The documented JSON form of one row (``item-list.schema.json#/$defs/row``)."""
    data = converter.unstructure(row.item)
    data.pop("source", None)
    return {
        "seq": seq,
        **data,
        "domains": list(row.domains or (row.item.domain,)),
        "merged": list(row.merged),
        "layer": row.layer,
        "reason": row.reason,
        "disabled": row.disabled,
    }


def to_json(lists: ItemList) -> dict[str, Any]:
    return {
        "$schema": "https://onething.dev/schemas/item-list.schema.json",
        "deployment": lists.deployment,
        "at": lists.at.isoformat() if lists.at else None,
        "lists": [
            {
                "sheet": key,
                "title": lists.titles.get(key, key),
                "items": [as_json(r, n) for n, r in enumerate(rows, 1)],
            }
            for key, rows in lists.sheets.items()
        ],
    }


def _sheet_title(key: str, title: str) -> str:
    if key == UNIFIED:
        return title[:31]
    t = re.sub(r"[\[\]:*?/\\]", "", f"{title}（{key}）")
    return t[:31]


def write(
    lists: ItemList,
    fmt: str,
    out: Path | None,
    labels: Labels,
    sheet: str | None = None,
    *,
    force: bool = False,
    protected: Iterable[Path | None] = (),
) -> bytes:
    """The export as bytes (written to ``out`` when given, through
    :func:`onething.outfiles.write_atomic`: an existing file only with ``force``). CSV holds
    one list: ``sheet``, else the unified list, else the only or first domain's."""
    if fmt == "json":
        data = to_json(lists)
        schemas.check(data, "item-list", location="export")
        blob = json.dumps(data, ensure_ascii=False, indent=2).encode()
    elif fmt == "csv":
        key = sheet or (UNIFIED if UNIFIED in lists.sheets else next(iter(lists.sheets)))
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow([h for _key, h, _width in COLUMNS])
        for n, row in enumerate(lists.sheets[key], 1):
            c = cells(n, row, labels, lists.at)
            w.writerow(escape_row(c[k] for k, _h, _w in COLUMNS))
        blob = ("\ufeff" + buf.getvalue()).encode()  # BOM: spreadsheet programs read UTF-8
    elif fmt == "xlsx":
        blob = _xlsx(lists, labels)
    else:
        raise InvalidInput(
            "--format",
            "",
            _(
                f"未知的格式 {fmt!r}；应为 xlsx、csv 或 json",
                f"unknown format {fmt!r}; expected xlsx, csv or json",
            ),
        )
    if out is not None:
        write_atomic(out, blob, force=force, protected=protected)
    return blob


def _lines(text: str, width: int) -> int:
    """How many lines ``text`` takes wrapped in a column ``width`` characters wide (a CJK
    character is two), so that rows get a readable height in every spreadsheet program."""
    total = 0
    for line in text.splitlines() or [""]:
        w = sum(2 if ord(ch) > 0x2E7F else 1 for ch in line)
        total += max(1, -(-w // max(1, width - 4)))
    return total


def _xlsx(lists: ItemList, labels: Labels) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    head_font = Font(bold=True, color="FFFFFF")
    head_fill = PatternFill("solid", fgColor="305496")
    coded_fill = PatternFill("solid", fgColor="808080")
    disabled_font = Font(color="9C0006")
    thin = Side(style="thin", color="BFBFBF")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    first_coded = next(n for n, (k, _h, _w) in enumerate(COLUMNS) if k == "name_en")
    for key, rows in lists.sheets.items():
        ws = wb.create_sheet(_sheet_title(key, lists.titles.get(key, key)))
        ws.append([h for _key, h, _width in COLUMNS])
        for n, (_key, _h, width) in enumerate(COLUMNS, 1):
            cell = ws.cell(row=1, column=n)
            cell.font = head_font
            cell.fill = coded_fill if n > first_coded else head_fill
            cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
            cell.border = border
            ws.column_dimensions[get_column_letter(n)].width = width
        for n, row in enumerate(rows, 1):
            c = cells(n, row, labels, lists.at)
            ws.append(escape_row(c[k] if c[k] != "" else None for k, _h, _w in COLUMNS))
            lines = max(_lines(str(c[k]), width) for k, _h, width in COLUMNS[:first_coded])
            ws.row_dimensions[n + 1].height = min(15 * lines, 180)
            for cell in ws[n + 1]:
                cell.alignment = wrap
                cell.border = border
                if not row.active:
                    cell.font = disabled_font
        ws.freeze_panes = "C2"
        ws.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{max(1, len(rows) + 1)}"
        ws.row_dimensions[1].height = 30
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.orientation = "landscape"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.print_title_rows = "1:1"
        ws.print_area = f"A1:{get_column_letter(first_coded)}{len(rows) + 1}"
    if not lists.sheets:
        wb.create_sheet(UNIFIED_TITLE)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# -- import -------------------------------------------------------------------------------------

_MEASURE_CODES = {**{v: k for k, v in MEASURES.items()}, **{k: k for k in MEASURES}}
_MODE_CODES = {**{v: k for k, v in MODES.items()}, **{k: k for k in MODES}, "重点": "key"}
_STAGE_CODES = {**{v: k for k, v in STAGE_ZH.items()}, **{k: k for k in STAGE_ZH}}
_LEVEL_CODES = {**{v: k for k, v in LEVEL_ZH.items()}, **{k: k for k in LEVEL_ZH}}
_LAYER_CODES = {**{v: k for k, v in LAYER_ZH.items()}, **{k: k for k in LAYER_ZH}}
_KIND_CODES = {v: k for k, v in KIND_SHORT.items()}
_CODE = re.compile(r"^[a-z][a-z0-9_]*\.[0-9]{3}$")
_CITE = re.compile(r"^(《(?P<law>[^》]+)》|(?P<std>\S+))(（(?P<rev>[^）]*)）)?(?P<article>.*)$")


def _coded(
    row: tabular.Row, key: str, table: dict[str, str], *, required: bool = True
) -> list[str]:
    header = HEADERS[key]
    values = tabular.split_list(row.text(header))
    if not values and required:
        raise row.error(header, required())
    out = []
    for v in values:
        if v not in table:
            raise row.error(header, not_one_of(v, sorted(set(table))))
        out.append(table[v])
    return out


def _json_cell(row: tabular.Row, key: str) -> Any:
    text = row.text(HEADERS[key])
    if text is None:
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise row.error(HEADERS[key], not_json(exc.msg)) from None


def _basis(row: tabular.Row) -> tuple[Basis, ...]:
    raw = _json_cell(row, "basis_json")
    if raw is not None:
        try:
            return tuple(converter.structure(raw, tuple[Basis, ...]))
        except Exception as exc:
            raise row.error(
                HEADERS["basis_json"], _(f"不是依据列表：{exc}", f"not a list of bases: {exc}")
            ) from None
    out = []
    for line in (row.required(HEADERS["basis"])).splitlines():
        m = _CITE.match(line.strip())
        law = (m.group("law") or m.group("std")) if m else line.strip()
        article = (m.group("article") or "").strip() or None if m else None
        out.append(Basis(law=law, article=article, revision=m.group("rev") if m else None))
    return tuple(out)


def _related(row: tabular.Row) -> tuple[RelatedLink, ...]:
    raw = _json_cell(row, "related_json")
    if raw is not None:
        try:
            return tuple(converter.structure(raw, tuple[RelatedLink, ...]))
        except Exception as exc:
            raise row.error(
                HEADERS["related_json"], _(f"不是关联列表：{exc}", f"not a list of links: {exc}")
            ) from None
    out = []
    for line in (row.text(HEADERS["related"]) or "").splitlines():
        parts = line.split(maxsplit=2)
        if len(parts) < 2 or parts[0] not in _KIND_CODES:
            raise row.error(
                HEADERS["related"],
                _(
                    f"每行应为 '<{'|'.join(_KIND_CODES)}> <编码> [名称]'，得到 {line!r}",
                    f"expected '<{'|'.join(_KIND_CODES)}> <code> [name]' per line, got {line!r}",
                ),
            )
        out.append(
            RelatedLink(_KIND_CODES[parts[0]], parts[1], parts[2] if len(parts) > 2 else None)
        )
    return tuple(out)


def _national_codes(row: tabular.Row) -> tuple[NationalCode, ...]:
    """The structured column when present; else the two readable code columns, as codes in
    force from the item version's first day (status unconfirmed: read from a table)."""
    raw = _json_cell(row, "national_json")
    if raw is not None:
        try:
            codes = tuple(converter.structure(raw, tuple[NationalCode, ...]))
        except Exception as exc:
            raise row.error(
                HEADERS["national_json"],
                _(f"不是国家编码列表：{exc}", f"not a list of national codes: {exc}"),
            ) from None
        header = HEADERS["national_json"]
    else:
        start = row.date(HEADERS["effective_from"], required=True)
        codes = tuple(
            NationalCode(kind, text, start, source="item-list import")
            for kind in ("catalogue", "implementation")
            if (text := row.text(HEADERS[f"{kind}_code"]))
        )
        header = HEADERS["catalogue_code"]
    for problem in national_problems(codes, "national codes"):
        raise row.error(header, problem)
    return codes


def _row(row: tabular.Row, depts: dict[str, str]) -> ListedItem:
    h = HEADERS
    code = row.required(h["code"])
    if not _CODE.match(code):
        raise row.error(
            h["code"],
            _(f"应为 <领域>.<nnn>，得到 {code!r}", f"expected <domain>.<nnn>, got {code!r}"),
        )
    domains = tabular.split_list(row.required(h["domain_codes"]))
    if not code.startswith(f"{domains[0]}."):
        raise row.error(
            h["domain_codes"],
            _(
                f"事项 {code} 不属于领域 {domains[0]!r}",
                f"item {code} does not belong to domain {domains[0]!r}",
            ),
        )
    dept_header = h["department_codes"] if row.text(h["department_codes"]) else h["departments"]
    dept_values = tabular.split_list(row.text(dept_header))
    if not dept_values:
        raise row.error(dept_header, required())
    for v in dept_values:
        if v not in depts:
            raise row.error(dept_header, unknown_department(v))
    status = row.text(h["status"]) or ACTIVE
    disabled = None
    if status != ACTIVE:
        prefix = f"{DISABLED}："
        if not status.startswith(prefix) or len(status) == len(prefix):
            raise row.error(
                h["status"],
                _(
                    f"应为 {ACTIVE!r} 或 '{prefix}<原因>'，得到 {status!r}",
                    f"expected {ACTIVE!r} or '{prefix}<reason>', got {status!r}",
                ),
            )
        disabled = status[len(prefix) :]
    layer = _coded(row, "layer", _LAYER_CODES, required=False) or ["plugin"]
    levels = _coded(row, "levels", _LEVEL_CODES, required=False) or ["province", "city", "county"]
    item = Item(
        code=code,
        domain=domains[0],
        name_zh=row.required(h["name_zh"]),
        name_en=row.required(h["name_en"]),
        basis=_basis(row),
        departments=[depts[v] for v in dept_values],
        object_types=tabular.split_list(row.required(h["object_type_codes"])),
        measures=_coded(row, "measures", _MEASURE_CODES),
        stage=_coded(row, "stage", _STAGE_CODES)[0],
        effective_from=row.date(h["effective_from"], required=True),
        effective_to=row.date(h["effective_to"]),
        levels=levels,
        modes=_coded(row, "modes", _MODE_CODES),
        related=_related(row),
        condition=_json_cell(row, "condition_json"),
        national_codes=_national_codes(row),
    )
    if item.effective_to is not None and item.effective_to <= item.effective_from:
        raise row.error(
            h["effective_to"],
            _(
                f"失效日 {item.effective_to} 不晚于生效日 {item.effective_from}",
                f"effective_to {item.effective_to} is not after effective_from {item.effective_from}",
            ),
        )
    return ListedItem(
        item,
        layer=layer[0],
        domains=domains,
        merged=tabular.split_list(row.text(h["merged"])),
        reason=row.text(h["reason"]),
        disabled=disabled,
    )


def _rows(table: tabular.Table) -> list[ListedItem]:
    table.require(*(HEADERS[k] for k in REQUIRED))
    depts = tabular.department_codes()
    out: list[ListedItem] = []
    where: dict[tuple[str, dt.date], tabular.Row] = {}
    by_code: dict[str, list[tuple[ListedItem, tabular.Row]]] = {}
    for row in table.rows:
        listed = _row(row, depts)
        key = (listed.code, listed.item.effective_from)
        if key in where:
            raise row.error(
                HEADERS["code"],
                _(
                    f"编码 {listed.code} 重复（自 {key[1]} 起的版本已在 {where[key].where()}）",
                    f"duplicate code {listed.code} (the version from {key[1]} is already at "
                    f"{where[key].where()})",
                ),
            )
        where[key] = row
        for other, other_row in by_code.get(listed.code, []):
            if version_problems([other.item, listed.item]):
                raise row.error(
                    HEADERS["effective_from"],
                    _(
                        f"事项 {listed.code}：此版本与 {other_row.where()} 自 "
                        f"{other.item.effective_from} 起的版本重叠",
                        f"item {listed.code}: this version overlaps the version from "
                        f"{other.item.effective_from} at {other_row.where()}",
                    ),
                )
        by_code.setdefault(listed.code, []).append((listed, row))
        out.append(listed)
    return out


def _sheet_key(title: str) -> str:
    if title == UNIFIED_TITLE[:31]:
        return UNIFIED
    m = re.search(r"（([a-z][a-z0-9_]*)）$", title)
    return m.group(1) if m else title


def read(path: str | Path, fmt: str | None = None) -> ItemList:
    """Read an exported item list back (XLSX: every sheet; CSV: one list; JSON: every list).

    :raises InvalidInput: naming ``file:row:column`` (``file[sheet]:row:column`` in a workbook)
        of the first problem: missing column, duplicate code, unknown department, overlapping
        versions, an end before the start, a value outside the vocabulary.
    """
    path = Path(path)
    tabular.check_exists(path)
    fmt = tabular.format_of(path, fmt)
    if fmt == "csv":
        return ItemList(None, {"list": _rows(tabular.read_csv(path))})
    if fmt == "xlsx":
        sheets, titles = {}, {}
        for title in tabular.xlsx_sheets(path):
            key = _sheet_key(title)
            sheets[key] = _rows(tabular.read_xlsx(path, title))
            titles[key] = UNIFIED_TITLE if key == UNIFIED else title.removesuffix(f"（{key}）")
        return ItemList(None, sheets, titles)
    data = tabular.load_json(path)
    schemas.check(data, "item-list", location=str(path))
    sheets, titles = {}, {}
    known = set(tabular.department_codes().values())
    for n, lst in enumerate(data["lists"]):
        rows = []
        seen: dict[tuple[str, dt.date], str] = {}
        for k, raw in enumerate(lst["items"]):
            raw = dict(raw)
            where = f"{path}:lists[{n}].items[{k}]"
            extra = {
                f: raw.pop(f) for f in ("seq", "domains", "merged", "layer", "reason", "disabled")
            }
            try:
                item = converter.structure(raw, Item)
            except Exception as exc:
                raise InvalidInput(where, "", f"not an item: {exc}") from None
            for problem in national_problems(item.national_codes, "national_codes"):
                raise InvalidInput(where, "national_codes", problem)
            for d, dept in enumerate(item.departments):
                if dept not in known:
                    raise InvalidInput(
                        where,
                        f"departments[{d}]",
                        unknown_department(dept),
                    )
            if (item.code, item.effective_from) in seen:
                raise InvalidInput(
                    where,
                    "code",
                    f"duplicate code {item.code} (already at {seen[(item.code, item.effective_from)]})",
                )
            seen[(item.code, item.effective_from)] = where
            rows.append(
                ListedItem(
                    item,
                    extra["layer"],
                    extra["domains"],
                    extra["merged"],
                    extra["reason"],
                    extra["disabled"],
                )
            )
        problems = version_problems(
            [r.item for r in rows], where=lambda i, n=n: f"{path}:lists[{n}]"
        )
        if problems:
            raise InvalidInput(str(path), f"lists[{n}]", problems[0])
        sheets[lst["sheet"]] = rows
        titles[lst["sheet"]] = lst["title"]
    at = dt.date.fromisoformat(data["at"]) if data.get("at") else None
    return ItemList(at, sheets, titles, data.get("deployment", {}))
