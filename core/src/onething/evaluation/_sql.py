"""The one dialect difference the evaluation needs: the elements of a stored JSON array as
rows (SQLite ``json_each``, PostgreSQL ``jsonb_array_elements_text``), so departments and
check points are counted in the database, not in Python."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from ..store import Store

#: Evaluation days are the pilot's local days.
ZONE = ZoneInfo("Asia/Shanghai")


def json_elements(store: Store, column: sa.ColumnElement, name: str) -> sa.TableValuedAlias:
    """A table-valued function over the JSON array in ``column``, one row per element, whose
    text is column ``value`` (correlated: put it in the FROM list after the column's table)."""
    if store.dialect == "postgresql":
        fn = sa.func.jsonb_array_elements_text(column)
    else:
        fn = sa.func.json_each(column)
    return fn.table_valued("value", joins_implicitly=True).alias(name)


def day_start(day: dt.date) -> dt.datetime:
    """The start of a local day, in UTC (how the store keeps times)."""
    return dt.datetime.combine(day, dt.time(), ZONE).astimezone(dt.UTC)


def window(column: sa.ColumnElement, start: dt.date | None, end: dt.date) -> sa.ColumnElement:
    """``column`` (a stored time) on a local day from ``start`` to ``end``, both inclusive."""
    upper = column < day_start(end + dt.timedelta(days=1))
    if start is None:
        return upper
    return sa.and_(column >= day_start(start), upper)


def today() -> dt.date:
    return dt.datetime.now(ZONE).date()
