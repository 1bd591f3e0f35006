"""Grades: a credit grade (imported, else the deployment's default) and a domain risk grade
(from the severity of open warnings) combine into the stratum that sampling ratios use.

A grade never exempts an object from checks: it only selects a sampling ratio, and sampling
ratios must be above zero (``integrity`` checks every ``sampling_ratio*`` parameter).
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from attrs import frozen
from sqlmodel import Session

from ..core_parameters import CORE
from ..rulebook import Rulebook
from ..store import Store
from ..store.registry import RegistryObject
from ..store.risk import GradeRow, WarningRow

#: Risk grade by the most severe open warning, for 4 and 5 levels (A is the lowest risk).
_BY_SEVERITY = {
    4: {None: "A", "general": "B", "serious": "C", "severe": "D", "major_hazard": "D"},
    5: {None: "A", "general": "B", "serious": "C", "severe": "D", "major_hazard": "E"},
}
_ORDER = ["general", "serious", "severe", "major_hazard"]


def scheme(rulebook: Rulebook, on: dt.date) -> list[str]:
    """The grades of the deployment's scheme, e.g. ``['A', 'B', 'C', 'D']``."""
    return list(string.ascii_uppercase[: int(rulebook.value(CORE, "grading.levels", on))])


def risk_grade(severities: list[str], levels: int) -> str:
    worst = max(severities, key=_ORDER.index) if severities else None
    return _BY_SEVERITY[levels][worst]


def stratum(credit: str, risk: str) -> str:
    """The sampling stratum: credit grade × risk grade, e.g. ``B×C``."""
    return f"{credit}×{risk}"


@frozen
class GradeReport:
    on: dt.date
    graded: int
    changed: int


def _open_severities(s: Session) -> dict[str, list[tuple[str, str]]]:
    rows = s.execute(
        sa.select(WarningRow.key, WarningRow.rule_id, WarningRow.severity).where(
            WarningRow.closed_at.is_(None)
        )
    )
    out: dict[str, list[tuple[str, str]]] = {}
    for key, rule_id, severity in rows:
        out.setdefault(key, []).append((rule_id, severity))
    return out


def _latest_grades(s: Session) -> dict[str, tuple[str, str]]:
    ranked = sa.select(
        GradeRow.key,
        GradeRow.credit_grade,
        GradeRow.risk_grade,
        sa.func.row_number()
        .over(partition_by=GradeRow.key, order_by=GradeRow.id.desc())
        .label("rn"),
    ).subquery()
    rows = s.execute(
        sa.select(ranked.c.key, ranked.c.credit_grade, ranked.c.risk_grade).where(ranked.c.rn == 1)
    )
    return {k: (c, r) for k, c, r in rows}


def grade_all(
    store: Store, rulebook: Rulebook, on: dt.date, *, batch_size: int = 20_000
) -> GradeReport:
    """Grade every registry object; append history where a grade changed and store the risk
    grade on the object. One transaction."""
    levels = int(rulebook.value(CORE, "grading.levels", on))
    default_credit = str(rulebook.value(CORE, "grading.default_credit", on))
    graded = changed = 0
    with store.session() as s:
        store.serialize(s, "risk")  # a concurrent run grades after this one, seeing its history
        open_by_key = _open_severities(s)
        previous = _latest_grades(s)
        offset_key = ""
        while True:
            rows = s.execute(
                sa.select(
                    RegistryObject.key, RegistryObject.credit_grade, RegistryObject.risk_grade
                )
                .where(RegistryObject.key > offset_key)
                .order_by(RegistryObject.key)
                .limit(batch_size)
            ).all()
            if not rows:
                break
            offset_key = rows[-1][0]
            history, updates = [], {}
            for key, credit, old_risk in rows:
                warnings = open_by_key.get(key, [])
                risk = risk_grade([sev for _, sev in warnings], levels)
                source = "imported" if credit else "default"
                credit = credit or default_credit
                graded += 1
                if previous.get(key) != (credit, risk):
                    changed += 1
                    history.append(
                        {
                            "key": key,
                            "graded_on": on,
                            "credit_grade": credit,
                            "credit_source": source,
                            "risk_grade": risk,
                            "stratum": stratum(credit, risk),
                            "explanation": {
                                "warnings": [{"rule": r, "severity": sev} for r, sev in warnings]
                            },
                        }
                    )
                if old_risk != risk:
                    updates.setdefault(risk, []).append(key)
            if history:
                s.execute(sa.insert(GradeRow), history)
            for grade, keys in updates.items():
                s.execute(
                    sa.update(RegistryObject)
                    .where(RegistryObject.key.in_(keys))
                    .values(risk_grade=grade)
                )
    return GradeReport(on=on, graded=graded, changed=changed)


def current_grade(store: Store, key: str) -> Mapping[str, Any] | None:
    """The latest grade row of an object, with its explanation."""
    with store.engine.connect() as conn:
        row = (
            conn.execute(
                sa.select(GradeRow).where(GradeRow.key == key).order_by(GradeRow.id.desc()).limit(1)
            )
            .mappings()
            .first()
        )
    return dict(row) if row else None
