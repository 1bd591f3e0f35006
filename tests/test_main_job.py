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


def test_a_draw_writes_over_no_plan_file_unless_forced(planned):
    import sqlalchemy as sa

    cfg, out = planned
    c = ["--config", str(cfg)]
    q2 = out.parent / "q2"
    draw = ["plan", *c, "--cycle", "2026Q2", "--seed", "7", "--out", str(q2), "--checklists", "2"]
    assert run(*draw) == 0
    files = sorted(q2.rglob("*"))
    before = {p: p.read_bytes() for p in files if p.is_file()}
    assert len(before) == 5  # plan.json, plan.csv, summary.html and two checklists
    engine = sa.create_engine(f"sqlite:///{cfg.parent / 'main.db'}")

    def draws() -> int:
        with engine.connect() as conn:
            return conn.execute(sa.text("SELECT count(*) FROM planning_draw")).scalar_one()

    n = draws()
    assert run(*draw, "--reason", "复核") == 1  # refused: nothing written, no draw recorded
    assert sorted(q2.rglob("*")) == files
    assert {p: p.read_bytes() for p in before} == before and draws() == n
    assert run(*draw, "--reason", "复核", "--force") == 0
    assert draws() == n + 1

    pool = out.parent / "p.csv"
    text = pool.read_text("utf-8")
    assert run("inspectors", "synth", *c, "--out", str(pool), "--seed", "9") == 1
    assert pool.read_text("utf-8") == text
    assert run("inspectors", "synth", *c, "--out", str(pool), "--seed", "9", "--force") == 0
    assert pool.read_text("utf-8") != text
