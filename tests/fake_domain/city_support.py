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
