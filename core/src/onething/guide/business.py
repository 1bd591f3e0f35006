"""The business's view (谁来管、怎么管、管什么): one registry object's guide, from its stored
item mapping, with the sampling ratio of its credit grade for each random-mode item."""

from __future__ import annotations

import datetime as dt

from attrs import evolve

from .._order import store_first
from ..errors import InvalidInput
from ..i18n import _
from ..planning.population import NO_GRADE
from ..planning.sampling import ratio_parameter
from ..planning.visits import caps_in_force
from ..rulebook import Rulebook
from ..store import Store
from .build import build_guide
from .model import Guide, ObjectView, Stratum


def object_guide(store: Store, rulebook: Rulebook, key: str, on: dt.date) -> Guide:
    """The guide of object ``key``: the departments, items and check points that apply to it
    (its stored mapping), how often it can expect a random check in its credit grade, the
    yearly cap on inspections of its grade, and its self-check list.

    :raises InvalidInput: when the object is not in the registry or has no mapped items.
    """
    store, rulebook = store_first(store, rulebook, "object_guide")
    from ..registry import get_object
    from ..registry.mapping import items_of

    obj = get_object(store, key)
    if obj is None:
        raise InvalidInput(
            "--object", key, _("名录库中没有这个对象", "no such object in the registry")
        )
    codes = items_of(store, key, rulebook=rulebook, on=on)
    if not codes:
        raise InvalidInput(
            "--object",
            key,
            _(
                "该对象没有已存的事项（请先运行 `onething registry map`）",
                "the object has no stored items (run `onething registry map` first)",
            ),
        )
    in_force = {i.code: i for i in rulebook.items(on)}
    applying = [c for c in codes if c in in_force]
    if not applying:
        raise InvalidInput(
            "--object",
            key,
            _(
                f"该对象的事项（{'、'.join(codes)}）在 {on} 均未生效",
                f"none of the object's items ({', '.join(codes)}) is in force on {on}",
            ),
        )
    guide = build_guide(rulebook, on, None, items=applying)
    grade = obj.credit_grade  # as the planner reads it: no grade stored, the domain's ratio
    strata = []
    for code in applying:
        item = in_force[code]
        mode = "random" if "random" in item.modes else item.modes[0]
        ratio = ratio_parameter(rulebook, code, grade or NO_GRADE, on) if mode == "random" else None
        strata.append(Stratum(item=code, ratio=ratio, mode=mode))
    cap = caps_in_force(rulebook, [grade], on)[grade] if grade else None
    view = ObjectView(
        key=obj.key,
        name=obj.name,
        region_code=obj.region_code,
        credit_grade=grade,
        risk_grade=obj.risk_grade,
        object_types=[(d, t) for d, m in obj.domains.items() for t in m.object_types],
        strata=strata,
        visit_cap=cap,
    )
    return evolve(guide, object=view)
