"""Parameter-name templates: ``custody_ratio.{tier}`` names one parameter per attribute value."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


def placeholders(name: str) -> list[str]:
    """The attribute names a parameter name refers to."""
    return PLACEHOLDER.findall(name)


def fill(name: str, attributes: Mapping[str, Any]) -> str | None:
    """Fill the placeholders from ``attributes``; ``None`` if one of them is missing."""
    if any(attributes.get(a) is None for a in placeholders(name)):
        return None
    return PLACEHOLDER.sub(lambda m: str(attributes[m.group(1)]), name)


def matcher(name: str) -> re.Pattern[str]:
    """A pattern matching every parameter name the template can produce."""
    literals = PLACEHOLDER.split(name)[::2]  # split keeps the placeholders at odd indexes
    return re.compile("[A-Za-z0-9_]+".join(map(re.escape, literals)))
