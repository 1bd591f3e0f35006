"""Every tabular or JSON input reads alike (#16.10): a repeated header is refused, one field
limit with one message, a UTF-8 BOM accepted, a directory named as such."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onething.checklist.records import read_record_file
from onething.errors import InvalidInput
from onething.items.tabular import load_json, read_csv
from onething.planning import read_pool
from onething.planning.tasks import read_task_file
from onething.planning.verify import read_plan
from onething.risk.facts import read_rows
from onething.tables import FIELD_LIMIT, json_lines, long_field, read_table

BOM = b"\xef\xbb\xbf"
POOL = "id,name,department,region\nm1,王伟,market,371500\n"


def _bom(path, text):
    path.write_bytes(BOM + text.encode("utf-8"))
    return path


# -- a repeated header ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "read"),
    [
        ("pool.csv", read_pool),
        ("facts.csv", lambda p: list(read_rows(p))),
        ("items.csv", lambda p: list(read_csv(p).rows)),
    ],
)
def test_a_repeated_header_is_refused_naming_both_columns(tmp_path, name, read):
    f = tmp_path / name
    f.write_text("id,name,department,region,name\nm1,王伟,market,371500,李娜\n", "utf-8")
    with pytest.raises(InvalidInput, match=r"表头 'name' 重复：第 2 列和第 5 列") as exc:
        read(f)
    assert exc.value.location == f"{f}:1"


def test_a_repeated_header_in_an_xlsx_pool_is_refused(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["id", "name", "department", "region", "id"])
    wb.active.append(["m1", "王伟", "market", "371500", "m2"])
    wb.save(f := tmp_path / "pool.xlsx")
    with pytest.raises(InvalidInput, match="表头 'id' 重复"):
        read_pool(f)


# -- one field limit, one message ---------------------------------------------------------------


@given(st.integers(min_value=-3, max_value=3))
def test_a_json_field_is_refused_exactly_when_over_the_limit(delta):
    row = {"a": 1, "b": "x" * (FIELD_LIMIT + delta)}
    assert (long_field(row) is not None) == (delta > 0)


def test_a_long_csv_field_and_a_long_json_field_get_the_same_message(tmp_path):
    long = "长" * (FIELD_LIMIT + 1)
    csv_file = tmp_path / "facts.csv"
    csv_file.write_text(f"key,fact,value\nK1,f,{long}\n", "utf-8")
    jsonl = tmp_path / "facts.jsonl"
    jsonl.write_text(json.dumps({"key": "K1", "value": long}, ensure_ascii=False), "utf-8")
    with pytest.raises(InvalidInput, match=f"字段超过 {FIELD_LIMIT} 个字符的上限") as a:
        list(read_rows(csv_file))
    [(_, b)] = json_lines(jsonl)
    assert isinstance(b, InvalidInput) and (b.location, b.path) == (f"{jsonl}:1", "value")
    assert a.value.message.split("（")[0] == b.message.split("（")[0]


def test_an_events_line_with_a_long_field_is_refused(tmp_path, fake_domains):
    from onething.loop import Loop
    from onething.loop.events import read_events
    from onething.rulebook import Rulebook

    f = tmp_path / "ev.jsonl"
    f.write_text(json.dumps({"id": "e1", "summary": "x" * (FIELD_LIMIT + 1)}) + "\n", "utf-8")
    with pytest.raises(InvalidInput, match="个字符的上限") as exc:
        read_events(f, Loop(Rulebook(fake_domains)))
    assert (exc.value.location, exc.value.path) == (f"{f}:1", "summary")


# -- a UTF-8 BOM is accepted everywhere ---------------------------------------------------------


def test_a_bom_is_accepted_by_every_small_reader(tmp_path):
    assert [i.id for i in read_pool(_bom(tmp_path / "pool.csv", POOL))] == ["m1"]
    facts = _bom(tmp_path / "facts.csv", "key,fact,value\nK1,f,3\n")
    assert [r for _, r in read_rows(facts)] == [{"key": "K1", "fact": "f", "value": 3}]
    assert read_csv(_bom(tmp_path / "items.csv", "code,name\nA1,x\n")).headers == ("code", "name")
    assert load_json(_bom(tmp_path / "items.json", '{"list": []}')) == {"list": []}
    assert read_record_file(_bom(tmp_path / "r.json", '{"a": 1}')) == {"a": 1}
    with pytest.raises(InvalidInput, match="format"):  # read, then judged as a plan
        read_plan(_bom(tmp_path / "plan.json", '{"format": "x"}'))
    with pytest.raises(InvalidInput, match=r"tasks.jsonl:1"):  # read, then checked as a row
        read_task_file(_bom(tmp_path / "tasks.jsonl", '{"x": 1}\n'))


def test_a_small_table_header_is_read_behind_a_bom(tmp_path):
    header, rows = read_table(_bom(tmp_path / "t.csv", "a,b\n1,2\n\n3,4\n"))
    assert header == ["a", "b"]
    assert list(rows) == [(2, {"a": "1", "b": "2"}), (4, {"a": "3", "b": "4"})]


def test_more_values_than_header_columns_is_a_located_error(tmp_path):
    _header, rows = read_table(_bom(tmp_path / "t.csv", "a,b\n1,2,3\n"))
    with pytest.raises(InvalidInput, match=r"有 3 个值，表头只有 2 列"):
        list(rows)


@pytest.mark.parametrize(
    "read", [read_pool, read_record_file, read_plan, read_task_file, lambda p: list(read_rows(p))]
)
def test_a_directory_given_as_a_file_says_so(tmp_path, read):
    d = tmp_path / "x.csv"
    d.mkdir()
    with pytest.raises(InvalidInput, match="应为文件，却是目录"):
        read(d)
