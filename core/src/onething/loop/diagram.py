"""The effective loop as pictures and as BPMN 2.0 for host platforms' workflow engines.

* :func:`mermaid` — a Mermaid ``stateDiagram-v2``;
* :func:`graphviz` — a :class:`graphviz.Digraph` (render with the Debian package ``graphviz``);
* :func:`bpmn` — BPMN 2.0 XML, one executable process per domain (core + that domain's
  extension) and one for core alone. Each state is a user task followed by an exclusive gateway;
  each transition is a sequence flow whose condition reads the process variable ``transition``
  (the code of the transition taken); terminal states are end events; the start event branches
  on the variable ``entry`` (the initial state). Conditions are JUEL (``${transition ==
  'assess'}``, for Flowable, Camunda 7 and Activiti) or Python (``transition == 'assess'``,
  for SpiffWorkflow).
"""

from __future__ import annotations

import re
from xml.etree import ElementTree as ET

import graphviz as gv

from ..i18n import language as current_language
from ..model import LOOP_STAGES
from .spec import CORE, INITIAL_STATES, EffectiveTransition, Loop

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


def graphviz(loop: Loop, domain: str | None = None, lang: str | None = None) -> gv.Digraph:
    """A Graphviz digraph of the effective loop, one cluster per stage."""
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
                    c.node(
                        s,
                        f"{_label(st, lang)}\n{s}",
                        shape="doublecircle" if st.terminal else "box",
                        color="black" if loop.states[s][1] == CORE else "blue",
                    )
    g.node("start", "", shape="circle", style="filled", fillcolor="black", width="0.2")
    for initial in dict.fromkeys(INITIAL_STATES.values()):
        g.edge("start", initial)
    for t in transitions:
        limit = f"\n（时限 {t.spec.time_limit}）" if t.spec.time_limit else ""
        g.edge(
            t.spec.source,
            t.spec.target,
            label=f"{_label(t.spec, lang)}{limit}",
            color="black" if t.domain == CORE else "blue",
        )
    return g


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
