"""The core closed loop as data (``onething/data/loop.toml``) and its extension by plugins."""

from __future__ import annotations

from functools import cache

from . import schemas
from ._catalogue import load
from .model import LoopState, converter


@cache
def core_states() -> dict[str, LoopState]:
    """The states every deployment's loop has, by code."""
    data = schemas.check(
        load("loop.toml"), "plugin-data", location="onething/data/loop.toml", definition="loop_file"
    )
    return {s["code"]: converter.structure(s, LoopState) for s in data["state"]}
