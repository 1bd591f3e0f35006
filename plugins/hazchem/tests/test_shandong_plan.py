"""Shandong's plan with all eight domains (examples/shandong.toml): hazchem enterprises are
realistic in the synthetic registry, a chemical plant's staff canteen (one registry object in the
hazchem and the catering domain) joins the plant's joint visit, the fire check point both
domains require is held once, and nothing a hazchem merge constraint names is in a joint visit.

The province sets no catering sampling ratio (Liaocheng's layer does), so a test layer samples
every catering and hazchem object to make the joint visits certain on a small registry."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jsonschema
import pytest

from onething import enable
from onething.testing.cycle import run_cli, run_cycle, sampling_layer, visit_domains

ROOT = Path(__file__).resolve().parents[3]
SHANDONG = ROOT / "examples" / "shandong.toml"
APART = {"hazchem.001", "hazchem.019"}


@pytest.fixture(scope="module")
def planned(tmp_path_factory):
    done = run_cycle(
        tmp_path_factory.mktemp("shandong_hazchem"),
        SHANDONG,
        layer=sampling_layer(override=("hazchem",), extend=("catering",)),
        cycle="2026Q4",
    )
    return done.config, done.directory, done.rows_of("hazchem"), done.plan


_domains = visit_domains


def test_synthetic_hazchem_enterprises_are_realistic(planned):
    _cfg, _tmp, rows, _plan = planned
    schema = enable(["hazchem"]).rules("hazchem").description.attribute_schema
    enterprises = [r for r in rows if r.get("object_kind", "business") in ("", "business")]
    assert len(enterprises) > 30
    canteens = 0
    for r in enterprises:
        domains = json.loads(r["domains"])
        jsonschema.validate(domains["hazchem"]["attributes"], schema)
        assert r["uscc"][1] == "1", r["name"]  # an enterprise, never a sole trader
        assert r["name"].endswith("有限公司")
        (lic,) = [x for x in json.loads(r["licences"]) if x["kind"] == "hazchem_licence"]
        days = dt.date.fromisoformat(lic["valid_to"]) - dt.date.fromisoformat(lic["valid_from"])
        assert days.days == 3 * 365 and lic["department"] == "emergency"
        if "catering" in domains:
            canteens += 1
            assert domains["catering"]["object_types"] == ["canteen"]
            assert domains["catering"]["attributes"]["canteen_kind"] == "enterprise"
    assert 0 < canteens < len(enterprises)


def test_a_plants_canteen_joins_the_plants_joint_visit(planned):
    _cfg, _tmp, _rows, plan = planned
    joint = [v for v in plan["visits"] if {"hazchem", "catering"} <= _domains(v)]
    assert joint
    for v in joint:
        assert v["joint"] and v["split"] is None and v["id"] == f"V:{v['key']}"
        assert {"emergency", "market", "fire"} <= set(v["departments"])


def test_hazchem_visits_serve_several_departments_and_keep_only_the_named_items_apart(planned):
    _cfg, _tmp, _rows, plan = planned
    hazchem = [v for v in plan["visits"] if "hazchem" in _domains(v)]
    assert hazchem and all(v["joint"] for v in hazchem)
    assert any(
        {"emergency", "market", "fire", "public_security"} <= set(v["departments"]) for v in hazchem
    )
    assert not any(APART & set(v["items"]) for v in plan["visits"] if v["joint"])


def test_the_joint_checklist_holds_the_shared_fire_point_once(planned):
    cfg, tmp, _rows, plan = planned
    visit = next(v for v in plan["visits"] if {"hazchem", "catering"} <= _domains(v))
    out = tmp / "visit.json"
    assert (
        run_cli(
            "checklist",
            "--config",
            str(cfg),
            "--object",
            visit["key"],
            "--format",
            "json",
            "--out",
            str(out),
        )
        == 0
    )
    lines = {ln["canonical"]: ln for ln in json.loads(out.read_text("utf-8"))["checklist"]}
    assert {e["code"] for e in lines["fire_facilities"]["elements"]} == {
        "hazchem.e17",
        "catering.e13",
    }


def test_installations_drawn_for_shandong_are_visited_with_their_enterprise(planned):
    """registry synth draws each enterprise's major hazard sources and storage facilities and
    the cycle imports their installed_at relations: no visit goes to an installation, and the
    installations sampled for their own items are objects of their enterprise's visit."""
    _cfg, _tmp, rows, plan = planned
    installations = {r["key"] for r in rows if r.get("object_kind") == "installation"}
    assert installations
    assert not [v for v in plan["visits"] if v["key"] in installations]
    visited = {o for v in plan["visits"] for o in v.get("objects", []) if o in installations}
    placed = {t["id"] for t in plan["tasks"]} - {u["task"] for u in plan["unplaced"]}
    tasked = {t["key"] for t in plan["tasks"] if t["key"] in installations and t["id"] in placed}
    assert tasked and tasked <= visited
