"""The main job end to end through the CLI with the real plugins (what `make demo` runs, on a
small registry): `onething demo` writes the plan, joint checklists, loop report, evaluation and
index.html, guides and publications where this installation has them; the plan it drew
verifies against its database and a tampered one does not; nothing is written over without
--force."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from onething.cli import main

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "examples" / "liaocheng.toml"


def run(*args: str) -> int:
    with pytest.raises(SystemExit) as exc:
        main(list(args))
    return exc.value.code


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("main") / "out"
    assert run("demo", "--config", str(CONFIG), "--out", str(out), "--size", "300") == 0
    # A config reaching the demo's database, for the plan commands.
    cfg = out.parent / "onething.toml"
    text = CONFIG.read_text("utf-8").replace("overrides/", f"{CONFIG.parent.as_posix()}/overrides/")
    text = re.sub(r'url = ".*"', f'url = "sqlite:///{(out / "onething.db").as_posix()}"', text)
    cfg.write_text(text, "utf-8")
    return cfg, out


def test_the_demo_writes_every_artefact(demo):
    _, out = demo
    plan = json.loads((out / "plan.json").read_text("utf-8"))
    assert plan["visits"] and (out / "plan.csv").is_file()
    assert "双随机" in (out / "summary.html").read_text("utf-8")
    lists = sorted((out / "checklists").glob("*.html"))
    assert lists
    key = lists[0].stem.split("-", 1)[1]
    assert f"（{key}）" in lists[0].read_text("utf-8")
    assert (out / "items.xlsx").stat().st_size > 0
    assert (out / "loop-report" / "stage_times.csv").is_file()
    events = (out / "events.jsonl").read_text("utf-8").splitlines()
    assert events and all(json.loads(e)["id"] for e in events)
    guides = {p.name for p in (out / "guides").glob("*.html")}
    assert {"all.html", "catering.html", "prepaid_card.html"} <= guides
    assert "合规指引" in (out / "guides" / "all.html").read_text("utf-8")
    if (out / "publications").is_dir():  # once onething.publication is installed
        assert any((out / "publications").iterdir())


def _figures(out):
    ev = json.loads((out / "evaluation.json").read_text("utf-8"))
    return {f["code"]: f for f in ev["figures"]}


def _count(out, *queries: str) -> list:
    """Each query's single value, read from the demo's store."""
    engine = sa.create_engine(f"sqlite:///{out / 'onething.db'}")
    with engine.connect() as conn:
        values = [conn.execute(sa.text(q)).scalar_one() for q in queries]
    engine.dispose()
    return values


def test_the_evaluation_counts_what_the_demo_stored(demo):
    _, out = demo
    fig = _figures(out)
    records, cases, sanctions, referred, closed = _count(
        out,
        "SELECT count(*) FROM inspection_record",
        "SELECT count(*) FROM loop_case",
        "SELECT count(DISTINCT case_id) FROM loop_step WHERE state='joint_sanction'",
        "SELECT count(DISTINCT case_id) FROM loop_step WHERE state='referral'",
        "SELECT count(*) FROM loop_case WHERE closed_at IS NOT NULL",
    )
    assert fig["visits.records"]["value"] == records > 0
    assert fig["loop.cases"]["value"] == cases > 0
    # The loop was walked: closed cases, a referral, a joint sanction, an overdue step.
    assert closed > 0 and fig["loop.closure_rate"]["numerator"] == closed
    assert referred > 0 and fig["loop.referred"]["value"] == referred
    assert sanctions >= 1 and fig["loop.joint_sanctions"]["value"] == sanctions
    assert fig["loop.overdue_steps"]["numerator"] >= 1
    html = (out / "evaluation.html").read_text("utf-8")
    assert "试点评估" in html and "data:image/png;base64," in html


def test_the_main_job_runs_the_loop_from_risk_warnings_too(demo):
    """Synthetic monitoring data crosses the plugins' own rules for a share of objects: each
    warning opens a case at 风险预警, counted by the evaluation as cases from warnings."""
    _, out = demo
    fig = _figures(out)
    facts, rules, from_warnings = _count(
        out,
        "SELECT count(*) FROM risk_fact",
        "SELECT count(DISTINCT rule_id) FROM risk_warning",
        "SELECT count(*) FROM loop_case WHERE source_kind = 'warning'",
    )
    assert facts > 0 and rules >= 8  # rules of several plugins fired
    assert fig["warnings.cases"]["value"] == from_warnings > 0


def test_some_warnings_are_assessed_and_the_evaluation_tells_how_many_proved_right(demo):
    """A share of the warnings' cases is walked: assessed, then dismissed or transferred,
    accepted and handled; the rest wait at 风险预警. 经研判核实的预警占比 counts them."""
    _, out = demo
    fig = _figures(out)["warnings.proved_right"]
    engine = sa.create_engine(f"sqlite:///{out / 'onething.db'}")
    with engine.connect() as conn:
        states = dict(
            conn.execute(
                sa.text(
                    "SELECT state, count(*) FROM loop_case WHERE source_kind = 'warning' "
                    "GROUP BY state"
                )
            ).all()
        )
    engine.dispose()
    dismissed = states.get("dismissed", 0)
    (confirmed,) = _count(
        out,
        "SELECT count(DISTINCT c.id) FROM loop_case c JOIN loop_step s ON s.case_id = c.id "
        "WHERE c.source_kind = 'warning' AND s.state IN ('rectification', 'referral', 'penalty')",
    )
    assert states.get("warning", 0) > 0  # most still wait in the inbox
    assert dismissed > 0 and confirmed > 0
    assert fig["numerator"] == confirmed
    assert fig["denominator"] == confirmed + dismissed


def test_index_links_resolve_to_written_files(demo):
    _, out = demo
    html = (out / "index.html").read_text("utf-8")
    links = re.findall(r'href="([^"]+)"', html)
    for must in (
        "plan.json",
        "summary.html",
        "evaluation.html",
        "loop-report/",
        "checklists/",
        "guides/",
    ):
        assert must in links, must
    for href in links:
        assert (out / href).exists(), href


def test_plan_verify_passes_untouched_and_fails_tampered(demo, tmp_path):
    cfg, out = demo
    assert run("plan", "verify", str(out / "plan.json"), "--config", str(cfg)) == 0
    plan = json.loads((out / "plan.json").read_text("utf-8"))
    plan["seed"] = "43"
    tampered = tmp_path / "plan.json"
    tampered.write_text(json.dumps(plan, ensure_ascii=False), "utf-8")
    assert run("plan", "verify", str(tampered), "--config", str(cfg)) == 1


def test_plan_verify_refuses_an_ill_typed_plan_file_before_recomputing(demo, tmp_path, capsys):
    """#17: ``plan verify`` checks the file against plan.schema.json first — a count written
    as text is named by file and key path, and nothing is recomputed or compared."""
    cfg, out = demo
    plan = json.loads((out / "plan.json").read_text("utf-8"))
    plan["summary"]["visits"] = str(plan["summary"]["visits"])
    bad = tmp_path / "plan.json"
    bad.write_text(json.dumps(plan, ensure_ascii=False), "utf-8")
    capsys.readouterr()
    assert run("plan", "verify", str(bad), "--config", str(cfg)) == 1
    printed = capsys.readouterr()
    assert f"{bad}: summary.visits: " in printed.err and "应为整数" in printed.err
    assert printed.out == "" and "复核" not in printed.err


def test_a_second_demo_writes_over_nothing_unless_forced(demo):
    _, out = demo
    before = (out / "index.html").read_bytes()
    assert run("demo", "--config", str(CONFIG), "--out", str(out), "--size", "300") == 1
    assert (out / "index.html").read_bytes() == before


def test_a_draw_writes_over_no_plan_file_unless_forced(demo):
    cfg, out = demo
    c = ["--config", str(cfg)]
    q2 = out.parent / "q2"
    draw = ["plan", *c, "--cycle", "2026Q2", "--seed", "7", "--out", str(q2), "--checklists", "2"]
    assert run(*draw) == 0
    files = sorted(q2.rglob("*"))
    before = {p: p.read_bytes() for p in files if p.is_file()}
    assert len(before) == 5  # plan.json, plan.csv, summary.html and two checklists
    engine = sa.create_engine(f"sqlite:///{out / 'onething.db'}")

    def draws() -> int:
        with engine.connect() as conn:
            return conn.execute(sa.text("SELECT count(*) FROM planning_draw")).scalar_one()

    n = draws()
    assert run(*draw, "--reason", "复核") == 1  # refused: nothing written, no draw recorded
    assert sorted(q2.rglob("*")) == files
    assert {p: p.read_bytes() for p in before} == before and draws() == n
    assert run(*draw, "--reason", "复核", "--force") == 0
    assert draws() == n + 1
    engine.dispose()


def test_construction_projects_and_cranes_are_visited_at_their_sites(demo):
    """Liaocheng enables construction: synth draws projects, sites and cranes with their
    relations, the demo imports both, and the plan visits each placed object at its site."""
    _, out = demo
    with (out / "registry.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    placed = {r["key"] for r in rows if r["object_kind"] in ("project", "crane")}
    assert placed and (out / "registry.relations.csv").is_file()
    plan = json.loads((out / "plan.json").read_text("utf-8"))
    assert not any(v["key"] in placed for v in plan["visits"])
    sites = [v for v in plan["visits"] if v["key"].startswith("SITE-")]
    assert sites and any(set(v.get("objects") or []) & placed for v in sites)


def test_transport_platforms_vehicles_and_drivers_are_in_the_cycle(demo):
    """Liaocheng enables transport: synth draws the platforms' vehicles and drivers (keyed with
    the demo's stand-in secret, the environment holding none), the plan checks vehicles
    off-site, and the synthetic drivers are stored only as keyed hashes."""
    _, out = demo
    plan = json.loads((out / "plan.json").read_text("utf-8"))
    offsite = {c["key"] for c in plan["offsite_checks"] if c["item"].startswith("transport.")}
    plates = {k for k in offsite if re.fullmatch(r"鲁[A-Z][0-9A-Z]{5,6}", k)}
    assert plates and offsite - plates, "vehicles and drivers checked off-site"
    assert all(k.startswith("PH-") for k in offsite - plates), "a driver by keyed hash only"
    engine = sa.create_engine(f"sqlite:///{out / 'onething.db'}")
    with engine.connect() as conn:
        kinds = dict(
            conn.execute(
                sa.text("SELECT object_kind, count(*) FROM registry_object GROUP BY object_kind")
            ).all()
        )
        people = (
            conn.execute(sa.text("SELECT key FROM registry_object WHERE object_kind = 'person'"))
            .scalars()
            .all()
        )
    engine.dispose()
    assert kinds.get("vehicle") and kinds.get("person"), kinds
    assert people and all(k.startswith("PH-") for k in people)
