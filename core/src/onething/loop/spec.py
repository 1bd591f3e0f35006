"""The loop as data: core states and transitions (``onething/data/loop.toml``), core time
limits (core parameters ``loop.*``, see :mod:`onething.core_parameters`) and a deployment's
effective loop = core + the enabled plugins' :class:`~onething.model.LoopExtension`. What a
transition does besides moving the case is data too (its ``effect``), never its code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from functools import cache, cached_property
from typing import TYPE_CHECKING, Any

from attrs import frozen

from ..core_data import checked
from ..core_parameters import CORE, core_parameters
from ..errors import InvalidInput, NotInForce, PluginError
from ..i18n import _
from ..model import LOOP_STAGES, LoopState, LoopTransition, converter, version_on
from ..workdays import Calendar

if TYPE_CHECKING:
    from ..rulebook import ParameterInForce, Rulebook

#: The clock deadlines are kept and shown on.
LOOP_SOURCE = "onething/data/loop.toml"

#: Department placeholders a transition may name besides department codes.
LEAD = "lead"
"""the lead department of the case's domain"""
OWNER = "owner"
"""the department that owns the case now (set on opening, changed by transfer and escalation)"""

#: States a case may be opened in, by source kind (see :func:`onething.loop.open_case`).
INITIAL_STATES: dict[str, str] = {
    "warning": "warning",  # a risk warning fired: assess it
    "complaint": "warning",  # a complaint is a clue to assess
    "finding": "handling",  # an inspection already established the facts
    "event": "warning",
    "penalty": "joint_sanction",  # a penalty decided on the host platform, severe enough
}

#: Every case that reaches ``closed`` has passed through these stages (or was opened after
#: them: a case opened in a later stage counts the earlier stages as done upstream).
REQUIRED_BEFORE_CLOSED: tuple[str, ...] = ("joint_supervision",)

STAGE_ORDER = tuple(LOOP_STAGES)

#: How our states map to the status codes existing platforms use: the result-record status
#: (未录入 / 待审核 / 审核退回 / 不通过 / 已公示) and completion (未完结 / 已完结). A case whose
#: last transition is one of RETURN_TRANSITIONS shows 审核退回. Plugin states map by stage.
RECORD_STATUS: dict[str, str] = {
    "warning": "未录入",
    "dismissed": "不通过",
    "published": "已公示",
    "joint_sanction": "已公示",
    "credit_repair": "已公示",
    "retrospective": "已公示",
    "closed": "已公示",
}
RECORD_STATUS_BY_STAGE = {
    "warning": "待审核",
    "transfer": "待审核",
    "joint_supervision": "待审核",
    "joint_sanction": "已公示",
    "retrospective": "已公示",
}
RETURN_TRANSITIONS = frozenset({"return_for_investigation"})
RETURNED = "审核退回"
OPEN, DONE = "未完结", "已完结"


@cache
def core_states() -> dict[str, LoopState]:
    """The states every deployment's loop has, by code."""
    return {s.code: s for s in _core()[0]}


@cache
def core_transitions() -> dict[str, LoopTransition]:
    """The transitions every deployment's loop has, by code."""
    return {t.code: t for t in _core()[1]}


@cache
def _core() -> tuple[tuple[LoopState, ...], tuple[LoopTransition, ...]]:
    data = checked("loop.toml", "loop_file")
    states = tuple(converter.structure(s, LoopState) for s in data["state"])
    transitions = tuple(converter.structure(t, LoopTransition) for t in data["transition"])
    return states, transitions


@frozen
class Limit:
    """A time limit in force: how many days of which kind, and why."""

    parameter: str
    domain: str
    days: int
    unit: str
    """``day`` or ``working_day``"""
    status: str
    basis: tuple[Any, ...]


@frozen
class EffectiveTransition:
    """A transition of the effective loop and the domain it comes from (``core`` or a plugin)."""

    spec: LoopTransition
    domain: str

    @property
    def code(self) -> str:
        return self.spec.code


