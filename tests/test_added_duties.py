"""Duties added after the legal review of issue 20: each new element can fail. Its evidence
schema marks what shows a violation (x-pass, x-limit, x-at-least), and on the day in force the
element's limit resolves to the parameter read in the article."""

from __future__ import annotations

import datetime as dt

import pytest

import onething
from onething import Rulebook
from onething.checklist import failures, validate
from onething.checklist.limits import resolve

DOMAINS = ["prepaid_card", "catering", "elderly_care"]
ON = dt.date(2026, 6, 1)


@pytest.fixture(scope="module")
def book():
    return Rulebook(onething.enable(DOMAINS))


def _element(book, code, on=ON):
    (el,) = [e for e in book.elements(on) if e.code == code]
    return el


# (element, evidence that passes, evidence that fails, limit value on ON or None)
CASES = [
    (
        "catering.e31",
        {"registration_matches": True, "days_to_change_application": 10},
        {"registration_matches": True, "days_to_change_application": 11},
        10,
    ),
    ("catering.e31", {"registration_matches": True}, {"registration_matches": False}, 10),
    (
        "catering.e32",
        {"plan_published_to_staff": True, "months_since_last_drill": 6},
        {"plan_published_to_staff": True, "months_since_last_drill": 7},
        6,
    ),
    (
        "elderly_care.e32",
        {"months_since_last_drill": 5.5, "site_plans_drilled_half_year": True},
        {"months_since_last_drill": 6.5},
        6,
    ),
    (
        "elderly_care.e32",
        {"months_since_last_drill": 2},
        {"months_since_last_drill": 2, "site_plans_drilled_half_year": False},
        6,
    ),
    (
        "elderly_care.e33",
        {"days_checked": 30, "days_with_patrol_record": 30},
        {"days_checked": 30, "days_with_patrol_record": 29},
        None,
    ),
    (
        "elderly_care.e34",
        {"employees": 120, "safety_director_required": 0, "safety_directors_appointed": 0},
        {"employees": 320, "safety_director_required": 1, "safety_directors_appointed": 0},
        None,
    ),
    ("elderly_care.e35", {"longest_prepaid_months": 12}, {"longest_prepaid_months": 13}, 12),
    (
        "elderly_care.e36",
        {"highest_deposit_in_bed_fees": 12},
        {"highest_deposit_in_bed_fees": 12.5},
        12,
    ),
    (
        "prepaid_card.e32",
        {"contracts_sampled": 10, "contracts_with_required_terms": 10},
        {"contracts_sampled": 10, "contracts_with_required_terms": 9},
        None,
    ),
    (
        "prepaid_card.e33",
        {"refund_requests_sampled": 4, "refunds_per_article_30": 4},
        {"refund_requests_sampled": 4, "refunds_per_article_30": 3},
        None,
    ),
    (
        "prepaid_card.e34",
        {"service_terms_displayed": True},
        {"service_terms_displayed": False},
        None,
    ),
    (
        "prepaid_card.e35",
        {"key_terms_prominent": True, "unfair_terms_found": False},
        {"key_terms_prominent": True, "unfair_terms_found": True},
        None,
    ),
    (
        "prepaid_card.e36",
        {"credentials_shown": True, "written_contract": True},
        {"credentials_shown": True, "written_contract": False},
        None,
    ),
]


@pytest.mark.parametrize(("code", "good", "bad", "limit"), CASES)
def test_a_new_element_passes_on_compliant_evidence_and_fails_on_a_violation(
    book, code, good, bad, limit
):
    el = _element(book, code)
    lim = resolve(book, el, ON)
    assert (lim.value if lim else None) == limit
    for evidence in (good, bad):
        validate(code, el.evidence_schema, evidence, location="test", path="evidence")
    assert failures(el.evidence_schema, good, lim, ON) == []
    assert failures(el.evidence_schema, bad, lim, ON) != []


@pytest.mark.parametrize(
    ("code", "before"),
    [
        ("catering.e31", dt.date(2017, 5, 31)),
        ("catering.e32", dt.date(2022, 2, 28)),
        ("elderly_care.e32", dt.date(2022, 2, 28)),
        ("elderly_care.e34", dt.date(2022, 2, 28)),
        ("elderly_care.e35", dt.date(2024, 9, 30)),
        ("elderly_care.e36", dt.date(2024, 9, 30)),
        # 山东省消费者权益保护条例: adopted 2017-03-29, in force 2017-07-01
        ("prepaid_card.e32", dt.date(2017, 6, 30)),
        ("prepaid_card.e36", dt.date(2017, 6, 30)),
    ],
)
def test_a_new_element_starts_on_the_day_its_article_took_effect(book, code, before):
    assert code not in {e.code for e in book.elements(before)}
    assert code in {e.code for e in book.elements(before + dt.timedelta(days=1))}


def test_the_prepaid_caps_rest_on_reports_only_and_say_so(book):
    """民发〔2024〕19号 was not read: its caps are secondary, never verified."""
    for name in ("prepaid_service_fee.max_months", "deposit.max_bed_fee_multiple"):
        (p,) = [p for p in book.parameters(ON) if p.domain == "elderly_care" and p.name == name]
        assert p.value == 12 and p.status == "secondary"
        assert {b.status for b in p.basis} == {"secondary"}
