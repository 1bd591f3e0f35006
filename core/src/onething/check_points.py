"""The shared catalogue of canonical check points (共享监管要素目录)."""

from __future__ import annotations

from functools import cache

from attrs import frozen

from .core_data import load


@frozen
class CanonicalElement:
    code: str
    label_zh: str
    label_en: str
    dimension: str


@cache
def catalogue() -> dict[str, CanonicalElement]:
    """Every canonical check point by code (``onething/data/canonical.toml``)."""
    return {c["code"]: CanonicalElement(**c) for c in load("canonical.toml")["canonical"]}
