"""Renderers of the joint checklist: Markdown and a self-contained printable HTML page (Jinja2
templates in ``templates/``), in the current language (Chinese first)."""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2

from ..departments import department_name
from ..i18n import _, language
from ..model import DIMENSIONS, METHODS, SEVERITIES
from .build import Checklist, Line
from .limits import limit_text

DIMENSIONS_EN = {
    "personnel": "Personnel",
    "equipment": "Equipment",
    "environment": "Environment",
    "rules": "Rules",
    "quality": "Product/service quality",
    "qualification": "Qualification",
}
SEVERITIES_EN = {
    "general": "minor",
    "serious": "serious",
    "severe": "severe",
    "major_hazard": "major hazard",
}
METHODS_EN = {
    "document": "documents",
    "onsite": "on-site",
    "inquiry": "inquiry",
    "sampling_test": "sampling test",
    "instrument": "instrument",
    "system_check": "system check",
}


@cache
def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("onething.checklist", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _dept_name(code: str) -> str:
    return department_name(code, "city", language())


def _evidence_fields(schema: dict[str, Any]) -> list[str]:
    """What the inspector fills in, as short field names from the evidence schema."""
    if schema.get("type") == "boolean":
        return []
    return [
        k + ("*" if k in schema.get("required", ()) else "") for k in schema.get("properties", {})
    ]


def _context(checklist: Checklist) -> dict[str, Any]:
    zh = language() == "zh"
    groups: list[tuple[str, list[Line]]] = []
    for dim in DIMENSIONS:
        lines = [ln for ln in checklist.lines if ln.dimension == dim]
        if lines:
            groups.append(((DIMENSIONS if zh else DIMENSIONS_EN)[dim], lines))
    return {
        "c": checklist,
        "groups": groups,
        "zh": zh,
        "dept": _dept_name,
        "severity": (SEVERITIES if zh else SEVERITIES_EN).get,
        "method": lambda m: (METHODS if zh else METHODS_EN).get(m, m),
        "fields": _evidence_fields,
        "label": lambda x: x.label_zh if zh else x.label_en,
        "solo": checklist.solo_points(),
        "saved": checklist.saved(),
        "t": _,
        "limit": limit_text,
    }


def render_markdown(checklist: Checklist) -> str:
    return _env().get_template("checklist.md.j2").render(**_context(checklist))


def render_html(checklist: Checklist) -> str:
    """A self-contained printable page (inline CSS, no scripts, no external resources)."""
    return _env().get_template("checklist.html.j2").render(**_context(checklist))
