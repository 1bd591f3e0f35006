"""Risk warning over the stored registry: facts intake, batch evaluation, dedupe, grades,
explain — on SQLite and PostgreSQL; the batch engine agrees with the reference semantics."""

from __future__ import annotations

import datetime as dt
import json
import shutil

import pytest
import sqlalchemy as sa
from fake_support import FAKE
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onething import InvalidInput, Rulebook, enable
from onething.registry import get_object, import_objects
from onething.registry.uscc import make_uscc
from onething.risk import evaluate as reference_evaluate
from onething.risk.engine import evaluate_all
from onething.risk.explain import explain
from onething.risk.facts import fact_kinds, facts_of, ingest, ingest_file, merge_for_rules
from onething.risk.grades import grade_all, stratum
from onething.store import Store
from onething.store.risk import FactRow, GradeRow, WarningRow

ON = dt.date(2025, 6, 30)
KEYS = [make_uscc("9", "1", "371502", f"MA3C{i:04d}") for i in range(4)]


@pytest.fixture(scope="module")
def book() -> Rulebook:
    return Rulebook(enable(["fake"], entry_points=[FAKE]))


def load(store, book, types=("shop", "shop", "kiosk", "shop"), credit=("A", None, "C", None)):
    rows = [
        {
            "uscc": key,
            "name": f"对象{i}",
            "region_code": "371502",
            "domains": json.dumps(
                {"fake": {"object_types": [t], "attributes": {"floor_area": 10 + i}}}
            ),
            "credit_grade": c or "",
        }
        for i, (key, t, c) in enumerate(zip(KEYS, types, credit, strict=True))
    ]
    import_objects(store, rows, app_or_rulebook=book, region="371500", on=ON)


def facts(*rows):
    return list(enumerate(({"source": "test", **r} for r in rows), start=1))


def count(store, table) -> int:
    with store.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def test_bad_facts_are_all_reported_by_line_and_nothing_is_stored(english, store, book):
    load(store, book)
    rows = facts(
        {"key": KEYS[0], "fact": "cabinet_temperature", "value": 9, "observed_at": "2025-06-01"},
        {"key": KEYS[0], "fact": "cabinet_temprature", "value": 9, "observed_at": "2025-06-01"},
        {"key": KEYS[0], "fact": "abnormal_listed", "value": "yes", "observed_at": "2025-06-01"},
        {
            "key": "91371500MA3C9999XX",
            "fact": "abnormal_listed",
            "value": True,
            "observed_at": "2025-06-01",
        },
        {
            "key": KEYS[1],
            "fact": "licence_valid_to",
            "value": "2025-13-01",
            "observed_at": "2025-06-01",
        },
        {"key": KEYS[1], "fact": "complaints", "value": 1},
    )
    with pytest.raises(InvalidInput) as exc:
        ingest(store, book, rows, label="f.jsonl", on=ON)
    message = str(exc.value)
    assert "5 bad fact(s), nothing stored" in message
    assert "f.jsonl:2: fact: unknown fact 'cabinet_temprature'" in message
    assert "f.jsonl:3: value: expected true or false" in message
    assert "f.jsonl:4: key: object '91371500MA3C9999XX' is not in the registry" in message
    assert "f.jsonl:5: value: expected a date" in message
    assert "f.jsonl:6: (top level): 'observed_at' is a required property" in message
    assert count(store, FactRow) == 0


