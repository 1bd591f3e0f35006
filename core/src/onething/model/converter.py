"""The one cattrs converter for models crossing a boundary (JSON, TOML, YAML, hooks).

Dates unstructure to ISO strings and structure from strings or ``date`` (TOML gives dates).
Create your own with :func:`make_converter`; never register hooks globally.
"""

from __future__ import annotations

import datetime as dt

import cattrs

from .parameter import Scalar


def _structure_date(value: object, _: type) -> dt.date:
    if isinstance(value, dt.datetime):
        raise ValueError(f"expected a date (YYYY-MM-DD), got a date-time {value!r}")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return dt.date.fromisoformat(value)
    raise ValueError(f"expected a date (YYYY-MM-DD), got {value!r}")


def _structure_scalar(value: object, _: type) -> Scalar:
    if isinstance(value, bool | int | float | str):
        return value
    raise ValueError(f"expected a number, text or true/false, got {value!r}")


def make_converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=True)
    conv.register_structure_hook(dt.date, _structure_date)
    conv.register_unstructure_hook(dt.date, lambda d: d.isoformat())
    conv.register_structure_hook(Scalar, _structure_scalar)
    return conv


converter = make_converter()
"""The converter core uses; models are plain attrs classes, so hosts may build their own."""
