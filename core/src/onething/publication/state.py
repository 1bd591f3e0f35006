"""What is up (公示中), superseded, withdrawn or expired: the stored state, brought to a day.

:func:`sync` compares what the rules say should be up on a day with the stored rows and
changes only the difference, in one transaction: a record with the same content stays as it
is (republishing is idempotent), a changed one supersedes its last version (the correction is
a new version, the old one kept as ``superseded``), one whose credit was repaired is
``withdrawn``, one past its display period ``expired``, one whose source is gone ``withdrawn``
(``gone``). The display period runs from the day of first publication, through corrections.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from attrs import evolve, frozen

from .. import outbox
from ..store import Store
from ..store.publication import PublicationEntry


@frozen
class Candidate:
    """One record as it should be published on the day (content without dates of its own)."""

    key: str
    rule: str
    domain: str
    record: str
    object_key: str
    decided_on: dt.date
    due_on: dt.date
    content: dict[str, Any]
    redactions: list[dict[str, Any]]
    ended: tuple[dt.date, str] | None
    period_end: Any
    """callable: published_on → display_to (date) or None"""
    repair_from: Any = None
    """callable: published_on → the first day credit repair may take it down, or None when
    it never may; ``None`` (no callable): any credit repair takes it down"""


@frozen
class Change:
    """One record that went up or came down on this run."""

    key: str
    version: int
    rule: str
    object_key: str
    what: str
    """up | corrected | withdrawn | expired | repair_refused (a credit repair that cannot take
    the record down: too early or a penalty never taken down early; it stays up)"""
    reason: str | None = None
    late: bool = False
    """went up after its deadline"""

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "version": self.version,
            "rule": self.rule,
            "object_key": self.object_key,
            "what": self.what,
            "reason": self.reason,
            "late": self.late,
        }


def content_hash(content: dict[str, Any]) -> str:
    body = json.dumps(content, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(body.encode()).hexdigest()


def _latest(session, keys: list[str]) -> dict[str, PublicationEntry]:
    latest: dict[str, PublicationEntry] = {}
    for row in session.execute(
        sa.select(PublicationEntry)
        .where(PublicationEntry.key.in_(keys))
        .order_by(PublicationEntry.key, PublicationEntry.version)
    ).scalars():
        latest[row.key] = row
    return latest


def sync(
    store: Store, candidates: Iterable[Candidate], day: dt.date, now: dt.datetime
) -> tuple[list[Change], int]:
    """Bring the stored state to ``day``. :return: the changes and how many stayed unchanged."""
    changes: list[Change] = []
    unchanged = 0
    seen: set[str] = set()
    with store.session() as s:
        store.serialize(s, "publication")
        batch: list[Candidate] = []

        def flush() -> None:
            nonlocal unchanged
            latest = _latest(s, [c.key for c in batch])
            for c in batch:
                unchanged += _one(s, c, latest.get(c.key), day, now, changes)
            batch.clear()

        for c in candidates:
            seen.add(c.key)
            batch.append(c)
            if len(batch) >= 500:
                flush()
        flush()
        # up rows whose source no longer yields a record (a decision returned for
        # investigation, a record gone): withdrawn
        for row in s.execute(
            sa.select(PublicationEntry).where(PublicationEntry.status == "up")
        ).scalars():
            if row.key not in seen:
                _end(row, "withdrawn", "gone", day)
                changes.append(
                    Change(row.key, row.version, row.rule, row.object_key, "withdrawn", "gone")
                )
        for c in changes:  # in the same transaction: a change rolled back is never announced
            outbox.append(
                s, "publication.changed", f"publication/{c.key}", {**c.as_json(), "day": day}
            )
    return changes, unchanged


def _end(row: PublicationEntry, status: str, reason: str, day: dt.date) -> None:
    row.status, row.end_reason, row.ended_on = status, reason, day


def _one(s, c: Candidate, last: PublicationEntry | None, day, now, changes) -> int:
    up = last is not None and last.status == "up"
    if c.ended is not None and c.ended[0] <= day and c.ended[1] == "credit_repair":
        earliest = c.repair_from(last.published_on if last else day) if c.repair_from else day
        if earliest is None or day < earliest:
            # 公示规定 第十四条: not before the time (a repair recorded early takes effect when
            # the time is full), never for the heavier penalties
            reason = "not_repairable" if earliest is None else f"before:{earliest.isoformat()}"
            version = last.version if last is not None else 0
            changes.append(Change(c.key, version, c.rule, c.object_key, "repair_refused", reason))
            c = evolve(c, ended=None)
    if c.ended is not None and c.ended[0] <= day:
        if up:
            _end(last, "withdrawn", c.ended[1], day)
            changes.append(
                Change(c.key, last.version, c.rule, c.object_key, "withdrawn", c.ended[1])
            )
        return 0
    published_on = last.published_on if last is not None else day
    display_to = c.period_end(published_on)
    if display_to is not None and day >= display_to:
        if up:
            _end(last, "expired", "period_end", day)
            changes.append(
                Change(c.key, last.version, c.rule, c.object_key, "expired", "period_end")
            )
        return 0
    content = {
        **c.content,
        "published_on": published_on.isoformat(),
        "display_to": display_to.isoformat() if display_to else None,
    }
    sha = content_hash(content)
    if last is not None and last.content_sha256 == sha:
        if up:
            return 1
        # came down for a reason that no longer holds (its source came back): up again
    version = 1 if last is None else last.version + 1
    what = "up"
    if up:
        _end(last, "superseded", "superseded", day)
        what = "corrected"
    s.add(
        PublicationEntry(
            key=c.key,
            version=version,
            rule=c.rule,
            domain=c.domain,
            record=c.record,
            object_key=c.object_key,
            status="up",
            content={**content, "version": version},
            content_sha256=sha,
            redactions=c.redactions,
            decided_on=c.decided_on,
            due_on=c.due_on,
            published_on=published_on,
            display_to=display_to,
            created_at=now,
        )
    )
    s.flush()
    late = last is None and day > c.due_on
    changes.append(Change(c.key, version, c.rule, c.object_key, what, None, late))
    return 0


def shown(store: Store) -> Iterable[PublicationEntry]:
    """The rows up now, by key, in batches."""
    last = ""
    while True:
        with store.session() as s:
            rows = (
                s.execute(
                    sa.select(PublicationEntry)
                    .where(PublicationEntry.status == "up", PublicationEntry.key > last)
                    .order_by(PublicationEntry.key)
                    .limit(1000)
                )
                .scalars()
                .all()
            )
        if not rows:
            return
        yield from rows
        last = rows[-1].key


def history(store: Store, key: str) -> list[PublicationEntry]:
    """Every version of one record, oldest first."""
    with store.session() as s:
        return list(
            s.execute(
                sa.select(PublicationEntry)
                .where(PublicationEntry.key == key)
                .order_by(PublicationEntry.version)
            ).scalars()
        )
