"""对象-事项对应 (mapping): which items apply to each object, stored in
``registry_object_item`` and kept current.

Applicability is decided by the domain plugins through ``Domains.match_items`` (the plugin's
``onething_match_items`` hook, else the items' object types and conditions), in batches.
The mapping is recomputed

* for the objects an import inserts or changes (:meth:`Mapper.remap`), and
* when the items in force differ from those the mapping was computed with — a new plugin
  version, a new item version taking effect, a city change — for the objects those items
  concern (:meth:`Mapper.refresh`; ``onething registry map``). ``registry_item_state`` holds
  a fingerprint of each item the stored mapping used.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import sqlalchemy as sa
from attrs import define

from ..applicability import match_members
from ..model import Item, converter
from ..rulebook import Rulebook
from ..store import Store
from ..store.registry import ItemState, ObjectItem, ObjectMembership, RegistryObject
from ._bulk import bind_value, insert_tuples
from ._rows import to_object

_O = RegistryObject.__table__
_M = ObjectMembership.__table__
_OI = ObjectItem.__table__
_S = ItemState.__table__
_OI_COLUMNS = ("key", "item_code", "domain", "computed_on")
_PROCESSED = ("computed_on",)


def fingerprint(item: Item) -> str:
    data = json.dumps(converter.unstructure(item), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(data.encode()).hexdigest()


@define
class RefreshReport:
    """What a refresh recomputed, by domain: changed item codes and re-mapped objects."""

    on: dt.date
    changed_items: dict[str, list[str]]
    objects: dict[str, int]
    pairs: dict[str, int]

    def as_json(self) -> dict[str, Any]:
        return {
            "on": self.on.isoformat(),
            "changed_items": self.changed_items,
            "objects": self.objects,
            "pairs": self.pairs,
        }


class Mapper:
    """Computes and stores the mapping inside one transaction (``conn``)."""

    def __init__(self, conn: sa.Connection, rulebook: Rulebook, on: dt.date):
        from . import BATCH_SIZE

        self.conn = conn
        self.rulebook = rulebook
        self.domains = rulebook.domains
        self.on = on
        self.batch_size = BATCH_SIZE
        self.items: dict[str, list[Item]] = {d: rulebook.items(on, d) for d in self.domains.names}
        self._on_value = bind_value(conn, _OI, "computed_on", on)
        self._hooked = {
            d: self.domains.implements(d, "onething_match_items") for d in self.domains.names
        }

    def _pairs(self, rows: list[Mapping[str, Any]], domain: str) -> list[tuple[Any, ...]]:
        """``(key, item code, domain, computed on)`` of the stored-row dicts ``rows`` in
        ``domain``: the plugin's ``onething_match_items`` (one batch call) if it has one, else
        the set-based :func:`~onething.applicability.match_members` on the rows themselves."""
        items = self.items[domain]
        mine = [r for r in rows if domain in r["domains"]]
        if not mine or not items:
            return []
        if self._hooked[domain]:
            pairs: Iterable[tuple[str, str]] = self.domains.match_items(
                domain, [to_object(r) for r in mine], items, self.on
            )
        else:
            pairs = match_members(
                items,
                (
                    (r["key"], m["object_types"], m.get("attributes") or {})
                    for r in mine
                    for m in (r["domains"][domain],)
                ),
            )
        on = self._on_value
        return [(k, c, domain, on) for k, c in set(pairs)]

    def remap(self, rows: list[Mapping[str, Any]], *, replace: Iterable[str] = ()) -> int:
        """Store the mapping of ``rows`` (stored-row dicts), replacing that of the keys in
        ``replace``; returns the number of pairs written."""
        replace = list(replace)
        if replace:
            self.conn.execute(sa.delete(_OI).where(_OI.c.key.in_(replace)))
        out = [p for d in self.domains.names for p in self._pairs(rows, d)]
        out.sort()  # key order: SQLite's B-trees fill sequentially
        insert_tuples(self.conn, _OI, _OI_COLUMNS, out, processed=_PROCESSED)
        return len(out)

    def _affected(self, domain: str, types: set[str] | None) -> Iterator[list[str]]:
        """Keys of the domain's objects (of ``types``), in key order, in batches."""
        last = None
        while True:
            q = sa.select(_M.c.key).where(_M.c.domain == domain)
            if types is not None:
                q = q.where(_M.c.object_type.in_(sorted(types)))
            if last is not None:
                q = q.where(_M.c.key > last)
            q = q.distinct().order_by(_M.c.key).limit(self.batch_size)
            keys = list(self.conn.execute(q).scalars())
            if not keys:
                return
            yield keys
            last = keys[-1]

    def refresh(self, *, full: bool = False) -> RefreshReport:
        """Re-map the objects concerned by items that changed since the mapping was stored
        (``full``: every object of every enabled domain)."""
        report = RefreshReport(on=self.on, changed_items={}, objects={}, pairs={})
        for domain in self.domains.names:
            current = {i.code: (fingerprint(i), sorted(i.object_types)) for i in self.items[domain]}
            stored = {
                r.item_code: (r.fingerprint, list(r.object_types))
                for r in self.conn.execute(sa.select(_S).where(_S.c.domain == domain))
            }
            changed = sorted(
                c for c in current.keys() | stored.keys() if current.get(c) != stored.get(c)
            )
            if not changed and not full:
                continue
            types: set[str] | None = set()
            for c in changed:
                for state in (current.get(c), stored.get(c)):
                    if state is not None and types is not None:
                        types.update(state[1])
            if full or self.domains.implements(domain, "onething_match_items"):
                types = None  # the plugin decides beyond object types: every object may change
            objects = pairs = 0
            for keys in self._affected(domain, types):
                rows = self.conn.execute(sa.select(_O).where(_O.c.key.in_(keys))).mappings().all()
                self.conn.execute(sa.delete(_OI).where(_OI.c.domain == domain, _OI.c.key.in_(keys)))
                out = sorted(self._pairs(rows, domain))
                insert_tuples(self.conn, _OI, _OI_COLUMNS, out, processed=_PROCESSED)
                objects += len(keys)
                pairs += len(out)
            self.conn.execute(sa.delete(_S).where(_S.c.domain == domain))
            if current:
                self.conn.execute(
                    sa.insert(_S),
                    [
                        {
                            "item_code": c,
                            "domain": domain,
                            "fingerprint": fp,
                            "object_types": t,
                            "computed_on": self.on,
                        }
                        for c, (fp, t) in sorted(current.items())
                    ],
                )
            report.changed_items[domain] = changed
            report.objects[domain] = objects
            report.pairs[domain] = pairs
        return report


def refresh_mapping(
    store: Store, app_or_rulebook: Any, *, on: dt.date | None = None, full: bool = False
) -> RefreshReport:
    """Bring the stored mapping up to the items in force on ``on`` (default today), in one
    transaction. ``full`` recomputes every object."""
    from .importer import _rulebook_of

    with store.session() as session:
        mapper = Mapper(session.connection(), _rulebook_of(app_or_rulebook), on or dt.date.today())
        return mapper.refresh(full=full)


def items_of(store: Store, key: str) -> list[str]:
    """The item codes mapped to object ``key``, sorted."""
    with store.engine.connect() as conn:
        return list(
            conn.execute(
                sa.select(_OI.c.item_code).where(_OI.c.key == key).order_by(_OI.c.item_code)
            ).scalars()
        )
