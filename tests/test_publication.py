"""Publication (结果全公开) on the catering domain's rules, on SQLite and PostgreSQL: penalties
published by their working-day deadline and shown for their period, corrections superseding,
credit repair and the end of the period taking records down, idempotent republishing, and
redaction: no resident ID, mobile, bank card or person's full name from the input ever in the
feeds, exempt fields never."""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onething import outbox

sys.path.insert(0, str(Path(__file__).parents[1] / "core" / "tests"))
from cli_support import run
from loop_support import actor_for

from onething import enable
from onething.errors import InvalidInput
from onething.loop import CaseSource, Loop, get_case, open_case, transition
from onething.publication import Policy, history, publish, redact
from onething.publication.periods import add_period, deadline
from onething.publication.redaction import id_check_character, luhn_ok
from onething.rulebook import Rulebook
from onething.store.registry import RegistryObject
from onething.workdays import Calendar, CalendarYear

USCC = "91371500MA3C4X5Y6K"
REGION = "371502"
DECIDED = dt.datetime(2026, 9, 28, 2, 0, tzinfo=dt.UTC)  # 10:00 in 聊城, before National Day


@pytest.fixture(scope="module")
def rulebook():
    return Rulebook(enable(["catering"]))


@pytest.fixture(scope="module")
def loop(rulebook):
    return Loop(rulebook)


def _object(store, key=USCC, name="聊城市东昌府区好味道餐饮店"):
    with store.session() as s:
        s.merge(
            RegistryObject(
                key=key,
                key_kind="uscc",
                name=name,
                region_code=REGION,
                updated_at=DECIDED,
            )
        )


def _step(store, loop, case, code, *, evidence=None, facts=None, at=DECIDED):
    t = loop.transitions[code]
    return transition(
        store,
        loop,
        case.id,
        code,
        actor_for(loop, t, case.domain, case.owner),
        version=case.version,
        evidence=evidence,
        facts=facts,
        at=at,
    )


def _penalty(store, loop, *, severity="general", evidence=None, facts=None, at=DECIDED):
    """A catering case walked to a decided penalty (state ``published``)."""
    case = open_case(
        store,
        loop,
        CaseSource(kind="finding", domain="catering", object_key=USCC, facts=facts or {}),
        region=REGION,
        at=at - dt.timedelta(days=5),
    )
    case = _step(store, loop, case, "open_penalty_case_on_handling", at=at - dt.timedelta(days=1))
    ev = {"decision_no": "聊东市监罚〔2026〕101号", "severity": severity, "amount": 5000}
    return _step(store, loop, case, "decide_penalty", evidence={**ev, **(evidence or {})}, at=at)


def _lines(out: Path) -> list[dict]:
    return [json.loads(x) for x in (out / "publications.jsonl").read_text().splitlines()]


# -- deadlines and periods -------------------------------------------------------------------


def test_deadline_counts_working_days_over_national_day_and_its_makeup_saturday(rulebook):
    """20 working days from 2026-09-28 skip 1–7 October (the National Day holidays) and count
    Saturday 10 October, a makeup working day (调休) of the State Council's notice."""
    cal = Calendar()
    d = deadline(rulebook, cal, "catering", "penalty_publication.within", dt.date(2026, 9, 28))
    assert d.parameter.value == 20 and d.parameter.unit == "working_day"
    # by weekdays alone it would be 2026-10-26
    assert d.on == dt.date(2026, 10, 30)
    assert cal.is_working_day(dt.date(2026, 10, 10))  # 调休: a Saturday worked


def test_deadline_in_an_unknown_year_is_an_error_not_a_weekday_count(rulebook):
    cal = Calendar()
    with pytest.raises(InvalidInput, match="2027"):
        deadline(rulebook, cal, "catering", "penalty_publication.within", dt.date(2026, 12, 20))
    known = Calendar(
        [
            CalendarYear(
                2027, {dt.date(2027, 1, 1)}, set(), "国务院办公厅关于2027年部分节假日安排的通知"
            )
        ]
    )
    d = deadline(rulebook, known, "catering", "penalty_publication.within", dt.date(2026, 12, 20))
    assert d.on == dt.date(2027, 1, 18)  # 1 January off


