"""onething domain plugin: 餐饮服务 (Catering services).

The rules are data in ``data/``; see this plugin's README for sources and overrides. The only
Python is :class:`CateringDomain.onething_synth_attributes`, which draws realistic attributes per
object type (the default generator would give a restaurant a canteen kind and a small eatery
800 m²).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from onething import DataDomain, hookimpl
from onething.model import SupervisedObject

ONETHING_API = 1

#: The canteen kind an object's other domain implies: an elderly-care home's canteen is an
#: elderly-care canteen, a construction project's is a site canteen, and so on.
HOST_CANTEEN_KIND: dict[str, str] = {
    "elderly_care": "elderly_care",
    "construction": "construction_site",
    "training": "school",
    "medical": "hospital",
    "hazchem": "enterprise",
}

#: Canteen hosts at large (no host domain known), with relative weights.
_CANTEEN_KINDS = {
    "school": 35,
    "kindergarten": 15,
    "enterprise": 25,
    "government": 10,
    "hospital": 5,
    "elderly_care": 5,
    "construction_site": 5,
}
#: Canteens serving special groups; synthetic data grades them D (research notes [S]).
_SPECIAL_GROUPS = {"school", "kindergarten", "elderly_care", "hospital", "construction_site"}


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _restaurant(rng: random.Random) -> dict[str, Any]:
    area = round(rng.uniform(50, 1500), 1)
    return {
        "area_m2": area,
        "seats": int(area / rng.uniform(2.0, 3.5)),
        "gas_supply": _pick(rng, {"pipeline": 60, "bottled_lpg": 30, "none": 10}),
        "emits_cooking_fumes": rng.random() < 0.9,
        "online_ordering": rng.random() < 0.6,
        "chain": rng.random() < 0.2,
        "banquet_service": rng.random() < 0.15,
        "food_risk_grade": _pick(rng, {"A": 30, "B": 45, "C": 20, "D": 5}),
    }


def _small_eatery(rng: random.Random) -> dict[str, Any]:
    return {
        "area_m2": round(rng.uniform(8, 49.9), 1),
        "seats": rng.randint(0, 30),
        "gas_supply": _pick(rng, {"pipeline": 40, "bottled_lpg": 45, "none": 15}),
        "emits_cooking_fumes": rng.random() < 0.8,
        "online_ordering": rng.random() < 0.5,
        "chain": rng.random() < 0.05,
        "food_risk_grade": _pick(rng, {"A": 30, "B": 50, "C": 20}),
    }


def _canteen(rng: random.Random, host_domains: set[str]) -> dict[str, Any]:
    hosted = sorted(HOST_CANTEEN_KIND[d] for d in host_domains if d in HOST_CANTEEN_KIND)
    kind = hosted[0] if hosted else _pick(rng, _CANTEEN_KINDS)
    area = round(rng.uniform(80, 800), 1)
    return {
        "area_m2": area,
        "seats": int(area / rng.uniform(1.5, 2.5)),
        "canteen_kind": kind,
        "gas_supply": _pick(rng, {"pipeline": 70, "bottled_lpg": 20, "none": 10}),
        "emits_cooking_fumes": rng.random() < 0.95,
        "food_risk_grade": "D" if kind in _SPECIAL_GROUPS else _pick(rng, {"B": 60, "C": 40}),
    }


def _central_kitchen(rng: random.Random) -> dict[str, Any]:
    return {
        "area_m2": round(rng.uniform(300, 3000), 1),
        "seats": 0,
        "supply_mode": _pick(rng, {"central_kitchen": 50, "group_meal_distributor": 50}),
        "gas_supply": _pick(rng, {"pipeline": 80, "bottled_lpg": 10, "none": 10}),
        "emits_cooking_fumes": True,
        "online_ordering": rng.random() < 0.3,
        "chain": rng.random() < 0.5,
        "food_risk_grade": "D",
    }


class CateringDomain(DataDomain):
    """The catering rules as data, plus realistic synthetic attributes."""

    @hookimpl
    def onething_synth_attributes(
        self, objects: Sequence[SupervisedObject], seed: int
    ) -> Sequence[dict[str, Any]]:
        """One attribute dict per object, by its catering object types and other domains.

        Each object's attributes depend only on ``seed`` and the object's key, types and
        domains, so the same object gets the same attributes in any batch.
        """
        out = []
        for obj in objects:
            member = obj.domains.get(self.code)
            types = list(member.object_types) if member else []
            rng = random.Random(f"{self.code}:{seed}:{obj.key}")
            hosts = set(obj.domains) - {self.code}
            if "central_kitchen" in types:
                attrs = _central_kitchen(rng)
            elif "canteen" in types:
                attrs = _canteen(rng, hosts)
            elif "small_eatery" in types:
                attrs = _small_eatery(rng)
            else:
                attrs = _restaurant(rng)
            out.append(attrs)
        return out


plugin = CateringDomain(__name__)
