"""The sampling frame read from the registry: per object only key, grades, region and its
applicable item codes (the stored object–item mapping), and the SHA-256 of its canonical form.

Canonical form (hashed as UTF-8, objects in ascending code-point order of ``key``)::

    key \\t credit_grade \\t risk_grade \\t region_code \\t item,item,… (sorted) \\n

with ``-`` for a missing grade. Anyone holding the same registry rows computes the same hash.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import numpy as np
import sqlalchemy as sa
from attrs import frozen

from ..store import Store

NO_GRADE = "-"
BATCH = 20_000


@frozen
class Population:
    """Objects in key order with integer-coded grades, and object–item pairs as index arrays."""

    keys: list[str]
    regions: list[str]
    credit: np.ndarray
    """index into ``credit_labels`` per object"""
    risk: np.ndarray
    credit_labels: tuple[str, ...]
    risk_labels: tuple[str, ...]
    pair_obj: np.ndarray
    """object index of each (object, item) pair, pairs sorted by (object, item)"""
    pair_item: np.ndarray
    """index into ``item_codes``"""
    item_codes: tuple[str, ...]
    sha256: str

    @property
    def size(self) -> int:
        return len(self.keys)


def build_population(
    objects: Iterable[tuple[str, str | None, str | None, str]],
    pairs: Iterable[tuple[str, str]],
) -> Population:
    """A population from ``(key, credit_grade, risk_grade, region)`` rows and ``(key, item)``
    pairs, in any order (the result depends only on the set of rows)."""
    rows = sorted((k, c or NO_GRADE, r or NO_GRADE, reg) for k, c, r, reg in objects)
    keys = [r[0] for r in rows]
    index = {k: i for i, k in enumerate(keys)}
    if len(index) != len(keys):
        raise ValueError("duplicate object keys in the population")
    credit_labels = tuple(sorted({r[1] for r in rows}))
    risk_labels = tuple(sorted({r[2] for r in rows}))
    cpos = {g: i for i, g in enumerate(credit_labels)}
    rpos = {g: i for i, g in enumerate(risk_labels)}
    credit = np.fromiter((cpos[r[1]] for r in rows), dtype=np.int16, count=len(rows))
    risk = np.fromiter((rpos[r[2]] for r in rows), dtype=np.int16, count=len(rows))
    codes: dict[str, int] = {}
    objs: list[int] = []
    items: list[int] = []
    for key, code in pairs:
        i = index.get(key)
        if i is None:
            continue  # mapping row of an object outside the frame (cannot happen with the FK)
        objs.append(i)
        items.append(codes.setdefault(code, len(codes)))
    item_codes = tuple(codes)
    # renumber items in sorted code order, then sort pairs by (object, item)
    order = sorted(range(len(item_codes)), key=item_codes.__getitem__)
    remap = np.empty(len(item_codes), dtype=np.int32)
    remap[order] = np.arange(len(item_codes), dtype=np.int32)
    item_codes = tuple(item_codes[i] for i in order)
    pair_obj = np.asarray(objs, dtype=np.int32)
    pair_item = remap[np.asarray(items, dtype=np.int32)] if items else np.zeros(0, np.int32)
    if len(pair_obj):
        o = np.lexsort((pair_item, pair_obj))
        pair_obj, pair_item = pair_obj[o], pair_item[o]
        keep = np.ones(len(pair_obj), dtype=bool)
        keep[1:] = (pair_obj[1:] != pair_obj[:-1]) | (pair_item[1:] != pair_item[:-1])
        pair_obj, pair_item = pair_obj[keep], pair_item[keep]
    digest = _canonical_sha256(rows, pair_obj, pair_item, item_codes)
    return Population(
        keys=keys,
        regions=[r[3] for r in rows],
        credit=credit,
        risk=risk,
        credit_labels=credit_labels,
        risk_labels=risk_labels,
        pair_obj=pair_obj,
        pair_item=pair_item,
        item_codes=item_codes,
        sha256=digest,
    )


def _canonical_sha256(rows, pair_obj, pair_item, item_codes) -> str:
    h = hashlib.sha256()
    starts = np.searchsorted(pair_obj, np.arange(len(rows) + 1))
    buf: list[str] = []
    for i, (key, credit, risk, region) in enumerate(rows):
        its = ",".join(item_codes[j] for j in pair_item[starts[i] : starts[i + 1]])
        buf.append(f"{key}\t{credit}\t{risk}\t{region}\t{its}\n")
        if len(buf) >= BATCH:
            h.update("".join(buf).encode())
            buf.clear()
    h.update("".join(buf).encode())
    return h.hexdigest()


def load_population(store: Store) -> Population:
    """The frame from the stored registry, read column-wise in batches (no full objects)."""
    store.ensure_current()
    with store.engine.connect() as conn:
        objects = conn.execution_options(yield_per=BATCH).execute(
            sa.text("SELECT key, credit_grade, risk_grade, region_code FROM registry_object")
        )
        rows = [tuple(r) for r in objects]
        pairs = conn.execution_options(yield_per=BATCH).execute(
            sa.text("SELECT key, item_code FROM registry_object_item")
        )
        return build_population(rows, (tuple(p) for p in pairs))
