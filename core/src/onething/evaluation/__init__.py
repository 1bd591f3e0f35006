"""试点评估 (pilot evaluation): the reform's numbers computed from the stored data — coverage,
visits per business against each department visiting alone, check points saved, joint
visits, loop closure and time per stage, overdue steps, publication timeliness, warnings
that proved right — as a table, JSON and a self-contained HTML report with charts.

    ev = evaluate(app.store, app.rulebook, start=date(2026, 1, 1), end=date(2026, 3, 31))
    ev.figure("visits.joint_share").value
"""

from .compute import evaluate
from .model import CRITERIA, Evaluation, Figure, StageTime
from .render import rows, stage_rows, to_html, to_json, write

__all__ = [
    "CRITERIA",
    "Evaluation",
    "Figure",
    "StageTime",
    "evaluate",
    "rows",
    "stage_rows",
    "to_html",
    "to_json",
    "write",
]
