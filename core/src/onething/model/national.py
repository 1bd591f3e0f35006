"""National item codes (国家监管事项编码): the codes an item or element has in the existing
互联网+监管 systems, so that onething's records can be uploaded under them.

Two kinds, each dated (a catalogue is re-issued; an implementing body's code changes when the
body is reorganised) and each optional (a domain owner fills in only what it knows):

* ``catalogue`` — 监管事项目录编码, the national catalogue's code of the duty;
* ``implementation`` — 监管事项检查实施清单编码, the province's code of one implementing body's
  inspection of that duty.

Formats (:data:`FORMATS`) are **provisional**: taken from public implementations of the
uploads, not from a standard's text (DB23/T 2833-2021 §6.1.1.2, read in a preview only, says
the behaviour data joins the item list by the 检查实施清单编码; the code layout itself was not
read). ``onething validate`` lists every national code in force as provisional until its
``status`` is ``verified``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from typing import Literal

from attrs import frozen

from ..i18n import _
from .basis import Status
from .dated import ends_before_start, overlapping_pairs, version_on

NationalKind = Literal["catalogue", "implementation"]
NATIONAL_KINDS: dict[str, str] = {
    "catalogue": "监管事项目录编码",
    "implementation": "检查实施清单编码",
}
NATIONAL_KINDS_EN: dict[str, str] = {
    "catalogue": "national catalogue code",
    "implementation": "inspection implementation list code",
}

#: The format each kind is checked against, and how far that format was checked.
FORMATS: dict[str, dict[str, str]] = {
    "catalogue": {
        "pattern": r"^[0-9]{14}$",
        "text": "14 位数字",
        "text_en": "14 digits",
        "status": "provisional",
        "source": "public implementations of the national upload (no standard text read)",
        "source_zh": "据国家上报接口的公开实现整理（未读标准原文）",
    },
    "implementation": {
        "pattern": r"^[0-9A-HJ-NPQRTUWXY]{18}[1-5][0-9A-Za-z]{1,31}$",
        "text": "实施机构的 18 位统一社会信用代码（校验位正确）+ 第 19 位 1–5 + 其后 1–31 位字母数字",
        "text_en": (
            "the implementing body's 18-character unified social credit code (check character "
            "valid), then a 19th character 1-5, then 1-31 letters or digits"
        ),
        "status": "provisional",
        "source": "public implementations of the provincial uploads (no standard text read)",
        "source_zh": "据各省上报接口的公开实现整理（未读标准原文）",
    },
}


@frozen
class NationalCode:
    """One dated code of an item (or element) in an existing system's catalogue."""

    kind: NationalKind
    code: str
    effective_from: dt.date
    effective_to: dt.date | None = None
    status: Status = "unconfirmed"
    """How far the code itself was checked against the published catalogue."""
    source: str | None = None
    """Where the code was read: the catalogue's name and edition, or the file imported."""
    region: str | None = None
    """For ``implementation``: the province (GB/T 2260) whose list it belongs to."""


def _kind_name(kind: str) -> str:
    return _(NATIONAL_KINDS[kind], NATIONAL_KINDS_EN[kind])


def code_problem(kind: str, code: str) -> str | None:
    """Why ``code`` is not a valid code of ``kind`` (``None`` when it is)."""
    fmt = FORMATS.get(kind)
    if fmt is None:
        return _(
            f"未知的国家编码种类 {kind!r}；应为 {'、'.join(FORMATS)}",
            f"unknown national code kind {kind!r}; expected {', '.join(FORMATS)}",
        )
    name = _kind_name(kind)
    if not re.match(fmt["pattern"], code):
        return _(
            f"{name} {code!r} 不是{fmt['text']}（暂定格式）",
            f"{name} {code!r} is not {fmt['text_en']} (provisional format)",
        )
    if kind == "implementation":
        from ..registry.uscc import verify  # the registry owns GB 32100

        if verify(code[:18]) != "ok":
            return _(
                f"{name} {code!r}：前 18 位不是校验位正确的统一社会信用代码（GB 32100-2015）",
                f"{name} {code!r}: its first 18 characters are not a unified social credit code "
                "with a valid check character (GB 32100-2015)",
            )
    return None


def problems(codes: Sequence[NationalCode], where: str) -> list[str]:
    """Every problem of one item's (or element's) national codes: format, dates, overlaps."""
    out = [f"{where}: {p}" for c in codes if (p := code_problem(c.kind, c.code)) is not None]
    for kind in NATIONAL_KINDS:
        mine = [c for c in codes if c.kind == kind]
        by_region: dict[str | None, list[NationalCode]] = {}
        for c in mine:
            by_region.setdefault(c.region, []).append(c)
        for vs in by_region.values():
            name = _kind_name(kind)
            out += [
                _(
                    f"{where}：{name} {c.code}：失效日 {c.effective_to} 不晚于生效日 "
                    f"{c.effective_from}",
                    f"{where}: {name} {c.code}: effective_to {c.effective_to} is not after "
                    f"effective_from {c.effective_from}",
                )
                for c in ends_before_start(vs)
            ]
            out += [
                _(
                    f"{where}：{name} {a.code} 与 {b.code} 重叠（自 {a.effective_from} 和自 "
                    f"{b.effective_from} 起）：同一种类同时只能有一个编码",
                    f"{where}: {name} {a.code} and {b.code} overlap (from {a.effective_from} "
                    f"and {b.effective_from}): one code of a kind at a time",
                )
                for a, b in overlapping_pairs(vs)
            ]
    return out


def code_on(
    codes: Iterable[NationalCode], kind: str, on: dt.date, region: str | None = None
) -> NationalCode | None:
    """The code of ``kind`` in force on ``on`` (for ``implementation``: of ``region``'s list
    when one is given and coded, else the code without a region)."""
    mine = [c for c in codes if c.kind == kind]
    if region is not None:
        hit = version_on([c for c in mine if c.region == region], on)
        if hit is not None:
            return hit
    return version_on([c for c in mine if c.region is None], on) or (
        version_on(mine, on) if region is None else None
    )
