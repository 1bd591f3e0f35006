"""Provenance: which plugin, which version, which rule and which article said so."""

from __future__ import annotations

from typing import Literal

from attrs import field, frozen

from .basis import Basis
from .fields import as_tuple

#: ``plugin``: contributed by a domain plugin; ``extension``: added by the deployment's city
#: layer (add only); ``override``: an existing value changed by the city layer.
Layer = Literal["plugin", "extension", "override"]


@frozen
class Provenance:
    plugin: str
    """Name the plugin was enabled under (its entry-point name), or ``config`` for the city layer."""
    plugin_version: str
    rule_id: str
    """The item code, element code, parameter name or rule id."""
    basis: tuple[Basis, ...] = field(factory=tuple, converter=as_tuple)
    layer: Layer = "plugin"
    source: str | None = None
    """File (and key) the rule was read from."""
    reason: str | None = None
    """Why the city layer added or changed it."""
