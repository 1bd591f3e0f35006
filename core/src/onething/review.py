"""What a domain owner or a city must look at again: values in force that are unconfirmed,
not reviewed in time or marked verified without a source read, rules citing an outdated
revision of a law, and elements whose evidence can never fail. ``onething validate`` prints
this; a host platform calls :meth:`onething.Onething.review` for the same answer."""

from __future__ import annotations

import datetime as dt

from attrs import field, frozen

from .checklist.evidence import never_fails
from .citations import OutdatedCitation, outdated_citations
from .i18n import _
from .rulebook import ParameterInForce, Rulebook


@frozen
class Review:
    """The review findings of one deployment on one day (each list in rulebook order)."""

    on: dt.date
    unconfirmed: tuple[ParameterInForce, ...] = field(converter=tuple)
    """Values in force with status ``unconfirmed``: never to be taken for law."""
    not_reviewed: tuple[ParameterInForce, ...] = field(converter=tuple)
    """Values in force last reviewed more than ``max_age_days`` ago (silently outdated rules
    are the classic failure of rules as data)."""
    verified_without_source: tuple[ParameterInForce, ...] = field(converter=tuple)
    """Values marked verified although every basis entry is secondary or unconfirmed."""
    outdated_citations: tuple[OutdatedCitation, ...] = field(converter=tuple)
    elements_never_fail: tuple[str, ...] = field(converter=tuple)
    """One line per element whose evidence can never fail, or whose marks cannot act."""
    domains_without_rules: tuple[str, ...] = field(factory=tuple, converter=tuple)
    """Enabled domains with no item or no element in force: enabling them checks nothing."""
    provisional: tuple[str, ...] = field(factory=tuple, converter=tuple)
    """One line per field of an existing system's language not checked against a standard's
    text: the national code formats, the national codes in force that are not verified, and
    every provisional field and vocabulary of the exchange mappings
    (:func:`provisional_lines`)."""


def review(rulebook: Rulebook, on: dt.date, max_age_days: int) -> Review:
    """Review every enabled domain's rules in force on ``on`` (city layer applied)."""
    in_force = rulebook.parameters(on)
    limit = on - dt.timedelta(days=max_age_days)
    names = rulebook.domains.names
    return Review(
        on=on,
        unconfirmed=[p for p in in_force if p.status == "unconfirmed"],
        not_reviewed=[p for p in in_force if p.reviewed < limit],
        verified_without_source=[
            p
            for p in in_force
            if p.status == "verified" and not any(b.status == "verified" for b in p.basis)
        ],
        outdated_citations=outdated_citations({n: rulebook.rules(n) for n in names}, on),
        elements_never_fail=[
            line for n in names for line in never_fails(rulebook.rules(n).elements)
        ],
        domains_without_rules=[
            n for n in names if not rulebook.items(on, n) or not rulebook.elements(on, n)
        ],
        provisional=provisional_lines(rulebook, on),
    )


def provisional_lines(rulebook: Rulebook, on: dt.date) -> list[str]:
    """The provisional fields: what nobody may mistake for a checked standard."""
    from .exchange import provisional_fields  # the exchange reads the rulebook too
    from .model.dated import in_force
    from .model.national import FORMATS, NATIONAL_KINDS

    out = [
        _(
            f"格式 {NATIONAL_KINDS[k]}（{k}）：{f['text']}——待核对，{f['source_zh']}",
            f"format {NATIONAL_KINDS[k]} ({k}): {f['text_en']} — {f['status']}, {f['source']}",
        )
        for k, f in FORMATS.items()
        if f["status"] != "checked"
    ]
    out += [
        f"{rule.code}: {NATIONAL_KINDS[c.kind]} {c.code} ({c.status})"
        for rule in [*rulebook.items(on), *rulebook.elements(on)]
        for c in rule.national_codes
        if in_force(c, on) and c.status != "verified"
    ]
    return out + provisional_fields()
