"""结果全公开 (publication): records derived from the store, redacted, dated, published as
feeds, superseded on correction and withdrawn on credit repair or at the end of their period.

The host's one call is :func:`publish`; ``onething publish`` is a thin layer over it. See
``docs/publication.md``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from attrs import field, frozen

from ..conditions import holds
from ..model import PublicationRule
from ..model.dated import in_force
from ..outfiles import check_folder, sqlite_file
from ..rulebook import Rulebook
from ..store import Store
from ..workdays import LOCAL_ZONE, Calendar
from . import feeds
from .periods import deadline, display_end, repair_from
from .records import (
    NAME_FIELDS,
    LicenceScope,
    Source,
    case_sources,
    licence_sources,
    plan_sources,
    record_sources,
)
from .redaction import KnownNames, Policy, Redaction, person_names, redact
from .state import Candidate, Change, history, shown, sync

__all__ = [
    "Change",
    "KnownNames",
    "Policy",
    "PublishResult",
    "Redaction",
    "choose_rule",
    "history",
    "policies_of",
    "publish",
    "redact",
]


@frozen
class PublishResult:
    """What one :func:`publish` did. ``went_up`` and ``came_down`` are this run's changes; a
    second run on the same day and data has none of either."""

    at: dt.datetime
    changes: tuple[Change, ...] = field(converter=tuple)
    unchanged: int
    shown: int
    """records up after the run (what the feeds hold)"""
    unpublished: Mapping[str, int]
    """sources without a rule in force, by record kind (nothing to publish them under)"""
    files: tuple[Path, ...] = field(converter=tuple)

    @property
    def went_up(self) -> list[Change]:
        return [c for c in self.changes if c.what in ("up", "corrected")]

    @property
    def came_down(self) -> list[Change]:
        return [c for c in self.changes if c.what in ("withdrawn", "expired")]

    @property
    def refused(self) -> list[Change]:
        """Credit repairs that cannot take a penalty down (yet): it stays up (公示规定
        第十四条; 信用修复管理办法 第六条)."""
        return [c for c in self.changes if c.what == "repair_refused"]

    def as_json(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "went_up": [c.as_json() for c in self.went_up],
            "came_down": [c.as_json() for c in self.came_down],
            "repair_refused": [c.as_json() for c in self.refused],
            "unchanged": self.unchanged,
            "shown": self.shown,
            "unpublished": dict(self.unpublished),
            "files": [str(p) for p in self.files],
        }


def choose_rule(rules: list[PublicationRule], source: Source) -> PublicationRule | None:
    """The rule a source is published under: of its record kind, in force on the day it was
    decided; a rule whose ``when`` holds before one without (first by code)."""
    fit = [
        r
        for r in rules
        if r.record == source.record
        and in_force(r, source.decided_on)
        and (r.when is None or holds(r.when, source.facts))
    ]
    fit.sort(key=lambda r: (r.when is None, r.code))
    return fit[0] if fit else None


def policies_of(config: Mapping[str, Any] | None, domains: list[str]) -> dict[str, Policy]:
    """Each domain's policy from the deployment's ``[[publication.policy]]`` tables
    (``domain = "*"`` for every domain; a domain's own table adds to it)."""
    tables = list((config or {}).get("policy", []))
    out = {}
    for d in domains:
        withhold: dict[str, str] = {}
        keep: set[str] = set()
        for t in tables:
            if t.get("domain", "*") in ("*", d):
                withhold.update(t.get("withhold", {}))
                keep.update(t.get("keep", []))
        out[d] = Policy(withhold, keep)
    return out


#: Fields published as they are (a business's name; a plan's sample lists businesses only).
KEPT = frozenset({*NAME_FIELDS, "sampled"})


def _publishing(rulebook: Rulebook, record: str) -> list[str]:
    """The enabled domains with a publication rule of ``record`` kind."""
    return [
        d
        for d in rulebook.domains.names
        if any(r.record == record for r in rulebook.rules(d).publication_rules)
    ]


def licence_scopes(rulebook: Rulebook) -> dict[str, LicenceScope]:
    """The licences each domain with a licence rule publishes: its declared licence
    (``synth_licence``: kind and issuing department), or its lead department's."""
    out = {}
    for d in _publishing(rulebook, "licence"):
        desc = rulebook.rules(d).description
        own = desc.synth_licence
        out[d] = (
            LicenceScope(own.kind, own.department)
            if own is not None
            else LicenceScope(None, desc.lead_department)
        )
    return out


def known_names(store: Store) -> KnownNames:
    """Names the store holds of natural persons: its inspectors' (执法人员库), masked wherever
    they appear in a publication's free text."""
    import sqlalchemy as sa

    from ..store.planning import PlanningInspector

    with store.session() as s:
        return KnownNames.of(s.execute(sa.select(PlanningInspector.name)).scalars())


def _as_of(at: dt.date | dt.datetime | None) -> dt.datetime:
    if at is None:
        return dt.datetime.now(dt.UTC)
    if isinstance(at, dt.datetime):
        return at if at.tzinfo else at.replace(tzinfo=dt.UTC)
    # a day: everything decided or stored by its end, local time
    return dt.datetime.combine(at, dt.time(23, 59, 59), tzinfo=LOCAL_ZONE).astimezone(dt.UTC)


def _basis(rule: PublicationRule) -> list[dict[str, Any]]:
    return [
        {k: getattr(b, k) for k in ("law", "article", "revision", "document", "status")
         if getattr(b, k, None)}
        for b in rule.basis
    ]  # fmt: skip


def _candidates(
    sources: Iterator[Source],
    rulebook: Rulebook,
    calendar: Calendar,
    policies: dict[str, Policy],
    unpublished: dict[str, int],
    known: KnownNames | None = None,
) -> Iterator[Candidate]:
    rules_of: dict[str, list[PublicationRule]] = {}
    for src in sources:
        if src.person:
            # 信用修复管理办法 第十二条第三款: a natural person's dishonesty information is in
            # principle not published; nor is an inspection of a person
            unpublished["person"] = unpublished.get("person", 0) + 1
            continue
        if src.domain not in rulebook.domains.names:
            unpublished[src.record] = unpublished.get(src.record, 0) + 1
            continue
        if src.domain not in rules_of:
            rules_of[src.domain] = list(rulebook.rules(src.domain).publication_rules)
        rule = choose_rule(rules_of[src.domain], src)
        if rule is None:
            unpublished[src.record] = unpublished.get(src.record, 0) + 1
            continue
        due = deadline(rulebook, calendar, src.domain, rule.within, src.decided_on)
        fields = {k: src.data[k] for k in rule.publish if k in src.data}
        names = person_names(src.raw) | person_names(src.data)
        # secret categories a rule's redact names are withheld like the policy's
        withhold = [x for x in rule.redact if "secret" in x]
        policy = policies.get(src.domain, Policy())
        published, log = redact(
            fields, policy, names=names, withhold=withhold, kept=KEPT, known=known
        )

        def period_end(start: dt.date, rule=rule, src=src) -> dt.date | None:
            d = display_end(
                rulebook, calendar, src.domain, rule.period, src.record, src.severity, start
            )
            return d.on if d is not None else None

        def repairable(start: dt.date, src=src) -> dt.date | None:
            kind = src.facts.get("penalty_kind")
            d = repair_from(rulebook, calendar, src.domain, kind, start, src.severity)
            return d.on if d is not None else None

        content = {
            "id": src.key,
            "record": src.record,
            "domain": src.domain,
            "rule": rule.code,
            "rule_label": rule.label_zh,
            "object_key": src.object_key,
            "fields": published,
            "decided_on": src.decided_on.isoformat(),
            "due_on": due.on.isoformat(),
            "deadline": due.as_json(),
            "basis": _basis(rule),
            "redactions": [r.as_json() for r in log],
        }
        yield Candidate(
            key=src.key,
            rule=rule.code,
            domain=src.domain,
            record=src.record,
            object_key=src.object_key,
            decided_on=src.decided_on,
            due_on=due.on,
            content=content,
            redactions=[r.as_json() for r in log],
            ended=src.ended,
            period_end=period_end,
            repair_from=repairable if src.record == "penalty" else None,
        )


def publish(
    app_or_store: Any,
    rulebook: Rulebook | None = None,
    at: dt.date | dt.datetime | None = None,
    out: str | Path | None = None,
    *,
    force: bool = False,
    calendar: Calendar | None = None,
    policies: Mapping[str, Policy] | None = None,
    title: str | None = None,
) -> PublishResult:
    """Publish what the rules say is up on ``at`` (a day: as of its end, Asia/Shanghai;
    default now) and write the feeds into ``out`` (none written when ``None``).

    :param app_or_store: an :class:`onething.Onething` (its store, rulebook, calendar and
        ``[publication]`` policies are used) or a :class:`~onething.store.Store` with
        ``rulebook`` given.
    :raises InvalidInput: a feed file exists and ``force`` is false (checked before anything
        is stored), or a deadline counts a day of a year the calendar does not know.
    :return: what went up, what came down, what stayed.
    """
    deployment = getattr(app_or_store, "deployment", None)
    if isinstance(app_or_store, Store):
        store = app_or_store
        if rulebook is None:
            raise TypeError("publish(store, rulebook, …): a store needs the rulebook")
    else:
        store = app_or_store.store
        rulebook = rulebook or app_or_store.rulebook
    if deployment is None:
        deployment = rulebook.deployment
    if calendar is None:
        calendar = Calendar(deployment.calendar if deployment is not None else ())
    if policies is None:
        config = getattr(deployment, "publication", None) if deployment is not None else None
        policies = policies_of(config, list(rulebook.domains.names))
    when = _as_of(at)
    day = when.astimezone(LOCAL_ZONE).date()
    if out is not None:
        out = Path(out)
        check_folder(out, feeds.FILES, force=force, protected=[sqlite_file(store)])
    unpublished: dict[str, int] = {}

    def sources() -> Iterator[Source]:
        yield from case_sources(store, when)
        yield from record_sources(store, when)
        yield from licence_sources(store, when, licence_scopes(rulebook))
        yield from plan_sources(store, when, set(_publishing(rulebook, "plan")))

    known = known_names(store)
    candidates = _candidates(sources(), rulebook, calendar, dict(policies), unpublished, known)
    changes, unchanged = sync(store, candidates, day, dt.datetime.now(dt.UTC))
    contents = [row.content for row in shown(store)]
    files: list[Path] = []
    if out is not None:
        name = deployment.name if deployment is not None and deployment.name else ""
        files = feeds.write(
            contents,
            out,
            force=True,
            title=title
            or (deployment.publication.get("title") if deployment is not None else None)
            or f"{name}监管结果公示".strip(),
        )
    return PublishResult(when, changes, unchanged, len(contents), unpublished, files)
