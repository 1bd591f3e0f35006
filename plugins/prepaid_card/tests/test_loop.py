"""The prepaid_card loop extension joins core's loop: the custody-breach and absconding paths
exist for prepaid cases only, and their time limits resolve to the domain's parameters."""

import datetime as dt
from functools import cache
from itertools import pairwise

import pytest

from onething import Rulebook, enable
from onething.conditions import holds
from onething.loop import Loop

ON = dt.date(2026, 11, 27)


@cache
def _loop():
    return Loop(Rulebook(enable(["prepaid_card"])))


def _path_exists(loop, domain, path):
    for source, target in pairwise(path):
        if not any(t.spec.target == target for t in loop.outgoing(source, domain)):
            return False
    return True


@pytest.mark.parametrize(
    "path",
    [
        # custody breach → order to rectify → suspension of issuing → public warning → penalty
        [
            "assessment",
            "rectification",
            "reinspection",
            "issuing_suspended",
            "consumer_risk_warning",
            "penalty",
        ],
        # custody restored while suspended → re-inspection
        ["issuing_suspended", "reinspection"],
        # closure with outstanding balances ("跑路") → police referral → joint sanction
        ["assessment", "operator_absconded", "referral", "joint_sanction"],
        # major operating risk → stop taking prepayments
        ["assessment", "issuing_suspended"],
    ],
)
def test_domain_paths_exist_for_prepaid_cases(path):
    assert _path_exists(_loop(), "prepaid_card", path)


def test_the_extension_does_not_leak_into_other_domains_cases():
    assert not _path_exists(_loop(), "catering", ["assessment", "operator_absconded"])
    assert "issuing_suspended" not in _loop().states_for("catering")


def test_rectification_time_limit_is_the_domain_parameter():
    loop = _loop()
    (order,) = [
        t for t in loop.outgoing("assessment", "prepaid_card") if t.code == "custody_order_rectify"
    ]
    limit = loop.limit(order, ON)
    assert (limit.days, limit.unit, limit.status) == (30, "day", "unconfirmed")


@pytest.mark.parametrize(
    ("facts", "allowed"),
    [
        ({"custody_shortfall": True, "rectified": False}, True),
        ({"custody_shortfall": True, "rectified": True}, False),
        ({"rectified": False}, False),  # another kind of case that failed re-inspection
    ],
)
def test_suspension_only_follows_a_custody_breach_not_rectified(facts, allowed):
    (suspend,) = [
        t
        for t in _loop().outgoing("reinspection", "prepaid_card")
        if t.spec.target == "issuing_suspended"
    ]
    assert holds(suspend.spec.guard, facts) is allowed
