"""Coordinated double-random sampling with permanent random numbers.

For each random-mode item and stratum (credit grade × risk grade), the sample is the
``⌈ratio · N⌉`` objects of the stratum with the smallest ``u = H(seed, key)`` (see
:mod:`.prn`). Marginally this is a simple random sample of the stratum; because every item
uses the same ``u``, the samples of all items nest and overlap as much as randomness allows.

Sampling-ratio convention (in the item's domain; the city layer overrides as usual), first
found wins:

1. ``sampling_ratio.<item number>`` (``sampling_ratio.003`` for ``catering.003``)
2. ``sampling_ratio.<credit grade>`` (``sampling_ratio.A``)
3. ``sampling_ratio``

A random-mode item with none in force is reported (``missing_ratios``), never skipped silently.
``⌈ratio · N⌉`` is computed exactly in decimal (``0.1 · 30`` is 3, not 4).
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import numpy as np
from attrs import frozen

from ..errors import InvalidInput, NotInForce
from ..rulebook import ParameterInForce, Rulebook
from .population import NO_GRADE, Population
from .prn import prn_array


def sample_size(ratio: float, population: int) -> int:
    """``⌈ratio · N⌉`` in exact decimal arithmetic."""
    return min(population, math.ceil(Decimal(str(ratio)) * population))


def ratio_parameter(
    rulebook: Rulebook, item: str, credit_grade: str, on: dt.date
) -> ParameterInForce | None:
    """The sampling-ratio parameter in force for an item and credit grade, or ``None``."""
    domain, _, number = item.partition(".")
    names = [f"sampling_ratio.{number}"]
    if credit_grade != NO_GRADE:
        names.append(f"sampling_ratio.{credit_grade}")
    names.append("sampling_ratio")
    known = {n for d, n in rulebook.parameter_names(domain) if d == domain}
    for name in names:
        if name in known:
            try:
                p = rulebook.parameter(domain, name, on)
            except NotInForce:
                continue
            v = p.value
            if isinstance(v, bool) or not isinstance(v, int | float) or not 0 <= v <= 1:
                raise InvalidInput(
                    p.provenance.source or p.provenance.plugin,
                    f"{domain}.{name}",
                    f"a sampling ratio must be a number in [0, 1], got {v!r}",
                )
            return p
    return None


@frozen
class Stratum:
    item: str
    credit_grade: str
    risk_grade: str
    population: int
    ratio: float | None
    size: int
    parameter: str | None
    """``domain.name`` of the ratio parameter used"""


@frozen
class Sample:
    selected_obj: np.ndarray
    """object index of each selected (object, item) pair"""
    selected_item: np.ndarray
    """index into the population's ``item_codes``"""
    selected_stratum: np.ndarray
    """index into ``strata``"""
    strata: tuple[Stratum, ...]
    missing_ratios: tuple[tuple[str, str, int], ...]
    """(item, credit grade, objects) of random-mode items with no ratio in force"""
    parameters: tuple[ParameterInForce, ...]


def draw(
    population: Population,
    seed: str,
    ratios: dict[tuple[str, str], ParameterInForce | float | None],
    u: np.ndarray | None = None,
) -> Sample:
    """Draw every (item, stratum) sample at once, set-based with numpy.

    ``ratios`` maps ``(item code, credit label)`` to the ratio (or the parameter holding it) of
    every item that is sampled; items absent from it are not sampled (not random-mode).
    """
    pop = population
    if u is None:
        u = prn_array(seed, pop.keys)
    nc, nr = len(pop.credit_labels), len(pop.risk_labels)
    sampled_item = np.array(
        [any((c, g) in ratios for g in pop.credit_labels) for c in pop.item_codes], dtype=bool
    )
    mask = sampled_item[pop.pair_item] if len(pop.item_codes) else np.zeros(0, bool)
    p_obj, p_item = pop.pair_obj[mask], pop.pair_item[mask]
    stratum = (p_item.astype(np.int64) * nc + pop.credit[p_obj]) * nr + pop.risk[p_obj]
    # sort by (stratum, u, key); object index order is key order, so it breaks u ties
    order = np.lexsort((p_obj, u[p_obj], stratum))
    s_sorted = stratum[order]
    ids, starts, counts = np.unique(s_sorted, return_index=True, return_counts=True)
    strata: list[Stratum] = []
    sizes = np.zeros(len(ids), dtype=np.int64)
    missing: dict[tuple[str, str], int] = {}
    used: dict[tuple[str, str], ParameterInForce] = {}
    for j, (sid, n) in enumerate(zip(ids.tolist(), counts.tolist(), strict=True)):
        item_i, rest = divmod(sid, nc * nr)
        ci, ri = divmod(rest, nr)
        item, cg, rg = pop.item_codes[item_i], pop.credit_labels[ci], pop.risk_labels[ri]
        r = ratios.get((item, cg))
        value = r.value if isinstance(r, ParameterInForce) else r
        if isinstance(r, ParameterInForce):
            used[(r.domain, r.name)] = r
        if value is None:
            missing[(item, cg)] = missing.get((item, cg), 0) + n
            size = 0
        else:
            size = sample_size(float(value), n)
        sizes[j] = size
        strata.append(
            Stratum(
                item=item,
                credit_grade=cg,
                risk_grade=rg,
                population=n,
                ratio=None if value is None else float(value),
                size=size,
                parameter=f"{r.domain}.{r.name}" if isinstance(r, ParameterInForce) else None,
            )
        )
    pos = np.searchsorted(ids, s_sorted)
    rank = np.arange(len(s_sorted)) - starts[pos]
    chosen = order[rank < sizes[pos]]
    chosen.sort()
    return Sample(
        selected_obj=p_obj[chosen],
        selected_item=p_item[chosen],
        selected_stratum=np.searchsorted(ids, stratum[chosen]),
        strata=tuple(strata),
        missing_ratios=tuple((i, g, n) for (i, g), n in sorted(missing.items())),
        parameters=tuple(used[k] for k in sorted(used)),
    )


def ratios_in_force(
    rulebook: Rulebook, population: Population, on: dt.date
) -> dict[tuple[str, str], ParameterInForce | None]:
    """The ratio of every random-mode item in force on ``on`` for every credit label."""
    random_items = {i.code for i in rulebook.items(on) if "random" in i.modes}
    out: dict[tuple[str, str], ParameterInForce | None] = {}
    for code in population.item_codes:
        if code in random_items:
            for g in population.credit_labels:
                out[(code, g)] = ratio_parameter(rulebook, code, g, on)
    return out
