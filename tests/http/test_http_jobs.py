"""Long work as jobs over HTTP (SQLite and PostgreSQL): an import, a risk evaluation and a plan
draw answer 202 with the job at Location, the job's status resource gives its progress and
then the document the command line prints (or its located problem); an upload is checked for
its media type (415) and for what can be told at once (422) before it is accepted."""

from __future__ import annotations

import time

from http_support import REGION, _valid, auth

from onething.registry.uscc import make_uscc

OTHER = make_uscc("9", "1", "371502", "MA3C0002")
CSV = f"uscc,name,region_code,fake.object_types\n{OTHER},第二家商店,{REGION},shop\n"


def _finished(c, r, timeout=30.0) -> dict:
    assert r.status_code == 202, r.text
    where = r.headers["Location"]
    assert where == f"/jobs/{r.json()['id']}"
    _valid(r.json(), "job")
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        job = c.get(where, headers=auth()).json()
        if job["status"] in ("succeeded", "failed"):
            return _valid(job, "job")
        time.sleep(0.05)
    raise AssertionError(f"job {where} did not finish")


def test_an_import_is_a_job_whose_result_is_the_import_report(service):
    c = service
    r = c.post(
        "/registry/imports",
        content=CSV.encode(),
        headers={**auth(), "Content-Type": "text/csv; charset=utf-8"},
    )
    job = _finished(c, r)
    assert job["kind"] == "registry.import" and job["subject"] == "u-1001", job
    assert job["status"] == "succeeded", job["problem"]
    assert job["result"]["inserted"] == 1 and job["result"]["source"] == "request body"
    assert job["done"] == job["total"]
    assert c.get(f"/registry/objects/{OTHER}", headers=auth()).status_code == 200
    # a bad row: the job fails with the located problem, nothing stored
    bad = CSV.replace(OTHER, make_uscc("9", "1", "371502", "MA3C0003")).replace(REGION, "999999")
    job = _finished(c, c.post("/registry/imports", content=bad.encode(), headers={
        **auth(), "Content-Type": "text/csv"}))  # fmt: skip
    assert job["status"] == "failed" and job["result"] is None
    p = _valid(job["problem"], "problem")
    assert p["status"] == 422 and p["location"].startswith("request body:2"), p
    assert c.get("/jobs/0123abcd", headers=auth()).status_code == 404


def test_an_upload_of_the_wrong_type_or_shape_is_refused_before_it_is_a_job(service, store):
    c = service
    jobs_before = _count_jobs(store)
    # JSON posted as CSV: its "header" {} is no column the registry knows
    r = c.post("/registry/imports", content=b"{}", headers={**auth(), "Content-Type": "text/csv"})
    assert r.status_code == 422 and r.headers["Content-Type"] == "application/problem+json"
    p = _valid(r.json(), "problem")
    assert (p["location"], p["path"]) == ("request body:1", "{}") and "未知列" in p["detail"]
    for content_type in ("application/json", "application/pdf", None):
        headers = auth() | ({"Content-Type": content_type} if content_type else {})
        r = c.post("/registry/imports", content=CSV.encode(), headers=headers)
        assert r.status_code == 415, (content_type, r.text)
        p = _valid(r.json(), "problem")
        assert p["location"] == "Content-Type" and "text/csv" in p["accepted"]
    empty = c.post("/registry/imports", content=b"", headers={**auth(), "Content-Type": "text/csv"})
    assert empty.status_code == 422 and "文件为空" in empty.json()["detail"]
    lines = c.post(
        "/registry/imports",
        content=b"[1, 2]\n",
        headers={**auth(), "Content-Type": "application/x-ndjson"},
    )
    assert lines.status_code == 422 and lines.json()["location"] == "request body:1"
    # JSON operations take JSON only
    r = c.post("/records", content=b"{}", headers={**auth(), "Content-Type": "text/csv"})
    assert r.status_code == 415 and r.json()["accepted"] == ["application/json"]
    assert _count_jobs(store) == jobs_before, "nothing was accepted"


def test_risk_evaluation_and_a_plan_draw_are_jobs(service):
    c = service
    job = _finished(c, c.post("/risk/evaluations", params={"at": "2026-06-30"}, headers=auth()))
    assert job["status"] == "succeeded", job["problem"]
    assert set(job["result"]) >= {"rules", "fired", "new_warnings", "cases_opened", "graded"}
    assert job["result"]["on"] == "2026-06-30"

    bad = c.post("/plans", json={"cycle": "2026Q5", "seed": "s"}, headers=auth())
    assert bad.status_code == 422 and bad.json()["path"] == "cycle"
    extra = c.post("/plans", json={"cycle": "2026Q4", "seed": "s", "why": "x"}, headers=auth())
    assert extra.status_code == 422 and "why" in extra.json()["detail"]
    job = _finished(c, c.post("/plans", json={"cycle": "2026Q4", "seed": "s-1"}, headers=auth()))
    assert job["kind"] == "plan.draw"
    if job["status"] == "failed":  # a deployment without inspectors: located, as the CLI says
        assert job["problem"]["status"] == 422, job["problem"]
        return
    plan = job["result"]
    _valid(plan, "plan")
    verdict = c.post("/plans/verify", json=plan, headers=auth())
    assert verdict.status_code == 200 and _valid(verdict.json(), "plan-verdict")["verified"]
    drawn = c.get("/events", params={"type": "plan.drawn"}, headers=auth()).json()["events"]
    assert [e["data"]["plan"] for e in drawn] == [plan["plan_id"]]
    stored = _valid(c.get(f"/plans/{plan['plan_id']}", headers=auth()).json(), "plan-draw")
    assert stored["plan_sha256"] == plan["plan_sha256"] and stored["in_force"]
    assert [v["id"] for v in stored["visits"]] == sorted(v["id"] for v in plan["visits"])
    assert c.get("/plans/999", headers=auth()).status_code == 404


