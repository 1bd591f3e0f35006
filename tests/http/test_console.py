"""The web console (/ui/) in a real headless Chromium (the distribution's, through Playwright),
against the real service on a loopback port (SQLite; the service's storage is tested on both
databases elsewhere): the development login, the inbox, a step taken on a case page, the
conflict when someone else acted first, and the joint checklist filled in offline, submitted on
reconnecting, its record and findings stored.

Screenshots at phone size go to ``$ONETHING_CONSOLE_SHOTS`` when it is set (docs/console/)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from http_support import client, serving

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

pytestmark = pytest.mark.parametrize("store", ["sqlite"], indirect=True)


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def console(dev_deployment):
    """The service (auth = "none") at a base URL, and an API client speaking as the reviewer."""
    from onething import Onething
    from onething.http import create_app, http_settings

    app = Onething.from_config(dev_deployment)
    api = create_app(app, http_settings(app.deployment), dispatch=False)
    with serving(api) as base, client(base) as c:
        yield base, c
    app.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", device_scale_factor=1)
    p = context.new_page()
    p.set_default_timeout(10_000)
    yield p
    context.close()


def shot(p, name: str) -> None:
    folder = os.environ.get("ONETHING_CONSOLE_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        p.screenshot(path=str(Path(folder) / f"{name}.png"))


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


def test_a_department_signs_in_sees_its_inbox_and_acts_on_a_case(console, page):
    base, api = console
    p = page
    login(p, base)
    row = p.locator("#inbox li.case-row")
    assert row.count() == 1
    text = row.inner_text()
    assert "测试商店" in text and "风险预警" in text and "研判" in text
    assert "开发登录" in p.locator("#who").inner_text()
    shot(p, "inbox")

    row.locator("a").click()
    p.wait_for_selector("#steps form[data-transition=assess]")
    assert "风险预警" in p.locator("#source").inner_text()
    assert p.locator("#diagram svg").count() == 1
    assert p.locator("#version").inner_text() == "1"
    p.click("form[data-transition=assess] button[type=submit]")
    p.wait_for_selector("form[data-transition=transfer_clue]")
    assert p.locator("#version").inner_text() == "2"
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
    shot(p, "case")
