"""``onething elements``, ``onething checklist`` and ``onething record`` end to end, on the test
domains (enabled through faked entry points) and a SQLite store."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from checklist_domains import CHECKLIST_EPS, RESTAURANT, USCC, good_record
from cli_support import run

from onething import Onething
from onething.cli import checklist_cmd, elements_cmd, record_cmd
from onething.registry.profiles import profile_id
from onething.store import Store
from onething.store.registry import RegistryObject


@pytest.fixture
def config(tmp_path, monkeypatch):
    path = tmp_path / "onething.toml"
    path.write_text(
        '[deployment]\nname = "测试市"\nregion = "371500"\nlevel = "city"\n'
        'domains = ["fake", "kitchen", "gas", "cards"]\n'
        f'[storage]\nurl = "sqlite:///{tmp_path}/t.db"\n',
        "utf-8",
    )

    def open_app(p):
        return Onething.from_config(p, entry_points=CHECKLIST_EPS)

    for module in (checklist_cmd, elements_cmd, record_cmd):
        monkeypatch.setattr(module, "open_app", open_app)
    store = Store(f"sqlite:///{tmp_path}/t.db")
    store.upgrade()
    with store.session() as s:
        restaurant = profile_id(
            s.connection(),
            [],
            [(code.split(".")[0], code) for code in RESTAURANT],
            dt.date(2026, 11, 1),
        )
        s.add(
            RegistryObject(
                key=USCC,
                key_kind="uscc",
                name="老街饭店",
                region_code="371502",
                updated_at=dt.datetime.now(dt.UTC),
                profile_id=restaurant,
            )
        )
    store.dispose()
    return str(path)


def test_elements_list_json_has_the_documented_fields(capsys, config):
    code, out, _ = run(
        capsys,
        "elements",
        "list",
        "--config",
        config,
        "--domain",
        "gas",
        "--at",
        "2026-11-27",
        "--format",
        "json",
    )
    assert code == 0
    rows = json.loads(out)
    assert [r["code"] for r in rows] == ["gas.e01", "gas.e02", "gas.e03"]
    for key in (
        "code",
        "canonical",
        "dimension",
        "label_zh",
        "items",
        "departments",
        "basis",
        "severity",
    ):
        assert key in rows[0]
    assert rows[0]["canonical"] == "gas_alarm" and rows[0]["limit"]["value"] == 6


def test_elements_conflicts_lists_the_gas_alarm(capsys, config):
    code, out, _ = run(capsys, "elements", "conflicts", "--config", config, "--format", "json")
    assert code == 0
    (c,) = json.loads(out)
    assert c["canonical"] == "gas_alarm" and "threshold" in c["reasons"]
    code, out, _ = run(capsys, "elements", "conflicts", "--config", config)
    assert code == 0 and "限值冲突（1 处）" in out


def test_checklist_for_an_object_reads_its_stored_items(capsys, config, tmp_path):
    code, out, _ = run(
        capsys,
        "checklist",
        "--config",
        config,
        "--object",
        USCC,
        "--at",
        "2026-11-27",
        "--format",
        "json",
    )
    assert code == 0
    data = json.loads(out)
    assert data["object_name"] == "老街饭店" and data["items"] == sorted(RESTAURANT)
    assert data["saved"] == 5
    html = tmp_path / "c.html"
    code, _, err = run(
        capsys,
        "checklist",
        "--config",
        config,
        "--object",
        USCC,
        "--format",
        "html",
        "--out",
        str(html),
    )
    assert code == 0 and "合并减少 5 项" in err
    assert html.read_text("utf-8").startswith("<!DOCTYPE html>")


def test_checklist_for_items_in_markdown(capsys, config):
    code, out, _ = run(capsys, "checklist", "--config", config, "--items", "gas.001,kitchen.002")
    assert code == 0 and out.startswith("# 联合检查表") and "## 设备" in out


def test_checklist_usage_and_input_errors(capsys, config):
    assert run(capsys, "checklist", "--config", config)[0] == 2
    code, _, err = run(capsys, "checklist", "--config", config, "--items", "gas.001,gas.404")
    assert code == 1 and "gas.404" in err
    code, _, err = run(capsys, "checklist", "--config", config, "--object", "NOPE")
    assert code == 1 and "NOPE" in err


def test_record_add_then_show_a_department_view(capsys, config, tmp_path):
    data = good_record()
    del data["items"]  # from the registry's stored mapping
    data["entries"][0]["evidence"]["months_since_test"] = 9
    path = tmp_path / "visit.json"
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    code, out, _ = run(capsys, "record", "add", "--config", config, str(path))
    assert code == 0 and "visit-1" in out and "不合格 1 项" in out
    assert "开启闭环事项 1 件：1" in out  # the gas finding opened case 1 (issue 19)
    data["id"] = "visit-2"
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    code, out, _ = run(capsys, "--lang", "en", "record", "add", "--config", config, str(path))
    assert code == 0 and "Attached to cases: 1" in out and "Opened" not in out
    data["id"] = "visit-3"
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    code, _, err = run(capsys, "record", "add", "--config", config, str(path), "--case", "77")
    assert code == 1 and "no case 77" in err
    code, out, _ = run(
        capsys,
        "record",
        "show",
        "--config",
        config,
        "visit-1",
        "--department",
        "commerce",
        "--format",
        "json",
    )
    assert code == 0
    view = json.loads(out)
    assert [e["element"] for e in view["entries"]] == ["cards.e01", "cards.e03", "cards.e02"]
    assert view["findings"] == []
    code, out, _ = run(
        capsys,
        "record",
        "show",
        "--config",
        config,
        "visit-1",
        "--department",
        "housing",
        "--format",
        "json",
    )
    assert [f["element"] for f in json.loads(out)["findings"]] == ["gas.e01"]


def test_record_add_with_bad_evidence_exits_1_naming_element(capsys, config, tmp_path):
    data = good_record()
    data["entries"][6]["evidence"] = "half"
    path = tmp_path / "visit.json"
    path.write_text(json.dumps(data), "utf-8")
    code, _, err = run(capsys, "record", "add", "--config", config, str(path))
    assert code == 1 and "cards.e01" in err and "entries[6].evidence" in err
    path.write_text("{not json", "utf-8")
    code, _, err = run(capsys, "record", "add", "--config", config, str(path))
    assert code == 1 and "visit.json:1:2" in err


def test_a_host_adds_a_record_through_the_app_and_its_findings_open_cases(config):
    """``Onething.add_record``: the host platform's one call for an inspection record."""
    app = Onething.from_config(config, entry_points=CHECKLIST_EPS)
    data = good_record()
    data["entries"][0]["evidence"]["months_since_test"] = 9  # fails gas's 6-month limit
    try:
        result = app.add_record(data)
        assert [f.element for f in result.record.findings] == ["gas.e01"]
        assert len(result.opened) == 1 and result.attached == ()
        again = app.add_record({**data, "id": "visit-2"})
        assert again.opened == () and again.attached == result.opened  # the open case
    finally:
        app.close()


def test_a_host_loading_past_records_gives_their_time_to_the_loop(config):
    """``Onething.add_record(at=…)``: the case a past record opens is dated when it was."""
    import datetime as dt

    from onething.loop import get_case

    app = Onething.from_config(config, entry_points=CHECKLIST_EPS)
    data = {**good_record(), "id": "visit-past"}
    data["entries"][0]["evidence"]["months_since_test"] = 9
    when = dt.datetime(2026, 2, 3, 10, 0, tzinfo=dt.UTC)
    try:
        result = app.add_record(data, at=when)
        case = get_case(app.store, result.opened[0])
        assert case.opened_at.replace(tzinfo=dt.UTC) == when
    finally:
        app.close()
