"""Times in the loop: stored in UTC (SQLite keeps no zone), read back zone-aware."""

from __future__ import annotations

import datetime as dt
from typing import overload

from ..errors import InvalidInput
from ..i18n import _


def as_utc(at: dt.datetime | None) -> dt.datetime:
    """``at`` (default now) in UTC; a time without a zone is refused, never guessed."""
    at = at or dt.datetime.now(dt.UTC)
    if at.tzinfo is None:
        raise InvalidInput("loop", "at", _("时间须带时区", "a time must carry its time zone"))
    return at.astimezone(dt.UTC)


@overload
def aware(t: dt.datetime) -> dt.datetime: ...
@overload
def aware(t: dt.datetime | None) -> dt.datetime | None: ...
def aware(t: dt.datetime | None) -> dt.datetime | None:
    """A stored time, zone-aware: SQLite hands back naive datetimes, stored in UTC."""
    if t is not None and t.tzinfo is None:
        return t.replace(tzinfo=dt.UTC)
    return t


def utc_iso(t: dt.datetime | None) -> str | None:
    """A time as the audit log records it: ISO 8601 in UTC (a stored naive time is UTC)."""
    t = aware(t)
    return t.astimezone(dt.UTC).isoformat() if t is not None else None
