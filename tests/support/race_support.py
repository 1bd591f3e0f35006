"""Targets for tests that race whole runs in separate processes. They are spawned, not forked:
a fork inherits Polars' thread pool mid-state and can hang in the child."""

from __future__ import annotations

import datetime as dt
from typing import Any


def risk_evaluate(url: str, connect_args: dict[str, Any], on: dt.date, barrier: Any) -> None:
    """One ``risk evaluate`` run with the fake domain: warnings, cases, grades."""
    from fake_support import FAKE

    from onething import Rulebook, enable
    from onething.loop import Loop
    from onething.risk.cases import open_cases
    from onething.risk.engine import evaluate_all
    from onething.risk.grades import grade_all
    from onething.store import Store

    store = Store(url, connect_args=connect_args)
    book = Rulebook(enable(["fake"], entry_points=[FAKE]))
    barrier.wait(timeout=60)
    evaluate_all(store, book, on)
    open_cases(store, Loop(book))
    grade_all(store, book, on)
    store.dispose()


def registry_import(url: str, connect_args: dict[str, Any], path: str, on: dt.date, barrier: Any):
    """One ``registry import`` of ``path`` with the fake domain."""
    from fake_support import FAKE

    from onething import Rulebook, enable
    from onething.registry import import_file
    from onething.store import Store

    store = Store(url, connect_args=connect_args)
    book = Rulebook(enable(["fake"], entry_points=[FAKE]))
    barrier.wait(timeout=60)
    import_file(store, path, app_or_rulebook=book, on=on, workers=0)
    store.dispose()


def events_ingest(url: str, connect_args: dict[str, Any], path: str, barrier: Any) -> None:
    """One ``events ingest`` of ``path`` with the fake domain."""
    from fake_support import FAKE

    from onething import Rulebook, enable
    from onething.loop import Loop, ingest_events
    from onething.store import Store

    store = Store(url, connect_args=connect_args)
    loop = Loop(Rulebook(enable(["fake"], entry_points=[FAKE])))
    barrier.wait(timeout=60)
    ingest_events(store, loop, path)
    store.dispose()


def db_upgrade(url: str, connect_args: dict[str, Any], barrier: Any) -> None:
    """``db upgrade`` of a database that may be empty."""
    from onething.store import Store

    store = Store(url, connect_args=connect_args)
    barrier.wait(timeout=60)
    store.upgrade()
    store.dispose()


def race(target: Any, *args: Any, processes: int = 4) -> list[int | None]:
    """Run ``target(*args, barrier)`` in ``processes`` spawned processes released at once;
    their exit codes."""
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(processes)
    runs = [ctx.Process(target=target, args=(*args, barrier)) for _ in range(processes)]
    for p in runs:
        p.start()
    for p in runs:
        p.join(timeout=90)
    return [p.exitcode for p in runs]
