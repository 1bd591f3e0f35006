"""Cycle names and their windows: ``2026`` (year), ``2026H1``/``H2``, ``2026Q1``–``Q4``,
``2026-03`` (month)."""

from __future__ import annotations

import calendar
import datetime as dt
import re

from ..errors import InvalidInput

_FORMS = re.compile(r"^([1-9][0-9]{3})(?:(H[12])|(Q[1-4])|-(0[1-9]|1[0-2]))?$")  # no year 0


def cycle_window(cycle: str) -> tuple[dt.date, dt.date]:
    """First and last day of a cycle.

    :raises InvalidInput: for a name of no known form."""
    m = _FORMS.match(cycle)
    if not m:
        raise InvalidInput(
            "--cycle", "", f"{cycle!r} is not a cycle; expected 2026, 2026H1, 2026Q1 or 2026-03"
        )
    year = int(m.group(1))
    if m.group(2):
        first = 1 if m.group(2) == "H1" else 7
        last = first + 5
    elif m.group(3):
        first = 3 * int(m.group(3)[1]) - 2
        last = first + 2
    elif m.group(4):
        first = last = int(m.group(4))
    else:
        first, last = 1, 12
    return dt.date(year, first, 1), dt.date(year, last, calendar.monthrange(year, last)[1])
