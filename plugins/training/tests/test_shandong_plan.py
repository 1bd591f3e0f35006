"""The Shandong deployment (examples/shandong.toml, all eight domains) through the CLI on a
synthetic registry: training objects are realistic, and the plan merges a school's training tasks
with its prepaid-card tasks in one joint visit, keeping apart only what merge.toml names."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import jsonschema
import pytest

from onething import enable
from onething.testing.cycle import run_cycle

ROOT = Path(__file__).resolve().parents[3]
SHANDONG = ROOT / "examples" / "shandong.toml"
APART = {"training.016": "training.class_spot_check", "training.018": "training.evaluation_session"}


@pytest.fixture(scope="module")
def drawn(tmp_path_factory):
    done = run_cycle(tmp_path_factory.mktemp("shandong"), SHANDONG)
    return done.rows, done.plan


def test_the_example_enables_training_among_the_eight():
    assert "training" in tomllib.loads(SHANDONG.read_text("utf-8"))["deployment"]["domains"]


def test_synth_gives_realistic_training_objects(drawn):
    rows, _ = drawn
    schema = enable(["training"]).rules("training").description.attribute_schema
    training = [r for r in rows if "training" in json.loads(r["domains"])]
    assert len(training) >= 30
    names = [r["name"] for r in training if '"training_school"' in r["domains"]]
    assert names and all("培训" in n for n in names)
    for r in training:
        domains = json.loads(r["domains"])
        attrs = domains["training"]["attributes"]
        jsonschema.validate(attrs, schema)
        if "prepaid_card" in domains and "training_school" in domains["training"]["object_types"]:
            assert attrs["prepaid_tuition"]
            if "catering" not in domains:  # prepaid_card's synth names a canteen's sector first
                assert domains["prepaid_card"]["attributes"]["sector"] == "vocational_training"


def test_training_and_prepaid_tasks_share_one_joint_visit(drawn):
    _, plan = drawn
    merged = [
        v
        for v in plan["visits"]
        if {i.split(".")[0] for i in v["items"]} >= {"training", "prepaid_card"}
    ]
    assert merged and all(v["joint"] and v["id"] == f"V:{v['key']}" for v in merged)


def test_only_the_constrained_training_tasks_are_kept_apart(drawn):
    _, plan = drawn
    apart = [v for v in plan["visits"] if set(v["items"]) & set(APART)]
    assert apart
    for v in apart:
        (item,) = v["items"]
        assert v["id"] == f"V:{v['key']}:{APART[item]}" and v["split"] == APART[item]
    joint = [v for v in plan["visits"] if v["id"] == f"V:{v['key']}"]
    assert not any(set(v["items"]) & set(APART) for v in joint)
