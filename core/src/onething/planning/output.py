"""Writing a plan: ``plan.json``, ``plan.csv`` (one row per task), ``summary.html`` (Chinese,
Jinja2) and the joint checklists of the first visits (``checklists/<n>.html``)."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from ..departments import department_name
from ..outfiles import escape_row
from ..rulebook import Rulebook
from ..store import Store

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


def write_plan(doc: dict[str, Any], out: Path) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = {"json": out / "plan.json", "csv": out / "plan.csv", "html": out / "summary.html"}
    paths["json"].write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", "utf-8")
    visit_of = {t: v for v in doc["visits"] for t in v["tasks"]}
    staff: dict[str, list[str]] = {}
    for a in doc["assignments"]:
        staff.setdefault(a["visit"], []).append(a["inspector"])
    infeasible = {x["visit"] for x in doc["infeasible"]}
    unplaced = {x["task"] for x in doc["unplaced"]}
    with paths["csv"].open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(CSV_COLUMNS)
        for t in doc["tasks"]:
            v = visit_of.get(t["id"])
            status = (
                "unplaced:visit_cap"
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
    paths["html"].write_text(html, "utf-8")
    return paths


def write_checklists(
    doc: dict[str, Any], rulebook: Rulebook, out: Path, first: int = 5, store: Store | None = None
) -> list[Path]:
    """The joint checklist (``onething.checklist``) of each of the first ``first`` visits;
    with ``store``, the checklist names the object as the registry does."""
    from ..checklist import build_checklist, render_html
    from ..registry import get_object

    on = dt.date.fromisoformat(doc["window"]["start"])
    folder = out / "checklists"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n, v in enumerate(doc["visits"][:first], 1):
        obj = get_object(store, v["key"]) if store is not None else None
        checklist = build_checklist(
            rulebook, v["items"], on, object_key=v["key"], object_name=obj.name if obj else None
        )
        p = folder / f"{n:03d}-{v['key']}.html"
        p.write_text(render_html(checklist), "utf-8")
        paths.append(p)
    return paths
