"""Sampling rules tried against the fairness goal (#31), on planning.py's registry: visits over
the fairness bound Σ max π for each rule, mean over seeds. Not the planner: a record of what
was measured before choosing (benchmarks/README.md, "Why the small registries miss it").

    .venv/bin/python benchmarks/sampling_variants.py            # 10^4 objects, 5 seeds
    .venv/bin/python benchmarks/sampling_variants.py --size 5000

Rules, each giving every stratum exactly ⌈ratio · N⌉ objects:

* ``rank``: the planner's (the smallest PRNs of the stratum);
* ``poisson+w``: the objects with ``u < π``, then the size fixed with a second PRN ``w``
  (drop the largest ``w`` inside, add the smallest ``w`` outside);
* ``poisson+u``: the same, the size fixed with ``u`` inside and ``w`` outside;
* ``u/pi``: ranked by ``u / π`` (sequential Poisson; exact only for equal π);
* ``class-systematic``: each class of objects with the same strata gets ⌊N_c·π⌋ or ⌈N_c·π⌉
  by systematic rounding over the stratum's classes (one start per seed), its smallest PRNs
  (every object's inclusion exactly n/N; visits are the largest count of each class);
* ``cube``: balanced sampling by the cube method (``onething.planning.balanced``, in progress):
  a martingale on the objects' inclusion (each object at its largest π) keeping every
  stratum's size, then each stratum's fractional pairs rounded to its exact size.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "core" / "src"))

from planning import fairness_bound, ratios_for, synth

from onething.planning import balanced
from onething.planning.population import build_population
from onething.planning.prn import prn, prn_array
from onething.planning.sampling import draw, sample_size

RULES = ("rank", "poisson+w", "poisson+u", "u/pi", "class-systematic", "cube")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", type=int, default=10_000)
    ap.add_argument("--seeds", type=int, default=5)
    args = ap.parse_args()
    objects, pairs, _ = synth(args.size)
    pop = build_population(objects, pairs)
    ratios = ratios_for(pop)
    nc, nr = len(pop.credit_labels), len(pop.risk_labels)
    po = pop.pair_obj
    stratum = (pop.pair_item.astype(np.int64) * nc + pop.credit[po]) * nr + pop.risk[po]
    ids, srow = np.unique(stratum, return_inverse=True)
    n_strata = len(ids)
    big_n = np.bincount(srow, minlength=n_strata)
    grade = [pop.credit_labels[(int(i) % (nc * nr)) // nr] for i in ids]
    n = np.array(
        [sample_size(0.2 if g == "D" else 0.05, int(m)) for g, m in zip(grade, big_n, strict=True)]
    )
    pi = n / big_n
    # classes: objects with the same set of strata (a random 62-bit code per stratum, summed)
    code = np.random.default_rng(0).integers(0, 2**62, size=n_strata, dtype=np.int64)
    total = np.zeros(pop.size, dtype=np.int64)
    np.add.at(total, po, code[srow])
    _, cls = np.unique(total, return_inverse=True)
    n_cls = int(cls.max()) + 1
    print(f"{args.size:,} objects, {n_strata} strata, {n_cls:,} classes of "
          f"{pop.size / n_cls:.1f} objects on average; load {os.getloadavg()[0]:.2f}")  # fmt: skip

    def pick(key: np.ndarray) -> int:
        order = np.lexsort((key, srow))
        s_sorted = srow[order]
        rank = np.arange(len(order)) - np.searchsorted(s_sorted, np.arange(n_strata))[s_sorted]
        chosen = order[rank < n[s_sorted]]
        return len(np.unique(po[chosen]))

    def class_systematic(start: float) -> float:
        sc = srow.astype(np.int64) * n_cls + cls[po]
        cells, size = np.unique(sc, return_counts=True)
        s_of, c_of = cells // n_cls, cells % n_cls
        e = size * pi[s_of]
        hi = np.cumsum(e)
        first = np.searchsorted(s_of, np.arange(n_strata))
        hi = hi - np.concatenate([[0.0], hi])[first][s_of]
        count = np.floor(hi + start + 1e-9) - np.floor(hi - e + start + 1e-9)
        most = np.zeros(n_cls)
        np.maximum.at(most, c_of, count)
        return float(most.sum())

    cell = pop.credit.astype(np.int64) * nr + pop.risk

    def cube(seed: str, u: np.ndarray) -> int:
        stats: dict = {}
        chosen = balanced.select(po, srow, n, big_n, u, cell, seed, stats)
        got = np.bincount(srow[chosen], minlength=n_strata)
        assert (got == n).all(), "a stratum's size is off"
        print(f"  {seed}: {stats}")
        return len(np.unique(po[chosen]))

    out: dict[str, list[float]] = {r: [] for r in RULES}
    for k in range(args.seeds):
        seed = f"bench-{k}"
        u = prn_array(seed, pop.keys)
        w = prn_array(seed + "/w", pop.keys)
        bound = fairness_bound(pop, draw(pop, seed, ratios, u=u))
        pu, pw, inside = u[po], w[po], u[po] < pi[srow]
        visits = {
            "rank": pick(pu),
            "poisson+w": pick(np.where(inside, pw, 2 + pw)),
            "poisson+u": pick(np.where(inside, pu, 2 + pw)),
            "u/pi": pick(pu / pi[srow]),
            "class-systematic": class_systematic(prn(seed, "start")),
            "cube": cube(seed, u),
        }
        for r in RULES:
            out[r].append(visits[r] / bound)
    print("| rule | visits / Σ max π |")
    print("|---|---:|")
    for r in RULES:
        print(f"| {r} | {np.mean(out[r]):.3f} |")


if __name__ == "__main__":
    main()
