"""A synthetic city of every object kind end to end from the CLI, on SQLite and PostgreSQL:
businesses, projects with their units on their sites, one platform's 10^4 vehicles with their
drivers, chemical works with their installations — imported with their relations, mapped,
counted by object kind and planned: one visit per site covering everything there, vehicles and
drivers as off-site checks only; the stored rows stay O(objects + relations)."""

from __future__ import annotations

import json
from collections import Counter
from importlib import metadata

import pytest
import sqlalchemy as sa
from city_support import SECRET, synth_city
from cli_support import run
from fake_support import FAKE, FAKECITY

VEHICLES, PROJECTS, INSTALLATIONS = 10_000, 30, 20


@pytest.fixture
def city_cli(tmp_path, monkeypatch, store):
    real = metadata.entry_points

    def entry_points(**kw):
        extra = [FAKE, FAKECITY] if kw.get("group") == "onething.domains" else []
        return [*real(**kw), *extra]

    monkeypatch.setattr("onething.plugins.metadata.entry_points", entry_points)
    monkeypatch.setenv("ONETHING_PERSON_SECRET", SECRET)
    cfg = tmp_path / "onething.toml"
    cfg.write_text(
        '[deployment]\nregion = "371500"\nlevel = "city"\ndomains = ["fake", "fakecity"]\n'
        f'[storage]\nurl = "{store.config_url}"\n',
        "utf-8",
    )
    return str(cfg), store


def test_a_city_of_every_kind_imports_maps_and_plans_from_the_cli(city_cli, tmp_path, capsys):
    cfg, store = city_cli
    objects, relations = synth_city(VEHICLES, PROJECTS, INSTALLATIONS)
    for name, rows in (("objects.jsonl", objects), ("relations.jsonl", relations)):
        (tmp_path / name).write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8"
        )

    def cli(*args):
        code, out, err = run(capsys, *args, "--config", cfg)
        assert code == 0, (args, err)
        return out

    report = json.loads(
        cli("registry", "import", str(tmp_path / "objects.jsonl"), "--report", "json")
    )
    assert (report["inserted"], report["rejected"]) == (len(objects), 0)
    report = json.loads(
        cli("registry", "import-relations", str(tmp_path / "relations.jsonl"), "--report", "json")
    )
    assert (report["inserted"], report["rejected"]) == (len(relations), 0)
    cli("registry", "map")
    stats = json.loads(cli("registry", "stats", "--by", "object_kind", "--format", "json"))
    kinds = {r["object_kind"]: r["objects"] for r in stats["counts"]}
    assert kinds["vehicle"] == kinds["person"] == VEHICLES
    assert (kinds["project"], kinds["site"], kinds["installation"]) == (
        PROJECTS, PROJECTS, INSTALLATIONS,
    )  # fmt: skip
    assert stats["relations"]["operates"] == stats["relations"]["driven_by"] == VEHICLES
    fleets = Counter(r["source"] for r in relations if r["type"] == "operates")
    assert list(fleets.values()) == [VEHICLES]  # one platform of 10^4 vehicles and drivers
    # stored rows: one per object and relation, the mapping per profile (a handful)
    with store.engine.connect() as conn:
        n = {
            t: conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one()
            for t in ("registry_object", "registry_relation", "registry_profile_item")
        }
    assert n["registry_object"] == len(objects) and n["registry_relation"] == len(relations)
    assert n["registry_profile_item"] <= 8  # one item per object type: not objects × items

    from onething.planning import Inspector, import_pool

    import_pool(
        store,
        [
            Inspector(id=f"{d}-{i}", name=f"{d}{i}", department=d, region="371500")
            for d in ("housing", "transport", "hrss", "emergency")
            for i in range(40)
        ],
        "test",
    )
    out = tmp_path / "plan"
    cli("plan", "--cycle", "2026Q1", "--seed", "city", "--out", str(out), "--checklists", "3")
    doc = json.loads((out / "plan.json").read_text("utf-8"))
    sites = [v for v in doc["visits"] if v["key"].startswith("SITE-")]
    assert len(sites) == PROJECTS == len({v["key"] for v in sites})  # one visit per site
    assert all(len(v["objects"]) == 4 for v in sites)  # site, project, builder, subcontractor
    visited = {o for v in doc["visits"] for o in (v.get("objects") or [v["key"]])}
    assert not any(k.startswith(("鲁", "PH-")) for k in visited)  # no visit to a car or driver
    offsite = Counter(x["item"] for x in doc["offsite_checks"])
    # each car also carries its platform's fleet check, through operates (derived, not stored)
    assert offsite == {"fakecity.004": VEHICLES, "fakecity.005": VEHICLES, "fakecity.010": VEHICLES}
    assert doc["summary"]["offsite_checks"] == 3 * VEHICLES
    # installations are visited at their works, with the works' own task
    works = [v for v in doc["visits"] if any(o.startswith("WXY-") for o in v.get("objects", []))]
    assert len(works) == INSTALLATIONS // 2
    cli("plan", "verify", str(out / "plan.json"))


def test_registry_synth_draws_a_city_of_every_kind_that_imports_and_plans(
    city_cli, tmp_path, capsys
):
    """``registry synth`` writes the objects of every kind the plugins draw and the relations
    between them beside; both import without a rejection and ``stats --by object_kind`` counts
    them (the plan over such a city: core/tests/test_registry_synth_related.py)."""
    cfg, _ = city_cli

    def cli(*args):
        code, out, err = run(capsys, *args, "--config", cfg)
        assert code == 0, (args, err)
        return out

    out = tmp_path / "city.jsonl"
    said = cli("registry", "synth", "--region", "371500", "--size", "400", "--seed", "3",
               "--out", str(out))  # fmt: skip
    rel = tmp_path / "city.relations.jsonl"
    assert str(rel) in said and rel.exists()
    objects = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    relations = rel.read_text("utf-8").splitlines()
    report = json.loads(cli("registry", "import", str(out), "--report", "json"))
    assert (report["inserted"], report["rejected"]) == (len(objects), 0)
    report = json.loads(cli("registry", "import-relations", str(rel), "--report", "json"))
    assert (report["inserted"], report["rejected"]) == (len(relations), 0)
    stats = json.loads(cli("registry", "stats", "--by", "object_kind", "--format", "json"))
    kinds = {r["object_kind"]: r["objects"] for r in stats["counts"]}
    drawn = Counter(o.get("object_kind") or "business" for o in objects)
    assert kinds == dict(drawn) and set(kinds) == {
        "business", "project", "site", "vehicle", "person", "installation",
    }  # fmt: skip
    assert sum(stats["relations"].values()) == len(relations)
    # the same seed again: the same files, refused without --force
    code, _, err = run(capsys, "registry", "synth", "--region", "371500", "--size", "400",
                       "--seed", "3", "--out", str(out), "--config", cfg)  # fmt: skip
    assert code == 1 and "--out" in err
