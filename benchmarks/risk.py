"""Benchmark: every rule over N objects with a few facts each, beside two baselines in the same
run that answer the same rules without the library: DuckDB reading the store's SQLite file
itself (its sqlite scanner, one SQL query per rule; the strong baseline) and the same rules
written by hand as Polars queries over the facts read through SQLAlchemy. The engine and both
baselines are timed alike (nothing traced); the engine is ``fire_frames``, what the CLI and the
service run (a frame of what fires per rule, no Python object per warning); its peak Python
allocations are measured in a separate run under ``tracemalloc``. Goal (#31): engine ≤ 1.5 × DuckDB on the store, same
answers.

    .venv/bin/python benchmarks/risk.py [--size 100000] [--seed 1]

DuckDB needs ``duckdb`` and its sqlite scanner as a package (``duckdb-extension-sqlite-scanner``
of the same version; requirements-dev.txt), since DuckDB cannot download extensions here.
"""

from __future__ import annotations

import argparse
import datetime as dt
import glob
import json
import os
import random
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import polars as pl
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "fake_domain"))

from fake_support import FAKE  # noqa: E402

from onething import Rulebook, enable  # noqa: E402
from onething.registry.profiles import profile_id  # noqa: E402
from onething.risk.engine import fire_frames, store_new_frames  # noqa: E402
from onething.risk.facts import day_end  # noqa: E402
from onething.store import Store  # noqa: E402
from onething.store.registry import ProfileMember, RegistryObject  # noqa: E402
from onething.store.risk import FactRow, WarningRow  # noqa: E402

ON = dt.date(2025, 6, 30)


def populate(store: Store, n: int, seed: int) -> None:
    rng = random.Random(seed)
    now = dt.datetime.now(dt.UTC)
    with store.session() as s:
        # two applicability profiles: the engine reads memberships only, so no items
        profile = {t: profile_id(s.connection(), [("fake", t)], [], ON) for t in ("shop", "kiosk")}
        for start in range(0, n, 20_000):
            keys = [f"K{i:09d}" for i in range(start, min(n, start + 20_000))]
            kinds = ["shop" if rng.random() < 0.75 else "kiosk" for _ in keys]
            s.execute(
                sa.insert(RegistryObject),
                [
                    {
                        "key": k,
                        "key_kind": "alt",
                        "name": k,
                        "region_code": "371502",
                        "updated_at": now,
                        "domains": {
                            "fake": {
                                "object_types": [t],
                                "attributes": {"floor_area": rng.randint(5, 200)},
                            }
                        },
                        "licences": [],
                        "profile_id": profile[t],
                    }
                    for k, t in zip(keys, kinds, strict=True)
                ],
            )
            facts = []
            for k in keys:
                day = ON - dt.timedelta(days=rng.randint(0, 60))
                t = dt.datetime.combine(day, dt.time(), dt.UTC)
                facts += [
                    {
                        "key": k,
                        "fact": "cabinet_temperature",
                        "value": rng.randint(0, 12),
                        "observed_at": t,
                    },
                    {
                        "key": k,
                        "fact": "prepaid_balance",
                        "value": rng.randint(0, 200),
                        "observed_at": t,
                    },
                    {"key": k, "fact": "revenue", "value": rng.randint(1, 200), "observed_at": t},
                    {
                        "key": k,
                        "fact": "abnormal_listed",
                        "value": rng.random() < 0.02,
                        "observed_at": t,
                    },
                ]
                facts += [
                    {
                        "key": k,
                        "fact": "complaints",
                        "value": 1,
                        "observed_at": t - dt.timedelta(days=rng.randint(0, 120)),
                    }
                    for _ in range(rng.randint(0, 4))
                ]
            s.execute(
                sa.insert(FactRow),
                [{**f, "source": "bench", "ingested_at": now, "batch": "bench"} for f in facts],
            )


def by_hand(store: Store) -> set[tuple[str, str]]:
    """What a data engineer would write: load the facts, one Polars query per rule."""
    end = day_end(ON)
    with store.engine.connect() as conn:
        facts = pl.read_database(
            sa.select(
                FactRow.key,
                FactRow.fact,
                sa.cast(FactRow.value, sa.Text).label("value"),
                FactRow.observed_at,
                FactRow.id,
            ),
            conn,
            schema_overrides={"value": pl.String},
        )
        types = pl.read_database(
            sa.select(RegistryObject.key, ProfileMember.object_type).join(
                ProfileMember, ProfileMember.profile_id == RegistryObject.profile_id
            ),
            conn,
        )
    facts = facts.with_columns(pl.col("observed_at").dt.replace_time_zone(None)).filter(
        pl.col("observed_at") < end.replace(tzinfo=None)
    )
    latest = facts.sort("observed_at", "id").group_by("key", "fact").last()
    wide = latest.pivot(on="fact", index="key", values="value")
    out: set[tuple[str, str]] = set()
    temp = wide.filter(pl.col("cabinet_temperature").cast(pl.Float64) > 8)
    out |= {(k, "fake.cold_chain") for k in temp["key"]}
    debt = wide.filter(pl.col("revenue").cast(pl.Float64) > 0).filter(
        pl.col("prepaid_balance").cast(pl.Float64) / pl.col("revenue").cast(pl.Float64) > 0.5
    )
    out |= {(k, "fake.prepaid_debt") for k in debt["key"]}
    flag = wide.filter(pl.col("abnormal_listed") == "true")
    out |= {(k, "fake.abnormal_list") for k in flag["key"]}
    start = day_end(ON - dt.timedelta(days=90)).replace(tzinfo=None)
    counts = (
        facts.filter((pl.col("fact") == "complaints") & (pl.col("observed_at") >= start))
        .group_by("key")
        .len()
    )
    out |= {(k, "fake.complaints") for k in counts.filter(pl.col("len") >= 3)["key"]}
    _ = types
    return out