def test_display_period_by_severity_general_one_year_serious_three(rulebook):
    """A sanction rule without its own period falls back on core's periods by class."""
    from onething.publication.periods import display_end

    cal = Calendar()
    start = dt.date(2026, 6, 1)
    general = display_end(rulebook, cal, "catering", None, "sanction", "general", start)
    serious = display_end(rulebook, cal, "catering", None, "sanction", "severe", start)
    assert general.on == dt.date(2027, 6, 1) and serious.on == dt.date(2029, 6, 1)
    # the catering penalty rule's own period (市场监管 3 years) prevails for any severity
    own = display_end(
        rulebook, cal, "catering", "penalty_publication.period", "penalty", "general", start
    )
    assert own.on == dt.date(2029, 6, 1)
    assert display_end(rulebook, cal, "catering", None, "inspection_result", None, start) is None
    assert add_period(dt.date(2026, 1, 31), 1, "month", cal) == dt.date(2026, 2, 28)


# -- publish on the store --------------------------------------------------------------------


def test_penalty_goes_up_and_republishing_is_idempotent(store, loop, rulebook, tmp_path):
    _object(store)
    _penalty(store, loop)
    out = tmp_path / "pub"
    first = publish(store, rulebook, dt.date(2026, 10, 9), out)
    assert [c.what for c in first.went_up] == ["up"] and not first.came_down
    (line,) = _lines(out)
    assert line["rule"] == "catering.p01" and line["fields"]["uscc"] == USCC
    assert line["due_on"] == "2026-10-30" and line["display_to"] == "2029-10-09"
    assert line["summary"]["行政处罚决定书文号"] == "聊东市监罚〔2026〕101号"
    files = {p.name: p.read_bytes() for p in out.iterdir()}
    # announced in the outbox, in the transaction that put it up (docs/http.md)
    (event,) = outbox.page(store, types=("publication.changed",))["events"]
    assert event["subject"].startswith("publication/penalty:case:")
    assert (event["data"]["what"], event["data"]["rule"]) == ("up", "catering.p01")
    again = publish(store, rulebook, dt.date(2026, 10, 9), out, force=True)
    assert not again.changes and again.unchanged == 1 and again.shown == 1
    assert len(outbox.page(store, types=("publication.changed",))["events"]) == 1
    assert {p.name: p.read_bytes() for p in out.iterdir()} == files
    with pytest.raises(InvalidInput, match="--force"):
        publish(store, rulebook, dt.date(2026, 10, 9), out)


def test_correction_supersedes_with_history(store, loop, rulebook, tmp_path):
    _object(store)
    case = _penalty(store, loop)
    publish(store, rulebook, dt.date(2026, 10, 9), tmp_path / "a")
    _object(store, name="聊城市东昌府区好味道餐饮管理有限公司")  # the registry's name corrected
    res = publish(store, rulebook, dt.date(2026, 10, 12), tmp_path / "b")
    assert [c.what for c in res.went_up] == ["corrected"]
    rows = history(store, f"penalty:case:{case.id}")
    assert [(r.version, r.status) for r in rows] == [(1, "superseded"), (2, "up")]
    assert rows[1].published_on == rows[0].published_on  # the period runs from first publication
    (line,) = _lines(tmp_path / "b")
    assert line["version"] == 2 and line["fields"]["party_name"].endswith("有限公司")


def test_credit_repair_withdraws_penalty_and_sanction(store, loop, rulebook, tmp_path):
    _object(store)
    case = _penalty(store, loop, severity="serious")
    case = _step(store, loop, case, "start_joint_sanction", at=DECIDED + dt.timedelta(days=1))
    up = publish(store, rulebook, dt.date(2026, 10, 9), tmp_path / "a")
    # the penalty (catering.p01) and the joint sanction (catering.p08, at most five years)
    assert sorted((c.key.split(":")[0], c.rule) for c in up.went_up) == [
        ("penalty", "catering.p01"),
        ("sanction", "catering.p08"),
    ]
    assert not up.unpublished
    (sanction,) = [x for x in _lines(tmp_path / "a") if x["record"] == "sanction"]
    assert sanction["display_to"] == "2031-10-09"  # 山东省社会信用条例 第三十八条: five years
    case = _step(
        store, loop, case, "apply_credit_repair", evidence={"application_no": "XF-1"},
        at=DECIDED + dt.timedelta(days=200),
    )  # fmt: skip
    _step(
        store, loop, get_case(store, case.id), "credit_repaired", facts={"repaired": True},
        at=DECIDED + dt.timedelta(days=380),
    )  # fmt: skip
    before = publish(store, rulebook, dt.date(2027, 10, 12), tmp_path / "b")  # repaired 10-13
    assert not before.came_down and before.shown == 2
    down = publish(store, rulebook, dt.date(2027, 10, 13), tmp_path / "c")
    assert [(c.what, c.reason) for c in down.came_down] == [("withdrawn", "credit_repair")] * 2
    assert _lines(tmp_path / "c") == []


