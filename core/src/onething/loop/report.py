"""结果回溯分析 (retrospective analysis) of the closed loop, computed from the stored cases
and their steps: per domain and per risk rule, how many warnings became confirmed violations
(precision), the time spent per stage (median, p90), where open cases stall, and the
rectification rate. Counts are grouped in SQL; only step durations are streamed.
"""

from __future__ import annotations

import csv
import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from attrs import frozen

from ..i18n import CJK_FONT, _
from ..outfiles import atomic_write, check_folder
from ..store import Store
from ..store.loop import LoopCase, LoopStep
from .clock import aware
from .spec import Loop

ALL = "(all)"


def confirming_states(loop: Loop) -> list[str]:
    """States that mean a violation was confirmed: every state of the joint-supervision and
    joint-sanction stages except the joint inspection itself."""
    return [
        s
        for s in loop.states
        if loop.stage_of(s) in ("joint_supervision", "joint_sanction") and s != "joint_inspection"
    ]


def _quantile(values: list[float], q: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(q * 100) - 1]


@frozen
class Report:
    precision: list[dict[str, Any]]
    stage_times: list[dict[str, Any]]
    stalls: list[dict[str, Any]]
    rectification: list[dict[str, Any]]


def analyse(store: Store, loop: Loop, at: dt.datetime | None = None) -> Report:
    at = (at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    confirming = confirming_states(loop)
    confirmed = sa.exists().where(LoopStep.case_id == LoopCase.id, LoopStep.state.in_(confirming))
    with store.session() as s:
        rows = s.execute(
            sa.select(
                LoopCase.domain,
                LoopCase.risk_rule,
                sa.func.count(),
                sa.func.sum(sa.case((confirmed, 1), else_=0)),
                sa.func.sum(sa.case((LoopCase.state == "dismissed", 1), else_=0)),
            )
            .where(LoopCase.source_kind == "warning")
            .group_by(LoopCase.domain, LoopCase.risk_rule)
            .order_by(LoopCase.domain, LoopCase.risk_rule)
        ).all()
        precision = []
        totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        for domain, rule, n, conf, dism in rows:
            precision.append(_precision_row(domain, rule or "", n, conf or 0, dism or 0))
            for i, v in enumerate((n, conf or 0, dism or 0)):
                totals[domain][i] += v
        precision += [_precision_row(d, ALL, *v) for d, v in sorted(totals.items())]

        durations: dict[tuple[str, str], list[float]] = defaultdict(list)
        q = sa.select(LoopStep.domain, LoopStep.stage, LoopStep.entered_at, LoopStep.left_at).where(
            LoopStep.left_at.is_not(None)
        )
        for domain, stage, entered, left in s.execute(q.execution_options(yield_per=5000)):
            days = (aware(left) - aware(entered)).total_seconds() / 86400
            durations[(domain, stage)].append(days)
            durations[(ALL, stage)].append(days)
        stage_times = [
            {
                "domain": d,
                "stage": stage,
                "steps": len(v),
                "median_days": round(statistics.median(v), 2),
                "p90_days": round(_quantile(sorted(v), 0.9), 2),
            }
            for (d, stage), v in sorted(durations.items())
        ]

        stall_rows = s.execute(
            sa.select(
                LoopCase.domain,
                LoopCase.state,
                LoopCase.owner,
                sa.func.count(),
                sa.func.sum(
                    sa.case(
                        (sa.and_(LoopCase.due_at.is_not(None), LoopCase.due_at < at), 1), else_=0
                    )
                ),
                sa.func.min(LoopCase.entered_at),
            )
            .where(LoopCase.closed_at.is_(None))
            .group_by(LoopCase.domain, LoopCase.state, LoopCase.owner)
        ).all()
        stalls = sorted(
            (
                {
                    "domain": d,
                    "state": st,
                    "stage": loop.stage_of(st) if st in loop.states else "?",
                    "owner": owner,
                    "open": n,
                    "overdue": over or 0,
                    "oldest_days": round((at - aware(oldest)).total_seconds() / 86400, 1),
                }
                for d, st, owner, n, over, oldest in stall_rows
            ),
            key=lambda r: (-r["overdue"], -r["open"], r["domain"], r["state"]),
        )

        def cases_per_domain(condition) -> dict[str, int]:
            return dict(
                s.execute(
                    sa.select(LoopStep.domain, sa.func.count(sa.distinct(LoopStep.case_id)))
                    .where(condition)
                    .group_by(LoopStep.domain)
                ).all()
            )

        entered = cases_per_domain(LoopStep.state == "rectification")
        passed = cases_per_domain(LoopStep.via == "confirm_rectified")
        failed = cases_per_domain(LoopStep.via == "rectification_failed")
        rectification = [
            {
                "domain": d,
                "ordered": n,
                "rectified": passed.get(d, 0),
                "not_rectified": failed.get(d, 0),
                "pending": n - passed.get(d, 0) - failed.get(d, 0),
                "rate": round(passed.get(d, 0) / n, 4) if n else None,
            }
            for d, n in sorted(entered.items())
        ]
    return Report(precision, stage_times, stalls, rectification)


def _precision_row(domain: str, rule: str, n: int, conf: int, dism: int) -> dict[str, Any]:
    decided = conf + dism
    return {
        "domain": domain,
        "risk_rule": rule,
        "warnings": n,
        "confirmed": conf,
        "dismissed": dism,
        "open": n - decided,
        "precision": round(conf / decided, 4) if decided else None,
    }


_TABLES = ("precision", "stage_times", "stalls", "rectification")
_CHARTS = ("stage_times", "precision")


def write(
    report: Report,
    out: str | Path,
    formats: tuple[str, ...] = ("png", "svg"),
    *,
    force: bool = False,
    protected: Iterable[Path | None] = (),
) -> list[Path]:
    """Write ``precision.csv``, ``stage_times.csv``, ``stalls.csv``, ``rectification.csv`` and
    the charts ``stage_times.<fmt>`` and ``precision.<fmt>`` into ``out`` (created if
    missing); return the paths written. An existing one of them only with ``force``: all are
    checked before any is written, each through a temporary file."""
    out = Path(out)
    names = [f"{n}.csv" for n in _TABLES] + [f"{c}.{f}" for c in _CHARTS for f in formats]
    check_folder(out, names, force=force, protected=protected)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name in _TABLES:
        rows = getattr(report, name)
        path = out / f"{name}.csv"
        with atomic_write(path, force=True) as f:  # checked above
            fields = list(rows[0]) if rows else list(_EMPTY[name])
            w = csv.DictWriter(f, fieldnames=fields)
            w.writeheader()
            w.writerows(rows)
        written.append(path)
    written += _charts(report, out, formats)
    return written


_EMPTY = {
    "precision": ("domain", "risk_rule", "warnings", "confirmed", "dismissed", "open", "precision"),
    "stage_times": ("domain", "stage", "steps", "median_days", "p90_days"),
    "stalls": ("domain", "state", "stage", "owner", "open", "overdue", "oldest_days"),
    "rectification": ("domain", "ordered", "rectified", "not_rectified", "pending", "rate"),
}


def _charts(report: Report, out: Path, formats: tuple[str, ...]) -> list[Path]:
    """The two charts in the current language (titles, axes, legend, stage names); each file
    carries its title in its metadata."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    from ..model import LOOP_STAGES

    written = []
    with plt.rc_context({"font.family": [CJK_FONT, "DejaVu Sans"], "axes.unicode_minus": False}):
        rows = [r for r in report.stage_times if r["domain"] == ALL]
        order = {s: i for i, s in enumerate(LOOP_STAGES)}
        rows.sort(key=lambda r: order.get(r["stage"], 99))
        fig, ax = plt.subplots(figsize=(8, 4.5))
        xs = range(len(rows))
        ax.bar(
            [x - 0.2 for x in xs],
            [r["median_days"] for r in rows],
            0.4,
            label=_("中位数", "median"),
        )
        ax.bar([x + 0.2 for x in xs], [r["p90_days"] for r in rows], 0.4, label=_("P90", "p90"))
        names = [_(LOOP_STAGES.get(r["stage"], r["stage"]), r["stage"]) for r in rows]
        ax.set_xticks(list(xs), names, rotation=15)
        ax.set_ylabel(_("天", "days"))
        title = _("各环节用时（全部领域）", "Time spent per stage (all domains)")
        ax.set_title(title)
        ax.legend()
        fig.tight_layout()
        written += _save(fig, out, "stage_times", formats, title)
        plt.close(fig)

        rows = [r for r in report.precision if r["risk_rule"] != ALL and r["precision"] is not None]
        fig, ax = plt.subplots(figsize=(8, max(2.5, 0.4 * len(rows) + 1.5)))
        ax.barh([r["risk_rule"] for r in rows], [r["precision"] for r in rows], color="tab:green")
        for i, r in enumerate(rows):
            decided = r["confirmed"] + r["dismissed"]
            ax.text(r["precision"], i, f" {r['confirmed']}/{decided}", va="center")
        ax.set_xlim(0, 1.15)
        ax.set_xlabel(
            _(
                "准确率 = 确认违法 /（确认违法 + 研判排除）",
                "precision = confirmed / (confirmed + dismissed)",
            )
        )
        title = _(
            "预警转化为确认违法的比例（按预警规则）",
            "Warnings that became confirmed violations, per risk rule",
        )
        ax.set_title(title)
        fig.tight_layout()
        written += _save(fig, out, "precision", formats, title)
        plt.close(fig)
    return written


def _save(fig: Any, out: Path, name: str, formats: tuple[str, ...], title: str) -> list[Path]:
    paths = []
    for fmt in formats:
        path = out / f"{name}.{fmt}"
        with atomic_write(path, force=True, binary=True) as fh:
            fig.savefig(fh, format=fmt, metadata={"Title": title})
        paths.append(path)
    return paths
