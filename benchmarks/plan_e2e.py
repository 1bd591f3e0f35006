"""Planning end to end: ``onething plan`` and ``onething plan verify`` as whole processes on a
SQLite store of N objects, beside the planning core on the same registry in the same run.

    .venv/bin/python benchmarks/plan_e2e.py                   # 10^5 objects
    .venv/bin/python benchmarks/plan_e2e.py --sizes 100000,1000000
    .venv/bin/python benchmarks/plan_e2e.py --stores /tmp/plan-stores    # keep and reuse the stores

A synthetic Liaocheng registry (prepaid_card, catering, elderly_care, medical:
``onething.registry.synth``; the city's sampling layer of ``examples/liaocheng.toml``) is imported into a fresh SQLite store with the library and a
synthetic inspector pool (``onething inspectors synth``, 40 per department) is imported;
neither is timed. Then, each in its own process: ``onething plan --cycle 2026H1 --checklists 0``
(registry read, sampling, tasks, visits, inspectors, the audit rows, plan.json/plan.csv/
summary.html written) and ``onething plan verify plan.json`` (the registry read again and the
plan recomputed); wall time, CPU time (user + system: on a shared machine it is inflated less
than wall time) and the process's peak resident memory (``ru_maxrss`` of the child). Baseline in the same run: the planning core (PRN hashing and stratified sampling,
``onething.planning.sampling.draw``) on the population read from the same store, in this
process. Goals (#31): each process ≤ 60 s wall and ≤ 3 GB at 10^6 objects.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DOMAINS = ("prepaid_card", "catering", "elderly_care", "medical")
CONFIG = """[deployment]
name = "聊城市"
region = "371500"
level = "city"
domains = {domains}
layers = ["{layer}"]