def test_credit_repair_before_the_food_sectors_year_leaves_the_penalty_up(
    store, loop, rulebook, tmp_path
):
    """市场监督管理信用修复管理办法 第六条: a food-sector penalty may come down on credit repair
    only after a year of publication (six months elsewhere, core's publication.repair_after);
    a repair recorded earlier is reported and the penalty stays up."""
    _object(store)
    case = _penalty(store, loop, severity="serious")
    case = _step(store, loop, case, "start_joint_sanction", at=DECIDED + dt.timedelta(days=1))
    publish(store, rulebook, dt.date(2026, 10, 9), tmp_path / "a")  # published 10-09
    case = _step(
        store, loop, case, "apply_credit_repair", evidence={"application_no": "XF-2"},
        at=DECIDED + dt.timedelta(days=200),
    )  # fmt: skip
    _step(
        store, loop, get_case(store, case.id), "credit_repaired", facts={"repaired": True},
        at=DECIDED + dt.timedelta(days=210),
    )  # fmt: skip
    early = publish(store, rulebook, dt.date(2027, 4, 26), tmp_path / "b")
    # the joint sanction comes down on the repair; the penalty stays up
    assert [c.key.split(":")[0] for c in early.came_down] == ["sanction"]
    assert early.shown == 1
    assert [(c.what, c.reason) for c in early.refused] == [("repair_refused", "before:2027-10-09")]
    # on the day the year is full the same repair takes it down
    down = publish(store, rulebook, dt.date(2027, 10, 9), tmp_path / "c")
    assert [(c.what, c.reason) for c in down.came_down] == [("withdrawn", "credit_repair")]


def test_credit_repair_never_takes_down_a_licence_revocation(store, loop, rulebook, tmp_path):
    """公示规定 第十四条第三款: 吊销许可证件 and the other heavier penalties are never taken down
    early, whatever the repair says."""
    _object(store)
    case = _penalty(store, loop, severity="severe", evidence={"penalty_kind": "licence_revoked"})
    case = _step(store, loop, case, "start_joint_sanction", at=DECIDED + dt.timedelta(days=1))
    publish(store, rulebook, dt.date(2026, 10, 9), tmp_path / "a")
    case = _step(
        store, loop, case, "apply_credit_repair", evidence={"application_no": "XF-3"},
        at=DECIDED + dt.timedelta(days=500),
    )  # fmt: skip
    _step(
        store, loop, get_case(store, case.id), "credit_repaired", facts={"repaired": True},
        at=DECIDED + dt.timedelta(days=510),
    )  # fmt: skip
    res = publish(store, rulebook, dt.date(2028, 3, 1), tmp_path / "b")
    assert [c.key.split(":")[0] for c in res.came_down] == ["sanction"] and res.shown == 1
    assert [c.reason for c in res.refused] == ["not_repairable"]


def test_the_repair_periods_cite_the_credit_repair_rules(rulebook):
    from onething.publication.periods import repair_from

    cal = Calendar()
    food = repair_from(rulebook, cal, "catering", None, dt.date(2026, 1, 15))
    assert food.on == dt.date(2027, 1, 15) and food.parameter.domain == "catering"
    general = Rulebook(enable(["prepaid_card"]))
    other = repair_from(general, cal, "prepaid_card", "fine", dt.date(2026, 1, 15))
    assert other.on == dt.date(2026, 7, 15) and other.parameter.domain == "core"
    for p in (food.parameter, other.parameter):
        assert p.status == "verified"
        assert ("市场监督管理信用修复管理办法", "第六条") in {(b.law, b.article) for b in p.basis}
    assert repair_from(rulebook, cal, "catering", "reprimand", dt.date(2026, 1, 15)) is None
    # 信用修复管理办法 (NDRC, from 2026-04-01) 第十二条: shortest periods by class
    june = dt.date(2026, 6, 1)
    general_book = general
    general = repair_from(general_book, cal, "prepaid_card", "fine", june, "general")
    serious = repair_from(general_book, cal, "prepaid_card", "fine", june, "severe")
    assert (general.on, serious.on) == (dt.date(2026, 9, 1), dt.date(2027, 6, 1))
    assert general.parameter.name == "publication.repair_after.general"
    assert ("信用修复管理办法", "第十二条第一款、第二款") in {
        (b.law, b.article) for b in serious.parameter.basis
    }
    # the food sector keeps its year whatever the class
    assert repair_from(rulebook, cal, "catering", None, june, "general").on == dt.date(2027, 6, 1)


