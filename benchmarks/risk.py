"""Benchmark: all eight plugins' real risk rules over a synthetic province, the engine beside
DuckDB reading the same store, in the same run, same answers.

    .venv/bin/python benchmarks/risk.py [--size 100000] [--seed 1] [--store DIR]

The province: a synthetic Shandong registry of N businesses for all eight domains
(``onething.registry.synth``, with the objects the domains draw for them) imported with the
library, then facts for the plugins' own fact names, drawn from the rules (neither is timed):
for each object and each rule of its domains and object types, with probability
``FACT_SHARE`` the rule's facts get a value — on the firing side of the rule's threshold
(its parameter, resolved per object for a templated one) for ``CROSS_SHARE`` of them, on the
other side otherwise, a few exactly at the threshold; numbers, booleans, dates (expiry),
ordinal grades (text thresholds), numerator and denominator (ratio, some zero), events in and
out of the rule's window (count). Some facts have an older observation with another value, a
second one at the same instant (the later row wins) or one after the day evaluated (ignored),
so the latest-value semantics is exercised; attribute conditions are left to filter.

Timed alike, nothing traced, wall and CPU (user + system of this process, DuckDB's threads
included): **DuckDB on the store** — DuckDB reading the store's SQLite file itself (its
sqlite scanner, the ``duckdb-extension-sqlite-scanner`` package of DuckDB's exact version,
requirements-dev.txt): one SQL query, written here from the rule data generically per rule
kind (flag, expiry, threshold — number or text —, ratio, count; object types, attribute
conditions, templated parameters), and the **engine**, ``onething.risk.engine.fire_frames``
(what ``onething risk evaluate`` and the service run). The engine's peak Python allocations
are measured in a separate run under ``tracemalloc``; storing its warnings
(``store_new_frames``) is timed apart, since the baseline stores nothing. ``same_answers``:
the same (object, rule) pairs. Goal (#31): engine ≤ 1.5 × DuckDB on the store.

``--store DIR`` keeps the populated store in DIR (``risk-<size>-<seed>.db``) and reuses it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import glob
import json
import os
import random
import re
import sqlite3
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

import orjson
import sqlalchemy as sa

from onething import Onething
from onething.registry import import_file, synth
from onething.risk.engine import fire_frames, store_new_frames
from onething.risk.facts import day_end
from onething.store.risk import WarningRow

DOMAINS = (
    "catering",
    "construction",
    "elderly_care",
    "hazchem",
    "medical",
    "prepaid_card",
    "training",
    "transport",
)
REGION = "370000"  # Shandong
ON = dt.date(2026, 6, 30)
#: the share of (object, rule) pairs whose facts get a value, and of those on the firing side
FACT_SHARE = 0.3
CROSS_SHARE = 0.15
GRADES = ("A", "B", "C", "D")
#: the key under which the synthetic people's identity numbers are hashed (a benchmark's own)
SECRET = "risk-benchmark-person-secret-0123456789"
CONFIG = """[deployment]
name = "山东省（合成）"
region = "{region}"
level = "province"
domains = {domains}

[storage]
url = "sqlite:///{db}"
"""


# ---------------------------------------------------------------------------------------------
# the province and its facts (not timed)
# ---------------------------------------------------------------------------------------------


def _template(name: str) -> re.Pattern[str] | None:
    """A templated parameter name (``custody_ratio.{tier}``) as a pattern, or None."""
    if "{" not in name:
        return None
    parts = re.split(r"\{(\w+)\}", name)
    return re.compile(
        "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+)" for i, p in enumerate(parts))
    )


def parameter_values(book, rule) -> tuple[str | None, dict[Any, Any] | Any]:
    """``(None, value)`` for a plain parameter (None without one), or ``(attribute,
    {attribute value: parameter value})`` for a templated one, from the domain's parameters."""
    if rule.parameter is None:
        return None, None
    pattern = _template(rule.parameter)
    if pattern is None:
        return None, book.value(rule.domain, rule.parameter, ON)
    (attr,) = pattern.groupindex
    values = {}
    for domain, name in book.parameter_names(rule.domain):
        m = pattern.fullmatch(name)
        if domain == rule.domain and m:
            values[m[attr]] = book.value(domain, name, ON)
    return attr, values


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(8), dt.UTC)


def _text(at: dt.datetime) -> str:
    """A UTC time as SQLAlchemy stores it in SQLite."""
    return at.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")


