"""What each console page shows, read through the engine calls the API handlers make and their
JSON documents (``inbox_json``, ``case_json``, the checklist's ``as_json``, the stored draw):
the page adds labels and layout, never a rule of its own."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from ..departments import department_name, departments
from ..errors import InvalidInput
from ..i18n import _, language
from ..loop.documents import ACTIONS, ROLES, Labels
from ..workdays import LOCAL_ZONE


def dept_label(app):
    level = app.deployment.level
    return lambda code: department_name(code, level, language()) if code else ""


def role_label(code: str) -> str:
    """A loop role by name (审核人员, reviewer)."""
    return _(*ROLES[code]) if code in ROLES else code


def department_choices(app) -> list[tuple[str, str]]:
    label = dept_label(app)
    return sorted(((c, label(c)) for c in departments()), key=lambda p: p[0])


def roles(loop) -> list[str]:
    """Every role the loop grants a step to (a login with another role could take none)."""
    return sorted({r for t in loop.transitions.values() for r in t.spec.roles})


def dev_login(app, data: dict[str, Any]) -> dict[str, Any]:
    """The development login's parts, checked as an actor is (department code, region inside
    the deployment's) and the role one the loop knows. :raises InvalidInput: the part."""
    from ..loop import Actor
    from ..loop.cases import check_actor

    parts = {n: str(data.get(n) or "").strip() for n in ("department", "role", "region")}
    for name, value in parts.items():
        if not value:
            raise InvalidInput("login", name, _("必填", "required"))
    known = roles(app.loop)
    if parts["role"] not in known:
        raise InvalidInput(
            "login",
            "role",
            _(
                f"{parts['role']!r} 不是闭环中的角色；可选：{'、'.join(known)}",
                f"{parts['role']!r} is not a role of the loop; known: {', '.join(known)}",
            ),
        )
    check_actor(Actor(**parts), within=app.deployment.region)
    subject = str(data.get("subject") or "").strip() or None
    return {**parts, "subject": subject}


def _labels(app) -> Labels:
    return Labels(app, app.loop)


def _transition_label(loop, code: str) -> str:
    t = loop.transitions.get(code)
    if t is None:
        return code
    return t.spec.label_en if language() == "en" else t.spec.label_zh


def inbox(app, who) -> list[dict[str, Any]]:
    """``GET /inbox`` for the user's department and region, each entry's steps labelled and
    marked with whether the user's role is granted them."""
    import itertools

    from ..loop import inbox as engine_inbox
    from ..loop.documents import inbox_json

    lab = _labels(app)
    out = []
    for e in itertools.islice(engine_inbox(app.store, app.loop, who.department, who.region), 1000):
        doc = inbox_json(e, lab)
        doc["stage_label"] = lab.stage(doc["stage"])
        doc["actions"] = [
            {
                "code": code,
                "label": _transition_label(app.loop, code),
                "mine": who.role in app.loop.transitions[code].spec.roles,
            }
            for code in doc["transitions"]
        ]
        out.append(doc)
    return out


def _history_line(h: dict[str, Any], lab: Labels) -> str:
    d = h["data"] or {}
    if h["action"] == "open":
        return f"→ {lab.state(d.get('state', ''))}"
    if h["action"] == "transition":
        return f"{lab.state(d.get('from', ''))} → {lab.state(d.get('to', ''))}"
    if h["action"] == "refused":
        return str(d.get("message", ""))
    if h["action"] == "record_attached":
        failed = ", ".join(d.get("findings") or []) or _("无问题", "no findings")
        return f"{d.get('record')}: {failed}"
    return ""