def test_a_facts_file_with_a_broken_json_line(store, book, tmp_path):
    load(store, book)
    path = tmp_path / "facts.jsonl"
    good = {
        "key": KEYS[0],
        "fact": "abnormal_listed",
        "value": True,
        "observed_at": "2025-06-01",
        "source": "x",
    }
    path.write_text(json.dumps(good) + "\n{not json\n", "utf-8")
    with pytest.raises(InvalidInput, match=r"facts\.jsonl:2: 不是有效的 JSON"):
        ingest_file(store, book, path, on=ON)
    assert count(store, FactRow) == 0


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_a_fact_observed_on_a_day_that_does_not_exist_is_a_located_error(
    store, book, tmp_path, suffix
):
    load(store, book)
    rows = [
        {
            "key": KEYS[0],
            "fact": "abnormal_listed",
            "value": True,
            "observed_at": day,
            "source": "x",
        }
        for day in ("2025-06-01", "2026-02-30", "2026-02-30T10:00:00")
    ]
    path = tmp_path / f"facts{suffix}"
    if suffix == ".csv":
        lines = ["key,fact,value,observed_at,source"]
        lines += [f"{r['key']},{r['fact']},true,{r['observed_at']},x" for r in rows]
        path.write_text("\n".join(lines) + "\n", "utf-8")
        first = 3  # line 1 is the header
    else:
        path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", "utf-8")
        first = 2
    with pytest.raises(InvalidInput) as exc:
        ingest_file(store, book, path, on=ON)
    message = str(exc.value)
    assert "2 条事实有误，未保存任何数据" in message
    for line in (first, first + 1):
        assert f"{path}:{line}: observed_at: " in message
    assert message.count("不是真实存在的日期") == 2
    assert count(store, FactRow) == 0


def test_what_the_database_cannot_store_is_a_located_error(store, book):
    """A 400-digit integer, or NUL in any text (PostgreSQL refuses it), on both databases."""
    load(store, book)
    base = {"key": KEYS[0], "observed_at": "2025-06-01"}
    rows = facts(
        {**base, "fact": "cabinet_temperature", "value": 9.5},
        {**base, "fact": "cabinet_temperature", "value": int("9" * 400)},
        {**base, "fact": "abnormal_listed", "value": True, "source": "平台\u0000"},
        {**base, "fact": "complaints", "value": "退款\u0000"},
    )
    with pytest.raises(InvalidInput) as exc:
        ingest(store, book, rows, label="f.jsonl", on=ON)
    message = str(exc.value)
    assert "3 条事实有误，未保存任何数据" in message
    assert "f.jsonl:2: value: 整数有 400 位" in message
    assert "f.jsonl:3: source: 含 NUL 字符" in message
    assert "f.jsonl:4: value: 含 NUL 字符" in message
    assert count(store, FactRow) == 0


def test_each_rule_kind_below_at_and_above_its_threshold(store, book):
    load(store, book)
    a, b, c, d = KEYS
    ingest(
        store,
        book,
        facts(
            # threshold: temperature > 8 fires; 8 does not
            {"key": a, "fact": "cabinet_temperature", "value": 9, "observed_at": "2025-06-29"},
            {"key": b, "fact": "cabinet_temperature", "value": 8, "observed_at": "2025-06-29"},
            # the latest value counts: d was hot, then cooled
            {"key": d, "fact": "cabinet_temperature", "value": 12, "observed_at": "2025-06-01"},
            {"key": d, "fact": "cabinet_temperature", "value": 4, "observed_at": "2025-06-20"},
            # ratio: > 0.5 fires; = 0.5 does not; zero denominator never
            {"key": a, "fact": "prepaid_balance", "value": 51, "observed_at": "2025-06-01"},
            {"key": a, "fact": "revenue", "value": 100, "observed_at": "2025-06-01"},
            {"key": b, "fact": "prepaid_balance", "value": 50, "observed_at": "2025-06-01"},
            {"key": b, "fact": "revenue", "value": 100, "observed_at": "2025-06-01"},
            {"key": c, "fact": "prepaid_balance", "value": 50, "observed_at": "2025-06-01"},
            {"key": c, "fact": "revenue", "value": 0, "observed_at": "2025-06-01"},
            # count: 3 complaints in 90 days fires; one of them older does not
            *(
                {"key": a, "fact": "complaints", "value": 1, "observed_at": day}
                for day in ("2025-04-02", "2025-06-01", "2025-06-30")
            ),
            *(
                {"key": b, "fact": "complaints", "value": 1, "observed_at": day}
                for day in ("2025-04-01", "2025-06-01", "2025-06-30")
            ),
            # flag
            {"key": c, "fact": "abnormal_listed", "value": True, "observed_at": "2025-06-01"},
            {"key": d, "fact": "abnormal_listed", "value": False, "observed_at": "2025-06-01"},
            # expiry within 30 days (shops only): a fires, b does not, c is a kiosk
            {
                "key": a,
                "fact": "licence_valid_to",
                "value": "2025-07-29",
                "observed_at": "2025-01-01",
            },
            {
                "key": b,
                "fact": "licence_valid_to",
                "value": "2025-07-30",
                "observed_at": "2025-01-01",
            },
            {
                "key": c,
                "fact": "licence_valid_to",
                "value": "2025-07-01",
                "observed_at": "2025-01-01",
            },
            # a fact observed after the day of evaluation is not seen
            {"key": b, "fact": "abnormal_listed", "value": True, "observed_at": "2025-07-01"},
        ),
        label="t",
        on=ON,
    )
    report = evaluate_all(store, book, ON)
    fired = {(w.key, w.rule_id) for w in report.fired}
    assert fired == {
        (a, "fake.cold_chain"),
        (a, "fake.prepaid_debt"),
        (a, "fake.complaints"),
        (a, "fake.licence_expiring"),
        (c, "fake.abnormal_list"),
    }


