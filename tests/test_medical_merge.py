"""Shandong's plan with all eight domains (examples/shandong.toml) puts a care home's clinic —
one registry object in the elderly-care and the medical domain — in one joint visit with the
care home's own tasks, checks the fire points both domains require once, and keeps out only the
tasks a medical merge constraint names (the fund-use audit, radiation)."""

from __future__ import annotations

import csv
import json
import tomllib
from pathlib import Path

import pytest

from onething.cli import main

ROOT = Path(__file__).resolve().parents[1]
SHANDONG = ROOT / "examples" / "shandong.toml"
#: every object of the two domains sampled, so the joint visits are certain on a small registry
LAYER = """
[[override]]
domain = "{domain}"
parameter = "sampling_ratio"
value = 1.0
effective_from = 2026-01-01
basis = [{{ law = "test", status = "unconfirmed" }}]
status = "unconfirmed"
reviewed = 2026-12-07
reason = "test: every object sampled"
"""


def run(*args: str) -> int:
    with pytest.raises(SystemExit) as exc:
        main(list(args))
    return exc.value.code


@pytest.fixture(scope="module")
def planned(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("shandong")
    deployment = tomllib.loads(SHANDONG.read_text("utf-8"))["deployment"]
    layer = tmp / "all.toml"
    layer.write_text("".join(LAYER.format(domain=d) for d in ("medical", "elderly_care")), "utf-8")
    cfg = tmp / "onething.toml"
    cfg.write_text(
        f'[deployment]\nname = "{deployment["name"]}"\nregion = "{deployment["region"]}"\n'
        f'level = "{deployment["level"]}"\ndomains = {json.dumps(deployment["domains"])}\n'
        f"layers = [{json.dumps(str(layer))}]\n"
        '[storage]\nurl = "sqlite:///sd.db"\n',
        "utf-8",
    )
    c = ["--config", str(cfg)]
    steps = [
        ["db", "upgrade"],
        [
            "registry",
            "synth",
            "--region",
            "370000",
            "--size",
            "1500",
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
    plan = json.loads((tmp / "out" / "plan.json").read_text("utf-8"))
    return cfg, tmp, plan


def _domains(visit):
    return {i.split(".")[0] for i in visit["items"]}


def test_the_synthetic_registry_gives_each_care_home_in_the_medical_domain_its_clinic(planned):
    _cfg, tmp, _plan = planned
    both = 0
    with (tmp / "r.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            domains = json.loads(row["domains"])
            if {"medical", "elderly_care"} <= set(domains):
                both += 1
                assert domains["elderly_care"]["attributes"]["has_clinic"] is True
    assert both > 0


def test_a_care_homes_clinic_joins_the_elderly_care_visit(planned):
    _cfg, _tmp, plan = planned
    joint = [v for v in plan["visits"] if v["joint"] and {"medical", "elderly_care"} <= _domains(v)]
    assert joint
    for v in joint:
        assert v["split"] is None and v["id"] == f"V:{v['key']}"
        assert "elderly_care.009" in v["items"] and "medical.001" in v["items"]
        assert {"health", "civil_affairs", "fire"} <= set(v["departments"])


def test_only_the_fund_audit_and_radiation_are_kept_apart(planned):
    _cfg, _tmp, plan = planned
    medical_splits = {v["split"] for v in plan["visits"] if v["split"] and "medical" in _domains(v)}
    assert medical_splits <= {"medical.fund_audit", "medical.radiation_monitoring"}
    assert "medical.fund_audit" in medical_splits
    for v in plan["visits"]:
        if v["split"] == "medical.fund_audit":
            assert v["items"] == ["medical.014"] and v["split_reason"]
        if v["joint"]:
            assert "medical.014" not in v["items"] and "medical.012" not in v["items"]


def test_the_joint_checklist_holds_the_shared_fire_and_clinic_points_once(planned):
    cfg, tmp, plan = planned
    with (tmp / "r.csv").open(encoding="utf-8") as fh:
        canteens = {r["uscc"] for r in csv.DictReader(fh) if "catering" in json.loads(r["domains"])}
    # a care home without a canteen, so only the two domains' elements share each line
    visit = next(
        v
        for v in plan["visits"]
        if v["joint"] and {"medical", "elderly_care"} <= _domains(v) and v["key"] not in canteens
    )
    out = tmp / "visit.json"
    assert (
        run(
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
