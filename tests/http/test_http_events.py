"""Events out (SQLite and PostgreSQL): appended in the transaction of the change, never for a
change that did not happen, read with ``GET /events?after=ID`` (each event once, in order),
an overdue step noted once however often it is looked for."""

from __future__ import annotations

import datetime as dt

import pytest
from http_support import INSPECTOR, KEY, REVIEWER, _act, _case_id, _valid, auth

from onething import outbox


def _events(c, after=0, **params):
    r = c.get("/events", params={"after": after, **params}, headers=auth())
    assert r.status_code == 200, r.text
    return _valid(r.json(), "event-page")


def test_events_are_read_after_an_id_each_once_in_order(service):
    c = service
    first = _events(c)
    (opened,) = first["events"]
    assert opened["type"] == "case.opened" and opened["data"]["object_key"] == KEY
    case_id = _case_id(c)
    assert opened["subject"] == f"case/{case_id}"
    assert _events(c, first["next_after"]) == {"events": [], "next_after": first["next_after"]}

    assert _act(c, case_id, "assess", REVIEWER).status_code == 200
    # a stale version and a refusal change nothing, so announce nothing
    assert _act(c, case_id, "assess", REVIEWER, version=1).status_code == 409
    assert _act(c, case_id, "close", INSPECTOR, {"evidence": {"summary": "x"}}).status_code == 403
    page = _events(c, first["next_after"])
    (moved,) = page["events"]
    assert moved["id"] > opened["id"] and moved["type"] == "case.transitioned"
    assert (moved["data"]["transition"], moved["data"]["version"]) == ("assess", 2)
    assert moved["data"]["actor"]["subject"] == "u-reviewer"
    assert moved["key"] != opened["key"]
    only = _events(c, 0, type="case.opened")["events"]
    assert [e["id"] for e in only] == [opened["id"]]
    bad = c.get("/events", params={"after": -1}, headers=auth())
    assert bad.status_code == 422 and bad.headers["Content-Type"] == "application/problem+json"


def test_an_event_is_rolled_back_with_its_change(store):
    with pytest.raises(RuntimeError), store.session() as s:
        outbox.append(s, "plan.drawn", "plan/1", {"plan": 1})
        raise RuntimeError("the change failed")
    assert outbox.page(store)["events"] == []
    with store.session() as s:
        first = outbox.append(s, "plan.drawn", "plan/1", {"plan": 1}, key="k-1")
        assert outbox.append(s, "plan.drawn", "plan/1", {"plan": 1}, key="k-1") is None
    assert [e["id"] for e in outbox.page(store)["events"]] == [first]


def test_an_overdue_step_is_noted_once(service, deployment):
    from onething import Onething
    from onething.loop import notices

    app = Onething.from_config(deployment)
    try:
        late = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
        added = notices.note_overdue(app.store, app.loop, late)
        assert len(added) == 1
        assert notices.note_overdue(app.store, app.loop, late) == []
        (e,) = _events(service, 0, type="case.overdue")["events"]
        assert e["data"]["state"] == "warning" and e["data"]["days_over"] > 0
    finally:
        app.close()