def test_open_warnings_are_deduplicated(store, book):
    load(store, book)
    ingest(
        store,
        book,
        facts(
            {"key": KEYS[2], "fact": "abnormal_listed", "value": True, "observed_at": "2025-06-01"}
        ),
        label="t",
        on=ON,
    )
    first = evaluate_all(store, book, ON)
    second = evaluate_all(store, book, ON + dt.timedelta(days=1))
    assert len(first.new) == 1 and second.new == ()
    assert len(second.fired) == 1
    assert count(store, WarningRow) == 1
    with store.session() as s:
        s.execute(
            sa.update(WarningRow).values(
                closed_at=dt.datetime.now(dt.UTC), closed_reason="整改完成"
            )
        )
    assert len(evaluate_all(store, book, ON).new) == 1  # a closed warning does not hide a new one


def test_grades_combine_credit_and_risk_into_the_stratum_with_history(store, book):
    load(store, book)
    ingest(
        store,
        book,
        facts(
            {"key": KEYS[2], "fact": "prepaid_balance", "value": 90, "observed_at": "2025-06-01"},
            {"key": KEYS[2], "fact": "revenue", "value": 100, "observed_at": "2025-06-01"},
        ),
        label="t",
        on=ON,
    )
    evaluate_all(store, book, ON)
    report = grade_all(store, book, ON)
    assert (report.graded, report.changed) == (4, 4)
    assert get_object(store, KEYS[2]).risk_grade == "D"  # prepaid_debt is severe
    assert get_object(store, KEYS[0]).risk_grade == "A"
    again = grade_all(store, book, ON)
    assert again.changed == 0 and count(store, GradeRow) == 4
    data = explain(store, book, KEYS[2], ON)
    assert data["grade"]["stratum"] == stratum("C", "D") == "C×D"
    assert data["grade"]["credit_source"] == "imported"
    assert explain(store, book, KEYS[1], ON)["grade"]["credit_source"] == "default"
    (debt,) = [r for r in data["rules"] if r["rule"] == "fake.prepaid_debt"]
    assert debt["fired"] and debt["observed"] == 0.9 and debt["threshold"] == 0.5
    assert debt["basis"][0]["law"] == "虚构示例条例"
    assert data["open_warnings"][0]["rule"] == "fake.prepaid_debt"


