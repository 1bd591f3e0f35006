"""National item codes (监管事项目录编码, 检查实施清单编码) on items and elements: dated, optional,
validated by their own (provisional) formats, carried by the item-list export and listed as
provisional by ``onething validate``."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from onething import enable, schemas
from onething.integrity import problems as domain_problems
from onething.items import Labels, ListedItem, read, write
from onething.items.export import ItemList
from onething.model import NationalCode, converter
from onething.model.national import code_on, code_problem, problems
from onething.registry.uscc import ALPHABET, check_character

#: These tests read the messages in English.
pytestmark = pytest.mark.usefixtures("english")

BODY = "11371500MB0000000"  # 17 characters of a body's credit code; its check character below
USCC = BODY + check_character(BODY)
D0, D1, D2 = dt.date(2024, 1, 1), dt.date(2025, 1, 1), dt.date(2026, 1, 1)


def test_a_catalogue_code_is_fourteen_digits():
    assert code_problem("catalogue", "37150012345678") is None
    assert "14 digits" in code_problem("catalogue", "3715001234567")
    assert code_problem("catalogue", "3715001234567X") is not None


def test_an_implementation_code_starts_with_a_valid_credit_code_then_one_to_five():
    assert code_problem("implementation", USCC + "1" + "0001") is None
    assert code_problem("implementation", USCC + "6" + "0001") is not None
    assert code_problem("implementation", USCC + "1") is not None  # nothing after the 19th
    assert "unknown national code kind" in code_problem("other", "1")


@given(
    st.sampled_from("12345"),
    st.text(alphabet="0123456789ABCDEFGHJK", min_size=1, max_size=31),
    st.integers(0, 17),
    st.sampled_from(ALPHABET),
)
def test_any_substituted_character_of_the_bodys_credit_code_is_caught(digit, tail, at, ch):
    good = USCC + digit + tail
    assert code_problem("implementation", good) is None
    bad = good[:at] + ch + good[at + 1 :]
    assert (code_problem("implementation", bad) is None) == (bad == good)


def test_codes_of_one_kind_must_not_overlap_but_may_follow_each_other():
    a = NationalCode("catalogue", "37150012345678", D0, D1)
    b = NationalCode("catalogue", "37150012345679", D1)
    assert problems([a, b], "item x.001") == []
    (line,) = problems([a, attrs.evolve(b, effective_from=dt.date(2024, 6, 1))], "item x.001")
    assert "item x.001" in line and "overlap" in line
    assert code_on([a, b], "catalogue", dt.date(2024, 6, 1)) == a
    assert code_on([a, b], "catalogue", D2) == b
    assert code_on([a, b], "implementation", D2) is None


def test_an_implementation_code_per_province_is_found_by_the_deployments_province():
    sd = NationalCode("implementation", USCC + "10001", D0, region="370000")
    other = NationalCode("implementation", USCC + "20001", D0, region="230000")
    assert code_on([sd, other], "implementation", D2, "370000") == sd
    assert code_on([sd, other], "implementation", D2, "230000") == other
    assert problems([sd, other], "item") == []  # one per province at a time


def _coded_item():
    rules = enable(["catering"]).rules("catering")
    item = rules.items[0]
    codes = (
        NationalCode("catalogue", "37150012345678", item.effective_from, D2, source="测试目录"),
        NationalCode("catalogue", "37150012345670", D2, status="verified"),
        NationalCode("implementation", USCC + "10001", item.effective_from, region="370000"),
    )
    return rules, attrs.evolve(item, national_codes=codes)


def test_plugin_data_accepts_national_codes_and_integrity_checks_them():
    rules, item = _coded_item()
    data = converter.unstructure(item)
    schemas.check(data, "plugin-data", location="t", definition="item")
    assert domain_problems(rules.replace(items=(item, *rules.items[1:]))) == []
    bad = attrs.evolve(
        item, national_codes=[NationalCode("implementation", "9" * 18 + "10001", D0)]
    )
    (line,) = domain_problems(rules.replace(items=(bad, *rules.items[1:])))
    assert f"item {item.code}" in line and "check character" in line


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_items_export_shows_the_codes_in_force_and_reads_them_back(tmp_path, fmt):
    _, item = _coded_item()
    lists = ItemList(dt.date(2025, 6, 1), {"catering": [ListedItem(item)]})
    labels = Labels()
    labels.region = "370000"
    out = tmp_path / f"items.{fmt}"
    write(lists, fmt, out, labels)
    back = read(out)
    (row,) = next(iter(back.sheets.values()))
    assert row.item.national_codes == item.national_codes
    if fmt == "csv":
        (cols,) = csv.DictReader(io.StringIO(out.read_text("utf-8-sig")))
        assert cols["监管事项目录编码"] == "37150012345678"  # the 2026 code is not yet in force
        assert cols["检查实施清单编码"] == USCC + "10001"


def test_a_bad_code_in_an_imported_list_is_refused_at_its_cell(tmp_path):
    _, item = _coded_item()
    lists = ItemList(dt.date(2025, 6, 1), {"catering": [ListedItem(item)]})
    out = tmp_path / "items.csv"
    write(lists, "csv", out, Labels())
    text = out.read_text("utf-8-sig").replace("37150012345678", "3715001234567", 1)
    text = text.replace(json.dumps("37150012345678"), json.dumps("3715001234567"))
    bad = tmp_path / "bad.csv"
    bad.write_text(text, "utf-8")
    with pytest.raises(Exception, match="14 digits") as exc:
        read(bad)
    assert "bad.csv:2" in str(exc.value)
