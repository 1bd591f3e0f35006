"""The main job end to end through the CLI with the real plugins (what `make demo` runs, on a
small registry): synthesise and import a registry and inspector pools, draw the plan, write
plan files and joint checklists, verify the plan — and catch a tampered one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from onething.cli import main

ROOT = Path(__file__).resolve().parents[1]
LAYER = ROOT / "examples" / "overrides" / "sampling-liaocheng.toml"


def run(*args: str) -> int:
    with pytest.raises(SystemExit) as exc:
        main(list(args))
    return exc.value.code


@pytest.fixture(scope="module")
def planned(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("main")
    cfg = tmp / "onething.toml"
    cfg.write_text(
        '[deployment]\nname = "聊城市"\nregion = "371500"\nlevel = "city"\n'
        'domains = ["prepaid_card", "catering", "elderly_care", "medical"]\n'
        f"layers = [{json.dumps(str(LAYER))}]\n"
        '[storage]\nurl = "sqlite:///main.db"\n',
        "utf-8",
    )
    c = ["--config", str(cfg)]
    steps = [
        ["db", "upgrade"],
        [
            "registry",
            "synth",
            "--region",
            "371500",
            "--size",
            "300",
            "--seed",
            "5",
            "--out",
            str(tmp / "r.csv"),
        ],
        ["registry", "import", str(tmp / "r.csv")],
        ["inspectors", "synth", "--out", str(tmp / "p.csv")],
        ["inspectors", "import", str(tmp / "p.csv")],
        ["plan", "--cycle", "2026Q1", "--seed", "42", "--out", str(tmp / "out")],
    ]
    for step in steps:
        assert run(*step, *c) == 0, step
    return cfg, tmp / "out"


def test_the_plan_files_and_joint_checklists_are_written(planned):
    _, out = planned
    plan = json.loads((out / "plan.json").read_text("utf-8"))
    assert plan["visits"] and (out / "plan.csv").is_file()
    summary = (out / "summary.html").read_text("utf-8")
    assert "双随机" in summary and "42" in summary
    first = sorted((out / "checklists").glob("*.html"))
    assert first
    page = first[0].read_text("utf-8")
    key = first[0].stem.split("-", 1)[1]
    assert f"（{key}）" in page
    assert not page.count(f"<td>（{key}）"), "the checklist names the object, not just its key"


def test_plan_verify_passes_untouched_and_fails_tampered(planned, tmp_path):
    cfg, out = planned
    assert run("plan", "verify", str(out / "plan.json"), "--config", str(cfg)) == 0
    plan = json.loads((out / "plan.json").read_text("utf-8"))
    plan["seed"] = "43"
    tampered = tmp_path / "plan.json"
    tampered.write_text(json.dumps(plan, ensure_ascii=False), "utf-8")
    assert run("plan", "verify", str(tampered), "--config", str(cfg)) == 1
