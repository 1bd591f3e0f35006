"""Balanced coordinated sampling (algorithm ``onething-plan-v2``): the cube method.

Prototype; the docstring is completed with the recipe once the design is settled.
"""

from __future__ import annotations

import hashlib

import numpy as np

EPS = 1e-9
"""a unit within ``EPS`` of 0 or 1 is rounded there"""
TINY = 1e-12
"""pivot threshold of the null-space elimination"""


def _coin(head: bytes, key: str) -> float:
    d = hashlib.sha256(head + key.encode()).digest()
    return int.from_bytes(d[:8], "big") / 2**64


def _null_vector(m: np.ndarray) -> np.ndarray | None:
    """A vector ``v`` with ``m @ v ≈ 0`` (Gauss–Jordan, partial pivoting, elementwise numpy
    operations only), or ``None`` if the columns are independent."""
    a = m.copy()
    r, c = a.shape
    pivots: list[int] = []
    row = 0
    free = -1
    for col in range(c):
        if row < r:
            k = row + int(np.argmax(np.abs(a[row:, col])))
            p = a[k, col]
        else:
            p = 0.0
        if row >= r or abs(p) < TINY:
            free = col
            break
        if k != row:
            a[[row, k]] = a[[k, row]]
        a[row] = a[row] / p
        f = a[:, col].copy()
        f[row] = 0.0
        a -= f[:, None] * a[row][None, :]
        pivots.append(col)
        row += 1
    if free < 0:
        return None
    v = np.zeros(c)
    v[free] = 1.0
    for k, pc in enumerate(pivots):
        v[pc] = -a[k, free]
    v[np.abs(v) < TINY] = 0.0
    return v


def _steps(xa: np.ndarray, v: np.ndarray) -> tuple[float, float]:
    """The largest ``l1``, ``l2`` keeping ``xa + l1·v`` and ``xa − l2·v`` in [0, 1]."""
    pos, neg = v > 0, v < 0
    vp, vn = np.where(pos, v, 1.0), np.where(neg, v, -1.0)
    up = np.where(pos, (1 - xa) / vp, np.where(neg, -xa / vn, np.inf))
    dn = np.where(pos, xa / vp, np.where(neg, (xa - 1) / vn, np.inf))
    return float(up.min()), float(dn.min())


