"""The unified list (统一监管事项清单): the union over the enabled domains, city layer applied,
with the same duty of the same department listed once.

*Same duty* is recognised from data the plugins already keep, without a new key: two items of
different domains are the same duty when

* they have the same set of departments and the same stage, and
* the check points (elements) linked to them cover the same, non-empty set of codes from core's
  shared catalogue (``onething/data/canonical.toml``) — domain-local check points are ignored,
  they are the domain's own particulars.

E.g. a gas-safety check by 住建 with ``gas_alarm`` and ``gas_hose_valve`` in catering and in
elderly care is one row, its first domain's item as the row and both domains and codes kept
(``domains``, ``merged``); object types, measures, modes, levels, bases and related links are the
union of both. Items with no shared check point are never merged.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from attrs import evolve

from ..check_points import catalogue
from ..model import Element
from .model import ListedItem


def _union(*seqs: Iterable) -> tuple:
    return tuple(dict.fromkeys(x for s in seqs for x in s))


def duty_keys(elements: Iterable[Element]) -> dict[str, frozenset[str]]:
    """Item code → the shared-catalogue codes of its check points."""
    shared = set(catalogue())
    out: dict[str, set[str]] = defaultdict(set)
    for e in elements:
        if e.canonical in shared:
            for code in e.items:
                out[code].add(e.canonical)
    return {k: frozenset(v) for k, v in out.items()}


def unify(rows: Sequence[ListedItem], elements: Iterable[Element]) -> list[ListedItem]:
    """The unified list of ``rows`` (one day's list): disabled rows left out, same duties merged.

    The row order is the input order; a merged row stands where its first item stood.
    """
    keys = duty_keys(elements)
    out: list[ListedItem] = []
    index: dict[tuple, int] = {}
    for row in rows:
        if not row.active:
            continue
        item = row.item
        shared = keys.get(item.code) if row.layer == "plugin" else None
        if not shared:
            out.append(row)
            continue
        key = (frozenset(item.departments), item.stage, shared)
        if key not in index:
            index[key] = len(out)
            out.append(row)
            continue
        first = out[index[key]]
        if item.domain in first.domains:  # one domain's two items stay two rows
            out.append(row)
            continue
        merged_item = evolve(
            first.item,
            object_types=_union(first.item.object_types, item.object_types),
            measures=_union(first.item.measures, item.measures),
            modes=_union(first.item.modes, item.modes),
            levels=_union(first.item.levels, item.levels),
            basis=_union(first.item.basis, item.basis),
            related=_union(first.item.related, item.related),
        )
        out[index[key]] = evolve(
            first,
            item=merged_item,
            domains=_union(first.domains, (item.domain,)),
            merged=_union(first.merged, (item.code,)),
        )
    return out
