"""Elements and the joint checklist (监管要素 · 联合检查表): one visit, every department's check
points, each once; inspection records, department views (结果互认) and findings.

Public API:

* :func:`list_elements`, :func:`element_json`, :func:`conflicts` — elements in force and the
  limits two domains disagree on for one canonical check point;
* :func:`build_checklist` → :class:`Checklist` (``.view(department)``, ``.saved()``,
  ``.as_json()``); :func:`render_markdown`, :func:`render_html`;
* :func:`check_record`, :func:`load_record` → :class:`Record` (``.view(department)``);
  :func:`iter_findings` streams :class:`onething.model.Finding`. A record is stored with its
  cases by :func:`onething.loop.inspections.add_record` (the loop builds on the checklist).
"""

from .build import Checklist, ChecklistElement, Line, build_checklist
from .elements import conflicts, element_json, list_elements
from .evidence import failures, validate
from .limits import LimitConflict, ResolvedLimit, resolve, strictest
from .records import (
    EvidenceEntry,
    Inspector,
    Record,
    check_record,
    checklist_for_record,
    iter_findings,
    load_record,
    read_record_file,
)
from .render import render_html, render_markdown

__all__ = [
    "Checklist",
    "ChecklistElement",
    "EvidenceEntry",
    "Inspector",
    "LimitConflict",
    "Line",
    "Record",
    "ResolvedLimit",
    "build_checklist",
    "check_record",
    "checklist_for_record",
    "conflicts",
    "element_json",
    "failures",
    "iter_findings",
    "list_elements",
    "load_record",
    "read_record_file",
    "render_html",
    "render_markdown",
    "resolve",
    "strictest",
    "validate",
]
