"""Hazchem in the double-random plan (一次检查、全面体检): its departments' tasks on one enterprise
form one joint visit, a canteen's catering tasks join it, its installations' tasks (a major
hazard source, a storage facility: items applying through ``installed_at``) join it too, and
only the merge constraints' items are visits of their own. Through the CLI on SQLite, as an
operator runs it."""

from __future__ import annotations

import csv
import json
from collections import Counter

import pytest

from onething.cli import main

KEY = "91371502MA3HXCH09W"  # a chemical plant with a staff canteen (hand-written row)
SOURCE, STORE = "WXY-371502-90001", "WXY-371502-90002"  # its installations (hand-written)
THROUGH = {f"hazchem.0{n}" for n in range(21, 26)}  # items applying through installed_at


def run(*args: str) -> int:
    with pytest.raises(SystemExit) as exc:
        main(list(args))
    return exc.value.code


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("hazplan")


@pytest.fixture(scope="module")
def plan(workdir):
    tmp = workdir
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
                        "storage_facilities": 1,
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
    installations = [
        (SOURCE, "鲁聊化工1号液氯罐区", "major_hazard_source", {"hazard_level": 3}),
        (STORE, "鲁聊化工1号危险化学品仓库", "storage_facility", {"storage_form": "warehouse"}),
    ]
    with registry.open("a", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=header, restval="")
        w.writerow(row)
        for key, name, otype, attributes in installations:
            domains = {"hazchem": {"object_types": [otype], "attributes": attributes}}
            w.writerow(
                {
                    "object_kind": "installation",
                    "key": key,
                    "name": name,
                    "region_code": "371502",
                    "address": row["address"],
                    "domains": json.dumps(domains, ensure_ascii=False),
                    "licences": "[]",
                }
            )
    relations = tmp / "r.relations.csv"  # synth's, and the plant's two
    with relations.open("a", encoding="utf-8", newline="") as fh:
        for key, *_ in installations:
            csv.writer(fh).writerow(["installed_at", key, KEY, "2024-01-01", ""])
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
        )
        + "\n"
        + "\n".join(
            json.dumps({"key": key, "item": item, "kind": "key", "id": f"K-{key}-{item}"})
            for key, item in ((SOURCE, "hazchem.021"), (SOURCE, "hazchem.023"))
        ),
        "utf-8",
    )
    assert run("registry", "import", str(registry), *c) == 0
    assert run("registry", "import-relations", str(relations), *c) == 0
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


@pytest.fixture(scope="module")
def synthesised(plan, workdir):
    """The synthetic registry's rows and relations (with the plant's)."""
    tmp = workdir
    with (tmp / "r.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    with (tmp / "r.relations.csv").open(encoding="utf-8", newline="") as fh:
        relations = list(csv.DictReader(fh))
    return rows, relations


def test_a_synthesised_registry_holds_each_enterprises_installations_installed_at_it(synthesised):
    """registry synth draws as many major hazard sources and storage facilities as an
    enterprise's attributes count, each an installation object installed_at that enterprise,
    with a grade 1–4 for a source."""
    rows, relations = synthesised
    by_key = {r["uscc"] or r["key"]: r for r in rows}
    installed = [r for r in relations if r["type"] == "installed_at"]
    assert len(installed) > 20
    per: dict[str, Counter] = {}
    for rel in installed:
        inst, works = by_key[rel["source"]], by_key[rel["target"]]
        assert inst["object_kind"] == "installation" and works["object_kind"] in ("", "business")
        (otype,) = json.loads(inst["domains"])["hazchem"]["object_types"]
        per.setdefault(rel["target"], Counter())[otype] += 1
        attrs = json.loads(inst["domains"])["hazchem"]["attributes"]
        if otype == "major_hazard_source":
            assert 1 <= attrs["hazard_level"] <= 4
    for r in rows:
        if r["object_kind"] in ("", "business") and "hazchem" in r["domains"]:
            attrs = json.loads(r["domains"])["hazchem"]["attributes"]
            got = per.get(r["uscc"] or r["key"], Counter())
            assert got["major_hazard_source"] == attrs["major_hazard_sources"]
            assert got["storage_facility"] == attrs["storage_facilities"]
    assert {t for c in per.values() for t in c} == {"major_hazard_source", "storage_facility"}


def test_the_installations_items_are_tasks_of_the_plants_one_visit(plan):
    """Items applying through installed_at are tasks of the installation, visited at its plant:
    one visit covers the plant, its major hazard source and its storage facility."""
    (visit,) = [v for v in plan["visits"] if v["id"] == f"V:{KEY}"]
    assert {"hazchem.021", "hazchem.023"} <= set(visit["items"])
    assert {KEY, SOURCE} <= set(visit["objects"])
    assert not [v for v in plan["visits"] if v["key"] in (SOURCE, STORE)]
    mine = [t for t in plan["tasks"] if t["key"] == SOURCE]
    assert {t["item"] for t in mine} >= {"hazchem.021", "hazchem.023"}
    # the installations' items reach the plant's installations, never the plant itself
    assert not [t for t in plan["tasks"] if t["key"] == KEY and t["item"] in THROUGH]


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
