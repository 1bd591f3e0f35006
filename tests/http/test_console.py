"""The web console (/ui/) in a real headless Chromium (the distribution's, through Playwright),
against the real service on a loopback port (SQLite; the service's storage is tested on both
databases elsewhere): the development login, the inbox, a step taken on a case page, the
conflict when someone else acted first, and the joint checklist filled in offline, submitted on
reconnecting, its record and findings stored.

Screenshots at phone size go to ``$ONETHING_CONSOLE_SHOTS`` when it is set (docs/console/)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from http_support import KEY, client, serving

from onething.registry.uscc import make_uscc

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}

playwright = pytest.importorskip("playwright.sync_api")
if not Path(CHROMIUM).exists():  # make setup installs it (Debian: chromium)
    pytest.skip(f"{CHROMIUM} is not installed", allow_module_level=True)

#: the service's storage is tested on both databases elsewhere; the console on SQLite
on_sqlite = pytest.mark.parametrize("store", ["sqlite"], indirect=True)


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


OTHER = make_uscc("9", "1", "371502", "MA3C0002")


@pytest.fixture
def console(dev_deployment, tmp_path, capsys):
    """The service (auth = "none") at a base URL, and an API client. Beside KEY's warning case,
    a complaint about a second shop received on 2026-11-02, long overdue."""
    from cli_support import run

    from onething import Onething
    from onething.http import create_app, http_settings

    other = {
        "uscc": OTHER,
        "name": "老街小吃店",
        "region_code": "371502",
        "domains": {"fake": {"object_types": ["shop"], "attributes": {}}},
    }
    event = {
        "id": "ev-1", "type": "complaint_received", "at": "2026-11-02T09:00:00+08:00",
        "domain": "fake", "object_key": OTHER, "region": "371502", "complaint_id": "TS-0001",
        "summary": "预付卡无法退款",
    }  # fmt: skip
    (tmp_path / "other.jsonl").write_text(json.dumps(other, ensure_ascii=False) + "\n", "utf-8")
    (tmp_path / "events.jsonl").write_text(json.dumps(event, ensure_ascii=False) + "\n", "utf-8")
    for args in (
        ("registry", "import", str(tmp_path / "other.jsonl")),
        ("registry", "map"),
        ("events", "ingest", str(tmp_path / "events.jsonl")),
    ):
        code, _out, err = run(capsys, *args, "--config", dev_deployment)
        assert code == 0, err
    app = Onething.from_config(dev_deployment)
    api = create_app(app, http_settings(app.deployment), dispatch=False)
    with serving(api) as base, client(base) as c:
        yield base, c
    app.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(
        viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai", device_scale_factor=1
    )
    p = context.new_page()
    p.set_default_timeout(10_000)
    yield p
    context.close()


def shot(p, name: str, **kw) -> None:
    folder = os.environ.get("ONETHING_CONSOLE_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        p.screenshot(path=str(Path(folder) / f"{name}.png"), **kw)


def dev(department="market", role="reviewer", region="371500") -> dict[str, str]:
    return {
        "X-Onething-Department": department,
        "X-Onething-Role": role,
        "X-Onething-Region": region,
        "X-Onething-Subject": "someone-else",
    }


def login(p, base, department="market", role="reviewer", region="371500"):
    p.goto(f"{base}/ui/")
    assert "/ui/login" in p.url, "the console asks who you are first"
    assert p.locator(".dev-warning").is_visible()  # clearly marked as a development login
    p.select_option("select[name=department]", department)
    p.select_option("select[name=role]", role)
    p.fill("input[name=region]", region)
    p.fill("input[name=subject]", "张三")
    p.click("#login button[type=submit]")
    p.wait_for_url(f"{base}/ui/inbox")


@on_sqlite
def test_a_department_signs_in_sees_its_inbox_and_acts_on_a_case(console, page):
    base, api = console
    p = page
    login(p, base)
    rows = p.locator("#inbox li.case-row")
    assert rows.count() == 2
    late = rows.nth(0)  # overdue first
    assert "老街小吃店" in late.inner_text() and "已逾期" in late.inner_text()
    assert "overdue" in late.get_attribute("class")
    row = rows.nth(1)
    text = row.inner_text()
    assert "测试商店" in text and "风险预警" in text and "研判" in text
    assert "已逾期" not in text
    who = p.locator("#who").inner_text()
    assert "开发登录" in who and "审核人员" in who and "reviewer" not in who  # the role by name
    shot(p, "inbox")

    row.locator("a").click()
    p.wait_for_selector("#steps form[data-transition=assess]")
    assert "风险预警" in p.locator("#source").inner_text()
    assert p.locator("#diagram svg").count() == 1
    assert p.locator("#version").inner_text() == "1"
    p.click("form[data-transition=assess] button[type=submit]")
    p.wait_for_selector("form[data-transition=transfer_clue]")
    assert p.locator("#version").inner_text() == "2"
    p.evaluate("window.scrollTo(0, 0)")
    shot(p, "case")
    case_id = int(p.url.rsplit("/", 1)[1])
    shown = api.get(f"/cases/{case_id}", headers=dev()).json()
    assert shown["state"] == "assessment"
    last = shown["history"][-1]
    assert last["data"]["transition"] == "assess" and last["actor"]["subject"] == "张三"

    # the evidence is checked in the browser first: nothing sent while it is invalid
    form = p.locator("form[data-transition=transfer_clue]")
    form.locator("button[type=submit]").click()
    assert "必填" in form.locator(".field-error").first.inner_text() or "必填" in form.inner_text()
    assert api.get(f"/cases/{case_id}", headers=dev()).json()["version"] == 2

    # someone else acts first: the page still holds version 2
    other = api.post(
        f"/cases/{case_id}/transitions/transfer_clue",
        headers={**dev(), "If-Match": '"2"'},
        json={"evidence": {"to_department": "fire"}},
    )
    assert other.status_code == 200, other.text
    form.locator("input[name=to_department]").fill("market")
    form.locator("button[type=submit]").click()
    message = p.locator("#step-message")
    message.wait_for(state="visible")
    assert "已被他人更改" in message.inner_text() and "重新加载" in message.inner_text()
    assert api.get(f"/cases/{case_id}", headers=dev()).json()["version"] == 3
    message.locator("button").click()  # reload: the page reads the case again
    p.wait_for_function("document.getElementById('version').textContent === '3'")
    assert "市消防救援支队" in p.locator("#summary").inner_text()  # the other actor's transfer
    timeline = p.locator("#timeline").inner_text()
    assert "someone-else" in timeline and "张三" in timeline


@on_sqlite
def test_a_refusal_shows_its_reason_and_english_is_one_switch_away(console, page):
    base, _api = console
    p = page
    login(p, base, role="inspector")  # an inspector may not assess a warning
    p.locator("#inbox li.case-row", has_text="测试商店").locator("a").click()
    p.wait_for_selector("form[data-transition=assess]", state="attached")
    p.click("header a.lang")
    p.wait_for_selector("text=Opened by")
    assert p.locator("h1").inner_text().startswith("Case #")
    assert "No step of this case is open to you now." in p.locator("#steps").inner_text()
    p.click("#steps details.others summary")  # the steps of others, tried anyway
    p.click("form[data-transition=assess] button[type=submit]")
    message = p.locator("#step-message")
    message.wait_for(state="visible")
    assert (
        message.inner_text().startswith("Refused: ") and "role 'inspector'" in message.inner_text()
    )
    p.goto(f"{base}/ui/inbox")
    assert p.locator("h1").inner_text().startswith("Inbox")  # the choice is kept


@on_sqlite
def test_the_joint_checklist_is_filled_in_offline_and_sent_when_back_online(console, page):
    base, api = console
    p = page
    login(p, base, role="inspector")
    p.goto(f"{base}/ui/checklist?object={KEY}&visit=v-1")
    p.wait_for_selector("[data-element='fake.e02'] input[type=number]")
    assert p.evaluate("Onething.offlineReady"), "the service worker keeps the page"
    limit = p.locator("[data-line='fake.e02']").inner_text()
    assert "≤" in limit and "营业面积" in limit  # each check point with its method and limit
    assert "虚构示例条例" in p.locator("[data-element='fake.e01'] .basis").inner_text()

    p.context.set_offline(True)
    # the evidence is checked against the element's schema in the browser: area >= 0
    p.locator("[data-element='fake.e01'] input[value=false]").check()
    p.locator("[data-element='fake.e02'] input[type=number]").fill("-3")
    p.click("#checklist button[type=submit]")
    assert "不能小于 0" in p.locator("[data-element='fake.e02'] .field-error").inner_text()
    assert p.evaluate("localStorage.getItem('onething.records.queue')") is None
    p.locator("[data-element='fake.e02'] input[type=number]").fill("12")
    p.click("#checklist button[type=submit]")
    assert "联网后自动提交" in p.locator("#message").inner_text()
    queued = p.evaluate("JSON.parse(localStorage.getItem('onething.records.queue'))")
    (entry,) = queued
    record_id = entry["id"]
    assert api.get(f"/records/{record_id}", headers=dev()).status_code == 404  # not sent yet
    p.evaluate("window.scrollTo(0, 0)")
    shot(p, "checklist")

    # a reload without network: the service worker serves the page, the draft is still there
    p.reload()
    p.wait_for_selector("[data-element='fake.e02'] input[type=number]")
    assert p.locator("[data-element='fake.e02'] input[type=number]").input_value() == "12"

    p.context.set_offline(False)
    p.wait_for_selector("#result:not([hidden])")
    findings = p.locator("#findings li.finding")
    assert findings.count() == 1 and "灭火器配置" in findings.inner_text()
    assert "较重" in findings.inner_text()  # its severity, in the page's language
    assert p.evaluate("JSON.parse(localStorage.getItem('onething.records.queue'))") == []
    shot(p, "checklist-findings")

    # the finding opened a case; its page shows the record it came from
    p.locator("#result-cases a").first.click()
    p.wait_for_selector(f"#records [data-record='{record_id}']")
    assert "fake.e01" in p.locator("#records li.finding").inner_text()
    assert "检查发现问题" in p.locator("#source").inner_text()

    stored = api.get(f"/records/{record_id}", headers=dev()).json()
    assert [f["element"] for f in stored["findings"]] == ["fake.e01"]
    assert [(i["name"], i["department"]) for i in stored["inspectors"]] == [("张三", "market")]


@pytest.fixture
def planned(dev_deployment, tmp_path, capsys):
    """A plan of 2026Q4 drawn over the deployment's inspector pools (synthesised)."""
    from cli_support import run

    pools, out = tmp_path / "pools.csv", tmp_path / "plan"
    for args in (
        ("inspectors", "synth", "--out", str(pools)),
        ("inspectors", "import", str(pools)),
        ("plan", "--cycle", "2026Q4", "--seed", "console-1", "--out", str(out)),
    ):
        code, _out, err = run(capsys, *args, "--config", dev_deployment)
        assert code == 0, err
    return json.loads((out / "plan.json").read_text("utf-8"))


