"""公示时限与公示期 (publication deadlines and display periods), as dated parameters.

A rule's ``within`` names the parameter of its deadline (days after the decision, working days
where the rule says so), its ``period`` the parameter of how long the record stays up, from the
day it is published (市场监督管理行政处罚信息公示规定 第十三条: 自公示之日起). A period depends on
the severity of the conduct where the rules say so: a parameter ``<period>.<class>`` (``general``
or ``serious``) is read before ``<period>``, the way ``sampling_ratio.<grade>`` is. A rule with
no ``within`` has core's ``publication.within`` (政府信息公开条例 第二十六条); a penalty or
sanction rule with no ``period`` has core's ``publication.period.<class>`` (信用修复管理办法);
any other record without a period stays up until it is superseded or withdrawn.

Working days come from :class:`onething.workdays.Calendar`; a deadline that would count a day of
a year the calendar does not know raises (:meth:`~onething.workdays.Calendar.require`): a
publication deadline is never a weekday guess.
"""

from __future__ import annotations

import calendar as _cal
import datetime as dt

from attrs import frozen

from ..core_parameters import CORE
from ..errors import NotInForce
from ..rulebook import ParameterInForce, Rulebook
from ..workdays import Calendar

#: Loop severities (``decide_penalty`` evidence) → the class the credit rules distinguish.
SEVERITY_CLASS = {
    "general": "general",
    "serious": "serious",
    "severe": "serious",
    "major_hazard": "serious",
}
DEFAULT_WITHIN = "publication.within"
DEFAULT_PERIOD = "publication.period"
REPAIR_AFTER = "publication.repair_after"

#: Penalty kinds (``decide_penalty`` evidence ``penalty_kind``) whose publication credit repair
#: never takes down early: a warning, reprimand or low fine (shown three months anyway,
#: 市场监督管理信用修复管理办法 第六条) and the heavier penalties of 市场监督管理行政处罚信息公示规定
#: 第十四条第三款.
NOT_REPAIRABLE = frozenset(
    {
        "warning",
        "reprimand",
        "low_fine",
        "suspension",
        "business_restriction",
        "employment_ban",
        "qualification_downgrade",
        "licence_revoked",
        "business_licence_revoked",
    }
)


def severity_class(severity: str | None) -> str:
    return SEVERITY_CLASS.get(severity or "general", "general")


def add_months(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return dt.date(year, month, min(day.day, _cal.monthrange(year, month)[1]))


def add_period(day: dt.date, value: float, unit: str, calendar: Calendar) -> dt.date:
    """``day`` plus ``value`` ``unit`` (working days counted after ``day``)."""
    n = int(value)
    if unit == "working_day":
        calendar.require(day)
        while n > 0:
            day += dt.timedelta(days=1)
            calendar.require(day)
            if calendar.is_working_day(day):
                n -= 1
        return day
    if unit == "day":
        return day + dt.timedelta(days=n)
    if unit == "month":
        return add_months(day, n)
    if unit == "year":
        return add_months(day, 12 * n)
    raise ValueError(f"a publication period in {unit!r}: expected working_day, day, month or year")


@frozen
class Dated:
    """A date computed from a parameter, and the parameter (value, basis, status, layer)."""

    on: dt.date
    parameter: ParameterInForce

    def as_json(self) -> dict:
        p = self.parameter
        return {
            "on": self.on.isoformat(),
            "parameter": f"{p.domain}.{p.name}",
            "value": p.value,
            "unit": p.unit,
            "status": p.status,
            "layer": p.provenance.layer,
            "basis": [
                {k: v for k, v in (("law", b.law), ("article", b.article), ("revision", b.revision))
                 if v}
                for b in p.basis
            ],
        }  # fmt: skip


def _lookup(rulebook: Rulebook, domain: str, names: list[str], on: dt.date) -> ParameterInForce:
    known = {n for d, n in rulebook.parameter_names(domain) if d == domain}
    for name in names:
        if name in known:
            return rulebook.parameter(domain, name, on)
    return rulebook.parameter(domain, names[-1], on)  # raises naming the parameter


def deadline(
    rulebook: Rulebook, calendar: Calendar, domain: str, within: str | None, decided: dt.date
) -> Dated:
    """The last day to publish a record decided on ``decided``."""
    if within is None:
        p = rulebook.parameter(CORE, DEFAULT_WITHIN, decided)
    else:
        p = _lookup(rulebook, domain, [within], decided)
    return Dated(add_period(decided, p.value, p.unit, calendar), p)


def display_end(
    rulebook: Rulebook,
    calendar: Calendar,
    domain: str,
    period: str | None,
    record: str,
    severity: str | None,
    start: dt.date,
) -> Dated | None:
    """The first day a record published on ``start`` is no longer shown (exclusive), or
    ``None`` when no period applies."""
    cls = severity_class(severity)
    if period is not None:
        p = _lookup(rulebook, domain, [f"{period}.{cls}", period], start)
    elif record in ("penalty", "sanction"):
        p = rulebook.parameter(CORE, f"{DEFAULT_PERIOD}.{cls}", start)
    else:
        return None
    return Dated(add_period(start, p.value, p.unit, calendar), p)


def repair_from(
    rulebook: Rulebook,
    calendar: Calendar,
    domain: str,
    penalty_kind: str | None,
    published: dt.date,
    severity: str | None = None,
) -> Dated | None:
    """The first day a penalty published on ``published`` may come down on credit repair, or
    ``None`` when its kind is never taken down early (:data:`NOT_REPAIRABLE`).

    The first parameter in force of: the domain's ``publication.repair_after.<class>`` and
    ``publication.repair_after``, core's ``publication.repair_after.<class>`` (信用修复管理办法
    2025 第十二条, from 2026-04-01) and ``publication.repair_after`` (市场监督管理信用修复管理办法
    第六条)."""
    if penalty_kind in NOT_REPAIRABLE:
        return None
    cls = severity_class(severity)
    names = [f"{REPAIR_AFTER}.{cls}", REPAIR_AFTER]
    for owner in (domain, CORE):
        known = {n for d, n in rulebook.parameter_names(owner) if d == owner}
        for name in names:
            if name not in known:
                continue
            try:
                p = rulebook.parameter(owner, name, published)
            except NotInForce:
                continue
            return Dated(add_period(published, p.value, p.unit, calendar), p)
    p = rulebook.parameter(CORE, REPAIR_AFTER, published)  # raises naming the parameter
    return Dated(add_period(published, p.value, p.unit, calendar), p)
