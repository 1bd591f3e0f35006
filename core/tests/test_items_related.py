"""The related official lists: history kept across imports, link checking against the items
(an abolished and a renamed licensing item), uncovered entries, bad files leaving the store
unchanged. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from fake_support import FAKE
from openpyxl import Workbook

from onething import InvalidInput, Onething
from onething.items import ItemCatalog, changes_since, check_links, import_list, import_related
from onething.items.export import Labels, build, write
from onething.items.imported import load_list
from onething.store.items import ItemListRow, RelatedEntryRow

#: These tests read the messages in English.
pytestmark = pytest.mark.usefixtures("english")

ITEMS = """
[[extension.item]]
domain = "fake"
code = "fake.901"
name_zh = "食品经营许可检查"
name_en = "Food business licence check"
stage = "before"
departments = ["market"]
object_types = ["shop"]
measures = ["licensing_review"]
effective_from = 2024-01-01
basis = [{ law = "虚构示例条例", article = "第二条", status = "unconfirmed" }]
related = [{ kind = "licensing", code = "LIC-1" }]
reason = "测试"

[[extension.item]]
domain = "fake"
code = "fake.902"
name_zh = "小餐饮登记检查"
name_en = "Small eatery registration check"
stage = "before"
departments = ["market"]
object_types = ["kiosk"]
measures = ["filing_review"]
effective_from = 2024-01-01
basis = [{ law = "虚构示例条例", article = "第三条", status = "unconfirmed" }]
related = [{ kind = "licensing", code = "LIC-2", name = "小餐饮登记" }, { kind = "licensing", code = "LIC-3" }]
reason = "测试"
"""

V1 = """code,name,department,domain
LIC-1,食品经营许可,market,fake
LIC-2,小餐饮登记,省市场监督管理局,fake
LIC-3,食品小作坊登记,market,
LIC-9,医疗机构执业登记,health,medical
"""
# v2: LIC-1 abolished, LIC-2 renamed, LIC-3 unchanged, LIC-4 new and covered by no item
V2 = [
    ("编码", "名称", "部门", "领域"),
    ("LIC-2", "小餐饮经营登记", "market", "fake"),
    ("LIC-3", "食品小作坊登记", "market", None),
    ("LIC-4", "食品摊贩备案", "market", "fake"),
    ("LIC-9", "医疗机构执业登记", "health", "medical"),
]


@pytest.fixture
def app(tmp_path):
    path = tmp_path / "onething.toml"
    path.write_text(
        '[deployment]\nregion = "371500"\nlevel = "city"\ndomains = ["fake"]\n' + ITEMS, "utf-8"
    )
    return Onething.from_config(path, entry_points=[FAKE])


def xlsx(path: Path, rows) -> Path:
    wb = Workbook()
    for r in rows:
        wb.active.append(list(r))
    wb.save(path)
    return path


def count(store, table) -> int:
    with store.session() as s:
        return s.exec(sa.select(sa.func.count()).select_from(table)).one()[0]


def test_link_check_finds_the_abolished_and_the_renamed_licensing_item(store, app, tmp_path):
    (tmp_path / "v1.csv").write_text(V1, "utf-8")
    r1 = import_related(store, "licensing", tmp_path / "v1.csv", as_of=dt.date(2025, 1, 1))
    assert (r1.added, r1.removed, r1.changed) == (4, 0, 0)
    cat = ItemCatalog.of(app)
    on_v1 = check_links(cat, store, dt.date(2025, 6, 1))
    assert on_v1 == []  # every entry of an enabled domain is covered, nothing changed

    r2 = import_related(
        store, "licensing", xlsx(tmp_path / "v2.xlsx", V2), as_of=dt.date(2026, 1, 1)
    )
    assert (r2.added, r2.removed, r2.changed, r2.unchanged) == (1, 1, 1, 2)
    problems = {
        (p.problem, p.item_code, p.related_code)
        for p in check_links(cat, store, dt.date(2026, 6, 1))
    }
    assert problems == {
        ("removed", "fake.901", "LIC-1"),
        ("renamed", "fake.902", "LIC-2"),
        ("uncovered", None, "LIC-4"),
    }  # LIC-9 belongs to a domain not enabled here
    # the history still answers for the earlier day
    assert check_links(cat, store, dt.date(2025, 6, 1)) == []


def test_history_answers_what_changed_since_a_day(store, tmp_path):
    (tmp_path / "v1.csv").write_text(V1, "utf-8")
    import_related(store, "licensing", tmp_path / "v1.csv", as_of=dt.date(2025, 1, 1))
    import_related(store, "licensing", xlsx(tmp_path / "v2.xlsx", V2), as_of=dt.date(2026, 1, 1))
    changes = {(c.code, c.change) for c in changes_since(store, dt.date(2025, 6, 1))}
    assert changes == {("LIC-1", "removed"), ("LIC-2", "renamed"), ("LIC-4", "added")}
    assert len(changes_since(store, dt.date(2024, 1, 1), "licensing")) == 7
    assert changes_since(store, dt.date(2025, 6, 1), "power") == []


def test_json_related_lists_are_accepted(store, tmp_path):
    path = tmp_path / "key.json"
    path.write_text(
        json.dumps({"entries": [{"code": "K1", "name": "重点监管甲", "note": "x"}]}), "utf-8"
    )
    r = import_related(store, "key", path, as_of=dt.date(2025, 1, 1))
    assert r.added == 1


BAD_RELATED = [
    ("名称,部门\n甲,market\n", ":1: code: missing column 'code'"),
    ("code,name\nA,甲\nB,乙\nA,丙\n", ":4:A: code: duplicate code 'A' (first at "),
    ("code,name,department\nA,甲,nobody\n", ":2:C: department: unknown department 'nobody'"),
    ("code,name\nA,\n", ":2:B: name: a value is required"),
]


def test_bad_related_files_are_rejected_with_file_row_column_and_nothing_stored(store, tmp_path):
    (tmp_path / "v1.csv").write_text(V1, "utf-8")
    import_related(store, "licensing", tmp_path / "v1.csv", as_of=dt.date(2025, 1, 1))
    before = count(store, RelatedEntryRow.__table__)
    for n, (text, expected) in enumerate(BAD_RELATED):
        path = tmp_path / f"bad{n}.csv"
        path.write_text(text, "utf-8")
        with pytest.raises(InvalidInput) as exc:
            import_related(store, "licensing", path, as_of=dt.date(2026, 1, 1))
        assert str(exc.value).startswith(f"{path}{expected}"), str(exc.value)
    assert count(store, RelatedEntryRow.__table__) == before


def test_history_is_never_rewritten(store, tmp_path):
    (tmp_path / "v1.csv").write_text(V1, "utf-8")
    import_related(store, "licensing", tmp_path / "v1.csv", as_of=dt.date(2025, 1, 1))
    with pytest.raises(InvalidInput, match="later day"):
        import_related(store, "licensing", tmp_path / "v1.csv", as_of=dt.date(2025, 1, 1))


def test_an_exported_list_imports_into_the_store_and_reads_back_the_same(store, app, tmp_path):
    cat = ItemCatalog.of(app)
    lists = build(cat, dt.date(2025, 6, 1))
    out = tmp_path / "items.xlsx"
    write(lists, "xlsx", out, Labels(cat))
    import_id, rows = import_list(store, out)
    assert rows == sum(len(v) for v in lists.sheets.values())
    assert load_list(store, import_id) == lists.sheets


def test_a_bad_item_file_stores_nothing(store, app, tmp_path):
    cat = ItemCatalog.of(app)
    out = tmp_path / "items.json"
    data = json.loads(write(build(cat, dt.date(2025, 6, 1)), "json", None, Labels(cat)))
    data["lists"][1]["items"].append(dict(data["lists"][1]["items"][0]))  # a duplicate code
    out.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    with pytest.raises(InvalidInput, match="duplicate code"):
        import_list(store, out)
    assert count(store, ItemListRow.__table__) == 0
