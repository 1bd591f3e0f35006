"""Cases as JSON documents (``case-summary``, ``case`` and ``inbox-entry`` in
``onething/schemas``): what ``loop list|show|inbox --format json`` print and what the HTTP
service answers, built once here. Codes come with labels in the current language."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..departments import department_name
from ..i18n import _, language
from ..model import LOOP_STAGES, SEVERITIES
from ..workdays import LOCAL_ZONE

if TYPE_CHECKING:  # read as annotations only: the CLI imports this module without the store
    from .cases import Overdue
    from .queries import CaseSummary, CaseView, InboxEntry

SOURCE_KINDS = {
    "warning": ("风险预警", "risk warning"),
    "complaint": ("投诉举报", "complaint"),
    "finding": ("检查发现问题", "inspection finding"),
    "event": ("平台事件", "platform event"),
    "penalty": ("行政处罚", "penalty decided"),
}
ACTIONS = {
    "open": ("开启", "opened"),
    "transition": ("流转", "moved"),
    "refused": ("拒绝", "refused"),
    "task_scheduled": ("排定任务", "task scheduled"),
    "tasks_closed": ("关闭任务", "tasks closed"),
    "penalty_noted": ("记录处罚", "penalty noted"),
    "record_attached": ("关联检查记录", "record attached"),
}


def case_ids(ids: Iterable[int]) -> str:
    """Ids as runs: ``1–4, 7`` (a batch of warnings opens consecutive cases)."""
    runs: list[list[int]] = []
    for i in sorted(set(ids)):
        if runs and i == runs[-1][1] + 1:
            runs[-1][1] = i
        else:
            runs.append([i, i])
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in runs)


#: The roles of the loop's transitions (the host platform maps its own to these).
ROLES = {
    "inspector": ("执法人员", "inspector"),
    "reviewer": ("审核人员", "reviewer"),
    "leader": ("负责人", "leader"),
}
#: The departments a transition names by their part in the case, not by code.
PARTS = {"owner": ("承办部门", "owner"), "lead": ("牵头部门", "lead")}


class Labels:
    """Codes as people read them, in the current language and at the deployment's level."""

    def __init__(self, app, loop):
        self.loop, self.level, self.en = loop, app.deployment.level, language() == "en"
        self.domains = app.domains

    def pick(self, pair: tuple[str, str]) -> str:
        return pair[1] if self.en else pair[0]

    def state(self, code: str) -> str:
        if code not in self.loop.states:
            return code
        s = self.loop.state(code)
        return s.label_en if self.en else s.label_zh

    def stage(self, code: str | None) -> str:
        return "" if code is None else code if self.en else LOOP_STAGES[code]

    def domain(self, code: str | None) -> str:
        if code is None or code not in self.domains:  # a domain no longer enabled: its code
            return code or ""
        d = self.domains.rules(code).description
        return d.name_en if self.en else d.name_zh

    def role(self, code: str) -> str:
        return self.pick(ROLES.get(code, (code, code)))

    def roles(self, codes) -> str:
        return ("、" if not self.en else ", ").join(self.role(c) for c in codes)

    def part(self, code: str) -> str:
        """A transition's department: its part in the case (owner, lead) or a department."""
        return self.pick(PARTS[code]) if code in PARTS else self.dept(code)

    def dept(self, code: str | None) -> str:
        return "" if code is None else department_name(code, self.level, language())

    def due(self, deadline) -> str:
        return deadline.text(_("无时限", "no deadline"))

    def source(self, c) -> str:
        kind = self.pick(SOURCE_KINDS.get(c.source_kind, (c.source_kind, c.source_kind)))
        ref = f" {c.risk_rule}" if c.risk_rule else ""
        return f"{kind}{ref}" + (f" #{c.source_ref}" if c.source_ref else "")

    def severity(self, code: str | None) -> str:
        if code is None:
            return ""
        return code if self.en else SEVERITIES.get(code, code)


def summary_json(c: CaseSummary, lab: Labels) -> dict[str, Any]:
    local = c.due.local
    return {
        "id": c.id,
        "version": c.version,
        "state": c.state,
        "state_label": lab.state(c.state),
        "stage": c.stage,
        "domain": c.domain,
        "object": c.object_key,
        "object_name": c.object_name,
        "region": c.region,
        "owner": c.owner,
        "owner_label": lab.dept(c.owner),
        "lead": c.lead,
        "lead_label": lab.dept(c.lead),
        "source": {"kind": c.source_kind, "ref": c.source_ref, "risk_rule": c.risk_rule},
        "severity": c.severity,
        "opened_at": c.opened_at.isoformat(),
        "due_at": local.isoformat() if local is not None else None,
        "due": lab.due(c.due),
        "due_provisional": c.due.provisional,
        "overdue": c.overdue,
        "closed_at": c.closed_at.isoformat() if c.closed_at else None,
    }


def case_json(view: CaseView, lab: Labels) -> dict[str, Any]:
    """One case in full: its summary, facts, the transitions leading on and its history."""
    c = view.summary
    moves = [
        {
            "transition": t.code,
            "label": t.label_en if lab.en else t.label_zh,
            "to": t.target,
            "to_label": lab.state(t.target),
            "roles": list(t.roles),
            "departments": list(t.departments),
            "department_labels": [lab.dept(d) for d in t.departments],
            "evidence_required": t.evidence_schema is not None,
            "guard": t.guard,
            "guard_holds": t.guard_holds,
            "allowed": t.allowed,
            "refusal": t.refusal,
        }
        for t in view.transitions
    ]
    history = [
        {
            "seq": h.seq,
            "at": h.at.astimezone(LOCAL_ZONE).isoformat(),
            "action": h.action,
            "actor": None
            if h.actor is None
            else {
                "department": h.actor.department,
                "role": h.actor.role,
                "region": h.actor.region,
                **({"subject": h.actor.subject} if h.actor.subject is not None else {}),
            },
            "data": h.data,
        }
        for h in view.history
    ]
    return {**summary_json(c, lab), "facts": view.facts, "transitions": moves, "history": history}


def inbox_json(e: InboxEntry, lab: Labels) -> dict[str, Any]:
    """An inbox entry: the case's summary and the transitions the department may take."""
    return {**summary_json(e.case, lab), "transitions": list(e.transitions)}


def overdue_json(r: Overdue) -> dict[str, Any]:
    """An overdue step as ``loop overdue --format json`` and ``GET /loop/overdue`` give it."""
    return {
        "department": r.owner,
        "stage": r.stage,
        "state": r.state,
        "case": r.case_id,
        "domain": r.domain,
        "object": r.object_key,
        "region": r.region,
        "due_at": r.due_at.isoformat(),
        "days_over": r.days_over,
    }
