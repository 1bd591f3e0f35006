"""Preparing an import's batches — rows parsed (:mod:`onething.registry.parsing`) and their
applicability decided (:class:`~onething.registry.mapping.Matcher`) — in this process or in
forked worker processes, results always in input order. No database here: the writes stay in
the importing process (:mod:`onething.registry.writes`).
"""

from __future__ import annotations

import collections
import gc
import multiprocessing
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from attrs import frozen

from ..errors import OnethingError
from ..i18n import _
from .parsing import RowError, RowParser, dumps, json_object
from .sources import CsvChunk, csv_records


@frozen
class Batch:
    """One prepared job: ``results`` in input order; for a CSV chunk the ``lines`` it holds
    (its results' line numbers count from its start), or ``torn`` (its byte offset: it ended
    inside a quoted field) or ``fatal`` ``(line, message)`` (not UTF-8 CSV)."""

    results: list[tuple]
    lines: int | None = None
    torn: int | None = None
    fatal: tuple[int, str] | None = None


class Preparer:
    """Turns a job — a batch of ``(row number, input row)`` or a :class:`CsvChunk` — into a
    :class:`Batch` of results in input order: for a good row ``(n, row, flagged, profile
    key)`` with ``row`` the tuple of ``key`` and :data:`DATA_COLUMNS` (JSON columns as stored
    text), and for a bad one ``(n, None, (field, message), input row)``. It needs no database,
    so large imports run it in worker processes."""

    def __init__(self, parser: RowParser, matcher: Any, header: list[str] | None):
        self.parser = parser
        self.matcher = matcher
        self.header = header

    def __call__(self, job: list[tuple[int, Any]] | CsvChunk) -> Batch:
        if type(job) is not CsvChunk:
            return Batch(self._prepare(job))
        records = csv_records(job, len(self.header or ()))
        if records.torn:
            return Batch([], torn=job.offset)
        if records.fatal is not None:
            return Batch([], lines=0, fatal=records.fatal)
        return Batch(self._prepare(records.rows), lines=records.lines)

    def _prepare(self, batch: list[tuple[int, Any]]) -> list[tuple]:
        parse, header = self.parser.parse, self.header
        out: list[Any] = []
        good: list[dict[str, Any]] = []
        for line, raw in batch:
            if type(raw) is list:
                raw = dict(zip(header, raw, strict=True))  # type: ignore[arg-type]
            elif type(raw) is str:
                raw = json_object(raw)
            try:
                row, flagged = parse(raw)
            except RowError as exc:
                out.append((line, None, (exc.field, exc.message), self.parser.masked(raw)))
                continue
            out.append((line, row, flagged))
            good.append(row)
        keys = iter(self.matcher.keys(good))
        dump = dumps
        return [
            res
            if res[1] is None
            else (
                res[0],
                (
                    (r := res[1])["key"],
                    r["key_kind"],
                    r["checksum_ok"],
                    r["name"],
                    r["region_code"],
                    r["address"],
                    r["credit_grade"],
                    r["risk_grade"],
                    dump(r["domains"]),
                    dump(r["licences"]),
                    r["object_kind"],
                    r["display_key"],
                ),
                res[2],
                next(keys),
            )
            for res in out
        ]


_WORKER: Preparer | None = None


def _start_worker(preparer: Preparer) -> None:
    global _WORKER
    _WORKER = preparer
    gc.disable()  # see onething.registry.importer._run


def _prepare_in_worker(job: list[tuple[int, Any]] | CsvChunk) -> Batch:
    assert _WORKER is not None
    return _WORKER(job)


#: Seconds the workers are given to exit once the pool is shut down, before they are killed.
POOL_EXIT_SECONDS = 10.0


def _close_pool(pool: ProcessPoolExecutor) -> None:
    """Shut ``pool`` down without ever waiting on its queues or its manager thread: jobs not
    started are cancelled, each worker finishes the job it is on (one batch) and exits, and a
    worker still alive after :data:`POOL_EXIT_SECONDS` (stuck, or its pipe broken) is killed.
    A dead or stuck worker therefore cannot hang the parent."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    deadline = time.monotonic() + POOL_EXIT_SECONDS
    for p in processes:
        p.join(max(deadline - time.monotonic(), 0))
        if p.is_alive():
            p.kill()
            p.join(1.0)


class Prepared:
    """Prepared jobs in input order, as ``(line base, batch)``, from worker processes
    (``workers``) or this process. With workers, at most two jobs per worker are in flight, so
    memory stays flat however large the file. When a CSV chunk comes back torn, the rest of
    the file is read again from its start by ``resume(offset, lines before)``."""

    def __init__(
        self,
        preparer: Preparer,
        jobs: Iterator,
        workers: int,
        resume: Callable[[int, int], Iterator] | None = None,
        lines_before: int = 0,
    ):
        self.preparer = preparer
        self.jobs = jobs
        self.workers = workers
        self.resume = resume
        self.lines_before = lines_before
        self.pool: Any = None

    def __enter__(self) -> Prepared:
        if self.workers:
            # An executor, not ``multiprocessing.Pool``: a dead worker breaks it (every
            # pending job fails) instead of leaving ``Pool.terminate`` waiting on a queue.
            self.pool = ProcessPoolExecutor(
                self.workers,
                mp_context=multiprocessing.get_context("fork"),
                initializer=_start_worker,
                initargs=(self.preparer,),
            )
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            _close_pool(self.pool)

    def __iter__(self) -> Iterator[tuple[int, Batch]]:
        jobs: Iterator | None = self.jobs
        base = self.lines_before  # lines before the next CSV chunk
        while jobs is not None:
            batches, jobs = self._in_order(jobs), None
            for batch in batches:
                if batch.torn is not None:
                    assert self.resume is not None
                    jobs = self.resume(batch.torn, base)  # the jobs in flight are dropped
                    break
                yield (0 if batch.lines is None else base), batch
                base += batch.lines or 0

    def _in_order(self, jobs: Iterator) -> Iterator[Batch]:
        if self.pool is None:
            yield from map(self.preparer, jobs)
            return
        pending: collections.deque = collections.deque()
        try:
            for job in jobs:
                pending.append(self.pool.submit(_prepare_in_worker, job))
                if len(pending) >= 2 * self.workers:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        except BrokenProcessPool as exc:
            raise OnethingError(
                _(
                    "导入的工作进程意外退出（内存不足或被终止），未保存任何数据；可用 --workers 0 在本进程内导入",
                    "an import worker process died (out of memory or killed); nothing was stored;"
                    " --workers 0 imports in this process",
                )
            ) from exc
