"""Imports every table module so that ``SQLModel.metadata`` knows the whole schema.

An engine adding tables adds its module here and a migration under ``migrations/versions``
branching from ``0001`` (the store upgrades to all heads).
"""

from . import items  # noqa: F401
from . import loop  # noqa: F401
from . import planning  # noqa: F401
from . import records  # noqa: F401
from . import registry  # noqa: F401
from . import risk  # noqa: F401
