"""The review a host platform calls (``Onething.review``) is what ``onething validate`` prints;
rules in force say where they come from (``Rulebook.provenance_of``)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from cli_support import run

from onething import Onething

ROOT = Path(__file__).resolve().parents[2]

CITY = """
[deployment]
region = "371500"
level = "city"
domains = ["prepaid_card"]

[review]
max_age_days = 30

[[override]]
domain = "prepaid_card"
parameter = "outstanding_balance.min"
value = 1000
effective_from = 2024-07-01
status = "verified"
reviewed = 2026-01-05
reason = "测试"
basis = [{law = "某市文件", status = "secondary"}]
"""


def test_the_library_review_is_what_validate_prints(capsys, tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text(CITY, "utf-8")
    found = Onething.from_config(cfg).review()
    names = [f"{p.domain}.{p.name}" for p in found.verified_without_source]
    assert names == ["prepaid_card.outstanding_balance.min"]
    assert "prepaid_card.outstanding_balance.min" in {
        f"{p.domain}.{p.name}" for p in found.not_reviewed
    }  # reviewed 2026-01-05, more than 30 days ago
    assert all(p.status == "unconfirmed" for p in found.unconfirmed)
    code, out, _ = run(capsys, "validate", str(cfg), "--format", "json")
    report = json.loads(out)
    assert code == 0
    assert report["verified_without_source"] == names
    assert report["not_reviewed"] == [f"{p.domain}.{p.name}" for p in found.not_reviewed]
    assert report["unconfirmed"] == [f"{p.domain}.{p.name}" for p in found.unconfirmed]
    assert report["elements_never_fail"] == list(found.elements_never_fail)


def test_a_review_on_the_day_of_review_lists_nothing_as_not_reviewed(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text(CITY, "utf-8")
    found = Onething.from_config(cfg).review(dt.date(2026, 1, 5))
    assert "outstanding_balance.min" not in {p.name for p in found.not_reviewed}
    assert found.on == dt.date(2026, 1, 5)


def test_a_rule_says_which_plugin_version_and_article_it_comes_from(fake_domains):
    from onething import Rulebook

    book = Rulebook(fake_domains)
    item = book.items(dt.date(2026, 1, 1), "fake")[0]
    p = book.provenance_of(item)
    assert (p.plugin, p.rule_id, p.basis) == ("fake", item.code, item.basis)
    assert p.plugin_version


def test_validate_lists_every_provisional_field_of_the_existing_systems_language(
    english, capsys, tmp_path
):
    """The national code formats and every exchange field and vocabulary not checked against
    a standard's text are listed as provisional, so nobody takes them for a checked standard."""
    from onething.exchange import TARGETS, builtin

    cfg = tmp_path / "c.toml"
    cfg.write_text(CITY, "utf-8")
    found = Onething.from_config(cfg).review()
    code, out, _ = run(capsys, "validate", str(cfg), "--format", "json")
    listed = json.loads(out)["provisional"]
    assert code == 0 and listed == list(found.provisional)
    assert any(line.startswith("format 监管事项目录编码") for line in listed)
    for target in TARGETS:
        m = builtin(target)
        for kind in m.kinds.values():
            for f in kind.fields:
                line = f"exchange {target} {m.version} {kind.code}.{f.name} ({f.name_en})"
                assert any(x.startswith(line) for x in listed) == (f.status != "checked")
    code, out, _ = run(capsys, "validate", str(cfg))
    assert "provisional" in out or "尚未对照标准原文核对" in out
