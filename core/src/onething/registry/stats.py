"""监管底数 (baseline counts): objects by domain, region, department and object type, with the
coverage gaps — objects in scope with no applicable item, items with no object.

Everything is counted in SQL; only the item → department table (small) is built in Python.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from ..store import Store
from ..store.registry import ObjectItem, ObjectMembership, RegistryObject
from . import regions

DIMENSIONS = ("domain", "region", "department", "object_type")

_O = RegistryObject.__table__
_M = ObjectMembership.__table__
_OI = ObjectItem.__table__


def _item_departments(rulebook, on: dt.date) -> list[tuple[str, str, str]]:
    """(domain, item code, department) for every item in force."""
    return [(i.domain, i.code, d) for i in rulebook.items(on) for d in i.departments]


def counts(store: Store, rulebook, by: list[str], *, on: dt.date | None = None) -> list[dict]:
    """Distinct objects per combination of ``by`` (any of :data:`DIMENSIONS`).

    ``department`` counts an object for each department with an applicable item on it (the
    stored mapping); ``domain``/``object_type`` come from memberships; ``region`` is the
    object's county-level code.
    """
    for b in by:
        if b not in DIMENSIONS:
            from ..errors import InvalidInput

            raise InvalidInput("--by", "", f"{b!r}: expected some of {', '.join(DIMENSIONS)}")
    on = on or dt.date.today()
    joins_m = "domain" in by or "object_type" in by
    column = {"domain": _M.c.domain, "object_type": _M.c.object_type, "region": _O.c.region_code}
    rest = [b for b in by if b != "department"]
    if "department" in by:
        src = _OI.join(_O, _O.c.key == _OI.c.key)
        if joins_m:
            src = src.join(_M, sa.and_(_M.c.key == _OI.c.key, _M.c.domain == _OI.c.domain))
        key = _OI.c.key
    elif joins_m:
        src = _M.join(_O, _O.c.key == _M.c.key)
        key = _M.c.key
    else:
        src = _O
        key = _O.c.key
    cols = [column[b].label(b) for b in rest]
    query = (
        sa.select(*cols, sa.func.count(sa.distinct(key)).label("objects"))
        .select_from(src)
        .group_by(*(column[b] for b in rest))
        .order_by(*(column[b] for b in rest))
    )
    with store.engine.connect() as conn:
        if "department" not in by:
            rows = [dict(r) for r in conn.execute(query).mappings()]
        else:  # one query per department over its item codes (a few dozen departments)
            codes: dict[str, list[str]] = {}
            for _d, code, dept in _item_departments(rulebook, on):
                codes.setdefault(dept, []).append(code)
            rows = []
            for dept in sorted(codes):
                q = query.where(_OI.c.item_code.in_(codes[dept]))
                rows += [{"department": dept, **r} for r in conn.execute(q).mappings()]
            rows = [{b: r[b] for b in by} | {"objects": r["objects"]} for r in rows]
            rows.sort(key=lambda r: tuple(str(r[b]) for b in by))
    for r in rows:
        if "region" in r:
            r["region_name"] = regions.name(r["region"])
    return rows


def gaps(store: Store, rulebook, *, on: dt.date | None = None, sample: int = 10) -> dict:
    """Coverage gaps: objects in a domain with no applicable item there; items in force with
    no object; objects stored with a flagged uscc."""
    on = on or dt.date.today()
    unmapped = (
        sa.select(_M.c.domain, sa.func.count(sa.distinct(_M.c.key)).label("objects"))
        .where(~sa.exists().where(sa.and_(_OI.c.key == _M.c.key, _OI.c.domain == _M.c.domain)))
        .group_by(_M.c.domain)
        .order_by(_M.c.domain)
    )
    examples = (
        sa.select(_M.c.domain, _M.c.key)
        .where(~sa.exists().where(sa.and_(_OI.c.key == _M.c.key, _OI.c.domain == _M.c.domain)))
        .distinct()
        .order_by(_M.c.domain, _M.c.key)
        .limit(sample)
    )
    used = sa.select(_OI.c.item_code).distinct()
    with store.engine.connect() as conn:
        objects_without = {r.domain: r.objects for r in conn.execute(unmapped)}
        example_keys = [{"domain": r.domain, "key": r.key} for r in conn.execute(examples)]
        mapped_items = set(conn.execute(used).scalars())
        flagged = conn.execute(
            sa.select(sa.func.count()).select_from(_O).where(_O.c.checksum_ok.is_(False))
        ).scalar_one()
        total = conn.execute(sa.select(sa.func.count()).select_from(_O)).scalar_one()
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
