"""Hook points for the parts of the main job other engines render: the compliance guides
(合规指引, ``onething.guide``) and the publications (公示, ``onething.publication``). Each
returns the files it wrote, or ``None`` when this installation has no such engine yet — the
demo then says so in its table and on the index page instead of failing."""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path


def _have(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def guides(app, out: Path, on: dt.date) -> list[Path] | None:
    """The compliance guides (HTML, self-contained) of every enabled domain and the unified
    guide of the deployment (``all.html``) into ``out/guides/``, as ``onething guide --all``."""
    if not _have("onething.guide"):
        return None
    from ..guide import build_guide, render_html
    from ..outfiles import write_atomic

    rulebook = app.rulebook
    folder = out / "guides"
    folder.mkdir(exist_ok=True)
    scopes = [(d, d) for d in rulebook.domains.names] + [("all", None)]
    paths = []
    for name, domain in scopes:
        path = folder / f"{name}.html"
        write_atomic(path, render_html(build_guide(rulebook, on, domain)), force=True)
        paths.append(path)
    return paths


def publications(app, out: Path, on: dt.date) -> list[Path] | None:
    """The publications up at the end of ``on`` (penalties, sanctions, inspection results,
    redacted) as feeds in ``out/publications/``: ``onething.publication.publish``, the host's
    one call, once that engine is installed."""
    if not _have("onething.publication"):
        return None
    from ..publication import publish

    return list(publish(app, at=on, out=out / "publications", force=True).files)
