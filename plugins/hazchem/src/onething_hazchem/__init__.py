"""onething domain plugin: 危化品安全 (Hazardous chemicals safety).

The rules are data in ``data/``; see this plugin's README for sources and overrides. The only
Python is :class:`HazchemDomain.onething_synth_attributes`, which draws coherent attributes per
object type: the default generator draws each attribute alone and would give a trader without a
store a major hazard source, or a producer a use licence (条例 第二十九条 concerns users).

Major hazard sources and storage facilities are installation objects related to their
enterprise (``installed_at``); the enterprise keeps their count (and the highest grade) as
attributes, which ``registry synth`` reads to draw that many installations (``synth_related``).
"""

from __future__ import annotations

import random
from typing import Any

from onething import DataDomain

ONETHING_API = 1

#: Relative weights of the highest grade of an enterprise's major hazard sources (1 一级 …
#: 4 四级). Synthetic realism only: most identified sources are of the lower grades.
_TOP_LEVEL = {1: 8, 2: 17, 3: 35, 4: 40}


def _pick(rng: random.Random, weights: dict[Any, float]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _sources(rng: random.Random, share: float, most: int) -> dict[str, Any]:
    """Major hazard sources: none, or a count with its highest grade (GB 18218-2018 Σq/Q ≥ 1)."""
    if rng.random() >= share:
        return {"major_hazard_sources": 0}
    return {
        "major_hazard_sources": rng.randint(1, most),
        "major_hazard_top_level": _pick(rng, _TOP_LEVEL),
    }


def _stores(rng: random.Random, storage: bool) -> dict[str, Any]:
    """How many storage facilities: none without storage, else one to three (synthetic)."""
    return {"storage_facilities": rng.randint(1, 3) if storage else 0}


def _producer(rng: random.Random) -> dict[str, Any]:
    return {
        "has_storage": True,  # producers store raw materials and products on site
        "handles_toxic": rng.random() < 0.1,
        "handles_precursor": rng.random() < 0.3,
        "use_licence_required": False,  # producers hold a production licence instead
        "hazardous_process": rng.random() < 0.55,
        **_sources(rng, 0.6, 6),
        "has_pressure_equipment": rng.random() < 0.9,
        "own_dg_vehicles": rng.random() < 0.3,
        "sells_online": rng.random() < 0.1,
        "employees": rng.randint(30, 2500),
        **_stores(rng, True),
    }


def _trader(rng: random.Random) -> dict[str, Any]:
    storage = rng.random() < 0.3  # 仓储经营; most traders trade on paper (无仓储)
    return {
        "has_storage": storage,
        "handles_toxic": rng.random() < 0.08,
        "handles_precursor": rng.random() < 0.35,
        "use_licence_required": False,
        "hazardous_process": False,
        **(_sources(rng, 0.35, 3) if storage else {"major_hazard_sources": 0}),
        "has_pressure_equipment": storage and rng.random() < 0.6,
        "own_dg_vehicles": rng.random() < 0.2,
        "sells_online": rng.random() < 0.25,
        "employees": rng.randint(3, 150),
        **_stores(rng, storage),
    }


def _user(rng: random.Random) -> dict[str, Any]:
    licensed = rng.random() < 0.4  # uses enough to need a use licence (条例 第二十九条)
    storage = rng.random() < 0.85
    return {
        "has_storage": storage,
        "handles_toxic": rng.random() < 0.05,
        "handles_precursor": rng.random() < 0.2,
        "use_licence_required": licensed,
        "hazardous_process": licensed and rng.random() < 0.4,
        **_sources(rng, 0.35 if licensed else 0.05, 3),
        "has_pressure_equipment": rng.random() < 0.7,
        "own_dg_vehicles": rng.random() < 0.1,
        "sells_online": False,
        "employees": rng.randint(20, 1200),
        **_stores(rng, storage),
    }


def _major_hazard_source(rng: random.Random) -> dict[str, Any]:
    # the grade drawn alone, not bounded by the enterprise's highest: synthetic
    return {"hazard_level": _pick(rng, _TOP_LEVEL)}


def _storage_facility(rng: random.Random) -> dict[str, Any]:
    return {"storage_form": _pick(rng, _STORAGE_FORM)}


#: Relative weights of a storage facility's form (synthetic realism only).
_STORAGE_FORM = {"warehouse": 5, "tank_farm": 3, "yard": 1, "store_room": 2}

_BY_TYPE = {
    "producer": _producer,
    "trader": _trader,
    "user": _user,
    "major_hazard_source": _major_hazard_source,
    "storage_facility": _storage_facility,
}


class HazchemDomain(DataDomain):
    """The hazchem rules as data, plus realistic synthetic attributes by object type."""

    synth_by_type = _BY_TYPE


plugin = HazchemDomain(__name__)
