"""Properties of the risk rules over the whole range of their facts: each fires exactly on its
side of the threshold its parameter sets (the law's figure or the marked local value), only for
its object types and conditions, and never before its law took effect."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onething import enable
from onething.applicability import Applicability
from onething.model import Membership, SupervisedObject
from onething.risk import evaluate
from onething.rulebook import Rulebook

ON = dt.date(2026, 6, 1)
PHASES = st.sampled_from(["preparation", "under_construction", "suspended", "completed"])
CONTRACTORS = st.sampled_from(["general_contractor", "subcontractor"])


@pytest.fixture(scope="module")
def book():
    return Rulebook(enable(["construction"]))


def fired(book, object_type, facts, attributes=None, on=ON):
    obj = SupervisedObject(
        key="K",
        name="n",
        region_code="371500",
        domains={"construction": Membership([object_type], attributes or {})},
    )
    return {f.rule for f in evaluate([obj], {"K": facts}, book, on) if f.fired}


def days_ago(offsets):
    return [ON - dt.timedelta(days=d) for d in offsets]


@given(months=st.floats(0, 36, allow_nan=False), phase=PHASES)
def test_no_wage_inflow_warns_beyond_one_month_only_while_works_go_on(book, months, phase):
    """保障农民工工资支付条例 第二十四条: labour costs paid at least monthly."""
    got = fired(book, "project", {"months_since_wage_inflow": months}, {"phase": phase})
    assert ("construction.wage_account_no_inflow" in got) == (
        phase == "under_construction" and months > 1
    )


@given(offsets=st.lists(st.integers(0, 120), max_size=8))
def test_wage_complaints_warn_from_two_in_thirty_days(book, offsets):
    got = fired(book, "project", {"wage_complaints": days_ago(offsets)})
    in_window = sum(1 for d in offsets if d < 30)  # window: (day - 30, day]
    assert ("construction.wage_complaints" in got) == (in_window >= 2)


@given(offsets=st.lists(st.integers(0, 800), max_size=10), kind=CONTRACTORS)
def test_repeated_penalties_follow_the_work_safety_law_windows(book, offsets, kind):
    """安全生产法 第一百一十三条第（一）项: 3 within 180 days, or 4 within a year."""
    got = fired(book, kind, {"major_hazard_penalties": days_ago(offsets)})
    assert ("construction.repeat_penalties_180d" in got) == (sum(d < 180 for d in offsets) >= 3)
    assert ("construction.repeat_penalties_1y" in got) == (sum(d < 365 for d in offsets) >= 4)


@given(offsets=st.lists(st.integers(0, 100), min_size=4, max_size=6))
def test_penalty_counts_never_flag_a_project_or_a_crane(book, offsets):
    for kind in ("project", "crane", "developer"):
        assert not fired(book, kind, {"major_hazard_penalties": days_ago(offsets)})


@given(staff=st.integers(0, 5000), kind=CONTRACTORS)
def test_safety_director_and_committee_thresholds(book, staff, kind):
    """山东省安全生产条例 第二十一条、第二十二条: 100 and 300 staff in a high-risk unit."""
    got = fired(
        book,
        kind,
        {"staff_without_safety_director": staff, "staff_without_safety_committee": staff},
    )
    assert ("construction.no_safety_director" in got) == (staff >= 100)
    assert ("construction.no_safety_committee" in got) == (staff >= 300)


@given(staff=st.integers(100, 5000))
def test_no_safety_director_rule_before_the_shandong_regulation(book, staff):
    got = fired(
        book,
        "general_contractor",
        {"staff_without_safety_director": staff},
        on=dt.date(2022, 2, 28),
    )
    assert "construction.no_safety_director" not in got


@given(days=st.integers(0, 400))
def test_a_crane_is_flagged_after_thirty_days_unregistered(book, days):
    """建设工程安全生产管理条例 第三十五条第三款: register within 30 days of acceptance."""
    got = fired(book, "crane", {"days_accepted_unregistered": days})
    assert ("construction.crane_unregistered" in got) == (days > 30)


@given(depth=st.floats(0, 30, allow_nan=False))
def test_pit_rules_fire_from_three_and_five_metres(book, depth):
    got = fired(book, "project", {"unplanned_pit_depth_m": depth, "unreviewed_pit_depth_m": depth})
    assert ("construction.pit_plan_missing" in got) == (depth >= 3)
    assert ("construction.pit_review_missing" in got) == (depth >= 5)


@given(pm10=st.floats(0, 1000, allow_nan=False))
def test_dust_warns_above_the_local_limit_on_sites_only(book, pm10):
    assert ("construction.dust_pm10_exceeded" in fired(book, "site", {"pm10_ugm3": pm10})) == (
        pm10 > 150
    )
    assert "construction.dust_pm10_exceeded" not in fired(book, "project", {"pm10_ugm3": pm10})


@given(offset=st.integers(-400, 400), kind=CONTRACTORS)
def test_safety_licence_expiry_and_its_warning(book, offset, kind):
    """安全生产许可证条例 第九条: renew three months before expiry (90 days, unconfirmed)."""
    got = fired(book, kind, {"safety_licence_valid_to": ON + dt.timedelta(days=offset)})
    assert ("construction.safety_licence_expired" in got) == (offset < 0)
    assert ("construction.safety_licence_expiring" in got) == (offset < 90)


SIZES = st.one_of(st.none(), st.floats(0, 100000, allow_nan=False))


@given(investment=SIZES, area=SIZES)
def test_the_permit_item_and_rule_follow_the_small_works_limit(book, investment, area):
    """建筑工程施工许可管理办法 第二条 (secondary): no permit at 30 万元 or 300 m² or below; an
    unknown size never exempts."""
    attrs = {
        k: v
        for k, v in {"investment_wan": investment, "floor_area_m2": area}.items()
        if v is not None
    }
    exempt = (investment is not None and investment <= 30) or (area is not None and area <= 300)
    got = fired(book, "project", {"active_without_permit": True}, attrs)
    assert ("construction.works_without_permit" in got) == (not exempt)
    codes = Applicability(book.items(ON, domain="construction")).codes(["project"], attrs)
    assert ("construction.001" in codes) == (not exempt)