[storage]
url = "sqlite:///{db}"
"""
#: the city's sampling ratios (examples/liaocheng.toml's layer)
LAYER = Path(__file__).resolve().parents[1] / "examples" / "overrides" / "sampling-liaocheng.toml"
ONETHING = Path(sys.executable).with_name("onething")
CYCLE = "2026H1"


def timed(argv: list[str], cwd: Path) -> dict:
    """Wall seconds, CPU seconds (user + system) and peak resident MB of one child process (it
    runs alone: the children's figures are then its own)."""
    code = (
        "import resource, subprocess, sys, time, json\n"
        "t = time.perf_counter()\n"
        "p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)\n"
        "w = time.perf_counter() - t\n"
        "r = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "mb, cpu = r.ru_maxrss / 1024, r.ru_utime + r.ru_stime\n"
        "print(json.dumps({'rc': p.returncode, 'seconds': w, 'mb': mb, 'cpu': cpu,"
        " 'stderr': p.stderr.decode(errors='replace')[-2000:]}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, *argv], cwd=cwd, capture_output=True, text=True, check=True
    )
    result = json.loads(out.stdout)
    if result["rc"] != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{result['stderr']}")
    return result


def prepare(tmp: Path, n: int, seed: int) -> Path:
    from onething import Onething
    from onething.registry import import_file, synth

    config = tmp / "onething.toml"
    config.write_text(
        CONFIG.format(domains=json.dumps(list(DOMAINS)), layer=LAYER, db=tmp / "plan.db"), "utf-8"
    )
    app = Onething.from_config(config)
    app.store.upgrade()
    registry = tmp / "registry.csv"
    synth.write(app.domains, "371500", n, seed, registry)
    import_file(app.store, str(registry), app_or_rulebook=app)
    registry.unlink()
    app.store.dispose()
    pool = tmp / "inspectors.csv"
    for argv in (
        ["inspectors", "synth", "--config", str(config), "--out", str(pool)],
        ["inspectors", "import", str(pool), "--config", str(config)],
    ):
        subprocess.run([str(ONETHING), *argv], check=True, cwd=tmp, stdout=subprocess.DEVNULL)
    return config


def stored(stores: Path | None, tmp: Path, n: int, seed: int) -> Path:
    """A prepared store of ``n`` objects in ``tmp``: made there, or (with ``stores``) copied
    from ``stores/<n>-<seed>.db`` (made there first if missing, then kept)."""
    if stores is None:
        return prepare(tmp, n, seed)
    kept = stores / f"{n}-{seed}.db"
    if not kept.exists():
        made = tmp / "made"
        made.mkdir()
        prepare(made, n, seed)
        with sqlite3.connect(made / "plan.db") as db:  # the write-ahead log into the file
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        os.replace(made / "plan.db", kept)
        shutil.rmtree(made)
    shutil.copyfile(kept, tmp / "plan.db")
    config = tmp / "onething.toml"
    config.write_text(
        CONFIG.format(domains=json.dumps(list(DOMAINS)), layer=LAYER, db=tmp / "plan.db"), "utf-8"
    )
    return config


def core(config: Path, seed: str) -> dict:
    """The planning core on the stored registry: population read (timed apart), then PRN
    hashing and stratified sampling."""
    from onething import Onething
    from onething.planning.cycle import cycle_window
    from onething.planning.population import load_population
    from onething.planning.sampling import draw, ratios_in_force

    app = Onething.from_config(config)
    on = cycle_window(CYCLE)[0]
    t0 = time.perf_counter()
    population = load_population(app.store, app.rulebook, on)
    read = time.perf_counter() - t0
    t0 = time.perf_counter()
    sample = draw(population, seed, ratios_in_force(app.rulebook, population, on))
    sampling = time.perf_counter() - t0
    app.store.dispose()
    return {
        "pairs": len(population.pair_obj),
        "read_s": read,
        "sampling_s": sampling,
        "sampled": len(set(sample.selected_obj.tolist())),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="100000", help="comma-separated numbers of objects")
    ap.add_argument("--seed", type=int, default=1, help="the registry's synthesis seed")
    ap.add_argument(
        "--stores",
        type=Path,
        default=None,
        help="keep each size's prepared store in this folder and reuse it in later runs (its "
        "registry import is untimed but slow at 10^6); each run plans on a copy of it",
    )
    args = ap.parse_args()
    if args.stores is not None:
        args.stores = args.stores.resolve()
        args.stores.mkdir(parents=True, exist_ok=True)
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} before")
    print(
        "| objects | object–items | planning core: read s | planning core: sampling s "
        "| sampled objects | plan s | plan CPU s | plan peak MB | verify s | verify CPU s "
        "| verify peak MB | plan.json MB "
        "| goal | met | load |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---:|")
    for n in [int(s) for s in args.sizes.split(",")]:
        with tempfile.TemporaryDirectory(dir=args.stores) as name:
            tmp = Path(name)
            config = stored(args.stores, tmp, n, args.seed)
            seed = f"bench-{n}"
            base = core(config, seed)
            out = tmp / "out"
            plan = timed(
                [
                    str(ONETHING), "plan", "--config", str(config), "--cycle", CYCLE,
                    "--seed", seed, "--out", str(out), "--checklists", "0",
                ],
                tmp,
            )  # fmt: skip
            verify = timed(
                [str(ONETHING), "plan", "verify", str(out / "plan.json"), "--config", str(config)],
                tmp,
            )
            size = (out / "plan.json").stat().st_size / 2**20
            met = all(r["seconds"] <= 60 and r["mb"] <= 3 * 1024 for r in (plan, verify))
            print(
                f"| {n:,} | {base['pairs']:,} | {base['read_s']:.2f} | {base['sampling_s']:.2f} "
                f"| {base['sampled']:,} | {plan['seconds']:.1f} | {plan['cpu']:.1f} "
                f"| {plan['mb']:.0f} | {verify['seconds']:.1f} | {verify['cpu']:.1f} "
                f"| {verify['mb']:.0f} | {size:.0f} "
                f"| each ≤ 60 s, ≤ 3 GB | {'yes' if met else 'no'} | {os.getloadavg()[0]:.2f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
