"""Commands that change data answer ``--format json`` with the ids of what they changed
(``{"changed": {kind: [id, …]}, …}``), and the checks (``audit verify``, ``plan verify``,
``db current``) with their verdict, exit 1 when it is bad — on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_support import run
from fake_support import fake_deployment

from onething.registry.uscc import make_uscc

KEY = make_uscc("9", "1", "371502", "MA3C0002")
REGION = "371502"


@pytest.fixture
def cfg(store, tmp_path, monkeypatch):
    return fake_deployment(store, tmp_path, monkeypatch, KEY, REGION)[0]


def _json(capsys, *args, code=0):
    got, out, err = run(capsys, *args)
    assert got == code, err
    return json.loads(out)


def test_facts_a_moved_case_and_the_audit_verdict_as_json(cfg, capsys, tmp_path):
    c = ("--config", cfg, "--format", "json")
    assert (
        run(capsys, "registry", "import", str(tmp_path / "objects.jsonl"), "--config", cfg)[0] == 0
    )
    facts = _json(capsys, "facts", "ingest", str(tmp_path / "facts.csv"), *c)
    assert facts["changed"] == {"objects": [KEY]} and facts["stored"] == 1
    again = _json(capsys, "facts", "ingest", str(tmp_path / "facts.csv"), *c)
    assert again["changed"] == {"objects": []} and again["duplicates"] == 1
    evaluated = _json(capsys, "risk", "evaluate", "--at", "2026-06-30", *c)
    (case_id,) = evaluated["cases_opened"]
    moved = _json(
        capsys, "loop", "act", str(case_id), "assess", *c, "--department", "market",
        "--role", "reviewer", "--region", "371500", "--version", "1",
    )  # fmt: skip
    assert moved["changed"] == {"cases": [case_id]}
    assert (moved["case"]["id"], moved["case"]["version"]) == (case_id, 2)
    assert moved["case"]["transition"] == "assess" and moved["case"]["state"] != "warning"
    verdict = _json(capsys, "audit", "verify", *c)
    assert verdict["ok"] is True and verdict["entries"] == 2 and verdict["problem"] is None
    bad = _json(capsys, "audit", "verify", *c, "--expect", f"9:{'0' * 64}", code=1)
    assert bad["ok"] is False and bad["problem"]["kind"]


def test_events_and_records_list_the_cases_and_records_they_stored(cfg, capsys, tmp_path):
    c = ("--config", cfg, "--format", "json")
    assert (
        run(capsys, "registry", "import", str(tmp_path / "objects.jsonl"), "--config", cfg)[0] == 0
    )
    events = tmp_path / "events.jsonl"
    event = {
        "id": "e1", "type": "penalty_decided", "at": "2026-11-20T10:00:00+08:00", "domain": "fake",
        "object_key": KEY, "region": REGION, "decision_no": "聊市监罚〔2026〕1号", "severity": "severe",
    }  # fmt: skip
    events.write_text(json.dumps(event, ensure_ascii=False) + "\n", "utf-8")
    ingested = _json(capsys, "events", "ingest", str(events), *c)
    assert len(ingested["changed"]["cases"]) == 1 and ingested["applied"] == 1
    assert _json(capsys, "events", "ingest", str(events), *c)["changed"] == {"cases": []}
    record = tmp_path / "v1.json"
    record.write_text(json.dumps({
        "id": "v1", "object": KEY, "items": ["fake.001", "fake.002"],
        "visited_at": "2026-11-21T09:30:00+08:00",
        "inspectors": [{"name": "张三", "department": "market", "id": "M-01"}],
        "entries": [{"element": "fake.e01", "evidence": True},
                    {"element": "fake.e02", "evidence": 30}],
    }, ensure_ascii=False), "utf-8")  # fmt: skip
    added = _json(capsys, "record", "add", str(record), *c)
    assert added["changed"]["records"] == ["v1"] and added["record"]["id"] == "v1"
    assert added["changed"]["cases"] == [*added["opened"], *added["attached"]]


def test_db_upgrade_lists_the_migrations_it_applied_and_current_says_up_to_date(tmp_path, capsys):
    cfg = tmp_path / "onething.toml"
    cfg.write_text(
        '[deployment]\nregion = "371500"\nlevel = "city"\ndomains = []\n'
        f'[storage]\nurl = "sqlite:///{tmp_path.as_posix()}/new.db"\n',
        "utf-8",
    )
    c = ("--config", str(cfg), "--format", "json")
    behind = _json(capsys, "db", "current", *c, code=1)
    assert behind["current"] == [] and behind["up_to_date"] is False
    first = _json(capsys, "db", "upgrade", *c)
    assert first["changed"]["revisions"][0] == "0001" and len(first["current"]) == 1
    assert first["changed"]["revisions"][-1] == first["current"][0]
    assert _json(capsys, "db", "upgrade", *c)["changed"] == {"revisions": []}
    now = _json(capsys, "db", "current", *c)
    assert now["up_to_date"] is True and now["current"] == now["heads"] == first["current"]


def test_generated_and_imported_files_are_listed(cfg, capsys, tmp_path):
    c = ("--config", cfg, "--format", "json")
    objects = tmp_path / "synth.jsonl"
    synth = _json(capsys, "registry", "synth", "--region", "371500", "--size", "5", "--out",
                  str(objects), *c)  # fmt: skip
    assert synth["changed"] == {"files": [str(objects)]} and synth["objects"] == 5
    pool = tmp_path / "pool.csv"
    made = _json(capsys, "inspectors", "synth", "--out", str(pool), "--per-department", "2", *c)
    assert made["changed"] == {"files": [str(pool)]} and pool.is_file()
    ids = sorted(line.split(",")[0] for line in pool.read_text("utf-8").splitlines()[1:])
    imported = _json(capsys, "inspectors", "import", str(pool), *c)
    assert imported["changed"] == {"inspectors": ids} and imported["inserted"] == len(ids)
    assert _json(capsys, "inspectors", "import", str(pool), *c)["updated"] == len(ids)
    report = _json(capsys, "loop", "report", "--out", str(tmp_path / "report"), *c)
    assert report["changed"]["files"]
    assert all(Path(p).is_file() for p in report["changed"]["files"])
    items = tmp_path / "items.json"
    assert (
        run(capsys, "items", "export", "--format", "json", "--out", str(items), "--config", cfg)[0]
        == 0
    )
    listed = _json(capsys, "items", "import", str(items), *c)
    assert len(listed["changed"]["imports"]) == 1 and listed["rows"] > 0
    doc = tmp_path / "cli.md"
    assert _json(capsys, "docs", "cli", "--out", str(doc), "--format", "json") == {
        "changed": {"files": [str(doc)]}
    }
    assert doc.read_text("utf-8").startswith("#")


def test_a_failing_command_asked_for_json_answers_json(tmp_path, capsys):
    """The error goes to stderr as always, and as JSON to stdout for a reader of the JSON."""
    bad = tmp_path / "onething.toml"
    bad.write_text('[deployment]\nregion = "371500"\nlevel = 7\ndomains = "x"\n', "utf-8")
    code, out, err = run(capsys, "validate", "--config", str(bad), "--format", "json")
    doc = json.loads(out)
    assert code == 1 and doc["valid"] is False and doc["config"] == str(bad)
    assert doc["error"]["location"] == str(bad) and doc["error"]["type"] == "InvalidInput"
    assert "2." in doc["error"]["message"] and str(bad) in err  # both schema errors, numbered
    code, out, err = run(capsys, "loop", "list", "--config", str(bad), "--format=json")
    assert code == 1 and json.loads(out)["error"]["location"] == str(bad) and err
    code, out, _ = run(capsys, "loop", "list", "--config", str(bad))
    assert code == 1 and out == ""


def test_a_drawn_plan_lists_its_id_and_files_and_verifies_as_json(cfg, capsys, tmp_path):
    c = ("--config", cfg, "--format", "json")
    assert (
        run(capsys, "registry", "import", str(tmp_path / "objects.jsonl"), "--config", cfg)[0] == 0
    )
    pool = tmp_path / "pool.csv"
    _json(capsys, "inspectors", "synth", "--out", str(pool), *c)
    _json(capsys, "inspectors", "import", str(pool), *c)
    drawn = _json(capsys, "plan", "--cycle", "2026Q3", "--seed", "s", "--out",
                  str(tmp_path / "plan"), *c)  # fmt: skip
    assert drawn["changed"]["plans"] == [drawn["plan_id"]] and drawn["kind"] == "draw"
    assert all(Path(f).is_file() for f in drawn["changed"]["files"])
    verdict = _json(capsys, "plan", "verify", str(tmp_path / "plan" / "plan.json"), *c)
    assert verdict == {"verified": True, "plan_id": drawn["plan_id"], "differences": []}
