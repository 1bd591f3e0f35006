"""Listing the elements (监管要素) in force, and the conflicts between domains' limits for one
canonical check point (for the departments' consultation)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from ..check_points import catalogue
from ..model import Element, converter
from ..rulebook import Rulebook
from .limits import LimitConflict, conflicts_among, resolve


def element_json(rulebook: Rulebook, element: Element, on: dt.date) -> dict[str, Any]:
    """The documented JSON form of one element on a day (``onething elements list``)."""
    lim = resolve(rulebook, element, on)
    return {
        "code": element.code,
        "domain": element.domain,
        "canonical": element.canonical,
        "shared": element.canonical in catalogue(),
        "dimension": element.dimension,
        "label_zh": element.label_zh,
        "label_en": element.label_en,
        "methods": list(element.methods),
        "items": list(element.items),
        "departments": list(element.departments),
        "basis": [converter.unstructure(b) for b in element.basis],
        "severity": element.severity,
        "evidence_schema": element.evidence_schema,
        "limit": lim.as_json() if lim else None,
        "effective_from": element.effective_from.isoformat(),
        "effective_to": element.effective_to.isoformat() if element.effective_to else None,
    }


def list_elements(rulebook: Rulebook, on: dt.date, domain: str | None = None) -> list[Element]:
    """Elements in force on ``on``, by code."""
    return sorted(rulebook.elements(on, domain), key=lambda e: e.code)


def conflicts(rulebook: Rulebook, on: dt.date, domain: str | None = None) -> list[LimitConflict]:
    """Pairs of elements sharing a canonical code whose limits, resolved on ``on``, differ in
    threshold, unit, kind of bound or frequency. With ``domain``, only pairs involving it."""
    by_canonical: dict[str, list] = defaultdict(list)
    for el in rulebook.elements(on):
        lim = resolve(rulebook, el, on)
        if lim is not None:
            by_canonical[el.canonical].append((el, lim))
    out = []
    for canonical in sorted(by_canonical):
        for c in conflicts_among(canonical, by_canonical[canonical]):
            if domain is None or domain in (c.a.domain, c.b.domain):
                out.append(c)
    return out
