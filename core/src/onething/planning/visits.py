"""Joint visits (一次检查): all tasks on one object in the cycle become one visit, unless a
plugin's merge constraint keeps a task out (then the split is recorded with its reason); the
tasks of objects present at a place (:mod:`.presence`: a project and its contractor at a
site) join the place's visit, listed in the visit's ``objects``; and
the yearly cap on visits per enterprise (无事不扰), which reports every task it could not place.

Rules, in order:

* A task whose item is named by a merge constraint in force goes to a visit of its own per
  constraint (``V:<key>:<constraint id>``), with the constraint's reason; an ``unannounced``
  task from the task file goes to ``V:<key>:unannounced``. All other tasks of the object form
  the joint visit ``V:<key>``.
* Cap: ``core.visit_cap.<credit grade>`` visits per object per calendar year, less the visits
  of the latest plan of each earlier cycle of that year. The visits of an object are placed in
  this order until the cap is used up: visits holding a non-random task, the joint visit,
  then split visits (by id). Every task of a visit not placed is listed as ``visit_cap``. An
  object whose grade has no cap in force is not capped and is reported.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping

from ..core_parameters import CORE
from ..errors import NotInForce
from ..model import MergeConstraint, in_force
from ..rulebook import ParameterInForce, Rulebook
from .model import Task, Unplaced, Visit


def constraints_in_force(rulebook: Rulebook, on: dt.date) -> dict[str, MergeConstraint]:
    """Item code -> the merge constraint in force that keeps it out of joint visits."""
    out: dict[str, MergeConstraint] = {}
    for d in rulebook.domains.names:
        for c in rulebook.rules(d).merge_constraints:
            if in_force(c, on):
                for item in c.items:
                    out.setdefault(item, c)
    return out


def caps_in_force(
    rulebook: Rulebook, grades: Iterable[str], on: dt.date
) -> dict[str, ParameterInForce | None]:
    out: dict[str, ParameterInForce | None] = {}
    known = {n for d, n in rulebook.parameter_names(CORE)}
    for g in grades:
        name = f"visit_cap.{g}"
        p = None
        if name in known:
            try:
                p = rulebook.parameter(CORE, name, on)
            except NotInForce:
                p = None
        out[g] = p
    return out


def merge(
    tasks: Iterable[Task],
    regions: Mapping[str, str],
    constraints: Mapping[str, MergeConstraint],
    places: Mapping[str, str] | None = None,
) -> list[Visit]:
    """Group tasks into visits (no cap); a task of an object present at a place
    (``places``: object → place key) goes to that place's visit."""
    places = places or {}
    groups: dict[tuple[str, str], list[Task]] = defaultdict(list)
    reasons: dict[tuple[str, str], tuple[str, str]] = {}
    for t in tasks:
        at = places.get(t.key, t.key)
        c = constraints.get(t.item)
        if c is not None:
            k = (at, c.id)
            reasons[k] = (c.id, c.reason_zh)
        elif t.unannounced:
            k = (at, "unannounced")
            reasons[k] = ("unannounced", "该任务须不预先通知，不能与其他任务预先排期")
        else:
            k = (at, "")
        groups[k].append(t)
    visits = []
    for (key, split), ts in sorted(groups.items()):
        ts.sort(key=lambda t: t.id)
        visits.append(
            Visit(
                id=f"V:{key}" + (f":{split}" if split else ""),
                key=key,
                region=regions[key],
                tasks=[t.id for t in ts],
                items=sorted({t.item for t in ts}),
                departments=sorted({d for t in ts for d in t.departments}),
                joint=not split,
                split=split or None,
                split_reason=reasons[(key, split)][1] if split else None,
                objects=covered if (covered := sorted({t.key for t in ts})) != [key] else (),
            )
        )
    return visits


def apply_cap(
    visits: list[Visit],
    tasks: Mapping[str, Task],
    grades: Mapping[str, str],
    caps: Mapping[str, ParameterInForce | None],
    prior: Mapping[str, int],
) -> tuple[list[Visit], list[Unplaced], dict[str, int]]:
    """Visits placed within each object's remaining yearly cap, the tasks not placed, and the
    number of objects per credit grade that had no cap in force."""
    by_key: dict[str, list[Visit]] = defaultdict(list)
    for v in visits:
        by_key[v.key].append(v)
    placed, unplaced, uncapped = [], [], defaultdict(int)

    def priority(v: Visit) -> tuple[int, int, str]:
        nonrandom = any(tasks[t].kind != "random" for t in v.tasks)
        return (0 if nonrandom else 1, 0 if v.joint else 1, v.id)

    for key in sorted(by_key):
        vs = sorted(by_key[key], key=priority)
        grade = grades[key]
        cap = caps.get(grade)
        if cap is None:
            uncapped[grade] += 1
            placed.extend(vs)
            continue
        room = max(0, int(cap.value) - prior.get(key, 0))
        placed.extend(vs[:room])
        for v in vs[room:]:
            for t in v.tasks:
                unplaced.append(
                    Unplaced(
                        task=t,
                        key=key,
                        item=tasks[t].item,
                        reason="visit_cap",
                        detail=f"信用等级 {grade} 年度检查上限 {cap.value} 次已用满"
                        f"（本年此前已检查 {prior.get(key, 0)} 次）",
                    )
                )
    placed.sort(key=lambda v: v.id)
    return placed, unplaced, dict(uncapped)
