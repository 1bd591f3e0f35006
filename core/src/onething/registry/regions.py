"""行政区划代码 (GB/T 2260): names, levels and containment of region codes.

The codes are data (``registry/data/regions.toml``, with its source and date in the header).
A region code is checked in two steps: its shape (six digits) and, for provinces the data
covers, that it is a code in use; a retired code is reported with the code that replaced it.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources

from attrs import frozen

from ..i18n import _


@frozen
class Region:
    code: str
    name: str
    level: str
    """province | city | county"""
    parent: str | None


@frozen
class Retired:
    code: str
    name: str
    year: int
    replaced_by: str


def level_of(code: str) -> str:
    """The level a six-digit code's shape says (``370000`` province, ``371500`` city, else county)."""
    return "province" if code.endswith("0000") else "city" if code.endswith("00") else "county"


def _parent(code: str) -> str | None:
    level = level_of(code)
    if level == "province":
        return None
    if level == "city":
        return code[:2] + "0000"
    return code[:4] + "00"


@cache
def _data() -> tuple[dict[str, Region], dict[str, Retired]]:
    text = resources.files(__package__).joinpath("data/regions.toml").read_text("utf-8")
    raw = tomllib.loads(text)
    regions: dict[str, Region] = {}
    for level in ("province", "city"):
        for r in raw[level]:
            regions[r["code"]] = Region(r["code"], r["name"], level, _parent(r["code"]))
    for code, name in raw["county"].items():
        regions[code] = Region(code, name, "county", _parent(code))
    retired = {r["code"]: Retired(**r) for r in raw.get("retired", [])}
    return regions, retired


def regions() -> dict[str, Region]:
    """Every code in use the data holds."""
    return _data()[0]


def region(code: str) -> Region | None:
    return regions().get(code)


def name(code: str) -> str:
    """Display name (e.g. ``聊城市东昌府区``); unknown codes are shown as they are."""
    r = region(code)
    if r is None:
        return code
    if r.level == "county" and r.parent in regions():
        return regions()[r.parent].name + r.name
    return r.name


def covered(code: str) -> bool:
    """Whether the data lists the province of ``code`` (only then is membership checked)."""
    return code[:2] + "0000" in regions()


def code_range(code: str) -> tuple[str, str]:
    """The lowest and highest six-digit code inside region ``code``: a range an index on a
    region-code column serves (``LIKE`` would scan)."""
    prefix = code[: {"province": 2, "city": 4, "county": 6}[level_of(code)]]
    return prefix.ljust(6, "0"), prefix.ljust(6, "9")


def contains(outer: str, inner: str) -> bool:
    """Whether region ``inner`` lies in ``outer`` (a region contains itself)."""
    level = level_of(outer)
    n = {"province": 2, "city": 4, "county": 6}[level]
    return inner[:n] == outer[:n]


def counties(of: str) -> list[Region]:
    """County-level divisions in ``of`` (or ``of`` itself when it is a county), in code order."""
    return sorted(
        (r for r in regions().values() if r.level == "county" and contains(of, r.code)),
        key=lambda r: r.code,
    )


def problem(code: str, within: str | None = None) -> str | None:
    """Why ``code`` is not an acceptable region code (inside ``within``), or ``None``."""
    if len(code) != 6 or not code.isdigit():
        return _(
            f"{code!r} 不是 6 位 GB/T 2260 行政区划代码",
            f"{code!r} is not a 6-digit GB/T 2260 region code",
        )
    if within is not None and not contains(within, code):
        return _(
            f"行政区划 {code} 不在本部署的区域 {within}（{name(within)}）内",
            f"region {code} lies outside the deployment's region {within} ({name(within)})",
        )
    if covered(code) and code not in regions():
        old = _data()[1].get(code)
        if old is not None:
            return _(
                f"行政区划 {code}（{old.name}）已于 {old.year} 年撤销；"
                f"请用 {old.replaced_by}（{name(old.replaced_by)}）",
                f"region {code} ({old.name}) was retired in {old.year}; "
                f"use {old.replaced_by} ({name(old.replaced_by)})",
            )
        return _(
            f"行政区划 {code} 不是现行的 GB/T 2260 代码",
            f"region {code} is not a GB/T 2260 code in use",
        )
    return None
