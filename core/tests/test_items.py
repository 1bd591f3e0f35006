"""The item list engine: dated look-up and diff, the city layer, the unified list with dedupe,
export → import round trips, and bad files rejected with file:row:column."""

from __future__ import annotations

import csv
import datetime as dt
import json
from itertools import pairwise
from pathlib import Path

import pytest
from attrs import evolve
from fake_support import FAKE
from hypothesis import given
from hypothesis import strategies as st

from onething import InvalidInput, Onething, load_config
from onething.items import (
    ItemCatalog,
    Labels,
    ListedItem,
    build,
    diff,
    read,
    unify,
    version_problems,
    write,
)
from onething.items.export import UNIFIED, ItemList
from onething.model import Basis, Element, Item, in_force

#: These tests read the messages in English.
pytestmark = pytest.mark.usefixtures("english")

LAW = Basis(law="虚构示例条例", article="第一条", status="unconfirmed")
BEFORE_REFORM = dt.date(2023, 6, 1)
AFTER_REFORM = dt.date(2024, 6, 1)

LAYER = """
[[extension.item]]
domain = "fake"
code = "fake.901"
name_zh = "夜市摊点检查"
name_en = "Night-market stall check"
stage = "during"
departments = ["market"]
object_types = ["kiosk"]
measures = ["onsite"]
modes = ["special"]
effective_from = 2024-03-01
basis = [{ law = "某市夜市管理办法", article = "第五条", status = "unconfirmed" }]
related = [{ kind = "licensing", code = "LIC-1" }]
reason = "本市夜市经济专项"

[[disable]]
code = "fake.003"
reason = "本市已全面使用管道天然气，由燃气专项检查覆盖"
effective_from = 2025-01-01
"""


def config(tmp_path: Path, layer: str = LAYER) -> Path:
    path = tmp_path / "onething.toml"
    path.write_text(
        '[deployment]\nname = "测试市"\nregion = "371500"\nlevel = "city"\ndomains = ["fake"]\n'
        f'[storage]\nurl = "sqlite:///{tmp_path}/t.db"\n' + layer,
        "utf-8",
    )
    return path


def catalog(tmp_path: Path, layer: str = LAYER) -> ItemCatalog:
    return ItemCatalog.of(Onething.from_config(config(tmp_path, layer), entry_points=[FAKE]))


# -- dated look-up and diff ---------------------------------------------------------------------


def test_the_list_in_force_on_a_day_holds_the_version_of_that_day(fake_domains):
    from onething import Rulebook

    cat = ItemCatalog(Rulebook(fake_domains))
    before = {r.code: r.item.name_zh for r in cat.at(BEFORE_REFORM)}
    after = {r.code: r.item.name_zh for r in cat.at(AFTER_REFORM)}
    assert before["fake.002"] == "消防检查"
    assert after["fake.002"] == "消防安全检查"
    assert set(before) == set(after) == {"fake.001", "fake.002", "fake.003"}
    assert cat.at(dt.date(2019, 12, 31)) == []


def test_diff_reports_changed_fields_and_nothing_else(fake_domains):
    from onething import Rulebook

    changes = ItemCatalog(Rulebook(fake_domains)).diff(BEFORE_REFORM, AFTER_REFORM)
    assert [(c.code, c.kind) for c in changes] == [("fake.002", "changed")]
    assert {f.field for f in changes[0].changes} == {"name_zh", "name_en"}
    assert changes[0].changes[0].old == "消防检查"


def test_diff_reports_added_and_removed_items():
    a = Item(
        "x.001", "x", "甲", "A", [LAW], ["market"], ["t"], ["onsite"], "during", dt.date(2020, 1, 1)
    )
    b = evolve(a, code="x.002", name_zh="乙")
    changes = diff([ListedItem(a)], [ListedItem(b)])
    assert [(c.code, c.kind) for c in changes] == [("x.001", "removed"), ("x.002", "added")]


# -- city layer ---------------------------------------------------------------------------------


def test_city_layer_adds_local_items_and_disables_provincial_ones_with_reason(tmp_path):
    cat = catalog(tmp_path)
    rows = {r.code: r for r in cat.at(dt.date(2025, 6, 1))}
    assert rows["fake.901"].layer == "extension"
    assert rows["fake.901"].reason == "本市夜市经济专项"
    assert rows["fake.003"].disabled.startswith("本市已全面使用管道天然气")
    assert rows["fake.001"].active and rows["fake.001"].layer == "plugin"
    # before the disabling took effect the item is in use
    assert {r.code: r for r in cat.at(dt.date(2024, 6, 1))}["fake.003"].active
    # the diff sees the disabled item leave the list and the local one arrive
    changes = {c.code: c.kind for c in cat.diff(dt.date(2024, 1, 1), dt.date(2025, 6, 1))}
    assert changes == {"fake.003": "removed", "fake.901": "added"}


