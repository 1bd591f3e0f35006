"""Applicability through relations (适用关系): an item with ``through`` applies to the objects
related to the objects of its object types — every vehicle a platform operates, the unit a
project is built by, the canteen a care home runs.

Derived when asked, never stored per object: the objects the item reaches through (its
*anchors*) are read from the applicability profiles (their memberships) and, when the item has a
condition, their attributes; the objects it applies to from the relations in force on the day,
one query per item (the relation table is indexed by both ends). So a province's millions of
vehicles add no stored row beyond their relation: stored rows stay O(objects + relations).

An anchor is decided by the item's data (object types and condition) even in a domain whose
plugin decides its direct items with ``onething_match_items``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

import orjson
from attrs import asdict, define

from ..conditions import holds
from ..errors import InvalidInput
from ..i18n import _
from ..model import Item

if TYPE_CHECKING:  # SQLAlchemy only for the queries: enabling plugins runs the checks below
    import sqlalchemy as sa

_IN_FORCE = "r.valid_from <= :on AND (r.valid_to IS NULL OR r.valid_to >= :on)"


def through_items(rulebook, on: dt.date) -> list[Item]:
    """The items in force on ``on`` that apply through a relation."""
    return [i for i in rulebook.items(on) if i.through is not None]


def _anchors(conn: sa.Connection, item: Item) -> set[str] | None:
    """Keys of the objects of the item's types whose attributes satisfy its condition;
    ``None`` when there is no condition (the SQL then selects by membership alone)."""
    import sqlalchemy as sa

    if item.condition is None:
        return None
    q = sa.text(
        "SELECT o.key, o.domains FROM registry_object o WHERE o.profile_id IN "
        "(SELECT profile_id FROM registry_profile_member WHERE domain = :d "
        "AND object_type IN :types)"
    ).bindparams(sa.bindparam("types", expanding=True))
    out = set()
    for key, domains in conn.execute(q, {"d": item.domain, "types": list(item.object_types)}):
        if isinstance(domains, str | bytes):
            domains = orjson.loads(domains)
        attrs = ((domains or {}).get(item.domain) or {}).get("attributes") or {}
        if holds(item.condition, attrs):
            out.add(key)
    return out


def _item_pairs(
    conn: sa.Connection, item: Item, on: dt.date, keys: Sequence[str] | None
) -> Iterator[str]:
    """The keys of the objects ``item`` applies to through its relation on ``on``."""
    import sqlalchemy as sa

    t = item.through
    assert t is not None
    mine, other = (
        ("source_key", "target_key") if t.direction == "out" else ("target_key", "source_key")
    )
    sql = (
        f"SELECT DISTINCT r.{other}, r.{mine} FROM registry_relation r "
        f"JOIN registry_object a ON a.key = r.{mine} "
        f"WHERE r.type = :rel AND {_IN_FORCE} AND a.profile_id IN "
        "(SELECT profile_id FROM registry_profile_member WHERE domain = :d "
        "AND object_type IN :types)"
    )
    params: dict = {"rel": t.relation, "on": on, "d": item.domain, "types": list(item.object_types)}
    binds = [sa.bindparam("types", expanding=True)]
    if t.object_types:
        sql += (
            f" AND r.{other} IN (SELECT x.key FROM registry_object x WHERE x.profile_id IN "
            "(SELECT profile_id FROM registry_profile_member WHERE domain = :d2 "
            "AND object_type IN :types2))"
        )
        params |= {"d2": t.domain or item.domain, "types2": list(t.object_types)}
        binds.append(sa.bindparam("types2", expanding=True))
    if keys is not None:
        sql += f" AND r.{other} IN :keys"
        params["keys"] = list(keys)
        binds.append(sa.bindparam("keys", expanding=True))
    anchors = _anchors(conn, item)
    seen: set[str] = set()
    for key, anchor in conn.execute(sa.text(sql).bindparams(*binds), params):
        if key not in seen and (anchors is None or anchor in anchors):
            seen.add(key)
            yield key


def through_pairs(
    conn: sa.Connection,
    rulebook,
    on: dt.date,
    *,
    keys: Sequence[str] | None = None,
    items: Iterable[Item] | None = None,
) -> list[tuple[str, str]]:
    """``(object key, item code)`` of every item in force on ``on`` that applies through a
    relation (``items``: these instead), for the objects ``keys`` only if given; sorted."""
    if keys is not None and not keys:
        return []
    chosen = through_items(rulebook, on) if items is None else list(items)
    out: set[tuple[str, str]] = set()
    for item in chosen:
        for i in range(0, len(keys), 500) if keys is not None else (None,):
            part = None if i is None else keys[i : i + 500]
            out.update((k, item.code) for k in _item_pairs(conn, item, on, part))
    return sorted(out)


def related_pairs(
    items: Iterable[Item], objects: Iterable, relations: Iterable[tuple[str, str, str]]
) -> set[tuple[str, str]]:
    """``(object key, item code)`` of ``items`` applying through a relation among in-memory
    ``objects`` (:class:`~onething.model.SupervisedObject`) and ``relations`` ``(type,
    source, target)`` in force on the day: the rule :func:`through_pairs` reads from the
    registry, for scenario files and tests."""
    by_key = {o.key: o for o in objects}

    def of_types(key: str, domain: str, types: Sequence[str]) -> bool:
        m = by_key[key].domains.get(domain) if key in by_key else None
        return m is not None and bool(set(m.object_types) & set(types))

    relations = list(relations)
    out: set[tuple[str, str]] = set()
    for item in items:
        t = item.through
        if t is None:
            continue
        for type_, source, target in relations:
            anchor, reached = (source, target) if t.direction == "out" else (target, source)
            if type_ != t.relation or not of_types(anchor, item.domain, item.object_types):
                continue
            attrs = by_key[anchor].domains[item.domain].attributes
            if item.condition is not None and not holds(item.condition, attrs):
                continue
            if reached in by_key and (
                not t.object_types or of_types(reached, t.domain or item.domain, t.object_types)
            ):
                out.add((reached, item.code))
    return out


@define
class ThroughUse:
    """An item in force that applies through a relation, and how many objects it reaches
    (``registry map``: these pairs are derived, never stored)."""

    domain: str
    item: str
    name_zh: str
    name_en: str
    relation: str
    direction: str
    object_types: list[str]
    """The item's own object types: the objects it reaches through."""
    reaches: list[str]
    """``through.object_types`` (empty: any object at the relation's other end)."""
    reaches_domain: str
    objects: int

    def as_json(self) -> dict:
        return asdict(self)


