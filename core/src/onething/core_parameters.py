"""Core's own parameters (domain code ``core``): rules that belong to no single domain, such
as the yearly cap on inspections per enterprise. Same file format and schema as a plugin's
``parameters.toml``; the city layer overrides them with ``domain = "core"``."""

from __future__ import annotations

from functools import cache
from importlib import metadata

from . import schemas
from ._catalogue import load
from .model import Parameter, converter

CORE = "core"
SOURCE = "onething/data/parameters.toml"


@cache
def core_parameters() -> tuple[Parameter, ...]:
    data = schemas.check(
        load("parameters.toml"), "plugin-data", location=SOURCE, definition="parameters_file"
    )
    return tuple(
        converter.structure({**p, "domain": CORE, "source": f"{SOURCE}#parameter[{i}]"}, Parameter)
        for i, p in enumerate(data.get("parameter", []))
    )


def core_version() -> str:
    return metadata.version("onething")
