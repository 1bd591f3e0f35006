"""``onething registry`` end to end with the real plugins: a synthetic Liaocheng registry is
generated, imported, mapped and counted; bad input exits 1 naming file, row and field."""

from __future__ import annotations

import csv
import json

import pytest
from cli_support import run

from onething.registry import regions, uscc

DOMAINS = ["prepaid_card", "catering", "elderly_care"]


@pytest.fixture
def config(tmp_path, capsys):
    path = tmp_path / "onething.toml"
    path.write_text(
        f"""[deployment]
name = "聊城市"
region = "371500"
level = "city"
domains = {json.dumps(DOMAINS)}
[storage]
url = "sqlite:///registry.db"
""",
        "utf-8",
    )
    assert run(capsys, "db", "upgrade", "--config", str(path))[0] == 0
    return str(path)


def test_synth_import_map_stats(config, tmp_path, capsys):
    out = tmp_path / "liaocheng.csv"
    code, text, _ = run(
        capsys, "registry", "synth", "--config", config, "--region", "371500",
        "--size", "150", "--seed", "7", "--out", str(out),
    )  # fmt: skip
    assert code == 0, text
    with out.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 150
    counties = {r.code for r in regions.counties("371500")}
    assert {r["region_code"] for r in rows} <= counties
    assert all(uscc.is_valid(r["uscc"]) for r in rows if r["uscc"])
    assert all(r["key"].startswith("ALT-") for r in rows if not r["uscc"])
    multi = [r for r in rows if len(json.loads(r["domains"])) > 1]
    assert multi, "some businesses are in several domains (a restaurant selling prepaid cards)"
    assert {r["credit_grade"] for r in rows} >= {"A", "B", "C"}
    assert all(json.loads(r["licences"]) for r in rows)

    code, text, err = run(
        capsys, "registry", "import", str(out), "--config", config, "--report", "json"
    )
    assert code == 0, err
    report = json.loads(text)
    assert (report["inserted"], report["rejected"]) == (150, 0)
    assert report["mapped"] > 150

    code, text, _ = run(capsys, "registry", "stats", "--config", config, "--format", "json")
    assert code == 0
    stats = json.loads(text)
    assert sum(r["objects"] for r in stats["counts"]) >= 150  # multi-domain objects count twice
    assert stats["gaps"]["objects"] == 150

    code, text, _ = run(
        capsys, "registry", "stats", "--config", config, "--by", "region", "--format", "csv"
    )
    assert code == 0 and text.startswith("region,objects,region_name")

    code, text, _ = run(
        capsys, "registry", "profiles", "--config", config, "--top", "1000", "--format", "json"
    )
    assert code == 0
    profiles = json.loads(text)
    top = profiles["top"]
    assert sum(p["objects"] for p in top) == 150 and len(top) == profiles["profiles"] < 150
    assert [p["objects"] for p in top] == sorted((p["objects"] for p in top), reverse=True)
    for p in top[:5]:  # each profile lists what its objects are and what applies to them
        assert p["members"] and p["departments"] == sorted(p["departments"])
        assert all(code.split(".")[0] in {d for d, _t in p["members"]} for code in p["items"])
    code, text, _ = run(capsys, "--lang", "en", "registry", "profiles", "--config", config)
    assert code == 0 and "Applicability profiles (150 objects" in text

    code, text, _ = run(capsys, "registry", "map", "--config", config, "--format", "json")
    assert code == 0
    assert json.loads(text)["changed_items"] == {}  # the import left the mapping current

    code, text, _ = run(
        capsys, "registry", "synth", "--config", config, "--region", "371500",
        "--size", "150", "--seed", "7", "--out", str(tmp_path / "again.csv"),
    )  # fmt: skip
    assert (tmp_path / "again.csv").read_bytes() == out.read_bytes()  # deterministic
    code, _, err = run(
        capsys, "registry", "synth", "--config", config, "--region", "371500",
        "--size", "3", "--out", str(tmp_path / "again.csv"),
    )  # fmt: skip
    assert code == 1 and "--force" in err
    assert (tmp_path / "again.csv").read_bytes() == out.read_bytes()  # not written over


def test_a_bad_row_exits_1_and_names_file_row_and_field(config, tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text(
        "uscc,name,region_code,domains\n"
        '91371502MA3C4X1K5m,甲,371502,"{""catering"": {""object_types"": [""restaurant""]}}"\n',
        "utf-8",
    )
    code, _, err = run(capsys, "registry", "import", str(path), "--config", config)
    assert code == 1
    assert f"{path}:2: uscc:" in err and "小写" in err


def test_skip_invalid_needs_a_rejects_file(config, tmp_path, capsys):
    path = tmp_path / "x.csv"
    path.write_text("uscc,name,region_code,domains\n", "utf-8")
    code, _, _ = run(capsys, "registry", "import", str(path), "--config", config, "--skip-invalid")
    assert code == 2


def test_help_is_chinese_first_and_english_on_request(capsys):
    code, text, _ = run(capsys, "registry", "--help")
    assert code == 0 and "监管对象名录库" in text
    code, text, _ = run(capsys, "--lang", "en", "registry", "import", "--help")
    assert code == 0 and "All-or-nothing" in text


def test_the_import_progress_bar_starts_no_thread_so_workers_can_fork(monkeypatch):
    """On a terminal the bar is shown; a refresh thread would make the import decide that
    forking worker processes is unsafe."""
    import sys
    import threading

    from onething.cli.common import progress_bar

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    before = threading.active_count()
    with progress_bar("导入", auto_refresh=False) as bar:
        assert not bar.disable
        assert threading.active_count() == before
    with progress_bar("生成") as bar:  # the others refresh themselves
        assert threading.active_count() == before + 1


def test_show_gives_record_items_and_history_and_rejects_an_unknown_key(config, tmp_path, capsys):
    out = tmp_path / "r.csv"
    run(capsys, "registry", "synth", "--config", config, "--region", "371500",
        "--size", "20", "--seed", "3", "--out", str(out))  # fmt: skip
    assert run(capsys, "registry", "import", str(out), "--config", config)[0] == 0
    with out.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    first = rows[0]
    key = first["uscc"] or first["key"]
    moved = tmp_path / "moved.csv"
    with moved.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(first))
        writer.writeheader()
        writer.writerow({**first, "address": first["address"] + "（新址）"})
    assert run(capsys, "registry", "import", str(moved), "--config", config)[0] == 0

    code, text, _ = run(capsys, "registry", "show", key, "--config", config, "--format", "json")
    assert code == 0
    shown = json.loads(text)
    assert shown["object"]["address"].endswith("（新址）")
    assert shown["items"] and all(i["departments"] for i in shown["items"] if i["name_zh"])
    assert [(h["version"], h["data"]["address"]) for h in shown["history"]] == [
        (1, first["address"])
    ]
    code, text, _ = run(capsys, "registry", "show", key, "--config", config)
    assert code == 0 and "适用事项" in text and "变更历史" in text
    code, _, err = run(capsys, "registry", "show", "91371500NOSUCHKEY1", "--config", config)
    assert code == 1 and "名录库中没有该对象" in err
