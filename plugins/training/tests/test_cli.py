"""The training domain through the operator's commands: validate alone and with all eight
domains, params as JSON, the item export and the element-conflict check."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from onething_training import plugin

from onething.cli import main
from onething.model import Membership, SupervisedObject

ROOT = Path(__file__).resolve().parents[3]
SHANDONG = str(ROOT / "examples" / "shandong.toml")


def run(capsys, *args: str) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exc:
        main(list(args))
    out, _ = capsys.readouterr()
    return exc.value.code, out


@pytest.fixture
def alone(tmp_path):
    cfg = tmp_path / "onething.toml"
    cfg.write_text(
        '[deployment]\nregion = "371500"\nlevel = "city"\ndomains = ["training"]\n', "utf-8"
    )
    return str(cfg)


def test_validate_with_training_alone_and_with_all_eight(capsys, alone):
    for cfg, count in ((alone, 1), (SHANDONG, 8)):
        code, out = run(capsys, "validate", cfg, "--format", "json")
        assert code == 0
        report = json.loads(out)
        assert report["valid"] and len(report["domains"]) == count
        (row,) = [d for d in report["domains"] if d["domain"] == "training"]
        assert report["elements_never_fail"] == []
        assert row


def test_validate_lists_the_unconfirmed_training_values(capsys, alone):
    code, out = run(capsys, "validate", alone)
    assert code == 0
    assert "training.capacity.max_utilisation" in out
    assert "training.board.experienced_share" not in out  # verified: 民促法 第二十一条


def test_params_json_lists_every_training_parameter_with_basis_and_status(capsys, alone):
    code, out = run(
        capsys,
        "params",
        "--config",
        alone,
        "--domain",
        "training",
        "--format",
        "json",
        "--at",
        "2026-06-01",
    )
    assert code == 0
    rows = {r["name"]: r for r in json.loads(out)}
    assert len(rows) == len(plugin.onething_list_parameters())
    fine = rows["fine.unlicensed.gains_multiple.max"]
    assert fine["value"] == 5 and fine["status"] == "verified"
    assert "第六十四条" in {b["article"] for b in fine["basis"]}
    assert rows["sampling_ratio"]["status"] == "unconfirmed"


def test_items_export_holds_the_training_items(capsys, alone):
    code, out = run(
        capsys,
        "items",
        "export",
        "--config",
        alone,
        "--domain",
        "training",
        "--format",
        "csv",
        "--out",
        "-",
        "--at",
        "2026-06-01",
    )
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out.lstrip("\ufeff"))))
    assert [r["事项编码"] for r in rows] == [f"training.{n:03d}" for n in range(1, 25)]
    (approval,) = [r for r in rows if r["事项编码"] == "training.001"]
    assert "民办教育促进法" in approval["监管依据"] and "第十二条" in approval["监管依据"]


def test_no_element_conflicts_with_the_other_domains(capsys):
    code, out = run(
        capsys,
        "elements",
        "conflicts",
        "--config",
        SHANDONG,
        "--domain",
        "training",
        "--format",
        "json",
    )
    assert code == 0
    assert json.loads(out) == []


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    types=st.lists(st.sampled_from(["training_school", "evaluation_body"]), min_size=1, max_size=8),
)
def test_synthetic_attributes_are_valid_and_coherent_for_any_seed(seed, types):
    import jsonschema

    objects = [
        SupervisedObject(
            key=f"K{i}",
            name="k",
            region_code="371502",
            domains={"training": Membership(object_types=[t])},
        )
        for i, t in enumerate(types)
    ]
    attrs = plugin.onething_synth_attributes(objects, seed=seed)
    assert len(attrs) == len(objects)
    for t, a in zip(types, attrs, strict=True):
        jsonschema.validate(a, plugin.description.attribute_schema)
        assert ("evaluation_kind" in a) == (t == "evaluation_body")
        if t == "training_school":
            assert a["staff"] >= a["full_time_teachers"]
            assert a["subsidised"] <= a["licensed"]
