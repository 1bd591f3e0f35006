"""Shandong's plan with all eight domains (examples/shandong.toml) on a synthetic registry plus
construction projects on their sites: the synthetic construction businesses are realistic, one
visit per site covers the project (every unit's duties there), the subcontractor working only
there, the cranes erected there and the site canteen (catering), no project or crane gets a
visit of its own, and merge.toml's items are kept apart.

Projects, sites and cranes are drawn here (``registry synth`` draws businesses); the province
sets no catering sampling ratio, so a test layer samples every construction and catering object
to make the joint site visits certain on a small registry."""

from __future__ import annotations

import csv
import datetime as dt
import json
import tomllib
from pathlib import Path

import jsonschema
import pytest

from onething import enable
from onething.testing.cycle import run_cli, visit_domains

ROOT = Path(__file__).resolve().parents[3]
SHANDONG = ROOT / "examples" / "shandong.toml"
APART = {
    "construction.018": "construction.wage_account_monitoring",
    "construction.025": "construction.arrears_complaints",
    "construction.003": "construction.suspension_report",
}
SUFFIXES = ("建筑工程有限公司", "建设集团有限公司", "建工集团有限公司", "建筑劳务有限公司",
            "工程项目管理有限公司", "房地产开发有限公司")  # fmt: skip
LAYER = """
[[override]]
domain = "construction"
parameter = "sampling_ratio"
value = 1.0
effective_from = 2026-01-01
basis = [{ law = "test", status = "unconfirmed" }]
status = "unconfirmed"
reviewed = 2026-12-07
reason = "test: every object sampled"

[[extension.parameter]]
domain = "catering"
name = "sampling_ratio"
label_zh = "测试抽查比例"
label_en = "Test sampling ratio"
unit = "ratio"
reason = "test: the province sets no catering ratio"

[[extension.parameter.values]]
value = 1.0
effective_from = 2026-01-01
status = "unconfirmed"
reviewed = 2026-12-07
basis = [{ law = "test", status = "unconfirmed" }]
"""
PROJECT_ATTRS = {"phase": "under_construction", "investment_wan": 5000, "floor_area_m2": 20000}


def types(row: dict, domain: str) -> list[str]:
    return json.loads(row["domains"]).get(domain, {}).get("object_types", [])


