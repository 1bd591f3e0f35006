"""The append-only, hash-chained audit log of the closed loop.

Entry ``n`` stores ``body`` = canonical JSON (sorted keys, no spaces, UTF-8) of
``{"seq": n, "at": …, "action": …, "case": …, "actor": …, "data": …}``, ``prev_hash`` = the
``hash`` of entry ``n-1`` (64 zeros for the first) and ``hash`` = SHA-256 of
``prev_hash + body``. The one-row head table holds the last ``seq`` and ``hash``; appending
locks it, so concurrent appenders form one linear chain. :func:`verify` walks the chain in
batches and names the first entry that was edited, deleted, inserted or moved, then checks
that every case stands where its last audited step left it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator, Mapping
from typing import Any

import rfc8785
import sqlalchemy as sa
from attrs import frozen
from sqlmodel import Session

from ..errors import InvalidInput
from ..store import Store
from ..store.loop import LoopAudit, LoopAuditHead, LoopCase
from .clock import utc_iso

GENESIS = "0" * 64
BATCH = 1000


#: The largest integer RFC 8785 (I-JSON) carries as a number; larger ones go as text.
_SAFE_INT = 2**53 - 1


def _jsonable(data: Any) -> Any:
    if isinstance(data, Mapping):
        return {str(k): _jsonable(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [_jsonable(v) for v in data]
    if isinstance(data, bool) or data is None or isinstance(data, (str, float)):
        return data
    if isinstance(data, int):
        return data if -_SAFE_INT <= data <= _SAFE_INT else str(data)
    return str(data)  # dates, times, decimals: as their ISO or decimal text


def canonical(data: Any) -> str:
    """RFC 8785 canonical JSON (JCS), so that a verifier in any language can recompute an
    entry from its data: keys sorted by UTF-16 code units, numbers as ECMAScript prints them
    (``2500000``, ``1e-7``), no whitespace. The hash is over the stored body's UTF-8 bytes, so
    entries written before JCS (Python's float rendering) still verify as they are."""
    return rfc8785.dumps(_jsonable(data)).decode("utf-8")


def chain_hash(prev_hash: str, body: str) -> str:
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


def append(
    session: Session,
    *,
    action: str,
    case_id: int | None,
    actor: dict[str, Any] | None,
    data: dict[str, Any],
    at: dt.datetime,
) -> LoopAudit:
    """Append one entry in the caller's transaction (locks the head row until commit)."""
    head_q = sa.select(LoopAuditHead).where(LoopAuditHead.id == 1)
    if session.get_bind().dialect.name == "postgresql":
        head_q = head_q.with_for_update()
    else:  # SQLite: take the write lock before reading the head
        session.execute(
            sa.update(LoopAuditHead).where(LoopAuditHead.id == 1).values(seq=LoopAuditHead.seq)
        )
    head = session.execute(head_q).scalar_one()
    seq = head.seq + 1
    body = canonical(
        {
            "seq": seq,
            "at": at.astimezone(dt.UTC).isoformat(),
            "action": action,
            "case": case_id,
            "actor": actor,
            "data": data,
        }
    )
    entry = LoopAudit(
        seq=seq,
        case_id=case_id,
        action=action,
        body=body,
        prev_hash=head.hash,
        hash=chain_hash(head.hash, body),
    )
    session.add(entry)
    session.execute(
        sa.update(LoopAuditHead).where(LoopAuditHead.id == 1).values(seq=seq, hash=entry.hash)
    )
    session.flush()
    return entry


@frozen
class Problem:
    """The first bad entry of the chain and what is wrong with it."""

    seq: int | None
    """The sequence number of the first bad entry (``None``: the head itself)."""
    kind: str
    """``edited`` | ``deleted`` | ``inserted`` | ``reordered`` | ``truncated`` | ``rewritten``
    | ``case`` (a case's row disagrees with its last audited step)"""
    message: str


@frozen
class Verdict:
    entries: int
    problem: Problem | None
    head: tuple[int, str] = (0, GENESIS)
    """The chain's last entry as walked, ``(seq, hash)``: the anchor to keep outside the
    database and hand back as ``expect`` (0 and the genesis hash for an empty chain)."""

    @property
    def ok(self) -> bool:
        return self.problem is None

    def as_json(self) -> dict[str, Any]:
        """``audit-verdict.schema.json``: what ``GET /audit/verify`` and ``onething audit verify
        --format json`` answer."""
        seq, digest = self.head
        p = self.problem
        return {
            "ok": self.ok,
            "entries": self.entries,
            "head": {"seq": seq, "hash": digest, "anchor": f"{seq}:{digest}"},
            "problem": None if p is None else {"seq": p.seq, "kind": p.kind, "message": p.message},
            "checked_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }


def _batched(session: Session, q: sa.Select, key: Any) -> Iterator[sa.Row]:
    """The rows of ``q`` in ``key`` order, ``BATCH`` at a time (keyset paging: the whole log
    or every case is never held at once). ``key`` is also the first selected column."""
    last = None
    while True:
        page = q.order_by(key).limit(BATCH)
        if last is not None:
            page = page.where(key > last)
        rows = session.execute(page).all()
        if not rows:
            return
        yield from rows
        last = rows[-1][0]


def _entries(session: Session) -> Iterator[LoopAudit]:
    for _seq, entry in _batched(session, sa.select(LoopAudit.seq, LoopAudit), LoopAudit.seq):
        yield entry


def _bad(n: int, seq: int, kind: str, why: str) -> Verdict:
    return Verdict(n, Problem(seq, kind, f"entry {seq}: {why}"))


def parse_anchor(text: str) -> tuple[int, str]:
    """``SEQ:HASH`` as printed by ``audit verify`` or ``audit head``.

    :raises InvalidInput: if it is not.
    """
    seq, _, digest = text.partition(":")
    if not (seq.isdigit() and len(digest) == 64 and all(c in "0123456789abcdef" for c in digest)):
        raise InvalidInput(
            "--expect", "", f"{text!r}: expected SEQ:HASH (a number, a colon, 64 hex digits)"
        )
    return int(seq), digest


def verify(store: Store | Session, expect: tuple[int, str] | None = None) -> Verdict:
    """Walk the chain; the verdict names the first bad entry, if any. ``store``: the store,
    like :func:`~onething.loop.transition` takes (read in one transaction), or a session
    already open.

    :param expect: an anchor ``(seq, hash)`` kept outside the database (an earlier verdict's
        ``head``). The chain alone cannot show that its tail was cut and its head row set back,
        or that it was rebuilt from scratch: with the anchor, entry ``seq`` must still be there
        with that hash (the chain may have grown since).
    """
    if not isinstance(store, Session):
        with store.session() as session:
            return _verify(session, expect)
    return _verify(store, expect)


def _verify(session: Session, expect: tuple[int, str] | None) -> Verdict:
    prev_hash, expected_seq, n = GENESIS, 1, 0
    anchored = expect is None or expect == (0, GENESIS)
    audited: dict[int, tuple[int, dict[str, Any]]] = {}  # case → (seq, what it left)
    for e in _entries(session):
        n += 1
        try:
            body = json.loads(e.body)
        except ValueError:
            body = {}
        body_seq = body.get("seq")
        if chain_hash(e.prev_hash, e.body) != e.hash:
            return _bad(n, e.seq, "edited", "its content does not match its hash (edited)")
        if isinstance(body_seq, int) and body_seq < e.seq:
            return _bad(
                n,
                e.seq,
                "inserted",
                f"it was written as entry {body_seq}: {e.seq - body_seq} entr(y/ies) were "
                f"inserted before it",
            )
        if body_seq != e.seq:
            return _bad(
                n, e.seq, "reordered", f"it was written as entry {body_seq} (moved or renumbered)"
            )
        if e.seq != expected_seq:
            return _bad(
                n, e.seq, "deleted", f"entries {expected_seq}–{e.seq - 1} are missing (deleted)"
            )
        if e.prev_hash != prev_hash:
            return _bad(
                n,
                e.seq,
                "inserted",
                "it does not follow the entry before it (replaced or inserted)",
            )
        if e.action != body.get("action") or e.case_id != body.get("case"):
            return _bad(n, e.seq, "edited", "its columns disagree with its hashed body (edited)")
        if expect is not None and e.seq == expect[0]:
            if e.hash != expect[1]:
                return _bad(
                    n,
                    e.seq,
                    "rewritten",
                    "its hash differs from the anchor kept for it (rewritten)",
                )
            anchored = True
        if e.case_id is not None and e.action in _CASE_STEPS:
            # a step leaves the columns it sets; the rest stay where the steps before left them
            # (a case seen first without its opening keeps no history: "no audited opening")
            if e.action == "open" or e.case_id in audited:
                left = audited.get(e.case_id, (0, {}))[1]
                audited[e.case_id] = (
                    e.seq,
                    {**left, **_CASE_STEPS[e.action](body.get("data") or {})},
                )
        prev_hash, expected_seq = e.hash, e.seq + 1
    if not anchored:
        assert expect is not None
        return Verdict(
            n,
            Problem(
                expected_seq,
                "truncated",
                f"the anchor names entry {expect[0]} but the chain ends at entry "
                f"{expected_seq - 1} (the last entries were deleted)",
            ),
        )
    head = session.execute(
        sa.select(LoopAuditHead).where(LoopAuditHead.id == 1)
    ).scalar_one_or_none()
    if head is None:
        return Verdict(n, Problem(None, "truncated", "the chain's head row is missing (deleted)"))
    if head.seq != expected_seq - 1 or head.hash != prev_hash:
        return Verdict(
            n,
            Problem(
                None if head.seq <= expected_seq - 1 else expected_seq,
                "truncated" if head.seq > expected_seq - 1 else "inserted",
                f"the chain ends at entry {expected_seq - 1} but its head records entry {head.seq}"
                + (
                    " (the last entries were deleted)"
                    if head.seq > expected_seq - 1
                    else " (entries appended outside the log)"
                ),
            ),
        )
    return Verdict(n, _case_problem(session, audited), (expected_seq - 1, prev_hash))


#: What an audited step leaves a case with, from its data: the columns a step sets.
_CASE_STEPS = {
    "open": lambda d: dict(
        state=d.get("state"), owner=d.get("owner"), version=1, due_at=d.get("due_at")
    ),
    "transition": lambda d: dict(
        state=d.get("to"), owner=d.get("owner"), version=d.get("version"), due_at=d.get("due_at")
    ),
    # an inspection record attached to an open case adds facts and a version, nothing else
    "record_attached": lambda d: dict(version=d.get("version")),
}


def _case_problem(
    session: Session, audited: dict[int, tuple[int, dict[str, Any]]]
) -> Problem | None:
    """The first case whose row is not where its last audited step left it, or that has no
    audited opening, or whose audited opening has no row: changed outside the log."""
    cols = (LoopCase.id, LoopCase.state, LoopCase.owner, LoopCase.version, LoopCase.due_at)
    for case_id, state, owner, version, due_at in _batched(session, sa.select(*cols), LoopCase.id):
        if case_id not in audited:
            return Problem(
                None, "case", f"case {case_id} has no audited opening (inserted outside the log)"
            )
        seq, want = audited.pop(case_id)
        have = dict(state=state, owner=owner, version=version, due_at=utc_iso(due_at))
        wrong = [k for k in want if want[k] != have[k]]
        if wrong:
            diffs = "; ".join(f"{k} {have[k]!r}, audited {want[k]!r}" for k in wrong)
            return Problem(
                seq,
                "case",
                f"case {case_id} is not where its last audited step (entry {seq}) left it: "
                f"{diffs} (changed outside the log)",
            )
    if audited:
        case_id, (seq, _) = min(audited.items())
        return Problem(
            seq, "case", f"case {case_id} was opened in the log but its row is gone (deleted)"
        )
    return None
