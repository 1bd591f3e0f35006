"""The effective loop as pictures and as BPMN 2.0 for host platforms' workflow engines.

* :func:`mermaid` — a Mermaid ``stateDiagram-v2``;
* :func:`graphviz` — a :class:`graphviz.Digraph` (render with the Debian package ``graphviz``);
* :func:`swimlanes` and :func:`mermaid_swimlanes` — the process flowchart (全环节监管流程图) of
  the compliance guide: the same states and transitions placed in one lane per department
  (:func:`lanes` decides the lane of each state once, for both);
* :func:`bpmn` — BPMN 2.0 XML, one executable process per domain (core + that domain's
  extension) and one for core alone. Each state is a user task followed by an exclusive gateway;
  each transition is a sequence flow whose condition reads the process variable ``transition``
  (the code of the transition taken); terminal states are end events; the start event branches
  on the variable ``entry`` (the initial state). Conditions are JUEL (``${transition ==
  'assess'}``, for Flowable, Camunda 7 and Activiti) or Python (``transition == 'assess'``,
  for SpiffWorkflow).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from xml.etree import ElementTree as ET

import graphviz as gv

from ..departments import department_name
from ..errors import NotInForce
from ..i18n import language as current_language
from ..model import LOOP_STAGES
from .spec import CORE, INITIAL_STATES, LEAD, OWNER, EffectiveTransition, Loop

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
DIALECTS = ("juel", "python")


def _label(obj, lang: str | None = None) -> str:
    lang = lang or current_language()
    return obj.label_en if lang == "en" else obj.label_zh


def _clean(text: str) -> str:
    return re.sub(r"[:;\"<>{}#]", " ", text).strip()


def _scope(loop: Loop, domain: str | None) -> tuple[list[str], list[EffectiveTransition]]:
    if domain is None:  # the whole deployment
        return list(loop.states), list(loop.transitions.values())
    return loop.states_for(domain), loop.for_domain(domain)


def mermaid(loop: Loop, domain: str | None = None, lang: str | None = None) -> str:
    """A Mermaid state diagram of the effective loop (``domain``: core + that extension)."""
    states, transitions = _scope(loop, domain)
    lines = ["stateDiagram-v2"]
    for stage, name in LOOP_STAGES.items():
        inside = [s for s in states if loop.stage_of(s) == stage]
        if not inside:
            continue
        lines.append(f'    state "{_clean(name if lang != "en" else stage)}" as stage_{stage} {{')
        for s in inside:
            lines.append(f'        state "{_clean(_label(loop.state(s), lang))}" as {s}')
        lines.append("    }")
    for initial in dict.fromkeys(INITIAL_STATES.values()):
        lines.append(f"    [*] --> {initial}")
    for t in transitions:
        extra = f" ({t.domain})" if t.domain != CORE else ""
        lines.append(
            f"    {t.spec.source} --> {t.spec.target} : {_clean(_label(t.spec, lang))}{extra}"
        )
    for s in states:
        if loop.terminal(s):
            lines.append(f"    {s} --> [*]")
    return "\n".join(lines) + "\n"


def graphviz(
    loop: Loop, domain: str | None = None, lang: str | None = None, highlight: str | None = None
) -> gv.Digraph:
    """A Graphviz digraph of the effective loop, one cluster per stage; ``highlight``: a state
    drawn filled and bold (a case's current state)."""
    states, transitions = _scope(loop, domain)
    # top to bottom: the five stages read downwards and the page stays printable
    g = gv.Digraph(
        "onething_loop",
        graph_attr={
            "rankdir": "TB",
            "fontname": "Noto Sans CJK SC",
            "nodesep": "0.3",
            "ranksep": "0.5",
        },
    )
    g.attr("node", shape="box", style="rounded", fontname="Noto Sans CJK SC")
    g.attr("edge", fontname="Noto Sans CJK SC", fontsize="9")
    for stage, name in LOOP_STAGES.items():
        with g.subgraph(name=f"cluster_{stage}") as c:
            c.attr(label=name if lang != "en" else stage, style="dashed")
            for s in states:
                if loop.stage_of(s) == stage:
                    st = loop.state(s)
                    marked = (
                        {"style": "rounded,filled,bold", "fillcolor": "#ffd54f", "penwidth": "3"}
                        if s == highlight
                        else {}
                    )
                    c.node(
                        s,
                        f"{_label(st, lang)}\n{s}",
                        shape="doublecircle" if st.terminal else "box",
                        color="black" if loop.states[s][1] == CORE else "blue",
                        **marked,
                    )
    g.node("start", "", shape="circle", style="filled", fillcolor="black", width="0.2")
    for initial in dict.fromkeys(INITIAL_STATES.values()):
        g.edge("start", initial)
    for t in transitions:
        en = (lang or current_language()) == "en"
        limit = (
            (f"\n(time limit {t.spec.time_limit})" if en else f"\n（时限 {t.spec.time_limit}）")
            if t.spec.time_limit
            else ""
        )
        g.edge(
            t.spec.source,
            t.spec.target,
            label=f"{_label(t.spec, lang)}{limit}",
            color="black" if t.domain == CORE else "blue",
        )
    return g


# -- swimlanes: the process flowchart of the compliance guide ---------------------------------


def _lane_of(departments: list[str], lead: str | None) -> str:
    """The department most often allowed to act (ties: the first named); ``lead`` stands for
    the domain's lead department where there is one domain."""
    resolved = [lead if d == LEAD and lead else d for d in departments]
    if not resolved:
        return OWNER
    counts = Counter(resolved)
    return max(resolved, key=lambda d: (counts[d], -resolved.index(d)))


def lanes(loop: Loop, domain: str | None = None) -> dict[str, str]:
    """The lane (a department code, ``owner`` or ``lead``) of every state in scope: the
    department that acts on a case in that state — most often allowed on its outgoing
    transitions — and for a terminal state the one that most often brings cases there."""
    states, transitions = _scope(loop, domain)
    lead = loop.lead.get(domain) if domain else None
    out: dict[str, str] = {}
    for s in states:
        edges = [t for t in transitions if t.spec.source == s]
        if not edges:
            edges = [t for t in transitions if t.spec.target == s]
        out[s] = _lane_of([d for t in edges for d in t.spec.departments], lead)
    return out


def lane_label(lane: str, lang: str | None = None, level: str = "city") -> str:
    """A lane's name: the department's at the deployment's ``level``, or the placeholder's."""
    lang = lang or current_language()
    if lane == OWNER:
        return "Case owner (department in charge)" if lang == "en" else "承办部门（案件所属部门）"
    if lane == LEAD:
        return "Lead department of the domain" if lang == "en" else "领域牵头部门"
    return department_name(lane, level, lang)


def _lane_order(loop: Loop, domain: str | None, placed: dict[str, str]) -> list[str]:
    """Lead department first, then the case owner, then the others as they first appear."""
    lead = loop.lead.get(domain or "", LEAD)  # core alone or every domain: the placeholder
    seen = list(dict.fromkeys(placed.values()))
    first = [x for x in (lead, OWNER) if x in seen]
    return first + [x for x in seen if x not in first]


def time_limit_text(
    loop: Loop, t: EffectiveTransition, on: dt.date | None, lang: str | None = None
) -> str | None:
    """``≤ 15 工作日`` for a transition's time limit in force on ``on`` (the parameter's name
    when no day is given or no value is in force)."""
    if t.spec.time_limit is None:
        return None
    if on is not None:
        try:
            lim = loop.limit(t, on)
        except NotInForce:
            lim = None
        if lim is not None:
            working = lim.unit == "working_day"
            if (lang or current_language()) == "en":
                return f"<= {lim.days} {'working days' if working else 'days'}"
            return f"≤{lim.days}{'个工作日' if working else '日'}"
    return t.spec.time_limit


def _wrap(text: str, width: int = 9) -> str:
    """Break a long label into lines of ``width`` characters (Chinese has no spaces to break
    at), so a lane stays narrow enough for a printed page."""
    if len(text) <= width + 3:
        return text
    return "\n".join(text[i : i + width] for i in range(0, len(text), width))


def swimlanes(
    loop: Loop,
    domain: str | None = None,
    on: dt.date | None = None,
    lang: str | None = None,
    numbers: dict[str, int] | None = None,
    level: str = "city",
) -> gv.Digraph:
    """The process flowchart: one column per department (:func:`lanes`), the loop's states as
    boxes, its transitions as arrows labelled with their name (or, given ``numbers``, their
    step number in a table beside the chart, which keeps a printed page legible) and the time
    limit in force on ``on``. Core is drawn black, domain extensions blue."""
    states, transitions = _scope(loop, domain)
    placed = lanes(loop, domain)
    font = "Noto Sans CJK SC"
    g = gv.Digraph(
        "onething_process",
        graph_attr={
            "rankdir": "TB",
            "fontname": font,
            "nodesep": "0.2",
            "ranksep": "0.35",
            "newrank": "true",
        },
    )
    g.attr(
        "node", shape="box", style="rounded,filled", fillcolor="white", fontname=font, fontsize="13"
    )
    g.attr("edge", fontname=font, fontsize="10" if numbers else "8")
    for n, lane in enumerate(_lane_order(loop, domain, placed)):
        with g.subgraph(name=f"cluster_lane{n}") as c:
            c.attr(
                label=lane_label(lane, lang, level),
                style="filled",
                fillcolor="#f3f6fb" if n % 2 == 0 else "#fbfbf3",
                color="#8899bb",
                fontsize="13",
            )
            for s in states:
                if placed[s] != lane:
                    continue
                st = loop.state(s)
                ext = loop.states[s][1]
                tag = "" if ext == CORE else f"\n[{ext}]" if domain is None else ""
                c.node(
                    s,
                    f"{_wrap(_label(st, lang))}{tag}",
                    shape="doubleoctagon" if st.terminal else "box",
                    color="black" if ext == CORE else "blue",
                    fontcolor="black" if ext == CORE else "blue",
                )
    g.node("start", "", shape="circle", style="filled", fillcolor="black", width="0.2")
    for initial in dict.fromkeys(INITIAL_STATES.values()):
        if initial in placed:
            g.edge("start", initial)
    for t in transitions:
        limit = time_limit_text(loop, t, on, lang)
        name = str(numbers[t.code]) if numbers and t.code in numbers else _label(t.spec, lang)
        g.edge(
            t.spec.source,
            t.spec.target,
            label=name + (f"\n{limit}" if limit else ""),
            color="black" if t.domain == CORE else "blue",
            fontcolor="black" if t.domain == CORE else "blue",
        )
    return g


def mermaid_swimlanes(
    loop: Loop,
    domain: str | None = None,
    on: dt.date | None = None,
    lang: str | None = None,
    level: str = "city",
) -> str:
    """The process flowchart as a Mermaid ``flowchart``: one subgraph per department lane."""
    states, transitions = _scope(loop, domain)
    placed = lanes(loop, domain)
    lines = ["flowchart TB"]
    for n, lane in enumerate(_lane_order(loop, domain, placed)):
        lines.append(f'    subgraph lane{n}["{_clean(lane_label(lane, lang, level))}"]')
        for s in states:
            if placed[s] == lane:
                text = _clean(_label(loop.state(s), lang))
                lines.append(
                    f'        {s}(["{text}"])' if loop.terminal(s) else f'        {s}["{text}"]'
                )
        lines.append("    end")
    lines.append("    start((( )))")
    for initial in dict.fromkeys(INITIAL_STATES.values()):
        if initial in placed:
            lines.append(f"    start --> {initial}")
    for t in transitions:
        limit = time_limit_text(loop, t, on, lang)
        text = _clean(_label(t.spec, lang) + (f" {limit}" if limit else ""))
        lines.append(f'    {t.spec.source} -->|"{text}"| {t.spec.target}')
    return "\n".join(lines) + "\n"


def _condition(var: str, value: str, dialect: str) -> str:
    if dialect == "python":
        return f"{var} == {value!r}"
    return f"${{{var} == '{value}'}}"


def bpmn(loop: Loop, dialect: str = "juel", lang: str | None = None) -> str:
    """BPMN 2.0 XML of the effective loop: one process per enabled domain and one for core."""
    if dialect not in DIALECTS:
        raise ValueError(f"dialect must be one of {DIALECTS}")
    ET.register_namespace("bpmn", BPMN_NS)
    ET.register_namespace("xsi", XSI_NS)
    q = lambda tag: f"{{{BPMN_NS}}}{tag}"  # noqa: E731
    defs = ET.Element(
        q("definitions"),
        {
            "id": "onething_loop_definitions",
            "targetNamespace": "https://onething.dev/bpmn/loop",
            "exporter": "onething",
        },
    )
    domains = [None, *sorted(d for d in loop.lead)]
    for domain in domains:
        pid = f"onething_loop_{domain or CORE}"
        proc = ET.SubElement(
            defs,
            q("process"),
            {"id": pid, "name": f"全程闭环 {domain or CORE}", "isExecutable": "true"},
        )
        states = (
            loop.states_for(domain)
            if domain
            else [s for s, (_, d) in loop.states.items() if d == CORE]
        )
        transitions = (
            loop.for_domain(domain)
            if domain
            else [t for t in loop.transitions.values() if t.domain == CORE]
        )
        _process(loop, proc, q, states, transitions, dialect, lang)
    ET.indent(defs)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(defs, encoding="unicode")


def _process(loop, proc, q, states, transitions, dialect, lang) -> None:
    flows: list[tuple[str, str, str, str | None]] = []  # id, source, target, condition

    def node_id(state: str) -> str:
        return f"end_{state}" if loop.terminal(state) else f"task_{state}"

    ET.SubElement(proc, q("startEvent"), {"id": "start", "name": "opened"})
    ET.SubElement(proc, q("exclusiveGateway"), {"id": "entry", "name": "entry"})
    flows.append(("flow_start", "start", "entry", None))
    for kind_state in dict.fromkeys(INITIAL_STATES.values()):
        if kind_state in states:
            flows.append(
                (
                    f"flow_entry_{kind_state}",
                    "entry",
                    node_id(kind_state),
                    _condition("entry", kind_state, dialect),
                )
            )
    for s in states:
        st = loop.state(s)
        if st.terminal:
            ET.SubElement(proc, q("endEvent"), {"id": node_id(s), "name": _label(st, lang)})
            continue
        task = ET.SubElement(proc, q("userTask"), {"id": node_id(s), "name": _label(st, lang)})
        doc = ET.SubElement(task, q("documentation"))
        doc.text = f"state {s}; stage {st.stage}"
        outgoing = [t for t in transitions if t.spec.source == s]
        if not outgoing:
            ET.SubElement(proc, q("endEvent"), {"id": f"end_stuck_{s}"})
            flows.append((f"flow_{s}_stuck", node_id(s), f"end_stuck_{s}", None))
            continue
        ET.SubElement(proc, q("exclusiveGateway"), {"id": f"gw_{s}", "name": f"{s}?"})
        flows.append((f"flow_{s}_gw", node_id(s), f"gw_{s}", None))
        for t in outgoing:
            flows.append(
                (
                    f"flow_{t.code}",
                    f"gw_{s}",
                    node_id(t.spec.target),
                    _condition("transition", t.code, dialect),
                )
            )
    for fid, src, tgt, cond in flows:
        attrs = {"id": fid, "sourceRef": src, "targetRef": tgt}
        f = ET.SubElement(proc, q("sequenceFlow"), attrs)
        if cond is not None:
            tr = next((t for t in loop.transitions.values() if f"flow_{t.code}" == fid), None)
            if tr is not None:
                f.set("name", _label(tr.spec, lang))
                doc = ET.SubElement(f, q("documentation"))
                doc.text = (
                    f"roles: {', '.join(tr.spec.roles)}; departments: "
                    f"{', '.join(tr.spec.departments)}; time limit: {tr.spec.time_limit or '-'}"
                    + (f"; guard: {tr.spec.guard}" if tr.spec.guard else "")
                )
            ce = ET.SubElement(
                f, q("conditionExpression"), {f"{{{XSI_NS}}}type": "bpmn:tFormalExpression"}
            )
            ce.text = cond
    # incoming/outgoing references (after documentation, incoming first), as modelers write
    refs: dict[str, dict[str, list[str]]] = {}
    for fid, src, tgt, _ in flows:
        refs.setdefault(src, {"incoming": [], "outgoing": []})["outgoing"].append(fid)
        refs.setdefault(tgt, {"incoming": [], "outgoing": []})["incoming"].append(fid)
    for el in list(proc):
        r = refs.get(el.get("id") or "")
        if r is None or el.tag == q("sequenceFlow"):
            continue
        at = len([c for c in el if c.tag == q("documentation")])
        for tag in ("incoming", "outgoing"):
            for fid in r[tag]:
                child = ET.Element(q(tag))
                child.text = fid
                el.insert(at, child)
                at += 1
