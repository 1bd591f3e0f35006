"""Registry import + mapping throughput beside the raw speed of the same rows.

    .venv/bin/python benchmarks/registry_import.py                  # 10^5 on SQLite
    .venv/bin/python benchmarks/registry_import.py --pg postgresql+psycopg://postgres@127.0.0.1/test
    .venv/bin/python benchmarks/registry_import.py --million        # also 10^6

A synthetic Liaocheng registry (prepaid_card, catering, elderly_care, medical; generation not
timed) is imported with ``onething.registry.import_file`` — validation, upsert, memberships and
the object–item mapping — into a fresh store, then the same CSV rows are written without the
library (SQLite: ``executemany`` of the raw columns; PostgreSQL: ``COPY``). Each run is its own
process, so "peak MB" is that run's peak resident memory. Goal: library ≥ 0.5 × raw rows/s,
memory flat in N.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

DOMAINS = ("prepaid_card", "catering", "elderly_care", "medical")
CONFIG = """[deployment]
name = "聊城市"
region = "371500"
level = "city"
domains = {domains}
"""


# In foreign-key order: profiles first, then the objects that point to them.
SAME_TABLES = (
    "registry_profile",
    "registry_profile_member",
    "registry_profile_item",
    "registry_object",
)
NULLABLE = {"credit_grade", "risk_grade"}


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def workers_peak_mb() -> float:
    """The largest peak resident memory of this process's (joined) worker processes."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def _pg_schema(url: str) -> tuple[str, dict]:
    import sqlalchemy as sa

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with sa.create_engine(url).begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    return schema, {"options": f"-csearch_path={schema}"}


def _drop(url: str, schema: str) -> None:
    import sqlalchemy as sa

    with sa.create_engine(url).begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))


def child_library(backend: str, url: str, csv_path: str, config: str, workers: str) -> dict:
    from onething import Onething
    from onething.registry import import_file
    from onething.store import Store

    app = Onething.from_config(config)
    _ = app.rulebook  # plugins loaded before the clock starts
    schema = None
    if backend == "sqlite":
        store = Store(f"sqlite:///{Path(csv_path).parent}/lib-{uuid.uuid4().hex[:6]}.db")
    else:
        schema, args = _pg_schema(url)
        store = Store(url, connect_args=args)
    store.upgrade()
    start = time.perf_counter()
    report = import_file(
        store, csv_path, app_or_rulebook=app, workers=None if workers == "auto" else int(workers)
    )
    seconds = time.perf_counter() - start
    mb, worker_mb = peak_mb(), workers_peak_mb()
    export = Path(csv_path).parent
    with store.engine.connect() as conn:  # untimed: the rows the same-tables baseline writes
        profiles = conn.exec_driver_sql("SELECT count(*) FROM registry_profile").scalar_one()
        for table in SAME_TABLES:
            with open(export / f"{table}.csv", "w", encoding="utf-8", newline="") as fh:
                out = csv.writer(fh)
                result = conn.exec_driver_sql(f"SELECT * FROM {table}")
                out.writerow(result.keys())
                for row in result:
                    out.writerow([json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list)
                                  else v for v in row])  # fmt: skip
    store.dispose()
    if schema:
        _drop(url, schema)
    return {
        "rows": report.inserted,
        "pairs": report.mapped,
        "profiles": profiles,
        "seconds": seconds,
        "mb": mb,
        "worker_mb": worker_mb,
    }


