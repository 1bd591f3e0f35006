"""Benchmark: requests per second of the HTTP service (``onething serve``, its own process, a
signed token on every call) for ``loop act`` (``POST /cases/{id}/transitions/assess`` with
If-Match) and a checklist read (``GET /checklists?object=KEY``), beside, in the same run,

* **in-process**: the same engine calls the handler makes (``transition`` + ``case`` +
  ``case_json``; ``checklist_of(...).as_json()``), made directly in Python, one after another;
* **hello**: a bare Starlette ``GET /`` answering ``{"ok": true}`` on the same uvicorn, driven
  by the same clients — the floor of HTTP, uvicorn and the client alone.

    .venv/bin/python benchmarks/service.py                                   # SQLite
    .venv/bin/python benchmarks/service.py --pg postgresql+psycopg://postgres@127.0.0.1:5432/test
    .venv/bin/python benchmarks/service.py --requests 500 --clients 4 --json

A deployment of catering (聊城市) with a synthesised registry of ``--size`` businesses; one
warning case opened per ``loop act`` call (each call takes a case from version 1 to 2).
Clients are threads with one keep-alive connection each.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx
import jwt
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
ONETHING = Path(sys.executable).with_name("onething")
SECRET = "benchmark-secret-of-the-host-platform"
REGION = "371500"
ON = "2026-06-01"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _cli(config: Path, *args: str) -> None:
    subprocess.run(
        [str(ONETHING), *args, "--config", str(config)],
        check=True,
        capture_output=True,
        env={**os.environ, "BENCH_JWT": SECRET},
    )


def _wait(url: str, proc: subprocess.Popen) -> None:
    for _ in range(600):
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited: {proc.stderr.read().decode()[-2000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=1).status_code == 200:
                return
        time.sleep(0.05)
    raise RuntimeError(f"{url} did not answer")


@contextlib.contextmanager
def _server(args: list[str]):
    proc = subprocess.Popen(
        args,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,  # the request log (JSON lines) is written, as in production
        env={**os.environ, "BENCH_JWT": SECRET},
    )
    drain = threading.Thread(target=lambda: proc.stderr.read(), daemon=True)
    try:
        yield proc, drain
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def _drive(base: str, requests: list[tuple[str, str, dict, dict | None]], clients: int) -> float:
    """Send ``requests`` (method, path, headers, json) over ``clients`` keep-alive connections;
    every answer must be 2xx. :return: requests per second."""
    chunks = [requests[i::clients] for i in range(clients)]
    errors: list[str] = []
    start = threading.Barrier(clients + 1)

    def run(mine):
        with httpx.Client(base_url=base, timeout=60) as c:
            c.get("/health")  # open the connection before the clock starts
            start.wait()
            for method, path, headers, body in mine:
                r = c.request(method, path, headers=headers, json=body)
                if not 200 <= r.status_code < 300:
                    errors.append(f"{method} {path}: {r.status_code} {r.text[:300]}")

    threads = [threading.Thread(target=run, args=(ch,)) for ch in chunks]
    for t in threads:
        t.start()
    start.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    secs = time.perf_counter() - t0
    if errors:
        raise RuntimeError(f"{len(errors)} failed, first: {errors[0]}")
    return len(requests) / secs


def _pg_schema(url: str) -> tuple[str, str]:
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with sa.create_engine(url).begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    return schema, f"{url}?options=-csearch_path%3D{schema}"


def bench(backend: str, pg: str | None, size: int, n: int, clients: int, tmp: Path) -> dict:
    from onething import Onething
    from onething.checklist._objects import checklist_of
    from onething.loop import Actor, CaseSource, case, open_case, transition
    from onething.loop.documents import Labels, case_json
    from onething.store.registry import RegistryObject

    schema = None
    if backend == "sqlite":
        url = f"sqlite:///{tmp}/{backend}.db"
    else:
        schema, url = _pg_schema(pg)
    config = tmp / f"{backend}.toml"
    config.write_text(
        f'[deployment]\nname = "聊城市"\nregion = "{REGION}"\nlevel = "city"\n'
        f'domains = ["catering"]\n[storage]\nurl = "{url}"\n'
        '[http]\nauth = "jwt"\n[http.jwt]\nalgorithms = ["HS256"]\nsecret_env = "BENCH_JWT"\n',
        "utf-8",
    )
    os.environ["BENCH_JWT"] = SECRET
    registry = tmp / "registry.csv"
    _cli(config, "db", "upgrade")
    if not registry.exists():
        _cli(
            config,
            "registry",
            "synth",
            "--region",
            REGION,
            "--size",
            str(size),
            "--out",
            str(registry),
        )
    _cli(config, "registry", "import", str(registry), "--at", ON)

    app = Onething.from_config(config)
    try:
        with app.store.session() as s:
            objects = s.execute(
                sa.select(RegistryObject.key, RegistryObject.region_code).order_by(
                    RegistryObject.key
                )
            ).all()
        loop = app.loop
        ids = [
            open_case(
                app.store,
                loop,
                CaseSource(kind="warning", domain="catering", object_key=k),
                region=r,
            ).id
            for k, r in (objects[i % len(objects)] for i in range(2 * n))
        ]
        lead = loop.lead["catering"]
        actor = Actor(department=lead, role="reviewer", region=REGION, subject="bench")
        token = jwt.encode(
            {"sub": "bench", "department": lead, "role": "reviewer", "region": REGION,
             "exp": dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)},
            SECRET, algorithm="HS256",
        )  # fmt: skip
        auth = {"Authorization": f"Bearer {token}"}
        keys = [k for k, _r in objects]

        # -- in-process: the handlers' engine calls, directly ---------------------------------
        labels = Labels(app, loop)
        t0 = time.perf_counter()
        for cid in ids[n:]:
            transition(app.store, loop, cid, "assess", actor, version=1)
            case_json(case(app.store, loop, cid, actor=actor), labels)
        act_direct = n / (time.perf_counter() - t0)
        day = dt.date.fromisoformat(ON)
        checklist_of(app, day, object_key=keys[0]).as_json()  # warm, as the server is
        t0 = time.perf_counter()
        for i in range(n):
            checklist_of(app, day, object_key=keys[i % len(keys)]).as_json()
        read_direct = n / (time.perf_counter() - t0)
    finally:
        app.close()

    # -- the service in its own process --------------------------------------------------------
    port = _free_port()
    with _server([str(ONETHING), "serve", "--config", str(config), "--port", str(port)]) as (
        proc,
        drain,
    ):
        base = f"http://127.0.0.1:{port}"
        _wait(f"{base}/health", proc)
        drain.start()
        warm = [("GET", f"/checklists?object={keys[0]}&at={ON}", auth, None)] * 20
        _drive(base, warm, clients)
        act_http = _drive(
            base,
            [
                ("POST", f"/cases/{cid}/transitions/assess", {**auth, "If-Match": '"1"'}, {})
                for cid in ids[:n]
            ],
            clients,
        )
        read_http = _drive(
            base,
            [
                ("GET", f"/checklists?object={keys[i % len(keys)]}&at={ON}", auth, None)
                for i in range(n)
            ],
            clients,
        )
    if schema:
        with sa.create_engine(pg).begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
    return {
        "backend": backend,
        "loop_act_http": act_http,
        "loop_act_in_process": act_direct,
        "checklist_http": read_http,
        "checklist_in_process": read_direct,
    }


def hello(n: int, clients: int) -> float:
    port = _free_port()
    code = (
        "import sys, uvicorn; sys.path.insert(0, sys.argv[1]); from http_bench_hello import app;"
        " uvicorn.run(app, host='127.0.0.1', port=int(sys.argv[2]), log_level='warning',"
        " access_log=False)"
    )
    with tempfile.TemporaryDirectory() as d:
        Path(d, "http_bench_hello.py").write_text(_HELLO, "utf-8")
        with _server([sys.executable, "-c", code, d, str(port)]) as (proc, drain):
            base = f"http://127.0.0.1:{port}"
            _wait(f"{base}/health", proc)
            drain.start()
            _drive(base, [("GET", "/", {}, None)] * 20, clients)
            return _drive(base, [("GET", "/", {}, None)] * n, clients)


_HELLO = """
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route


