"""Outdated citations: a rule in force citing only an older revision of a law that its plugin
cites in a newer revision elsewhere is listed by `onething validate` (issue 20)."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import onething
from onething.citations import law_key, older, outdated_citations, revision_date
from onething.model import Basis

ON = dt.date(2026, 12, 6)
LAW = "企业信息公示暂行条例"


@pytest.mark.parametrize(
    ("label", "date"),
    [
        ("2014-08-07", (2014, 8, 7)),
        ("2024（国务院令第778号）", (2024, None, None)),
        ("商务部令2016年第2号修正", (2016, None, None)),
        ("2021年4月29日修正", (2021, 4, 29)),
        ("现行", None),
        (None, None),
    ],
)
def test_revision_dates_are_read_from_the_label(label, date):
    assert revision_date(label) == date


def test_a_year_alone_is_not_older_than_a_date_of_that_year():
    assert not older((2024, None, None), (2024, 3, 10))
    assert older((2014, 8, 7), (2024, None, None))
    assert older((2024, 3, 9), (2024, 3, 10))


@given(
    st.tuples(st.integers(1990, 2030), st.integers(1, 12), st.integers(1, 28)),
    st.tuples(st.integers(1990, 2030), st.integers(1, 12), st.integers(1, 28)),
)
def test_older_is_a_strict_order_on_full_dates(a, b):
    assert older(a, b) == (a < b)
    assert not (older(a, b) and older(b, a))


def test_law_names_are_compared_without_the_state_prefix_and_brackets():
    assert law_key("《中华人民共和国食品安全法》") == law_key("食品安全法")


@pytest.fixture(scope="module")
def rules():
    return onething.enable(["prepaid_card"]).rules("prepaid_card")


def _citing(rule, law):
    return any(law_key(b.law) == law_key(law) for b in rule.basis)


def test_the_landed_plugins_cite_no_outdated_revision():
    domains = onething.enable(["prepaid_card", "catering", "elderly_care"])
    assert outdated_citations({n: domains.rules(n) for n in domains.names}, ON) == []


def _with_newer_revision_in_one_element(rules):
    """The plugin's rules with one element also citing a later revision of LAW (a hypothetical
    amendment: the test needs one newer than any the data cites)."""
    newer = Basis(law=LAW, article="第十七条", revision="2030-01-01", status="secondary")
    (first,) = [e for e in rules.elements if _citing(e, LAW)]
    elements = tuple(
        attrs.evolve(e, basis=(*e.basis, newer)) if e is first else e for e in rules.elements
    )
    return first.code, rules.replace(elements=elements)


def test_a_newer_revision_cited_once_flags_the_rules_in_force_still_on_the_old_one(rules):
    code, changed = _with_newer_revision_in_one_element(rules)
    found = outdated_citations({"prepaid_card": changed}, ON)
    assert code not in {c.code for c in found}  # it cites the newest beside the old one
    assert {c.newest for c in found} == {"2030-01-01"}
    assert {c.cited for c in found} == {"2024-03-10"}
    # every rule kind is read, not only elements
    assert {c.kind for c in found} >= {"risk_rules", "parameters", "sanctions"}
    # untouched, the plugin has nothing outdated
    assert outdated_citations({"prepaid_card": rules}, ON) == []


def test_a_rule_no_longer_or_not_yet_in_force_may_keep_its_old_citation(rules):
    _code, changed = _with_newer_revision_in_one_element(rules)
    # 2014-10-01 is the regulation's first day in force: nothing cited it before
    assert outdated_citations({"prepaid_card": changed}, dt.date(2013, 1, 1)) == []


def test_a_version_ending_when_the_amendment_starts_is_not_flagged_before_it_ends():
    """catering's Food Safety Law fines end their 2021 version on 2025-12-01 and continue under
    the 2025 revision: on 2025-11-30 the ending version has been carried through already."""
    domains = onething.enable(["catering"])
    rules = {"catering": domains.rules("catering")}
    assert outdated_citations(rules, dt.date(2025, 11, 30)) == []
    # an open-ended rule still on the old text alone would be flagged that day
    (p,) = [p for p in rules["catering"].parameters if p.name == "fine.unlicensed.min"]
    old, _new = p.values
    changed = rules["catering"].replace(
        parameters=(
            *rules["catering"].parameters,
            attrs.evolve(p, name="fine.test_only", values=(attrs.evolve(old, effective_to=None),)),
        ),
    )
    found = outdated_citations({"catering": changed}, dt.date(2025, 11, 30))
    assert [c.code for c in found] == ["fine.test_only"]