def select(
    p_obj: np.ndarray,
    srow: np.ndarray,
    n: np.ndarray,
    big_n: np.ndarray,
    u: np.ndarray,
    cell: np.ndarray,
    seed: str,
    stats: dict | None = None,
) -> np.ndarray:
    """Which pairs are selected (a boolean mask over the pairs).

    ``p_obj``/``srow``: object and stratum of each pair, sorted by (object, stratum); ``n``,
    ``big_n``: sample size and population of each stratum; ``u``: the PRN (uint64) of each
    object; ``cell``: the cell (credit × risk) of each object; every stratum lies in one cell.
    """
    n_obj = len(u)
    n_pairs = len(p_obj)
    pi_s = np.where(big_n > 0, n / np.maximum(big_n, 1), 0.0)
    pp = pi_s[srow]
    pi_o = np.zeros(n_obj)
    np.maximum.at(pi_o, p_obj, pp)
    # the stratum giving each object its largest π (the exact fraction n*/N* for the rounding)
    best = np.full(n_obj, -1, dtype=np.int64)
    is_best = pp == pi_o[p_obj]
    best[p_obj[is_best][::-1]] = srow[is_best][::-1]
    a = np.where(pi_o[p_obj] > 0, pp / np.where(pi_o[p_obj] > 0, pi_o[p_obj], 1.0), 0.0)
    # classes: objects with the same strata
    first = np.searchsorted(p_obj, np.arange(n_obj))
    count = np.bincount(p_obj, minlength=n_obj)
    width = int(count.max()) if n_obj else 0
    table = np.full((n_obj, width + 1), -1, dtype=np.int64)
    table[:, 0] = cell
    col = np.arange(n_pairs) - first[p_obj]
    table[p_obj, col + 1] = srow
    _, cls = np.unique(table, axis=0, return_inverse=True)
    cls = cls.reshape(-1)
    x = np.zeros(n_obj)
    # within a class (equal π, equal columns): the smallest PRNs get 1, one gets the rest
    order = np.lexsort((np.arange(n_obj), u, cls))
    c_sorted = cls[order]
    starts = np.searchsorted(c_sorted, np.arange(int(cls.max()) + 1 if n_obj else 0))
    sizes = np.diff(np.append(starts, n_obj))
    lead = order[starts]
    bs = best[lead]
    num = np.where(bs >= 0, sizes * n[np.maximum(bs, 0)], 0)
    den = np.where(bs >= 0, big_n[np.maximum(bs, 0)], 1)
    k, rem = num // den, num % den
    rank = np.arange(n_obj) - starts[c_sorted]
    kk = k[c_sorted]
    x[order] = np.where(rank < kk, 1.0, np.where(rank == kk, (rem / den)[c_sorted], 0.0))
    units = np.flatnonzero((x > 0) & (x < 1))
    head = b"onething-plan-v2\x00" + seed.encode() + b"\x00"
    # flight phase per cell, units in PRN order
    uorder = units[np.lexsort((units, u[units], cell[units]))]
    cells = cell[uorder]
    bounds = np.flatnonzero(np.diff(cells)) + 1
    steps = 0
    leftover: list[int] = []
    for group in np.split(uorder, bounds):
        if not len(group):
            continue
        c = int(cell[group[0]])
        active: list[int] = []
        it = iter(group.tolist())
        exhausted = False
        while True:
            rows = {int(s) for j in active for s in srow[first[j] : first[j] + count[j]]}
            while not exhausted and len(active) <= len(rows):
                nxt = next(it, None)
                if nxt is None:
                    exhausted = True
                    break
                active.append(nxt)
                rows.update(int(s) for s in srow[first[nxt] : first[nxt] + count[nxt]])
            if len(active) < 2:
                leftover += active
                break
            ridx = {s: i for i, s in enumerate(sorted(rows))}
            m = np.zeros((len(ridx), len(active)))
            for jj, j in enumerate(active):
                sl = slice(first[j], first[j] + count[j])
                m[[ridx[int(s)] for s in srow[sl]], jj] = a[sl]
            v = _null_vector(m)
            if v is None:
                if exhausted:
                    leftover += active
                    break
                continue
            xa = x[active]
            l1, l2 = _steps(xa, v)
            steps += 1
            if _coin(head, f"cube/{c}/{steps}") < l2 / (l1 + l2):
                xa = xa + l1 * v
            else:
                xa = xa - l2 * v
            xa[xa < EPS] = 0.0
            xa[xa > 1 - EPS] = 1.0
            x[active] = xa
            active = [j for j in active if 0.0 < x[j] < 1.0]
    # landing: the stalled units with the fractional pairs of visited objects (free slack)
    y = a * x[p_obj]
    y[y < EPS] = 0.0
    y[y > 1 - EPS] = 1.0
    unpacked = 0
    lead_steps = 0
    by_stratum = np.lexsort((p_obj, u[p_obj], srow))
    s_first = np.searchsorted(srow[by_stratum], np.arange(len(n) + 1))

    def fracpairs(s: int) -> int | None:
        for q in by_stratum[s_first[s] : s_first[s + 1]].tolist():
            if x[p_obj[q]] == 1.0 and 0.0 < y[q] < 1.0:
                return q
        return None

    for c in sorted({int(cell[j]) for j in leftover}):
        units_c = [j for j in leftover if int(cell[j]) == c]
        while units_c:
            rows = sorted({int(s) for j in units_c for s in srow[first[j] : first[j] + count[j]]})
            free: list[int] = []
            for s in rows:
                cand = fracpairs(s)
                if cand is not None:
                    free.append(cand)
            ridx = {s: i for i, s in enumerate(rows)}
            m = np.zeros((len(rows), len(units_c) + len(free)))
            for jj, j in enumerate(units_c):
                sl = slice(first[j], first[j] + count[j])
                m[[ridx[int(s)] for s in srow[sl]], jj] = a[sl]
            for ff, q in enumerate(free):
                m[ridx[int(srow[q])], len(units_c) + ff] = 1.0
            v = _null_vector(m)
            if v is None:
                # unpack the unit with the least mass into its pairs
                j = min(units_c, key=lambda j: (x[j], u[j]))
                units_c.remove(j)
                unpacked += 1
                continue
            xa = np.concatenate([x[units_c], y[free]])
            l1, l2 = _steps(xa, v)
            lead_steps += 1
            if _coin(head, f"land/{c}/{lead_steps}") < l2 / (l1 + l2):
                xa = xa + l1 * v
            else:
                xa = xa - l2 * v
            xa[xa < EPS] = 0.0
            xa[xa > 1 - EPS] = 1.0
            k = len(units_c)
            x[units_c] = xa[:k]
            y[free] = xa[k:]
            for j in units_c:
                sl = slice(first[j], first[j] + count[j])
                y[sl] = a[sl] * x[j]
                yy = y[sl]
                yy[yy < EPS] = 0.0
                yy[yy > 1 - EPS] = 1.0
                y[sl] = yy
            units_c = [j for j in units_c if 0.0 < x[j] < 1.0]
    if stats is not None:
        stats["units"] = len(units)
        stats["steps"] = steps
        stats["leftover"] = len(leftover)
        stats["leftover_mass"] = float(x[leftover].sum()) if leftover else 0.0
        stats["unpacked"] = unpacked
    # pair level: each stratum rounds its fractional pairs to its exact size
    chosen = y == 1.0
    frac = np.flatnonzero((y > 0) & (y < 1))
    if len(frac):
        fo = frac[np.lexsort((p_obj[frac], u[p_obj[frac]], srow[frac]))]
        fs = srow[fo]
        sb = np.flatnonzero(np.diff(fs)) + 1
        have = np.bincount(srow[chosen], minlength=len(n))
        for grp in np.split(fo, sb):
            s = int(srow[grp[0]])
            need = int(n[s] - have[s])
            if need <= 0:
                continue
            cum = np.cumsum(y[grp])
            cum = cum * (need / cum[-1])
            start = _coin(head, f"land/{int(cell[p_obj[grp[0]]])}")
            hit = np.floor(cum - start + 1) - np.floor(
                np.concatenate([[0.0], cum[:-1]]) - start + 1
            )
            chosen[grp[hit > 0]] = True
    return chosen
