"""China's working-day calendar (工作日): the statutory holidays and the weekend days made
working days (调休) that the State Council's notice on each year's holidays sets.

Years come from the maintained ``chinesecalendar`` package (from 2004 to the last year its
release knows), or from the deployment's ``[[calendar.year]]`` tables — for a year the package
does not know yet, or to correct it — each citing the notice. A day of a year neither knows is
counted on the weekend-only rule and said so: :meth:`Calendar.add_working_days` returns whether
the result is *provisional*, and every output that shows such a deadline marks it. Where a
guess will not do, :meth:`Calendar.require` raises instead.

Days are local (Asia/Shanghai): a time limit of working days counts the days after the day the
clock starts, at the same local time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import cache
from zoneinfo import ZoneInfo

from attrs import field, frozen

from .errors import InvalidInput
from .i18n import _

LOCAL_ZONE = ZoneInfo("Asia/Shanghai")


@frozen
class CalendarYear:
    """One year's schedule from the State Council's notice: its holidays (rest days on
    weekdays included) and the weekend days that are working days."""

    year: int
    holidays: frozenset[dt.date] = field(converter=frozenset)
    workdays: frozenset[dt.date] = field(converter=frozenset)
    source: str


@cache
def _package_years() -> range:
    """The years the installed ``chinesecalendar`` knows."""
    from chinese_calendar import constants

    years = {d.year for d in constants.holidays} | {d.year for d in constants.workdays}
    return range(min(years), max(years) + 1)


class Calendar:
    """Working days: the package's years, overridden or extended by the deployment's."""

    def __init__(self, years: Iterable[CalendarYear] = ()):
        self.years = {y.year: y for y in years}

    def known(self, day: dt.date) -> bool:
        return day.year in self.years or day.year in _package_years()

    @property
    def last_known_year(self) -> int:
        return max([*self.years, _package_years()[-1]])

    def is_working_day(self, day: dt.date) -> bool:
        """On a day of an unknown year: Monday to Friday (check :meth:`known`)."""
        year = self.years.get(day.year)
        if year is not None:
            if day in year.workdays:
                return True
            return day.weekday() < 5 and day not in year.holidays
        if day.year in _package_years():
            import chinese_calendar

            return chinese_calendar.is_workday(day)
        return day.weekday() < 5

    def require(self, day: dt.date) -> None:
        """Raise unless ``day``'s year is known."""
        if not self.known(day):
            raise InvalidInput(
                "calendar",
                str(day.year),
                _(
                    f"{day.year} 年的节假日安排未知（已知至 {self.last_known_year} 年）：请在部署"
                    f"配置中按国务院办公厅通知添加 [[calendar.year]] year = {day.year}，或升级 "
                    "chinesecalendar",
                    f"the holidays of {day.year} are not known (known up to "
                    f"{self.last_known_year}): add [[calendar.year]] year = {day.year} from the "
                    "State Council's notice to the deployment config, or upgrade chinesecalendar",
                ),
            )

    def add_working_days(self, start: dt.datetime, days: int) -> tuple[dt.datetime, bool]:
        """``start`` plus ``days`` working days, and whether any day counted lies in an unknown
        year (the result is then provisional: weekend-only rule)."""
        local = start.astimezone(LOCAL_ZONE)
        day, provisional = local.date(), False
        while days > 0:
            day += dt.timedelta(days=1)
            provisional = provisional or not self.known(day)
            if self.is_working_day(day):
                days -= 1
        end = dt.datetime.combine(day, local.timetz()).astimezone(start.tzinfo)
        return end, provisional


def calendar_years(data: list[dict], location: str) -> tuple[CalendarYear, ...]:
    """``[[calendar.year]]`` tables of a config, checked: every date in its year, no date both
    a holiday and a working day, a working day given only for a weekend day."""
    out = []
    for i, raw in enumerate(data):
        where = f"calendar.year[{i}]"
        year = raw["year"]
        holidays = {dt.date.fromisoformat(str(d)) for d in raw.get("holidays", [])}
        workdays = {dt.date.fromisoformat(str(d)) for d in raw.get("workdays", [])}
        for key, days in (("holidays", holidays), ("workdays", workdays)):
            for d in sorted(days):
                if d.year != year:
                    raise InvalidInput(
                        location,
                        f"{where}.{key}",
                        _(f"{d} 不在 {year} 年", f"{d} is not in {year}"),
                    )
        if both := sorted(holidays & workdays):
            raise InvalidInput(
                location,
                f"{where}",
                _(
                    f"{both[0]} 既是节假日又是工作日",
                    f"{both[0]} is both a holiday and a working day",
                ),
            )
        if weekdays := sorted(d for d in workdays if d.weekday() < 5):
            raise InvalidInput(
                location,
                f"{where}.workdays",
                _(
                    f"{weekdays[0]} 是周一至周五，本就是工作日：workdays 只列调休上班的周末",
                    f"{weekdays[0]} is a weekday, a working day anyway: workdays lists only "
                    "weekend days made working days",
                ),
            )
        out.append(CalendarYear(year, holidays, workdays, raw["source"]))
    return tuple(out)
