"""Load core's own TOML catalogues from ``onething/data``."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Any


@cache
def load(name: str) -> dict[str, Any]:
    return tomllib.loads(resources.files("onething").joinpath("data", name).read_text("utf-8"))


def checked(name: str, definition: str) -> dict[str, Any]:
    """Catalogue ``name`` validated against ``plugin-data#/$defs/<definition>`` (the record of
    :mod:`onething.schemas.validated` spares parsing and validating it at every start)."""
    from . import schemas
    from .schemas import validated

    content = resources.files("onething").joinpath("data", name).read_bytes()
    return validated.checked(
        f"plugin-data#{definition}",
        "",
        content,
        lambda: schemas.check(
            load(name), "plugin-data", location=f"onething/data/{name}", definition=definition
        ),
    )