def test_reprimand_is_shown_three_months_then_expires(store, loop, rulebook, tmp_path):
    """市场监督管理行政处罚信息公示规定 第十三条: a reprimand or low fine only, 3 months from
    publication (catering.p02, chosen by its ``when``); other penalties 3 years."""
    _object(store)
    _penalty(store, loop, evidence={"penalty_kind": "reprimand"})
    first = publish(store, rulebook, dt.date(2026, 10, 9), tmp_path / "a")
    assert [c.rule for c in first.went_up] == ["catering.p02"]
    still = publish(store, rulebook, dt.date(2027, 1, 8), tmp_path / "b")
    assert not still.came_down and still.shown == 1
    gone = publish(store, rulebook, dt.date(2027, 1, 9), tmp_path / "c")
    assert [(c.what, c.reason) for c in gone.came_down] == [("expired", "period_end")]
    assert _lines(tmp_path / "c") == []


# -- redaction -------------------------------------------------------------------------------

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰"


@st.composite
def resident_ids(draw):
    region = draw(st.sampled_from(["371502", "110105", "440305"]))
    born = draw(st.dates(dt.date(1940, 1, 1), dt.date(2008, 12, 31))).strftime("%Y%m%d")
    seq = draw(st.integers(0, 999))
    first17 = f"{region}{born}{seq:03d}"
    return first17 + id_check_character(first17)


@st.composite
def mobiles(draw):
    return draw(st.sampled_from(["13", "15", "17", "18", "19"])) + "".join(
        draw(st.lists(st.sampled_from("0123456789"), min_size=9, max_size=9))
    )


@st.composite
def cards(draw):
    body = "622202" + "".join(
        draw(st.lists(st.sampled_from("0123456789"), min_size=9, max_size=12))
    )
    check = next(str(d) for d in range(10) if luhn_ok(body + str(d)))
    return body + check


names = st.builds(
    lambda s, g: s + g, st.sampled_from(SURNAMES), st.text(GIVEN, min_size=1, max_size=2)
)
filler = st.text(st.sampled_from("，。：；的了在是有和与及其违规经营 abcXYZ-_/"), max_size=12)


def _valid_ids(text: str) -> list[str]:
    return [
        m for m in re.findall(r"(?<![0-9])[0-9]{17}[0-9X]", text)
        if id_check_character(m[:17]) == m[17]
    ]  # fmt: skip


def _mobiles(text: str) -> list[str]:
    return re.findall(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])", text)


def _cards(text: str) -> list[str]:
    return [m for m in re.findall(r"(?<![0-9])[0-9]{13,19}(?![0-9])", text) if luhn_ok(m)]


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    person=names,
    rid=resident_ids(),
    phone=mobiles(),
    card=cards(),
    pads=st.lists(filler, min_size=4, max_size=4),
    secret=st.text("甲乙丙丁配方价格", min_size=3, max_size=8),
    where=st.sampled_from(["decision_text", "violation_type", "penalty"]),
)
def test_no_personal_data_or_exempt_field_survives_redaction(
    person, rid, phone, card, pads, secret, where
):
    """Personal data in free text and in structured fields, nested or not: none of it is in
    the published form; exempt fields are withheld, with a reason."""
    text = f"{pads[0]}当事人{person}{pads[1]}身份证{rid}{pads[2]}电话{phone}，卡号{card}{pads[3]}"
    fields = {
        "party_name": "聊城市好味道餐饮店",
        "uscc": USCC,
        where: text,
        "legal_representative": person,
        "details": {"contact_person": person, "note": f"{person} {phone}", "trade_secret": secret},
        "trade_secret": f"秘方{secret}",
        "history": [text, {"home_address": "山东省聊城市东昌府区古楼街道某小区3号楼"}],
    }
    names_in = {person}
    out, log = redact(fields, Policy(), names=names_in, kept={"party_name"})
    dumped = json.dumps(out, ensure_ascii=False)
    assert not _valid_ids(dumped)
    assert not _mobiles(dumped)
    assert not _cards(dumped)
    assert person not in dumped
    assert "trade_secret" not in dumped and secret not in dumped
    assert "某小区" not in dumped
    assert out["uscc"] == USCC and out["party_name"] == "聊城市好味道餐饮店"
    kinds = {(r.field, r.kind) for r in log}
    assert ("trade_secret", "withheld") in kinds and (where, "resident_id") in kinds
    assert all(r.reason == "commercial_secret" for r in log if r.kind == "withheld")


