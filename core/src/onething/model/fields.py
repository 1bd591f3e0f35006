"""Field helpers shared by the attrs models."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def as_tuple(values: Iterable[Any]) -> tuple[Any, ...]:
    """``tuple`` as an attrs converter that type checkers can read: with ``converter=tuple``
    mypy types the ``__init__`` argument as an unsolved ``Iterable[_T_co]`` and rejects every
    list passed to it."""
    return tuple(values)
