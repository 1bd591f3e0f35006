"""Reading import files (CSV, XLSX, JSON Lines) as a stream of jobs for the row preparer.

A CSV file is not parsed by the importing process: it only cuts the file into chunks of about
a batch of lines each, at a line end where the count of quote characters so far is even (in
well-formed CSV, outside any quoted field), and the preparer — in a worker process when the
import is parallel — decodes and parses each chunk (:func:`csv_records`). A stray quote in
an unquoted field (``ab"c``, which the ``csv`` module reads literally) makes that count lie,
so every chunk is parsed with a sentinel line appended: if the sentinel does not come back as
a record of its own, the chunk ended inside a quoted field, and the import reads the rest of
the file from that chunk's start with one ``csv.reader`` (:meth:`Source.resume`). Either way
the records and their line numbers are exactly those of one ``csv.reader`` over the file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from attrs import frozen

from ..errors import InvalidInput
from ..i18n import _
from ..tables import csv_problem, unique_header
from ..textfiles import require_file

FORMATS = ("csv", "xlsx", "jsonl")

#: Objects per batch in imports, mapping and hooks (``onething_match_items`` receives at most
#: this many objects at once); ``onething.registry.BATCH_SIZE``.
BATCH_SIZE = 2000

#: A CSV chunk is cut after this many batches' worth of lines even where the quote count is
#: odd (a stray quote): the preparer's sentinel check tells whether the cut was sound.
_MAX_BATCHES_PER_CHUNK = 8
#: The last line of every parsed chunk: a record of its own only if the chunk ended outside
#: any quoted field ("\x1e", the record separator, never ends a CSV field by itself).
_SENTINEL = "\x1e"


def detect_format(path: Path, fmt: str | None = None) -> str:
    if fmt:
        return fmt
    suffix = path.suffix.lower().lstrip(".")
    if suffix in ("jsonl", "ndjson"):
        return "jsonl"
    if suffix in FORMATS:
        return suffix
    raise InvalidInput(
        str(path),
        "",
        _(
            f"未知的文件类型 {path.suffix!r}：应为 .csv、.xlsx 或 .jsonl",
            f"unknown file type {path.suffix!r}: expected .csv, .xlsx or .jsonl",
        ),
    )


class _Counting(io.RawIOBase):
    """A binary reader that counts the bytes read, for the progress bar."""

    def __init__(self, raw: io.BufferedReader, done: int = 0):
        self.raw = raw
        self.done = done

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        n = self.raw.readinto(b)
        self.done += n or 0
        return n


def _cell(value: Any) -> Any:
    """An XLSX cell as the CSV text it stands for (numbers typed as numbers, dates as dates)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@frozen
class CsvChunk:
    """Whole lines of a CSV file from byte ``offset`` on, to be parsed by the preparer."""

    offset: int
    data: bytes


@frozen
class CsvRecords:
    """A parsed :class:`CsvChunk`: ``rows`` as ``(line in the chunk, values)`` (or
    ``{"__error__": reason}``), the chunk's ``lines``; ``torn`` when the chunk ended inside a
    quoted field (its rows are then not to be used); ``fatal`` ``(line in the chunk, message)``
    when it is no UTF-8 CSV."""

    rows: list[tuple[int, Any]]
    lines: int
    torn: bool = False
    fatal: tuple[int, str] | None = None


def _record(values: list[str], width: int) -> Any:
    """A CSV record as the preparer takes it; None for a blank row (skipped)."""
    if not "".join(values).strip():
        return None
    if len(values) != width:
        return {"__error__": f"{len(values)} fields, the header has {width}"}
    return values  # zipped with the header by the preparer


def _problem(exc: UnicodeDecodeError | csv.Error) -> str:
    if isinstance(exc, csv.Error):
        return csv_problem(exc)
    return _(f"不是 UTF-8 编码的 CSV：{exc}", f"not UTF-8 CSV: {exc}")