def _number_on_side(rng: random.Random, limit: float, comparator: str, fire: bool) -> float:
    if rng.random() < 0.05:
        return limit  # exactly at the threshold: fires for >=, <=, == only
    step = abs(limit) * rng.uniform(0.05, 1.0) + rng.choice((0.5, 1, 2))
    up = comparator in (">", ">=") or (comparator == "!=" and fire)
    if comparator == "==":
        return limit if fire else limit + step
    value = limit + step if up == fire else limit - step
    return round(value) if float(limit).is_integer() else round(value, 3)


def _draw(rng: random.Random, book, rule, params, attrs: dict, facts: dict, events: list) -> None:
    """Facts for one rule on one object (``facts``: fact -> value, first drawn wins)."""
    attr, values = params
    limit = values.get(attrs.get(attr)) if attr else values
    fire = rng.random() < CROSS_SHARE
    if rule.kind == "flag":
        facts.setdefault(rule.fact, fire)
    elif rule.kind == "expiry":
        days = int(limit or 0)
        delta = -rng.randint(1, 90) if fire else rng.randint(0, 400)
        facts.setdefault(rule.fact, (ON + dt.timedelta(days=days + delta)).isoformat())
    elif rule.kind == "count":
        window = int(book.value(rule.domain, rule.window, ON))
        need = int(limit)
        n = need + rng.randint(0, 2) if fire else rng.randint(0, max(need - 1, 0))
        for _ in range(n):
            events.append((rule.fact, ON - dt.timedelta(days=rng.randint(0, window - 1))))
        for _ in range(rng.randint(0, 2)):  # outside the window, before or after
            day = ON - dt.timedelta(days=window + rng.randint(1, 60))
            events.append((rule.fact, day if rng.random() < 0.8 else ON + dt.timedelta(days=3)))
    elif isinstance(limit, str):  # an ordinal grade compared as text
        facts.setdefault(rule.fact, rng.choice(GRADES))
    elif rule.kind == "threshold":
        if limit is None:
            limit = rng.randint(1, 100)  # a template with no value for this object
        facts.setdefault(rule.fact, _number_on_side(rng, float(limit), rule.comparator, fire))
    elif rule.kind == "ratio":
        if limit is None:
            limit = 1.0
        den = 0 if rng.random() < 0.02 else rng.randint(1, 1000)
        ratio = _number_on_side(rng, float(limit), rule.comparator, fire)
        facts.setdefault(rule.denominator, den)
        facts.setdefault(rule.fact, round(ratio * den, 3))
    else:
        raise ValueError(f"no facts drawn for rule kind {rule.kind!r}")


