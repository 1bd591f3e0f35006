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
    """HOOK guides: the compliance guides of every enabled domain into ``out/guides/``."""
    if not _have("onething.guide"):
        return None
    return None  # wired when onething.guide lands (see the demo's report)


def publications(app, out: Path, on: dt.date) -> list[Path] | None:
    """HOOK publications: the redacted publications of the cycle into ``out/publications/``."""
    if not _have("onething.publication"):
        return None
    return None  # wired when onething.publication lands (see the demo's report)
