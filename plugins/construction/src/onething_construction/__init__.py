"""onething domain plugin: 建设项目 (Construction projects).

The rules are data in ``data/``; see this plugin's README for sources and overrides. The only
Python is :class:`ConstructionDomain.onething_synth_attributes`, which draws coherent attributes
per object type: the default generator draws each attribute alone and would give a crane a floor
area, or a finished project a bare idle plot.

Objects: the participating units are businesses (施工总承包、分包、建设、监理单位); a project
(key: 投资项目代码), its site and the cranes erected there are objects of the kinds declared in
``data/domain.toml``, linked by ``located_at``, ``built_by``, ``works_at`` and ``erected_at``.
"""

from __future__ import annotations

import math
import random
from typing import Any

from onething import DataDomain

ONETHING_API = 1

#: Relative weights of a project's phase (synthetic realism only: most registered projects
#: are under construction; some finished ones are still in their warranty and filing checks).
_PHASES = {"under_construction": 70, "preparation": 10, "suspended": 5, "completed": 15}
#: Relative weights of crane types on a building site.
_CRANES = {"tower": 55, "hoist": 30, "material_hoist": 10, "gantry": 5}
#: Staff ranges of the participating units.
_STAFF = {
    "general_contractor": (40, 3000),
    "subcontractor": (8, 600),
    "developer": (5, 400),
    "supervisor": (8, 300),
}


def _pick(rng: random.Random, weights: dict[Any, float]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _log_uniform(rng: random.Random, low: float, high: float) -> float:
    return math.exp(rng.uniform(math.log(low), math.log(high)))


def _project(rng: random.Random) -> dict[str, Any]:
    """A project: its size on a log scale (a few small works below the permit limit, most
    between a few million and a few billion CNY), floor area and workers in proportion."""
    small = rng.random() < 0.05  # below 30 万元 or 300 m²: no permit needed
    investment = round(rng.uniform(5, 30) if small else _log_uniform(rng, 200, 300000), 1)
    area = round(rng.uniform(60, 300) if small else investment * rng.uniform(2.5, 6), 0)
    return {
        "phase": _pick(rng, _PHASES),
        "investment_wan": investment,
        "floor_area_m2": area,
        "contract_price_wan": round(investment * rng.uniform(0.55, 0.85), 1),
        "government_funded": rng.random() < 0.25,
        "urban_area": rng.random() < 0.6,
        "demolition": rng.random() < 0.1,
        "workers": max(3, int(area / rng.uniform(60, 160))),
    }


def _site(rng: random.Random) -> dict[str, Any]:
    return {"phase": _pick(rng, _PHASES), "urban_area": rng.random() < 0.6}


def _crane(rng: random.Random) -> dict[str, Any]:
    return {"crane_type": _pick(rng, _CRANES)}


def _unit(kind: str) -> Any:
    low, high = _STAFF[kind]
    return lambda rng: {"employees": int(_log_uniform(rng, low, high))}


_BY_TYPE = {
    "project": _project,
    "site": _site,
    "crane": _crane,
    **{kind: _unit(kind) for kind in _STAFF},
}


class ConstructionDomain(DataDomain):
    """The construction rules as data, plus realistic synthetic attributes by object type."""

    synth_by_type = _BY_TYPE


plugin = ConstructionDomain(__name__)
