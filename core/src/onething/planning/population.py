"""The sampling frame read from the registry: per object only key, grades, region and its
applicable item codes (the stored object–item mapping: the items of the object's applicability
profile), and the SHA-256 of its canonical form.

Canonical form (hashed as UTF-8, objects in ascending code-point order of ``key``)::

    key \\t credit_grade \\t risk_grade \\t region_code \\t item,item,… (sorted) \\n

with ``-`` for a missing grade. Anyone holding the same registry rows computes the same hash.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from operator import itemgetter

import numpy as np
import sqlalchemy as sa
from attrs import frozen

from ..store import Store
from ..store.registry import ProfileItem, RegistryObject

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
    return _population(rows, pair_obj, pair_item, item_codes)


def _population(
    rows: list[tuple[str, str, str, str]],
    pair_obj: np.ndarray,
    pair_item: np.ndarray,
    item_codes: tuple[str, ...],
    item_texts: Iterable[str] | None = None,
) -> Population:
    """The population of ``rows`` (in key order, grades filled) and its pairs, sorted by
    (object, item) without duplicates, ``pair_item`` indexing the sorted ``item_codes``;
    ``item_texts``: each object's items as in the canonical form, when known already."""
    credit_labels = tuple(sorted({r[1] for r in rows}))
    risk_labels = tuple(sorted({r[2] for r in rows}))
    cpos = {g: i for i, g in enumerate(credit_labels)}
    rpos = {g: i for i, g in enumerate(risk_labels)}
    credit = np.fromiter((cpos[r[1]] for r in rows), dtype=np.int16, count=len(rows))
    risk = np.fromiter((rpos[r[2]] for r in rows), dtype=np.int16, count=len(rows))
    if item_texts is None:
        starts = np.searchsorted(pair_obj, np.arange(len(rows) + 1))
        item_texts = (
            ",".join(item_codes[j] for j in pair_item[starts[i] : starts[i + 1]])
            for i in range(len(rows))
        )
    digest = _canonical_sha256(rows, item_texts)
    return Population(
        keys=[r[0] for r in rows],
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


def population_from_profiles(
    objects: Iterable[tuple[str, str | None, str | None, str, int | None]],
    profile_items: Iterable[tuple[int, str]],
    extra: Sequence[tuple[str, str]] = (),
) -> Population:
    """The same population as :func:`build_population` from ``(key, credit_grade, risk_grade,
    region, profile id)`` rows and the ``(profile id, item)`` rows of their profiles: each
    object's pairs are its profile's items, expanded with array operations (no Python loop
    over object–item pairs). A profile no object has adds nothing; ``None``: no items."""
    rows5 = sorted(
        ((k, c or NO_GRADE, r or NO_GRADE, reg, p) for k, c, r, reg, p in objects),
        key=itemgetter(0),
    )
    rows = [r[:4] for r in rows5]
    if len({r[0] for r in rows}) != len(rows):
        raise ValueError("duplicate object keys in the population")
    of_profile: dict[int, set[str]] = {}
    for pid, code in profile_items:
        of_profile.setdefault(pid, set()).add(code)
    used = sorted({r[4] for r in rows5 if r[4] is not None and r[4] in of_profile})
    item_codes = tuple(sorted({c for pid in used for c in of_profile[pid]}))
    cpos = {c: i for i, c in enumerate(item_codes)}
    # the profiles' items as one flat array of sorted item indices, profile j's from start[j];
    # objects with no profile (or one without items) take the empty entry appended last
    lists: list[Sequence[int]] = [sorted(cpos[c] for c in of_profile[pid]) for pid in used]
    lists.append(())
    length = np.fromiter((len(x) for x in lists), dtype=np.int64, count=len(lists))
    start = np.zeros(len(lists), dtype=np.int64)
    np.cumsum(length[:-1], out=start[1:])
    flat = np.fromiter((i for x in lists for i in x), dtype=np.int32, count=int(length.sum()))
    ppos = {pid: j for j, pid in enumerate(used)}
    empty = len(used)
    prof = np.fromiter((ppos.get(r[4], empty) for r in rows5), dtype=np.int64, count=len(rows))
    n_items = length[prof]
    pair_obj = np.repeat(np.arange(len(rows), dtype=np.int32), n_items)
    first = np.zeros(len(rows), dtype=np.int64)  # position of each object's first pair
    if len(rows):
        np.cumsum(n_items[:-1], out=first[1:])
    within = np.arange(len(pair_obj), dtype=np.int64) - np.repeat(first, n_items)
    pair_item = flat[np.repeat(start[prof], n_items) + within]
    if extra:  # items applying through relations: merged in, then every object's text anew
        return _with_extra(rows, pair_obj, pair_item, item_codes, extra)
    texts = [",".join(item_codes[i] for i in x) for x in lists]
    return _population(
        rows,
        pair_obj,
        pair_item.astype(np.int32),
        item_codes,
        (texts[j] for j in prof.tolist()),
    )


def _with_extra(rows, pair_obj, pair_item, item_codes, extra) -> Population:
    """The population of the profile pairs and the ``extra`` ``(key, item)`` pairs (those of
    objects outside ``rows`` dropped), sorted by (object, item) without duplicates."""
    index = {r[0]: i for i, r in enumerate(rows)}
    extra = [(index[k], c) for k, c in extra if k in index]
    codes = tuple(sorted(set(item_codes) | {c for _, c in extra}))
    pos = {c: i for i, c in enumerate(codes)}
    remap = np.fromiter((pos[c] for c in item_codes), dtype=np.int32, count=len(item_codes))
    objs = np.concatenate([pair_obj, np.fromiter((o for o, _ in extra), np.int32, len(extra))])
    items = np.concatenate(
        [
            remap[pair_item] if len(pair_item) else np.zeros(0, np.int32),
            np.fromiter((pos[c] for _, c in extra), np.int32, len(extra)),
        ]
    )
    o = np.lexsort((items, objs))
    objs, items = objs[o], items[o]
    keep = np.ones(len(objs), dtype=bool)
    keep[1:] = (objs[1:] != objs[:-1]) | (items[1:] != items[:-1])
    return _population(rows, objs[keep], items[keep], codes)


def _canonical_sha256(rows, item_texts: Iterable[str]) -> str:
    h = hashlib.sha256()
    buf: list[str] = []
    for (key, credit, risk, region), its in zip(rows, item_texts, strict=True):
        buf.append(f"{key}\t{credit}\t{risk}\t{region}\t{its}\n")
        if len(buf) >= BATCH:
            h.update("".join(buf).encode())
            buf.clear()
    h.update("".join(buf).encode())
    return h.hexdigest()


def load_population(store: Store, rulebook=None, on=None) -> Population:
    """The frame from the stored registry, read column-wise in batches (no full objects): the
    objects with their profile ids, then the items of the profiles (a few thousand rows), and,
    given the ``rulebook``, the items applying through relations in force on ``on``
    (:mod:`onething.registry.through`)."""
    from ..registry.through import through_items, through_pairs

    store.ensure_current()
    o, pi = RegistryObject.__table__, ProfileItem.__table__
    with store.engine.connect() as conn:
        extra = (
            through_pairs(conn, rulebook, on)
            if rulebook is not None and on is not None and through_items(rulebook, on)
            else []
        )
        objects = conn.execution_options(yield_per=BATCH).execute(
            sa.select(o.c.key, o.c.credit_grade, o.c.risk_grade, o.c.region_code, o.c.profile_id)
        )
        rows = [tuple(r) for r in objects]
        items = conn.execute(sa.select(pi.c.profile_id, pi.c.item_code))
        return population_from_profiles(rows, (tuple(p) for p in items), extra)
