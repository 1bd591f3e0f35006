"""Hazchem in the double-random plan (一次检查、全面体检): its departments' tasks on one enterprise
form one joint visit, a canteen's catering tasks join it, and only the merge constraints'
items are visits of their own. Through the CLI on SQLite, as an operator runs it."""

from __future__ import annotations

import csv
import json

import pytest

from onething.cli import main

KEY = "91371502MA3HXCH09W"  # a chemical plant with a staff canteen (hand-written row)


def run(*args: str) -> int:
    with pytest.raises(SystemExit) as exc:
        main(list(args))
    return exc.value.code


@pytest.fixture(scope="module")
def plan(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hazplan")
    cfg = tmp / "onething.toml"
    cfg.write_text(
        '[deployment]\nname = "聊城市"\nregion = "371500"\nlevel = "city"\n'
        'domains = ["hazchem", "catering"]\n[storage]\nurl = "sqlite:///p.db"\n',
        "utf-8",
    )
    c = ["--config", str(cfg)]
    registry = tmp / "r.csv"
    assert run("db", "upgrade", *c) == 0
    assert (
        run(
            "registry",
            "synth",
            "--region",
            "371500",
            "--size",
            "400",
            "--seed",
            "7",
            "--out",
            str(registry),
            *c,
        )
        == 0
    )
    with registry.open(encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh))
    row = {
        "uscc": KEY,
        "name": "聊城东昌府鲁聊化工有限公司",
        "region_code": "371502",
        "address": "聊城市东昌府区建设路1号",
        "domains": json.dumps(
            {
                "hazchem": {
                    "object_types": ["producer"],
                    "attributes": {
                        "has_storage": True,
                        "major_hazard_sources": 1,
                        "major_hazard_top_level": 3,
                        "has_pressure_equipment": True,
                        "own_dg_vehicles": True,
                        "employees": 400,
                    },
                },
                "catering": {"object_types": ["canteen"]},
            },
            ensure_ascii=False,
        ),
        "licences": "[]",
        "credit_grade": "B",
        "risk_grade": "C",
    }
    with registry.open("a", encoding="utf-8", newline="") as fh:
        csv.DictWriter(fh, fieldnames=header, restval="").writerow(row)
    tasks = tmp / "tasks.jsonl"
    tasks.write_text(
        "\n".join(
            json.dumps({"key": KEY, "item": item, "kind": "key", "id": f"K-{item}"})
            for item in (
                "hazchem.007",
                "hazchem.016",
                "hazchem.017",
                "hazchem.020",
                "catering.001",
                "hazchem.001",
            )
        ),
        "utf-8",
    )
    assert run("registry", "import", str(registry), *c) == 0
    assert run("inspectors", "synth", "--out", str(tmp / "p.csv"), *c) == 0
    assert run("inspectors", "import", str(tmp / "p.csv"), *c) == 0
    out = tmp / "out"
    assert (
        run(
            "plan",
            "--cycle",
            "2026Q4",
            "--seed",
            "11",
            "--tasks",
            str(tasks),
            "--out",
            str(out),
            *c,
        )
        == 0
    )
    return json.loads((out / "plan.json").read_text("utf-8"))


def test_one_joint_visit_covers_special_equipment_vehicles_fire_and_the_canteen(plan):
    (visit,) = [v for v in plan["visits"] if v["id"] == f"V:{KEY}"]
    assert visit["joint"]
    assert {"hazchem.007", "hazchem.016", "hazchem.017", "hazchem.020", "catering.001"} <= set(
        visit["items"]
    )
    assert {"emergency", "market", "transport", "fire"} <= set(visit["departments"])


def test_the_construction_review_is_a_visit_of_its_own_with_its_reason(plan):
    (visit,) = [v for v in plan["visits"] if v["id"] == f"V:{KEY}:hazchem.construction_review"]
    assert visit["items"] == ["hazchem.001"] and not visit["joint"]
    assert "安全条件审查" in visit["split_reason"]


def test_random_hazchem_visits_are_joint_visits_of_several_departments(plan):
    hazchem = [v for v in plan["visits"] if any(i.startswith("hazchem.") for i in v["items"])]
    assert len(hazchem) > 10
    assert all(v["joint"] for v in hazchem if v["key"] != KEY)
    assert any(len(v["departments"]) >= 3 for v in hazchem)
