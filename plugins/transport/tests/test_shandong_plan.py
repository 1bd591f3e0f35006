"""The Shandong deployment (examples/shandong.toml, all eight domains) through the CLI on a
synthetic registry plus a platform's vehicles and drivers: transport businesses are realistic,
a platform's transport tasks share one joint visit, merge.toml's items are kept apart, and
vehicles and drivers are off-site checks only — never a visit."""

from __future__ import annotations

import csv
import json
import tomllib
from pathlib import Path

import pytest

from onething.cli import main
from onething.registry import kinds as K

ROOT = Path(__file__).resolve().parents[3]
SHANDONG = ROOT / "examples" / "shandong.toml"
APART = {
    "transport.004": "transport.data_feed_monitoring",
    "transport.013": "transport.bike_parking_patrol",
}
VEHICLES = 300
SECRET = "t" * 40
SUFFIXES = ("出行科技有限公司", "网络科技有限公司", "汽车服务有限公司", "网约车服务有限公司")


def run(*args: str) -> int:
    with pytest.raises(SystemExit) as exc:
        main(list(args))
    return exc.value.code


def plate(i: int) -> str:
    return f"鲁PD{i:05d}" if i % 2 else f"鲁P{i:05d}"  # every other one a new-energy plate


def person(i: int) -> str:
    body = f"3715021990{i // 28 % 12 + 1:02d}{i % 28 + 1:02d}{i // 336:03d}"
    return body + K.id_check_character(body)


@pytest.fixture(scope="module")
def drawn(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("ONETHING_PERSON_SECRET", SECRET)
    tmp = tmp_path_factory.mktemp("shandong_transport")
    dep = tomllib.loads(SHANDONG.read_text("utf-8"))["deployment"]
    cfg = tmp / "onething.toml"
    cfg.write_text(
        f'[deployment]\nname = "{dep["name"]}"\nregion = "{dep["region"]}"\n'
        f'level = "{dep["level"]}"\ndomains = {json.dumps(dep["domains"])}\n'
        f'[storage]\nurl = "sqlite:///{tmp / "s.db"}"\n',
        "utf-8",
    )
    c = ["--config", str(cfg)]
    r = tmp / "r.csv"
    steps = [
        ["db", "upgrade"],
        [
            "registry",
            "synth",
            "--region",
            dep["region"],
            "--size",
            "1500",
            "--seed",
            "5",
            "--out",
            str(r),
        ],
        ["registry", "import", str(r)],
    ]
    for step in steps:
        assert run(*step, *c) == 0, step
    with r.open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    platform = next(x for x in rows if '"ride_hailing_platform"' in x["domains"])
    region = platform["region_code"]
    member = lambda t: json.dumps({"transport": {"object_types": [t]}}, ensure_ascii=False)  # noqa: E731
    fleet = [("vehicle", plate(i), plate(i), "ride_hailing_vehicle") for i in range(VEHICLES)]
    fleet += [("person", person(i), "张三丰", "ride_hailing_driver") for i in range(VEHICLES)]
    with (tmp / "fleet.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["object_kind", "uscc", "key", "name", "region_code", "domains"])
        w.writerows([k, "", key, name, region, member(t)] for k, key, name, t in fleet)
    with (tmp / "rel.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["type", "source", "target", "valid_from", "valid_to"])
        for i in range(VEHICLES):
            w.writerow(["operates", platform["uscc"], plate(i), "2025-01-01", ""])
            w.writerow(["driven_by", plate(i), person(i), "2025-01-01", ""])
    steps = [
        ["registry", "import", str(tmp / "fleet.csv")],
        ["registry", "import-relations", str(tmp / "rel.csv")],
        ["registry", "map"],
        ["inspectors", "synth", "--out", str(tmp / "p.csv")],
        ["inspectors", "import", str(tmp / "p.csv")],
        ["plan", "--cycle", "2026Q1", "--seed", "42", "--out", str(tmp / "out")],
    ]
    for step in steps:
        assert run(*step, *c) == 0, step
    mp.undo()
    plan = json.loads((tmp / "out" / "plan.json").read_text("utf-8"))
    drawn_fleet = {x["key"] for x in rows if x["object_kind"] == "vehicle"}  # synth_related
    return rows, plan, {key for _, key, _, _ in fleet} | drawn_fleet


def test_the_example_enables_transport_among_the_eight():
    domains = tomllib.loads(SHANDONG.read_text("utf-8"))["deployment"]["domains"]
    assert "transport" in domains and len(domains) == 8


def test_synth_gives_realistic_transport_businesses(drawn):
    rows, _, _ = drawn
    transport = [
        x
        for x in rows
        if "transport" in json.loads(x["domains"])
        and (x["object_kind"] or "business") == "business"
    ]
    assert len(transport) >= 20
    for x in transport:
        assert x["uscc"][:2] != "92"  # no sole trader: 企业法人资格 (山东条例 第二十六条)
        types = json.loads(x["domains"])["transport"]["object_types"]
        assert not {"ride_hailing_vehicle", "ride_hailing_driver"} & set(types)
    # each platform's fleet is drawn beside (synth_related), every vehicle with its driver
    vehicles = [x for x in rows if x["object_kind"] == "vehicle"]
    drivers = [x for x in rows if x["object_kind"] == "person"]
    platforms = [x for x in transport if '"ride_hailing_platform"' in x["domains"]]
    assert 20 * len(platforms) <= len(vehicles) <= 60 * len(platforms)
    assert len(drivers) == len(vehicles) and not any(x["address"] for x in drivers)
    own = [x for x in transport if list(json.loads(x["domains"])) == ["transport"]]
    assert own and all(x["name"].endswith(SUFFIXES) for x in own)


def test_vehicles_and_drivers_are_off_site_checks_only(drawn):
    _, plan, fleet = drawn
    assert not any(v["key"] in fleet for v in plan["visits"])
    off = [x for x in plan["offsite_checks"] if x["item"].startswith("transport.")]
    assert off and all(x["key"] in fleet or x["key"].startswith("PH-") for x in off)
    assert {x["item"] for x in off} <= {"transport.002", "transport.003", "transport.008",
                                        "transport.011", "transport.016"}  # fmt: skip


def test_a_platforms_transport_tasks_share_one_joint_visit(drawn):
    _, plan, _ = drawn
    joint = [
        v for v in plan["visits"]
        if v["id"] == f"V:{v['key']}" and sum(i.startswith("transport.") for i in v["items"]) >= 2
    ]  # fmt: skip
    assert joint and not any(set(v["items"]) & set(APART) for v in joint)


def test_only_the_constrained_transport_tasks_are_kept_apart(drawn):
    _, plan, _ = drawn
    apart = [v for v in plan["visits"] if set(v["items"]) & set(APART)]
    assert apart
    for v in apart:
        (item,) = v["items"]
        assert v["id"] == f"V:{v['key']}:{APART[item]}" and v["split"] == APART[item]