def child_same(backend: str, url: str, csv_path: str) -> dict:
    """The library's own rows (objects, memberships, object–item pairs, exported from its
    run) written without it into the same schema (indexes, foreign keys), in one transaction:
    SQLite ``executemany`` in batches of 2,000 objects; PostgreSQL ``COPY``."""
    from onething.store import Store

    folder = Path(csv_path).parent
    schema = None
    if backend == "sqlite":
        db = folder / f"same-{uuid.uuid4().hex[:6]}.db"
        store = Store(f"sqlite:///{db}")
    else:
        schema, args = _pg_schema(url)
        store = Store(url, connect_args=args)
    store.upgrade()
    store.dispose()
    start = time.perf_counter()
    if backend == "sqlite":
        import sqlite3

        conn = sqlite3.connect(db, isolation_level=None)
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("BEGIN")
        conn.execute(
            "INSERT INTO registry_import (id, file, format, mode, started_at, rows, inserted, "
            "updated, unchanged, rejected, flagged) VALUES (1, 'x', 'csv', 'all_or_nothing', "
            "'2026-01-01 00:00:00', 0, 0, 0, 0, 0, 0)"
        )
    else:
        import psycopg

        conn = psycopg.connect(url.replace("+psycopg", ""), options=f"-csearch_path={schema}")
        conn.execute(
            "INSERT INTO registry_import (id, file, format, mode, started_at, rows, inserted, "
            "updated, unchanged, rejected, flagged) VALUES (1, 'x', 'csv', 'all_or_nothing', "
            "'2026-01-01 00:00:00', 0, 0, 0, 0, 0, 0)"
        )
    for table in SAME_TABLES:
        with open(folder / f"{table}.csv", encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            cols = next(reader)
            if "import_id" in cols:
                at = cols.index("import_id")
                reader = ([*r[:at], "1", *r[at + 1 :]] for r in reader)
            if backend == "sqlite":
                sql = (
                    f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
                )
                batch = []
                for r in reader:
                    batch.append(r)
                    if len(batch) == 2000:
                        conn.executemany(sql, batch)
                        batch = []
                conn.executemany(sql, batch)
            else:
                with (
                    conn.cursor() as cur,
                    cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as cp,
                ):
                    for r in reader:
                        cp.write_row([None if v == "" and c in NULLABLE else v
                                      for c, v in zip(cols, r, strict=True)])  # fmt: skip
    if backend == "sqlite":
        conn.execute("COMMIT")
    else:
        conn.commit()
    conn.close()
    seconds = time.perf_counter() - start
    n = sum(1 for _ in open(folder / "registry_object.csv", encoding="utf-8")) - 1
    if schema:
        _drop(url, schema)
    return {"rows": n, "seconds": seconds, "mb": peak_mb()}


def child_raw(backend: str, url: str, csv_path: str) -> dict:
    cols = ["key", "name", "region_code", "address", "domains", "licences", "credit", "risk"]
    start = time.perf_counter()
    n = 0
    with open(csv_path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        rows = (
            (r["uscc"] or r["key"], r["name"], r["region_code"], r["address"], r["domains"],
             r["licences"], r["credit_grade"], r["risk_grade"])
            for r in reader
        )  # fmt: skip
        if backend == "sqlite":
            import sqlite3

            db = Path(csv_path).parent / f"raw-{uuid.uuid4().hex[:6]}.db"
            conn = sqlite3.connect(db)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(f"CREATE TABLE raw ({', '.join(cols)}, PRIMARY KEY (key))")
            batch = []
            for r in rows:
                batch.append(r)
                if len(batch) == 2000:
                    conn.executemany(
                        f"INSERT INTO raw VALUES ({', '.join('?' * len(cols))})", batch
                    )
                    n += len(batch)
                    batch = []
            conn.executemany(f"INSERT INTO raw VALUES ({', '.join('?' * len(cols))})", batch)
            n += len(batch)
            conn.commit()
            conn.close()
        else:
            import psycopg

            schema, _ = _pg_schema(url)
            with psycopg.connect(
                url.replace("+psycopg", ""), options=f"-csearch_path={schema}"
            ) as c:
                c.execute(
                    "CREATE TABLE raw (key text PRIMARY KEY, name text, region_code text, "
                    "address text, domains jsonb, licences jsonb, credit text, risk text)"
                )
                with c.cursor() as cur, cur.copy(f"COPY raw ({', '.join(cols)}) FROM STDIN") as cp:
                    for r in rows:
                        cp.write_row(r)
                        n += 1
            _drop(url, schema)
    seconds = time.perf_counter() - start
    return {"rows": n, "seconds": seconds, "mb": peak_mb()}


def run_child(*args: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", *args], check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def fastest(repeat: int, *args: str) -> dict:
    """The fastest of ``repeat`` runs (each in its own process): the machine's other work
    only ever slows a run down."""
    runs = [run_child(*args) for _ in range(max(repeat, 1))]
    return min(runs, key=lambda r: r["seconds"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100000", help="comma-separated sizes")
    parser.add_argument("--million", action="store_true", help="also 10^6")
    parser.add_argument("--pg", default=None, help="PostgreSQL URL (also benchmark PostgreSQL)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--workers", default="auto", help="the library's worker processes (auto: its default)"
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs of each measurement; the fastest is shown"
    )
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, backend, url, csv_path, *rest = args.child
        if kind == "lib":
            result = child_library(backend, url, csv_path, *rest)
        elif kind == "same":
            result = child_same(backend, url, csv_path)
        else:
            result = child_raw(backend, url, csv_path)
        print(json.dumps(result))
        return

    from onething import Onething
    from onething.registry import synth

    sizes = [int(s) for s in args.sizes.split(",")] + ([1_000_000] if args.million else [])
    backends = ["sqlite"] + (["postgresql"] if args.pg else [])
    print(f"workers: {args.workers}; load before: {os.getloadavg()[0]:.1f}")
    print("| objects | backend | library rows/s | profiles | object–item pairs | raw rows/s "
          "| library/raw | same-rows raw rows/s | library/same-rows | library peak MB "
          "(worker) | raw peak MB | same-rows peak MB | load |")  # fmt: skip
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "onething.toml"
        config.write_text(CONFIG.format(domains=json.dumps(list(DOMAINS))), "utf-8")
        app = Onething.from_config(config)
        for n in sizes:
            path = Path(tmp) / f"registry-{n}.csv"
            synth.write(app.domains, "371500", n, args.seed, path)
            os.sync()  # the file's write-back would otherwise run during the first measurement
            for backend in backends:
                url = args.pg or ""
                lib = fastest(
                    args.repeat, "lib", backend, url, str(path), str(config), args.workers
                )
                raw = fastest(args.repeat, "raw", backend, url, str(path))
                same = fastest(args.repeat, "same", backend, url, str(path))
                lib_rate = lib["rows"] / lib["seconds"]
                raw_rate = raw["rows"] / raw["seconds"]
                same_rate = same["rows"] / same["seconds"]
                print(
                    f"| {n:,} | {backend} | {lib_rate:,.0f} | {lib['profiles']:,} "
                    f"| {lib['pairs']:,} | {raw_rate:,.0f} | {lib_rate / raw_rate:.2f} "
                    f"| {same_rate:,.0f} | {lib_rate / same_rate:.2f} "
                    f"| {lib['mb']:.0f} ({lib['worker_mb']:.0f}) | {raw['mb']:.0f} "
                    f"| {same['mb']:.0f} | {os.getloadavg()[0]:.1f} |",
                    flush=True,
                )
            path.unlink()


if __name__ == "__main__":
    main()
