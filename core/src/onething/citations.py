"""Outdated citations: a rule in force that cites an older revision of a law while the same
plugin cites a newer revision of that law elsewhere — the sign of an amendment half carried
through (a law amended since gets a dated new version; the entries still in force must follow).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from attrs import frozen

from . import rule_lists
from .model import Basis, in_force

if TYPE_CHECKING:
    from .plugins import DomainRules

_DATE = re.compile(r"((?:19|20)\d{2})(?:[-年.](\d{1,2})(?:[-月.](\d{1,2}))?)?")


def revision_date(revision: str | None) -> tuple[int, int | None, int | None] | None:
    """(year, month, day) of a revision label such as ``2021-04-29``, ``2024（国务院令第777号）``
    or ``商务部令2016年第2号修正``; ``None`` when it names no year."""
    m = _DATE.search(revision or "")
    if m is None:
        return None
    year, month, day = m.groups()
    return int(year), int(month) if month else None, int(day) if day else None


def older(a: tuple, b: tuple) -> bool:
    """Whether revision ``a`` is certainly older than ``b`` (a year alone is compared by year)."""
    if a[0] != b[0]:
        return a[0] < b[0]
    if None in a[1:] or None in b[1:]:
        return False
    return a < b


def law_key(law: str) -> str:
    """One name for a law however it is written: 《中华人民共和国食品安全法》 = 食品安全法."""
    return law.strip().strip("《》").removeprefix("中华人民共和国")


@frozen
class OutdatedCitation:
    domain: str
    kind: str
    """The rule list (``items``, ``elements``, ``parameters``, …)."""
    code: str
    law: str
    cited: str
    newest: str
    """The newest revision of the same law the plugin cites elsewhere."""


def _cited(rules: DomainRules) -> Iterator[tuple[str, str, object, tuple[Basis, ...]]]:
    """(kind, code, dated entry, basis) of every dated entry of one domain."""
    for rl in rule_lists.RULE_LISTS:
        for rule in getattr(rules, rl.field):
            code = getattr(rule, "code", None) or getattr(rule, "id", None) or rule.name
            if rl.field == "parameters":
                for v in rule.values:
                    yield rl.field, code, v, v.basis
            elif hasattr(rule, "effective_from"):
                yield rl.field, code, rule, rule.basis


def _revisions(basis: tuple[Basis, ...]) -> dict[str, list[tuple[tuple, Basis]]]:
    """The dated revisions one entry cites, by law."""
    cited: dict[str, list[tuple[tuple, Basis]]] = {}
    for b in basis:
        d = revision_date(b.revision)
        if d is not None:
            cited.setdefault(law_key(b.law), []).append((d, b))
    return cited


def outdated_citations(rules: Mapping[str, DomainRules], on: dt.date) -> list[OutdatedCitation]:
    """Open-ended entries in force on ``on`` citing only older revisions of a law than the newest
    their plugin cites elsewhere (``rules``: each enabled domain's rules, by name). A version that
    ends has been dated for the amendment already and is not listed."""
    out = []
    for domain, domain_rules in rules.items():
        entries = [
            (kind, code, entry, _revisions(basis))
            for kind, code, entry, basis in _cited(domain_rules)
        ]
        newest: dict[str, tuple[tuple, str]] = {}
        for *_entry, cited in entries:
            for key, revisions in cited.items():
                for d, b in revisions:
                    if key not in newest or older(newest[key][0], d):
                        newest[key] = (d, b.revision)
        for kind, code, entry, cited in entries:
            # a version with an end date has been dated on purpose (a successor follows it)
            if not in_force(entry, on) or entry.effective_to is not None:
                continue
            for key, revisions in cited.items():
                top = newest[key]
                # an entry that cites the newest revision beside an older one has followed
                if all(older(d, top[0]) for d, _b in revisions):
                    d, b = max(revisions, key=lambda r: r[0][0])
                    out.append(OutdatedCitation(domain, kind, code, b.law, b.revision, top[1]))
    return out
