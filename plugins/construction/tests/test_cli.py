"""The deployment commands with the construction domain: validate alone, with its city layer and
with all eight domains (listing its unconfirmed values), params lists every construction
parameter with its basis and status, items export and elements conflicts include it."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from onething.cli import main

HERE = Path(__file__).parent
ROOT = HERE.parents[2]
LAYERED = str(HERE / "liaocheng-construction.toml")
SHANDONG = str(ROOT / "examples" / "shandong.toml")
DATA = ROOT / "plugins" / "construction" / "src" / "onething_construction" / "data"


def run(capsys, *args: str) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exc:
        main(list(args))
    return exc.value.code, capsys.readouterr().out


@pytest.fixture
def alone(tmp_path):
    cfg = tmp_path / "onething.toml"
    cfg.write_text(
        '[deployment]\nname = "建设项目"\nregion = "371500"\nlevel = "city"\n'
        'domains = ["construction"]\n',
        "utf-8",
    )
    return str(cfg)


def test_validate_passes_with_construction_alone_and_lists_its_unconfirmed_values(capsys, alone):
    code, out = run(capsys, "validate", alone)
    assert code == 0, out
    assert "construction" in out and "construction.dust.pm10_limit_ugm3" in out


@pytest.mark.parametrize("config", [LAYERED, SHANDONG])
def test_validate_passes_with_the_city_layer_and_with_all_eight(capsys, config):
    code, out = run(capsys, "validate", config)
    assert code == 0, out
    assert "construction" in out


def test_params_lists_every_construction_parameter_with_basis_and_status(capsys):
    code, out = run(
        capsys, "params", "--config", SHANDONG, "--domain", "construction", "--format", "json",
        "--at", "2026-06-01",
    )  # fmt: skip
    assert code == 0
    rows = {r["name"]: r for r in json.loads(out)}
    declared = {
        p["name"] for p in tomllib.loads((DATA / "parameters.toml").read_text("utf-8"))["parameter"]
    }
    assert set(rows) == declared
    assert rows["fine.no_permit.max_ratio"]["value"] == 0.02
    assert rows["fine.no_permit.max_ratio"]["unit"] == "ratio"
    assert rows["fine.wage_account.min"]["value"] == 50000
    assert rows["safety_director.min_staff"]["value"] == 100
    assert rows["danger.pit_depth_review_m"]["status"] == "secondary"
    assert rows["dust.pm10_limit_ugm3"]["status"] == "unconfirmed"
    assert all(r["basis"] and r["status"] for r in rows.values())


def test_items_export_and_elements_conflicts_include_construction(capsys, tmp_path):
    out_file = tmp_path / "items.json"
    code, _ = run(
        capsys, "items", "export", "--config", SHANDONG, "--format", "json", "--out", str(out_file)
    )
    assert code == 0
    text = out_file.read_text("utf-8")
    assert "construction.001" in text and "construction.027" in text
    code, out = run(capsys, "elements", "conflicts", "--config", SHANDONG, "--format", "json")
    assert code == 0
    assert not [c for c in json.loads(out) if "construction" in json.dumps(c)]