def _count_jobs(store) -> int:
    import sqlalchemy as sa

    from onething.store.outbox import ServiceJob

    with store.session() as s:
        return s.execute(sa.select(sa.func.count()).select_from(ServiceJob)).scalar_one()


# -- a job whose process ended ------------------------------------------------------------------


def _owner_of(proc) -> str:
    from onething.http.liveness import HOST, _started

    return f"{HOST}:{proc.pid}:{_started(proc.pid)}"


def _open_job(store, owner, *, heartbeat=None, status="running") -> str:
    import datetime as dt
    import uuid

    from onething.store.outbox import ServiceJob

    job_id = uuid.uuid4().hex
    with store.session() as s:
        s.add(
            ServiceJob(
                id=job_id,
                kind="registry.import",
                status=status,
                subject="u-1001",
                created_at=dt.datetime.now(dt.UTC),
                owner=owner,
                heartbeat_at=heartbeat,
            )
        )
    return job_id


def _sleeper():
    import subprocess
    import sys

    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])


def test_a_job_whose_process_ended_is_reported_interrupted_and_one_still_running_is_not(
    service, store
):
    import datetime as dt

    c = service
    ended, living = _sleeper(), _sleeper()
    try:
        dead_owner = _owner_of(ended)
        ended.kill()
        ended.wait()
        alive_owner = _owner_of(living)
        host, pid, start = alive_owner.rsplit(":", 2)
        jobs = {
            "ended": _open_job(store, dead_owner),
            "queued, ended": _open_job(store, dead_owner, status="queued"),
            # the pid given to a later process: its start time tells them apart
            "pid reused": _open_job(store, f"{host}:{pid}:{int(start) - 1}"),
            "running": _open_job(store, alive_owner),
            "no owner recorded": _open_job(store, None),
        }
        now = dt.datetime.now(dt.UTC)
        elsewhere = {  # another host's jobs: only a heartbeat can tell (PostgreSQL)
            "stale": _open_job(store, "elsewhere:1:1", heartbeat=now - dt.timedelta(minutes=5)),
            "fresh": _open_job(store, "elsewhere:1:1", heartbeat=now),
        }
        got = {
            k: _valid(c.get(f"/jobs/{v}", headers=auth()).json(), "job") for k, v in jobs.items()
        }
        for k in ("ended", "queued, ended", "pid reused"):
            assert got[k]["status"] == "failed" and got[k]["finished_at"], (k, got[k])
            p = _valid(got[k]["problem"], "problem")
            assert p["type"].endswith("/interrupted") and p["status"] == 500, p
            assert p["title"] == "任务中断" and "请重新提交" in p["detail"], p
        assert dead_owner in got["ended"]["problem"]["detail"]
        assert got["running"]["status"] == got["no owner recorded"]["status"] == "running"
        again = c.get(f"/jobs/{jobs['ended']}", headers=auth()).json()
        assert again == got["ended"], "reported once, then kept"
        other = {
            k: c.get(f"/jobs/{v}", headers=auth()).json()["status"] for k, v in elsewhere.items()
        }
        heartbeats = store.dialect == "postgresql"
        assert other == {"stale": "failed" if heartbeats else "running", "fresh": "running"}
    finally:
        living.kill()
        living.wait()


def test_a_service_process_starting_fails_the_jobs_of_ended_processes(store):
    from types import SimpleNamespace

    from onething.http.jobs import Jobs
    from onething.http.settings import HttpSettings
    from onething.store.outbox import ServiceJob

    ended, living = _sleeper(), _sleeper()
    try:
        dead = _open_job(store, _owner_of(ended))
        ended.kill()
        ended.wait()
        alive = _open_job(store, _owner_of(living))
        jobs = Jobs(SimpleNamespace(store=store), HttpSettings())
        try:
            with store.session() as s:
                status = {j: s.get(ServiceJob, j).status for j in (dead, alive)}
            assert status == {dead: "failed", alive: "running"}
            assert jobs.reap() == 0, "each job failed once"
        finally:
            jobs.shutdown()
    finally:
        living.kill()
        living.wait()
