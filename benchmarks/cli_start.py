"""How long the command line takes to start: whole processes, each run several times, the
median wall time (and the median CPU time, which a busy machine inflates less), beside the interpreter's own start (``python -c pass``) and Click's import
(``python -c "import click"``), all in one run.

    .venv/bin/python benchmarks/cli_start.py              # 7 runs each
    .venv/bin/python benchmarks/cli_start.py --runs 15
    .venv/bin/python benchmarks/cli_start.py --json

The deployment is ``examples/shandong.toml`` (all eight plugins). The record of plugin-data
validations (``onething.schemas.validated``) lives in a fresh folder: one unmeasured run fills
it, then "warm" rows use it as every later start does, and "no record" rows run with
``ONETHING_CACHE_DIR=off`` (what the first start after an upgrade pays). Goals (issue #31):
``onething --help`` ≤ 0.3 s, ``plugins`` and ``params`` ≤ 0.5 s with the record.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "examples" / "shandong.toml"
ONETHING = Path(sys.executable).with_name("onething")

PLUGINS = [str(ONETHING), "plugins", "--config", str(CONFIG)]
PARAMS = [str(ONETHING), "params", "--config", str(CONFIG)]

#: (name, argv, with the record, goal in seconds or None)
CASES = [
    ("python -c pass", [sys.executable, "-c", "pass"], True, None),
    ('python -c "import click"', [sys.executable, "-c", "import click"], True, None),
    ('python -c "import onething"', [sys.executable, "-c", "import onething"], True, None),
    ("onething --help", [str(ONETHING), "--help"], True, 0.3),
    ("onething plugins", PLUGINS, True, 0.5),
    ("onething params", PARAMS, True, 0.5),
    (
        "onething params --format json",
        [str(ONETHING), "params", "--config", str(CONFIG), "--format", "json"],
        True,
        None,
    ),
    (
        "onething plugins, no record",
        [str(ONETHING), "plugins", "--config", str(CONFIG)],
        False,
        None,
    ),
    ("onething params, no record", [str(ONETHING), "params", "--config", str(CONFIG)], False, None),
    ("onething validate (always in full)", [str(ONETHING), "validate", str(CONFIG)], True, None),
]


def _time(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system) of one run of ``argv``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def measure(runs: int) -> dict:
    load_before = os.getloadavg()[0]
    rows = []
    with tempfile.TemporaryDirectory() as cache:
        warm = {**os.environ, "ONETHING_CACHE_DIR": cache}
        cold = {**os.environ, "ONETHING_CACHE_DIR": "off"}
        for argv in (PLUGINS, PARAMS):  # fill the record (and the bytecode caches)
            _time(argv, warm)
        for name, argv, record, goal in CASES:
            env = warm if record else cold
            _time(argv, env)  # one unmeasured run: the file cache, not the start, is cold
            runs_ = [_time(argv, env) for _ in range(runs)]
            times = [wall for wall, _ in runs_]
            median = statistics.median(times)
            rows.append(
                {
                    "command": name,
                    "median_s": round(median, 3),
                    "min_s": round(min(times), 3),
                    "max_s": round(max(times), 3),
                    "cpu_s": round(statistics.median(cpu for _, cpu in runs_), 3),
                    "goal_s": goal,
                    "goal_met": None if goal is None else median <= goal,
                }
            )
    return {
        "runs": runs,
        "cpus": os.cpu_count(),
        "load_before": round(load_before, 2),
        "load_after": round(os.getloadavg()[0], 2),
        "rows": rows,
    }


def markdown(result: dict) -> str:
    lines = [
        f"{result['runs']} runs each, {result['cpus']} CPUs, load average "
        f"{result['load_before']} before and {result['load_after']} after.",
        "",
        "| command | median s | min s | max s | CPU s (median) | goal | met |",
        "|---|---:|---:|---:|---:|---|---|",
    ]
    for r in result["rows"]:
        goal = "" if r["goal_s"] is None else f"≤ {r['goal_s']} s"
        met = {True: "yes", False: "no", None: ""}[r["goal_met"]]
        lines.append(
            f"| {r['command']} | {r['median_s']:.3f} | {r['min_s']:.3f} | {r['max_s']:.3f} "
            f"| {r['cpu_s']:.3f} | {goal} | {met} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--runs", type=int, default=7, help="timed runs per command")
    ap.add_argument("--json", action="store_true", help="print JSON instead of Markdown")
    args = ap.parse_args()
    result = measure(args.runs)
    sys.stdout.write(json.dumps(result, indent=2) + "\n" if args.json else markdown(result))


if __name__ == "__main__":
    main()
