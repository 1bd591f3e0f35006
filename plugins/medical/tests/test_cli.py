"""The deployment commands with the medical domain: validate alone and with all eight domains,
params lists every medical parameter with its basis, items export and elements conflicts
include it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from onething.cli import main

HERE = Path(__file__).parent
ROOT = HERE.parents[2]
ALONE = str(HERE / "liaocheng-medical.toml")
SHANDONG = str(ROOT / "examples" / "shandong.toml")


def run(capsys, *args: str) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exc:
        main(list(args))
    return exc.value.code, capsys.readouterr().out


@pytest.mark.parametrize("config", [ALONE, SHANDONG])
def test_validate_passes_with_medical_alone_and_with_all_eight(capsys, config):
    code, out = run(capsys, "validate", config)
    assert code == 0, out
    assert "medical" in out


def test_params_lists_every_medical_parameter_with_basis_and_status(capsys):
    code, out = run(
        capsys,
        "params",
        "--config",
        SHANDONG,
        "--domain",
        "medical",
        "--format",
        "json",
        "--at",
        "2026-06-01",
    )
    assert code == 0
    rows = {r["name"]: r for r in json.loads(out)}
    assert rows["medical_waste.storage_max_days"]["value"] == 2
    assert rows["fine.fund_fraud.amount_multiple.max"]["unit"] == "multiple"
    assert rows["fund.split_admission_threshold"]["status"] == "unconfirmed"
    assert all(r["basis"] and r["status"] for r in rows.values())


def test_items_export_and_elements_conflicts_include_medical(capsys, tmp_path):
    out_file = tmp_path / "items.json"
    code, _ = run(
        capsys, "items", "export", "--config", SHANDONG, "--format", "json", "--out", str(out_file)
    )
    assert code == 0
    assert "medical.014" in out_file.read_text("utf-8")
    code, out = run(capsys, "elements", "conflicts", "--config", SHANDONG, "--format", "json")
    assert code == 0
    json.loads(out)