class Loop:
    """A deployment's effective loop: core states and transitions plus those of the enabled
    domains. An extension's states and transitions exist only for cases of its domain."""

    def __init__(self, rulebook: Rulebook | None = None, *, extensions: Mapping[str, Any] = ()):
        self.rulebook = rulebook
        deployment = rulebook.deployment if rulebook is not None else None
        self.calendar = Calendar(deployment.calendar if deployment is not None else ())
        """working days: the package's years and the deployment's ``[[calendar.year]]``"""
        self.states: dict[str, tuple[LoopState, str]] = {
            c: (s, CORE) for c, s in core_states().items()
        }
        self.transitions: dict[str, EffectiveTransition] = {
            c: EffectiveTransition(t, CORE) for c, t in core_transitions().items()
        }
        self.lead: dict[str, str] = {}
        exts = dict(extensions)
        if rulebook is not None:
            for name in rulebook.domains.names:
                rules = rulebook.rules(name)
                self.lead[name] = rules.description.lead_department
                if rules.loop is not None:
                    exts[name] = rules.loop
        for name, ext in exts.items():
            for s in ext.states:
                if s.code in self.states:
                    raise PluginError(
                        f"plugin {name!r} loop state {s.code!r} is already defined by "
                        f"{self.states[s.code][1]!r}"
                    )
                self.states[s.code] = (s, name)
            for t in ext.transitions:
                if t.code in self.transitions:
                    raise PluginError(
                        f"plugin {name!r} loop transition {t.code!r} is already defined by "
                        f"{self.transitions[t.code].domain!r}"
                    )
                self.transitions[t.code] = EffectiveTransition(t, name)
        for t in self.transitions.values():
            _check_effect(t)
            for x in (t.spec.source, t.spec.target):
                if x not in self.states:
                    raise PluginError(
                        f"{t.domain!r} loop transition {t.code!r}: unknown state {x!r}"
                    )
        self._check_closing()

    # -- structure ----------------------------------------------------------------------------

    def domains(self) -> list[str]:
        return sorted(
            {d for _, d in self.states.values()}
            | {t.domain for t in self.transitions.values()}
            | {CORE}
        )

    def state(self, code: str) -> LoopState:
        return self.states[code][0]

    def stage_of(self, code: str) -> str:
        return self.states[code][0].stage

    def for_domain(self, domain: str) -> list[EffectiveTransition]:
        """The transitions a case of ``domain`` may take (core + that domain's extension)."""
        return [t for t in self.transitions.values() if t.domain in (CORE, domain)]

    def states_for(self, domain: str) -> list[str]:
        return [c for c, (_, d) in self.states.items() if d in (CORE, domain)]

    def outgoing(self, state: str, domain: str) -> list[EffectiveTransition]:
        return [t for t in self.for_domain(domain) if t.spec.source == state]

    def terminal(self, code: str) -> bool:
        return self.state(code).terminal

    def _check_closing(self) -> None:
        """Every path from an initial state to ``closed`` passes through the required stages
        (those before the initial state's stage count as done upstream)."""
        for domain in self.domains():
            for initial in set(INITIAL_STATES.values()):
                start_stage = STAGE_ORDER.index(self.stage_of(initial))
                required = {
                    s for s in REQUIRED_BEFORE_CLOSED if STAGE_ORDER.index(s) >= start_stage
                }
                if not required:
                    continue
                # reach `closed` while avoiding states of the required stages?
                seen, todo = {initial}, [initial]
                if self.stage_of(initial) in required:
                    continue
                while todo:
                    s = todo.pop()
                    for t in self.outgoing(s, domain):
                        nxt = t.spec.target
                        if nxt in seen or self.stage_of(nxt) in required:
                            continue
                        if nxt == "closed":
                            raise PluginError(
                                f"loop of domain {domain!r}: transition {t.code!r} closes a case "
                                f"opened in {initial!r} that never passed the stage(s) "
                                f"{', '.join(sorted(required))}"
                            )
                        seen.add(nxt)
                        todo.append(nxt)

    # -- limits -------------------------------------------------------------------------------

    def limit(self, transition: EffectiveTransition, on: dt.date) -> Limit | None:
        """The time limit in force on ``on`` for the state ``transition`` leads to."""
        name = transition.spec.time_limit
        if name is None:
            return None
        return self.parameter(transition.domain, name, on)

    def parameter(self, domain: str, name: str, on: dt.date) -> Limit:
        """A time limit: parameter ``name`` of ``domain`` in force on ``on``, read through the
        rulebook (so a city layer's override applies) or, without one, from core's data."""
        p = self.parameter_in_force(domain, name, on)
        return _as_limit(domain, name, p.value, p.unit, p.status, p.basis)

    def parameter_value(self, domain: str, name: str, on: dt.date) -> Any:
        return self.parameter_in_force(domain, name, on).value

    def parameter_in_force(self, domain: str, name: str, on: dt.date) -> Any:
        """Parameter ``name`` of ``domain`` in force on ``on`` as the rulebook holds it (its
        value, unit, status and basis as written), a city layer's override applied."""
        if domain == CORE:
            return self._core_in_force(name, on)
        if self.rulebook is None:
            raise InvalidInput(
                "loop",
                name,
                _(f"没有可读取 {domain}.{name} 的规则库", f"no rulebook to read {domain}.{name}"),
            )
        return self.rulebook.parameter(domain, name, on)

    def _core_in_force(self, name: str, on: dt.date) -> ParameterInForce | Any:
        if self.rulebook is not None:  # the city layer applied
            return self.rulebook.parameter(CORE, name, on)
        params = {p.name: p for p in core_parameters()}
        if name not in params:
            raise InvalidInput(
                "onething/data",
                name,
                _(
                    f"没有这个核心参数；已有：{'、'.join(params)}",
                    f"no such core parameter; known: {', '.join(params)}",
                ),
            )
        v = version_on(params[name].values, on)
        if v is None:
            raise NotInForce(
                _(
                    f"参数 core.{name} 在 {on} 没有有效取值",
                    f"parameter core.{name} has no value in force on {on}",
                )
            )
        return _Value(v.value, params[name].unit, v.status, v.basis)

    # -- platform status -----------------------------------------------------------------------

    def platform_status(self, state: str, last_transition: str | None = None) -> dict[str, str]:
        """The status codes existing platforms use for a case in ``state``."""
        if last_transition in RETURN_TRANSITIONS:
            record = RETURNED
        else:
            record = RECORD_STATUS.get(state) or RECORD_STATUS_BY_STAGE[self.stage_of(state)]
        return {"record": record, "completion": DONE if self.terminal(state) else OPEN}

    @cached_property
    def status_map(self) -> list[dict[str, str]]:
        """Every state with its platform status codes (exported by ``onething loop states``)."""
        return [
            {
                "state": code,
                "domain": domain,
                "stage": s.stage,
                **self.platform_status(code),
            }
            for code, (s, domain) in self.states.items()
        ] + [
            {
                "state": f"(after {t})",
                "domain": CORE,
                "stage": "",
                "record": RETURNED,
                "completion": OPEN,
            }
            for t in sorted(RETURN_TRANSITIONS)
        ]

    def as_json(self) -> dict[str, Any]:
        """The effective loop as JSON (states, transitions, status map)."""
        return {
            "stages": LOOP_STAGES,
            "states": [{**converter.unstructure(s), "domain": d} for s, d in self.states.values()],
            "transitions": [
                {**converter.unstructure(t.spec), "domain": t.domain}
                for t in self.transitions.values()
            ],
            "initial_states": INITIAL_STATES,
            "status_map": self.status_map,
        }


