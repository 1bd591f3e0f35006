"""onething domain plugin: 医疗服务 (Medical services).

The rules are data in ``data/``; see this plugin's README for sources and overrides. The only
code is the synthetic-attribute generator: the default one draws each attribute on its own,
which gives village clinics 800 beds, filed clinics a licence to verify and care-home clinics CT
scanners.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from onething import DataDomain, hookimpl
from onething.model import SupervisedObject

ONETHING_API = 1

#: Synthetic realism only (not law): by object type, (bed bands with weights, ownership weights,
#: visits per bed or per day, share with radiology, share designated by medical insurance).
_HOSPITAL_BEDS = (((20, 99), 0.45), ((100, 499), 0.4), ((500, 1500), 0.15))
_OWNERSHIP = {
    "hospital": {"public": 0.55, "private_nonprofit": 0.15, "private_forprofit": 0.3},
    "clinic": {"public": 0.05, "private_nonprofit": 0.1, "private_forprofit": 0.85},
    "village_clinic": {"public": 0.7, "private_nonprofit": 0.1, "private_forprofit": 0.2},
    "in_house_clinic": {"public": 0.35, "private_nonprofit": 0.45, "private_forprofit": 0.2},
}


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _hospital(rng: random.Random) -> dict[str, Any]:
    bands, weights = zip(*_HOSPITAL_BEDS, strict=True)
    low, high = rng.choices(bands, weights=weights)[0]
    beds = rng.randint(low, high)
    level = (
        "level3"
        if beds >= 500
        else "level2"
        if beds >= 100
        else _pick(rng, {"level1": 0.6, "ungraded": 0.4})
    )
    return {
        "ownership": _pick(rng, _OWNERSHIP["hospital"]),
        "authorisation": "licence",
        "beds": beds,
        "level": level,
        "monthly_visits": int(beds * rng.uniform(25, 60)),
        "insurance_designated": rng.random() < 0.95,
        "has_radiology": rng.random() < 0.97,
        # hospitals are usually designated key fire-safety units (消防法 第十七条: local lists)
        "key_fire_safety_unit": beds >= 100 or rng.random() < 0.5,
    }


def _clinic(rng: random.Random, name: str) -> dict[str, Any]:
    # since 2022 a clinic (诊所) may practise on filing (条例 第十四条); an outpatient department
    # (门诊部) and clinics licensed before keep a licence
    filed = rng.random() < 0.4 and not name.endswith("门诊部")
    return {
        "ownership": _pick(rng, _OWNERSHIP["clinic"]),
        "authorisation": "filing" if filed else "licence",
        "beds": 0 if rng.random() < 0.85 else rng.randint(1, 19),
        "level": "ungraded",
        "monthly_visits": rng.randint(150, 3000),
        "insurance_designated": rng.random() < 0.55,
        "has_radiology": rng.random() < 0.25,  # dental X-ray, DR
        "key_fire_safety_unit": False,
    }


def _village_clinic(rng: random.Random) -> dict[str, Any]:
    return {
        "ownership": _pick(rng, _OWNERSHIP["village_clinic"]),
        "authorisation": "licence",
        "beds": 0,
        "level": "ungraded",
        "monthly_visits": rng.randint(100, 900),
        "insurance_designated": rng.random() < 0.9,
        "has_radiology": False,
        "key_fire_safety_unit": False,
    }


def _in_house_clinic(rng: random.Random, in_care_home: bool) -> dict[str, Any]:
    return {
        "ownership": _pick(rng, _OWNERSHIP["in_house_clinic"]),
        "authorisation": "filing" if rng.random() < 0.3 else "licence",
        # a care home's clinic may keep a few infirmary beds
        "beds": rng.randint(0, 20) if in_care_home and rng.random() < 0.3 else 0,
        "level": "ungraded",
        "monthly_visits": rng.randint(60, 1200),
        "insurance_designated": rng.random() < (0.6 if in_care_home else 0.3),
        "has_radiology": False,
        "key_fire_safety_unit": False,
    }


class MedicalDomain(DataDomain):
    """The medical rules as data, plus realistic synthetic attributes."""

    @hookimpl
    def onething_synth_attributes(
        self, objects: Sequence[SupervisedObject], seed: int
    ) -> Sequence[dict[str, Any]]:
        """One attribute dict per object, by its medical object types and other domains.

        Each object's draw depends only on ``seed`` and the object's key, types and domains, so
        the same object gets the same attributes in any batch. A care home also in this domain
        runs the clinic, outpatient department or hospital its medical type says (医养结合).
        """
        out = []
        for obj in objects:
            member = obj.domains.get(self.code)
            types = list(member.object_types) if member else []
            rng = random.Random(f"{self.code}:{seed}:{obj.key}")
            in_care_home = "elderly_care" in obj.domains
            if not types:
                out.append({})
            elif "in_house_clinic" in types:
                out.append(_in_house_clinic(rng, in_care_home))
            elif "hospital" in types:
                out.append(_hospital(rng))
            elif "village_clinic" in types:
                out.append(_village_clinic(rng))
            else:
                out.append(_clinic(rng, obj.name))
        return out


plugin = MedicalDomain(__name__)
