"""Errors raised at onething's boundaries. Each names where (file, row, key path) and what
was expected, so that a user can fix the input without reading code."""

from __future__ import annotations

import sys
from collections.abc import Iterable


class OnethingError(Exception):
    """Base of every error onething raises on purpose."""


class InvalidInput(OnethingError):
    """Input at a boundary (config, data file, import, event, CLI) is not what was expected.

    ``location`` is ``file``, ``file:row`` or similar; ``path`` the key path inside it.

    >>> str(InvalidInput("objects.csv:7", "uscc", "not 18 characters"))
    'objects.csv:7: uscc: not 18 characters'
    """

    def __init__(self, location: str, path: str, message: str):
        self.location = location
        self.path = path
        self.message = message
        where = f"{location}: {path}" if path else location
        super().__init__(f"{where}: {message}")

    # pickled whole: parallel imports raise it from worker processes
    def __reduce__(self) -> tuple[type[InvalidInput], tuple[str, str, str]]:
        return (type(self), (self.location, self.path, self.message))


class NotFound(InvalidInput):
    """What the input names is not there: no such case, record or object. An
    :class:`InvalidInput` (the command line says it the same way); the HTTP service answers
    404 instead of 422."""


class PluginError(OnethingError):
    """A plugin could not be enabled: unknown, incompatible, or its hooks or data are wrong."""


class NotInForce(OnethingError):
    """A rule or parameter was asked for on a day no version of it covers."""


def lost_a_race(exc: Exception) -> bool:
    """A write that lost to a concurrent one: a unique key taken meanwhile, or SQLite's write
    lock held longer than its timeout. (SQLAlchemy is imported only if it was loaded.)"""
    exc_mod = sys.modules.get("sqlalchemy.exc")
    if exc_mod is None:
        return False
    if isinstance(exc, exc_mod.IntegrityError):
        return any(m in str(exc) for m in ("UNIQUE constraint failed", "duplicate key value"))
    return isinstance(exc, exc_mod.OperationalError) and "database is locked" in str(exc)


def not_enabled(domain: str, enabled: Iterable[str]) -> str:
    """The one message for a domain the deployment does not enable."""
    from .i18n import _

    names = list(enabled)
    return _(
        f"领域 {domain!r} 未启用；已启用：{'、'.join(names) or '（无）'}",
        f"domain {domain!r} is not enabled; enabled: {', '.join(names) or '(none)'}",
    )
