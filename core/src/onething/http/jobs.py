"""Long work as jobs: a registry import, a risk evaluation, a plan draw answer ``202 Accepted``
at once with ``Location: /jobs/{id}``; the work runs in the service's job threads, its status
and progress in the database (``service_job``, so any process of the service answers
``GET /jobs/{id}``), and once done its result — the document the command line prints with
``--format json`` — or its problem (RFC 9457, as a synchronous call would have answered).

A job whose process ends before it finishes is reported ``failed`` with an ``interrupted``
problem — by the next ``GET /jobs/{id}`` and by every service process as it starts (see
:mod:`.liveness` for how an ended process is told) — its work rolled back with its
transaction; submit it again (an import of the same file is idempotent, a second draw of a
cycle is a redraw and needs its reason)."""

from __future__ import annotations

import contextvars
import datetime as dt
import shutil
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import sqlalchemy as sa

from ..errors import NotFound
from ..i18n import _
from ..store.outbox import ServiceJob
from . import liveness, logs
from .problems import Problem, from_error, problem
from .settings import HttpSettings

KINDS = ("registry.import", "risk.evaluate", "plan.draw")
#: the states of a job not yet finished
OPEN = ("queued", "running")
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
        self.owner = liveness.me()
        self._stop = threading.Event()
        self.reap()
        if self._shared:
            threading.Thread(target=self._beat, name="onething-job-heartbeat", daemon=True).start()

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
            owner=self.owner,
            heartbeat_at=_now() if self._shared else None,
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
            if doc["status"] in OPEN and row.owner != self.owner:
                now = _now()
                if liveness.gone(row.owner, row.heartbeat_at, now, heartbeats=self._shared):
                    doc = self._interrupt(s, row, now) or doc
        if doc["status"] == "running" and job_id in self._progress:
            doc["done"], doc["total"] = self._progress[job_id]
        return doc

    def reap(self) -> int:
        """Mark failed every open job whose process has ended. :return: how many."""
        now, n = _now(), 0
        with self.store.session() as s:
            rows = s.execute(sa.select(ServiceJob).where(ServiceJob.status.in_(OPEN))).scalars()
            for row in list(rows):
                if row.owner != self.owner and liveness.gone(
                    row.owner, row.heartbeat_at, now, heartbeats=self._shared
                ):
                    n += self._interrupt(s, row, now) is not None
        return n

    def _interrupt(self, s, row: ServiceJob, now: dt.datetime) -> dict[str, Any] | None:
        """Fail ``row`` as interrupted unless it moved on meanwhile. :return: its document."""
        body = problem(
            500,
            "interrupted",
            _(
                f"运行该任务的服务进程（{row.owner}）在任务完成前已结束；任务的改动已随其事务回滚，"
                "请重新提交",
                f"the service process that ran this job ({row.owner}) ended before the job "
                "finished; its changes were rolled back with its transaction: submit it again",
            ),
        ).body(f"/jobs/{row.id}")
        done = s.execute(
            sa.update(ServiceJob)
            .where(ServiceJob.id == row.id, ServiceJob.status == row.status)
            .values(status="failed", finished_at=now, problem=body)
        )
        if done.rowcount != 1:
            return None
        s.flush()
        s.refresh(row)
        logs.emit(self.log, event="job-interrupted", job=row.id, owner=row.owner)
        return as_json(row)

    def _beat(self) -> None:
        """Renew the heartbeat of this process's open jobs (PostgreSQL) until shut down."""
        while not self._stop.wait(liveness.HEARTBEAT_EVERY):
            try:
                with self.store.session() as s:
                    s.execute(
                        sa.update(ServiceJob)
                        .where(ServiceJob.owner == self.owner, ServiceJob.status.in_(OPEN))
                        .values(heartbeat_at=_now())
                    )
            except Exception as exc:  # a database away for a while: the next beat retries
                logs.emit(self.log, event="job-heartbeat-error", error=repr(exc))

    def shutdown(self) -> None:
        self._stop.set()
        self._pool.shutdown(wait=True, cancel_futures=False)


def remove_tree(path) -> Callable[[], None]:
    return lambda: shutil.rmtree(path, ignore_errors=True)


__all__ = ["KINDS", "Jobs", "as_json", "remove_tree"]