def on_the_store(path: str) -> set[tuple[str, str]]:
    """The same rules in DuckDB, reading the store's SQLite file (read only) directly."""
    import duckdb
    import duckdb_extension_sqlite_scanner as scanner

    (extension,) = glob.glob(
        os.path.join(os.path.dirname(scanner.__file__), "extensions", "*", "*.duckdb_extension")
    )
    db = duckdb.connect()
    db.execute(f"LOAD '{extension}'")
    db.execute("SET sqlite_all_varchar = true")  # times as SQLite stores them: ISO text
    db.execute(f"ATTACH '{path}' AS store (TYPE sqlite, READ_ONLY)")
    end = day_end(ON).replace(tzinfo=None).isoformat(sep=" ")
    start = day_end(ON - dt.timedelta(days=90)).replace(tzinfo=None).isoformat(sep=" ")
    rows = db.execute(
        """
        WITH facts AS (
            SELECT key, fact, value, observed_at, CAST(id AS BIGINT) AS id
            FROM store.risk_fact WHERE observed_at < $end
        ), latest AS (
            SELECT key,
                arg_max(value, (observed_at, id)) FILTER (fact = 'cabinet_temperature') AS temp,
                arg_max(value, (observed_at, id)) FILTER (fact = 'prepaid_balance') AS balance,
                arg_max(value, (observed_at, id)) FILTER (fact = 'revenue') AS revenue,
                arg_max(value, (observed_at, id)) FILTER (fact = 'abnormal_listed') AS listed
            FROM facts WHERE fact <> 'complaints' GROUP BY key
        )
        SELECT key, 'fake.cold_chain' FROM latest WHERE CAST(temp AS DOUBLE) > 8
        UNION ALL
        SELECT key, 'fake.prepaid_debt' FROM latest
        WHERE CAST(revenue AS DOUBLE) > 0
          AND CAST(balance AS DOUBLE) / CAST(revenue AS DOUBLE) > 0.5
        UNION ALL
        SELECT key, 'fake.abnormal_list' FROM latest WHERE listed = 'true'
        UNION ALL
        SELECT key, 'fake.complaints' FROM facts
        WHERE fact = 'complaints' AND observed_at >= $start GROUP BY key HAVING count(*) >= 3
        """,
        {"end": end, "start": start},
    ).fetchall()
    db.close()
    return {(k, r) for k, r in rows}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--size", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    load_before = os.getloadavg()[0]
    book = Rulebook(enable(["fake"], entry_points=[FAKE]))
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(f"sqlite:///{tmp}/bench.db")
        store.upgrade()
        populate(store, args.size, args.seed)
        path = f"{tmp}/bench.db"
        store.dispose()  # the file whole on disk before DuckDB reads it
        t0 = time.perf_counter()
        duck = on_the_store(path)
        t_duck = time.perf_counter() - t0
        t0 = time.perf_counter()
        hand = by_hand(store)
        t_hand = time.perf_counter() - t0
        t0 = time.perf_counter()
        _, fired = fire_frames(store, book, ON)  # the CLI's and the service's path: frames
        t_engine = time.perf_counter() - t0
        tracemalloc.start()  # memory in a run of its own: tracing slows the engine down
        fire_frames(store, book, ON)
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        t0 = time.perf_counter()
        store_new_frames(store, fired, ON)
        t_store = time.perf_counter() - t0
        engine = {
            (key, rule.id)
            for rule, frame in fired
            if rule.id != "fake.licence_expiring"
            for key in frame["key"]
        }
        with store.engine.connect() as conn:
            stored = conn.execute(sa.select(sa.func.count()).select_from(WarningRow)).scalar_one()
    print(
        json.dumps(
            {
                "objects": args.size,
                "warnings_stored": stored,
                "warnings": len(engine),
                "same_answers": engine == hand == duck,
                "engine_s": round(t_engine, 2),
                "duckdb_on_the_store_s": round(t_duck, 2),
                "ratio_to_duckdb": round(t_engine / t_duck, 2),
                "goal_ratio_to_duckdb": 1.5,
                "hand_written_polars_s": round(t_hand, 2),
                "ratio_to_polars": round(t_engine / t_hand, 2),
                "then_storing_new_warnings_s": round(t_store, 2),
                "engine_peak_python_MiB": round(peak, 1),
                "cpus": os.cpu_count(),
                "load_average_before": load_before,
                "load_average": os.getloadavg()[0],
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
