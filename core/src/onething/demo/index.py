"""``index.html``: the one page a newcomer opens first, linking everything the demo wrote."""

from __future__ import annotations

import os
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from ..i18n import _, language
from ..outfiles import write_atomic

#: Figures of the evaluation shown on the index page.
HEADLINE = (
    "visits.per_business",
    "visits.joint_share",
    "checkpoints.saved",
    "findings.visit_rate",
    "loop.closure_rate",
    "loop.overdue_steps",
    "warnings.proved_right",
)


#: The loop paths the simulation walks (demo.walk), as a reader calls them.
PATH_NAMES = {
    "rectified": ("整改到位并办结", "rectified and closed"),
    "not_rectified": ("逾期未整改、处罚", "not rectified, penalised"),
    "referred": ("移送", "referred"),
    "penalised": ("立案处罚", "penalised"),
    "sanctioned": ("严重违法处罚、联合惩戒", "serious penalty, joint sanction"),
    "in_rectification": ("整改期内", "in rectification"),
    "overdue": ("整改超期", "rectification overdue"),
    "handling": ("核查处置中", "still being handled"),
    "dismissed": ("研判排除", "dismissed after assessment"),
    "not_established": ("核查不属实", "not established"),
}


def _href(out: Path, path: Path) -> str:
    rel = Path(os.path.relpath(path, out)).as_posix()
    return rel + "/" if path.is_dir() else rel


def _folder(path: Path) -> list[Path]:
    return sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))


def write_index(app, out: Path, result, cycle: str) -> Path:
    from ..evaluation import rows  # noqa: F401  (the evaluation is written before the index)

    env = Environment(
        loader=PackageLoader("onething.demo", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
    )
    links = []
    for what, path in result.written:
        files = _folder(path) if path.is_dir() else []
        links.append(
            {
                "what": what,
                "href": _href(out, path),
                "name": _href(out, path),
                "files": [(_href(out, f), f.name) for f in files[:12]],
                "more": max(0, len(files) - 12),
            }
        )
    f = result.figures
    labels = getattr(result, "labels", {})
    html = env.get_template("index.html.j2").render(
        lang=language(),
        t=_,
        name=app.deployment.name,
        region=app.deployment.region,
        cycle=cycle,
        links=links,
        figures=f,
        evaluation=f.get("evaluation", {}),
        headline=HEADLINE,
        labels=labels,
        path_names={k: _(*v) for k, v in PATH_NAMES.items()},
        missing=result.missing,
    )
    path = out / "index.html"
    write_atomic(path, html, force=True)
    return path