@pytest.fixture(scope="module")
def planned(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("shandong_construction")
    dep = tomllib.loads(SHANDONG.read_text("utf-8"))["deployment"]
    (tmp / "layer.toml").write_text(LAYER, "utf-8")
    cfg = tmp / "onething.toml"
    cfg.write_text(
        f"[deployment]\nname = {json.dumps(dep['name'])}\nregion = {json.dumps(dep['region'])}\n"
        f"level = {json.dumps(dep['level'])}\ndomains = {json.dumps(dep['domains'])}\n"
        f"layers = {json.dumps([str(tmp / 'layer.toml')])}\n"
        f"[storage]\nurl = {json.dumps('sqlite:///' + str(tmp / 'c.db'))}\n",
        "utf-8",
    )
    c = ["--config", str(cfg)]
    registry = tmp / "registry.csv"
    for step in (
        ["db", "upgrade"],
        ["registry", "synth", "--region", dep["region"], "--size", "1500", "--seed", "5",
         "--out", str(registry)],
        ["registry", "import", str(registry)],
    ):  # fmt: skip
        assert run_cli(*step, *c) == 0, step
    with registry.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    builders = [r for r in rows if "general_contractor" in types(r, "construction")]
    subs = [r for r in rows if types(r, "construction") == ["subcontractor"]
            and list(json.loads(r["domains"])) == ["construction"]]  # fmt: skip
    canteens = [r for r in rows if list(json.loads(r["domains"])) == ["catering"]
                and types(r, "catering") == ["canteen"]]  # fmt: skip
    n = min(len(subs), len(canteens), 8)
    assert builders and n >= 3, (len(builders), len(subs), len(canteens))
    member = lambda t, attrs=None: json.dumps(  # noqa: E731
        {"construction": {"object_types": [t], "attributes": attrs or {}}}, ensure_ascii=False
    )
    objects, relations, sites = [], [], {}
    for i in range(n):
        region = subs[i]["region_code"]
        project, site = f"2025-{region}-47-01-{i + 1:06d}", f"SITE-{region}-{i + 1:04d}"
        cranes = [f"CRANE-{region}-T{i + 1:03d}{j}" for j in range(2)]
        objects += [
            (
                "project",
                project,
                f"某小区{i + 1}号地块建设项目",
                region,
                member("project", PROJECT_ATTRS),
            ),
            (
                "site",
                site,
                f"某小区{i + 1}号地块施工现场",
                region,
                member("site", {"urban_area": True}),
            ),
        ]
        objects += [
            ("crane", k, f"塔式起重机{k[-4:]}", region, member("crane", {"crane_type": "tower"}))
            for k in cranes
        ]
        relations += [
            ("located_at", project, site),
            ("built_by", project, builders[i % len(builders)]["uscc"]),
            ("works_at", subs[i]["uscc"], site),
            ("works_at", canteens[i]["uscc"], site),
        ]
        relations += [("erected_at", k, site) for k in cranes]
        sites[site] = {site, project, *cranes, subs[i]["uscc"], canteens[i]["uscc"]}
    with (tmp / "projects.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["object_kind", "uscc", "key", "name", "region_code", "domains"])
        w.writerows([kind, "", key, name, region, d] for kind, key, name, region, d in objects)
    with (tmp / "relations.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["type", "source", "target", "valid_from", "valid_to"])
        w.writerows([t, s, d, "2025-06-01", ""] for t, s, d in relations)
    for step in (
        ["registry", "import", str(tmp / "projects.csv")],
        ["registry", "import-relations", str(tmp / "relations.csv")],
        ["registry", "map"],
        ["inspectors", "synth", "--out", str(tmp / "pools.csv")],
        ["inspectors", "import", str(tmp / "pools.csv")],
        ["plan", "--cycle", "2026Q4", "--seed", "42", "--out", str(tmp / "out")],
    ):
        assert run_cli(*step, *c) == 0, step
    plan = json.loads((tmp / "out" / "plan.json").read_text("utf-8"))
    return rows, plan, sites, {o[1] for o in objects if o[0] in ("project", "crane")}


def test_the_example_enables_construction_among_the_eight():
    domains = tomllib.loads(SHANDONG.read_text("utf-8"))["deployment"]["domains"]
    assert "construction" in domains and len(domains) == 8


def test_synthetic_construction_businesses_are_realistic(planned):
    rows = [r for r in planned[0] if "construction" in json.loads(r["domains"])]
    schema = enable(["construction"]).rules("construction").description.attribute_schema
    assert len(rows) >= 15
    for r in rows:
        domains = json.loads(r["domains"])
        jsonschema.validate(domains["construction"]["attributes"], schema)
        assert r["uscc"][1] == "1", r["name"]  # an enterprise: 资质 (建筑法 第十三条)
        assert not {"project", "site", "crane"} & set(domains["construction"]["object_types"])
        (lic,) = [x for x in json.loads(r["licences"]) if x["kind"] == "safety_production_licence"]
        days = dt.date.fromisoformat(lic["valid_to"]) - dt.date.fromisoformat(lic["valid_from"])
        assert days.days == 3 * 365 and lic["department"] == "housing"  # 许可证条例 第九条
    own = [r for r in rows if list(json.loads(r["domains"])) == ["construction"]]
    assert own and all(r["name"].endswith(SUFFIXES) for r in own)


def test_one_visit_per_site_covers_everything_there(planned):
    """The project (every unit's duties on it), the cranes, the subcontractor working only
    there and the site canteen: one joint visit, several departments, two domains."""
    _, plan, sites, _ = planned
    for site, present in sites.items():
        (visit,) = [v for v in plan["visits"] if v["id"] == f"V:{site}"]
        assert set(visit["objects"]) == present
        items = set(visit["items"])
        assert {"construction.013", "construction.014", "construction.020"} <= items  # site
        assert {"construction.001", "construction.011", "construction.017"} <= items  # project
        assert {"construction.012", "construction.006"} <= items  # crane, subcontractor
        assert visit_domains(visit) == {"construction", "catering"}
        assert not items & set(APART)


def test_no_project_or_crane_gets_a_visit_of_its_own(planned):
    _, plan, _, placed = planned
    assert not any(v["key"] in placed for v in plan["visits"])


def test_only_the_constrained_construction_tasks_are_kept_apart(planned):
    _, plan, _, _ = planned
    apart = [v for v in plan["visits"] if set(v["items"]) & set(APART)]
    assert {i for v in apart for i in v["items"]} >= {"construction.018"}
    for v in apart:
        (item,) = v["items"]
        assert v["id"].endswith(f":{APART[item]}") and v["split"] == APART[item]
