"""The onething CLI: exit codes 0 ok / 1 invalid input / 2 usage; Chinese first, English too."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_support import run

ROOT = Path(__file__).resolve().parents[2]
LIAOCHENG = str(ROOT / "examples" / "liaocheng.toml")
EIGHT = {
    "prepaid_card",
    "medical",
    "elderly_care",
    "catering",
    "training",
    "construction",
    "transport",
    "hazchem",
}


def test_plugins_lists_the_eight_domains_with_versions(capsys):
    code, out, _ = run(capsys, "plugins", "--config", LIAOCHENG, "--format", "json")
    assert code == 0
    rows = {r["domain"]: r for r in json.loads(out)}
    assert set(rows) >= EIGHT
    assert rows["catering"]["name_zh"] == "餐饮服务"
    assert rows["catering"]["enabled"] and rows["construction"]["enabled"]
    assert all(rows[d]["enabled"] for d in EIGHT)  # 聊城 enables all eight
    assert rows["catering"]["version"] == "0.1.0"


def test_validate_example_exits_0(capsys):
    code, out, _ = run(capsys, "validate", LIAOCHENG)
    assert code == 0
    assert "有效" in out


def test_validate_all_eight_domains_json(capsys):
    code, out, _ = run(
        capsys, "validate", str(ROOT / "examples" / "shandong.toml"), "--format", "json"
    )
    assert code == 0
    report = json.loads(out)
    assert report["valid"] and {d["domain"] for d in report["domains"]} == EIGHT
    assert report["elements_never_fail"] == []  # issue 19: every landed element can fail


def test_validate_warns_about_an_element_whose_evidence_can_never_fail(capsys, monkeypatch):
    from attrs import evolve

    from onething import plugins

    rules = plugins.Domains.rules

    def silent_e06(self, name):
        r = rules(self, name)
        if name != "catering":
            return r
        schema = {"type": "object", "properties": {"food_handlers": {"type": "integer"}}}
        els = [
            evolve(e, evidence_schema=schema) if e.code == "catering.e06" else e for e in r.elements
        ]
        return r.replace(elements=els)

    monkeypatch.setattr(plugins.Domains, "rules", silent_e06)
    code, out, _ = run(capsys, "--lang", "en", "validate", LIAOCHENG)
    assert code == 0
    assert "1 elements whose evidence can never fail" in out
    assert "catering.e06: no evidence can fail" in out


def test_config_naming_an_unknown_domain_exits_1_listing_installed(capsys, tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text('[deployment]\nregion = "371500"\nlevel = "city"\ndomains = ["not_a_domain"]\n')
    code, _, err = run(capsys, "validate", str(cfg))
    assert code == 1
    assert "not_a_domain" in err
    for name in EIGHT:
        assert name in err


def test_wrong_type_at_storage_url_exits_1_naming_the_key_path(capsys, tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text(
        '[deployment]\nregion = "371500"\nlevel = "city"\ndomains = []\n[storage]\nurl = 42\n'
    )
    code, _, err = run(capsys, "validate", str(cfg))
    assert code == 1
    assert f"{cfg}: storage.url: 42 应为字符串" in err


def test_usage_error_exits_2(capsys):
    code, _, err = run(capsys, "params", "--format", "yaml")
    assert code == 2
    assert "yaml" in err


def test_missing_config_exits_1(capsys, tmp_path):
    code, _, err = run(capsys, "params", "--config", str(tmp_path / "none.toml"))
    assert code == 1
    assert "文件不存在" in err


def test_params_json_has_the_documented_fields(capsys):
    code, out, _ = run(
        capsys, "params", "--config", LIAOCHENG, "--format", "json", "--at", "2026-06-01"
    )
    assert code == 0
    rows = json.loads(out)
    assert isinstance(rows, list)
    for row in rows:
        assert {
            "domain",
            "name",
            "value",
            "unit",
            "basis",
            "status",
            "effective_from",
            "effective_to",
        } <= set(row)
        assert row["status"] in ("verified", "secondary", "unconfirmed")
        assert row["domain"] in (
            "core",
            "prepaid_card",
            "catering",
            "elderly_care",
            "medical",
            "training",
            "hazchem",
            "construction",
            "transport",
        )


def test_the_params_table_names_domains_and_units_in_the_language_json_keeps_codes(
    capsys, monkeypatch
):
    monkeypatch.setenv("COLUMNS", "300")  # whole cells
    args = ("params", "--config", LIAOCHENG, "--domain", "prepaid_card", "--at", "2026-06-01")
    code, out, _ = run(capsys, *args)
    assert code == 0 and "单用途" in out and "prepaid_card" not in out and "工作日" in out
    code, out, _ = run(capsys, "--lang", "en", *args)
    assert code == 0 and "Single-purpose" in out and "working_day" in out
    code, out, _ = run(capsys, *args, "--format", "json")
    assert {r["domain"] for r in json.loads(out)} == {"prepaid_card"}


def test_params_for_a_domain_not_enabled_exits_1(capsys, tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text('[deployment]\nregion = "371500"\nlevel = "city"\ndomains = ["catering"]\n')
    code, _, err = run(capsys, "params", "--config", str(cfg), "--domain", "transport")
    assert code == 1
    assert "未启用" in err


def test_help_is_chinese_by_default_and_english_on_request(capsys):
    code, out, _ = run(capsys, "--help")
    assert code == 0 and "综合监管一件事" in out and "退出码" in out
    code, out, _ = run(capsys, "--lang", "en", "params", "--help")
    assert code == 0 and "List the parameters" in out and "列出" not in out


def test_departments_json(capsys):
    code, out, _ = run(capsys, "departments", "--format", "json")
    assert code == 0
    depts = {d["code"]: d for d in json.loads(out)}
    assert depts["commerce"]["province"] == "省商务厅"
    assert depts["market"]["city"] == "市市场监督管理局"


def test_validate_checks_the_city_item_layer(capsys, tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text(
        '[deployment]\nregion = "371500"\nlevel = "city"\ndomains = ["catering"]\n'
        '[[disable]]\ncode = "catering.999"\nreason = "本市不适用"\n',
        "utf-8",
    )
    code, _, err = run(capsys, "validate", str(cfg))
    assert code == 1
    assert "catering.999" in err


@pytest.mark.parametrize(
    "url, reason",
    [
        ("postgresql://nobody:secret@127.0.0.1:1/x", "Connection refused"),
        ("sqlite:////nonexistent-dir/x.db", "unable to open database file"),
    ],
)
@pytest.mark.parametrize("command", [["db", "upgrade"], ["loop", "list"], ["audit", "verify"]])
def test_an_unreachable_database_is_one_line_and_exit_1(capsys, tmp_path, url, reason, command):
    cfg = tmp_path / "c.toml"
    cfg.write_text(
        f'[deployment]\nregion = "371500"\nlevel = "city"\ndomains = []\n[storage]\nurl = "{url}"\n'
    )
    code, _, err = run(capsys, *command, "--config", str(cfg))
    assert code == 1
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert "无法连接数据库" in err and reason in err
    assert "secret" not in err


def test_validate_lists_a_verified_value_whose_basis_names_no_source_read(capsys, tmp_path):
    """A value's status may not claim more than its sources show (issue 20): an override marked
    verified on a secondary basis only is listed, and the landed plugins have none."""
    code, out, _ = run(
        capsys, "validate", str(ROOT / "examples" / "shandong.toml"), "--format", "json"
    )
    assert code == 0 and json.loads(out)["verified_without_source"] == []
    cfg = tmp_path / "c.toml"
    cfg.write_text(
        '[deployment]\nregion = "371500"\nlevel = "city"\ndomains = ["prepaid_card"]\n\n'
        '[[override]]\ndomain = "prepaid_card"\nparameter = "outstanding_balance.min"\n'
        'value = 1000\neffective_from = 2024-07-01\nstatus = "verified"\nreviewed = 2026-11-27\n'
        'reason = "测试"\nbasis = [{law = "某市文件", status = "secondary"}]\n'
    )
    code, out, _ = run(capsys, "validate", str(cfg), "--format", "json")
    assert code == 0
    assert json.loads(out)["verified_without_source"] == ["prepaid_card.outstanding_balance.min"]
    code, out, _ = run(capsys, "validate", str(cfg))
    assert "prepaid_card.outstanding_balance.min = 1000" in out
    assert "没有一项是已读原文" in out


def test_validate_takes_the_config_as_an_option_too_but_not_twice(capsys):
    code, out, _ = run(capsys, "validate", "--config", LIAOCHENG)
    assert code == 0 and "有效" in out
    code, _, err = run(capsys, "validate", LIAOCHENG, "--config", LIAOCHENG)
    assert code == 2 and "配置文件只能给一次" in err


def test_validate_lists_no_empty_domain_where_every_enabled_one_has_rules(capsys):
    code, out, _ = run(capsys, "validate", "--config", LIAOCHENG, "--format", "json")
    assert code == 0 and json.loads(out)["domains_without_rules"] == []
