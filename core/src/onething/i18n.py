"""Chinese first, English available: the language of labels, help and messages.

The language comes from ``--lang`` on the command line, else ``ONETHING_LANG``, else the
deployment's ``language``, else Chinese.
"""

from __future__ import annotations

import os
from contextvars import ContextVar

LANGUAGES = ("zh", "en")

#: The CJK font the Makefile installs (Debian fonts-noto-cjk), for Chinese text in charts.
CJK_FONT = "Noto Sans CJK SC"
_current: ContextVar[str] = ContextVar("onething_lang", default="")


def set_language(lang: str) -> None:
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, got {lang!r}")
    _current.set(lang)


def language() -> str:
    return _current.get() or os.environ.get("ONETHING_LANG", "zh").split("_")[0] or "zh"


def _(zh: str, en: str) -> str:
    """Pick the text for the current language."""
    return en if language() == "en" else zh


def label(obj: object, field: str = "label") -> str:
    """``obj.<field>_zh`` or ``obj.<field>_en`` by the current language."""
    return getattr(obj, f"{field}_{'en' if language() == 'en' else 'zh'}")