def csv_records(chunk: CsvChunk, width: int) -> CsvRecords:
    """Decode and parse one chunk of a file whose header has ``width`` columns."""
    data = chunk.data
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        return CsvRecords(
            [],
            0,
            fatal=(
                data.count(b"\n", 0, exc.start) + 1,
                _(
                    f"不是 UTF-8 编码的 CSV：该行第 {exc.start - line_start + 1} 个字节 "
                    f"0x{data[exc.start]:02x}（{exc.reason}）",
                    f"not UTF-8 CSV: {exc.reason}: byte 0x{data[exc.start]:02x} at byte "
                    f"{exc.start - line_start + 1} of the line",
                ),
            ),
        )
    ends_line = text.endswith(("\n", "\r"))
    reader = csv.reader(
        io.StringIO(f"{text}{'' if ends_line else chr(10)}{_SENTINEL}\n", newline="")
    )
    try:
        parsed = [(reader.line_num, values) for values in reader]
    except csv.Error as exc:
        return CsvRecords([], 0, fatal=(reader.line_num, csv_problem(exc)))
    sentinel_line, last = parsed.pop()
    if last != [_SENTINEL]:
        return CsvRecords([], 0, torn=True)
    rows = []
    for line, values in parsed:
        if len(values) != width or not values[0].strip():  # else surely a full row
            values = _record(values, width)
            if values is None:
                continue  # a blank row
        rows.append((line, values))
    return CsvRecords(rows, sentinel_line - 1)