def test_unified_list_applies_the_city_layer_and_domain_sheets_show_both(tmp_path):
    lists = build(catalog(tmp_path), dt.date(2025, 6, 1))
    unified = [r.code for r in lists.sheets[UNIFIED]]
    assert "fake.901" in unified and "fake.003" not in unified
    sheet = {r.code: r for r in lists.sheets["fake"]}
    assert not sheet["fake.003"].active and sheet["fake.901"].layer == "extension"


@pytest.mark.parametrize(
    ("layer", "message"),
    [
        (LAYER.replace('code = "fake.901"', 'code = "fake.001"'), "already exists"),
        (LAYER.replace('code = "fake.003"', 'code = "fake.099"'), "no provincial item"),
        (LAYER.replace('domain = "fake"', 'domain = "other"'), "not enabled"),
        (
            LAYER.replace('departments = ["market"]', 'departments = ["nobody"]'),
            "unknown department",
        ),
        (LAYER.replace('code = "fake.901"', 'code = "other.901"'), "fake.<nnn>"),
    ],
)
def test_bad_city_layer_items_are_rejected_naming_where(tmp_path, layer, message):
    with pytest.raises(InvalidInput) as exc:
        catalog(tmp_path, layer)
    assert message in str(exc.value)
    assert "onething.toml" in str(exc.value)


def test_disable_without_reason_fails_the_config_schema(tmp_path):
    with pytest.raises(InvalidInput) as exc:
        load_config(config(tmp_path, '[[disable]]\ncode = "fake.003"\n'))
    assert "reason" in str(exc.value)


# -- unified list and dedupe --------------------------------------------------------------------


def _item(code: str, departments=("housing",), stage="during", **kw) -> Item:
    domain = code.split(".")[0]
    kw.setdefault("effective_from", dt.date(2020, 1, 1))
    return Item(
        code, domain, f"燃气安全检查（{domain}）", "Gas safety", [LAW], departments,
        [f"{domain}_site"], ["onsite"], stage, **kw,
    )  # fmt: skip


def _element(code: str, canonical: str, items: tuple[str, ...]) -> Element:
    return Element(
        code, code.split(".")[0], canonical, "equipment", "x", "x", ["onsite"], items,
        ["housing"], [LAW], "serious", dt.date(2020, 1, 1),
    )  # fmt: skip


def test_same_duty_of_same_department_in_two_domains_is_listed_once_with_both_references():
    rows = [
        ListedItem(_item("catering.013", modes=("random",)), domains=("catering",)),
        ListedItem(_item("catering.014"), domains=("catering",)),
        ListedItem(_item("elderly_care.020", modes=("key",)), domains=("elderly_care",)),
        ListedItem(_item("elderly_care.021", departments=("fire",)), domains=("elderly_care",)),
    ]
    elements = [
        _element("catering.e11", "gas_alarm", ("catering.013",)),
        _element("catering.e12", "gas_hose_valve", ("catering.013",)),
        _element("catering.e23", "catering.e23", ("catering.013",)),  # domain-local: ignored
        _element("catering.e13", "gas_cylinder", ("catering.014",)),
        _element("elderly_care.e30", "gas_alarm", ("elderly_care.020", "elderly_care.021")),
        _element("elderly_care.e31", "gas_hose_valve", ("elderly_care.020", "elderly_care.021")),
    ]
    unified = unify(rows, elements)
    assert [r.code for r in unified] == ["catering.013", "catering.014", "elderly_care.021"]
    merged = unified[0]
    assert merged.domains == ("catering", "elderly_care")
    assert merged.merged == ("elderly_care.020",)
    assert merged.item.modes == ("random", "key")
    assert merged.item.object_types == ("catering_site", "elderly_care_site")


def test_items_without_shared_check_points_or_of_one_domain_are_never_merged():
    rows = [ListedItem(_item("a.001"), domains=("a",)), ListedItem(_item("a.002"), domains=("a",))]
    elements = [_element("a.e01", "gas_alarm", ("a.001", "a.002"))]
    assert [r.code for r in unify(rows, elements)] == ["a.001", "a.002"]
    assert [r.code for r in unify(rows, [])] == ["a.001", "a.002"]


# -- export → import round trip -----------------------------------------------------------------


