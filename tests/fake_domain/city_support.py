"""A small synthetic city for the fakecity plugin (object kinds and relations): one object of
each kind and the relations between them, as import rows."""

from __future__ import annotations

from onething.registry import kinds as K
from onething.registry.uscc import make_uscc

#: The deployment secret the tests key persons' hashes with (ONETHING_PERSON_SECRET).
SECRET = "s" * 40
PROJECT, SITE, WORKS = "2019-370000-48-01-000123", "SITE-371502-0001", "WXY-371502-0001"


def code(n: int) -> str:
    return make_uscc("9", "1", "371502", f"{n:08d}")


def resident_id(body17: str) -> str:
    return body17 + K.id_check_character(body17)


ID1 = resident_id("37150219900101123")
ID2 = resident_id("37150219851231002")


def obj(kind: str, key: str, otype: str, name: str = "对象", **more) -> dict:
    row = {
        "object_kind": kind,
        "key": key,
        "name": name,
        "region_code": "371502",
        "domains": {"fakecity": {"object_types": [otype]}},
    }
    if kind == "business":
        row["uscc"] = row.pop("key")
    return {**row, **more}


def city_rows() -> list[dict]:
    return [
        obj("business", code(1), "platform", "某网约车平台有限公司"),
        obj("business", code(2), "contractor", "某建筑工程有限公司"),
        obj("project", PROJECT, "project", "某小区建设项目"),
        obj("site", SITE, "site", "某小区施工现场"),
        obj("vehicle", "鲁P12345", "car", "鲁P12345"),
        obj("vehicle", "鲁PD12345", "car", "鲁PD12345"),  # small new-energy, 8 characters
        obj("vehicle", "鲁P12345F", "car", "鲁P12345F"),  # large new-energy
        obj("person", ID1, "driver", "张三丰"),
        obj("installation", WORKS, "hazard_source", "液氯储罐区"),
    ]


def rel(type_, source, target, start="2025-01-01", end=None) -> dict:
    return {"type": type_, "source": source, "target": target, "valid_from": start, "valid_to": end}


def city_relations() -> list[dict]:
    return [
        rel("built_by", PROJECT, code(2)),
        rel("located_at", PROJECT, SITE),
        rel("works_at", code(2), SITE),
        rel("operates", code(1), "鲁P12345"),
        rel("operates", code(1), "鲁PD12345"),
        rel("driven_by", "鲁P12345", ID1),  # the clear ID matches its stored hash
        rel("installed_at", WORKS, code(2)),
    ]


# -- a synthetic city of every kind (the end-to-end test and benchmarks/registry_relations.py)

_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # authority letters without I and O


def plate(i: int) -> str:
    """A distinct plate for each ``i``: every third one a small new-energy plate (8 chars)."""
    letter, n = _LETTERS[(i // 100_000) % len(_LETTERS)], i % 100_000
    return f"鲁{letter}D{n:05d}" if i % 3 == 0 else f"鲁{letter}{n:05d}"


def person_id(i: int) -> str:
    """A distinct valid resident ID for each ``i`` < 3.3 million (days 1–28 of each month)."""
    day, seq = divmod(i, 1000)
    year, doy = 1960 + day // 336, day % 336
    return resident_id(f"371502{year}{doy // 28 + 1:02d}{doy % 28 + 1:02d}{seq:03d}")


def synth_city(
    vehicles: int, projects: int, installations: int, fleet: int = 10_000
) -> tuple[list, list]:
    """Objects and relations of a city: a platform per ``fleet`` vehicles, each vehicle with
    its driver; each project on its site with a builder and a subcontractor working there;
    chemical works holding two installations each."""
    objects, relations = [], []
    n = 0

    def business(otype: str, name: str) -> str:
        nonlocal n
        n += 1
        key = code(n)
        objects.append(obj("business", key, otype, name))
        return key

    platforms = [business("platform", f"平台{p}有限公司") for p in range(max(1, vehicles // fleet))]
    for v in range(vehicles):
        car, driver = plate(v), person_id(v)
        objects.append(obj("vehicle", car, "car", car))
        objects.append(obj("person", driver, "driver", "张三" if v % 2 else "欧阳娜娜"))
        relations.append(rel("operates", platforms[v % len(platforms)], car))
        relations.append(rel("driven_by", car, driver))
    for p in range(projects):
        project, site = f"2024-371502-48-01-{p:06d}", f"SITE-371502-{p:04d}"
        objects.append(obj("project", project, "project", f"项目{p}"))
        objects.append(obj("site", site, "site", f"现场{p}"))
        relations.append(rel("located_at", project, site))
        for role in ("总包", "分包"):
            unit = business("contractor", f"建筑{p}{role}有限公司")
            relations.append(rel("built_by", project, unit))
            relations.append(rel("works_at", unit, site))
    works = None
    for i in range(installations):
        if i % 2 == 0:
            works = business("works", f"化工{i}有限公司")
        source = f"WXY-371502-{i:04d}"
        objects.append(obj("installation", source, "hazard_source", f"储罐区{i}"))
        relations.append(rel("installed_at", source, works))
    return objects, relations