def through_uses(conn: sa.Connection, rulebook, on: dt.date) -> list[ThroughUse]:
    """Every item in force on ``on`` that applies through a relation, with the number of
    objects it reaches on that day (one query per item), by domain and code."""
    out = []
    for item in sorted(through_items(rulebook, on), key=lambda i: (i.domain, i.code)):
        t = item.through
        assert t is not None
        out.append(
            ThroughUse(
                domain=item.domain,
                item=item.code,
                name_zh=item.name_zh,
                name_en=item.name_en,
                relation=t.relation,
                direction=t.direction,
                object_types=list(item.object_types),
                reaches=list(t.object_types),
                reaches_domain=t.domain or item.domain,
                objects=sum(1 for _ in _item_pairs(conn, item, on, None)),
            )
        )
    return out


def check_through(domains, kinds: dict, relations: dict) -> None:
    """Refuse an item whose ``through`` names an unknown relation type, a relation whose end
    is not the kind of the item's object types, or object types its domain does not have.

    :raises InvalidInput: naming the domain, the item and the field.
    """
    kind_of = {
        (name, t.code): t.object_kind
        for name in domains.names
        for t in domains.rules(name).description.object_types
    }
    for name in domains.names:
        for item in domains.rules(name).items:
            t = item.through
            if t is None:
                continue
            where = f"{name}: item {item.code}: through"
            rel = relations.get(t.relation)
            if rel is None:
                raise InvalidInput(
                    where,
                    "relation",
                    _unknown_relation(t.relation, relations),
                )
            mine, other = (
                (rel.source_kind, rel.target_kind)
                if t.direction == "out"
                else (rel.target_kind, rel.source_kind)
            )
            for ot in item.object_types:
                if kind_of.get((name, ot), mine) != mine:
                    raise InvalidInput(
                        where,
                        "direction",
                        _(
                            f"事项的对象类型 {ot!r} 属于 {kind_of[(name, ot)]}；"
                            f"{t.relation}（{t.direction}）经由的是 {mine}",
                            f"the item's object type {ot!r} is a {kind_of[(name, ot)]}; "
                            f"{t.relation} ({t.direction}) reaches through a {mine}",
                        ),
                    )
            domain = t.domain or name
            if domain not in domains.names:
                continue  # that domain not enabled here: the item reaches no object
            for ot in t.object_types:
                have = kind_of.get((domain, ot))
                if have is None:
                    raise InvalidInput(where, "object_types", _not_a_type(ot, domain))
                if have != other:
                    raise InvalidInput(
                        where,
                        "object_types",
                        _(
                            f"{ot!r} 属于 {have}；{t.relation}（{t.direction}）到达的是 {other}",
                            f"{ot!r} is a {have}; {t.relation} ({t.direction}) reaches a {other}",
                        ),
                    )


