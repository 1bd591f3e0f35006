"""Webhook delivery: the outbox's events POSTed to each configured receiver, signed with HMAC,
retried with back-off, at least once, in order, each with its idempotency key.

Each delivery is one event (``outbox-event.schema.json``) as the JSON body, with the headers of
the Standard Webhooks specification (https://www.standardwebhooks.com/, so Java, Go and other
hosts verify it with an existing library):

- ``webhook-id`` — the event's ``key``, the same on every attempt (also ``Idempotency-Key``):
  a receiver that has seen it drops the delivery;
- ``webhook-timestamp`` — seconds since the epoch, when this attempt was signed;
- ``webhook-signature`` — ``v1,`` + base64 HMAC-SHA256 over ``{id}.{timestamp}.{body}``
  with the webhook's secret (a secret written ``whsec_…`` is the base64 of the key bytes, as
  the specification has it; any other text is the key's UTF-8 bytes);
- ``X-Onething-Event`` (its type) and ``X-Onething-Attempt`` (1, 2, …).

A 2xx answer is success; anything else (another status, a refused connection, a timeout) is a
failure: that event is tried again after ``backoff_seconds``, doubled on each failure up to
``max_backoff_seconds``, and the events after it wait (delivery is in order). Where each
webhook has got to is in the database (``outbox_cursor``); the process delivering holds a
lease on it, so several service processes on one database deliver each event once — unless
a process dies between the receiver's answer and recording it: then the event goes again,
with the same ``webhook-id``.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import threading
import time
import uuid
from collections.abc import Mapping
from importlib import metadata
from typing import Any

import httpx
import sqlalchemy as sa

from .. import outbox
from ..store.outbox import OutboxCursor
from . import logs
from .settings import HttpSettings, Webhook

LEASE_SECONDS = 30.0
BATCH = 100


def key_bytes(secret: bytes | str) -> bytes:
    """The HMAC key of a configured secret (``whsec_`` + base64, or the text's bytes)."""
    text = secret.decode("utf-8") if isinstance(secret, bytes) else secret
    if text.startswith("whsec_"):
        return base64.b64decode(text.removeprefix("whsec_"))
    return text.encode("utf-8")


def sign(secret: bytes | str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` header value."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    mac = hmac.new(key_bytes(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode("ascii")


def verify(
    secret: bytes | str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    tolerance: int = 300,
    now: float | None = None,
) -> bool:
    """What a receiver checks: one of the signatures is ours over this body, and the
    timestamp is within ``tolerance`` seconds of now (a replayed old delivery fails)."""
    h = {k.lower(): v for k, v in headers.items()}
    try:
        msg_id, ts = h["webhook-id"], int(h["webhook-timestamp"])
    except (KeyError, ValueError):
        return False
    if abs((now if now is not None else time.time()) - ts) > tolerance:
        return False
    expected = sign(secret, msg_id, ts, body)
    return any(hmac.compare_digest(expected, s) for s in h.get("webhook-signature", "").split())


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


class Dispatcher:
    """Delivers the outbox to ``settings.webhooks`` and notes overdue steps, every
    ``settings.poll_seconds``, in a thread of the service (:meth:`start`, :meth:`stop`), or a
    step at a time (:meth:`run_once`)."""

    def __init__(self, store, loop, settings: HttpSettings, *, transport=None):
        self.store, self.loop, self.settings = store, loop, settings
        self.owner = uuid.uuid4().hex
        self.log = logs.logger(settings)
        self._client = httpx.Client(
            transport=transport,
            headers={"User-Agent": f"onething/{metadata.version('onething')}"},
        )
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- the thread ---------------------------------------------------------------------------

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="onething-outbox", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        self._client.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception as exc:  # never let the thread die: log and try again
                logs.emit(self.log, event="outbox", error=f"{type(exc).__name__}: {exc}")
            self._stop.wait(self.settings.poll_seconds)

    # -- one step -----------------------------------------------------------------------------

    def run_once(self, now: dt.datetime | None = None) -> int:
        """Note overdue steps, then deliver what is due to each webhook. :return: deliveries
        that succeeded."""
        from ..loop import notices  # the loop's cases, read only by the service

        notices.note_overdue(self.store, self.loop, now)
        return sum(self.deliver(h) for h in self.settings.webhooks)

    def deliver(self, hook: Webhook) -> int:
        """Deliver ``hook``'s pending events in order until one fails or none is left."""
        if not self._lease(hook):
            return 0
        done = 0
        try:
            while not self._stop.is_set():
                with self.store.session() as s:
                    cur = s.get(OutboxCursor, hook.name)
                    assert cur is not None
                    last, attempts = cur.last_id, cur.attempts
                    events = outbox.read(s, last, limit=BATCH)
                    docs = [outbox.as_json(e) for e in events]
                if not docs:
                    return done
                for doc in docs:
                    if not hook.wants(doc["type"]):
                        self._advance(hook, doc["id"], delivered=False)
                        continue
                    error = self._post(hook, doc, attempts + 1)
                    if error is not None:
                        self._failed(hook, attempts + 1, error)
                        return done
                    self._advance(hook, doc["id"], delivered=True)
                    attempts = 0
                    done += 1
        finally:
            self._release(hook)
        return done

    def _post(self, hook: Webhook, doc: dict[str, Any], attempt: int) -> str | None:
        body = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        ts = int(time.time())
        headers = {
            "Content-Type": "application/json",
            "webhook-id": doc["key"],
            "webhook-timestamp": str(ts),
            "webhook-signature": sign(hook.secret, doc["key"], ts, body),
            "Idempotency-Key": doc["key"],
            "X-Onething-Event": doc["type"],
            "X-Onething-Attempt": str(attempt),
        }
        start = time.perf_counter()
        try:
            r = self._client.post(hook.url, content=body, headers=headers, timeout=hook.timeout)
            error = None if 200 <= r.status_code < 300 else f"HTTP {r.status_code}"
            status: int | None = r.status_code
        except httpx.HTTPError as exc:
            error, status = f"{type(exc).__name__}: {exc}", None
        logs.emit(
            self.log,
            event="webhook",
            webhook=hook.name,
            event_id=doc["id"],
            key=doc["key"],
            type=doc["type"],
            attempt=attempt,
            status=status,
            ok=error is None,
            error=error,
            duration_ms=round((time.perf_counter() - start) * 1000, 2),
        )
        return error

    # -- the cursor ---------------------------------------------------------------------------

    def _lease(self, hook: Webhook) -> bool:
        """Take the webhook's cursor for this process, if no other process holds it and its
        next attempt is due."""
        now = _now()
        with self.store.session() as s:
            if s.get(OutboxCursor, hook.name) is None:
                try:
                    with s.begin_nested():
                        s.add(OutboxCursor(webhook=hook.name, last_id=0, attempts=0, delivered=0))
                except sa.exc.IntegrityError:  # another process made it first
                    pass
            c = OutboxCursor
            taken = s.execute(
                sa.update(c)
                .where(
                    c.webhook == hook.name,
                    sa.or_(
                        c.lease_until.is_(None), c.lease_until < now, c.lease_owner == self.owner
                    ),
                    sa.or_(c.next_at.is_(None), c.next_at <= now),
                )
                .values(
                    lease_owner=self.owner,
                    lease_until=now + dt.timedelta(seconds=LEASE_SECONDS + hook.timeout),
                )
            )
            return taken.rowcount == 1

    def _mine(self, hook: Webhook):
        c = OutboxCursor
        return sa.update(c).where(c.webhook == hook.name, c.lease_owner == self.owner)

    def _advance(self, hook: Webhook, event_id: int, *, delivered: bool) -> None:
        lease = _now() + dt.timedelta(seconds=LEASE_SECONDS + hook.timeout)
        values: dict[str, Any] = {
            "last_id": event_id,
            "attempts": 0,
            "next_at": None,
            "last_error": None,
            "lease_until": lease,
        }
        if delivered:
            values["delivered"] = OutboxCursor.delivered + 1
        with self.store.session() as s:
            s.execute(self._mine(hook).values(**values))

    def _failed(self, hook: Webhook, attempts: int, error: str) -> None:
        delay = min(hook.backoff * 2 ** (attempts - 1), hook.max_backoff)
        with self.store.session() as s:
            s.execute(
                self._mine(hook).values(
                    attempts=attempts,
                    next_at=_now() + dt.timedelta(seconds=delay),
                    last_error=error[:2000],
                )
            )

    def _release(self, hook: Webhook) -> None:
        with self.store.session() as s:
            s.execute(self._mine(hook).values(lease_owner=None, lease_until=None))


def status(store) -> list[dict[str, Any]]:
    """Each webhook's cursor: last event delivered, attempts at the next, when, last error."""
    with store.session() as s:
        rows = s.execute(sa.select(OutboxCursor).order_by(OutboxCursor.webhook)).scalars().all()
        return [
            {
                "webhook": r.webhook,
                "last_id": r.last_id,
                "delivered": r.delivered,
                "attempts": r.attempts,
                "next_at": None if r.next_at is None else _aware(r.next_at).isoformat(),
                "last_error": r.last_error,
            }
            for r in rows
        ]


__all__ = ["Dispatcher", "key_bytes", "sign", "status", "verify"]