ROLES = ["当事人", "负责人", "法定代表人", "投诉人", "执法人员", "从业人员", "经营者", "联系人"]
SEPARATORS = ["", "：", ":", "为", " "]


@settings(max_examples=200, deadline=None)
@given(
    person=names,
    role=st.sampled_from(ROLES),
    sep=st.sampled_from(SEPARATORS),
    titled=names,
    title=st.sampled_from(["先生", "女士", "同志"]),
    pads=st.lists(filler, min_size=3, max_size=3),
)
def test_a_name_only_in_free_text_is_masked_after_a_role_word_or_before_a_title(
    person, role, sep, titled, title, pads
):
    """No person field names them: a name introduced by a role word (负责人：王伟) or followed
    by a title (李娜女士) is still not published in full; what introduced it stays."""
    text = f"{pads[0]}{role}{sep}{person}{pads[1]}据{titled}{title}反映{pads[2]}"
    out, log = redact({"remarks": text, "party_name": "聊城市好味道餐饮店"}, Policy(),
                      kept={"party_name"})  # fmt: skip
    assert person not in out["remarks"] and titled not in out["remarks"]
    assert role in out["remarks"] and title in out["remarks"]
    assert ("remarks", "person_name") in {(r.field, r.kind) for r in log}
    assert out["party_name"] == "聊城市好味道餐饮店"


def test_names_the_deployment_knows_are_masked_in_every_text():
    from onething.publication.redaction import KnownNames

    known = KnownNames.of(["赵铁柱", "钱多"])
    out, _ = redact({"remarks": "赵铁柱、钱多两人检查"}, Policy(), known=known)
    assert out["remarks"] == "赵*柱、钱*两人检查"
    # a business name is published as it is
    out, _ = redact({"party_name": "钱多多超市"}, Policy(), known=known, kept={"party_name"})
    assert out["party_name"] == "钱多多超市"


def test_published_feeds_hold_no_personal_data(store, loop, rulebook, tmp_path):
    """End to end: facts and evidence carrying a person's name, ID, phone and card, and a
    trade secret; the JSONL, CSV and HTML have none of them, and the redactions are listed."""
    rid = "371502199001011234"
    rid = rid[:17] + id_check_character(rid[:17])
    _object(store)
    _penalty(
        store,
        loop,
        evidence={
            "violation_type": f"当事人王建国（身份证 {rid}，电话 13812345678）",
            "legal_representative": "王建国",
            "trade_secret": "秘方配比",
        },
    )
    out = tmp_path / "pub"
    publish(store, rulebook, dt.date(2026, 10, 9), out)
    for name in ("publications.jsonl", "publications.csv", "index.html"):
        text = (out / name).read_text()
        assert rid not in text and "13812345678" not in text and "王建国" not in text, name
        assert "秘方" not in text
    (line,) = _lines(out)
    assert line["fields"]["decision_no"] == "聊东市监罚〔2026〕101号"
    assert line["fields"]["violation_type"].startswith("当事人王*国（身份证 371502********")
    assert {(r["field"], r["kind"]) for r in line["redactions"]} >= {
        ("violation_type", "resident_id"),
        ("violation_type", "mobile"),
        ("violation_type", "person_name"),
    }


