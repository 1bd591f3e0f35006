"""Events out about the loop that no transition makes: a ``case.overdue`` for each step past
its time limit (the service notes them before each delivery round, see
:mod:`onething.http.webhooks`). The outbox itself (:mod:`onething.outbox`) knows no loop."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from .. import outbox
from ..store.loop import LoopCase
from ..store.outbox import OutboxEvent
from .cases import overdue


def note_overdue(store, loop, at: dt.datetime | None = None) -> list[int]:
    """Append a ``case.overdue`` event for every step past its time limit not noted yet (one
    per case and step, however often and from however many processes it is called).

    :return: the ids appended.
    """
    at = (at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    late = list(overdue(store, loop, at))
    if not late:
        return []
    added: list[int] = []
    with store.session() as s:
        versions = dict(
            s.execute(
                sa.select(LoopCase.id, LoopCase.version).where(
                    LoopCase.id.in_([o.case_id for o in late])
                )
            ).all()
        )
        keys = {f"case.overdue:{o.case_id}:{versions.get(o.case_id)}": o for o in late}
        outbox.hold(s)
        known = set(
            s.execute(sa.select(OutboxEvent.key).where(OutboxEvent.key.in_(list(keys)))).scalars()
        )
        for key, o in keys.items():
            if key in known:
                continue
            eid = outbox.append(
                s,
                "case.overdue",
                f"case/{o.case_id}",
                {
                    "case": o.case_id,
                    "version": versions.get(o.case_id),
                    "domain": o.domain,
                    "object_key": o.object_key,
                    "region": o.region,
                    "state": o.state,
                    "stage": o.stage,
                    "owner": o.owner,
                    "due_at": o.due_at.astimezone(dt.UTC).isoformat(),
                    "days_over": o.days_over,
                },
                at=at,
                key=key,
            )
            if eid is not None:
                added.append(eid)
    return added
