"""Stored rows ↔ :class:`~onething.model.SupervisedObject`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..model import Licence, Membership, SupervisedObject, converter

#: The columns of ``registry_object`` that describe the object (compared on re-import).
DATA_COLUMNS = (
    "key_kind",
    "checksum_ok",
    "name",
    "region_code",
    "address",
    "credit_grade",
    "risk_grade",
    "domains",
    "licences",
)


def to_object(row: Mapping[str, Any]) -> SupervisedObject:
    return SupervisedObject(
        key=row["key"],
        name=row["name"],
        region_code=row["region_code"],
        address=row["address"] or "",
        domains={
            d: Membership(object_types=m["object_types"], attributes=m.get("attributes", {}))
            for d, m in row["domains"].items()
        },
        licences=[converter.structure(lic, Licence) for lic in row["licences"]],
        credit_grade=row["credit_grade"],
        risk_grade=row["risk_grade"],
    )


def data_of(row: Mapping[str, Any]) -> dict[str, Any]:
    """The describing part of a row, for comparison and history."""
    return {c: row[c] for c in DATA_COLUMNS}
