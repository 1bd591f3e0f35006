"""Stored rows ↔ :class:`~onething.model.SupervisedObject`."""

from __future__ import annotations

import datetime as dt
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
    "object_kind",
    "display_key",
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
        licences=[_licence(lic) for lic in row["licences"]],
        credit_grade=row["credit_grade"],
        risk_grade=row["risk_grade"],
        object_kind=row.get("object_kind") or "business",
        display_key=row.get("display_key"),
    )


def _licence(lic: Mapping[str, Any]) -> Licence:
    """A stored licence (validated on import); the converter only for unexpected shapes."""
    try:
        start, end = lic.get("valid_from"), lic.get("valid_to")
        return Licence(
            number=lic["number"],
            kind=lic["kind"],
            department=lic["department"],
            valid_from=dt.date.fromisoformat(start) if start else None,
            valid_to=dt.date.fromisoformat(end) if end else None,
        )
    except (KeyError, TypeError, ValueError):
        return converter.structure(lic, Licence)


def data_of(row: Mapping[str, Any]) -> dict[str, Any]:
    """The describing part of a row, for comparison and history."""
    return {c: row[c] for c in DATA_COLUMNS}
