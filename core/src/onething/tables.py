"""What a tabular input (CSV, XLSX, JSON Lines) may be, decided in one place.

* A header names each column once: a repeated name would let its last column silently win.
* A field holds at most :data:`FIELD_LIMIT` characters, in every format: CSV's parser has a
  limit of its own (Python's default, 128 Ki characters), JSON Lines had none; one limit with
  one message means a row is accepted or refused alike whichever format carries it.
* A CSV file is UTF-8 with or without a BOM (:func:`onething.textfiles.read_utf8`).

The registry's importer streams its files (:mod:`onething.registry.sources`) and uses the
checks here; the small tables (inspector pools, facts) are read whole by :func:`read_table`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from .errors import InvalidInput
from .i18n import _
from .textfiles import read_utf8, require_file

#: Characters in one field: the ``csv`` module's own default limit, made that of every format.
FIELD_LIMIT = 128 * 1024


def too_long(size: int | None = None) -> str:
    """The one message for a field over :data:`FIELD_LIMIT`."""
    got = "" if size is None else _(f"（{size} 个字符）", f" ({size} characters)")
    return _(
        f"字段超过 {FIELD_LIMIT} 个字符的上限{got}",
        f"a field is longer than the limit of {FIELD_LIMIT} characters{got}",
    )


def unknown_column(columns: Iterable[str]) -> str:
    """The one message for a column that is not one of ``columns``."""
    columns = list(columns)
    return _(
        f"未知列；应为 {'、'.join(columns)}",
        f"unknown column; expected {', '.join(columns)}",
    )


def missing_columns(missing: Iterable[str], columns: Iterable[str]) -> str:
    """The one message for required columns a file lacks (``columns``: what it should have)."""
    missing, columns = list(missing), list(columns)
    return _(
        f"缺少列 {'、'.join(missing)}；应有 {'、'.join(columns)}",
        f"missing column(s) {', '.join(missing)}; expected {', '.join(columns)}",
    )


def not_json(msg: str, column: int | None = None) -> str:
    """The one message for text that is not JSON (``msg``: the parser's own words)."""
    if column is None:
        return _(f"不是有效的 JSON：{msg}", f"not valid JSON: {msg}")
    return _(
        f"不是有效的 JSON：{msg}（第 {column} 列）",
        f"not valid JSON: {msg} (column {column})",
    )


def required() -> str:
    """The one message for an empty required value."""
    return _("必须填写", "a value is required")


def not_one_of(value: object, allowed: Iterable[object]) -> str:
    """The one message for a value outside a closed list."""
    shown = [str(a) for a in allowed]
    return _(
        f"{value!r} 不是 {'、'.join(shown)} 之一",
        f"{value!r} is not one of {', '.join(shown)}",
    )


def csv_problem(exc: csv.Error) -> str:
    """What a ``csv.Error`` means, in the words the user needs."""
    if "field larger than field limit" in str(exc):
        return too_long()
    return _(f"不是有效的 CSV：{exc}", f"not valid CSV: {exc}")


def long_field(row: Mapping[str, Any]) -> tuple[str, int] | None:
    """The first field of a JSON row over :data:`FIELD_LIMIT` (nested values count as their
    JSON text), with its size; None if every field fits."""
    import json

    for key, value in row.items():
        if isinstance(value, str):
            size = len(value)
        elif isinstance(value, (dict, list)):
            size = len(json.dumps(value, ensure_ascii=False))
        else:
            continue
        if size > FIELD_LIMIT:
            return str(key), size
    return None


def unique_header(where: str, header: list[str]) -> list[str]:
    """``header`` if no name repeats, else an error at line 1 naming both columns."""
    seen: dict[str, int] = {}
    for i, name in enumerate(header, 1):
        if name and name in seen:
            raise InvalidInput(
                f"{where}:1",
                name,
                _(
                    f"表头 {name!r} 重复：第 {seen[name]} 列和第 {i} 列",
                    f"header {name!r} repeats: columns {seen[name]} and {i}",
                ),
            )
        seen[name] = i
    return header


def read_table(path: Path) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    """The header and ``(line, row)`` of a small CSV (read whole) or XLSX (first sheet) file,
    values stripped, blank rows skipped; a malformed file raises :class:`InvalidInput`."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return _xlsx(path)
    if suffix != ".csv":
        raise InvalidInput(
            str(path), "", _("应为 .csv 或 .xlsx 文件", "expected a .csv or .xlsx file")
        )
    text = read_utf8(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        records = [(reader.line_num, values) for values in reader]
    except csv.Error as exc:
        raise InvalidInput(f"{path}:{reader.line_num}", "", csv_problem(exc)) from None
    if not records:
        raise InvalidInput(
            str(path), "", _("文件为空：应有表头行", "empty file: expected a header")
        )
    header = unique_header(str(path), [h.strip() for h in records[0][1]])
    return header, _dicts(str(path), header, records[1:])


def _xlsx(path: Path) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    from openpyxl import load_workbook

    require_file(path)
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        raise InvalidInput(
            str(path),
            "",
            _(f"不是可读的 XLSX 工作簿：{exc}", f"not a readable XLSX workbook: {exc}"),
        ) from None
    try:
        rows = list(wb.worksheets[0].iter_rows(values_only=True))
    finally:
        wb.close()
    if not rows:
        raise InvalidInput(
            str(path), "", _("工作表为空：应有表头行", "empty sheet: expected a header")
        )
    header = [str(h or "").strip() for h in rows[0]]
    while header and not header[-1]:
        header.pop()
    unique_header(str(path), header)
    cells = ([("" if v is None else str(v)) for v in r] for r in rows[1:])
    return header, _dicts(str(path), header, enumerate(cells, 2))


def _dicts(where, header, records) -> Iterator[tuple[int, dict[str, str]]]:
    width = len(header)
    for n, values in records:
        if not "".join(values).strip():
            continue
        if any(v.strip() for v in values[width:]):
            raise InvalidInput(
                f"{where}:{n}",
                "",
                _(
                    f"有 {len(values)} 个值，表头只有 {width} 列",
                    f"{len(values)} values, the header has {width} columns",
                ),
            )
        yield n, {h: v.strip() for h, v in zip(header, values, strict=False) if h}


def json_lines(path: Path) -> Iterator[tuple[int, Any]]:
    """``(line, value)`` of each non-blank line of a small JSON Lines file read whole (UTF-8,
    BOM or not); ``value`` is an :class:`InvalidInput` where the line is not JSON or one of
    its fields is over :data:`FIELD_LIMIT`, for the caller to raise or to skip."""
    import json

    for n, line in enumerate(read_utf8(path).splitlines(), 1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            yield (
                n,
                InvalidInput(
                    f"{path}:{n}",
                    "",
                    not_json(exc.msg, exc.colno),
                ),
            )
            continue
        if isinstance(value, dict) and (long := long_field(value)):
            yield n, InvalidInput(f"{path}:{n}", long[0], too_long(long[1]))
            continue
        yield n, value
