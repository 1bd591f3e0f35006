"""Tasks of a cycle: random ones from the sample, and non-random ones (key supervision,
complaint-triggered, post-licence, re-inspection) read from a JSONL file.

The JSONL format (one object a line, schema ``schemas/plan-tasks.schema.json``)::

    {"key": "91371500MA3C4X5Y6Q", "item": "catering.003", "kind": "complaint",
     "due": "2026-02-10", "reason": "投诉 2026-0113", "id": "C-2026-0113", "unannounced": false}

A task is due in the cycle when ``due`` falls in the cycle window or before it (overdue: due
now); those due after it are listed as ``deferred`` in the plan, never dropped silently. The closed-loop engine's due post-licence and
re-inspection tasks can be passed in the same form (:func:`loop_tasks`). A row of a tasks file
naming an unknown item or object is an input error; a task the store holds that can no longer be
placed (its object left the registry, its item is not in force in the cycle) is listed as
``unplaceable`` in the plan, with the reason, for the operator to settle.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Container
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from attrs import frozen

from .. import schemas
from ..errors import InvalidInput
from ..i18n import _
from ..model import Item
from ..store import Store
from ..tables import json_lines
from .model import Task
from .population import Population
from .sampling import Sample


def random_tasks(population: Population, sample: Sample, items: dict[str, Item]) -> list[Task]:
    out = []
    for o, i, s in zip(
        sample.selected_obj.tolist(),
        sample.selected_item.tolist(),
        sample.selected_stratum.tolist(),
        strict=True,
    ):
        key, code = population.keys[o], population.item_codes[i]
        st = sample.strata[s]
        item = items[code]
        out.append(
            Task(
                id=f"R:{code}:{key}",
                key=key,
                item=code,
                domain=item.domain,
                departments=item.departments,
                kind="random",
                stratum=f"{st.credit_grade}/{st.risk_grade}",
            )
        )
    return out


def read_task_file(path: Path) -> list[dict[str, Any]]:
    """Rows of a JSONL task file, each validated; errors name the file, line and key path."""
    rows = []
    for n, raw in json_lines(path):
        if isinstance(raw, InvalidInput):
            raise raw
        where = f"{path}:{n}"
        rows.append({**schemas.check(raw, "plan-tasks", location=where), "_line": where})
    return rows


@frozen
class NonRandom:
    """The non-random rows of a cycle, sorted: what is due in it, what is not, what cannot be
    placed."""

    tasks: list[Task]
    deferred: list[dict[str, Any]]
    """Rows due after the cycle's window."""
    unplaceable: list[dict[str, Any]]
    """Rows from the store naming an object no longer in the registry or an item not in force
    (``reason``: ``object_not_in_registry`` | ``item_not_in_force``)."""


def _from_store(row: dict[str, Any]) -> bool:
    return isinstance(row["_line"], str) and row["_line"].startswith("loop[")


def _fault(
    row: dict[str, Any], items: dict[str, Item], known: Container[str]
) -> tuple[str, str, str] | None:
    """Why the row cannot become a task (reason, field, message), if it cannot."""
    if row["item"] not in items:
        return "item_not_in_force", "item", f"no item {row['item']!r} in force in the domains"
    if row["key"] not in known:
        return "object_not_in_registry", "key", f"object {row['key']!r} is not in the registry"
    return None


def non_random_tasks(
    rows: list[dict[str, Any]],
    items: dict[str, Item],
    known: Container[str],
    window: tuple[dt.date, dt.date],
    source: str = "tasks",
) -> NonRandom:
    """Sort non-random rows into the cycle's tasks, the deferred and the unplaceable ones.

    ``known``: the keys in the registry.

    :raises InvalidInput: for a tasks-file row naming an unknown item or an object not in the
        registry, or a task given twice.
    """
    tasks, deferred, unplaceable, seen = [], [], [], set()
    for r in rows:
        where = r["_line"] if isinstance(r["_line"], str) else f"{source}:{r['_line']}"
        tid = f"N:{r['kind']}:{r.get('id') or r['item'] + ':' + r['key']}"
        fault = _fault(r, items, known)
        if fault is not None:
            reason, field, message = fault
            if not _from_store(r):
                raise InvalidInput(where, field, message)
            row = {k: v for k, v in r.items() if k != "_line"}
            unplaceable.append(row | {"task": tid, "reason": reason})
            continue
        due = dt.date.fromisoformat(r["due"]) if r.get("due") else None
        if tid in seen:
            raise InvalidInput(where, "id", _(f"任务 {tid} 出现两次", f"task {tid} is given twice"))
        seen.add(tid)
        if due is not None and due > window[1]:  # due before the window: overdue, due now
            deferred.append({k: v for k, v in r.items() if k != "_line"} | {"task": tid})
            continue
        item = items[r["item"]]
        tasks.append(
            Task(
                id=tid,
                key=r["key"],
                item=item.code,
                domain=item.domain,
                departments=item.departments,
                kind=r["kind"],
                due=due,
                reason=r.get("reason", ""),
                unannounced=bool(r.get("unannounced", False)),
            )
        )
    return NonRandom(tasks, deferred, unplaceable)


def loop_tasks(store: Store, window: tuple[dt.date, dt.date]) -> list[dict[str, Any]]:
    """Due post-licence and re-inspection tasks from the closed-loop engine
    (``onething.loop.due_tasks``), each row checked against the task schema.

    :raises InvalidInput: naming ``loop`` when the closed-loop engine's tables cannot be read
        (e.g. a database not upgraded) or a row does not fit the schema.
    """
    try:
        from ..loop import due_tasks
    except ImportError:
        return []
    try:
        rows = list(due_tasks(store, window))
    except sa.exc.SQLAlchemyError as exc:
        raise InvalidInput(
            "loop",
            "due_tasks",
            _(
                f"无法读取闭环任务：{exc.orig or exc}",
                f"cannot read the closed-loop tasks: {exc.orig or exc}",
            ),
        ) from None
    return [
        {**schemas.check(r, "plan-tasks", location=f"loop[{n}]"), "_line": f"loop[{n}]"}
        for n, r in enumerate(rows)
    ]