def case_page(app, who, case_id: int) -> dict[str, Any]:
    """``GET /cases/{id}`` as the user, with the evidence and facts each step asks for, the
    records attached, the timeline and the loop diagram with the case's state marked."""
    from ..checklist import load_record
    from ..errors import NotFound
    from ..loop import case
    from ..loop.cases import check_actor, settable_facts
    from ..loop.documents import case_json

    actor = who.actor()
    check_actor(actor, within=app.deployment.region)
    view = case(app.store, app.loop, case_id, actor=actor)
    lab = _labels(app)
    doc = case_json(view, lab)
    forms = []
    for t, shown in zip(view.transitions, doc["transitions"], strict=True):
        effective = app.loop.transitions[t.code]
        facts = settable_facts(effective) if t.guard else {}
        facts.pop("severity", None)  # set with a penalty's evidence, not by hand here
        forms.append(
            {
                **shown,
                "evidence_schema": t.evidence_schema,
                "facts_schema": {"type": "object", "properties": facts} if facts else None,
            }
        )
    timeline = [
        {
            **h,
            "action_label": lab.pick(ACTIONS.get(h["action"], (h["action"], h["action"]))),
            "actor_label": ""
            if h["actor"] is None
            else f"{lab.dept(h['actor']['department'])} / {h['actor']['role']} / "
            f"{h['actor']['region']}"
            + (f" ({h['actor']['subject']})" if h["actor"].get("subject") else ""),
            "transition_label": _transition_label(app.loop, (h["data"] or {}).get("transition", ""))
            if h["action"] in ("transition", "refused")
            else "",
            "detail": _history_line(h, lab),
        }
        for h in doc["history"]
    ]
    # the record whose finding opened the case, then those attached since
    ids = [doc["source"]["ref"]] if doc["source"]["kind"] == "finding" else []
    ids += [
        h["data"]["record"]
        for h in doc["history"]
        if h["action"] == "record_attached" and (h["data"] or {}).get("record")
    ]
    records = []
    for rid in dict.fromkeys(i for i in ids if i):
        try:
            rec = load_record(app.store, rid).as_json()
        except NotFound:  # a source reference that is not a stored record
            continue
        for f in rec["findings"]:
            f["severity_label"] = lab.severity(f["severity"])
        records.append(rec)
    opened = dt.datetime.fromisoformat(doc["opened_at"]).astimezone(LOCAL_ZONE)
    return {
        "case": doc,
        "opened_local": opened.strftime("%Y-%m-%d %H:%M"),
        "source_label": lab.source(view.summary),
        "severity_label": lab.severity(doc["severity"]),
        "stage_label": lab.stage(doc["stage"]),
        "forms": forms,
        "timeline": timeline,
        "records": records,
        "diagram": diagram_svg(app, doc["domain"], doc["state"]),
    }


def diagram_svg(app, domain: str, state: str) -> str | None:
    """The loop diagram of the case's domain as SVG, the current state filled; ``None`` when
    Graphviz is not installed (the page says so)."""
    return _svg(app.loop, domain, language(), state)


@lru_cache(
    maxsize=256
)  # one drawing per loop, domain, language and state: dot takes a fraction of a second
def _svg(loop, domain: str, lang: str, state: str) -> str | None:
    import graphviz as gv

    from ..loop.diagram import graphviz

    try:
        svg = graphviz(loop, domain, lang, highlight=state).pipe(format="svg")
    except gv.ExecutableNotFound:
        return None
    text = svg.decode("utf-8")
    return text[text.index("<svg") :]  # the XML prologue and doctype cannot sit in HTML


def plan_page(app, who, plan_id: int | None) -> dict[str, Any]:
    """``GET /plans/{id}`` (default: the latest draw), the visits a member of the user's
    department is assigned to, each object named."""
    from ..checklist._objects import object_name
    from ..planning.stored import draw_document, latest_plan

    plan_id = plan_id or latest_plan(app.store)
    if plan_id is None:
        return {"plan": None, "visits": []}
    doc = draw_document(app.store, plan_id)
    visits = [
        {**v, "name": object_name(app.store, v["key"]), "mine": mine}
        for v in doc["visits"]
        if (mine := [i for i in v["inspectors"] if i["department"] == who.department])
    ]
    return {"plan": doc, "visits": visits}


def checklist_page(
    app, object_key: str, items: list[str] | None = None, on: dt.date | None = None
) -> dict[str, Any]:
    """``GET /checklists?object=`` for the visit (``items``: the planned visit's own): the
    document (with every element's evidence schema, which the browser validates against) and
    each line's limit in words."""
    from ..checklist._objects import checklist_of
    from ..checklist.render import limit_text
    from ..model import DIMENSIONS, METHODS, SEVERITIES

    on = on or dt.datetime.now(LOCAL_ZONE).date()  # the deployment's day, as the visit's
    c = checklist_of(app, on, object_key=object_key, items=items)
    doc = c.as_json()
    zh = language() == "zh"
    for line, shown in zip(c.lines, doc["checklist"], strict=True):
        shown["limit_text"] = limit_text(line.limit) if line.limit else ""
        shown["dimension_label"] = DIMENSIONS[line.dimension] if zh else line.dimension
        shown["methods_label"] = [METHODS.get(m, m) if zh else m for m in line.methods]
        shown["severity_label"] = (
            SEVERITIES.get(line.severity, line.severity) if zh else line.severity
        )
    severities = {k: SEVERITIES[k] if zh else k.replace("_", " ") for k in SEVERITIES}
    return {"checklist": doc, "severities": severities}
