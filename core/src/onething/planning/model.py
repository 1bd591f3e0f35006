"""Value classes of a plan: tasks, visits, inspector assignments and what could not be placed."""

from __future__ import annotations

import datetime as dt

from attrs import field, frozen

#: Task kinds: random (双随机), and the non-random ones merged into the same visits.
TASK_KINDS: dict[str, tuple[str, str]] = {
    "random": ("双随机抽查", "Double-random"),
    "key": ("重点监管", "Key supervision"),
    "complaint": ("投诉举报触发", "Complaint-triggered"),
    "post_licence": ("许可后检查", "Post-licence"),
    "reinspection": ("复查", "Re-inspection"),
}


@frozen
class Task:
    """One item to check on one object in the cycle."""

    id: str
    key: str
    item: str
    domain: str
    departments: tuple[str, ...] = field(converter=tuple)
    kind: str
    stratum: str | None = None
    """``credit/risk`` of a random task"""
    due: dt.date | None = None
    reason: str = ""
    unannounced: bool = False


@frozen
class Visit:
    """One trip to one object: a joint visit, or a split-off one with its reason."""

    id: str
    key: str
    region: str
    tasks: tuple[str, ...] = field(converter=tuple)
    items: tuple[str, ...] = field(converter=tuple)
    departments: tuple[str, ...] = field(converter=tuple)
    joint: bool = True
    split: str | None = None
    """constraint id (or ``unannounced``) that kept these tasks out of the joint visit"""
    split_reason: str | None = None
    objects: tuple[str, ...] = field(factory=tuple, converter=tuple, metadata={"omit": "empty"})
    """The objects whose tasks the visit covers, when other than ``key`` alone (the
    project, contractors and installations present at a site); not in the plan's JSON when
    empty (a visit to one object)."""


@frozen
class Unplaced:
    """A task not placed, with why (``visit_cap``: the yearly cap is used up)."""

    task: str
    key: str
    item: str
    reason: str
    detail: str


@frozen
class Assignment:
    visit: str
    department: str
    inspector: str


@frozen
class Infeasible:
    visit: str
    department: str
    reason: str