def _check_effect(t: EffectiveTransition) -> None:
    """A transition handing the case to the evidence's department must ask for one."""
    if t.spec.effect != "owner_from_evidence":
        return
    schema = t.spec.evidence_schema or {}
    prop = schema.get("properties", {}).get("to_department")
    if "to_department" not in schema.get("required", ()) or not prop:
        raise PluginError(
            f"{t.domain!r} loop transition {t.code!r}: effect 'owner_from_evidence' needs an "
            f"evidence_schema that requires 'to_department'"
        )


@frozen
class _Value:
    value: Any
    unit: str
    status: str
    basis: tuple[Any, ...]


def _as_limit(
    domain: str, name: str, value: Any, unit: str, status: str, basis: Iterable[Any]
) -> Limit:
    factor = {"day": 1, "working_day": 1, "month": 30, "year": 365, "hour": 1 / 24}.get(unit)
    if factor is None or isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInput(
            domain,
            name,
            _(
                f"时限需要天数，得到 {value!r} {unit}",
                f"a time limit needs a number of days, got {value!r} {unit}",
            ),
        )
    return Limit(
        parameter=name,
        domain=domain,
        days=max(0, round(value * factor)),
        unit="working_day" if unit == "working_day" else "day",
        status=status,
        basis=tuple(basis),
    )


def due_at(
    start: dt.datetime, limit: Limit | None, calendar: Calendar
) -> tuple[dt.datetime | None, bool]:
    """When a step entered at ``start`` is due under ``limit`` (working days on ``calendar``),
    and whether that is provisional: a day of a year the calendar does not know was counted
    as Monday to Friday (see :mod:`onething.workdays`)."""
    if limit is None:
        return None, False
    if limit.unit == "working_day":
        return calendar.add_working_days(start, limit.days)
    return start + dt.timedelta(days=limit.days), False