class Source:
    """A file opened for streaming: ``header`` (None for JSONL) and :meth:`jobs`: batches of
    ``(line, row)`` — a row a dict (JSONL as its raw text line, or ``{"__error__": reason}``),
    or for XLSX the list of values in header order — or, for CSV, :class:`CsvChunk`."""

    def __init__(self, path: Path, fmt: str | None = None):
        self.path = path
        self.format = detect_format(path, fmt)
        require_file(path)
        self.size = path.stat().st_size
        self._stack = ExitStack()
        self.header: list[str] | None = None
        self._counter: _Counting | None = None
        self.total_rows: int | None = None
        self.header_lines = 1
        self._rows: Iterator[tuple[int, Any]] | None = None
        try:
            self._open()
        except BaseException:
            self._stack.close()
            raise

    def close(self) -> None:
        self._stack.close()

    @property
    def progress(self) -> tuple[int, int | None]:
        """Work done and total, in bytes (CSV, JSONL) or rows (XLSX)."""
        if self._counter is not None:
            return self._counter.done, self.size
        return self._done_rows, self.total_rows

    _done_rows = 0

    def _binary(self, offset: int = 0) -> io.BufferedReader:
        raw = self._stack.enter_context(self.path.open("rb", buffering=0))
        raw.seek(offset)
        self._counter = _Counting(raw, offset)
        return io.BufferedReader(self._counter, buffer_size=1 << 16)

    def _text(self, offset: int = 0, encoding: str = "utf-8-sig") -> io.TextIOWrapper:
        return self._stack.enter_context(
            io.TextIOWrapper(self._binary(offset), encoding=encoding, newline="")
        )

    def _open(self) -> None:
        if self.format == "csv":
            self._open_csv()
        elif self.format == "jsonl":
            self._rows = self._jsonl_rows(self._text())
        else:
            self._open_xlsx()

    def _open_csv(self) -> None:
        where = str(self.path)
        buffered = self._binary()
        head, odd = [], 0
        for line in buffered:
            head.append(line)
            odd ^= line.count(b'"') & 1
            if not odd or len(head) >= 100:
                break
        if not head:
            raise InvalidInput(
                where, "", _("文件为空：应有表头行", "empty file: expected a header row")
            )
        try:
            reader = csv.reader(io.StringIO(b"".join(head).decode("utf-8-sig"), newline=""))
            first = list(reader)
        except (UnicodeDecodeError, csv.Error) as exc:
            raise InvalidInput(f"{where}:1", "", _problem(exc)) from None
        peek = buffered.peek()[: 1 << 16].rstrip(b"\r")
        if odd or len(first) != 1 or peek.count(b"\r") != peek.count(b"\r\n"):
            # A header with a stray quote, or old Mac line ends (\r alone): one csv.reader
            # reads the whole file (its lines are not cut at \n).
            self._stack.close()
            self._stack = ExitStack()
            reader = csv.reader(self._text())
            try:
                self.header = unique_header(where, next(reader))
            except StopIteration:
                raise InvalidInput(
                    where, "", _("文件为空：应有表头行", "empty file: expected a header row")
                ) from None
            except (UnicodeDecodeError, csv.Error) as exc:
                raise InvalidInput(f"{where}:1", "", _problem(exc)) from None
            self._rows = self._csv_rows(reader, 0)
            return
        self.header = unique_header(where, first[0])
        self.header_lines = reader.line_num
        self._buffered = buffered
        self._offset = sum(map(len, head))

    def _open_xlsx(self) -> None:
        where = str(self.path)
        import openpyxl  # only XLSX needs it

        try:
            wb = openpyxl.load_workbook(self.path, read_only=True, data_only=True)
        except Exception as exc:
            raise InvalidInput(
                where,
                "",
                _(f"不是可读的 XLSX 工作簿：{exc}", f"not a readable XLSX workbook: {exc}"),
            ) from None
        self._stack.callback(wb.close)
        ws = wb.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        first = next(rows, None)
        if first is None:
            raise InvalidInput(
                where, "", _("工作表为空：应有表头行", "empty sheet: expected a header row")
            )
        self.header = [str(_cell(v)).strip() for v in first]
        while self.header and not self.header[-1]:
            self.header.pop()
        unique_header(where, self.header)
        self.total_rows = (ws.max_row - 1) if ws.max_row else None
        self._rows = self._xlsx_rows(rows)

    def jobs(self, batch_size: int) -> Iterator[Any]:
        """The file's rows for the preparer: lists of up to ``batch_size`` ``(line, row)``, or
        for CSV :class:`CsvChunk` of about ``batch_size`` lines."""
        if self._rows is not None:
            return batched(self._rows, batch_size)
        return self._csv_chunks(batch_size)

    def rows(self, batch_size: int) -> Iterator[list[tuple[int, Any]]]:
        """Lists of up to ``batch_size`` ``(line, row)`` in every format: CSV parsed here, not
        cut into chunks for worker processes (for a reader that needs no workers)."""
        if self._rows is not None:
            return batched(self._rows, batch_size)
        return self.resume(self._offset, self.header_lines, batch_size)

    def resume(self, offset: int, lines_before: int, batch_size: int) -> Iterator[Any]:
        """Batches of the CSV rows from byte ``offset`` on (a chunk boundary that follows
        ``lines_before`` lines), read by one ``csv.reader``: for when a chunk was torn."""
        self._buffered.close()
        reader = csv.reader(self._text(offset, "utf-8"))
        return batched(self._csv_rows(reader, lines_before), batch_size)

    def _csv_chunks(self, batch_size: int) -> Iterator[CsvChunk]:
        offset, lines, odd = self._offset, [], 0
        most = _MAX_BATCHES_PER_CHUNK * batch_size
        for line in self._buffered:
            lines.append(line)
            odd ^= line.count(b'"') & 1
            if len(lines) >= batch_size and (not odd or len(lines) >= most):
                data = b"".join(lines)
                yield CsvChunk(offset, data)
                offset, lines, odd = offset + len(data), [], 0
        if lines:
            yield CsvChunk(offset, b"".join(lines))

    def _csv_rows(self, reader, lines_before: int) -> Iterator[tuple[int, Any]]:
        width = len(self.header or ())
        try:
            for values in reader:
                if (record := _record(values, width)) is not None:
                    yield lines_before + reader.line_num, record
        except (UnicodeDecodeError, csv.Error) as exc:
            raise InvalidInput(
                f"{self.path}:{lines_before + reader.line_num}", "", _problem(exc)
            ) from None

    def _jsonl_rows(self, text) -> Iterator[tuple[int, str]]:
        try:
            for line, raw in enumerate(text, 1):
                if raw.strip():
                    yield line, raw  # decoded by the preparer (maybe in a worker)
        except UnicodeDecodeError as exc:
            raise InvalidInput(
                str(self.path), "", _(f"不是 UTF-8 编码：{exc}", f"not UTF-8: {exc}")
            ) from None

    def _xlsx_rows(self, rows) -> Iterator[tuple[int, Any]]:
        header = self.header
        assert header is not None
        n = len(header)
        for line, values in enumerate(rows, 2):
            self._done_rows = line - 1
            values = [_cell(v) for v in values]
            extra = [v for v in values[n:] if v != ""]
            if extra:
                yield line, {"__error__": f"values beyond the header's {n} columns"}
                continue
            values = (values + [""] * n)[:n]
            if all(v == "" for v in values):
                continue
            yield line, values


def batched(rows: Iterator[tuple[int, Any]], size: int) -> Iterator[list[tuple[int, Any]]]:
    """Lists of up to ``size`` numbered rows."""
    return iter(lambda: list(itertools.islice(rows, size)), [])
