"""Tables for the terminal, drawn as Rich's heavy-head box without Rich: ``onething params``
prints 522 rows, and Rich's measuring, wrapping and cropping of 5,220 cells took about 0.3 s
of CPU alone (#31). As Rich did: a column too wide for the terminal wraps its cells at spaces,
and a word longer than the column is cut with "…"."""

from __future__ import annotations

import os
import shutil
import sys
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, TextIO

#: Narrowest a table is drawn (the width Rich was given before: at least 100 columns).
MIN_WIDTH = 100


@lru_cache(maxsize=4096)
def cell_width(text: str) -> int:
    """Columns ``text`` takes on a terminal: wide and full-width (CJK) characters two,
    combining marks none."""
    if text.isascii():
        return len(text)
    width = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def crop(text: str, width: int) -> str:
    """``text`` cut to ``width`` columns, its last column "…" when cut."""
    if cell_width(text) <= width:
        return text
    out, used = [], 0
    for ch in text:
        w = cell_width(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


def wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` columns, broken at spaces; a word wider than
    that cut (:func:`crop`)."""
    if cell_width(text) <= width:
        return [text]
    lines: list[str] = []
    current, used = "", 0
    for word in text.split():
        w = cell_width(word)
        if current and used + 1 + w <= width:
            current, used = current + " " + word, used + 1 + w
            continue
        if current:
            lines.append(current)
        current, used = crop(word, width), min(w, width)
    lines.append(current)
    return lines


def terminal_width(stream: TextIO) -> int:
    """The terminal's width (``COLUMNS`` when set, 80 when not a terminal), at least
    :data:`MIN_WIDTH`."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit():
        width = int(columns)
    elif stream.isatty():
        width = shutil.get_terminal_size().columns
    else:
        width = 80
    return max(MIN_WIDTH, width)


def fit(natural: Sequence[int], room: int) -> list[int]:
    """Column widths within ``room`` columns of text: the widest columns cut down to one
    common width, the narrower ones kept whole (each at least one column)."""
    if sum(natural) <= room:
        return list(natural)
    cap = max(natural)
    lo, hi = 1, cap
    while lo < hi:  # the largest cap that fits
        mid = (lo + hi + 1) // 2
        if sum(min(n, mid) for n in natural) <= room:
            lo = mid
        else:
            hi = mid - 1
    widths = [min(n, lo) for n in natural]
    spare = room - sum(widths)
    for i, n in enumerate(natural):  # the columns left wider than the cap, in order
        if spare <= 0:
            break
        if n > widths[i]:
            widths[i] += 1
            spare -= 1
    return widths


def render(title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], width: int) -> str:
    """The table as text, at most ``width`` columns wide."""
    cells = [["" if v is None else str(v).replace("\n", " ") for v in r] for r in rows]
    natural = [cell_width(c) for c in columns]
    for r in cells:
        for i, c in enumerate(r):
            w = cell_width(c)
            if w > natural[i]:
                natural[i] = w
    n = len(columns)
    widths = fit(natural, max(n, width - (3 * n + 1)))

    def line(values: Sequence[str], bar: str) -> list[str]:
        wrapped = [wrap(v, w) for v, w in zip(values, widths, strict=True)]
        out = []
        for k in range(max(len(c) for c in wrapped)):
            parts = []
            for c, w in zip(wrapped, widths, strict=True):
                v = c[k] if k < len(c) else ""
                parts.append(" " + v + " " * (w - cell_width(v)) + " ")
            out.append(bar + bar.join(parts) + bar)
        return out

    def rule(left: str, fill: str, mid: str, right: str) -> str:
        return left + mid.join(fill * (w + 2) for w in widths) + right

    total = sum(widths) + 3 * n + 1
    out = []
    if title:
        title = crop(title, total)
        pad = total - cell_width(title)
        out.append(" " * (pad // 2) + title + " " * (pad - pad // 2))
    out.append(rule("┏", "━", "┳", "┓"))
    out.extend(line(columns, "┃"))
    out.append(rule("┡", "━", "╇", "┩"))
    for r in cells:
        out.extend(line(r, "│"))
    out.append(rule("└", "─", "┴", "┘"))
    return "\n".join(out) + "\n"


def print_table(
    title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], stream: TextIO | None = None
) -> None:
    """Print the table on ``stream`` (standard output), as wide as the terminal."""
    stream = stream or sys.stdout
    stream.write(render(title, columns, rows, terminal_width(stream)))
