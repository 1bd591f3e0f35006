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


def _element(book, code, on=ON):
    (el,) = [e for e in book.elements(on) if e.code == code]
    return el


@pytest.mark.parametrize(
    ("code", "good", "bad"),
    [
        (
            "catering.e33",
            {
                "food_safety_officer_appointed": True,
                "director_required": 0,
                "directors_appointed": 0,
            },
            {
                "food_safety_officer_appointed": True,
                "director_required": 1,
                "directors_appointed": 0,
            },
        ),
        (
            "catering.e33",
            {"food_safety_officer_appointed": True, "risk_control_records": True},
            {"food_safety_officer_appointed": False, "risk_control_records": True},
        ),
        (
            "catering.e33",
            {"food_safety_officer_appointed": True},
            {"food_safety_officer_appointed": True, "risk_control_records": False},
        ),
        (
            "catering.e34",
            {"bulk_deliveries_sampled": 0, "bulk_deliveries_checked": 0},
            {"bulk_deliveries_sampled": 3, "bulk_deliveries_checked": 2},
        ),
    ],
)
def test_the_added_food_duties_pass_when_kept_and_fail_when_broken(book, code, good, bad):
    from onething.checklist import failures, validate

    el = _element(book, code, dt.date(2026, 7, 1))
    for evidence in (good, bad):
        validate(code, el.evidence_schema, evidence, location="test", path="evidence")
    assert failures(el.evidence_schema, good, None, ON) == []
    assert failures(el.evidence_schema, bad, None, ON) != []


@pytest.mark.parametrize(
    ("code", "first_day"),
    [
        # 总局令第60号 in force 2022-11-01; 食品安全法 2025 修正 in force 2025-12-01
        ("catering.e33", dt.date(2022, 11, 1)),
        ("catering.e34", dt.date(2025, 12, 1)),
    ],
)
def test_the_added_food_duties_start_when_their_rule_took_effect(book, code, first_day):
    assert code not in {e.code for e in book.elements(first_day - dt.timedelta(days=1))}
    assert code in {e.code for e in book.elements(first_day)}


def test_the_unread_food_rule_is_never_marked_verified(book):
    """The 60号令 was not read in the text."""
    el = _element(book, "catering.e33", dt.date(2026, 7, 1))
    cited = [b for b in el.basis if law_key(b.law) == "企业落实食品安全主体责任监督管理规定"]
    assert cited and all(b.status != "verified" for b in cited)


def test_the_bulk_liquid_check_cites_the_new_paragraph_of_the_2025_decision(book):
    """修改决定 (read in full): 收货方 checks in 第四十一条第三款, its penalty 第一百三十二条第四款."""
    el = _element(book, "catering.e34", dt.date(2026, 7, 1))
    (b,) = [b for b in el.basis if b.revision == "2025-09-12"]
    assert b.status == "verified" and "第四十一条第三款" in b.article
    assert book.parameter("catering", "fine.bulk_liquid_check.max", ON).value == 100000


def test_no_catering_rule_cites_the_2025_food_safety_law_unverified(domains):
    """Every 2025 citation was checked against the amending decision's text: the articles the
    plugin cites were not changed, or (41, 132) are cited for what the decision added."""
    rules = domains.rules("catering")
    for kind in ("items", "elements", "risk_rules", "sanctions", "publication_rules"):
        for rule in getattr(rules, kind):
            for b in rule.basis:
                if law_key(b.law) == "食品安全法" and b.revision == "2025-09-12":
                    assert b.status == "verified", (rule.code, b.article)
    for p in rules.parameters:
        for v in p.values:
            for b in v.basis:
                if law_key(b.law) == "食品安全法" and b.revision == "2025-09-12":
                    assert b.status == "verified" and v.status != "secondary", p.name


@pytest.mark.parametrize(
    ("day", "revision", "article"),
    [
        (dt.date(2024, 4, 30), "2014-08-07", "第十七条第二款"),
        (dt.date(2024, 5, 1), "2024-03-10", "第十八条第二款"),
    ],
)
def test_the_serious_list_ban_follows_the_2024_revision_of_the_publicity_regulation(
    book, day, revision, article
):
    """企业信息公示暂行条例 as revised in 2024 (国务院令第777号, in force 2024-05-01), read in
    full: the three-year ban moved from 第十七条第二款 to 第十八条第二款."""
    p = book.parameter("prepaid_card", "serious_list.legal_rep_ban", day)
    assert p.value == 3 and p.status == "verified"
    assert [(b.revision, b.article, b.status) for b in p.basis] == [(revision, article, "verified")]