@on_sqlite
def test_the_plan_lists_the_departments_visits_with_their_own_checklists(planned, console, page):
    base, _api = console
    p = page
    ours = [v for v in planned["visits"] if "market" in v["departments"]]
    assert ours and any("market" not in v["departments"] for v in planned["visits"])
    login(p, base, role="inspector")
    p.click("nav >> text=检查计划")
    p.wait_for_selector("#visits")
    rows = p.locator("#visits li.case-row")
    assert sorted(rows.evaluate_all("rs => rs.map(r => r.dataset.visit)")) == sorted(
        v["id"] for v in ours
    )  # not the fire department's unannounced visit
    assert "测试商店" in rows.first.inner_text() and "2026Q4" in p.locator("main").inner_text()
    shot(p, "plan")
    visit = next(v for v in ours if v["id"] == rows.first.get_attribute("data-visit"))
    rows.first.locator("a.action").click()
    p.wait_for_selector("#checklist section.line")
    lines = p.locator("#checklist section.line").evaluate_all("ls => ls.map(l => l.dataset.line)")
    codes = {e["canonical"] for e in _checklist(_api, visit)}
    assert set(lines) == codes and "fire_facilities" not in lines  # the visit's items only


def _checklist(api, visit) -> list[dict]:
    doc = api.get("/checklists", params={"items": ",".join(visit["items"])}, headers=dev())
    return doc.json()["checklist"]


