"""Shandong's plan with all eight domains (examples/shandong.toml) puts a care home's clinic —
one registry object in the elderly-care and the medical domain — in one joint visit with the
care home's own tasks, checks the fire points both domains require once, and keeps out only the
tasks a medical merge constraint names (the fund-use audit, radiation)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from onething.testing.cycle import run_cli, run_cycle, sampling_layer, visit_domains

ROOT = Path(__file__).resolve().parents[1]
SHANDONG = ROOT / "examples" / "shandong.toml"


@pytest.fixture(scope="module")
def planned(tmp_path_factory):
    layer = sampling_layer(override=("medical", "elderly_care"))
    done = run_cycle(tmp_path_factory.mktemp("shandong"), SHANDONG, layer=layer)
    return done


_domains = visit_domains


def test_the_synthetic_registry_gives_each_care_home_in_the_medical_domain_its_clinic(planned):
    both = 0
    for row in planned.rows:
        domains = json.loads(row["domains"])
        if {"medical", "elderly_care"} <= set(domains):
            both += 1
            assert domains["elderly_care"]["attributes"]["has_clinic"] is True
    assert both > 0


def test_a_care_homes_clinic_joins_the_elderly_care_visit(planned):
    plan = planned.plan
    joint = [v for v in plan["visits"] if v["joint"] and {"medical", "elderly_care"} <= _domains(v)]
    assert joint
    for v in joint:
        assert v["split"] is None and v["id"] == f"V:{v['key']}"
        assert "elderly_care.009" in v["items"] and "medical.001" in v["items"]
        assert {"health", "civil_affairs", "fire"} <= set(v["departments"])


def test_only_the_fund_audit_and_radiation_are_kept_apart(planned):
    plan = planned.plan
    medical_splits = {v["split"] for v in plan["visits"] if v["split"] and "medical" in _domains(v)}
    assert medical_splits <= {"medical.fund_audit", "medical.radiation_monitoring"}
    assert "medical.fund_audit" in medical_splits
    for v in plan["visits"]:
        if v["split"] == "medical.fund_audit":
            assert v["items"] == ["medical.014"] and v["split_reason"]
        if v["joint"]:
            assert "medical.014" not in v["items"] and "medical.012" not in v["items"]


def test_the_joint_checklist_holds_the_shared_fire_and_clinic_points_once(planned):
    cfg, tmp, plan = planned.config, planned.directory, planned.plan
    canteens = {r["uscc"] for r in planned.rows_of("catering")}
    # a care home without a canteen, so only the two domains' elements share each line
    visit = next(
        v
        for v in plan["visits"]
        if v["joint"] and {"medical", "elderly_care"} <= _domains(v) and v["key"] not in canteens
    )
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
    shared = {
        "fire_facilities": {"elderly_care.e09", "medical.e14"},
        "fire_exits": {"elderly_care.e15", "medical.e17"},
        "fire_safety_rules": {"elderly_care.e20", "medical.e23"},
        "medical_institution_licence": {"elderly_care.e02", "medical.e01"},
    }
    for canonical, codes in shared.items():
        assert {e["code"] for e in lines[canonical]["elements"]} == codes, canonical
