"""Two notice duties apply at once: 9号令 第二十二条 (public notice before redemption is
terminated, national, since 2012-11-01) and 山东省消费者权益保护条例 第三十条第三款 (consumers told
before a closure or move, in force 2017-07-01 — not on its adoption, 2017-03-29)."""

import datetime as dt

import pytest

import onething
from onething.errors import NotInForce

DOMAIN = "prepaid_card"


@pytest.fixture(scope="module")
def rulebook():
    return onething.Rulebook(onething.enable([DOMAIN]))


def test_the_national_notice_does_not_end_when_shandongs_begins(rulebook):
    for day in (
        dt.date(2012, 11, 1),
        dt.date(2017, 3, 29),
        dt.date(2017, 7, 1),
        dt.date(2026, 12, 6),
    ):
        assert rulebook.value(DOMAIN, "closure_notice.min_days", day) == 30


def test_shandongs_consumer_notice_starts_on_its_entry_into_force(rulebook):
    with pytest.raises(NotInForce):
        rulebook.value(DOMAIN, "closure_notice.consumer_min_days", dt.date(2017, 6, 30))
    assert rulebook.value(DOMAIN, "closure_notice.consumer_min_days", dt.date(2017, 7, 1)) == 30


def test_each_notice_element_checks_its_own_period(rulebook):
    limits = {
        e.code: e.limit.parameter
        for e in rulebook.elements(dt.date(2026, 12, 6), DOMAIN)
        if e.limit is not None
    }
    assert limits["prepaid_card.e13"] == "closure_notice.consumer_min_days"
    assert limits["prepaid_card.e31"] == "closure_notice.min_days"
    assert limits["prepaid_card.e37"] == "closure_notice.announce_min_days"


def test_the_national_announcement_starts_with_the_implementing_regulation(rulebook):
    with pytest.raises(NotInForce):
        rulebook.value(DOMAIN, "closure_notice.announce_min_days", dt.date(2024, 6, 30))
    assert rulebook.value(DOMAIN, "closure_notice.announce_min_days", dt.date(2024, 7, 1)) == 30


def test_shandongs_fines_start_on_its_entry_into_force(rulebook):
    with pytest.raises(NotInForce):
        rulebook.value(DOMAIN, "fine.shandong_refund.min", dt.date(2017, 6, 30))
    day = dt.date(2017, 7, 1)
    assert rulebook.value(DOMAIN, "fine.shandong_refund.min", day) == 10000
    assert rulebook.value(DOMAIN, "fine.shandong_refund.max", day) == 30000
    assert rulebook.value(DOMAIN, "fine.shandong_closure_notice.min", day) == 5000
    assert rulebook.value(DOMAIN, "fine.shandong_closure_notice.max", day) == 10000


def test_a_closure_with_balances_is_severe_not_a_work_safety_hazard(rulebook):
    for day in (dt.date(2017, 7, 1), dt.date(2026, 12, 6)):
        (rule,) = [
            r for r in rulebook.risk_rules(day, DOMAIN) if r.id.endswith("closure_with_balance")
        ]
        assert rule.severity == "severe"
