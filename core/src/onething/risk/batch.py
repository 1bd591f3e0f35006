"""One batch run of risk (``onething risk evaluate``, ``POST /risk/evaluations``): every rule
in force evaluated over the registry, a case opened for each new warning, every object
re-graded — and the document ``--format json`` prints."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from attrs import frozen

from .cases import open_cases
from .engine import EvaluationReport, evaluate_all
from .grades import grade_all


@frozen
class Run:
    on: dt.date
    report: EvaluationReport
    cases: list[int]
    grades: Any

    def as_json(self) -> dict[str, Any]:
        by_rule = self.report.counts()
        return {
            "on": self.on.isoformat(),
            "rules": self.report.rules,
            "fired": self.report.fired_count,
            "new_warnings": self.report.new_count,
            "cases_opened": self.cases,
            "graded": self.grades.graded,
            "grades_changed": self.grades.changed,
            "by_rule": {r: {"fired": f, "new": n} for r, (f, n) in sorted(by_rule.items())},
        }


def run(app, on: dt.date, progress: Callable[[int, int], None] | None = None) -> Run:
    """Evaluate, open cases, grade (three steps; ``progress(done, 3)`` after each)."""
    from ..loop import Loop

    step = progress or (lambda _d, _t: None)
    report = evaluate_all(app.store, app.rulebook, on)
    step(1, 3)
    cases = open_cases(app.store, Loop(app.rulebook))
    step(2, 3)
    grades = grade_all(app.store, app.rulebook, on)
    step(3, 3)
    return Run(on, report, cases, grades)
