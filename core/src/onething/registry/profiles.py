"""适用画像 (applicability profiles): the stored form of memberships and the object–item mapping.

A profile is a set of (domain, object type) memberships and a set of (domain, item code)
applicable items. Every object points to its profile (``registry_object.profile_id``), so the
mapping of a province — millions of objects, a few dozen items each — is stored as a few
thousand profiles instead of tens of millions of object–item rows, and an import writes one row
per object. Profiles are immutable and shared: an object whose memberships or items change
moves to another profile (found by its :func:`signature`, created when new).

Readers join ``registry_object.profile_id`` to ``registry_profile_member`` (domain, object
type) and ``registry_profile_item`` (item code); a profile no object points to counts for
nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence

import sqlalchemy as sa

from ..store.registry import ProfileItem, ProfileMember, RegistryProfile
from ._bulk import bind_value, driver_cursor, insert_tuples

_P = RegistryProfile.__table__
_PM = ProfileMember.__table__
_PI = ProfileItem.__table__

Pair = tuple[str, str]


def signature(members: Iterable[Pair], items: Iterable[Pair]) -> str:
    """SHA-256 (hex) of the canonical text of a profile: ``M``, then one
    ``domain<TAB>object type`` line per member, then ``I`` and one ``domain<TAB>item code``
    line per item, each set sorted by code point, lines joined by ``\\n``. Part of the stored
    format (migration 0007 computes it too): changing it needs a migration."""
    lines = ["M", *(f"{d}\t{t}" for d, t in sorted(set(members)))]
    lines += ["I", *(f"{d}\t{c}" for d, c in sorted(set(items)))]
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


class Profiles:
    """Profile ids inside one transaction: looked up in memory, created when new. Safe beside
    a concurrent transaction creating the same profile (``ON CONFLICT DO NOTHING``)."""

    def __init__(self, conn: sa.Connection, on: dt.date):
        self.conn = conn
        self.on = on
        self._ids = {s: i for i, s in conn.execute(sa.select(_P.c.id, _P.c.signature))}

    def id_for(self, members: Iterable[Pair], items: Iterable[Pair]) -> int:
        return self.ids_for([(members, items)])[0]

    def ids_for(self, profiles: Sequence[tuple[Iterable[Pair], Iterable[Pair]]]) -> list[int]:
        """The id of each ``(members, items)``, created when new."""
        canonical = [(sorted(set(m)), sorted(set(i))) for m, i in profiles]
        sigs = [signature(m, i) for m, i in canonical]
        new = {s: c for s, c in zip(sigs, canonical, strict=True) if s not in self._ids}
        if new:
            self._create(new)
        return [self._ids[s] for s in sigs]

    def _create(self, new: dict[str, tuple[list[Pair], list[Pair]]]) -> None:
        # Three statements for a batch's new profiles, at the driver level: compiling a
        # many-row INSERT through SQLAlchemy each batch would cost more than running it.
        on = bind_value(self.conn, _P, "created_on", self.on)
        inserted: dict[str, int] = {}
        with driver_cursor(self.conn) as (cur, mark):
            sigs = list(new)
            for i in range(0, len(sigs), 500):  # within SQLite's limit of bound parameters
                chunk = sigs[i : i + 500]
                cur.execute(
                    "INSERT INTO registry_profile (signature, created_on) VALUES "
                    + ", ".join(f"({mark}, {mark})" for _ in chunk)
                    + " ON CONFLICT (signature) DO NOTHING RETURNING signature, id",
                    [v for sig in chunk for v in (sig, on)],
                )
                inserted.update(cur.fetchall())
            if len(inserted) < len(new):  # created meanwhile by a transaction now committed
                for sig in new.keys() - inserted.keys():
                    cur.execute(f"SELECT id FROM registry_profile WHERE signature = {mark}", (sig,))
                    self._ids[sig] = cur.fetchone()[0]
        self._ids.update(inserted)
        insert_tuples(
            self.conn,
            _PM,
            ("profile_id", "domain", "object_type"),
            [(pid, d, t) for s, pid in inserted.items() for d, t in new[s][0]],
        )
        insert_tuples(
            self.conn,
            _PI,
            ("profile_id", "domain", "item_code"),
            [(pid, d, c) for s, pid in inserted.items() for d, c in new[s][1]],
        )


def profile_id(
    conn: sa.Connection, members: Iterable[Pair], items: Iterable[Pair], on: dt.date
) -> int:
    """The id of the profile with exactly these members and items (created when new): for a
    host or a test that stores objects with a mapping decided elsewhere."""
    return Profiles(conn, on).id_for(members, items)


def in_domain(domain: str, object_types: Iterable[str] | None = None) -> sa.Select:
    """The ids of the profiles with a membership in ``domain`` (of one of ``object_types``),
    for ``registry_object.profile_id.in_(…)``."""
    query = sa.select(_PM.c.profile_id).where(_PM.c.domain == domain)
    if object_types is not None:
        query = query.where(_PM.c.object_type.in_(sorted(object_types)))
    return query
