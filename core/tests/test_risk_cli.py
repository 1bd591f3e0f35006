"""The risk commands end to end through the CLI, on a deployment with the fake domain."""

from __future__ import annotations

import json
from importlib import metadata

import pytest
from cli_support import run
from fake_support import FAKE

from onething.registry.uscc import make_uscc

KEY = make_uscc("9", "1", "371502", "MA3C0001")


@pytest.fixture
def deployment(tmp_path, monkeypatch):
    """A config enabling the fake domain, 'installed' by faking entry-point discovery."""
    real = metadata.entry_points

    def entry_points(**kw):
        found = list(real(**kw))
        return [*found, FAKE] if kw.get("group") == "onething.domains" else found

    monkeypatch.setattr("onething.plugins.metadata.entry_points", entry_points)
    cfg = tmp_path / "onething.toml"
    cfg.write_text('[deployment]\nregion = "371500"\nlevel = "city"\ndomains = ["fake"]\n', "utf-8")
    objects = tmp_path / "objects.jsonl"
    objects.write_text(
        json.dumps(
            {
                "uscc": KEY,
                "name": "测试商店",
                "region_code": "371502",
                "domains": {"fake": {"object_types": ["shop"], "attributes": {}}},
            },
            ensure_ascii=False,
        )
        + "\n",
        "utf-8",
    )
    return cfg, objects


def test_ingest_evaluate_explain(deployment, capsys, tmp_path):
    cfg, objects = deployment
    assert run(capsys, "db", "upgrade", "--config", str(cfg))[0] == 0
    code, _, err = run(capsys, "registry", "import", str(objects), "--config", str(cfg))
    assert code == 0, err
    facts = tmp_path / "facts.csv"
    facts.write_text(
        f"key,fact,value,observed_at,source\n{KEY},abnormal_listed,true,2026-06-01,公示系统\n",
        "utf-8",
    )
    code, out, err = run(capsys, "facts", "ingest", str(facts), "--config", str(cfg))
    assert code == 0, err
    code, out, _ = run(
        capsys, "risk", "evaluate", "--config", str(cfg), "--at", "2026-06-30", "--format", "json"
    )
    assert code == 0
    report = json.loads(out)
    assert report["new_warnings"] == 1 and report["by_rule"] == {
        "fake.abnormal_list": {"fired": 1, "new": 1}
    }
    assert len(report["cases_opened"]) == 1
    code, out, _ = run(
        capsys,
        "risk",
        "explain",
        KEY,
        "--config",
        str(cfg),
        "--at",
        "2026-06-30",
        "--format",
        "json",
    )
    assert code == 0
    data = json.loads(out)
    assert data["grade"]["risk_grade"] == "C" and data["facts"] == {"abnormal_listed": True}


def test_bad_facts_file_exits_1_naming_the_line(deployment, capsys, tmp_path):
    cfg, _ = deployment
    run(capsys, "db", "upgrade", "--config", str(cfg))
    facts = tmp_path / "facts.jsonl"
    facts.write_text(
        '{"key": "X", "fact": "abnormal_listed", "value": true, "observed_at": "2026-06-01", "source": "s"}\n',
        "utf-8",
    )
    code, _, err = run(capsys, "facts", "ingest", str(facts), "--config", str(cfg))
    assert code == 1
    assert "facts.jsonl:1: key: 名录库中没有对象 'X'" in err


def test_risk_commands_refuse_a_database_that_was_not_upgraded(deployment, capsys):
    cfg, _ = deployment
    code, _, err = run(capsys, "risk", "evaluate", "--config", str(cfg))
    assert code == 1 and "onething db upgrade" in err


@pytest.mark.parametrize(
    ("name", "encoding", "where"),
    [("facts.jsonl", "gbk", "facts.jsonl:1"), ("facts.csv", "utf-16", "facts.csv:1")],
)
def test_a_facts_file_not_in_utf8_names_the_file_and_line(
    deployment, capsys, tmp_path, name, encoding, where
):
    cfg, _ = deployment
    run(capsys, "db", "upgrade", "--config", str(cfg))
    facts = tmp_path / name
    row = {"key": KEY, "fact": "abnormal_listed", "value": True, "observed_at": "2026-06-01"}
    text = (
        json.dumps({**row, "source": "公示系统"}, ensure_ascii=False) + "\n"
        if name.endswith(".jsonl")
        else f"key,fact,value,observed_at,source\n{KEY},abnormal_listed,true,2026-06-01,公示系统\n"
    )
    facts.write_bytes(text.encode(encoding))
    code, _, err = run(capsys, "facts", "ingest", str(facts), "--config", str(cfg))
    assert code == 1 and f"{where}: " in err and "UTF-8" in err and "Traceback" not in err


def test_a_facts_jsonl_file_with_a_utf8_bom_is_read(deployment, capsys, tmp_path):
    cfg, objects = deployment
    run(capsys, "db", "upgrade", "--config", str(cfg))
    assert run(capsys, "registry", "import", str(objects), "--config", str(cfg))[0] == 0
    facts = tmp_path / "facts.jsonl"
    row = {"key": KEY, "fact": "abnormal_listed", "value": True, "observed_at": "2026-06-01"}
    facts.write_bytes(b"\xef\xbb\xbf" + json.dumps({**row, "source": "s"}).encode() + b"\n")
    code, _, err = run(capsys, "facts", "ingest", str(facts), "--config", str(cfg))
    assert code == 0, err


def test_facts_ingest_of_a_directory_says_it_expected_a_file(deployment, capsys, tmp_path):
    cfg, _ = deployment
    run(capsys, "db", "upgrade", "--config", str(cfg))
    code, _, err = run(
        capsys, "--lang", "en", "facts", "ingest", str(tmp_path), "--config", str(cfg)
    )
    assert code == 1 and "expected a file, got a directory" in err
