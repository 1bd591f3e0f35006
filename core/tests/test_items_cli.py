"""``onething items``: list, diff, export, import, import-related and check-links end to end on
the real catering plugin (read-only) and a SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_support import run
from openpyxl import load_workbook

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def cfg(tmp_path) -> str:
    path = tmp_path / "onething.toml"
    path.write_text(
        '[deployment]\nname = "聊城市"\nregion = "371500"\nlevel = "city"\ndomains = ["catering"]\n'
        '[storage]\nurl = "sqlite:///t.db"\n[output]\ndir = "out"\n'
        '[[disable]]\ncode = "catering.002"\nreason = "本市小餐饮由县级登记，不列入市级清单"\n',
        "utf-8",
    )
    return str(path)


def test_list_diff_and_export_from_the_command_line(capsys, cfg, tmp_path):
    code, out, _ = run(
        capsys, "items", "list", "--config", cfg, "--at", "2026-06-01", "--format", "json"
    )
    assert code == 0
    rows = {r["code"]: r for r in json.loads(out)}
    assert rows["catering.002"]["disabled"].startswith("本市小餐饮")
    code, out, _ = run(
        capsys,
        "items",
        "diff",
        "--config",
        cfg,
        "--from",
        "2020-01-01",
        "--to",
        "2026-06-01",
        "--format",
        "json",
    )
    assert code == 0 and any(c["kind"] == "added" for c in json.loads(out))
    code, out, _ = run(capsys, "items", "export", "--config", cfg, "--at", "2026-06-01")
    assert code == 0
    wb = load_workbook(tmp_path / "out" / "items-2026-06-01.xlsx")
    assert wb.sheetnames == ["统一监管事项清单", "餐饮服务（catering）"]
    code, out, _ = run(capsys, "db", "upgrade", "--config", cfg)
    code, out, _ = run(
        capsys, "items", "import", "--config", cfg, str(tmp_path / "out" / "items-2026-06-01.xlsx")
    )
    assert code == 0 and "已导入" in out


def test_check_links_exits_1_when_an_entry_is_uncovered(capsys, cfg, tmp_path):
    run(capsys, "db", "upgrade", "--config", cfg)
    lic = tmp_path / "lic.csv"
    lic.write_text("编码,名称,领域\nL-1,食品经营许可,catering\n", "utf-8")
    code, out, _ = run(
        capsys,
        "items",
        "import-related",
        "--config",
        cfg,
        "--kind",
        "licensing",
        "--as-of",
        "2026-01-01",
        str(lic),
    )
    assert code == 0 and "新增 1" in out
    code, out, _ = run(
        capsys, "items", "check-links", "--config", cfg, "--at", "2026-06-01", "--format", "json"
    )
    assert code == 1
    assert [p["problem"] for p in json.loads(out)] == ["uncovered"]


def test_bad_related_file_exits_1_naming_file_row_column(capsys, cfg, tmp_path):
    run(capsys, "db", "upgrade", "--config", cfg)
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name,department\nL-1,甲,nobody\n", "utf-8")
    code, _, err = run(
        capsys, "items", "import-related", "--config", cfg, "--kind", "power", str(bad)
    )
    assert code == 1
    assert f"{bad}:2:C: department: 未知的部门" in err


def test_items_help_is_chinese_and_english_on_request(capsys):
    code, out, _ = run(capsys, "items", "--help")
    assert code == 0 and "监管事项清单" in out
    code, out, _ = run(capsys, "--lang", "en", "items", "export", "--help")
    assert code == 0 and "official item-list table" in out


def test_export_refuses_an_existing_file_and_never_writes_over_the_config(capsys, cfg, tmp_path):
    target = tmp_path / "mine.csv"
    target.write_text("not ours\n", "utf-8")
    args = ("items", "export", "--config", cfg, "--at", "2026-06-01", "--format", "csv")
    code, _, err = run(capsys, *args, "--out", str(target))
    assert code == 1 and "--force" in err and target.read_text("utf-8") == "not ours\n"
    code, _, err = run(capsys, *args, "--out", cfg, "--force")
    assert (
        code == 1
        and "不能被覆盖" in err
        and Path(cfg).read_text("utf-8").startswith("[deployment]")
    )
    code, _, _ = run(capsys, *args, "--out", str(target), "--force")
    assert code == 0 and target.read_text("utf-8-sig").startswith("序号")
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
