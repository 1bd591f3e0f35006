"""A registry of every object kind with its relations, beside the raw speed of the same rows.

    .venv/bin/python benchmarks/registry_relations.py                     # ~10^5 objects, SQLite
    .venv/bin/python benchmarks/registry_relations.py --pg postgresql+psycopg://postgres@127.0.0.1/test

A synthetic city (``tests/fake_domain/city_support.synth_city`` with the ``fakecity`` test
plugin: a platform's vehicles and their drivers — persons, keyed by HMAC — projects with their
sites and units, chemical works with installations; generation not timed) of about 10^5
objects and 10^5 relations is imported with ``onething.registry.import_file`` and
``onething.registry.relations.import_relations_file``, then the planner reads where objects
are (``load_presence``). The raw baseline writes the same rows without the library: objects as
6 raw columns into a table with a primary key, relations as 5 columns into a table with the
relations' unique key (SQLite ``executemany`` in batches of 2,000, PostgreSQL ``COPY``). Each
run is its own process; "peak MB" is its peak resident memory.
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "fake_domain"))

CONFIG = """[deployment]
name = "聊城市"
region = "371500"
level = "city"
domains = ["fakecity"]
[storage]
url = "{url}"
"""
OBJECT_COLUMNS = ("object_kind", "uscc", "key", "name", "region_code", "domains")
RELATION_COLUMNS = ("type", "source", "target", "valid_from", "valid_to")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _install_fakecity() -> None:
    from importlib import metadata

    from fake_support import FAKECITY

    import onething.plugins

    real = metadata.entry_points

    def entry_points(**kw):
        extra = [FAKECITY] if kw.get("group") == "onething.domains" else []
        return [*real(**kw), *extra]

    onething.plugins.metadata.entry_points = entry_points


def _pg_schema(url: str) -> str:
    import sqlalchemy as sa

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with sa.create_engine(url).begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    return schema


def _drop(url: str, schema: str) -> None:
    import sqlalchemy as sa

    with sa.create_engine(url).begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))


def child_library(backend: str, url: str, objects: str, relations: str) -> dict:
    import datetime as dt

    from city_support import SECRET

    os.environ["ONETHING_PERSON_SECRET"] = SECRET
    _install_fakecity()
    from onething import Onething
    from onething.planning.presence import load_presence
    from onething.registry import import_file
    from onething.registry.relations import import_relations_file

    tmp = Path(objects).parent
    schema = None
    if backend == "sqlite":
        store_url = f"sqlite:///{tmp}/lib-{uuid.uuid4().hex[:6]}.db"
    else:
        schema = _pg_schema(url)
        store_url = f"{url}?options=-csearch_path%3D{schema}"
    config = tmp / f"onething-{uuid.uuid4().hex[:6]}.toml"
    config.write_text(CONFIG.format(url=store_url), "utf-8")
    app = Onething.from_config(config)
    _ = app.rulebook
    app.store.upgrade()
    try:
        start = time.perf_counter()
        obj = import_file(app.store, objects, app_or_rulebook=app)
        mid = time.perf_counter()
        rel = import_relations_file(app.store, relations, app_or_rulebook=app)
        end = time.perf_counter()
        presence = load_presence(app.store, app.rulebook, dt.date(2026, 1, 1))
        after = time.perf_counter()
    finally:
        app.close()
        if schema:
            _drop(url, schema)
    return {
        "objects": obj.inserted,
        "relations": rel.inserted,
        "object_seconds": mid - start,
        "relation_seconds": end - mid,
        "presence_seconds": after - end,
        "offsite": len(presence.offsite),
        "at_places": len(presence.places),
        "mb": peak_mb(),
    }


def child_raw(backend: str, url: str, objects: str, relations: str) -> dict:
    def read(path, cols):
        with open(path, encoding="utf-8", newline="") as fh:
            yield from (tuple(r[c] or None for c in cols) for r in csv.DictReader(fh))

    obj_cols = ("key", "object_kind", "name", "region_code", "domains")
    out = {}
    if backend == "sqlite":
        import sqlite3

        conn = sqlite3.connect(Path(objects).parent / f"raw-{uuid.uuid4().hex[:6]}.db")
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE o (key PRIMARY KEY, object_kind, name, region_code, domains)")
        conn.execute(
            "CREATE TABLE r (id INTEGER PRIMARY KEY, type, source, target, valid_from, valid_to,"
            " UNIQUE (type, source, target, valid_from))"
        )
        for table, path, cols, names in (
            ("o", objects, OBJECT_COLUMNS, obj_cols),
            ("r", relations, RELATION_COLUMNS, RELATION_COLUMNS),
        ):
            start = time.perf_counter()
            rows = (
                (r[1] or r[2], r[0], r[3], r[4], r[5]) if table == "o" else r
                for r in read(path, cols)
            )
            sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
            batch, n = [], 0
            for r in rows:
                batch.append(r)
                if len(batch) == 2000:
                    conn.executemany(sql, batch)
                    n, batch = n + len(batch), []
            conn.executemany(sql, batch)
            conn.commit()
            out[table] = (n + len(batch), time.perf_counter() - start)
        conn.close()
    else:
        import psycopg

        schema = _pg_schema(url)
        with psycopg.connect(url.replace("+psycopg", ""), options=f"-csearch_path={schema}") as c:
            c.execute(
                "CREATE TABLE o (key text PRIMARY KEY, object_kind text, name text, "
                "region_code text, domains jsonb)"
            )
            c.execute(
                "CREATE TABLE r (id serial PRIMARY KEY, type text, source text, target text, "
                "valid_from date, valid_to date, UNIQUE (type, source, target, valid_from))"
            )
            for table, path, cols, names in (
                ("o", objects, OBJECT_COLUMNS, obj_cols),
                ("r", relations, RELATION_COLUMNS, RELATION_COLUMNS),
            ):
                start, n = time.perf_counter(), 0
                with (
                    c.cursor() as cur,
                    cur.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as cp,
                ):
                    for r in read(path, cols):
                        cp.write_row((r[1] or r[2], r[0], r[3], r[4], r[5]) if table == "o" else r)
                        n += 1
                c.commit()
                out[table] = (n, time.perf_counter() - start)
        _drop(url, schema)
    return {
        "objects": out["o"][0],
        "object_seconds": out["o"][1],
        "relations": out["r"][0],
        "relation_seconds": out["r"][1],
        "mb": peak_mb(),
    }


def run_child(*args: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", *args], check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def write_city(tmp: Path, vehicles: int, projects: int, installations: int) -> tuple[Path, Path]:
    from city_support import synth_city

    objects, relations = synth_city(vehicles, projects, installations)
    paths = tmp / "objects.csv", tmp / "relations.csv"
    for path, rows, cols in (
        (paths[0], objects, OBJECT_COLUMNS),
        (paths[1], relations, RELATION_COLUMNS),
    ):
        with path.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(cols)
            for r in rows:
                w.writerow(
                    json.dumps(r[c], ensure_ascii=False) if c == "domains" else (r.get(c) or "")
                    for c in cols
                )
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--vehicles", type=int, default=49_000)
    parser.add_argument("--projects", type=int, default=400)
    parser.add_argument("--installations", type=int, default=1_000)
    parser.add_argument("--pg", default=None, help="PostgreSQL URL (also benchmark PostgreSQL)")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        if args.child[0] == "gen":  # apart: a child's peak memory would include the city's
            _, tmp, vehicles, projects, installations = args.child
            write_city(Path(tmp), int(vehicles), int(projects), int(installations))
            print("{}")
            return
        kind, backend, url, objects, relations = args.child
        child = child_library if kind == "lib" else child_raw
        print(json.dumps(child(backend, url, objects, relations)))
        return
    backends = ["sqlite"] + (["postgresql"] if args.pg else [])
    print(f"load before: {os.getloadavg()[0]:.1f}")
    print(
        "| objects | relations | backend | library objects/s | library relations/s "
        "| raw objects/s | raw relations/s | library/raw objects | library/raw relations "
        "| presence read s | library peak MB | raw peak MB |"
    )
    print("|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        run_child("gen", tmp, str(args.vehicles), str(args.projects), str(args.installations))
        objects, relations = Path(tmp) / "objects.csv", Path(tmp) / "relations.csv"
        os.sync()
        for backend in backends:
            url = args.pg or ""
            lib = run_child("lib", backend, url, str(objects), str(relations))
            raw = run_child("raw", backend, url, str(objects), str(relations))
            lo, lr = (
                lib["objects"] / lib["object_seconds"],
                lib["relations"] / lib["relation_seconds"],
            )
            ro, rr = (
                raw["objects"] / raw["object_seconds"],
                raw["relations"] / raw["relation_seconds"],
            )
            print(
                f"| {lib['objects']:,} | {lib['relations']:,} | {backend} | {lo:,.0f} | {lr:,.0f} "
                f"| {ro:,.0f} | {rr:,.0f} | {lo / ro:.2f} | {lr / rr:.2f} "
                f"| {lib['presence_seconds']:.2f} | {lib['mb']:.0f} | {raw['mb']:.0f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
