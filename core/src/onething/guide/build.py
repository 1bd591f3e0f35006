"""Build a compliance guide from the rulebook in force on a day, city layer applied.

Every section is read from the same data the engines run on: the domain's description, its
items, elements, parameters, risk rules, sanctions, publication rules and the effective loop
(core + the domain's extension). A domain that is enabled appears by itself; a rule changed in
the data changes the guide the next time it is built.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from ..check_points import catalogue
from ..checklist.limits import resolve
from ..core_parameters import CORE, core_version
from ..errors import InvalidInput, NotInForce, not_enabled
from ..loop import Loop, diagram
from ..loop.spec import LEAD
from ..model import DIMENSIONS, Basis, Element, Item, in_force
from ..rulebook import ParameterInForce, Rulebook
from .model import (
    CheckPoint,
    Citation,
    Duty,
    Flowchart,
    Guide,
    Published,
    Sanction,
    Scope,
    SharedPoint,
    Step,
)

#: Parameters of the "how often" section, by name (``visit_cap.*`` and ``grading.*`` of core
#: are shown as caps).
FREQUENCY = re.compile(r"^(sampling_ratio|inspection_frequency)(\.|$)")
CAPS = re.compile(r"^(visit_cap\.|grading\.|inspectors_per_visit$)")
FINES = re.compile(r"^fine\.")
RECTIFICATION = re.compile(r"rectification")
CREDIT_REPAIR_STATES = ("joint_sanction", "credit_repair")


def build_guide(
    rulebook: Rulebook,
    on: dt.date,
    domain: str | None = None,
    *,
    items: Iterable[str] | None = None,
) -> Guide:
    """The guide of ``domain`` (``None``: every enabled domain, the unified deployment) on day
    ``on``; ``items`` narrows it to those item codes (one object's guide).

    :raises InvalidInput: for a domain that is not enabled.
    """
    names = _domains(rulebook, domain)
    wanted = None if items is None else set(items)
    all_items = [i for d in names for i in rulebook.items(on, d)]
    chosen = [i for i in all_items if wanted is None or i.code in wanted]
    codes = {i.code for i in chosen}
    elements = [
        e
        for d in names
        for e in rulebook.elements(on, d)
        if wanted is None or codes.intersection(e.items)
    ]
    if wanted is not None:
        names = [d for d in names if any(i.domain == d for i in chosen)] or names
    loop = Loop(rulebook)
    lp_domain = names[0] if len(names) == 1 else None  # one domain: its lead resolved
    params = {(p.domain, p.name): p for p in rulebook.parameters(on, None)}
    steps = _steps(rulebook, loop, lp_domain, names, on)
    used: set[tuple[str, str]] = {(s.limit.domain, s.limit.name) for s in steps if s.limit}

    def take(pattern: re.Pattern[str], domains: Iterable[str]) -> list[ParameterInForce]:
        out = [p for (d, n), p in params.items() if d in domains and pattern.search(n)]
        used.update((p.domain, p.name) for p in out)
        return out

    frequency = take(FREQUENCY, names)
    caps = take(CAPS, [CORE])
    fines = take(FINES, names)
    rectification = take(RECTIFICATION, names)
    sanctions = [
        Sanction(m, _param(params, m.domain, m.duration))
        for d in names
        for m in rulebook.rules(d).sanctions
        if in_force(m, on)
    ]
    published = [
        Published(r, _param(params, r.domain, r.within), _param(params, r.domain, r.period))
        for d in names
        for r in rulebook.rules(d).publication_rules
        if in_force(r, on)
    ]
    for x in (*(s.duration for s in sanctions), *(p.within for p in published)):
        if x is not None:
            used.add((x.domain, x.name))
    for p in published:
        if p.period is not None:
            used.add((p.period.domain, p.period.name))
    others = [p for k, p in params.items() if k[0] in names and k not in used]
    risk_rules = [r for d in names for r in rulebook.risk_rules(on, d)]
    if wanted is not None:
        risk_rules = [r for r in risk_rules if r.domain in names]
    states = loop.states_for(lp_domain) if lp_domain else list(loop.states)
    ext_states = [
        (loop.states[s][1], s, loop.state(s).label_zh, loop.state(s).label_en)
        for s in states
        if loop.states[s][1] != CORE and loop.states[s][1] in names
    ]
    numbers = {s.transition.code: n for n, s in enumerate(steps, 1)}
    level = _deployment_attr(rulebook, "level", "city")
    charts = [lp_domain] if lp_domain else [CORE, *(d for d in names if rulebook.rules(d).loop)]
    points = [CheckPoint(e, _limit(rulebook, e, on)) for e in _by_dimension(elements)]
    return Guide(
        on=on,
        deployment=_deployment_attr(rulebook, "name", ""),
        region=_deployment_attr(rulebook, "region", ""),
        level=_deployment_attr(rulebook, "level", "city"),
        domain=domain,
        versions=[("onething", core_version())]
        + [(rulebook.rules(d).info.dist, rulebook.rules(d).info.version) for d in names],
        scopes=[_scope(rulebook, d) for d in names],
        duties=_duties(rulebook, names, chosen, elements),
        items=chosen,
        points=points,
        shared=_shared(elements),
        frequency=frequency,
        caps=caps,
        risk_rules=risk_rules,
        steps=steps,
        extension_states=ext_states,
        flowcharts=[_flowchart(loop, d, on, numbers, level) for d in charts],
        rectification=rectification,
        fines=fines,
        sanctions=sanctions,
        credit_repair=[s for s in steps if s.transition.spec.source in CREDIT_REPAIR_STATES],
        publication=published,
        other_parameters=others,
        citations=_citations(
            rulebook, names, chosen, elements, params, sanctions, published, steps
        ),
    )


def _flowchart(
    loop: Loop, domain: str, on: dt.date, numbers: dict[str, int], level: str
) -> Flowchart:
    """The swimlane chart of core (``core``) or of core and one domain's extension; its arrows
    carry the step numbers of the guide's table."""
    graph = diagram.swimlanes(loop, domain, on, numbers=numbers, level=level)
    svg = graph.pipe(format="svg").decode()
    svg = svg[svg.index("<svg") :]  # inline: no XML declaration or doctype
    # Graphviz numbers its ids from 1 in every chart: several charts on one page need their own
    svg = svg.replace(' id="', f' id="{domain}-')
    return Flowchart(
        domain=domain,
        svg=svg,
        mermaid=diagram.mermaid_swimlanes(loop, domain, on, level=level),
    )


def _domains(rulebook: Rulebook, domain: str | None) -> list[str]:
    if domain is None:
        return list(rulebook.domains.names)
    if domain not in rulebook.domains:
        raise InvalidInput("--domain", domain, not_enabled(domain, rulebook.domains.names))
    return [domain]


def _deployment_attr(rulebook: Rulebook, name: str, default: str) -> str:
    dep = rulebook.deployment
    return str(getattr(dep, name, None) or default) if dep is not None else default


def _param(params: dict, domain: str, name: str | None) -> ParameterInForce | None:
    return None if name is None else params.get((domain, name))


def _limit(rulebook: Rulebook, element: Element, on: dt.date):
    try:
        return resolve(rulebook, element, on)
    except (NotInForce, InvalidInput):
        return None  # shown as "see the parameter": validate reports the gap


def _by_dimension(elements: list[Element]) -> list[Element]:
    order = list(DIMENSIONS)
    return sorted(elements, key=lambda e: (order.index(e.dimension), e.domain, e.code))


def _scope(rulebook: Rulebook, domain: str) -> Scope:
    d = rulebook.rules(domain).description
    return Scope(
        domain=domain,
        name_zh=d.name_zh,
        name_en=d.name_en,
        description_zh=d.description_zh,
        description_en=d.description_en,
        lead=d.lead_department,
        responsible=d.responsible_departments,
        object_types=[(t.code, t.name_zh, t.name_en) for t in d.object_types],
    )


def _duties(
    rulebook: Rulebook, names: list[str], items: list[Item], elements: list[Element]
) -> list[Duty]:
    """Lead departments first, then responsible ones, then any other an item or element
    names; each with the items and elements it carries."""
    role: dict[str, str] = {}
    doms: dict[str, list[str]] = {}
    for d in names:
        desc = rulebook.rules(d).description
        pairs = [(desc.lead_department, "lead")]
        pairs += [(c, "responsible") for c in desc.responsible_departments]
        for code, r in pairs:
            if r == "lead" or code not in role:  # lead in any domain stays lead
                role[code] = r
            doms.setdefault(code, []).append(d)
    for rule in (*items, *elements):
        for code in rule.departments:
            role.setdefault(code, "involved")
            if rule.domain not in doms.setdefault(code, []):
                doms[code].append(rule.domain)
    rank = {"lead": 0, "responsible": 1, "involved": 2}
    order = sorted(role, key=lambda c: (rank[role[c]], list(role).index(c)))
    return [
        Duty(
            department=c,
            role=role[c],
            domains=dict.fromkeys(doms.get(c, [])),
            items=[i.code for i in items if c in i.departments],
            elements=[e.code for e in elements if c in e.departments],
        )
        for c in order
    ]


def _shared(elements: list[Element]) -> list[SharedPoint]:
    """Canonical check points several items or departments rely on: checked once a visit."""
    groups: dict[str, list[Element]] = {}
    for e in elements:
        groups.setdefault(e.canonical, []).append(e)
    cat = catalogue()
    out = []
    for code, els in groups.items():
        items = list(dict.fromkeys(i for e in els for i in e.items))
        depts = list(dict.fromkeys(d for e in els for d in e.departments))
        if len(els) < 2 and len(items) < 2 and len(depts) < 2:
            continue
        c = cat.get(code)
        out.append(
            SharedPoint(
                canonical=code,
                label_zh=c.label_zh if c else els[0].label_zh,
                label_en=c.label_en if c else els[0].label_en,
                elements=[e.code for e in els],
                items=items,
                departments=depts,
            )
        )
    return out


def _steps(
    rulebook: Rulebook, loop: Loop, domain: str | None, names: list[str], on: dt.date
) -> list[Step]:
    transitions = loop.for_domain(domain) if domain else list(loop.transitions.values())
    lead = loop.lead.get(domain) if domain else None
    out = []
    for t in transitions:
        if t.domain != CORE and t.domain not in names:
            continue
        src, tgt = loop.state(t.spec.source), loop.state(t.spec.target)
        limit = None
        if t.spec.time_limit:
            try:
                limit = rulebook.parameter(t.domain, t.spec.time_limit, on)
            except NotInForce:
                limit = None
        out.append(
            Step(
                transition=t,
                source_zh=src.label_zh,
                source_en=src.label_en,
                target_zh=tgt.label_zh,
                target_en=tgt.label_en,
                stage=src.stage,
                departments=[lead if d == LEAD and lead else d for d in t.spec.departments],
                limit=limit,
            )
        )
    stages = list(diagram.LOOP_STAGES)
    return sorted(out, key=lambda s: stages.index(s.stage))


def _citations(
    rulebook, names, items, elements, params, sanctions, published, steps
) -> list[Citation]:
    """Every basis the guide relies on, once, with the rules citing it, ordered by law."""
    found: dict[tuple, tuple[Basis, list[str]]] = {}

    def add(bases: Iterable[Basis], rule: str) -> None:
        for b in bases:
            key = (b.law, b.article, b.revision, b.document)
            entry = found.setdefault(key, (b, []))
            if rule not in entry[1]:
                entry[1].append(rule)

    for d in names:
        add(rulebook.rules(d).description.basis, d)
    for i in items:
        add(i.basis, i.code)
    for e in elements:
        add(e.basis, e.code)
    for (d, n), p in params.items():
        if d in names or d == CORE:
            add(p.basis, f"{d}.{n}")
    for s in sanctions:
        add(s.measure.basis, s.measure.code)
    for p in published:
        add(p.rule.basis, p.rule.code)
    for s in steps:
        add(s.transition.spec.basis, s.transition.code)
    return [
        Citation(b, used)
        for b, used in sorted(
            found.values(), key=lambda x: (x[0].law, x[0].revision or "", x[0].article or "")
        )
    ]
