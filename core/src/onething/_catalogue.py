"""Load core's own TOML catalogues from ``onething/data``."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Any


@cache
def load(name: str) -> dict[str, Any]:
    return tomllib.loads(resources.files("onething").joinpath("data", name).read_text("utf-8"))
