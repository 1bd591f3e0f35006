"""Imports every table module so that ``SQLModel.metadata`` knows the whole schema.

An engine adding tables adds its module here and a migration under ``migrations/versions``
whose ``down_revision`` is the current single head (``onething db history``; a test checks
there is exactly one).
"""

from . import (
    exchange,  # noqa: F401
    items,  # noqa: F401
    loop,  # noqa: F401
    outbox,  # noqa: F401
    planning,  # noqa: F401
    publication,  # noqa: F401
    records,  # noqa: F401
    registry,  # noqa: F401
    risk,  # noqa: F401
)
