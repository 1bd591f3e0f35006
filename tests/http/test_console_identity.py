"""The console's identity cookie, without a browser: under JWT the host's token in a cookie is
verified as the header's, under ``auth = "none"`` the development login's choice; a change made
on a cookie's identity needs ``X-Onething-Console: 1`` (a page of another site cannot send it);
the login refuses what an actor cannot be."""

from __future__ import annotations

import pytest
from http_support import REVIEWER, _case_id, auth, client, serving, token

pytestmark = pytest.mark.parametrize("store", ["sqlite"], indirect=True)


@pytest.fixture
def dev_service(dev_deployment):
    from onething import Onething
    from onething.http import create_app, http_settings

    app = Onething.from_config(dev_deployment)
    api = create_app(app, http_settings(app.deployment), dispatch=False)
    with serving(api) as base, client(base) as c:
        yield c
    app.close()


def test_under_jwt_the_token_in_a_cookie_is_verified_as_the_header_is(service):
    c = service
    case_id = _case_id(c)
    assert c.get("/ui/inbox", follow_redirects=False).status_code == 303  # to the login page
    bad = c.post("/ui/session", json={"token": token(key="another-key-of-another-host-platform")})
    assert bad.status_code == 401 and "onething_token" not in bad.cookies
    ok = c.post("/ui/session", json={"token": token(**REVIEWER)})
    assert ok.status_code == 200 and ok.cookies.get("onething_token")
    page = c.get("/ui/inbox")
    assert page.status_code == 200 and f'data-case="{case_id}"' in page.text
    assert "开发登录" not in page.text  # only under auth = "none"
    shown = c.get(f"/cases/{case_id}")
    assert shown.status_code == 200 and shown.json()["transitions"][0]["allowed"] is True

    # a change on the cookie alone (as a form of another site would send it) is refused
    forged = c.post(f"/cases/{case_id}/transitions/assess", headers={"If-Match": '"1"'})
    assert forged.status_code == 401 and "X-Onething-Console" in forged.json()["detail"]
    assert c.get(f"/cases/{case_id}", headers=auth()).json()["version"] == 1
    done = c.post(
        f"/cases/{case_id}/transitions/assess",
        headers={"If-Match": '"1"', "X-Onething-Console": "1"},
    )
    assert done.status_code == 200, done.text
    assert done.json()["history"][-1]["actor"]["subject"] == "u-reviewer"

    c.post("/ui/logout")
    assert c.get("/ui/inbox", follow_redirects=False).status_code == 303


def test_the_development_login_sets_the_identity_the_service_takes(dev_service):
    c = dev_service
    refused = c.post("/ui/session", json={"department": "nosuch", "role": "reviewer", "region": "371500"})  # fmt: skip
    assert refused.status_code == 422 and refused.json()["path"] == "department"
    outside = c.post("/ui/session", json={"department": "market", "role": "reviewer", "region": "110000"})  # fmt: skip
    assert outside.status_code == 422 and outside.json()["path"] == "region"
    role = c.post("/ui/session", json={"department": "market", "role": "boss", "region": "371500"})
    assert role.status_code == 422 and role.json()["path"] == "role"
    assert not c.cookies

    ok = c.post("/ui/session", json={"department": "market", "role": "reviewer", "region": "371500", "subject": "李四"})  # fmt: skip
    assert ok.status_code == 200
    page = c.get("/ui/inbox")
    assert "开发登录" in page.text and "市市场监督管理局" in page.text
    inbox = c.get("/inbox").json()  # the API takes the cookie too
    (entry,) = inbox
    assert entry["object_name"] == "测试商店" and "assess" in entry["transitions"]
    case_id = entry["id"]
    forged = c.post(f"/cases/{case_id}/transitions/assess", headers={"If-Match": '"1"'})
    assert forged.status_code == 401
    done = c.post(
        f"/cases/{case_id}/transitions/assess",
        headers={"If-Match": '"1"', "X-Onething-Console": "1"},
    )
    assert done.status_code == 200 and done.json()["history"][-1]["actor"]["subject"] == "李四"
    # headers still win over the cookie (scripts and hosts under auth = "none")
    other = c.get(
        f"/cases/{case_id}",
        headers={"X-Onething-Department": "fire", "X-Onething-Role": "reviewer",
                 "X-Onething-Region": "371500"},
    )  # fmt: skip
    assert all(not t["allowed"] for t in other.json()["transitions"])


def test_the_language_switch_is_kept_for_later_pages_and_api_answers(dev_service):
    c = dev_service
    c.post("/ui/session", json={"department": "market", "role": "reviewer", "region": "371500"})
    assert "待办" in c.get("/ui/inbox").text
    en = c.get("/ui/inbox", params={"lang": "en"})
    assert "Inbox" in en.text and en.cookies.get("onething_lang") == "en"
    assert "Inbox" in c.get("/ui/inbox").text  # kept
    missing = c.get("/cases/999")
    assert missing.status_code == 404 and missing.json()["title"] == "Not found"
    assert "待办" in c.get("/ui/inbox", params={"lang": "zh"}).text
