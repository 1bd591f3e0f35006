"""The registry's stable reads (re-exported by :mod:`onething.registry`)."""

from __future__ import annotations

from collections.abc import Iterator

import sqlalchemy as sa

from ..model import SupervisedObject
from ..store import Store
from ..store.registry import ObjectHistory, RegistryImport, RegistryObject
from ._rows import to_object

_OBJECTS = RegistryObject.__table__


def _filters(domain: str | None, region: str | None) -> list[sa.ColumnElement[bool]]:
    from .regions import code_range

    where: list[sa.ColumnElement[bool]] = []
    if domain is not None:
        from .profiles import in_domain

        where.append(_OBJECTS.c.profile_id.in_(in_domain(domain)))
    if region is not None:
        where.append(_OBJECTS.c.region_code.between(*code_range(region)))
    return where


def iter_objects(
    store: Store,
    *,
    domain: str | None = None,
    region: str | None = None,
    batch_size: int = 5000,
) -> Iterator[list[SupervisedObject]]:
    """Stream objects as :class:`~onething.model.SupervisedObject` in key order, in batches.

    :param domain: only objects with a membership in this domain.
    :param region: only objects whose region code lies in this GB/T 2260 region.
    """
    where = _filters(domain, region)
    last: str | None = None
    while True:
        query = sa.select(_OBJECTS).where(*where).order_by(_OBJECTS.c.key).limit(batch_size)
        if last is not None:
            query = query.where(_OBJECTS.c.key > last)
        with store.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        if not rows:
            return
        yield [to_object(r) for r in rows]
        if len(rows) < batch_size:
            return
        last = rows[-1]["key"]


def stored_key(app_or_rulebook, key: str) -> tuple[str, str]:
    """``(stored key, key to show)`` of ``key`` as a user types it: a personal key (a resident
    ID number) is looked up by its keyed hash and shown masked; any other key is itself.

    :raises OnethingError: a personal key without the deployment's secret."""
    from . import kinds, personal

    for kind in kinds.object_kinds(app_or_rulebook.domains).values():
        if kind.personal and kinds.key_problem(kind, key) is None:
            secret = personal.load_secret(personal.secret_env(app_or_rulebook))
            return personal.person_key(secret, key), kinds.mask_id(key)
    return key, key


def get_object(store: Store, key: str) -> SupervisedObject | None:
    """The object with ``key`` (uscc or alternative key), or ``None``."""
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(_OBJECTS).where(_OBJECTS.c.key == key)).mappings().first()
    return None if row is None else to_object(row)


def count_objects(store: Store, *, domain: str | None = None, region: str | None = None) -> int:
    """How many objects (in ``domain``, inside ``region``) the registry holds."""
    query = sa.select(sa.func.count()).select_from(_OBJECTS).where(*_filters(domain, region))
    with store.engine.connect() as conn:
        return conn.execute(query).scalar_one()


def object_history(store: Store, key: str) -> list[dict]:
    """The earlier states of object ``key`` that imports replaced, oldest first: ``version``
    (the state's), ``changed_at``, ``import_file`` (the import that replaced it) and ``data``
    (its describing columns)."""
    h, i = ObjectHistory.__table__, RegistryImport.__table__
    query = (
        sa.select(h.c.version, h.c.changed_at, i.c.file, h.c.data)
        .select_from(h.outerjoin(i, i.c.id == h.c.import_id))
        .where(h.c.key == key)
        .order_by(h.c.version, h.c.id)
    )
    with store.engine.connect() as conn:
        return [
            {"version": v, "changed_at": at, "import_file": f, "data": d}
            for v, at, f, d in conn.execute(query)
        ]