def _sample(s: dict):
    """An instance of schema ``s`` with its required parts filled (a plausible valid one)."""
    if "const" in s:
        return s["const"]
    if "enum" in s:
        return s["enum"][0]
    kind = s.get("type")
    kind = kind[0] if isinstance(kind, list) else kind
    if kind == "object" or "properties" in s:
        required = set(s.get("required", ()))
        return {k: _sample(v) for k, v in s.get("properties", {}).items() if k in required}
    if kind == "array":
        item = s.get("items")
        return [_sample(item)] * s.get("minItems", 0) if isinstance(item, dict) else []
    if kind == "boolean":
        return True
    if kind in ("integer", "number"):
        return s.get("minimum", 0) + (1 if kind == "integer" else 0.5)
    if kind == "string":
        return {"date": "2026-06-01", "date-time": "2026-06-01T10:00:00+08:00"}.get(
            s.get("format"), "x" * max(1, s.get("minLength", 1))
        )
    return None


WRONG = [None, True, -1, 0.5, "", "x", "2026-02-30", "2026-06-01T10:00", "2026-06-01T10:00:00Z",
         "2026-06-01T24:00:00+08:00", [], [1, 1], {}]  # fmt: skip


def _variants(schema: dict) -> list:
    """The sample, every property filled, and each property missing or given a wrong value."""
    base = _sample(schema)
    out = [base, *WRONG]
    if isinstance(base, dict):
        props = schema.get("properties", {})
        full = {k: _sample(v) for k, v in props.items()}
        out += [full, {**full, "not_in_the_schema": 1}]
        for k, sub in props.items():
            out.append({n: v for n, v in full.items() if n != k})
            out += [{**full, k: w} for w in WRONG]
            if isinstance(_sample(sub), dict) or isinstance(_sample(sub), list):
                out += [{**full, k: v} for v in _variants(sub)]
    return out