async def hello(_request):
    return JSONResponse({"ok": True})


app = Starlette(routes=[Route("/", hello), Route("/health", hello)])
"""


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--pg", default=None, help="also on this PostgreSQL (a schema of its own)")
    ap.add_argument("--size", type=int, default=500, help="businesses in the registry")
    ap.add_argument("--requests", type=int, default=400, help="calls of each kind")
    ap.add_argument("--clients", type=int, default=4, help="concurrent HTTP clients")
    ap.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as d:
        for backend in ["sqlite"] + (["postgresql"] if args.pg else []):
            rows.append(bench(backend, args.pg, args.size, args.requests, args.clients, Path(d)))
    floor = hello(args.requests, args.clients)
    for r in rows:
        r["hello_http"] = floor
    meta = {"requests": args.requests, "clients": args.clients, "size": args.size,
            "load": os.getloadavg()[0], "cpus": os.cpu_count()}  # fmt: skip
    if args.json:
        print(json.dumps({**meta, "rows": rows}, indent=2))
        return
    print(
        f"{args.requests} calls of each kind, {args.clients} HTTP clients, {args.size} businesses, "
        f"load {meta['load']:.1f} on {meta['cpus']} CPUs\n"
    )
    print(
        "| backend | call | HTTP req/s | in-process calls/s | HTTP / in-process | hello req/s | HTTP / hello |"
    )
    print("|---|---|---:|---:|---:|---:|---:|")
    for r in rows:
        for name, key in (
            ("loop act (assess, If-Match)", "loop_act"),
            ("checklist read", "checklist"),
        ):
            h, p = r[f"{key}_http"], r[f"{key}_in_process"]
            print(
                f"| {r['backend']} | {name} | {h:,.0f} | {p:,.0f} | {h / p:.2f} | {floor:,.0f} | {h / floor:.2f} |"
            )


if __name__ == "__main__":
    main()
