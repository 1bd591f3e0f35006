"""Fixes of the legal review (issue 20) that no other test pins: each asserts what the law text
read says, so a regression of the data fails here."""

from __future__ import annotations

import datetime as dt

import pytest

import onething
from onething import Rulebook
from onething.citations import law_key

ON = dt.date(2026, 6, 1)


@pytest.fixture(scope="module")
def domains():
    return onething.enable(["prepaid_card", "catering", "elderly_care"])


@pytest.fixture(scope="module")
def book(domains):
    return Rulebook(domains)


def _cites(rule, law, revision):
    return {b.article for b in rule.basis if law_key(b.law) == law and b.revision == revision}


@pytest.mark.parametrize(
    ("kind", "code", "old", "new"),
    [
        ("elements", "elderly_care.e02", "第二十四条", "第二十三条"),
        ("items", "elderly_care.009", "第二十四条；第二十六条", "第十四条；第二十三条；第二十五条"),
    ],
)
def test_the_clinic_licence_cites_the_2022_revision_of_the_medical_institutions_regulation(
    domains, kind, code, old, new
):
    """医疗机构管理条例 2022 (国务院令第752号): the licence rule is 第二十三条 (was 第二十四条 in
    2016), the licence displayed 第二十五条 (was 第二十六条); both texts stay cited."""
    (rule,) = [r for r in getattr(domains.rules("elderly_care"), kind) if r.code == code]
    assert _cites(rule, "医疗机构管理条例", "2016-02-06") == {old}
    assert _cites(rule, "医疗机构管理条例", "2022-03-29") == {new}
