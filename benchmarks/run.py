"""Run every benchmark and write one results table, each figure beside its baseline from the
same run: ``benchmarks/results.md`` and ``benchmarks/results.json`` (``make bench``).

    .venv/bin/python benchmarks/run.py            # the benchmarks' default sizes
    .venv/bin/python benchmarks/run.py --quick    # smaller sizes, a few minutes
    .venv/bin/python benchmarks/run.py --pg postgresql+psycopg://postgres@127.0.0.1:5432/test

Each benchmark runs in its own process, as documented in benchmarks/README.md; this script
only reads what each prints (its Markdown table or JSON) and puts the figures side by side.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _run(script: str, *args: str) -> tuple[str, float]:
    t0 = time.perf_counter()
    out = subprocess.run(
        [sys.executable, str(HERE / script), *args], check=True, capture_output=True, text=True
    ).stdout
    return out, time.perf_counter() - t0


def _table(text: str) -> list[list[str]]:
    """The data rows of the first Markdown table in ``text``."""
    rows = [
        line.strip().strip("|").split("|") for line in text.splitlines() if line.startswith("|")
    ]
    return [[c.strip() for c in r] for r in rows[2:]]


def _num(cell: str) -> float:
    return float(cell.replace(",", "").split()[0])


def planning(quick: bool) -> list[dict]:
    out, secs = _run("planning.py", "--seeds", "1" if quick else "5")
    rows = []
    for r in _table(out):
        n = r[0]
        rows.append(
            _row(
                "planning",
                f"visits, coordinated PRN sampling ({n} objects)",
                _num(r[2]),
                "visits, each department sampling alone",
                _num(r[3]),
                "≤ 0.5",
                secs,
            )
        )
        rows.append(
            _row(
                "planning",
                f"visits, coordinated ({n} objects)",
                _num(r[2]),
                "fairness bound Σ max π",
                _num(r[5]),
                r[11] if len(r) > 11 else "≤ 1.05",  # the goal by size (1.03 at 10^4)
                secs,
            )
        )
    return rows


def registry(quick: bool, pg: str | None) -> list[dict]:
    args = ["--sizes", "20000" if quick else "100000"] + (["--pg", pg] if pg else [])
    out, secs = _run("registry_import.py", *args)
    rows = []
    for r in _table(out):
        n, backend = r[0], r[1]
        rows.append(
            _row(
                "registry import",
                f"library rows/s ({n} objects, {backend})",
                _num(r[2]),
                "raw rows/s, same file, no checks",
                _num(r[5]),
                "",
                secs,
            )
        )
        rows.append(
            _row(
                "registry import",
                f"library rows/s ({n} objects, {backend})",
                _num(r[2]),
                "raw rows/s, the same rows the library stores",
                _num(r[7]),
                "",
                secs,
            )
        )
    return rows


def risk(quick: bool) -> list[dict]:
    out, secs = _run("risk.py", "--size", "20000" if quick else "100000")
    r = json.loads(out[out.index("{") :])
    return [
        _row(
            "risk",
            f"engine seconds ({r['businesses']:,} businesses, all plugins' rules)",
            r["engine_s"],
            "DuckDB on the store, seconds",
            r["duckdb_on_the_store_s"],
            f"≤ {r['goal_ratio_to_duckdb']}",
            secs,
            same_answers=r["same_answers"],
        ),
    ]


def service(quick: bool, pg: str | None) -> list[dict]:
    args = ["--json", "--requests", "100" if quick else "400"] + (["--pg", pg] if pg else [])
    out, secs = _run("service.py", *args)
    r = json.loads(out[out.index("{") :])
    rows = []
    for b in r["rows"]:
        for name, key in (("loop act", "loop_act"), ("checklist read", "checklist")):
            rows.append(
                _row(
                    "http service",
                    f"{name} req/s over HTTP ({b['backend']}, {r['clients']} clients)",
                    b[f"{key}_http"],
                    "the same engine calls in-process, calls/s",
                    b[f"{key}_in_process"],
                    "",
                    secs,
                )
            )
        rows.append(
            _row(
                "http service",
                f"loop act req/s over HTTP ({b['backend']})",
                b["loop_act_http"],
                "bare Starlette hello on the same uvicorn, req/s",
                b["hello_http"],
                "",
                secs,
            )
        )
    return rows


def cli_start(quick: bool) -> list[dict]:
    out, secs = _run("cli_start.py", "--json", "--runs", "3" if quick else "7")
    r = json.loads(out[out.index("{") :])
    by = {row["command"]: row for row in r["rows"]}
    rows = []
    for command, row in by.items():
        if row["goal_s"] is None and "no record" not in command and "json" not in command:
            continue
        baseline = 'python -c "import click"'
        if "no record" in command:
            baseline = command.replace(", no record", "") + " (with the record)"
        row_ = _row(
            "cli start",
            f"{command} seconds (median)",
            row["median_s"],
            baseline + " seconds",
            by[baseline.removesuffix(" (with the record)")]["median_s"],
            "",
            secs,
            load=r["load_before"],
        )
        if row["goal_s"] is not None:  # the goals are absolute: seconds, not a ratio
            row_.update(goal_ratio=f"≤ {row['goal_s']} s", goal_met=row["goal_met"])
        rows.append(row_)
    return rows


def _row(bench, figure, value, baseline_name, baseline, goal, secs, **extra) -> dict:
    return {
        "benchmark": bench,
        "figure": figure,
        "value": value,
        "baseline": baseline_name,
        "baseline_value": baseline,
        "ratio": round(value / baseline, 3) if baseline else None,
        "goal_ratio": goal,
        "goal_met": (value / baseline <= float(goal.split()[-1])) if goal and baseline else None,
        "run_seconds": round(secs, 1),
        **extra,
    }


MET = {True: "yes", False: "no", None: ""}


def markdown(rows: list[dict], meta: dict) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"Run {meta['at']} on {meta['cpus']} CPUs, load average {meta['load']:.1f} before the "
        f"run ({'quick sizes' if meta['quick'] else 'default sizes'}). Each figure beside its "
        "baseline measured in the same run; see benchmarks/README.md for what each measures.",
        "",
        "| benchmark | figure | value | baseline | baseline value | ratio | goal | met |",
        "|---|---|---:|---|---:|---:|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['benchmark']} | {r['figure']} | {r['value']:,.2f} | {r['baseline']} "
            f"| {r['baseline_value']:,.2f} | {r['ratio']} | {r['goal_ratio']} "
            f"| {MET[r['goal_met']]} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--quick", action="store_true", help="smaller sizes")
    ap.add_argument(
        "--pg", default=None, help="also the registry import and the service on this PostgreSQL"
    )
    ap.add_argument("--out", type=Path, default=HERE, help="folder for results.md/.json")
    args = ap.parse_args()
    meta = {
        "at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpus": os.cpu_count(),
        "load": os.getloadavg()[0],
        "quick": args.quick,
    }
    rows = (
        cli_start(args.quick)
        + planning(args.quick)
        + registry(args.quick, args.pg)
        + risk(args.quick)
        + service(args.quick, args.pg)
    )
    md = markdown(rows, meta)
    for name, text in (
        ("results.md", md),
        (
            "results.json",
            json.dumps({**meta, "results": rows}, ensure_ascii=False, indent=2) + "\n",
        ),
    ):
        tmp = args.out / f".{name}.tmp"
        tmp.write_text(text, "utf-8")
        tmp.replace(args.out / name)
    sys.stdout.write(md)


if __name__ == "__main__":
    main()
