"""The change of law on 2026-05-01 as an operator sees it (`items diff`, `params`): the 条例's
duties end the day before, the 危险化学品安全法 versions begin, the online-sales ban is new, and
no fine of the 条例 is quoted once it ended (the Act's penalty chapter was not read)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from onething.cli import main

SHANDONG = str(Path(__file__).resolve().parents[3] / "examples" / "shandong.toml")
ACT = "中华人民共和国危险化学品安全法"
REGULATION = "危险化学品安全管理条例"


def run(capsys, *args):
    with pytest.raises(SystemExit) as exc:
        main(list(args))
    out, err = capsys.readouterr()
    assert exc.value.code == 0, err
    return json.loads(out)


def params(capsys, day):
    rows = run(capsys, "params", "--config", SHANDONG, "--domain", "hazchem",
               "--format", "json", "--at", day)  # fmt: skip
    return {r["name"]: r for r in rows}


def test_items_diff_shows_the_act_item_by_item(capsys):
    rows = run(capsys, "items", "diff", "--config", SHANDONG, "--from", "2026-04-30",
               "--to", "2026-05-01", "--format", "json")  # fmt: skip
    kinds = {r["code"]: r["kind"] for r in rows if r["code"].startswith("hazchem.")}
    assert kinds["hazchem.018"] == "added"  # the Act's ban on online sales
    assert {kinds[c] for c in ("hazchem.002", "hazchem.003", "hazchem.010", "hazchem.011")} == {
        "changed"
    }
    # duties of the Work Safety Law, 特种设备安全法 and 消防法 did not change that day
    assert not {"hazchem.007", "hazchem.009", "hazchem.015", "hazchem.016", "hazchem.020"} & set(
        kinds
    )


def test_the_regulations_fines_end_and_the_other_laws_fines_continue(capsys):
    before, after = params(capsys, "2026-04-30"), params(capsys, "2026-05-01")
    regulation_only = {"fine.no_business_licence.min", "fine.storage_custody.max",
                       "fine.flow_records_refused.max", "fine.sds_label_refused.min"}  # fmt: skip
    assert regulation_only <= set(before)
    assert not regulation_only & set(after)
    for name in ("fine.duties_97.max", "fine.major_hazard_source_overdue.max",
                 "fine.special_equipment_uninspected.max", "fine.fire_facilities.min"):  # fmt: skip
        assert after[name]["value"] == before[name]["value"]
        assert after[name]["status"] == "verified"


def test_every_value_cites_an_article_and_none_resting_on_the_unread_act_is_verified(capsys):
    for day in ("2026-04-30", "2026-05-01", "2026-12-07"):
        for name, row in params(capsys, day).items():
            assert all(b["article"] for b in row["basis"]), (day, name)
            if any(b["law"] == ACT for b in row["basis"]):
                assert row["status"] == "unconfirmed", (day, name)
            elif name.startswith("fine."):
                assert row["unit"] == "CNY" and row["status"] == "verified", (day, name)


def test_whatever_cites_the_regulation_after_it_ended_also_cites_the_act():
    """The 条例's text is read to 2026-04-30; from 2026-05-01 every rule in force that still
    cites it also cites the Act (unconfirmed), so nobody takes the old text for the law in force."""
    import datetime as dt

    import onething
    from onething.model import in_force

    rules = onething.enable(["hazchem"]).rules("hazchem")
    on = dt.date(2026, 5, 1)
    dated = [
        *((i.code, i, i.basis) for i in rules.items),
        *((e.code, e, e.basis) for e in rules.elements),
        *((r.id, r, r.basis) for r in rules.risk_rules),
        *((m.id, m, m.basis) for m in rules.merge_constraints),
        *((s.code, s, s.basis) for s in rules.sanctions),
        *((p.name, v, v.basis) for p in rules.parameters for v in p.values),
    ]
    for code, obj, basis in dated:
        laws = {b.law for b in basis}
        if in_force(obj, on) and REGULATION in laws:
            assert ACT in laws, code
        for b in basis:
            if b.law == ACT and b.article != "第八十六条":
                assert b.status == "unconfirmed", code