def test_cli_publish_reports_what_went_up_in_chinese_and_english(store, loop, capsys, tmp_path):
    _object(store)
    _penalty(store, loop)
    config = tmp_path / "onething.toml"
    config.write_text(
        '[deployment]\nname = "聊城市"\nregion = "371500"\nlevel = "city"\n'
        f'domains = ["catering"]\n[storage]\nurl = "{store.config_url}"\n'
        '[publication]\ntitle = "聊城市监管结果公示"\n'
        '[[publication.policy]]\ndomain = "*"\nwithhold = { remarks = "personal_privacy" }\n',
        encoding="utf-8",
    )
    out = tmp_path / "pub"
    code, text, err = run(capsys, "publish", "--config", str(config), "--at", "2026-10-09",
                          "--out", str(out))  # fmt: skip
    assert code == 0, err
    assert "上线 1 条，撤下 0 条" in text and "catering.p01" in text
    assert "聊城市监管结果公示" in (out / "index.html").read_text()
    code, text, err = run(capsys, "--lang", "en", "publish", "--config", str(config), "--at",
                          "2026-10-09", "--out", str(out), "--force")  # fmt: skip
    assert code == 0, err
    assert "0 went up, 0 came down, 1 unchanged; 1 shown" in text
    code, _, err = run(capsys, "publish", "--config", str(config), "--out", str(out), "--at",
                       "2026-10-09")  # fmt: skip
    assert code == 1 and "--force" in err


def test_page_is_self_contained_and_never_renders_data_as_markup():
    from onething.publication import feeds

    row = {
        "id": "inspection_result:record:R1:catering", "version": 1,
        "record": "inspection_result", "domain": "catering", "rule": "catering.p03",
        "fields": {"operator_name": "店</script><script>alert(1)</script>", "uscc": USCC},
        "decided_on": "2026-10-08", "published_on": "2026-10-09", "display_to": None,
    }  # fmt: skip
    html = feeds.page([row], "聊城市监管结果公示")
    assert "<script>alert(1)" not in html and "\\u003c/script>" in html
    assert not re.search(r"(src|href)=\"?https?:", html)  # no external resource
    assert "经营者名称：" in html and "textContent" in html


# -- licences and plans ----------------------------------------------------------------------


def _licensed(store, valid_to="2027-03-31"):
    licences = [
        {"number": "JY13715020001234", "kind": "food_business", "department": "market",
         "valid_from": "2022-04-01", "valid_to": valid_to},
        # another department's licence is not the catering domain's to publish
        {"number": "YFK3715020009", "kind": "prepaid_card_filing", "department": "commerce",
         "valid_from": "2023-01-01", "valid_to": None},
    ]  # fmt: skip
    with store.session() as s:
        s.merge(
            RegistryObject(
                key=USCC,
                key_kind="uscc",
                name="聊城市东昌府区好味道餐饮店",
                region_code=REGION,
                domains={"catering": {"object_types": ["restaurant"]}},
                licences=licences,
                updated_at=DECIDED,
            )
        )


def test_a_licence_is_published_while_valid_and_comes_down_after(store, rulebook, tmp_path):
    """catering.p06 (食品安全法 第一百一十三条): the registry's food-business licence is
    published under the domain's licence rule, and comes down the day after it is valid to."""
    _licensed(store)
    up = publish(store, rulebook, dt.date(2026, 10, 9), tmp_path / "a")
    assert [(c.key, c.rule) for c in up.went_up] == [
        (f"licence:{USCC}:catering:JY13715020001234", "catering.p06")
    ]
    (line,) = _lines(tmp_path / "a")
    assert line["fields"] == {
        "operator_name": "聊城市东昌府区好味道餐饮店",
        "uscc": USCC,
        "licence_no": "JY13715020001234",
        "valid_from": "2022-04-01",
        "valid_to": "2027-03-31",
    }
    assert not publish(store, rulebook, dt.date(2027, 3, 31), tmp_path / "b").came_down
    down = publish(store, rulebook, dt.date(2027, 4, 1), tmp_path / "c")
    assert [(c.what, c.reason) for c in down.came_down] == [("withdrawn", "licence_expired")]
    # renewed in the registry: the same licence goes up again, a new version
    _licensed(store, valid_to="2032-03-31")
    again = publish(store, rulebook, dt.date(2027, 4, 2), tmp_path / "d")
    assert [c.what for c in again.went_up] == ["up"] and again.went_up[0].version == 2


