"""Cases an operator can see, through the CLI on SQLite and PostgreSQL: facts → warning → the
case id printed → ``loop list`` → ``loop show`` names the next actor → ``loop act`` with the
shown version → the history grows; filters, the inbox, ``--lang en``, JSON and CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import sys
from pathlib import Path

import pytest
from cli_support import run
from fake_support import fake_deployment
from hypothesis import given
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).parent))
from loop_support import REGION, T0

from onething import case, case_history, inbox, list_cases
from onething.cli.cases_cmd import case_ids
from onething.loop import Actor, CaseSource, Loop, open_case, transition
from onething.registry.uscc import make_uscc
from onething.rulebook import Rulebook

KEY = make_uscc("9", "1", "371502", "MA3C0001")


@pytest.fixture
def cfg(store, tmp_path, monkeypatch):
    """A deployment of the fake domain on the test's store, with one object and a fact that
    fires ``fake.abnormal_list``."""
    return fake_deployment(store, tmp_path, monkeypatch, KEY, REGION)


def _cli(capsys, *args, ok=True):
    code, out, err = run(capsys, *args)
    if ok:
        assert code == 0, err
    return code, out, err


def _warned(capsys, cfg) -> int:
    """Import the object and its fact, evaluate: the id of the case opened."""
    path, objects, facts = cfg
    _cli(capsys, "registry", "import", str(objects), "--config", path)
    _cli(capsys, "facts", "ingest", str(facts), "--config", path)
    _, out, _ = _cli(capsys, "risk", "evaluate", "--config", path, "--at", "2026-06-30")
    (case_id,) = re.findall(r"开立闭环事项 1 件 \((\d+)\)", out)
    (listed,) = _json(capsys, "loop", "list", "--config", path, "--object", KEY, "--format", "json")
    assert listed["id"] == int(case_id)
    return int(case_id)


def _json(capsys, *args):
    return json.loads(_cli(capsys, *args)[1])


def test_a_warning_walks_from_facts_to_a_moved_case_from_the_cli_alone(cfg, capsys):
    path = cfg[0]
    case_id = _warned(capsys, cfg)
    listed = _json(capsys, "loop", "list", "--config", path, "--format", "json")
    assert [c["id"] for c in listed] == [case_id]
    c = listed[0]
    assert (c["state"], c["state_label"], c["version"]) == ("warning", "风险预警", 1)
    assert (c["owner"], c["lead"], c["object"], c["object_name"]) == (
        "market",
        "market",
        KEY,
        "测试商店",
    )
    assert c["source"] == {
        "kind": "warning",
        "ref": c["source"]["ref"],
        "risk_rule": "fake.abnormal_list",
    }
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", c["due"]), "a limit in working days: to the day"
    assert c["due_at"].endswith("+08:00")

    shown = _json(capsys, "loop", "show", str(case_id), "--config", path, "--format", "json")
    assess = next(t for t in shown["transitions"] if t["transition"] == "assess")
    assert assess["departments"] == ["market"] and "reviewer" in assess["roles"]
    assert assess["allowed"] is None
    as_fire = _json(
        capsys, "loop", "show", str(case_id), "--config", path, "--format", "json",
        "--as", "fire/reviewer/371500",
    )  # fmt: skip
    assert [t["allowed"] for t in as_fire["transitions"]] == [False]
    assert "消防" in as_fire["transitions"][0]["refusal"]
    _, text, _ = _cli(
        capsys, "loop", "show", str(case_id), "--config", path, "--as", "market/reviewer/371500"
    )
    assert "assess" in text and "✓" in text and "风险预警" in text

    _cli(
        capsys, "loop", "act", str(case_id), "assess", "--config", path, "--department", "market",
        "--role", "reviewer", "--region", "371500", "--version", str(shown["version"]),
    )  # fmt: skip
    _, out, _ = _cli(
        capsys, "loop", "act", str(case_id), "transfer_clue", "--config", path,
        "--department", "market", "--role", "reviewer", "--region", "371500", "--version", "2",
        "--evidence", '{"to_department": "fire"}',
    )  # fmt: skip
    assert re.fullmatch(r"事项 \d+：线索移交，版本 3，时限 \d{4}-\d\d-\d\d\n", out)
    after = _json(capsys, "loop", "show", str(case_id), "--config", path, "--format", "json")
    assert after["version"] == 3 and after["owner"] == "fire"
    assert [h["action"] for h in after["history"]] == ["open", "transition", "transition"]
    assert [h["data"].get("transition") for h in after["history"][1:]] == [
        "assess",
        "transfer_clue",
    ]


def test_events_ingest_prints_the_cases_it_opened_and_a_missing_deadline_shows_as_none(
    cfg, capsys, tmp_path
):
    path = cfg[0]
    events = tmp_path / "events.jsonl"
    event = {
        "id": "e1", "type": "penalty_decided", "at": "2026-11-20T10:00:00+08:00", "domain": "fake",
        "object_key": KEY, "region": REGION, "decision_no": "聊市监罚〔2026〕1号", "severity": "severe",
    }  # fmt: skip
    events.write_text(json.dumps(event, ensure_ascii=False) + "\n", "utf-8")
    _cli(capsys, "registry", "import", str(cfg[1]), "--config", path)
    _, out, _ = _cli(capsys, "events", "ingest", str(events), "--config", path)
    case_id = int(re.search(r"开启事项 1 \((\d+)\)", out).group(1))
    _, text, _ = _cli(capsys, "loop", "show", str(case_id), "--config", path)
    assert "时限：无时限" in text and "None" not in text and "失信联合惩戒" in text
    (listed,) = _json(capsys, "--lang", "en", "loop", "list", "--config", path, "--format", "json")
    assert (listed["due"], listed["due_at"], listed["state_label"]) == (
        "no deadline",
        None,
        "Joint sanction",
    )


def test_filters_inbox_english_and_csv(cfg, capsys):
    path = cfg[0]
    case_id = _warned(capsys, cfg)

    def ids(*args):
        return [
            c["id"]
            for c in _json(capsys, "loop", "list", "--config", path, "--format", "json", *args)
        ]

    assert ids("--state", "warning") == [case_id]
    assert ids("--state", "assessment") == []
    assert ids("--owner", "market") == ids("--department", "market") == [case_id]
    assert ids("--owner", "fire") == ids("--department", "fire") == []
    assert ids("--domain", "fake") == ids("--object", KEY) == [case_id]
    assert ids("--object", "nobody") == [] and ids("--overdue") == []
    code, _, err = _cli(capsys, "loop", "list", "--config", path, "--state", "nowhere", ok=False)
    assert code == 1 and "--state" in err and "assessment" in err and "Traceback" not in err

    box = _json(
        capsys, "loop", "inbox", "--config", path, "--department", "market", "--region", "371500",
        "--format", "json",
    )  # fmt: skip
    assert [(b["id"], b["transitions"]) for b in box] == [(case_id, ["assess"])]
    for other in (("fire", "371500"), ("market", "371521")):  # not theirs; another county
        box = _json(
            capsys, "loop", "inbox", "--config", path, "--department", other[0],
            "--region", other[1], "--format", "json",
        )  # fmt: skip
        assert box == []

    _, text, _ = _cli(capsys, "--lang", "en", "loop", "show", str(case_id), "--config", path)
    assert "state: Warning raised (warning)" in text and "Next steps" in text
    labels = [line for line in text.splitlines() if not line.startswith(("object:", "facts:"))]
    assert not re.search(r"[\u4e00-\u9fff]", "".join(labels)), "labels and headers in English"
    _, out, _ = _cli(capsys, "loop", "list", "--config", path, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["id"], r["state"], r["risk_rule"]) for r in rows] == [
        (str(case_id), "warning", "fake.abnormal_list")
    ]
    _, out, _ = _cli(capsys, "loop", "list", "--config", path, "--format", "csv", "--overdue")
    assert out.splitlines()[0].startswith("id,version,state")


def test_inbox_puts_overdue_first_then_the_soonest_deadline_then_none(store, fake_domains):
    loop = Loop(Rulebook(fake_domains))
    reviewer = Actor("market", "reviewer", "371500")

    def opened(key: str, at: dt.datetime) -> int:
        src = CaseSource(kind="warning", domain="fake", object_key=key, risk_rule="fake.r1")
        return open_case(store, loop, src, region=REGION, at=at).id

    none = open_case(  # an inspection finding: handling has no time limit
        store, loop, CaseSource(kind="finding", domain="fake", object_key="K-none"), region=REGION
    ).id
    later = opened("K-later", T0 + dt.timedelta(days=20))
    late = opened("K-late", T0)
    transition(store, loop, late, "assess", reviewer, version=1, at=T0)
    now = T0 + dt.timedelta(days=25)  # 15 working days after T0 have passed
    entries = list(inbox(store, loop, "market", "371500", at=now))
    assert [e.case.id for e in entries] == [late, later, none]
    assert [e.case.overdue for e in entries] == [True, False, False]
    assert entries[2].case.due.at is None and entries[2].case.due.text("无时限") == "无时限"
    assert [c.id for c in list_cases(store, loop, overdue=True, at=now)] == [late]
    view = case(store, loop, late, actor=reviewer)
    assert view.summary.version == 2 and view.summary.state == "assessment"
    assert {t.code: t.allowed for t in view.transitions} == {"dismiss": True, "transfer_clue": True}
    assert [h.action for h in case_history(store, late)] == ["open", "transition"]


def test_an_order_deadline_is_the_end_of_that_day_in_shanghai(store, fake_domains):
    loop = Loop(Rulebook(fake_domains))
    c = open_case(
        store, loop, CaseSource(kind="finding", domain="fake", object_key="K"), region=REGION, at=T0
    )
    leader = Actor("market", "leader", "371500")
    t = next(
        t for t in loop.outgoing("handling", "fake") if "deadline" in str(t.spec.evidence_schema)
    )
    from loop_support import evidence_for

    ev = {**evidence_for(t.spec.evidence_schema), "deadline": "2026-12-31"}
    moved = transition(store, loop, c.id, t.code, leader, version=1, evidence=ev, at=T0)
    due = case(store, loop, moved.id).summary.due
    assert due.text("") == "2026-12-31"
    assert due.local == dt.datetime(2026, 12, 31, 23, 59, 59, tzinfo=due.local.tzinfo)


@given(st.sets(st.integers(1, 60)))
def test_case_ids_as_runs_name_every_id_once(ids):
    text = case_ids(ids)
    back: list[int] = []
    for part in filter(None, text.split(", ")):
        a, _, b = part.partition("–")
        back += range(int(a), int(b or a) + 1)
    assert back == sorted(ids)


@pytest.mark.parametrize(
    ("actor", "message"),
    [
        (("nosuch", "reviewer", "371500"), "actor: department: 未知的部门 'nosuch'"),
        (("market", "reviewer", "370100"), "actor: region: 行政区划 370100 不在本部署的区域"),
        (("market", "reviewer", "37150"), "actor: region: '37150' 不是 6 位"),
    ],
)
def test_an_identity_that_cannot_exist_is_refused_and_nothing_is_written(
    cfg, capsys, actor, message
):
    """The host authenticates; the library refuses a department not on the list or a region
    outside the deployment before judging the step (no audit entry, the case unchanged)."""
    path = cfg[0]
    case_id = _warned(capsys, cfg)
    department, role, region = actor
    code, _, err = _cli(
        capsys, "loop", "act", str(case_id), "assess", "--config", path, "--department", department,
        "--role", role, "--region", region, "--version", "1", ok=False,
    )  # fmt: skip
    assert code == 1 and message in err and "Traceback" not in err
    (after,) = _json(capsys, "loop", "list", "--config", path, "--format", "json")
    assert after["version"] == 1
    code, _, err = _cli(
        capsys, "loop", "show", str(case_id), "--config", path, "--as", "/".join(actor), ok=False
    )
    assert code == 1 and message in err


def test_audit_verify_prints_the_head_and_checks_an_anchor(cfg, capsys):
    path = cfg[0]
    _warned(capsys, cfg)
    _, out, _ = _cli(capsys, "audit", "verify", "--config", path)
    (anchor,) = re.findall(r"链头 (\d+:[0-9a-f]{64})", out)
    checkpoint = _json(capsys, "audit", "head", "--config", path)
    assert checkpoint["anchor"] == anchor and checkpoint["checked_at"].endswith("+00:00")
    kept = Path(path).parent / "anchor.json"
    _cli(capsys, "audit", "head", "--config", path, "--out", str(kept))
    assert json.loads(kept.read_text("utf-8"))["anchor"] == anchor
    code, _, err = _cli(capsys, "audit", "head", "--config", path, "--out", str(kept), ok=False)
    assert code == 1 and "--force" in err
    _cli(capsys, "audit", "verify", "--config", path, "--expect", anchor)
    seq = int(anchor.split(":")[0])
    code, _, err = _cli(
        capsys, "audit", "verify", "--config", path, "--expect", f"{seq + 5}:{'0' * 64}", ok=False
    )
    assert code == 1 and f"the anchor names entry {seq + 5}" in err
    code, _, err = _cli(capsys, "audit", "verify", "--config", path, "--expect", "abc", ok=False)
    assert code == 1 and "expected SEQ:HASH" in err and "Traceback" not in err


def test_report_and_diagram_write_over_no_file_unless_forced(cfg, tmp_path, capsys):
    _warned(capsys, cfg)  # a case, so the report has rows
    c = ["--config", cfg[0]]
    out = tmp_path / "rep"
    assert run(capsys, "loop", "report", *c, "--out", str(out))[0] == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert {"precision.csv", "stage_times.png", "precision.svg"} <= set(before)
    code, _, err = run(capsys, "loop", "report", *c, "--out", str(out))
    assert code == 1 and "已存在" in err and "--force" in err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # no temporary left over
    assert run(capsys, "loop", "report", *c, "--out", str(out), "--force")[0] == 0

    mine = tmp_path / "loop.mmd"
    mine.write_text("mine", "utf-8")
    for fmt in ("mermaid", "png"):
        code, _, err = run(capsys, "loop", "diagram", *c, "--format", fmt, "-o", str(mine))
        assert code == 1 and "已存在" in err
        assert mine.read_text("utf-8") == "mine"
    assert (
        run(capsys, "loop", "diagram", *c, "--format", "mermaid", "-o", str(mine), "--force")[0]
        == 0
    )
    assert mine.read_text("utf-8").startswith(("stateDiagram", "flowchart", "%%"))
    png = tmp_path / "loop.png"
    assert run(capsys, "loop", "diagram", *c, "--format", "png", "-o", str(png))[0] == 0
    assert png.read_bytes().startswith(b"\x89PNG")


def test_the_operators_closed_loop_walks_from_facts_to_a_closed_case(cfg, capsys, tmp_path):
    """Issue 19's "Done when", from the CLI alone: facts → warning → case id printed →
    ``loop list`` shows it → ``loop show`` names the next actor → a joint inspection recorded
    with a failing element → finding → rectification → the next cycle's plan holds the
    re-inspection task (and ``plan verify`` recomputes it) → a passing re-inspection record →
    the case closed. On SQLite and PostgreSQL."""
    path = cfg[0]
    case_id = _warned(capsys, cfg)  # facts → warning → id printed → loop list shows it
    shown = _json(capsys, "loop", "show", str(case_id), "--config", path, "--format", "json")
    (nxt,) = [t for t in shown["transitions"] if t["transition"] == "assess"]
    assert nxt["departments"] == ["market"]  # the next actor

    def act(code, role, evidence=None):
        now = _json(capsys, "loop", "show", str(case_id), "--config", path, "--format", "json")
        args = [
            "loop",
            "act",
            str(case_id),
            code,
            "--config",
            path,
            "--department",
            "market",
            "--role",
            role,
            "--region",
            "371500",
            "--version",
            str(now["version"]),
        ]
        if evidence is not None:
            args += ["--evidence", json.dumps(evidence, ensure_ascii=False)]
        return _cli(capsys, *args)[1]

    act("assess", "reviewer")
    act("transfer_clue", "reviewer", {"to_department": "market"})
    act("accept_clue", "inspector")

    today = dt.datetime.now(dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=8))).date()

    def visit(rid: str, area: float) -> Path:
        f = tmp_path / f"{rid}.json"
        f.write_text(json.dumps({
            "id": rid, "object": KEY, "items": ["fake.001", "fake.002"],
            "visited_at": f"{today.isoformat()}T09:30:00+08:00",
            "inspectors": [{"name": "张三", "department": "market", "id": "M-01"}],
            "entries": [{"element": "fake.e01", "evidence": True},
                        {"element": "fake.e02", "evidence": area}],
        }, ensure_ascii=False), "utf-8")  # fmt: skip
        return f

    # a joint inspection with a failing element (30 m² over the kiosk limit of 20 m²)
    _, out, _ = _cli(capsys, "record", "add", str(visit("v1", 30)), "--config", path,
                     "--case", str(case_id))  # fmt: skip
    assert "不合格 1 项" in out and f"关联闭环事项：{case_id}" in out
    act("inspect_jointly", "inspector", {"record": "v1"})
    deadline = today + dt.timedelta(days=10)
    act(
        "order_rectification",
        "inspector",
        {"order_no": "聊市监责改〔2026〕1号", "deadline": deadline.isoformat(), "record": "v1"},
    )
    (listed,) = _json(capsys, "loop", "list", "--config", path, "--state", "rectification",
                      "--format", "json")  # fmt: skip
    assert listed["id"] == case_id and listed["due"] == deadline.isoformat()

    cycle = f"{deadline.year}Q{(deadline.month - 1) // 3 + 1}"
    _cli(capsys, "plan", "--config", path, "--cycle", cycle, "--seed", "walk",
         "--out", str(tmp_path / "plan"))  # fmt: skip
    doc = json.loads((tmp_path / "plan" / "plan.json").read_text("utf-8"))
    (task,) = [t for t in doc["tasks"] if t["kind"] == "reinspection"]
    assert task["id"] == f"N:reinspection:case-{case_id}-fake.001" and task["key"] == KEY
    assert task["due"] == deadline.isoformat()
    assert any(task["id"] in v["tasks"] for v in doc["visits"] + doc.get("unplaced", []))
    _cli(capsys, "plan", "verify", str(tmp_path / "plan" / "plan.json"), "--config", path)

    act("reinspect", "inspector")
    _, out, _ = _cli(capsys, "record", "add", str(visit("v2", 18)), "--config", path,
                     "--case", str(case_id))  # fmt: skip
    assert "不合格 0 项" in out
    act("confirm_rectified", "inspector", {"record": "v2"})
    act("close", "reviewer", {"summary": "复查合格，办结"})
    done = _json(capsys, "loop", "show", str(case_id), "--config", path, "--format", "json")
    assert done["state"] == "closed"
    assert "record_attached" in [h["action"] for h in done["history"]]


@pytest.mark.parametrize(
    ("option", "text"),
    [("--facts", "[1, 2]"), ("--facts", '"minor"'), ("--evidence", "{not json"), ("--facts", "1")],
)
def test_evidence_or_facts_that_are_not_a_json_object_are_a_located_error(
    cfg, capsys, option, text
):
    """#16.7: ``loop act --facts '[1,2]'`` printed a traceback; now exit 1 naming the option,
    and the case is unchanged."""
    path = cfg[0]
    case_id = _warned(capsys, cfg)
    code, _, err = _cli(
        capsys, "loop", "act", str(case_id), "assess", "--config", path, "--department", "market",
        "--role", "reviewer", "--region", "371500", "--version", "1", option, text, ok=False,
    )  # fmt: skip
    assert code == 1 and "Traceback" not in err
    assert err.startswith("错误: ") and f"{option.lstrip('-')}:" in err
    (after,) = _json(capsys, "loop", "list", "--config", path, "--format", "json")
    assert after["version"] == 1


def test_a_deadline_past_the_calendars_last_year_is_marked_provisional(store, fake_domains):
    """15 working days from 20 December 2026 end in 2027, whose holidays the package does not
    know: the deadline is counted Monday to Friday and every output says so; a deployment that
    adds 2027 gets an exact deadline."""
    from onething.workdays import Calendar, CalendarYear

    loop = Loop(Rulebook(fake_domains))
    at = dt.datetime(2026, 12, 20, 2, 0, tzinfo=dt.UTC)
    src = CaseSource(kind="warning", domain="fake", object_key="K-cal", risk_rule="fake.r1")
    case_id = open_case(store, loop, src, region=REGION, at=at).id
    (c,) = [c for c in list_cases(store, loop, at=at) if c.id == case_id]
    assert c.due.provisional and c.due.precision == "working_day"
    assert c.due.text("") == "2027-01-08（暂定：节假日安排未知，按周一至周五计）"
    assert case(store, loop, case_id).summary.due.provisional

    loop.calendar = Calendar(
        [CalendarYear(2027, {dt.date(2027, 1, 1)}, set(), "测试：假设的 2027 年元旦")]
    )
    src = CaseSource(kind="warning", domain="fake", object_key="K-cal2", risk_rule="fake.r1")
    exact = open_case(store, loop, src, region=REGION, at=at).id
    (c,) = [c for c in list_cases(store, loop, at=at) if c.id == exact]
    assert not c.due.provisional and c.due.text("") == "2027-01-11"  # 1 January off
    (old,) = [c for c in list_cases(store, loop, at=at) if c.id == case_id]
    assert old.due.provisional, "the mark is stored with the deadline it qualifies"