def check_over(domains, relations: dict) -> None:
    """Refuse a risk rule whose ``over`` path names an unknown relation type, does not chain
    (each hop starts at the kind the last one reached, the first at the kind of the rule's
    object types), or names related object types of another kind.

    :raises InvalidInput: naming the domain, the rule and the field.
    """
    kind_of = {
        (name, t.code): t.object_kind
        for name in domains.names
        for t in domains.rules(name).description.object_types
    }
    for name in domains.names:
        for rule in domains.rules(name).risk_rules:
            over = rule.over
            if over is None:
                continue
            where = f"{name}: risk rule {rule.id}: over"
            if rule.kind != "threshold":
                raise InvalidInput(
                    where,
                    "kind",
                    _(
                        "基于关联对象的规则只能是阈值规则（threshold）",
                        "a rule over related objects is a threshold",
                    ),
                )
            at = {kind_of.get((name, t)) for t in rule.object_types} - {None}
            for i, code in enumerate(over.path):
                rel = relations.get(code)
                if rel is None:
                    raise InvalidInput(
                        where,
                        f"path[{i}]",
                        _unknown_relation(code, relations),
                    )
                start, end = (
                    (rel.source_kind, rel.target_kind)
                    if over.direction == "out"
                    else (rel.target_kind, rel.source_kind)
                )
                if at and at != {start}:
                    raise InvalidInput(
                        where,
                        f"path[{i}]",
                        _(
                            f"{code}（{over.direction}）从 {start} 出发，而不是从 "
                            f"{'、'.join(sorted(at))}",
                            f"{code} ({over.direction}) starts at a {start}, not at a "
                            f"{', '.join(sorted(at))}",
                        ),
                    )
                at = {end}
            domain = over.domain or name
            for t in over.object_types:
                have = kind_of.get((domain, t))
                if domain in domains.names and have is None:
                    raise InvalidInput(where, "object_types", _not_a_type(t, domain))
                if have is not None and {have} != at:
                    raise InvalidInput(
                        where,
                        "object_types",
                        _(
                            f"{t!r} 属于 {have}；该路径到达的是 {next(iter(at))}",
                            f"{t!r} is a {have}; the path reaches a {next(iter(at))}",
                        ),
                    )


def _unknown_relation(code: str, relations: Iterable[str]) -> str:
    declared = list(relations)
    return _(
        f"{code!r} 不是已启用领域的关系类型；已声明：{'、'.join(declared) or '（无）'}",
        f"{code!r} is not a relation type of the enabled domains; declared: "
        f"{', '.join(declared) or '(none)'}",
    )


def _not_a_type(object_type: str, domain: str) -> str:
    return _(
        f"{object_type!r} 不是领域 {domain} 的对象类型",
        f"{object_type!r} is not an object type of {domain}",
    )
