"""The evaluation as a table, JSON, and one self-contained HTML page (charts embedded as PNG),
in the current language."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from ..i18n import CJK_FONT, _, language
from ..outfiles import write_atomic
from .model import CRITERIA, Evaluation, Figure

STAGE_NAMES = {
    "warning": ("风险预警研判", "Warning and assessment"),
    "transfer": ("线索移交处置", "Clue transfer and handling"),
    "joint_supervision": ("部门联合监管", "Joint supervision"),
    "joint_sanction": ("失信联合惩戒", "Joint sanction"),
    "retrospective": ("结果回溯分析", "Retrospective analysis"),
}


def label(f: Figure) -> str:
    return _(f.label_zh, f.label_en)


def shown(f: Figure) -> str:
    """A figure's value as a person reads it: a share in per cent with its counts."""
    if f.value is None:
        return "—"
    if f.unit == "share":
        return f"{f.value * 100:.1f}%（{_num(f.numerator)}/{_num(f.denominator)}）"
    if f.unit == "per_business":
        return f"{f.value:.3f}"
    return _num(f.value)


def _num(v: Any) -> str:
    if v is None:
        return "—"
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.2f}"


def baseline(f: Figure) -> str:
    if f.baseline is None:
        return ""
    text = f"{f.baseline:.3f}" if f.unit == "per_business" else _num(f.baseline)
    return f"{text}（{_(f.baseline_zh, f.baseline_en)}）"


def rows(ev: Evaluation) -> list[list[str]]:
    """One row per figure: criterion, figure, value, baseline (for ``--format table``)."""
    return [[_(*CRITERIA[f.criterion]), label(f), shown(f), baseline(f)] for f in ev.figures]


def stage_rows(ev: Evaluation) -> list[list[Any]]:
    return [
        [_(*STAGE_NAMES.get(s.stage, (s.stage, s.stage))), s.steps, s.median_days, s.p90_days]
        for s in ev.stage_times
    ]


def to_json(ev: Evaluation) -> str:
    return json.dumps(ev.as_json(), ensure_ascii=False, indent=2) + "\n"


# -- HTML ---------------------------------------------------------------------------------------


def _png(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def charts(ev: Evaluation) -> list[tuple[str, str]]:
    """(title, data URL) of each chart: the shares, visits against their baseline, stage
    times."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    out: list[tuple[str, str]] = []
    with plt.rc_context({"font.family": [CJK_FONT, "DejaVu Sans"], "axes.unicode_minus": False}):
        shares = [f for f in ev.figures if f.unit == "share" and f.value is not None]
        if shares:
            fig, ax = plt.subplots(figsize=(9, 0.45 * len(shares) + 1.2))
            names = [label(f) for f in shares][::-1]
            values = [f.value * 100 for f in shares][::-1]
            ax.barh(names, values, color="#2b6cb0")
            for i, v in enumerate(values):
                ax.text(v + 1, i, f"{v:.1f}%", va="center", fontsize=9)
            ax.set_xlim(0, 112)
            ax.set_xlabel(_("百分比", "per cent"))
            fig.tight_layout()
            out.append((_("各项比例", "Shares"), _png(fig)))
            plt.close(fig)
        pairs = [f for f in ev.figures if f.baseline is not None and f.value is not None]
        if pairs:
            fig, axes = plt.subplots(1, len(pairs), figsize=(4.5 * len(pairs), 3.6))
            axes = axes if len(pairs) > 1 else [axes]
            for ax, f in zip(axes, pairs, strict=True):
                base = f.baseline
                # A "saved" count is drawn as what was done against what would have been.
                now = f.value if f.unit == "per_business" else base - f.value
                ax.bar(
                    [_("一件事联合检查", "as one thing"), _("各部门分别检查", "each alone")],
                    [now, base],
                    color=["#2f855a", "#a0aec0"],
                )
                title = label(f) if f.unit == "per_business" else f"{label(f)}：{_num(f.value)}"
                ax.set_title(title, fontsize=10)
                for x, v in enumerate((now, base)):
                    text = f"{v:.2f}" if f.unit == "per_business" else _num(v)
                    ax.text(x, v, text, ha="center", va="bottom", fontsize=9)
            fig.tight_layout()
            out.append((_("与各部门分别检查相比", "Against each department alone"), _png(fig)))
            plt.close(fig)
        if ev.stage_times:
            fig, ax = plt.subplots(figsize=(9, 3.8))
            names = [r[0] for r in stage_rows(ev)]
            xs = range(len(names))
            ax.bar(
                [x - 0.2 for x in xs],
                [s.median_days for s in ev.stage_times],
                0.4,
                label=_("中位数", "median"),
                color="#2b6cb0",
            )
            ax.bar(
                [x + 0.2 for x in xs],
                [s.p90_days for s in ev.stage_times],
                0.4,
                label=_("90 分位", "90th percentile"),
                color="#ed8936",
            )
            ax.set_xticks(list(xs), names)
            ax.set_ylabel(_("天", "days"))
            ax.legend()
            fig.tight_layout()
            out.append((_("各环节用时", "Days per loop stage"), _png(fig)))
            plt.close(fig)
    return out


def to_html(ev: Evaluation) -> str:
    env = Environment(
        loader=PackageLoader("onething.evaluation", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
    )
    groups = [
        (_(*names), [f for f in ev.figures if f.criterion == code])
        for code, names in CRITERIA.items()
    ]
    return env.get_template("evaluation.html.j2").render(
        ev=ev,
        lang=language(),
        t=_,
        groups=[(n, fs) for n, fs in groups if fs],
        label=label,
        shown=shown,
        baseline=baseline,
        stages=stage_rows(ev),
        charts=charts(ev),
    )


def write(ev: Evaluation, path: Path, fmt: str, *, force: bool = False, protected=()) -> Path:
    """Write the evaluation as ``json`` or ``html`` to ``path`` (temporary file, renamed)."""
    text = to_json(ev) if fmt == "json" else to_html(ev)
    write_atomic(Path(path), text, force=force, protected=protected)
    return Path(path)
