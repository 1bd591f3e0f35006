"""Risk evaluation over a synthetic Liaocheng registry with the real plugins: every enabled
rule runs in batch without error, and a text-graded rule (an elderly-care building appraised
C or D, 民办发〔2023〕13号) fires on exactly the objects whose facts say so."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from onething import Onething
from onething.cli import main
from onething.risk.engine import evaluate_all
from onething.risk.facts import ingest

DOMAINS = ["prepaid_card", "catering", "elderly_care", "medical"]
ON = dt.date(2026, 6, 30)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("real")
    cfg = tmp / "onething.toml"
    cfg.write_text(
        f'[deployment]\nregion = "371500"\nlevel = "city"\ndomains = {json.dumps(DOMAINS)}\n'
        '[storage]\nurl = "sqlite:///real.db"\n',
        "utf-8",
    )
    for args in (
        ["db", "upgrade"],
        [
            "registry",
            "synth",
            "--region",
            "371500",
            "--size",
            "400",
            "--seed",
            "3",
            "--out",
            str(tmp / "r.csv"),
        ],
        ["registry", "import", str(tmp / "r.csv")],
    ):
        with pytest.raises(SystemExit) as exc:
            main([*args, "--config", str(cfg)])
        assert exc.value.code == 0, args
    return Onething.from_config(cfg)


def care_homes(app, n):
    from onething.registry import iter_objects

    homes = []
    for batch in iter_objects(app.store, domain="elderly_care"):
        homes += [o.key for o in batch if "care_home" in o.domains["elderly_care"].object_types]
    assert len(homes) >= n
    return homes[:n]


def test_every_enabled_rule_runs_and_grades_compare_as_text(app):
    a, b, c = care_homes(app, 3)
    rows = [
        {"key": a, "fact": "building_safety_grade", "value": "D"},
        {"key": b, "fact": "building_safety_grade", "value": "C"},
        {"key": c, "fact": "building_safety_grade", "value": "B"},
    ]
    ingest(
        app.store, app.rulebook,
        list(enumerate(({**r, "observed_at": "2026-06-01", "source": "住建"} for r in rows), 1)),
        label="grades", on=ON,
    )  # fmt: skip
    report = evaluate_all(app.store, app.rulebook, ON)
    assert report.rules == len(app.rulebook.risk_rules(ON)) > 40
    fired = {w.key for w in report.fired if w.rule_id == "elderly_care.dangerous_building"}
    assert fired == {a, b}