def merged_list(tmp_path: Path) -> tuple[ItemList, Labels]:
    cat = catalog(tmp_path)
    lists = build(cat, dt.date(2025, 6, 1))
    row = lists.sheets[UNIFIED][0]
    lists.sheets[UNIFIED][0] = evolve(
        row,
        domains=("fake", "catering"),
        merged=("catering.099",),
        item=evolve(row.item, condition={"attr": "uses_gas", "eq": True}),
    )
    return lists, Labels(cat)


@pytest.mark.parametrize("fmt", ["xlsx", "json"])
def test_export_then_import_gives_the_same_lists(tmp_path, fmt):
    lists, labels = merged_list(tmp_path)
    out = tmp_path / f"items.{fmt}"
    write(lists, fmt, out, labels)
    back = read(out)
    assert back.sheets == lists.sheets
    assert list(back.sheets) == [UNIFIED, "fake"]


def test_csv_export_then_import_gives_the_same_unified_list(tmp_path):
    lists, labels = merged_list(tmp_path)
    out = tmp_path / "items.csv"
    write(lists, "csv", out, labels)
    assert read(out).sheets["list"] == lists.sheets[UNIFIED]


def test_full_history_export_round_trips_every_version(tmp_path):
    cat = catalog(tmp_path)
    lists = build(cat, dt.date(2025, 6, 1), all_versions=True)
    assert [r.code for r in lists.sheets["fake"]].count("fake.002") == 2
    out = tmp_path / "all.xlsx"
    write(lists, "xlsx", out, Labels(cat))
    assert read(out).sheets == lists.sheets


def test_xlsx_has_chinese_headers_in_official_order_a_frozen_header_and_one_sheet_per_domain(
    tmp_path,
):
    from openpyxl import load_workbook

    lists, labels = merged_list(tmp_path)
    out = tmp_path / "items.xlsx"
    write(lists, "xlsx", out, labels)
    wb = load_workbook(out)
    assert wb.sheetnames == ["统一监管事项清单", "虚构领域（fake）"]
    ws = wb["统一监管事项清单"]
    headers = [c.value for c in ws[1]]
    assert headers[:11] == ["序号", "事项编码", "事项名称", "监管依据", "监管主体", "监管对象",
                            "监管措施", "事项环节", "检查方式", "所属领域", "生效日期"]  # fmt: skip
    assert ws.freeze_panes == "C2"
    assert ws.column_dimensions["C"].width >= 30
    row = {h: c.value for h, c in zip(headers, ws[2], strict=True)}
    assert row["监管主体"] == "市市场监督管理局"  # department named at the deployment's level
    assert row["事项环节"] == "事中"


def test_json_export_validates_against_the_published_schema(tmp_path):
    import jsonschema

    from onething import schemas

    lists, labels = merged_list(tmp_path)
    data = json.loads(write(lists, "json", None, labels))
    schemas.validator("item-list").validate(data)
    data["lists"][0]["items"][0]["stage"] = "sometime"
    with pytest.raises(jsonschema.ValidationError):
        schemas.validator("item-list").validate(data)


# -- bad files ----------------------------------------------------------------------------------


def _csv_rows(tmp_path: Path) -> list[list[str]]:
    lists = build(catalog(tmp_path), dt.date(2025, 6, 1), all_versions=True)
    out = tmp_path / "good.csv"
    write(lists, "csv", out, Labels(catalog(tmp_path)))
    return list(csv.reader(out.read_text("utf-8-sig").splitlines()))


def _write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return path


def _col(rows, header: str) -> int:
    return rows[0].index(header)


def break_missing_column(rows):
    c = _col(rows, "事项名称")
    return [r[:c] + r[c + 1 :] for r in rows], ":1: 事项名称"


def break_duplicate_code(rows):
    return [*rows, rows[1]], f":{len(rows) + 1}:B: 事项编码: duplicate code"


def break_unknown_department(rows):
    c = _col(rows, "监管主体代码")
    rows[2][c] = "nobody"
    return rows, ":3:V: 监管主体代码: unknown department 'nobody'"


def break_overlapping_versions(rows):
    # the second version of fake.002 starts before the first ends
    n = next(
        i for i, r in enumerate(rows) if r[1] == "fake.002" and r[_col(rows, "失效日期")] == ""
    )
    rows[n][_col(rows, "生效日期")] = "2023-01-01"
    return rows, f":{n + 1}:K: 生效日期: item fake.002: this version overlaps"


def break_end_before_start(rows):
    rows[1][_col(rows, "失效日期")] = "2019-01-01"
    return rows, ":2:L: 失效日期: effective_to 2019-01-01 is not after"


