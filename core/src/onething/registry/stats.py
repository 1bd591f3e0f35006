"""监管底数 (baseline counts): objects by domain, region, department and object type, with the
coverage gaps — objects in scope with no applicable item, items with no object.

Everything is counted in SQL, in one query per count; only the item → department table
(small, sent as a ``VALUES`` list) is built in Python. Memberships and applicable items are
read through the objects' applicability profiles (:mod:`.profiles`): a count reduces the small
profile tables to the distinct (profile, dimensions) rows that qualify, counts the objects once
per profile (and region) in one pass over ``registry_object``, and sums those counts per
combination. Every object has exactly one profile, so the sum counts distinct objects. A
profile no object points to counts for nothing.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from ..i18n import _
from ..store import Store
from ..store.registry import ProfileItem, ProfileMember, RegistryObject
from . import regions

DIMENSIONS = ("domain", "region", "department", "object_type", "object_kind")

_OBJECTS = RegistryObject.__table__
_MEMBERS = ProfileMember.__table__
_PROFILE_ITEMS = ProfileItem.__table__
#: Dimensions read from the object row itself, not from its profile.
_OBJECT_DIMS = {"region": _OBJECTS.c.region_code, "object_kind": _OBJECTS.c.object_kind}


def _item_departments(rulebook, on: dt.date) -> list[tuple[str, str, str]]:
    """(domain, item code, department) for every item in force."""
    return [(i.domain, i.code, d) for i in rulebook.items(on) for d in i.departments]


def _qualifying(by: list[str], departments: sa.CTE | None) -> sa.Subquery | None:
    """The distinct ``(profile_id, *dimensions)`` a profile's objects count under, for the
    dimensions of ``by`` read from the profile tables (``department``: from its items, through
    ``departments``; ``domain``/``object_type``: from its memberships — in the item's domain
    with ``department``). ``None``: no such dimension, every object counts once."""
    member_dims = [b for b in by if b in ("domain", "object_type")]
    column: dict[str, sa.ColumnElement] = {d: _MEMBERS.c[d] for d in member_dims}
    if departments is not None:
        src = _PROFILE_ITEMS.join(
            departments, departments.c.item_code == _PROFILE_ITEMS.c.item_code
        )
        if member_dims:
            src = src.join(
                _MEMBERS,
                sa.and_(
                    _MEMBERS.c.profile_id == _PROFILE_ITEMS.c.profile_id,
                    _MEMBERS.c.domain == _PROFILE_ITEMS.c.domain,
                ),
            )
        pid = _PROFILE_ITEMS.c.profile_id
        column["department"] = departments.c.department
    elif member_dims:
        src, pid = _MEMBERS, _MEMBERS.c.profile_id
    else:
        return None
    dims = [b for b in by if b in column]
    return (
        sa.select(pid.label("profile_id"), *(column[d].label(d) for d in dims))
        .select_from(src)
        .distinct()
        .subquery("p")
    )


def _count_query(by: list[str], departments: sa.CTE | None) -> sa.Select:
    """Objects per combination of ``by``: the objects are counted once per profile (and
    region), then summed over the profiles qualifying for each combination."""
    own = [b for b in by if b in _OBJECT_DIMS]
    p = _qualifying(by, departments)
    if p is None:  # by region and/or object kind only (or nothing)
        cols = [_OBJECT_DIMS[b] for b in by]
        count = sa.func.count()
        src: sa.FromClause = _OBJECTS
    else:
        per = (
            sa.select(
                _OBJECTS.c.profile_id,
                *(_OBJECT_DIMS[b].label(b) for b in own),
                sa.func.count().label("n"),
            )
            .where(_OBJECTS.c.profile_id.is_not(None))
            .group_by(_OBJECTS.c.profile_id, *(_OBJECT_DIMS[b] for b in own))
            .subquery("per")
        )
        cols = [per.c[b] if b in _OBJECT_DIMS else p.c[b] for b in by]
        count = sa.cast(sa.func.sum(per.c.n), sa.BigInteger)
        src = per.join(p, p.c.profile_id == per.c.profile_id)
    return (
        sa.select(*(c.label(b) for b, c in zip(by, cols, strict=True)), count.label("objects"))
        .select_from(src)
        .group_by(*cols)
        .order_by(*cols)
    )


def counts(store: Store, rulebook, by: list[str], *, on: dt.date | None = None) -> list[dict]:
    """Distinct objects per combination of ``by`` (any of :data:`DIMENSIONS`).

    ``department`` counts an object for each department with an applicable item on it (the
    stored mapping); ``domain``/``object_type`` come from memberships; ``region`` is the
    object's county-level code.
    """
    for b in by:
        if b not in DIMENSIONS:
            from ..errors import InvalidInput

            raise InvalidInput(
                "--by",
                "",
                _(
                    f"{b!r}：应为以下之一：{', '.join(DIMENSIONS)}",
                    f"{b!r}: expected some of {', '.join(DIMENSIONS)}",
                ),
            )
    on = on or dt.date.today()
    departments = None
    if "department" in by:  # the item → department table, as a VALUES list (small)
        pairs = sorted({(code, dept) for _d, code, dept in _item_departments(rulebook, on)})
        if not pairs:
            return []
        departments = (
            sa.values(sa.column("item_code", sa.String), sa.column("department", sa.String))
            .data(pairs)
            .cte("dept")
        )
    with store.engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(_count_query(by, departments)).mappings()]
    if departments is not None:
        rows.sort(key=lambda r: tuple(str(r[b]) for b in by))
    for r in rows:
        if "region" in r:
            r["region_name"] = regions.name(r["region"])
    return rows


def gaps(store: Store, rulebook, *, on: dt.date | None = None, sample: int = 10) -> dict:
    """Coverage gaps: objects in a domain with no applicable item there; items in force with
    no object; objects stored with a flagged uscc."""
    on = on or dt.date.today()
    # (profile, domain) of the memberships with no applicable item in that domain
    bare = (
        sa.select(_MEMBERS.c.profile_id, _MEMBERS.c.domain)
        .where(
            ~sa.exists().where(
                sa.and_(
                    _PROFILE_ITEMS.c.profile_id == _MEMBERS.c.profile_id,
                    _PROFILE_ITEMS.c.domain == _MEMBERS.c.domain,
                )
            )
        )
        .distinct()
        .subquery("bare")
    )
    src = _OBJECTS.join(bare, bare.c.profile_id == _OBJECTS.c.profile_id)
    unmapped = (
        sa.select(bare.c.domain, sa.func.count().label("objects"))
        .select_from(src)
        .group_by(bare.c.domain)
        .order_by(bare.c.domain)
    )
    examples = (
        sa.select(bare.c.domain, _OBJECTS.c.key)
        .select_from(src)
        .order_by(bare.c.domain, _OBJECTS.c.key)
        .limit(sample)
    )
    used = (
        sa.select(_PROFILE_ITEMS.c.item_code)
        .where(sa.exists().where(_OBJECTS.c.profile_id == _PROFILE_ITEMS.c.profile_id))
        .distinct()
    )
    with store.engine.connect() as conn:
        objects_without = {r.domain: r.objects for r in conn.execute(unmapped)}
        example_keys = [{"domain": r.domain, "key": r.key} for r in conn.execute(examples)]
        mapped_items = set(conn.execute(used).scalars())
        # an item applying through relations is on no profile: it counts when it reaches one
        from .through import through_items, through_pairs

        for item in through_items(rulebook, on):
            if through_pairs(conn, rulebook, on, items=[item])[:1]:
                mapped_items.add(item.code)
        flagged = conn.execute(
            sa.select(sa.func.count())
            .select_from(_OBJECTS)
            .where(_OBJECTS.c.checksum_ok.is_(False))
        ).scalar_one()
        total = conn.execute(sa.select(sa.func.count()).select_from(_OBJECTS)).scalar_one()
    items_without = [
        {"domain": i.domain, "item": i.code, "name_zh": i.name_zh, "name_en": i.name_en}
        for i in rulebook.items(on)
        if i.code not in mapped_items
    ]
    return {
        "on": on.isoformat(),
        "objects": total,
        "objects_without_item": objects_without,
        "objects_without_item_examples": example_keys,
        "items_without_object": items_without,
        "flagged_uscc": flagged,
    }


def profiles(store: Store, rulebook, *, on: dt.date | None = None, top: int = 20) -> dict:
    """The most common applicability profiles — the combinations of domains, object types
    and items the registry's objects are supervised under — with their objects, share and
    departments (from the items in force on ``on``), largest first."""
    on = on or dt.date.today()
    depts: dict[str, set[str]] = {}
    for _d, code, dept in _item_departments(rulebook, on):
        depts.setdefault(code, set()).add(dept)
    counted = (
        sa.select(_OBJECTS.c.profile_id, sa.func.count().label("objects"))
        .where(_OBJECTS.c.profile_id.is_not(None))
        .group_by(_OBJECTS.c.profile_id)
        .subquery()
    )
    with store.engine.connect() as conn:
        total = conn.execute(sa.select(sa.func.count()).select_from(_OBJECTS)).scalar_one()
        used = conn.execute(sa.select(sa.func.count()).select_from(counted)).scalar_one()
        head = conn.execute(
            sa.select(counted.c.profile_id, counted.c.objects)
            .order_by(counted.c.objects.desc(), counted.c.profile_id)
            .limit(top)
        ).all()
        ids = [p for p, _n in head]
        members: dict[int, list[list[str]]] = {p: [] for p in ids}
        items: dict[int, list[str]] = {p: [] for p in ids}
        for p, d, t in conn.execute(
            sa.select(_MEMBERS.c.profile_id, _MEMBERS.c.domain, _MEMBERS.c.object_type)
            .where(_MEMBERS.c.profile_id.in_(ids))
            .order_by(_MEMBERS.c.domain, _MEMBERS.c.object_type)
        ):
            members[p].append([d, t])
        for p, c in conn.execute(
            sa.select(_PROFILE_ITEMS.c.profile_id, _PROFILE_ITEMS.c.item_code)
            .where(_PROFILE_ITEMS.c.profile_id.in_(ids))
            .order_by(_PROFILE_ITEMS.c.item_code)
        ):
            items[p].append(c)
    return {
        "on": on.isoformat(),
        "objects": total,
        "profiles": used,
        "top": [
            {
                "profile": p,
                "objects": n,
                "share": round(n / total, 4) if total else 0.0,
                "members": members[p],
                "items": items[p],
                "departments": sorted({d for c in items[p] for d in depts.get(c, ())}),
            }
            for p, n in head
        ],
    }
