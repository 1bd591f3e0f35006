"""Webhooks against a real receiver on a loopback port (no mock): each event delivered, signed
with HMAC (Standard Webhooks headers), the first delivery refused once and retried after the
back-off with the same idempotency key, so the receiver takes every event exactly once, in
order; a forged or replayed delivery does not verify."""

from __future__ import annotations

import json
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from http_support import (
    INSPECTOR,
    JWT_HTTP,
    REVIEWER,
    _act,
    _case_id,
    _valid,
    auth,
    client,
    serving,
    write_config,
)

from onething.http.webhooks import sign, verify

HOOK_SECRET = "whsec_" + "c2VjcmV0LW9mLXRoZS1ob3N0LXJlY2VpdmVy"  # base64 of the key bytes


class Receiver:
    """A host's webhook endpoint: refuses the first ``fail`` deliveries with 503, takes the
    rest, and drops a delivery whose idempotency key it has taken already."""

    def __init__(self, fail: int = 1):
        self.fail = fail
        self.seen: list[dict] = []  # every request: headers, body, answer
        self.taken: dict[str, dict] = {}  # idempotency key → event, in order taken
        self.lock = threading.Lock()

    def handle(self, headers: dict[str, str], body: bytes) -> int:
        with self.lock:
            ok = verify(HOOK_SECRET, headers, body)
            code = 401 if not ok else 503 if self.fail > 0 else 200
            if code == 503:
                self.fail -= 1
            self.seen.append({"headers": headers, "body": body, "code": code})
            if code == 200 and headers["webhook-id"] not in self.taken:
                self.taken[headers["webhook-id"]] = json.loads(body)
            return code


@contextmanager
def receiving(receiver: Receiver):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            code = receiver.handle({k.lower(): v for k, v in self.headers.items()}, body)
            self.send_response(code)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/onething/events"
    finally:
        server.shutdown()
        server.server_close()


def _until(what, timeout=15.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if what():
            return
        time.sleep(0.05)
    raise AssertionError("timed out waiting")


def test_a_receiver_on_loopback_gets_each_event_exactly_once_after_a_failure_and_retry(
    deployment, monkeypatch, tmp_path, store
):
    from onething import Onething
    from onething.http import create_app, http_settings

    monkeypatch.setenv("ONETHING_TEST_HOOK", HOOK_SECRET)
    receiver = Receiver(fail=1)
    with receiving(receiver) as url:
        http = JWT_HTTP.replace('auth = "jwt"\n', 'auth = "jwt"\npoll_seconds = 0.05\n') + (
            f'[[http.webhook]]\nname = "host"\nurl = "{url}"\nsecret_env = "ONETHING_TEST_HOOK"\n'
            "backoff_seconds = 0.2\nmax_backoff_seconds = 1\ntimeout_seconds = 5\n"
        )
        config = write_config(tmp_path, store, http)
        app = Onething.from_config(config)
        try:
            with serving(create_app(app, http_settings(app.deployment))) as base, client(base) as c:
                case_id = _case_id(c)
                assert _act(c, case_id, "assess", REVIEWER).status_code == 200
                transfer = {"evidence": {"to_department": "market"}}
                assert _act(c, case_id, "transfer_clue", REVIEWER, transfer).status_code == 200
                assert _act(c, case_id, "accept_clue", INSPECTOR).status_code == 200
                events = c.get("/events", headers=auth()).json()["events"]
                assert [e["type"] for e in events] == ["case.opened"] + ["case.transitioned"] * 3
                _until(lambda: len(receiver.taken) == len(events))
                time.sleep(0.3)  # a few more polls: nothing is delivered again
        finally:
            app.close()
    # every event taken once, in order, exactly as GET /events has it
    assert list(receiver.taken.values()) == events
    for e in events:
        _valid(e, "outbox-event")
    answered = [(r["headers"]["webhook-id"], r["code"]) for r in receiver.seen]
    first = events[0]["key"]
    assert answered[:2] == [(first, 503), (first, 200)], "refused, then retried with its key"
    assert [k for k, code in answered if code == 200] == [e["key"] for e in events]
    assert [r["headers"]["x-onething-attempt"] for r in receiver.seen[:3]] == ["1", "2", "1"]
    for r in receiver.seen:
        assert r["headers"]["idempotency-key"] == r["headers"]["webhook-id"]
        assert r["headers"]["content-type"] == "application/json"
        assert r["headers"]["x-onething-event"] == json.loads(r["body"])["type"]
    retry_gap = float(receiver.seen[1]["headers"]["webhook-timestamp"]) - float(
        receiver.seen[0]["headers"]["webhook-timestamp"]
    )
    assert retry_gap >= 0  # signed anew on each attempt
    # the cursor says so
    from onething.http.webhooks import status

    (cursor,) = status(store)
    assert (cursor["webhook"], cursor["last_id"], cursor["delivered"]) == (
        "host",
        events[-1]["id"],
        len(events),
    )
    assert cursor["attempts"] == 0 and cursor["last_error"] is None


def test_a_forged_tampered_or_replayed_delivery_does_not_verify():
    body = b'{"id":1}'
    ts = int(time.time())
    good = {"webhook-id": "k1", "webhook-timestamp": str(ts)}
    good["webhook-signature"] = sign(HOOK_SECRET, "k1", ts, body)
    assert verify(HOOK_SECRET, good, body)
    assert not verify(HOOK_SECRET, good, b'{"id":2}')
    assert not verify("whsec_b3RoZXI=", good, body)
    assert not verify(HOOK_SECRET, {**good, "webhook-id": "k2"}, body)
    old = {"webhook-id": "k1", "webhook-timestamp": str(ts - 3600)}
    old["webhook-signature"] = sign(HOOK_SECRET, "k1", ts - 3600, body)
    assert not verify(HOOK_SECRET, old, body)
    # several signatures (a key being rotated): one of ours is enough
    rotated = {**good, "webhook-signature": "v1,bm9wZQ== " + good["webhook-signature"]}
    assert verify(HOOK_SECRET, rotated, body)


def test_two_service_processes_on_one_database_deliver_each_event_once(store, monkeypatch):
    """Two dispatchers (as two processes of the service would run) racing on one database:
    the cursor's lease lets one deliver at a time; the receiver sees each key once."""
    from onething import outbox
    from onething.http import HttpSettings, Webhook
    from onething.http.webhooks import Dispatcher

    receiver = Receiver(fail=0)
    with receiving(receiver) as url:
        with store.session() as s:
            for n in range(20):
                outbox.append(s, "plan.drawn", f"plan/{n}", {"plan": n})
        hook = Webhook(name="host", url=url, secret=HOOK_SECRET.encode(), backoff=0.05)
        settings = HttpSettings(auth="none", webhooks=[hook], poll_seconds=0.02)

        class NoLoop:  # overdue noting is not what is raced here
            pass

        monkeypatch.setattr("onething.loop.notices.note_overdue", lambda *a, **k: [])
        two = [Dispatcher(store, NoLoop(), settings) for _ in range(2)]
        for d in two:
            d.start()
        try:
            _until(lambda: len(receiver.taken) == 20)
            time.sleep(0.2)
        finally:
            for d in two:
                d.stop()
    keys = [r["headers"]["webhook-id"] for r in receiver.seen]
    assert len(keys) == len(set(keys)) == 20
    assert [e["data"]["plan"] for e in receiver.taken.values()] == list(range(20))