@pytest.mark.parametrize(
    "breaker",
    [
        break_missing_column,
        break_duplicate_code,
        break_unknown_department,
        break_overlapping_versions,
        break_end_before_start,
    ],
)
def test_bad_item_files_are_rejected_with_file_row_column(tmp_path, breaker):
    rows, expected = breaker(_csv_rows(tmp_path))
    path = _write_csv(tmp_path / "bad.csv", rows)
    with pytest.raises(InvalidInput) as exc:
        read(path)
    assert str(exc.value).startswith(f"{path}{expected}"), str(exc.value)


def test_bad_json_item_file_names_the_key_path(tmp_path):
    lists, labels = merged_list(tmp_path)
    data = json.loads(write(lists, "json", None, labels))
    data["lists"][1]["items"][0]["departments"] = ["nobody"]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    with pytest.raises(InvalidInput) as exc:
        read(path)
    assert str(exc.value).startswith(
        f"{path}:lists[1].items[0]: departments[0]: unknown department"
    )


# -- properties ---------------------------------------------------------------------------------


class _Rules:
    def __init__(self, items):
        self.items = tuple(items)


class _Domains:
    names = ("h",)


class _Rulebook:
    """Just what ItemCatalog reads: the enabled names and each domain's items."""

    def __init__(self, items):
        self.domains = _Domains()
        self._rules = _Rules(items)
        self.deployment = None

    def rules(self, _name):
        return self._rules


DAY0 = dt.date(2020, 1, 1)


@st.composite
def histories(draw):
    """Versions of up to three codes, each an arbitrary (possibly overlapping) interval."""
    versions = []
    for n in range(draw(st.integers(1, 3))):
        for _ in range(draw(st.integers(1, 4))):
            start = DAY0 + dt.timedelta(days=draw(st.integers(0, 60)))
            length = draw(st.none() | st.integers(1, 30))
            end = None if length is None else start + dt.timedelta(days=length)
            versions.append(_item(f"h.{n:03d}", effective_from=start, effective_to=end))
    return versions


@st.composite
def clean_histories(draw):
    """Versions of up to three codes with interval boundaries drawn in order (gaps allowed)."""
    versions = []
    for n in range(draw(st.integers(1, 3))):
        cuts = sorted(draw(st.sets(st.integers(0, 90), min_size=1, max_size=6)))
        open_end = draw(st.booleans())
        bounds = [*cuts, None] if open_end else cuts
        for a, b in pairwise(bounds):
            if draw(st.booleans()) or b is None:  # leave gaps at random
                versions.append(
                    _item(
                        f"h.{n:03d}",
                        effective_from=DAY0 + dt.timedelta(days=a),
                        effective_to=None if b is None else DAY0 + dt.timedelta(days=b),
                    )
                )
    return versions


@given(versions=clean_histories(), day=st.integers(-5, 100))
def test_list_at_a_date_holds_exactly_the_versions_whose_interval_contains_it(versions, day):
    on = DAY0 + dt.timedelta(days=day)
    assert version_problems(versions) == []
    got = [r.item for r in ItemCatalog(_RulebookFor(versions)).at(on)]
    expected = [v for v in versions if in_force(v, on)]
    assert sorted(got, key=lambda i: i.code) == sorted(expected, key=lambda i: i.code)
    assert len({i.code for i in got}) == len(got)  # one version per code on any day


@given(versions=histories())
def test_accepted_histories_never_have_overlapping_intervals_of_one_item(versions):
    problems = version_problems(versions)
    by_code = {}
    for v in versions:
        by_code.setdefault(v.code, []).append(v)
    overlapping = any(
        a is not b and a.effective_from < (b.effective_to or dt.date.max)
        and b.effective_from < (a.effective_to or dt.date.max)
        for vs in by_code.values() for a in vs for b in vs
    )  # fmt: skip
    assert bool(problems) == overlapping


def _RulebookFor(versions):
    return _Rulebook(versions)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_name_that_looks_like_a_formula_is_exported_as_text(tmp_path, fmt):
    lists, labels = merged_list(tmp_path)
    first, *rest = lists.sheets[UNIFIED]
    hostile = evolve(first, item=evolve(first.item, name_zh='=HYPERLINK("x")'))
    lists = evolve(lists, sheets={**lists.sheets, UNIFIED: [hostile, *rest]})
    out = tmp_path / f"items.{fmt}"
    write(lists, fmt, out, labels)
    if fmt == "csv":
        with out.open(encoding="utf-8-sig") as fh:
            names = [r["事项名称"] for r in csv.DictReader(fh)]
    else:
        from openpyxl import load_workbook

        ws = load_workbook(out)["统一监管事项清单"]
        col = [c.value for c in ws[1]].index("事项名称")
        cell = ws.cell(row=2, column=col + 1)
        assert cell.data_type == "s"  # not a formula cell
        names = [cell.value]
    assert names[0] == '\'=HYPERLINK("x")'
