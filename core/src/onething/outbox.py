"""Events out (the transactional outbox): what a host platform hears about.

Every new case, case transition, overdue step, new plan and publication change is appended to
the ``outbox_event`` table **in the transaction that made the change**: if the change is
rolled back, so is its event, and no event is ever written for a change that did not happen.
The service (``onething serve``) delivers the events to the configured webhooks
(:mod:`onething.http.webhooks`), and a host can instead poll ``GET /events?after=ID``.

Appends are serialized (an advisory lock on PostgreSQL, the write lock on SQLite), so ids are
committed in increasing order: a reader that has seen event N and asks for ``id > N`` never
misses one committed later with a smaller id.
"""

from __future__ import annotations

import datetime as dt
import uuid
import zlib
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from . import schemas
from .store.outbox import OutboxEvent

#: The event types (``outbox-event.schema.json``).
TYPES = ("case.opened", "case.transitioned", "case.overdue", "plan.drawn", "publication.changed")
_LOCK = zlib.crc32(b"outbox")


def hold(session: Session) -> None:
    """Hold the outbox until the transaction ends: ids commit in the order they are taken."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK})
    else:  # SQLite: a write, even of no row, takes the database's one write lock
        session.execute(sa.update(OutboxEvent).where(sa.false()).values(type=OutboxEvent.type))


def append(
    session: Session,
    type: str,
    subject: str,
    data: dict[str, Any],
    *,
    at: dt.datetime | None = None,
    key: str | None = None,
) -> int | None:
    """Append one event in the caller's transaction.

    :param subject: what it is about: ``case/12``, ``plan/3``, ``publication/penalty:case:12``.
    :param key: the idempotency key (default a fresh one); an event whose key is already in the
        outbox is not appended again (``None`` returned).
    :return: the event's id.
    """
    assert type in TYPES, type
    hold(session)
    if key is not None:
        found = session.execute(
            sa.select(OutboxEvent.id).where(OutboxEvent.key == key)
        ).scalar_one_or_none()
        if found is not None:
            return None
    event = OutboxEvent(
        key=key or uuid.uuid4().hex,
        type=type,
        subject=subject[:96],
        data=schemas.jsonable(data),
        at=(at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC),
    )
    session.add(event)
    session.flush()
    return event.id


def as_json(e: OutboxEvent) -> dict[str, Any]:
    """The event document (``outbox-event.schema.json``): the body of a webhook delivery and
    an entry of ``GET /events``."""
    at = e.at if e.at.tzinfo else e.at.replace(tzinfo=dt.UTC)
    return {
        "id": e.id,
        "key": e.key,
        "type": e.type,
        "at": at.astimezone(dt.UTC).isoformat(),
        "subject": e.subject,
        "data": e.data,
    }


def read(
    session: Session, after: int = 0, *, limit: int = 100, types: tuple[str, ...] | None = None
) -> list[OutboxEvent]:
    """Events with ``id > after``, oldest first, at most ``limit``."""
    q = sa.select(OutboxEvent).where(OutboxEvent.id > after)
    if types:
        q = q.where(OutboxEvent.type.in_(types))
    return list(session.execute(q.order_by(OutboxEvent.id).limit(limit)).scalars())


def page(store, after: int = 0, *, limit: int = 100, types: tuple[str, ...] | None = None):
    """``GET /events``: a page of event documents and the ``after`` to ask for next."""
    with store.session() as s:
        rows = read(s, after, limit=limit, types=types)
        events = [as_json(e) for e in rows]
    return {"events": events, "next_after": events[-1]["id"] if events else after}


def iter_all(store, *, batch: int = 1000) -> Iterator[dict[str, Any]]:
    """Every event document, oldest first."""
    after = 0
    while True:
        with store.session() as s:
            rows = [as_json(e) for e in read(s, after, limit=batch)]
        if not rows:
            return
        yield from rows
        after = rows[-1]["id"]


__all__ = ["TYPES", "append", "as_json", "hold", "iter_all", "page", "read"]
