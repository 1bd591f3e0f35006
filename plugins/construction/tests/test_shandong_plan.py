"""Shandong's plan with all eight domains (examples/shandong.toml) on a synthetic registry with
its projects, sites and cranes (``registry synth`` draws them for the general contractors, with
their relations): the synthetic construction objects are realistic, one visit per site covers the
project (every unit's duties there), the cranes erected there and the subcontractor or canteen
(catering) working only there, no project or crane gets a visit of its own, and merge.toml's
items are kept apart.

The province sets no catering sampling ratio, so a test layer samples every construction and
catering object to make the joint site visits certain on a small registry."""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from collections import defaultdict
from pathlib import Path

import jsonschema
import pytest

from onething import enable
from onething.testing.cycle import run_cycle, sampling_layer, visit_domains

ROOT = Path(__file__).resolve().parents[3]
SHANDONG = ROOT / "examples" / "shandong.toml"
APART = {
    "construction.018": "construction.wage_account_monitoring",
    "construction.025": "construction.arrears_complaints",
    "construction.003": "construction.suspension_report",
}
SUFFIXES = ("建筑工程有限公司", "建设集团有限公司", "建工集团有限公司", "建筑劳务有限公司",
            "工程项目管理有限公司", "房地产开发有限公司")  # fmt: skip


@pytest.fixture(scope="module")
def planned(tmp_path_factory):
    done = run_cycle(
        tmp_path_factory.mktemp("shandong_construction"),
        SHANDONG,
        layer=sampling_layer(override=("construction",), extend=("catering",)),
        cycle="2026Q4",
    )
    return done.rows, done.relations, done.plan


def kinds(rows, *wanted):
    return {r["key"] for r in rows if r["object_kind"] in wanted}


def test_the_example_enables_construction_among_the_eight():
    domains = tomllib.loads(SHANDONG.read_text("utf-8"))["deployment"]["domains"]
    assert "construction" in domains and len(domains) == 8


def test_synthetic_construction_businesses_are_realistic(planned):
    rows = [r for r in planned[0] if r["object_kind"] in ("", "business")
            and "construction" in json.loads(r["domains"])]  # fmt: skip
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


def test_synth_draws_projects_on_sites_with_cranes_for_the_general_contractors(planned):
    rows, relations, _ = planned
    builders = {r["uscc"] for r in rows if '"general_contractor"' in r["domains"]}
    projects, sites, cranes = kinds(rows, "project"), kinds(rows, "site"), kinds(rows, "crane")
    assert len(projects) == len(sites) >= len(builders) > 0
    by = defaultdict(set)
    for r in relations:
        by[r["type"]].add((r["source"], r["target"]))
    assert {s for s, _ in by["built_by"]} == projects and {t for _, t in by["built_by"]} <= builders
    assert {s for s, _ in by["located_at"]} == projects and {
        t for _, t in by["located_at"]
    } == sites
    assert {s for s, _ in by["erected_at"]} == cranes and {t for _, t in by["erected_at"]} <= sites
    schema = enable(["construction"]).rules("construction").description.attribute_schema
    for r in rows:
        if r["object_kind"] in ("project", "site", "crane"):
            jsonschema.validate(json.loads(r["domains"])["construction"]["attributes"], schema)


def test_one_visit_per_site_covers_everything_there(planned):
    """The project (every unit's duties on it) and the cranes always; a subcontractor or a
    canteen (catering) when that site is the only place it works at."""
    rows, relations, plan = planned
    at = defaultdict(set)
    for r in relations:
        if r["type"] in ("located_at", "erected_at"):
            at[r["target"]].add(r["source"])
    visits = {v["key"]: v for v in plan["visits"] if v["id"] == f"V:{v['key']}"}
    for site in kinds(rows, "site"):
        visit = visits[site]
        assert {site, *at[site]} <= set(visit["objects"])
        items = set(visit["items"])
        assert {"construction.013", "construction.014", "construction.020"} <= items
        assert {"construction.011", "construction.017"} <= items  # the project's
        assert not items & set(APART)
    joint = [
        v for k, v in visits.items() if k.startswith("SITE-") and "catering" in visit_domains(v)
    ]
    assert joint, "no site canteen joined its site's visit"


def test_no_project_or_crane_gets_a_visit_of_its_own(planned):
    rows, _, plan = planned
    placed = kinds(rows, "project", "crane")
    assert placed and not any(v["key"] in placed for v in plan["visits"])


def test_only_the_constrained_construction_tasks_are_kept_apart(planned):
    _, _, plan = planned
    apart = [v for v in plan["visits"] if set(v["items"]) & set(APART)]
    assert {i for v in apart for i in v["items"]} >= {"construction.018"}
    for v in apart:
        (item,) = v["items"]
        assert v["id"].endswith(f":{APART[item]}") and v["split"] == APART[item]