def _rfc3339(value) -> bool:
    import datetime as dt
    import re

    if not isinstance(value, str):
        return True
    pattern = r"\d{4}-\d{2}-\d{2}T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)"
    if not re.fullmatch(pattern, value):
        return False
    try:
        dt.date.fromisoformat(value[:10])
    except ValueError:
        return False
    return True


def test_the_browsers_evidence_check_agrees_with_json_schema(browser):
    """Every evidence schema of the eight domains' elements and of the loop's steps, each with
    valid and invalid values: the console's check in the browser says what JSON Schema (the
    validator the service uses) says."""
    import datetime as dt
    from importlib import metadata

    import jsonschema

    from onething import Rulebook, enable
    from onething.checklist import list_elements
    from onething.loop import Loop

    names = sorted(e.name for e in metadata.entry_points(group="onething.domains"))
    book = Rulebook(enable(names))
    schemas = [e.evidence_schema for e in list_elements(book, dt.date(2026, 6, 1))]
    schemas += [t.spec.evidence_schema for t in Loop(book).transitions.values()]
    cases = [(s, v) for s in schemas if s for v in _variants(s)]
    assert len(schemas) > 300 and len(cases) > 3000
    checker = jsonschema.FormatChecker()
    # jsonschema checks date-time only with rfc3339-validator installed, which the service is
    # not: the schema's meaning (RFC 3339) is checked here as the browser checks it
    checker.checks("date-time")(_rfc3339)
    expected = [jsonschema.Draft202012Validator(s, format_checker=checker).is_valid(v) for s, v in cases]  # fmt: skip
    p = browser.new_page()
    p.set_content("<body data-lang='zh'></body>")
    p.add_script_tag(path=str(Path(__file__).parents[2] / "core/src/onething/console/static/console.js"))  # fmt: skip
    got = p.evaluate("cases => cases.map(([s, v]) => Onething.validate(s, v).length === 0)", cases)
    p.close()
    wrong = [(s, v, e) for (s, v), e, g in zip(cases, expected, got, strict=True) if e != g]
    assert not wrong, wrong[:5]
    assert any(expected) and not all(expected)
