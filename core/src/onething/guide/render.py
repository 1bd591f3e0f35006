"""Renderers of the compliance guide: Markdown (flowchart as Mermaid), a self-contained HTML
page (inline CSS and SVG, no scripts, no network; prints on A4) and a PDF of that page
(WeasyPrint), in the current language (Chinese first)."""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2

from ..checklist.render import DIMENSIONS_EN, METHODS_EN, SEVERITIES_EN, limit_text
from ..departments import department_name
from ..i18n import _, language
from ..loop.diagram import lane_label
from ..model import DIMENSIONS, LOOP_STAGES, MEASURES, METHODS, MODES, SEVERITIES, STAGES, UNITS
from ..rulebook import ParameterInForce
from .model import Guide

MEASURES_EN = {
    "onsite": "on-site inspection",
    "document": "document review",
    "sampling_test": "sampling test",
    "online_monitoring": "online monitoring",
    "credit": "credit supervision",
    "offsite": "off-site supervision",
    "filing_review": "filing review",
    "licensing_review": "licensing review",
    "complaint_handling": "complaint handling",
}
MODES_EN = {
    "random": "double-random",
    "key": "key supervision",
    "special": "special inspection",
    "complaint": "on complaint",
}
STAGES_ZH = {"before": "事前", "during": "事中", "after": "事后"}
STATUS_ZH = {"verified": "已核对原文", "secondary": "二手来源", "unconfirmed": "未核实"}
STATUS_EN = {"verified": "verified", "secondary": "secondary", "unconfirmed": "unconfirmed"}
ROLES_ZH = {"lead": "牵头部门", "responsible": "责任部门", "involved": "相关部门"}
ROLES_EN = {"lead": "lead", "responsible": "responsible", "involved": "involved"}
LAYER_ZH = {"override": "城市层调整", "extension": "城市层新增"}
LAYER_EN = {"override": "city override", "extension": "city extension"}
RECORDS_ZH = {
    "inspection_result": "检查结果",
    "penalty": "行政处罚",
    "licence": "许可",
    "warning": "预警",
    "sanction": "惩戒",
    "plan": "抽查计划",
}


class Verbatim(str):
    """Text a Markdown table cell must not touch (the Mermaid block)."""


def _md_cell(value: Any) -> Any:
    """Every value printed into the Markdown: no ``|`` or line break breaks a table row."""
    if isinstance(value, Verbatim) or not isinstance(value, str):
        return value
    return value.replace("|", "\\|").replace("\n", " ")


@cache
def _env(markdown: bool = False) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("onething.guide", "templates"),
        autoescape=not markdown,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_md_cell if markdown else None,
    )


def _value(p: ParameterInForce | None) -> str:
    """``15 工作日`` / ``15 working_day``; a ratio as a percentage."""
    if p is None:
        return "—"
    v = p.value
    if p.unit == "ratio" and isinstance(v, int | float) and not isinstance(v, bool):
        return f"{v * 100:g}%"
    if p.unit in ("text",):
        return str(v)
    if p.unit == "flag":
        return _("是", "yes") if v else _("否", "no")
    unit = UNITS.get(p.unit, p.unit) if language() == "zh" else p.unit.replace("_", " ")
    return f"{v:,}" if isinstance(v, int) and p.unit == "CNY" else f"{v} {unit}".strip()


def _department(code: str, level: str) -> str:
    """A department's name at the deployment's level; the loop's ``owner`` and ``lead``
    placeholders as the flowchart's lanes name them."""
    if code in ("owner", "lead"):
        return lane_label(code, level=level)
    return department_name(code, level, language())


def _context(guide: Guide) -> dict[str, Any]:
    zh = language() == "zh"

    def pick(zh_map, en_map):
        return lambda k: (zh_map if zh else en_map).get(k, k)

    groups = []
    for dim in DIMENSIONS:
        pts = [p for p in guide.points if p.element.dimension == dim]
        if pts:
            groups.append(((DIMENSIONS if zh else DIMENSIONS_EN)[dim], pts))
    items = {i.code: i for i in guide.items}
    if guide.object is not None:
        title = _("合规指引", "Compliance guide") + f" · {guide.object.name}"
    elif guide.domain is None:
        title = _("综合监管一件事合规指引（全部领域）", "Compliance guide — all domains")
    else:
        s = guide.scopes[0]
        title = (s.name_zh if zh else s.name_en) + _("综合监管合规指引", " — compliance guide")
    return {
        "g": guide,
        "zh": zh,
        "t": _,
        "title": title,
        "groups": groups,
        "items": items,
        "dept": lambda c: _department(c, guide.level),
        "label": lambda x: x.label_zh if zh else x.label_en,
        "name": lambda x: x.name_zh if zh else x.name_en,
        "severity": pick(SEVERITIES, SEVERITIES_EN),
        "method": pick(METHODS, METHODS_EN),
        "measure": pick(MEASURES, MEASURES_EN),
        "mode": pick(MODES, MODES_EN),
        "stage": pick(STAGES_ZH, {s: s for s in STAGES}),
        "loop_stage": pick(LOOP_STAGES, {s: s.replace("_", " ") for s in LOOP_STAGES}),
        "status": pick(STATUS_ZH, STATUS_EN),
        "role": pick(ROLES_ZH, ROLES_EN),
        "layer": pick(LAYER_ZH, LAYER_EN),
        "record": pick(RECORDS_ZH, {}),
        "value": _value,
        "limit": limit_text,
        "cite": lambda bases: "；".join(b.cite() for b in bases),
        "measures": _measures(guide),
        "chart_title": lambda f: _chart_title(guide, f.domain),
    }


def _chart_title(guide: Guide, domain: str) -> str:
    scope = next((s for s in guide.scopes if s.domain == domain), None)
    if scope is None:
        return _("核心闭环（各领域共用）", "core loop (every domain)")
    return scope.name_zh if language() == "zh" else scope.name_en


def _measures(guide: Guide) -> list[tuple[str, list[str]]]:
    """Each measure the items use, with the items using it, in the vocabulary's order."""
    out = []
    for m in MEASURES:
        codes = [i.code for i in guide.items if m in i.measures]
        if codes:
            out.append((m, codes))
    return out


def render_markdown(guide: Guide) -> str:
    ctx = _context(guide)
    ctx["mermaid"] = [(f, Verbatim(f.mermaid)) for f in guide.flowcharts]
    return _env(markdown=True).get_template("guide.md.j2").render(**ctx)


def render_html(guide: Guide) -> str:
    """A self-contained printable page (inline CSS and SVG, no scripts or external resources)."""
    return _env().get_template("guide.html.j2").render(**_context(guide))


def render_pdf(guide: Guide) -> bytes:
    """The HTML page as PDF (A4), drawn by WeasyPrint with the system's CJK font
    (``fonts-noto-cjk``)."""
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: WeasyPrint without Pango
        from ..errors import OnethingError

        raise OnethingError(
            _(
                f"生成 PDF 需要 WeasyPrint 及其系统库 Pango（make setup 会安装）：{exc}",
                f"PDF needs WeasyPrint and its system library Pango (make setup installs "
                f"them): {exc}",
            )
        ) from exc
    return weasyprint.HTML(string=render_html(guide)).write_pdf()
