"""Reading CSV files in chunks that the preparer (maybe a worker process) parses gives exactly
the records and line numbers of one ``csv.reader`` over the whole file, whatever the quoting:
fields with line breaks, stray quotes that make the quote count lie, CRLF and lone CR line
ends, blank rows, a missing last line end, a byte-order mark."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onething.errors import InvalidInput
from onething.registry.sources import CsvChunk, Source, _record
from onething.registry.workers import Batch as _Batch
from onething.registry.workers import Prepared as _Prepared
from onething.registry.workers import Preparer as _Preparer

#: These tests read the messages in English; test_registry_kinds checks the Chinese.
pytestmark = pytest.mark.usefixtures("english")


class _Echo(_Preparer):
    """A preparer that hands the parsed records back unchanged."""

    def _prepare(self, batch):
        return list(batch)


def chunked(path, batch_size: int, workers: int = 0) -> list[tuple[int, object]]:
    """The records as the import reads them: ``(line, record)``."""
    src = Source(path)
    try:
        preparer = _Echo(None, None, src.header)
        with _Prepared(
            preparer,
            src.jobs(batch_size),
            workers,
            lambda offset, lines: src.resume(offset, lines, batch_size),
            src.header_lines,
        ) as prepared:
            out = []
            for base, batch in prepared:
                assert batch.fatal is None
                out += [(base + line, record) for line, record in batch.results]
            return [src.header, *out]
    finally:
        src.close()


def sequential(path) -> list:
    """The same file read by one ``csv.reader``, as the import's records."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        out = []
        for values in reader:
            if (record := _record(values, len(header))) is not None:
                out.append((reader.line_num, record))
        return [header, *out]


_TEXT = st.text(alphabet='ab,"\n\r é\x1e', max_size=8)


@st.composite
def csv_bytes(draw) -> bytes:
    width = draw(st.integers(1, 3))
    rows = draw(st.lists(st.lists(_TEXT, min_size=width, max_size=width), max_size=12))
    header = [f"c{i}" for i in range(width)]
    if draw(st.booleans()):  # written by a CSV writer: quoted fields, maybe with line breaks
        out = io.StringIO()
        csv.writer(out, lineterminator=draw(st.sampled_from(["\n", "\r\n"]))).writerows(
            [header, *rows]
        )
        text = out.getvalue()
        if rows and draw(st.booleans()):  # a stray quote: the quote count lies from there on
            at = text.index("\n") + 1  # after the header
            text = text[:at] + 's"tray' + "," * (width - 1) + "\n" + text[at:]
    else:  # written by hand: stray quotes, blank rows, short rows, ragged line ends
        end = draw(st.sampled_from(["\n", "\r\n", "\r"]))
        text = end.join(",".join(r) for r in [header, *rows]) + end
    if draw(st.booleans()):
        text = text.rstrip("\r\n")  # no line end after the last row
    return (b"\xef\xbb\xbf" if draw(st.booleans()) else b"") + text.encode()


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=csv_bytes(), batch_size=st.integers(1, 4))
def test_chunked_reading_gives_the_records_and_lines_of_one_csv_reader(tmp_path, data, batch_size):
    path = tmp_path / "in.csv"
    path.write_bytes(data)
    try:
        expected = sequential(path)
    except (csv.Error, StopIteration):
        return  # no header (an empty file): the import rejects it, tested elsewhere
    assert chunked(path, batch_size) == expected


def test_a_stray_quote_sends_the_rest_of_the_file_to_one_reader_also_with_workers(tmp_path):
    rows = [f'{n},ab"c{n},x' for n in range(1, 6)]  # stray quotes: the quote count lies
    rows += ['6,"two\nlines",x', *[f"{n},plain,x" for n in range(7, 30)]]
    path = tmp_path / "in.csv"
    path.write_text("id,name,more\n" + "\n".join(rows) + "\n", "utf-8")
    expected = sequential(path)
    assert chunked(path, 2) == expected
    assert chunked(path, 2, workers=2) == expected
    assert expected[-1] == (31, ["29", "plain", "x"])


def test_a_chunk_ending_inside_a_quoted_field_is_torn():
    assert _Batch([]).torn is None
    preparer = _Echo(None, None, ["a", "b"])
    whole = preparer(CsvChunk(0, b'1,"x\ny"\n'))
    assert (whole.results, whole.lines, whole.torn) == ([(2, ["1", "x\ny"])], 2, None)
    assert preparer(CsvChunk(7, b'1,"x\n')).torn == 7


def test_bytes_that_are_no_utf8_name_their_line_in_the_file(tmp_path):
    path = tmp_path / "in.csv"
    path.write_bytes(b"a,b\n" + b"1,2\n" * 10 + b"3,\xff\n")
    src = Source(path)
    try:
        with _Prepared(_Echo(None, None, src.header), src.jobs(4), 0, None, 1) as prepared:
            fatal = [(base, b.fatal) for base, b in prepared if b.fatal is not None]
    finally:
        src.close()
    ((base, (line, message)),) = fatal
    assert base + line == 12
    assert "not UTF-8 CSV" in message and "0xff" in message and "byte 3 of the line" in message


def test_an_empty_file_has_no_header(tmp_path):
    path = tmp_path / "in.csv"
    path.write_bytes(b"")
    with pytest.raises(InvalidInput, match="empty file"):
        Source(path)


def test_a_header_that_is_no_utf8_names_line_1(tmp_path):
    path = tmp_path / "in.csv"
    path.write_bytes(b"a,\xff\n1,2\n")
    with pytest.raises(InvalidInput, match=r"in\.csv:1.*not UTF-8 CSV"):
        Source(path)


@pytest.mark.parametrize(
    "data",
    [b"uscc,name,uscc\n1,2,3\n", b'uscc,"na""me",uscc\n1,2,3\n', b"uscc,name,uscc\r1,2,3\r"],
)
def test_a_repeated_csv_header_names_it_and_both_columns(tmp_path, data):
    path = tmp_path / "in.csv"
    path.write_bytes(data)
    with pytest.raises(InvalidInput, match=r"'uscc'.* 1 .* 3") as exc:
        Source(path)
    assert exc.value.location == f"{path}:1"


def test_a_repeated_xlsx_header_names_it_and_both_columns(tmp_path):
    import openpyxl

    path = tmp_path / "in.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["uscc", "name", "name"])
    wb.active.append(["1", "2", "3"])
    wb.save(path)
    with pytest.raises(InvalidInput, match=r"'name'.* 2 .* 3"):
        Source(path)