def _plan(store, *, keys, reason="", at=DECIDED, sha="b" * 64):
    from onething.store.planning import PlanningAssignment, PlanningPlan, PlanningVisit

    with store.session() as s:
        plan = PlanningPlan(
            cycle="2026Q4", year=2026, seed="liaocheng-2026Q4", algorithm="prn-sha256-v1",
            population_sha256="a" * 64, plan_sha256=sha, created_at=at, created_by="tester",
            reason=reason,
        )  # fmt: skip
        s.add(plan)
        s.flush()
        for k in keys:
            s.add(PlanningVisit(plan_id=plan.id, visit_id=f"V:{k}", key=k))
            s.add(
                PlanningAssignment(
                    plan_id=plan.id, visit_id=f"V:{k}", inspector_id="market-371502-0001",
                    department="market", key=k,
                )
            )  # fmt: skip
        return plan.id


def test_a_plan_publishes_its_draw_and_the_businesses_it_sampled(store, rulebook, tmp_path):
    """优化营商环境条例 第五十四条: the objects drawn are published (catering.p07) — the
    businesses by name and uscc, never a person; a redraw supersedes the cycle's plan; the
    inspectors' names the store knows are masked in its free text."""
    from onething.store.planning import PlanningInspector

    _licensed(store)  # a catering business (its licence is published too)
    person = "a" * 64
    with store.session() as s:
        s.add(
            RegistryObject(
                key=person, key_kind="alt", name="王*国", region_code=REGION,
                object_kind="person", display_key="371502********1234",
                domains={"catering": {"object_types": ["restaurant"]}}, updated_at=DECIDED,
            )
        )  # fmt: skip
        s.add(
            PlanningInspector(
                id="market-371502-0001", name="赵铁柱", department="market",
                region_code=REGION, updated_at=DECIDED,
            )
        )  # fmt: skip
    _plan(store, keys=[USCC, person])
    res = publish(store, rulebook, dt.date(2026, 10, 9), tmp_path / "a")
    assert ("plan:2026Q4:catering", "catering.p07") in {(c.key, c.rule) for c in res.went_up}
    (line,) = [x for x in _lines(tmp_path / "a") if x["record"] == "plan"]
    f = line["fields"]
    assert f["sampled"] == [{"name": "聊城市东昌府区好味道餐饮店", "uscc": USCC}]
    assert f["sample_size"] == 1 and f["seed"] == "liaocheng-2026Q4"
    assert f["plan_sha256"] == "b" * 64 and f["authority"] == line["fields"]["authority"]
    # 20 working days (core publication.within) from 2026-09-28, over National Day
    assert line["due_on"] == "2026-10-30"
    assert "display_to" in line and line["display_to"] is None
    _plan(store, keys=[USCC], reason="赵铁柱回避，重新抽取", sha="c" * 64,
          at=DECIDED + dt.timedelta(days=2))  # fmt: skip
    again = publish(store, rulebook, dt.date(2026, 10, 12), tmp_path / "b")
    assert [(c.key, c.what) for c in again.went_up] == [("plan:2026Q4:catering", "corrected")]
    (line,) = [x for x in _lines(tmp_path / "b") if x["record"] == "plan"]
    assert line["fields"]["plan_sha256"] == "c" * 64
    assert line["fields"]["redraw_reason"] == "赵*柱回避，重新抽取"
    # the page shows every published field of a plan and a licence under a Chinese label
    from onething.publication.feeds import FIELD_LABELS

    for x in _lines(tmp_path / "b"):
        assert set(x["fields"]) <= set(FIELD_LABELS), x["record"]


def test_a_penalty_on_a_natural_person_is_never_published(store, loop, rulebook, tmp_path):
    """信用修复管理办法 (2025) 第十二条: a natural person's dishonesty information is in
    principle not published — a case on an object of kind person is counted, never shown."""
    person = "b" * 64
    with store.session() as s:
        s.add(
            RegistryObject(
                key=person, key_kind="alt", name="王*国", region_code=REGION,
                object_kind="person", display_key="371502********1234", updated_at=DECIDED,
            )
        )  # fmt: skip
    case = open_case(
        store,
        loop,
        CaseSource(kind="finding", domain="catering", object_key=person, facts={}),
        region=REGION,
        at=DECIDED - dt.timedelta(days=5),
    )
    case = _step(store, loop, case, "open_penalty_case_on_handling", at=DECIDED - dt.timedelta(1))
    _step(
        store,
        loop,
        case,
        "decide_penalty",
        evidence={"decision_no": "X", "severity": "general", "amount": 100},
    )
    res = publish(store, rulebook, dt.date(2026, 10, 9), tmp_path / "a")
    assert not res.went_up and res.unpublished == {"person": 1}
    assert _lines(tmp_path / "a") == []
