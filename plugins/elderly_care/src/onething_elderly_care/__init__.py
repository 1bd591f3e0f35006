"""onething domain plugin: 养老服务 (Elderly care services).

The rules are data in ``data/``; see this plugin's README for sources and overrides. The only
code is the synthetic-attribute generator: the default one draws every attribute on its own,
which gives care homes with more residents than beds or oxygen pipelines without a clinic.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from onething import DataDomain, hookimpl
from onething.model import SupervisedObject

ONETHING_API = 1

#: Relative frequency of each kind of ownership (举办性质) by object type. Synthetic realism
#: only: most community centres are government facilities run by a contractor (公建民营,
#: 山东省养老服务条例 第十六条), most institutions are private.
_OWNERSHIP = {
    "care_home": {
        "public": 0.25,
        "public_private": 0.15,
        "private_nonprofit": 0.35,
        "private_forprofit": 0.25,
    },
    "community_centre": {
        "public": 0.3,
        "public_private": 0.45,
        "private_nonprofit": 0.15,
        "private_forprofit": 0.1,
    },
}
#: Bed bands of institutions (养老机构 have 10 beds or more, 养老机构管理办法 第二条) and weights.
_CARE_HOME_BEDS = (((10, 49), 0.35), ((50, 99), 0.3), ((100, 299), 0.28), ((300, 600), 0.07))
_PRIVATE = ("private_nonprofit", "private_forprofit")


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _care_home(rng: random.Random, in_medical: bool = False) -> dict[str, Any]:
    ownership = _pick(rng, _OWNERSHIP["care_home"])
    bands, weights = zip(*_CARE_HOME_BEDS, strict=True)
    low, high = rng.choices(bands, weights=weights)[0]
    beds = rng.randint(low, high)
    has_canteen = rng.random() < 0.92
    has_clinic = rng.random() < (0.15 if beds < 50 else 0.45 if beds < 100 else 0.75)
    has_clinic = has_clinic or in_medical  # its clinic is the medical registry's object
    charges_prepaid = rng.random() < (0.45 if ownership in _PRIVATE else 0.2)
    return {
        "ownership": ownership,
        "beds": beds,
        "residents": int(beds * rng.uniform(0.35, 0.95)),
        "has_clinic": has_clinic,
        "has_canteen": has_canteen,
        "has_gas_kitchen": has_canteen and rng.random() < 0.6,
        "has_lift": rng.random() < (0.85 if beds >= 50 else 0.3),
        "has_boiler": rng.random() < 0.15,
        "has_oxygen_pipeline": has_clinic and beds >= 100 and rng.random() < 0.4,
        "charges_prepaid": charges_prepaid,
        "charges_deposit": charges_prepaid and rng.random() < 0.8,
        # Public and publicly-owned homes may not charge membership fees (预收费管理办法, [S]).
        "charges_membership_fee": charges_prepaid and ownership in _PRIVATE and rng.random() < 0.12,
    }


def _community_centre(rng: random.Random, in_medical: bool = False) -> dict[str, Any]:
    beds = rng.choice((0, 0, 0, 0, *range(1, 10)))  # day care, some short-stay beds
    has_canteen = rng.random() < 0.55  # 助餐点
    return {
        "ownership": _pick(rng, _OWNERSHIP["community_centre"]),
        "beds": beds,
        "residents": rng.randint(0, beds),
        "has_clinic": rng.random() < 0.1 or in_medical,  # 护理站、医务室
        "has_canteen": has_canteen,
        "has_gas_kitchen": has_canteen and rng.random() < 0.5,
        "has_lift": rng.random() < 0.2,
        "has_boiler": rng.random() < 0.03,
        "has_oxygen_pipeline": False,
        "charges_prepaid": rng.random() < 0.1,
        "charges_deposit": False,
        "charges_membership_fee": False,
    }


class ElderlyCareDomain(DataDomain):
    """The data plugin, with realistic synthetic attributes."""

    @hookimpl
    def onething_synth_attributes(
        self, objects: Sequence[SupervisedObject], seed: int
    ) -> Sequence[dict[str, Any]]:
        """One attribute dict per object; each object's draw depends only on the seed and its
        key, so a batch's order or size does not change it."""
        out = []
        for obj in objects:
            rng = random.Random(f"{seed}:{obj.key}")
            member = obj.domains.get(self.code)
            types = member.object_types if member is not None else ()
            in_medical = "medical" in obj.domains
            if "care_home" in types:
                out.append(_care_home(rng, in_medical))
            elif "community_centre" in types:
                out.append(_community_centre(rng, in_medical))
            else:
                out.append({})
        return out


plugin = ElderlyCareDomain(__name__)
