"""Writing a plan: ``plan.json``, ``plan.csv`` (one row per task), ``summary.html`` (Chinese,
Jinja2) and the joint checklists of the first visits (``checklists/<n>.html``)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from ..departments import department_name
from ..outfiles import atomic_write, check_folder, escape_row, write_atomic
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


def plan_files(doc: dict[str, Any], checklists: int = 0) -> list[str]:
    """The files a plan's draw writes into its folder: the plan's three and the checklists of
    its first ``checklists`` visits (to check them all before writing any)."""
    return [*PLAN_FILES.values(), *_checklist_names(doc, checklists)]


def _checklist_names(doc: dict[str, Any], first: int) -> list[str]:
    return [f"checklists/{n:03d}-{v['key']}.html" for n, v in enumerate(doc["visits"][:first], 1)]


def write_plan(
    doc: dict[str, Any] | PlanDocument, out: Path, *, force: bool = False
) -> dict[str, Path]:
    """``plan.json`` (:func:`~.document.file_text`), ``plan.csv`` and ``summary.html`` in
    ``out`` (created if missing); an existing one of them only with ``force``, each through a
    temporary file. ``doc``: a plan's JSON values, or its document."""
    if isinstance(doc, PlanDocument):
        doc = doc.as_json()
    check_folder(out, PLAN_FILES.values(), force=force)
    out.mkdir(parents=True, exist_ok=True)
    paths = {k: out / name for k, name in PLAN_FILES.items()}
    write_atomic(paths["json"], file_text(doc), force=True)  # checked above
    visit_of = {t: v for v in doc["visits"] for t in v["tasks"]}
    staff: dict[str, list[str]] = {}
    for a in doc["assignments"]:
        staff.setdefault(a["visit"], []).append(a["inspector"])
    infeasible = {x["visit"] for x in doc["infeasible"]}
    unplaced = {x["task"] for x in doc["unplaced"]}
    offsite = {x["task"] for x in doc.get("offsite_checks", [])}
    with atomic_write(paths["csv"], force=True) as f:
        f.write("\ufeff")  # a BOM, so that Excel reads the CSV as UTF-8
        w = csv.writer(f)
        w.writerow(CSV_COLUMNS)
        for t in doc["tasks"]:
            v = visit_of.get(t["id"])
            status = (
                "offsite"  # an off-site check (a vehicle, a driver): no visit
                if t["id"] in offsite
                else "unplaced:visit_cap"
                if t["id"] in unplaced
                else "infeasible"
                if v and v["id"] in infeasible
                else "planned"
            )
            w.writerow(
                escape_row(
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
            )
    env = Environment(
        loader=PackageLoader("onething.planning", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
    )
    html = env.get_template("summary.html.j2").render(
        doc=doc, s=doc["summary"], dept=lambda c: department_name(c, "city")
    )
    write_atomic(paths["html"], html, force=True)
    return paths


def write_checklists(
    doc: dict[str, Any],
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

    on = dt.date.fromisoformat(doc["window"]["start"])
    names = _checklist_names(doc, first)
    check_folder(out, names, force=force)
    (out / "checklists").mkdir(parents=True, exist_ok=True)
    paths = []
    for name, v in zip(names, doc["visits"][:first], strict=True):
        obj = get_object(store, v["key"]) if store is not None else None
        checklist = build_checklist(
            rulebook, v["items"], on, object_key=v["key"], object_name=obj.name if obj else None
        )
        p = out / name
        write_atomic(p, render_html(checklist), force=True)
        paths.append(p)
    return paths
