"""对象-事项对应 (mapping): which items apply to each object, stored as each object's
applicability profile (:mod:`onething.registry.profiles`) and kept current.

Applicability is decided by the domain plugins through ``Domains.match_items`` (the plugin's
``onething_match_items`` hook, one call per batch) or else by the items' object types and
conditions (:class:`~onething.applicability.Applicability`, each group of alike objects
decided once). The mapping is recomputed

* for the objects an import inserts or changes (:meth:`Mapper.assign`), and
* when the items in force differ from those the mapping was computed with — a new plugin
  version, a new item version taking effect, a city change — for the objects those items
  concern (:meth:`Mapper.refresh`; ``onething registry map``). ``registry_item_state`` holds
  a fingerprint of each item the stored mapping used.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from attrs import define, field
from sqlalchemy.dialects import postgresql, sqlite

from ..applicability import Applicability
from ..model import Item, converter
from ..rulebook import Rulebook, rulebook_of
from ..store import Store
from ..store.registry import ItemState, ProfileItem, RegistryObject
from ._rows import to_object
from .profiles import Profiles, in_domain
from .sources import BATCH_SIZE
from .through import ThroughUse, through_pairs, through_uses

_OBJECTS = RegistryObject.__table__
_PROFILE_ITEMS = ProfileItem.__table__
_ITEM_STATES = ItemState.__table__


def fingerprint(item: Item) -> str:
    data = json.dumps(converter.unstructure(item), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(data.encode()).hexdigest()


@define
class RefreshReport:
    """What a refresh recomputed, by domain: changed item codes and re-mapped objects; and
    the items applying through a relation, which the mapping does not store (:mod:`.through`)."""

    on: dt.date
    changed_items: dict[str, list[str]]
    objects: dict[str, int]
    pairs: dict[str, int]
    through: list[ThroughUse] = field(factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "on": self.on.isoformat(),
            "changed_items": self.changed_items,
            "objects": self.objects,
            "pairs": self.pairs,
            "through": [t.as_json() for t in self.through],
        }


#: What decides an object's profile: per domain, its object types and applicable item codes.
ProfileKey = tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]


class Matcher:
    """Decides which items apply to objects (no database): the plugins' batch hook, else the
    default rule, each group of alike objects decided once. Parallel imports run it in their
    worker processes."""

    def __init__(self, rulebook: Rulebook, on: dt.date):
        self.rulebook = rulebook
        self.domains = rulebook.domains
        self.on = on
        # an item applying through a relation is derived when asked (.through), never mapped
        # onto the objects of its own object types
        self.items: dict[str, list[Item]] = {
            d: [i for i in rulebook.items(on, d) if i.through is None] for d in self.domains.names
        }
        self._hooked = [
            d for d in self.domains.names if self.domains.implements(d, "onething_match_items")
        ]
        self._default = {
            d: Applicability(self.items[d]) for d in self.domains.names if d not in self._hooked
        }
        self._keys: dict[ProfileKey, ProfileKey] = {}

    def hooked(self, domain: str) -> bool:
        return domain in self._hooked

    def _hook_codes(self, rows: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, tuple]]:
        """Per hooked domain, the item codes its plugin gives each object (one call a batch)."""
        out: dict[str, dict[str, tuple]] = {}
        for d in self._hooked:
            mine = [r for r in rows if d in r["domains"]]
            if not mine or not self.items[d]:
                continue
            got: dict[str, list[str]] = {}
            objects = [to_object(r) for r in mine]
            pairs = self.domains.match_items(d, objects, self.items[d], self.on, self.rulebook)
            for key, code in pairs:
                got.setdefault(key, []).append(code)
            out[d] = {k: tuple(sorted(v)) for k, v in got.items()}
        return out

    def keys(self, rows: Sequence[Mapping[str, Any]]) -> list[ProfileKey]:
        """The profile key of each stored-row dict (``key``, ``domains``, …). Equal keys are
        the same object, so a batch of them pickles small."""
        # A hook answers by object key: a key repeated in the batch (a row and its later
        # change) goes to the hook in a later pass, so each row gets its own answer.
        passes: list[list[Mapping[str, Any]]] = []
        nth: list[int] = []
        seen_keys: dict[str, int] = {}
        for r in rows:
            n = seen_keys[r["key"]] = seen_keys.get(r["key"], -1) + 1
            if n == len(passes):
                passes.append([])
            passes[n].append(r)
            nth.append(n)
        answers = [self._hook_codes(p) for p in passes] if self._hooked else []
        default = self._default
        seen = self._keys
        out: list[ProfileKey] = []
        for r, n in zip(rows, nth, strict=True):
            hooked = answers[n] if answers else {}
            parts = []
            for d, m in r["domains"].items():
                types = m["object_types"]
                decide = default.get(d)
                if decide is not None:
                    codes = decide.codes(types, m.get("attributes") or {})
                else:  # a hooked domain, or one no longer enabled (no items)
                    codes = hooked.get(d, {}).get(r["key"], ())
                parts.append((d, tuple(types), codes))
            key = tuple(parts)
            if len(seen) >= 1 << 16:  # distinct profiles are few; stay flat if they are not
                seen.clear()
            out.append(seen.setdefault(key, key))
        return out


class Mapper:
    """Stores objects' profiles inside one transaction (``conn``)."""

    def __init__(self, conn: sa.Connection, rulebook: Rulebook, on: dt.date):
        self.conn = conn
        self.domains = rulebook.domains
        self.on = on
        self.batch_size = BATCH_SIZE
        self.matcher = Matcher(rulebook, on)
        self.items = self.matcher.items
        self.profiles = Profiles(conn, on)
        self._resolved: dict[ProfileKey, tuple[int, dict[str, int]]] = {}

    def resolve(self, keys: Sequence[ProfileKey]) -> list[tuple[int, dict[str, int]]]:
        """For each profile key: the profile id (created when new) and the number of
        applicable items per domain."""
        resolved = self._resolved
        # A batch repeats a few key objects (Matcher.keys shares them, pickling keeps that):
        # look each up once by identity, not by hashing its nested tuples every time.
        once = {id(k): k for k in keys}
        new = [k for k in once.values() if k not in resolved]
        if new:
            ids = self.profiles.ids_for(
                [
                    (
                        [(d, t) for d, types, _ in key for t in types],
                        [(d, c) for d, _, codes in key for c in codes],
                    )
                    for key in new
                ]
            )
            for key, pid in zip(new, ids, strict=True):
                resolved[key] = (pid, {d: len(codes) for d, _, codes in key})
        by_id = {i: resolved[k] for i, k in once.items()}
        return [by_id[id(k)] for k in keys]

    def assign(self, rows: Sequence[Mapping[str, Any]]) -> list[tuple[int, dict[str, int]]]:
        """:meth:`resolve` of the rows' :meth:`Matcher.keys`."""
        return self.resolve(self.matcher.keys(rows))

    def _store_item_state(self, domain: str, now: dict[str, tuple[str, list[str]]]) -> None:
        """Record the items the mapping of ``domain`` now follows. An upsert: a concurrent
        import refreshing the same items waits for this one and then writes the same rows."""
        self.conn.execute(
            sa.delete(_ITEM_STATES).where(
                _ITEM_STATES.c.domain == domain, _ITEM_STATES.c.item_code.not_in(sorted(now))
            )
        )
        if not now:
            return
        insert = _upsert(self.conn)(_ITEM_STATES).values(
            [
                {
                    "item_code": c,
                    "domain": domain,
                    "fingerprint": fp,
                    "object_types": t,
                    "computed_on": self.on,
                }
                for c, (fp, t) in sorted(now.items())
            ]
        )
        self.conn.execute(
            insert.on_conflict_do_update(
                index_elements=["item_code"],
                set_={
                    c: insert.excluded[c]
                    for c in ("domain", "fingerprint", "object_types", "computed_on")
                },
            )
        )

    def _affected(self, profiles: sa.CompoundSelect | None) -> Iterator[list[Any]]:
        """Stored rows (mappings) of the objects whose profile id ``profiles`` selects
        (``None``: every object), in key order, in batches."""
        last = None
        while True:
            q = sa.select(_OBJECTS)
            if profiles is not None:
                q = q.where(_OBJECTS.c.profile_id.in_(profiles))
            if last is not None:
                q = q.where(_OBJECTS.c.key > last)
            rows = (
                self.conn.execute(q.order_by(_OBJECTS.c.key).limit(self.batch_size))
                .mappings()
                .all()
            )
            if not rows:
                return
            yield rows
            last = rows[-1]["key"]

    def refresh(self, *, full: bool = False) -> RefreshReport:
        """Re-map the objects concerned by items that changed since the mapping was stored
        (``full``: every object)."""
        report = RefreshReport(on=self.on, changed_items={}, objects={}, pairs={})
        current: dict[str, dict[str, tuple[str, list[str]]]] = {}
        concerned: list[sa.Select] = []
        for domain in self.domains.names:
            now = {i.code: (fingerprint(i), sorted(i.object_types)) for i in self.items[domain]}
            stored = {
                r.item_code: (r.fingerprint, list(r.object_types))
                for r in self.conn.execute(
                    sa.select(_ITEM_STATES).where(_ITEM_STATES.c.domain == domain)
                )
            }
            changed = sorted(c for c in now.keys() | stored.keys() if now.get(c) != stored.get(c))
            if not changed and not full:
                continue
            current[domain] = now
            report.changed_items[domain] = changed
            report.objects[domain] = report.pairs[domain] = 0
            types = {t for c in changed for s in (now.get(c), stored.get(c)) if s for t in s[1]}
            if self.matcher.hooked(domain):  # the plugin decides beyond object types
                concerned.append(in_domain(domain))
            elif types:
                concerned.append(in_domain(domain, types))
        if full or concerned:
            for rows in self._affected(None if full else sa.union(*concerned)):
                moves = []
                for row, (pid, counts) in zip(rows, self.assign(rows), strict=True):
                    if pid != row["profile_id"]:
                        moves.append({"b_key": row["key"], "b_profile": pid})
                    for d, n in counts.items():
                        if d in report.objects:
                            report.objects[d] += 1
                            report.pairs[d] += n
                if moves:
                    self.conn.execute(
                        sa.update(_OBJECTS)
                        .where(_OBJECTS.c.key == sa.bindparam("b_key"))
                        .values(profile_id=sa.bindparam("b_profile")),
                        moves,
                    )
        for domain, now in current.items():
            self._store_item_state(domain, now)
        return report


