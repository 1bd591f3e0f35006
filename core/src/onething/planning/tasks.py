"""Tasks of a cycle: random ones from the sample, and non-random ones (key supervision,
complaint-triggered, post-licence, re-inspection) read from a JSONL file.

The JSONL format (one object a line, schema ``schemas/plan-tasks.schema.json``)::

    {"key": "91371500MA3C4X5Y6Q", "item": "catering.003", "kind": "complaint",
     "due": "2026-02-10", "reason": "投诉 2026-0113", "id": "C-2026-0113", "unannounced": false}

A task is due in the cycle when ``due`` falls in the cycle window; others are listed as
``deferred`` in the plan, never dropped silently. The closed-loop engine's due post-licence and
re-inspection tasks can be passed in the same form (:func:`loop_tasks`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Container
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from .. import schemas
from ..errors import InvalidInput
from ..model import Item
from ..store import Store
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
    try:
        lines = path.read_text("utf-8").splitlines()
    except OSError as exc:
        raise InvalidInput(str(path), "", f"cannot read: {exc.strerror}") from None
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"{path}:{n}", "", f"not valid JSON: {exc.msg}") from None
        rows.append({**schemas.check(raw, "plan-tasks", location=f"{path}:{n}"), "_line": n})
    return rows


def non_random_tasks(
    rows: list[dict[str, Any]],
    items: dict[str, Item],
    known: Container[str],
    window: tuple[dt.date, dt.date],
    source: str = "tasks",
) -> tuple[list[Task], list[dict[str, Any]]]:
    """Tasks due in ``window`` and the deferred rows (due outside it).

    ``known``: the keys in the registry.

    :raises InvalidInput: for an unknown item or an object not in the registry.
    """
    tasks, deferred, seen = [], [], set()
    for r in rows:
        where = r["_line"] if isinstance(r["_line"], str) else f"{source}:{r['_line']}"
        if r["item"] not in items:
            raise InvalidInput(
                where, "item", f"no item {r['item']!r} in force in the enabled domains"
            )
        if r["key"] not in known:
            raise InvalidInput(where, "key", f"object {r['key']!r} is not in the registry")
        due = dt.date.fromisoformat(r["due"]) if r.get("due") else None
        tid = f"N:{r['kind']}:{r.get('id') or r['item'] + ':' + r['key']}"
        if tid in seen:
            raise InvalidInput(where, "id", f"task {tid} is given twice")
        seen.add(tid)
        if due is not None and not window[0] <= due <= window[1]:
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
    return tasks, deferred


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
            "loop", "due_tasks", f"cannot read the closed-loop tasks: {exc.orig or exc}"
        ) from None
    return [
        {**schemas.check(r, "plan-tasks", location=f"loop[{n}]"), "_line": f"loop[{n}]"}
        for n, r in enumerate(rows)
    ]
