"""Writing a plan: ``plan.json``, ``plan.csv`` (one row per task), ``summary.html`` (Chinese,
Jinja2) and the joint checklists of the first visits (``checklists/<n>.html``)."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from operator import methodcaller
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from ..departments import department_name
from ..outfiles import FORMULA_START, atomic_write, check_folder, escape_row, write_atomic
from ..rulebook import Rulebook
from ..store import Store
from .document import PlanDocument, file_text

CSV_COLUMNS = (
    "task",
    "kind",
    "key",
    "item",
    "domain",
    "departments",
    "stratum",
    "due",
    "visit",
    "joint",
    "inspectors",
    "status",
)


PLAN_FILES = {"json": "plan.json", "csv": "plan.csv", "html": "summary.html"}


def plan_files(doc: dict[str, Any] | PlanDocument, checklists: int = 0) -> list[str]:
    """The files a plan's draw writes into its folder: the plan's three and the checklists of
    its first ``checklists`` visits (to check them all before writing any)."""
    return [*PLAN_FILES.values(), *_checklist_names(doc, checklists)]


def _first_visits(doc: dict[str, Any] | PlanDocument, first: int) -> list[tuple[str, list[str]]]:
    """(key, items) of the first ``first`` visits."""
    if isinstance(doc, PlanDocument):
        return [(v.key, list(v.items)) for v in doc.visits[:first]]
    return [(v["key"], v["items"]) for v in doc["visits"][:first]]


def _checklist_names(doc: dict[str, Any] | PlanDocument, first: int) -> list[str]:
    return [
        f"checklists/{n:03d}-{key}.html" for n, (key, _) in enumerate(_first_visits(doc, first), 1)
    ]


def write_plan(
    doc: dict[str, Any] | PlanDocument, out: Path, *, force: bool = False
) -> dict[str, Path]:
    """``plan.json`` (:func:`~.document.file_text`), ``plan.csv`` and ``summary.html`` in
    ``out`` (created if missing); an existing one of them only with ``force``, each through a
    temporary file. ``doc``: a plan's JSON values, or its document (written from it directly,
    no JSON values built: #31)."""
    check_folder(out, PLAN_FILES.values(), force=force)
    out.mkdir(parents=True, exist_ok=True)
    paths = {k: out / name for k, name in PLAN_FILES.items()}
    if isinstance(doc, PlanDocument):
        write_atomic(paths["json"], doc.file_bytes(), force=True)  # checked above
        rows = _csv_rows(doc)
        # the summary's values without the long lists it does not show
        html_doc = doc.as_json_without("tasks", "visits", "assignments", "unplaced")
    else:
        write_atomic(paths["json"], file_text(doc), force=True)  # checked above
        rows = _csv_rows_of_values(doc)
        html_doc = doc
    with atomic_write(paths["csv"], force=True) as f:
        f.write("\ufeff")  # a BOM, so that Excel reads the CSV as UTF-8
        w = csv.writer(f)
        w.writerow(CSV_COLUMNS)
        w.writerows(rows)
    env = Environment(
        loader=PackageLoader("onething.planning", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
    )
    html = env.get_template("summary.html.j2").render(
        doc=html_doc, s=html_doc["summary"], dept=lambda c: department_name(c, "city")
    )
    write_atomic(paths["html"], html, force=True)
    return paths


def _csv_rows(doc: PlanDocument) -> Iterator[list[str]]:
    """plan.csv's rows, one per task (cells that look like formulas escaped)."""
    visit_of = {t: v for v in doc.visits for t in v.tasks}
    staff: dict[str, list[str]] = {}
    for a in doc.assignments:
        staff.setdefault(a.visit, []).append(a.inspector)
    infeasible = {x.visit for x in doc.infeasible}
    unplaced = {x.task for x in doc.unplaced}
    offsite = {x.task for x in doc.offsite_checks or ()}
    risky = methodcaller("startswith", FORMULA_START)
    for t in doc.tasks:
        v = visit_of.get(t.id)
        status = (
            "offsite"  # an off-site check (a vehicle, a driver): no visit
            if t.id in offsite
            else "unplaced:visit_cap"
            if t.id in unplaced
            else "infeasible"
            if v and v.id in infeasible
            else "planned"
        )
        row = [
            t.id,
            t.kind,
            t.key,
            t.item,
            t.domain,
            ";".join(t.departments),
            t.stratum or "",
            t.due.isoformat() if t.due else "",
            v.id if v else "",
            "" if not v else ("1" if v.joint else "0"),
            ";".join(staff.get(v.id, [])) if v else "",
            status,
        ]
        yield escape_row(row) if any(map(risky, row)) else row


def _csv_rows_of_values(doc: dict[str, Any]) -> Iterator[list[str]]:
    """:func:`_csv_rows` of a plan's JSON values."""
    visit_of = {t: v for v in doc["visits"] for t in v["tasks"]}
    staff: dict[str, list[str]] = {}
    for a in doc["assignments"]:
        staff.setdefault(a["visit"], []).append(a["inspector"])
    infeasible = {x["visit"] for x in doc["infeasible"]}
    unplaced = {x["task"] for x in doc["unplaced"]}
    offsite = {x["task"] for x in doc.get("offsite_checks", [])}
    for t in doc["tasks"]:
        v = visit_of.get(t["id"])
        status = (
            "offsite"
            if t["id"] in offsite
            else "unplaced:visit_cap"
            if t["id"] in unplaced
            else "infeasible"
            if v and v["id"] in infeasible
            else "planned"
        )
        yield escape_row(
            [
                t["id"],
                t["kind"],
                t["key"],
                t["item"],
                t["domain"],
                ";".join(t["departments"]),
                t["stratum"] or "",
                t["due"] or "",
                v["id"] if v else "",
                "" if not v else ("1" if v["joint"] else "0"),
                ";".join(staff.get(v["id"], [])) if v else "",
                status,
            ]
        )


def write_checklists(
    doc: dict[str, Any] | PlanDocument,
    rulebook: Rulebook,
    out: Path,
    first: int = 5,
    store: Store | None = None,
    *,
    force: bool = False,
) -> list[Path]:
    """The joint checklist (``onething.checklist``) of each of the first ``first`` visits in
    ``out/checklists/`` (an existing one only with ``force``); with ``store``, the checklist
    names the object as the registry does."""
    from ..checklist import build_checklist, render_html
    from ..registry import get_object

    on = (
        doc.window.start
        if isinstance(doc, PlanDocument)
        else dt.date.fromisoformat(doc["window"]["start"])
    )
    names = _checklist_names(doc, first)
    check_folder(out, names, force=force)
    (out / "checklists").mkdir(parents=True, exist_ok=True)
    paths = []
    for name, (key, items) in zip(names, _first_visits(doc, first), strict=True):
        obj = get_object(store, key) if store is not None else None
        checklist = build_checklist(
            rulebook, items, on, object_key=key, object_name=obj.name if obj else None
        )
        p = out / name
        write_atomic(p, render_html(checklist), force=True)
        paths.append(p)
    return paths
