"""The pilot evaluation (试点评估) as a document: figures grouped by the OECD inspection-reform
criteria, each with the counts it was computed from and, where there is one, its baseline."""

from __future__ import annotations

import datetime as dt
from typing import Any

from attrs import field, frozen

#: The criteria the figures are grouped by (OECD, "Regulatory Enforcement and Inspections
#: Toolkit", 2018), in report order: code -> (Chinese, English).
CRITERIA: dict[str, tuple[str, str]] = {
    "risk_focus": ("风险导向", "Risk focus"),
    "coordination": ("协调整合", "Coordination"),
    "evidence": ("依据数据", "Evidence"),
    "closure": ("全程闭环", "Closed loop"),
    "transparency": ("公开透明", "Transparency"),
}

#: Units of a figure: a share in [0, 1], a count, a number per business, days.
UNITS = ("share", "count", "per_business", "days")


@frozen
class Figure:
    """One number of the evaluation. ``value`` is ``numerator / denominator`` for a share or a
    number per business (``None`` when the denominator is 0), the count itself for a count."""

    code: str
    criterion: str
    label_zh: str
    label_en: str
    unit: str
    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    baseline: float | None = None
    baseline_zh: str = ""
    baseline_en: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "criterion": self.criterion,
            "label_zh": self.label_zh,
            "label_en": self.label_en,
            "unit": self.unit,
            "value": self.value,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "baseline": self.baseline,
            "baseline_zh": self.baseline_zh,
            "baseline_en": self.baseline_en,
        }


@frozen
class StageTime:
    """Days cases spent in one loop stage (steps that ended in the window)."""

    stage: str
    steps: int
    median_days: float
    p90_days: float

    def as_json(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "steps": self.steps,
            "median_days": self.median_days,
            "p90_days": self.p90_days,
        }


@frozen
class Evaluation:
    """What ``onething evaluate`` reports for a deployment over a window of days."""

    deployment: str
    region: str
    start: dt.date | None
    end: dt.date
    computed_at: dt.datetime
    figures: tuple[Figure, ...] = field(converter=tuple)
    stage_times: tuple[StageTime, ...] = field(converter=tuple)

    def figure(self, code: str) -> Figure:
        for f in self.figures:
            if f.code == code:
                return f
        raise KeyError(f"no figure {code!r}; figures: {', '.join(f.code for f in self.figures)}")

    def as_json(self) -> dict[str, Any]:
        return {
            "format": "onething-evaluation/1",
            "deployment": self.deployment,
            "region": self.region,
            "from": self.start.isoformat() if self.start else None,
            "to": self.end.isoformat(),
            "computed_at": self.computed_at.isoformat(),
            "figures": [f.as_json() for f in self.figures],
            "stage_times": [s.as_json() for s in self.stage_times],
        }
