"""The closed loop over HTTP, against the real service on a loopback port (SQLite and
PostgreSQL): the walk from a risk warning to a closed case with tokens the host platform
signs, a stale If-Match answered 409, a refusal answered 403 with its reason and logged with
the token's subject, unsigned calls refused, and problem details in Chinese or English."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa
from http_support import (
    INSPECTOR,
    KEY,
    LEADER,
    REVIEWER,
    _act,
    _case_id,
    _valid,
    auth,
    client,
    serving,
    token,
    write_config,
)

from onething.store.loop import LoopAudit


def _record(rid: str, extinguishers: bool = True, area: float = 10) -> dict:
    return {
        "id": rid,
        "object": KEY,
        "items": ["fake.001", "fake.002"],
        "visited_at": "2026-12-01T10:00:00+08:00",
        "inspectors": [{"name": "张三", "department": "market", "id": "M-01"}],
        "entries": [
            {"element": "fake.e01", "evidence": extinguishers},
            {"element": "fake.e02", "evidence": area},
        ],
    }


def test_the_loop_walks_from_a_warning_to_a_closed_case_over_http(service):
    c = service
    case_id = _case_id(c)
    shown = c.get(f"/cases/{case_id}", headers=auth(**REVIEWER))
    assert shown.status_code == 200 and shown.headers["ETag"] == '"1"'
    body = _valid(shown.json(), "case")
    assert (body["state"], body["state_label"]) == ("warning", "风险预警")
    assert [(t["transition"], t["allowed"]) for t in body["transitions"]] == [("assess", True)]

    steps = [
        ("assess", REVIEWER, {}),
        ("transfer_clue", REVIEWER, {"evidence": {"to_department": "market"}}),
        ("accept_clue", INSPECTOR, {}),
        ("order_rectification_on_handling", INSPECTOR, {"evidence": {"order_no": "聊市监责改〔2026〕1号"}}),
        ("reinspect", INSPECTOR, {}),
    ]  # fmt: skip
    for code, who, data in steps:
        r = _act(c, case_id, code, who, data)
        assert r.status_code == 200, r.text
    # the re-inspection's record, stored over HTTP: no findings
    added = c.post("/records", json=_record("rec-http-2"), headers=auth(**INSPECTOR))
    assert added.status_code == 201, added.text
    assert added.headers["Location"] == "/records/rec-http-2"
    _valid(added.json(), "record-added")
    r = _act(
        c, case_id, "confirm_rectified", INSPECTOR,
        {"evidence": {"record": "rec-http-2"}, "facts": {"rectified": True}},
    )  # fmt: skip
    assert r.status_code == 200, r.text
    r = _act(c, case_id, "close", LEADER, {"evidence": {"summary": "整改到位"}})
    assert r.status_code == 200, r.text
    closed = _valid(r.json(), "case")
    assert closed["state"] == "closed" and closed["closed_at"] is not None
    assert r.headers["ETag"] == f'"{closed["version"]}"' == '"8"'
    moves = [h for h in closed["history"] if h["action"] == "transition"]
    assert [h["data"]["transition"] for h in moves] == [s[0] for s in steps] + [
        "confirm_rectified",
        "close",
    ]
    # the audit log names who acted, as the token said
    assert [h["actor"]["subject"] for h in moves][-2:] == ["u-inspector", "u-leader"]
    assert c.get("/audit/verify", headers=auth()).json()["ok"] is True


def test_a_stale_if_match_is_409_and_writes_nothing(service, store):
    c = service
    case_id = _case_id(c)
    assert _act(c, case_id, "assess", REVIEWER, version=1).status_code == 200
    with store.session() as s:
        before = s.execute(sa.select(sa.func.count()).select_from(LoopAudit)).scalar_one()
    r = _act(c, case_id, "transfer_clue", REVIEWER, {"evidence": {"to_department": "fire"}}, 1)
    assert r.status_code == 409
    assert r.headers["Content-Type"] == "application/problem+json"
    p = _valid(r.json(), "problem")
    assert p["title"] == "版本冲突" and "已是第 2 版，不是第 1 版" in p["detail"]
    assert p["message"].startswith("错误: ")
    with store.session() as s:
        after = s.execute(sa.select(sa.func.count()).select_from(LoopAudit)).scalar_one()
    assert after == before, "a conflict is not logged"
    missing = c.post(f"/cases/{case_id}/transitions/transfer_clue", headers=auth(**REVIEWER))
    assert missing.status_code == 428 and "If-Match" in missing.json()["detail"]


def test_a_refusal_is_403_with_its_reason_and_its_audit_entry_names_the_subject(service, store):
    c = service
    case_id = _case_id(c)
    fire = {"dept": "fire", "role": "reviewer", "sub": "u-fire-7"}
    r = _act(c, case_id, "assess", fire, version=1)
    assert r.status_code == 403
    p = _valid(r.json(), "problem")
    assert p["reason"] == "permission" and "省消防救援总队无权执行" in p["detail"]
    wrong = _act(c, case_id, "close", REVIEWER, {"evidence": {"summary": "x"}}, 1)
    assert wrong.status_code == 403 and wrong.json()["reason"] == "illegal"
    with store.session() as s:
        bodies = s.execute(
            sa.select(LoopAudit.body).where(LoopAudit.action == "refused").order_by(LoopAudit.seq)
        ).scalars()
        refused = [json.loads(b) for b in bodies]
    assert [(e["actor"]["subject"], e["data"]["reason"]) for e in refused] == [
        ("u-fire-7", "permission"),
        ("u-reviewer", "illegal"),
    ]
    history = c.get(f"/cases/{case_id}", headers=auth()).json()["history"]
    assert [h["action"] for h in history] == ["open", "refused", "refused"]


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer not-a-token"},
        {"Authorization": "Bearer " + token(key="another-secret-someone-guessed-at")},
        {"Authorization": "Bearer " + token(exp=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))},
        {"Authorization": "Bearer " + token(iss="someone-else")},
    ],
    ids=["none", "basic", "garbage", "wrong-key", "expired", "wrong-issuer"],
)
def test_an_unsigned_or_badly_signed_call_is_refused_401(service, headers):
    r = service.get("/cases", headers=headers)
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"].startswith("Bearer")
    assert _valid(r.json(), "problem")["title"] == "未认证"
    assert r.headers["X-Onething-Auth"] == "jwt"
    post = service.post("/cases/1/transitions/assess", headers={**headers, "If-Match": '"1"'})
    assert post.status_code == 401


def test_an_unsigned_token_with_alg_none_is_refused(service):
    import jwt

    forged = jwt.encode(
        {"sub": "x", "dept": "market", "role": "leader", "region": "371500", "iss": "host-platform",
         "exp": dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)},
        key=None, algorithm="none",
    )  # fmt: skip
    assert service.get("/cases", headers={"Authorization": f"Bearer {forged}"}).status_code == 401


def test_problems_are_chinese_by_default_and_english_on_request(service):
    c = service
    zh = c.get("/cases/999", headers=auth()).json()
    assert (zh["status"], zh["title"], zh["location"], zh["path"]) == (404, "不存在", "case", "999")
    assert zh["message"] == "错误: case: 999: 没有该事项"
    en = c.get("/cases/999", headers={**auth(), "Accept-Language": "en-GB,en;q=0.9,zh;q=0.5"})
    assert (
        en.json()["title"] == "Not found"
        and en.json()["message"] == "error: case: 999: no such case"
    )
    assert c.get("/cases/999?lang=en", headers=auth()).json()["title"] == "Not found"
    # a located error: the filter named, what it may be
    bad = c.get("/cases", params={"state": "nowhere"}, headers=auth()).json()
    assert (bad["status"], bad["location"]) == (422, "--state") and "assessment" in bad["detail"]
    labels = c.get("/cases", params={"lang": "en"}, headers=auth()).json()["cases"]
    assert labels[0]["state_label"] == "Warning raised"


def test_checklists_records_and_rulebook_answer_the_cli_documents(service, capsys, deployment):
    from cli_support import run

    c = service
    got = c.get("/checklists", params={"object": KEY, "at": "2026-12-01"}, headers=auth())
    _valid(got.json(), "checklist")
    code, out, _ = run(
        capsys, "checklist", "--object", KEY, "--at", "2026-12-01", "--format", "json",
        "--config", deployment,
    )  # fmt: skip
    assert code == 0 and got.json() == json.loads(out)
    page = c.get("/checklists", params={"items": "fake.001", "format": "html"}, headers=auth())
    assert page.headers["Content-Type"].startswith("text/html") and "<html" in page.text
    neither = c.get("/checklists", headers=auth())
    assert neither.status_code == 422
    # a failing visit opens a case; the fire department's view has its element only
    added = c.post("/records", json=_record("rec-http-1", extinguishers=False), headers=auth())
    assert added.status_code == 201 and len(added.json()["opened"]) == 1
    view = c.get("/records/rec-http-1", params={"department": "fire"}, headers=auth()).json()
    assert [e["element"] for e in _valid(view, "record-view")["entries"]] == ["fake.e01"]
    bad = _record("rec-http-3")
    bad["entries"][1]["evidence"] = "lots"
    r = c.post("/records", json=bad, headers=auth())
    assert r.status_code == 422 and r.json()["location"] == "request body"
    assert c.get("/records/rec-http-3", headers=auth()).status_code == 404
    params = c.get("/rulebook/parameters", params={"domain": "fake"}, headers=auth()).json()
    for p in params:
        _valid(p, "parameter")
    assert {p["name"] for p in params} >= {"max_kiosk_area"}


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)
def test_auth_none_says_so_on_every_response_and_takes_identity_from_headers(
    faked, store, tmp_path
):
    from onething import Onething
    from onething.http import create_app, http_settings

    app = Onething.from_config(write_config(tmp_path, store, '[http]\nauth = "none"\n'))
    with serving(create_app(app, http_settings(app.deployment))) as base, client(base) as c:
        for r in (c.get("/health"), c.get("/cases"), c.get("/cases/5")):
            assert r.headers["X-Onething-Auth"] == "none"
        assert c.get("/cases").status_code == 200
        no_actor = c.post("/cases/1/transitions/assess", headers={"If-Match": '"1"'})
        assert no_actor.status_code == 401 and "X-Onething-" in no_actor.json()["detail"]
    app.close()
