"""Read CSV, XLSX and JSON tables row by row, keeping where each value came from so that
every error can say ``file:row:column``."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from attrs import frozen
from openpyxl.utils import get_column_letter

from ..departments import departments
from ..errors import InvalidInput
from ..i18n import _
from ..tables import csv_problem, not_json, required, unique_header
from ..textfiles import read_utf8

FORMATS = ("csv", "xlsx", "json")


def format_of(path: Path, fmt: str | None = None) -> str:
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    if fmt not in FORMATS:
        raise InvalidInput(
            str(path),
            "",
            _(
                f"未知格式 {fmt!r}；应为 {'、'.join(FORMATS)} 之一",
                f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}",
            ),
        )
    return fmt


@frozen
class Row:
    """One data row: its values by header, and how to name a cell in a message."""

    file: str
    number: int
    """1-based line (CSV), sheet row (XLSX) or array index + 1 (JSON)."""
    values: dict[str, Any]
    columns: dict[str, str]
    """Header → column letter (CSV/XLSX) or key (JSON)."""
    sheet: str | None = None

    def where(self, header: str | None = None) -> str:
        file = f"{self.file}[{self.sheet}]" if self.sheet else self.file
        if header is None:
            return f"{file}:{self.number}"
        return f"{file}:{self.number}:{self.columns.get(header, header)}"

    def error(self, header: str | None, message: str) -> InvalidInput:
        return InvalidInput(self.where(header), header or "", message)

    def text(self, header: str) -> str | None:
        v = self.values.get(header)
        if v is None:
            return None
        if isinstance(v, dt.datetime):
            v = v.date()
        if isinstance(v, dt.date):
            return v.isoformat()
        s = str(v).strip()
        return s or None

    def required(self, header: str) -> str:
        v = self.text(header)
        if v is None:
            raise self.error(header, required())
        return v

    def date(self, header: str, *, required: bool = False) -> dt.date | None:
        v = self.values.get(header)
        if isinstance(v, dt.datetime):
            return v.date()
        if isinstance(v, dt.date):
            return v
        s = self.text(header)
        if s is None:
            if required:
                raise self.error(
                    header, _("必须填写日期（YYYY-MM-DD）", "a date (YYYY-MM-DD) is required")
                )
            return None
        try:
            return dt.date.fromisoformat(s)
        except ValueError:
            raise self.error(
                header,
                _(f"应为日期 YYYY-MM-DD，得到 {s!r}", f"expected a date YYYY-MM-DD, got {s!r}"),
            ) from None


@frozen
class Table:
    file: str
    headers: tuple[str, ...]
    rows: Iterator[Row]
    sheet: str | None = None

    def require(self, *headers: str) -> None:
        missing = [h for h in headers if h not in self.headers]
        if missing:
            where = f"{self.file}[{self.sheet}]" if self.sheet else self.file
            raise InvalidInput(
                f"{where}:1",
                missing[0],
                _(
                    f"缺少列 {'、'.join(missing)}；文件中的列：{'、'.join(self.headers)}",
                    f"missing column(s) {', '.join(missing)}; the file has: "
                    f"{', '.join(self.headers)}",
                ),
            )


def _tabular(file: str, rows: Iterator[tuple], sheet: str | None = None) -> Table:
    try:
        header_row = next(rows)
    except StopIteration:
        raise InvalidInput(
            file, "", _("文件为空（应有表头行）", "the file is empty (expected a header row)")
        ) from None
    headers = tuple("" if h is None else str(h).strip() for h in header_row)
    unique_header(file, list(headers))
    columns = {h: get_column_letter(n + 1) for n, h in enumerate(headers) if h}

    def gen() -> Iterator[Row]:
        for number, raw in enumerate(rows, start=2):
            if all(v is None or str(v).strip() == "" for v in raw):
                continue
            if len(raw) > len(headers) and any(v not in (None, "") for v in raw[len(headers) :]):
                raise InvalidInput(
                    f"{file}:{number}", "", _("值多于表头列数", "more values than header columns")
                )
            values = {h: v for h, v in zip(headers, raw, strict=False) if h}
            yield Row(file, number, values, columns, sheet)

    return Table(file, tuple(h for h in headers if h), gen(), sheet)


def read_csv(path: Path) -> Table:
    text = read_utf8(path)  # whole: an encoding error is located before any row is used
    reader = csv.reader(io.StringIO(text, newline=""))

    def records() -> Iterator[tuple]:
        try:
            yield from (tuple(r) for r in reader)
        except csv.Error as exc:
            raise InvalidInput(f"{path}:{reader.line_num}", "", csv_problem(exc)) from None

    return _tabular(str(path), records())


def xlsx_sheets(path: Path) -> list[str]:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True)
    try:
        return list(wb.sheetnames)
    finally:
        wb.close()


def read_xlsx(path: Path, sheet: str | None = None) -> Table:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        raise InvalidInput(
            str(path),
            "",
            _(f"不是可读的 XLSX 工作簿：{exc}", f"not a readable XLSX workbook: {exc}"),
        ) from None
    if sheet is not None and sheet not in wb.sheetnames:
        raise InvalidInput(
            str(path),
            sheet,
            _(
                f"没有这个工作表；工作表有：{'、'.join(wb.sheetnames)}",
                f"no such sheet; sheets: {', '.join(wb.sheetnames)}",
            ),
        )
    ws = wb[sheet] if sheet is not None else wb.worksheets[0]
    return _tabular(str(path), ws.iter_rows(values_only=True), ws.title if sheet else None)


def read_json_rows(path: Path, data: list[Any], key: str = "") -> Table:
    file = str(path)
    headers: dict[str, None] = {}
    for n, obj in enumerate(data):
        if not isinstance(obj, dict):
            raise InvalidInput(f"{file}:{n + 1}", key, _("应为对象", "expected an object"))
        headers.update(dict.fromkeys(obj))

    def gen() -> Iterator[Row]:
        for n, obj in enumerate(data):
            yield Row(file, n + 1, obj, {h: h for h in obj})

    return Table(file, tuple(headers), gen())


def load_json(path: Path) -> Any:
    try:
        return json.loads(read_utf8(path))
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"{path}:{exc.lineno}:{exc.colno}", "", not_json(exc.msg)) from None


def department_codes() -> dict[str, str]:
    """Department code and every Chinese and English name → code."""
    out = {}
    for d in departments().values():
        for name in (d.code, d.province, d.city, d.county, d.name_en):
            out.setdefault(name, d.code)
    return out


def split_list(value: str | None) -> list[str]:
    """A cell holding several values: separated by 、 ; ； , ， or new lines."""
    if not value:
        return []
    for sep in ("；", ";", "，", ",", "\n"):
        value = value.replace(sep, "、")
    return [v.strip() for v in value.split("、") if v.strip()]


def check_exists(path: Path) -> None:
    if not path.is_file():
        raise InvalidInput(str(path), "", _("文件不存在", "file not found"))
