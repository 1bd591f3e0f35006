"""Where objects are found (planning through relations): which objects are supervised off
site only, and which are present at another object's place.

* An object of an ``off_site`` kind (a vehicle, a driver) never gets a visit: its tasks are
  the plan's ``offsite_checks``.
* An object with exactly one place relation in force at the cycle's start (a relation type
  with ``place = true``: ``project —located_at→ site``, ``installation —installed_at→
  business``) is visited at that place: its tasks join the place's visit. Places chain (an
  installation at a business present at a site is visited at the site).
* An object with several places in force (a subcontractor working at three sites) is visited
  at one of them: the first, in key order, that has a visit in the plan anyway, else the
  first (:func:`choose_places`); places chain as above, and places that chain to one place
  are that place.

Everything is read in two queries; the SHA-256 of the canonical form (``off <key>`` and
``at <key> <place>`` lines, then ``at <key> <place> <place> …`` for objects at several
places, each group sorted) is recorded in the plan so that ``plan verify`` sees a
changed relation.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import sqlalchemy as sa
from attrs import field, frozen

from ..store import Store
from ..store.registry import RegistryObject, RegistryRelation

#: Longest chain of places followed (a cycle of place relations stops there).
MAX_DEPTH = 8


@frozen
class Presence:
    offsite: frozenset[str] = field(factory=frozenset)
    """Keys of objects supervised off site only."""
    places: dict[str, str] = field(factory=dict)
    """Object key → the key of the place where it is visited (other than itself)."""
    several: dict[str, tuple[str, ...]] = field(factory=dict)
    """Object key → its places (sorted, two or more) when it has several in force."""

    @property
    def empty(self) -> bool:
        return not self.offsite and not self.places and not self.several

    @property
    def sha256(self) -> str:
        lines = [f"off {k}\n" for k in sorted(self.offsite)]
        lines += [f"at {k} {p}\n" for k, p in sorted(self.places.items())]
        lines += [f"at {k} {' '.join(ps)}\n" for k, ps in sorted(self.several.items())]
        return hashlib.sha256("".join(lines).encode()).hexdigest()

    def as_json(self) -> dict[str, object]:
        return {
            "offsite_objects": len(self.offsite),
            "objects_at_places": len(self.places) + len(self.several),
            "sha256": self.sha256,
        }

    def choose_places(self, visited: set[str]) -> dict[str, str]:
        """Object → place for every object at a place: the single ones as they are; one
        with several at the first of them (key order) in ``visited`` — the keys that have a
        visit anyway — else at the first."""
        chosen = {
            key: next((p for p in places if p in visited), places[0])
            for key, places in self.several.items()
        }
        # an object whose place is at several (an installation at a unit working at two
        # sites) goes where that place goes
        out = {k: chosen.get(p, p) for k, p in self.places.items()}
        return out | chosen


def _final(one: dict[str, str], key: str, place: str) -> str:
    seen = {key, place}
    for _ in range(MAX_DEPTH):
        nxt = one.get(place)
        if nxt is None or nxt in seen:
            break
        seen.add(nxt)
        place = nxt
    return place


def resolve_places(direct: dict[str, set[str]]) -> dict[str, str]:
    """Each object with exactly one place → its final place, following chains."""
    one = {k: next(iter(v)) for k, v in direct.items() if len(v) == 1}
    out = {}
    for key, place in one.items():
        place = _final(one, key, place)
        if place != key:
            out[key] = place
    return out


def resolve_several(direct: dict[str, set[str]]) -> dict[str, tuple[str, ...]]:
    """Each object with several places → their final places (following the chains of
    single places), sorted; those whose places all chain to one are left out (they are at
    that one: see :func:`presence_of`)."""
    one = {k: next(iter(v)) for k, v in direct.items() if len(v) == 1}
    out = {}
    for key, places in direct.items():
        if len(places) > 1:
            out[key] = tuple(sorted({_final(one, key, p) for p in places} - {key}))
    return out


def presence_of(direct: dict[str, set[str]], offsite: set[str]) -> Presence:
    """The presence of objects with these ``direct`` places and off-site objects."""
    places = {k: p for k, p in resolve_places(direct).items() if k not in offsite}
    several = {}
    for key, ps in resolve_several(direct).items():
        if key in offsite or not ps:
            continue
        if len(ps) == 1:
            places[key] = ps[0]
        else:
            several[key] = ps
    return Presence(offsite=frozenset(offsite), places=places, several=several)


def load_presence(store: Store, rulebook, on: dt.date) -> Presence:
    """The presence of the stored objects on day ``on`` under the enabled domains' kinds."""
    from ..registry.kinds import object_kinds, relation_types

    kinds = object_kinds(rulebook.domains)
    offsite_kinds = sorted(c for c, k in kinds.items() if k.supervision == "off_site")
    place_types = sorted(c for c, r in relation_types(rulebook.domains).items() if r.place)
    offsite: set[str] = set()
    direct: dict[str, set[str]] = {}
    o, r = RegistryObject.__table__, RegistryRelation.__table__
    with store.engine.connect() as conn:
        if offsite_kinds:
            q = sa.select(o.c.key).where(o.c.object_kind.in_(offsite_kinds))
            offsite = {k for (k,) in conn.execute(q)}
        if place_types:
            q = sa.select(r.c.source_key, r.c.target_key).where(
                r.c.type.in_(place_types),
                r.c.valid_from <= on,
                sa.or_(r.c.valid_to.is_(None), r.c.valid_to >= on),
            )
            for src, tgt in conn.execute(q):
                direct.setdefault(src, set()).add(tgt)
    return presence_of(direct, offsite)