def test_explain_an_unknown_object(store, book):
    with pytest.raises(InvalidInput, match="名录库中没有该对象"):
        explain(store, book, "91371500MA3C0000XX", ON)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    temps=st.lists(st.integers(0, 12), min_size=4, max_size=4),
    ages=st.lists(st.lists(st.integers(0, 120), max_size=4), min_size=4, max_size=4),
    balances=st.lists(st.integers(0, 200), min_size=4, max_size=4),
    revenues=st.lists(st.integers(0, 200), min_size=4, max_size=4),
)
def test_the_batch_engine_agrees_with_the_reference_semantics(
    tmp_path_factory, _sqlite_template, book, temps, ages, balances, revenues
):
    path = tmp_path_factory.mktemp("prop") / "onething.db"
    shutil.copyfile(_sqlite_template, path)
    store = Store(f"sqlite:///{path}")
    try:
        load(store, book)
        rows = []
        for key, t, ev, bal, rev in zip(KEYS, temps, ages, balances, revenues, strict=True):
            rows.append(
                {"key": key, "fact": "cabinet_temperature", "value": t, "observed_at": "2025-06-01"}
            )
            rows.append(
                {"key": key, "fact": "prepaid_balance", "value": bal, "observed_at": "2025-06-01"}
            )
            rows.append({"key": key, "fact": "revenue", "value": rev, "observed_at": "2025-06-01"})
            rows += [
                {
                    "key": key,
                    "fact": "complaints",
                    "value": 1,
                    "observed_at": (ON - dt.timedelta(days=a)).isoformat(),
                }
                for a in ev
            ]
        ingest(store, book, facts(*rows), label="t", on=ON)
        batch = {(w.key, w.rule_id) for w in evaluate_all(store, book, ON).fired}
        kinds = fact_kinds(book, ON)
        objects = [get_object(store, k) for k in KEYS]
        per_object = {k: merge_for_rules(*facts_of(store, k, ON), kinds) for k in KEYS}
        reference = {
            (v.key, v.rule) for v in reference_evaluate(objects, per_object, book, ON) if v.fired
        }
        assert batch == reference
    finally:
        store.dispose()


def test_each_new_warning_opens_one_case_in_the_loop(store, book):
    from onething.loop import Loop, get_case
    from onething.risk.cases import open_cases

    load(store, book)
    ingest(
        store,
        book,
        facts(
            {"key": KEYS[2], "fact": "abnormal_listed", "value": True, "observed_at": "2025-06-01"}
        ),
        label="t",
        on=ON,
    )
    evaluate_all(store, book, ON)
    loop = Loop(book)
    assert len(open_cases(store, loop)) == 1
    assert open_cases(store, loop) == []  # a warning opens its case once
    with store.engine.connect() as conn:
        (case_id,) = conn.execute(sa.select(WarningRow.case_id)).one()
    case = get_case(store, int(case_id))
    assert (case.state, case.object_key, case.risk_rule) == (
        "warning",
        KEYS[2],
        "fake.abnormal_list",
    )
    assert case.region_code == "371502" and case.owner == "market"


def test_concurrent_runs_open_one_case_per_warning_and_grade_once(store, book):
    """Four processes evaluating the same new warnings at once: one warning, one case and one
    grade row each, and every run succeeds (the probe found 4× the cases, and tracebacks)."""
    from onething.store.loop import LoopCase

    load(store, book)
    ingest(
        store,
        book,
        facts(
            *(
                {"key": k, "fact": "abnormal_listed", "value": True, "observed_at": "2025-06-01"}
                for k in KEYS
            )
        ),
        label="t",
        on=ON,
    )
    from race_support import race, risk_evaluate

    assert race(risk_evaluate, store.url, store.connect_args, ON) == [0, 0, 0, 0]
    assert count(store, WarningRow) == count(store, LoopCase) == len(KEYS)
    assert count(store, GradeRow) == len(KEYS)


def test_the_same_observation_ingested_twice_is_stored_once(store, book):
    """Facts are idempotent on (key, fact, observed_at, source, value): a file ingested again,
    or a line repeated, must not make a count rule fire twice."""
    load(store, book)
    same = {
        "key": KEYS[0],
        "fact": "complaints",
        "value": 1,
        "observed_at": "2025-06-01T10:00:00+08:00",
    }
    first = ingest(store, book, facts(same, same), label="a", on=ON)
    assert (first.stored, first.duplicates) == (1, 1)
    again = ingest(
        store,
        book,
        facts(same, {**same, "value": 2}, {**same, "source": "12315"}),
        label="b",
        on=ON,
    )
    assert (again.stored, again.duplicates) == (2, 1)  # another value or source is news
    assert count(store, FactRow) == 3
