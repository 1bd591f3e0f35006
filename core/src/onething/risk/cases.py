"""Each new warning opens a case in the closed loop (风险预警研判 is the loop's first stage)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from ..loop import CaseSource, Loop
from ..loop.cases import open_in
from ..store import Store
from ..store.registry import RegistryObject
from ..store.risk import WarningRow


def open_cases(store: Store, loop: Loop, *, at: dt.datetime | None = None) -> list[int]:
    """Open a case for every open warning that has none yet; one transaction.

    :return: the ids of the cases opened, in warning order.
    """
    opened: list[int] = []
    with store.session() as s:
        store.serialize(s, "risk")  # one case per warning however many runs race
        rows = s.execute(
            sa.select(WarningRow, RegistryObject.region_code)
            .join(RegistryObject, RegistryObject.key == WarningRow.key)
            .where(WarningRow.closed_at.is_(None), WarningRow.case_id.is_(None))
            .order_by(WarningRow.id)
        ).all()
        for warning, region in rows:
            case = open_in(
                s,
                loop,
                CaseSource(
                    kind="warning",
                    domain=warning.domain,
                    object_key=warning.key,
                    ref=str(warning.id),
                    facts={
                        "observed": warning.observed,
                        "threshold": warning.threshold,
                        "reason": warning.reason,
                    },
                    severity=warning.severity,
                    risk_rule=warning.rule_id,
                ),
                region=region,
                at=at,
            )
            warning.case_id = str(case.id)
            opened.append(case.id or 0)
    return opened