def _upsert(conn: sa.Connection):
    return (postgresql if conn.dialect.name == "postgresql" else sqlite).insert


def refresh_mapping(
    store: Store, app_or_rulebook: Any, *, on: dt.date | None = None, full: bool = False
) -> RefreshReport:
    """Bring the stored mapping up to the items in force on ``on`` (default today), in one
    transaction. ``full`` recomputes every object."""
    with store.session() as session:
        rulebook = rulebook_of(app_or_rulebook)
        mapper = Mapper(session.connection(), rulebook, on or dt.date.today())
        report = mapper.refresh(full=full)
        report.through = through_uses(session.connection(), rulebook, mapper.on)
        return report


def items_of(
    store: Store, key: str, *, rulebook: Rulebook | None = None, on: dt.date | None = None
) -> list[str]:
    """The item codes that apply to object ``key``, sorted: those of its profile and, given
    the ``rulebook``, those that apply to it through a relation in force on ``on`` (default
    today; :mod:`.through`)."""
    with store.engine.connect() as conn:
        codes = set(
            conn.execute(
                sa.select(_PROFILE_ITEMS.c.item_code)
                .join(_OBJECTS, _OBJECTS.c.profile_id == _PROFILE_ITEMS.c.profile_id)
                .where(_OBJECTS.c.key == key)
            ).scalars()
        )
        if rulebook is not None:
            on = on or dt.date.today()
            codes.update(c for _, c in through_pairs(conn, rulebook, on, keys=[key]))
    return sorted(codes)
