"""Realistic synthetic attributes for the training domain (``onething registry synth``).

Plausible shapes, not statistics: most private vocational training schools are small (a few
hundred m², a dozen teachers), about half are in the subsidised-training catalogue, a few also
evaluate skill levels. Each object's attributes depend only on the seed and the object (key,
types, other domains), so the same object gets the same attributes in any batch.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from typing import Any

from onething.model import SupervisedObject

#: Synthetic registries are drawn as of this day, so a seed always gives the same registry.
AS_OF = dt.date(2026, 1, 1)


def _school(rng: random.Random, other_domains: set[str]) -> dict[str, Any]:
    licensed = rng.random() > 0.05  # a few unlicensed providers found by complaints
    area = round(rng.uniform(300, 3000), 1)
    workstations = int(area / rng.uniform(6, 15))
    teachers = max(3, int(workstations / rng.uniform(4, 10)))
    staff = teachers + rng.randint(2, 15)
    attrs: dict[str, Any] = {
        "legal_form": "non_profit" if rng.random() < 0.45 else "for_profit",
        "licensed": licensed,
        "subsidised": licensed and rng.random() < 0.5,
        # a school registered in the prepaid_card domain takes tuition in advance
        "prepaid_tuition": "prepaid_card" in other_domains or rng.random() < 0.15,
        "online_training": rng.random() < 0.3,
        "boarding": "catering" in other_domains or rng.random() < 0.1,
        "branch_sites": rng.choices([0, 1, 2, 3], weights=[70, 20, 7, 3])[0],
        "teaching_area_m2": area,
        "workstations": workstations,
        "full_time_teachers": teachers,
        "staff": staff,
        # several courses a year on every workstation, at most
        "annual_trainees": int(workstations * rng.uniform(1.5, 6)),
        "occupations": rng.randint(1, 12),
        "issues_skill_certificates": licensed and rng.random() < 0.15,
    }
    if licensed:
        attrs["licence_valid_to"] = (
            AS_OF + dt.timedelta(days=rng.randint(-30, 5 * 365))
        ).isoformat()
    return attrs


def _evaluation_body(rng: random.Random) -> dict[str, Any]:
    kind = "social_org" if rng.random() < 0.6 else "employer"
    return {
        "legal_form": "for_profit" if kind == "employer" or rng.random() < 0.5 else "non_profit",
        "evaluation_kind": kind,
        "occupations": rng.randint(1, 30 if kind == "social_org" else 8),
        "staff": rng.randint(5, 60),
        "online_training": False,
    }


def synth_attributes(
    objects: Sequence[SupervisedObject], domain: str, seed: int
) -> list[dict[str, Any]]:
    """One attribute dict per object, by its training object types and other domains."""
    out = []
    for obj in objects:
        member = obj.domains.get(domain)
        types = list(member.object_types) if member is not None else []
        rng = random.Random(f"{domain}:{seed}:{obj.key}")
        if "training_school" not in types and "evaluation_body" in types:
            out.append(_evaluation_body(rng))
        else:
            out.append(_school(rng, set(obj.domains) - {domain}))
    return out
