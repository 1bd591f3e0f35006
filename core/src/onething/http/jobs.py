"""Long work as jobs: a registry import, a risk evaluation, a plan draw answer ``202 Accepted``
at once with ``Location: /jobs/{id}``; the work runs in the service's job threads, its status
and progress in the database (``service_job``, so any process of the service answers
``GET /jobs/{id}``), and once done its result — the document the command line prints with
``--format json`` — or its problem (RFC 9457, as a synchronous call would have answered).

A job whose process ends while it runs stays ``running``: ``GET /jobs/{id}`` says since when
(``created_at``); run it again (an import of the same file is idempotent, a second draw of a
cycle is a redraw and needs its reason)."""

from __future__ import annotations

import contextvars
import datetime as dt
import shutil
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import sqlalchemy as sa

from ..errors import NotFound
from ..store.outbox import ServiceJob
from . import logs
from .problems import Problem, from_error
from .settings import HttpSettings

KINDS = ("registry.import", "risk.evaluate", "plan.draw")
#: progress is written to the database at most this often (seconds)
PROGRESS_EVERY = 0.5

Work = Callable[[Callable[[int, int | None], None]], dict[str, Any]]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _iso(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).isoformat()


def as_json(row: ServiceJob) -> dict[str, Any]:
    """The job document (``job.schema.json``)."""
    return {
        "id": row.id,
        "kind": row.kind,
        "status": row.status,
        "done": row.done,
        "total": row.total,
        "subject": row.subject,
        "created_at": _iso(row.created_at),
        "finished_at": _iso(row.finished_at),
        "result": row.result,
        "problem": row.problem,
    }


class Jobs:
    """The service's job runner: ``workers`` threads (default one: a job holds the database's
    write lock on SQLite for most of its run, two would only wait on each other)."""

    def __init__(self, onething, settings: HttpSettings, *, workers: int = 1):
        self.store = onething.store
        self.log = logs.logger(settings)
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="onething-job")
        self._progress: dict[str, tuple[int, int | None]] = {}
        # Progress goes to the database too where a second connection may write while the
        # job's transaction is open (PostgreSQL); SQLite's one write lock is the job's, so
        # there progress is kept in this process (other processes see it at the end).
        self._shared = self.store.dialect == "postgresql"

    def submit(
        self, kind: str, subject: str | None, work: Work, cleanup: Callable[[], None] | None = None
    ) -> dict[str, Any]:
        """Record a queued job and start ``work(progress)`` in a job thread (in the caller's
        language). :return: the job document."""
        assert kind in KINDS, kind
        row = ServiceJob(
            id=uuid.uuid4().hex,
            kind=kind,
            status="queued",
            done=0,
            subject=subject,
            created_at=_now(),
        )
        with self.store.session() as s:
            s.add(row)
        doc = as_json(row)
        ctx = contextvars.copy_context()
        self._pool.submit(ctx.run, self._run, row.id, kind, subject, work, cleanup)
        return doc

    def _update(self, job_id: str, **values: Any) -> None:
        with self.store.session() as s:
            s.execute(sa.update(ServiceJob).where(ServiceJob.id == job_id).values(**values))

    def _run(self, job_id, kind, subject, work: Work, cleanup) -> None:
        start = time.perf_counter()
        last = [0.0]
        self._update(job_id, status="running")

        def progress(done: int, total: int | None) -> None:
            total = None if total is None else int(total)
            self._progress[job_id] = (int(done), total)
            now = time.monotonic()
            if self._shared and now - last[0] >= PROGRESS_EVERY:
                last[0] = now
                self._update(job_id, done=int(done), total=total)

        status, problem = "succeeded", None
        try:
            result = work(progress)
            values: dict[str, Any] = {"result": result}
        except Exception as exc:
            p = exc if isinstance(exc, Problem) else from_error(exc)
            problem = p.body(f"/jobs/{job_id}")
            status, values = "failed", {"problem": problem}
            if p.status >= 500:
                logs.emit(self.log, event="job-error", job=job_id, error=repr(exc))
        finally:
            if cleanup is not None:
                cleanup()
        done, total = self._progress.pop(job_id, (0, None))
        total = total if total is not None else max(done, 1)
        with self.store.session() as s:
            s.execute(
                sa.update(ServiceJob)
                .where(ServiceJob.id == job_id)
                .values(status=status, finished_at=_now(), done=total, total=total, **values)
            )
        logs.emit(
            self.log,
            event="job",
            job=job_id,
            kind=kind,
            status=status,
            subject=subject,
            duration_ms=round((time.perf_counter() - start) * 1000, 2),
            problem=None if problem is None else problem.get("detail"),
        )

    def get(self, job_id: str) -> dict[str, Any]:
        """:raises NotFound: no such job."""
        with self.store.session() as s:
            row = s.get(ServiceJob, job_id)
            if row is None:
                raise NotFound("job", job_id, "no such job")
            doc = as_json(row)
        if doc["status"] == "running" and job_id in self._progress:
            doc["done"], doc["total"] = self._progress[job_id]
        return doc

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=False)


def remove_tree(path) -> Callable[[], None]:
    return lambda: shutil.rmtree(path, ignore_errors=True)


__all__ = ["KINDS", "Jobs", "as_json", "remove_tree"]