def test_no_rule_cites_the_2024_publicity_regulation_by_the_2014_article_numbers(domains):
    """In the 2024 text the abnormal-operation list is 第十八条 (第十七条 in 2014); 第七条 kept."""
    for kind in ("elements", "risk_rules", "sanctions", "publication_rules"):
        for rule in getattr(domains.rules("prepaid_card"), kind):
            for b in rule.basis:
                if law_key(b.law) == "企业信息公示暂行条例" and b.revision == "2024-03-10":
                    assert b.status == "verified" and b.article in (
                        "第七条", "第十八条第一款", "第十八条第二款"
                    ), (rule, b)  # fmt: skip


def test_a_care_homes_clinic_carries_the_medical_waste_duties():
    """The in-house clinic of a care home is an object of the medical domain (in_house_clinic):
    the medical plugin's waste items (医疗废物管理条例 16/17, 山东省医疗废物管理办法 7) apply to it,
    so elderly_care encodes the licence (009) and leaves the waste to medical."""
    medical = onething.enable(["medical"]).rules("medical")
    waste = [i for i in medical.items if "医疗废物" in i.name_zh]
    assert {i.code for i in waste} >= {"medical.010", "medical.011"}
    assert all("in_house_clinic" in i.object_types for i in waste)
    assert all(b.status == "verified" for i in waste for b in i.basis)


#: When each law first came into force, read from its text's last article (自…起施行) in the
#: reference texts: a rule that rests on these alone cannot be in force before the earliest.
#: Only laws whose first text is the one read (a date of a later revision would say nothing of
#: the first).
FIRST_IN_FORCE = {
    "山东省社会信用条例": dt.date(2020, 10, 1),  # 第六十一条 (adopted 2020-07-24)
    "个人信息保护法": dt.date(2021, 11, 1),  # 第七十四条
    "保障农民工工资支付条例": dt.date(2020, 5, 1),
    "医师法": dt.date(2022, 3, 1),
    "医疗保障基金使用监督管理条例": dt.date(2021, 5, 1),
    "基本医疗卫生与健康促进法": dt.date(2020, 6, 1),
    "优化营商环境条例": dt.date(2020, 1, 1),
    "山东省优化营商环境条例": dt.date(2021, 1, 1),
    "山东省养老服务条例": dt.date(2020, 5, 1),
    "特种设备安全法": dt.date(2014, 1, 1),
    "特种设备安全监督检查办法": dt.date(2022, 7, 1),
    "市场监督管理行政处罚信息公示规定": dt.date(2021, 9, 1),
    "食品生产经营监督检查管理办法": dt.date(2022, 3, 15),
    "侵害消费者权益行为处罚办法": dt.date(2015, 3, 15),
    "北京市单用途预付卡管理条例": dt.date(2022, 6, 1),
    "最高人民法院关于审理预付式消费民事纠纷案件适用法律若干问题的解释": dt.date(2025, 5, 1),
}

EIGHT = (
    "prepaid_card", "catering", "elderly_care", "medical",
    "training", "construction", "transport", "hazchem",
)  # fmt: skip


def _dated_with_basis(node, where):
    """Every table of a plugin data file that has both a start day and a basis."""
    if isinstance(node, dict):
        if "effective_from" in node and isinstance(node.get("basis"), list):
            yield where, node
        for k, v in node.items():
            yield from _dated_with_basis(v, f"{where}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _dated_with_basis(v, f"{where}[{i}]")


def test_no_rule_takes_effect_before_every_law_it_rests_on():
    import tomllib
    from importlib import resources

    early = []
    for domain in EIGHT:
        for path in (resources.files(f"onething_{domain}") / "data").iterdir():
            if not path.name.endswith(".toml"):
                continue
            data = tomllib.loads(path.read_text("utf-8"))
            for where, rule in _dated_with_basis(data, path.name):
                laws = {law_key(b["law"]) for b in rule["basis"] if "law" in b}
                if not laws or not laws <= set(FIRST_IN_FORCE):
                    continue
                first = min(FIRST_IN_FORCE[law] for law in laws)
                if rule["effective_from"] < first:
                    early.append(f"{domain}/{where} {rule['effective_from']} < {first}")
    assert not early, early