def _other(value: Any, rng: random.Random) -> Any:
    """Another value of the same type (an older or a superseded observation)."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value * 3 + 7
    if value in GRADES:
        return rng.choice(GRADES)
    return (dt.date.fromisoformat(value) - dt.timedelta(days=500)).isoformat()


def populate(app, db: Path, n: int, seed: int) -> dict[str, int]:
    """The synthetic province imported into the store at ``db``, then its facts."""
    os.environ.setdefault("ONETHING_PERSON_SECRET", SECRET)
    app.store.upgrade()
    registry = db.with_suffix(".csv")
    synth.write(app.domains, REGION, n, seed, registry, force=True)
    import_file(app.store, str(registry), app_or_rulebook=app)
    registry.unlink()
    db.with_suffix(".relations.csv").unlink(missing_ok=True)  # no rule reads relations
    app.store.dispose()
    book = app.rulebook
    rules: dict[str, list[tuple[Any, tuple]]] = {}
    for rule in book.risk_rules(ON):
        rules.setdefault(rule.domain, []).append((rule, parameter_values(book, rule)))
    rng = random.Random(seed)
    conn = sqlite3.connect(db)
    objects = conn.execute("SELECT key, domains FROM registry_object").fetchall()
    now = _text(dt.datetime.now(dt.UTC))
    end = _at(ON + dt.timedelta(days=2))
    rows: list[tuple] = []
    count = 0

    def flush() -> None:
        conn.executemany(
            "INSERT INTO risk_fact (key, fact, value, observed_at, source, ingested_at, batch)"
            " VALUES (?, ?, ?, ?, 'bench', ?, 'bench')",
            rows,
        )
        rows.clear()

    for key, text in objects:
        facts: dict[str, Any] = {}
        events: list[tuple[str, dt.date]] = []
        for domain, member in orjson.loads(text).items():
            types = set(member.get("object_types") or ())
            attrs = member.get("attributes") or {}
            for rule, params in rules.get(domain, ()):
                if rule.object_types and not types & set(rule.object_types):
                    continue
                if rng.random() < FACT_SHARE:
                    _draw(rng, book, rule, params, attrs, facts, events)
        for fact, value in facts.items():
            at = _at(ON - dt.timedelta(days=rng.randint(0, 60)))
            r = rng.random()
            if r < 0.2:  # an older observation, superseded
                rows.append((key, fact, json.dumps(_other(value, rng)), at - dt.timedelta(30)))
            elif r < 0.25:  # the same instant: the later row wins
                rows.append((key, fact, json.dumps(_other(value, rng)), at))
            elif r < 0.3:  # after the day evaluated: not seen
                rows.append((key, fact, json.dumps(_other(value, rng)), end))
            rows.append((key, fact, json.dumps(value), at))
        for fact, day in events:
            rows.append((key, fact, "1", _at(day)))
        if len(rows) > 50_000:
            count += len(rows)
            rows[:] = [(*r[:3], _text(r[3]), now) for r in rows]
            flush()
    count += len(rows)
    rows[:] = [(*r[:3], _text(r[3]), now) for r in rows]
    flush()
    conn.commit()
    conn.execute("ANALYZE")
    conn.close()
    return {"objects": len(objects), "fact_rows": count}


# ---------------------------------------------------------------------------------------------
# the baseline: DuckDB on the store, SQL written from the rule data
# ---------------------------------------------------------------------------------------------

_SQL_OPS = {"eq": "=", "ne": "<>", "gt": ">", "ge": ">=", "lt": "<", "le": "<="}


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return repr(float(value))
    return "'" + str(value).replace("'", "''") + "'"


def _column(domain: str, attr: str) -> str:
    return f'"{domain}.{attr}"'


def attributes_read(domain: str, c: dict[str, Any] | None) -> set[tuple[str, str]]:
    if c is None:
        return set()
    if "attr" in c:
        return {(domain, c["attr"])}
    subs = c.get("all") or c.get("any") or [c["not"]]
    return set().union(*(attributes_read(domain, x) for x in subs))


def _attribute(domain: str, attr: str, like: Any) -> str:
    """The object's attribute in ``domain`` as SQL, typed like the value it is compared with
    (the objects' attributes are extracted from their JSON once, as text columns)."""
    text = f"o.{_column(domain, attr)}"
    if isinstance(like, bool):
        return f"TRY_CAST({text} AS BOOLEAN)"
    if isinstance(like, int | float):
        return f"TRY_CAST({text} AS DOUBLE)"
    return text


def condition_sql(domain: str, c: dict[str, Any] | None) -> str:
    """The condition language in SQL: a missing attribute is false, except for ``ne`` and
    ``exists: false``."""
    if c is None:
        return "TRUE"
    if "all" in c:
        return "(" + " AND ".join(condition_sql(domain, x) for x in c["all"]) + ")"
    if "any" in c:
        return "(" + " OR ".join(condition_sql(domain, x) for x in c["any"]) + ")"
    if "not" in c:
        return f"(NOT {condition_sql(domain, c['not'])})"
    ((op, v),) = ((k, x) for k, x in c.items() if k != "attr")
    if op == "exists":
        return f"({_attribute(domain, c['attr'], '')} IS {'NOT ' if v else ''}NULL)"
    if op == "in":
        col = _attribute(domain, c["attr"], v[0])
        return f"COALESCE({col} IN ({', '.join(_literal(x) for x in v)}), FALSE)"
    col = _attribute(domain, c["attr"], v)
    return f"COALESCE({col} {_SQL_OPS[op]} {_literal(v)}, {'TRUE' if op == 'ne' else 'FALSE'})"


def _threshold_sql(domain: str, params: tuple) -> str:
    attr, values = params
    if attr is None:
        return "NULL" if values is None else _literal(values)
    cases = " ".join(
        f"WHEN {_literal(k)} THEN {_literal(v)}" for k, v in sorted(values.items(), key=str)
    )
    return f"(CASE {_attribute(domain, attr, '')} {cases} END)"


def _is_text(params: tuple) -> bool:
    attr, values = params
    return any(isinstance(v, str) for v in (values.values() if attr else [values]))


def rule_sql(book, rule, params: tuple) -> str:
    """One SELECT of ``key, rule id`` for the rule, over ``objects``, ``latest`` and the store."""
    where = [f"o.domain = {_literal(rule.domain)}", condition_sql(rule.domain, rule.condition)]
    if rule.object_types:
        where.append(f"o.object_type IN ({', '.join(_literal(t) for t in rule.object_types)})")
    limit = _threshold_sql(rule.domain, params)
    op = "<>" if rule.comparator == "!=" else rule.comparator
    joins = f"JOIN latest f ON f.key = o.key AND f.fact = {_literal(rule.fact)}"
    if rule.kind == "flag":
        test = "f.value = 'true'"
    elif rule.kind == "expiry":
        test = f"f.day < DATE '{ON.isoformat()}' + CAST(COALESCE({limit}, 0) AS INTEGER)"
    elif rule.kind == "threshold" and _is_text(params):
        test = f"f.text {op} {limit}"
    elif rule.kind == "threshold":
        test = f"f.number {op} {limit}"
    elif rule.kind == "ratio":
        joins += f" JOIN latest d ON d.key = o.key AND d.fact = {_literal(rule.denominator)}"
        test = f"d.number <> 0 AND f.number / d.number {op} {limit}"
    elif rule.kind == "count":
        window = int(book.value(rule.domain, rule.window, ON))
        start = day_end(ON - dt.timedelta(days=window)).replace(tzinfo=None).isoformat(sep=" ")
        joins = (
            "JOIN (SELECT key, count(*) AS n FROM events"
            f" WHERE fact = {_literal(rule.fact)} AND observed_at >= '{start}' GROUP BY key) e"
            " ON e.key = o.key"
        )
        test = f"e.n {op} {limit}"
    else:
        raise ValueError(f"no SQL for rule kind {rule.kind!r}")
    return (
        f"SELECT DISTINCT o.key, {_literal(rule.id)} AS rule FROM objects o {joins}"
        f" WHERE {' AND '.join(where)} AND {test}"
    )


def fact_names(rules) -> tuple[list[str], list[str]]:
    """The facts read as latest values and those counted as events."""
    values = {r.fact for r in rules if r.kind != "count"} | {
        r.denominator for r in rules if r.denominator
    }
    return sorted(values), sorted({r.fact for r in rules if r.kind == "count"})


def on_the_store(path: Path, book) -> set[tuple[str, str]]:
    """Every rule in DuckDB, reading the store's SQLite file (read only) directly."""
    import duckdb
    import duckdb_extension_sqlite_scanner as scanner

    (extension,) = glob.glob(
        os.path.join(os.path.dirname(scanner.__file__), "extensions", "*", "*.duckdb_extension")
    )
    rules = book.risk_rules(ON)
    values, counted = fact_names(rules)
    read = set().union(*(attributes_read(r.domain, r.condition) for r in rules))
    read |= {(r.domain, a) for r in rules if (a := parameter_values(book, r)[0])}
    read = sorted(read)  # each object's JSON parsed once for all the attributes read
    paths = ", ".join(f'\'$."{d}".attributes."{a}"\'' for d, a in read)
    columns = "".join(f", a[{i}] AS {_column(d, a)}" for i, (d, a) in enumerate(read, start=1))
    db = duckdb.connect()
    db.execute(f"LOAD '{extension}'")
    db.execute("SET sqlite_all_varchar = true")  # times as SQLite stores them: ISO text
    db.execute(f"ATTACH '{path}' AS store (TYPE sqlite, READ_ONLY)")
    end = day_end(ON).replace(tzinfo=None).isoformat(sep=" ")
    # the store's rows read once each into DuckDB's own tables, ordered by fact and domain (a
    # rule's scan then skips the others' row groups), then one query for the rules
    db.execute(f"""
        CREATE TEMP TABLE latest AS
        SELECT key, fact, value, TRY_CAST(value AS DOUBLE) AS number,
            TRY_CAST(trim(value, '"') AS DATE) AS day, trim(value, '"') AS text
        FROM (
            SELECT key, fact, arg_max(value, (observed_at, CAST(id AS BIGINT))) AS value
            FROM store.risk_fact
            WHERE observed_at < '{end}' AND fact IN ({", ".join(map(_literal, values))})
            GROUP BY key, fact
        ) ORDER BY fact
    """)
    db.execute(f"""
        CREATE TEMP TABLE events AS
        SELECT key, fact, observed_at FROM store.risk_fact
        WHERE observed_at < '{end}' AND fact IN ({", ".join(map(_literal, counted))})
        ORDER BY fact
    """)
    db.execute(f"""
        CREATE TEMP TABLE objects AS
        SELECT key, domain, object_type{columns} FROM (
            SELECT r.key, m.domain, m.object_type, json_extract_string(r.domains, [{paths}]) AS a
            FROM store.registry_object r
            JOIN store.registry_profile_member m ON m.profile_id = r.profile_id
        ) ORDER BY domain
    """)
    out: set[tuple[str, str]] = set()
    for rule in rules:
        out.update(db.execute(rule_sql(book, rule, parameter_values(book, rule))).fetchall())
    db.close()
    return out


# ---------------------------------------------------------------------------------------------


def _timed(fn, *args, **kw):
    w, c = time.perf_counter(), time.process_time()
    out = fn(*args, **kw)
    return out, time.perf_counter() - w, time.process_time() - c


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--size", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--store", help="a folder to keep (and reuse) the populated store in")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.store or tmp)
        folder.mkdir(parents=True, exist_ok=True)
        db = folder / f"risk-{args.size}-{args.seed}.db"
        config = folder / f"risk-{args.size}-{args.seed}.toml"
        config.write_text(
            CONFIG.format(region=REGION, domains=json.dumps(list(DOMAINS)), db=db), "utf-8"
        )
        app = Onething.from_config(config)
        book = app.rulebook
        if not db.exists():
            partial = db.with_suffix(".partial")
            partial.unlink(missing_ok=True)
            config.write_text(
                CONFIG.format(region=REGION, domains=json.dumps(list(DOMAINS)), db=partial),
                "utf-8",
            )
            t0 = time.perf_counter()
            sizes = populate(Onething.from_config(config), partial, args.size, args.seed)
            print(f"populated in {time.perf_counter() - t0:.0f} s: {sizes}", file=sys.stderr)
            partial.rename(db)
            config.write_text(
                CONFIG.format(region=REGION, domains=json.dumps(list(DOMAINS)), db=db), "utf-8"
            )
        store = app.store
        with store.engine.begin() as conn:  # a kept store: its warnings of an earlier run
            conn.execute(sa.delete(WarningRow))
        kinds: dict[str, int] = {}
        for r in book.risk_rules(ON):
            kinds[r.kind] = kinds.get(r.kind, 0) + 1
        load_before = os.getloadavg()
        duck, t_duck, c_duck = _timed(on_the_store, db, book)
        (n_rules, fired), t_engine, c_engine = _timed(fire_frames, store, book, ON)
        load_after = os.getloadavg()
        tracemalloc.start()  # memory in a run of its own: tracing slows the engine down
        fire_frames(store, book, ON)
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        _, t_store, _ = _timed(store_new_frames, store, fired, ON)
        engine = {(key, rule.id) for rule, frame in fired for key in frame["key"]}
        with store.engine.connect() as conn:
            stored = conn.execute(sa.select(sa.func.count()).select_from(WarningRow)).scalar_one()
            objects = conn.execute(sa.text("SELECT count(*) FROM registry_object")).scalar_one()
            facts = conn.execute(sa.text("SELECT count(*) FROM risk_fact")).scalar_one()
        store.dispose()
        fired_rules = {rule.id for rule, frame in fired if frame.height}
        if engine != duck:
            print(
                "engine only:",
                sorted(engine - duck)[:10],
                "DuckDB only:",
                sorted(duck - engine)[:10],
                file=sys.stderr,
            )
    print(
        json.dumps(
            {
                "businesses": args.size,
                "objects": objects,
                "fact_rows": facts,
                "rules": n_rules,
                "rule_kinds": kinds,
                "rules_firing": len(fired_rules),
                "warnings": len(engine),
                "warnings_stored": stored,
                "same_answers": engine == duck,
                "engine_s": round(t_engine, 2),
                "engine_cpu_s": round(c_engine, 2),
                "duckdb_on_the_store_s": round(t_duck, 2),
                "duckdb_cpu_s": round(c_duck, 2),
                "ratio_to_duckdb": round(t_engine / t_duck, 2),
                "goal_ratio_to_duckdb": 1.5,
                "then_storing_new_warnings_s": round(t_store, 2),
                "engine_peak_python_MiB": round(peak, 1),
                "cpus": os.cpu_count(),
                "load_average_before": [round(x, 2) for x in load_before],
                "load_average_after": [round(x, 2) for x in load_after],
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
