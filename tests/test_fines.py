"""Fines as parameters (issue 20): every sanction's range in the landed plugins is a dated
parameter with its basis, listed by ``onething params``, and a range is never upside down."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from cli_support import run

import onething

ROOT = Path(__file__).resolve().parents[1]
LIAOCHENG = str(ROOT / "examples" / "liaocheng.toml")
DOMAINS = ["prepaid_card", "catering", "elderly_care", "training", "medical"]


def _fines():
    domains = onething.enable(DOMAINS)
    for name in domains.names:
        for p in domains.rules(name).parameters:
            if p.name.startswith("fine."):
                yield name, p


def _days(values):
    """The first day of every value and the day before each ends: where a range may change."""
    for v in values:
        yield v.effective_from
        if v.effective_to:
            yield v.effective_to - dt.timedelta(days=1)


def test_every_plugin_has_fines_and_each_cites_an_article():
    fines = list(_fines())
    assert {name for name, _p in fines} == set(DOMAINS)
    for name, p in fines:
        assert p.unit in ("CNY", "multiple", "ratio"), (name, p.name)
        for v in p.values:
            assert all(b.article for b in v.basis), (name, p.name)


def test_a_fine_minimum_never_exceeds_its_maximum_on_any_day():
    by_name = {(name, p.name): p for name, p in _fines()}
    pairs = [
        (by_name[k], by_name[(k[0], k[1][: -len(".min")] + ".max")])
        for k in by_name
        if k[1].endswith(".min")
    ]
    assert pairs
    for lo, hi in pairs:
        for day in set(_days(lo.values)) | set(_days(hi.values)):
            (a,) = [v.value for v in lo.values if onething.model.in_force(v, day)]
            (b,) = [v.value for v in hi.values if onething.model.in_force(v, day)]
            assert a <= b, (lo.name, day)


@pytest.mark.parametrize(
    ("domain", "name", "value", "article"),
    [
        ("catering", "fine.unlicensed.min", 50000, "第一百二十二条第一款"),
        ("catering", "fine.unlicensed.goods_value_multiple.max", 20, "第一百二十二条第一款"),
        ("catering", "fine.management_duties.max", 50000, "第一百二十六条第一款"),
        ("catering", "fine.small_eatery.obstruction.min", 2000, "第四十八条"),
        ("elderly_care", "fine.care_home_duties.serious.max", 30000, "第七十条第一款"),
        ("elderly_care", "fine.subsidy_fraud.share_of_amount.min", 0.1, "第七十一条"),
        ("prepaid_card", "fine.card_rules.max", 30000, "第三十七条"),
        ("prepaid_card", "fine.consumer_law.no_gains.max", 500000, "第五十六条第一款"),
        ("medical", "fine.fund_fraud.amount_multiple.max", 5, "第四十条"),
        ("medical", "fine.outside_scope.max", 100000, "第四十六条"),
        ("medical", "fine.unlicensed.gains_multiple.min", 5, "第九十九条第一款"),
        ("medical", "fine.waste_disposal.overdue.max", 30000, "第四十七条"),
    ],
)
def test_params_lists_a_fine_with_its_value_and_article(capsys, domain, name, value, article):
    code, out, _ = run(
        capsys,
        "params",
        "--config",
        LIAOCHENG,
        "--domain",
        domain,
        "--format",
        "json",
        "--at",
        "2026-06-01",
    )
    assert code == 0
    (row,) = [r for r in json.loads(out) if r["name"] == name]
    assert row["value"] == value
    assert article in {b["article"] for b in row["basis"]}


@pytest.mark.parametrize(
    ("day", "status", "revisions"),
    [
        ("2025-11-30", "verified", {"2021-04-29"}),
        ("2025-12-01", "verified", {"2025-09-12", "2021-04-29"}),
    ],
)
def test_food_safety_law_fines_follow_the_2025_amendment_as_a_dated_version(
    capsys, day, status, revisions
):
    """食品安全法 2025 修正 (in force 2025-12-01), its amending decision read in full: it changes
    articles 41, 81, 82, 124 (a product added) and 132 only, so from that day the fines keep
    their 2021 amounts, cited under both texts and verified."""
    code, out, _ = run(
        capsys,
        "params",
        "--config",
        LIAOCHENG,
        "--domain",
        "catering",
        "--format",
        "json",
        "--at",
        day,
    )
    assert code == 0
    rows = {r["name"]: r for r in json.loads(out)}
    for name in ("fine.unlicensed.min", "fine.management_duties.max", "fine.unsafe_food.max"):
        assert rows[name]["status"] == status
        assert {b["revision"] for b in rows[name]["basis"]} == revisions
        assert {b["status"] for b in rows[name]["basis"]} == {"verified"}
    # the new receiver's-check fine exists only from the amendment on
    assert ("fine.bulk_liquid_check.max" in rows) == (day == "2025-12-01")
    # the Shandong regulation's fines are untouched by the national amendment
    assert rows["fine.small_eatery.obstruction.min"]["status"] == "verified"
