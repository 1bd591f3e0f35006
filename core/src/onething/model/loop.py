"""全程闭环 (closed loop): states and transitions a case moves through."""

from __future__ import annotations

from typing import Any, Literal

from attrs import field, frozen

from .basis import Basis
from .fields import as_tuple

#: What taking a transition does to the case besides moving it: ``owner_from_evidence`` hands
#: it to the department named by the evidence's ``to_department`` (a clue transferred, a
#: consultation agreed); ``owner_to_lead`` hands it to the lead department of its domain (a
#: consultation escalated). ``None``: the owner stays.
LoopEffect = Literal["owner_from_evidence", "owner_to_lead"]
LOOP_EFFECTS: tuple[str, ...] = ("owner_from_evidence", "owner_to_lead")

LoopStage = Literal["warning", "transfer", "joint_supervision", "joint_sanction", "retrospective"]
#: The five stages of the closed loop, in order.
LOOP_STAGES: dict[str, str] = {
    "warning": "风险预警研判",
    "transfer": "线索移交处置",
    "joint_supervision": "部门联合监管",
    "joint_sanction": "失信联合惩戒",
    "retrospective": "结果回溯分析",
}


@frozen
class LoopState:
    code: str
    label_zh: str
    label_en: str
    stage: LoopStage
    terminal: bool = False
    basis: tuple[Basis, ...] = field(factory=tuple, converter=as_tuple)


@frozen
class LoopTransition:
    code: str
    source: str
    target: str
    label_zh: str
    label_en: str
    roles: tuple[str, ...] = field(converter=as_tuple)
    """Roles allowed to take the transition (``inspector``, ``reviewer``, ``leader``, …)."""
    departments: tuple[str, ...] = field(converter=as_tuple)
    """Department codes allowed; ``lead`` stands for the domain's lead department."""
    basis: tuple[Basis, ...] = field(factory=tuple, converter=as_tuple)
    guard: dict[str, Any] | None = None
    """Condition on the case's facts that must hold (see ``onething.conditions``)."""
    evidence_schema: dict[str, Any] | None = None
    time_limit: str | None = None
    """Parameter holding the time limit in days (or working days, by its unit)."""
    effect: LoopEffect | None = None
    """What the transition does to the case's owner (see :data:`LOOP_EFFECTS`)."""


@frozen
class LoopExtension:
    """A domain's additions to the core loop; present only where the domain is enabled."""

    domain: str
    states: tuple[LoopState, ...] = field(factory=tuple, converter=as_tuple)
    transitions: tuple[LoopTransition, ...] = field(factory=tuple, converter=as_tuple)
    source: str | None = None
