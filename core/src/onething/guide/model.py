"""合规指引 (compliance guide): the document, as typed values built from the rulebook in force on
one day. Rendering (:mod:`.render`) only formats these; nothing here is written by hand."""

from __future__ import annotations

import datetime as dt

from attrs import field, frozen

from ..checklist.limits import ResolvedLimit
from ..loop.spec import EffectiveTransition
from ..model import Basis, Element, Item, PublicationRule, RiskRule, SanctionMeasure
from ..rulebook import ParameterInForce


@frozen
class Scope:
    """Who is supervised in one domain, and who leads."""

    domain: str
    name_zh: str
    name_en: str
    description_zh: str
    description_en: str
    lead: str
    responsible: tuple[str, ...] = field(converter=tuple)
    object_types: tuple[tuple[str, str, str], ...] = field(converter=tuple)
    """``(code, name_zh, name_en)`` of each object type."""


@frozen
class Duty:
    """One department's share of the work: its role and the items it carries."""

    department: str
    role: str
    """``lead`` (牵头), ``responsible`` (责任) or ``involved`` (named by an item or element)."""
    domains: tuple[str, ...] = field(converter=tuple)
    items: tuple[str, ...] = field(converter=tuple)
    elements: tuple[str, ...] = field(converter=tuple)


@frozen
class CheckPoint:
    """An element in force, with its limit resolved on the guide's day."""

    element: Element
    limit: ResolvedLimit | None


@frozen
class SharedPoint:
    """A canonical check point a joint visit checks once for several items or departments."""

    canonical: str
    label_zh: str
    label_en: str
    elements: tuple[str, ...] = field(converter=tuple)
    items: tuple[str, ...] = field(converter=tuple)
    departments: tuple[str, ...] = field(converter=tuple)


@frozen
class Step:
    """A transition of the closed loop: who may take it, and the time limit in force."""

    transition: EffectiveTransition
    source_zh: str
    source_en: str
    target_zh: str
    target_en: str
    stage: str
    departments: tuple[str, ...] = field(converter=tuple)
    """Department codes, ``lead`` resolved for a one-domain guide; ``owner`` kept."""
    limit: ParameterInForce | None


@frozen
class Flowchart:
    """One swimlane flowchart: the core loop (``domain`` ``core``) or core with one domain's
    extension, as inline SVG and as Mermaid text."""

    domain: str
    svg: str
    mermaid: str


@frozen
class Published:
    rule: PublicationRule
    within: ParameterInForce | None
    period: ParameterInForce | None


@frozen
class Sanction:
    measure: SanctionMeasure
    duration: ParameterInForce | None


@frozen
class Citation:
    """One legal basis and the rules that rely on it."""

    basis: Basis
    used_by: tuple[str, ...] = field(converter=tuple)


@frozen
class Stratum:
    """How often an object can expect a random check for one item, in its stratum."""

    item: str
    ratio: ParameterInForce | None
    """The sampling ratio in force for the object's credit grade (``None``: not random-mode, or
    none in force — reported, never read as 0)."""
    mode: str


@frozen
class ObjectView:
    """The business's view (谁来管、怎么管、管什么 for one object)."""

    key: str
    name: str
    region_code: str
    credit_grade: str | None
    risk_grade: str | None
    object_types: tuple[tuple[str, str], ...] = field(converter=tuple)
    """``(domain, object type)`` pairs."""
    strata: tuple[Stratum, ...] = field(converter=tuple)
    visit_cap: ParameterInForce | None = None


@frozen
class Guide:
    """The compliance guide of one domain, of the whole deployment (``domain`` None), or of one
    object (``object`` set; the rules narrowed to its items)."""

    on: dt.date
    deployment: str
    region: str
    level: str
    domain: str | None
    versions: tuple[tuple[str, str], ...] = field(converter=tuple)
    """``(distribution, version)`` of core and of each plugin the guide reflects."""
    scopes: tuple[Scope, ...] = field(converter=tuple)
    duties: tuple[Duty, ...] = field(converter=tuple)
    items: tuple[Item, ...] = field(converter=tuple)
    points: tuple[CheckPoint, ...] = field(converter=tuple)
    shared: tuple[SharedPoint, ...] = field(converter=tuple)
    frequency: tuple[ParameterInForce, ...] = field(converter=tuple)
    caps: tuple[ParameterInForce, ...] = field(converter=tuple)
    risk_rules: tuple[RiskRule, ...] = field(converter=tuple)
    steps: tuple[Step, ...] = field(converter=tuple)
    extension_states: tuple[tuple[str, str, str, str], ...] = field(converter=tuple)
    """``(domain, code, label_zh, label_en)`` of the domain states added to the core loop."""
    flowcharts: tuple[Flowchart, ...] = field(converter=tuple)
    """One chart for a one-domain guide; for several domains the core loop and then each
    domain's extension on its own chart, each legible on a printed page."""
    rectification: tuple[ParameterInForce, ...] = field(converter=tuple)
    fines: tuple[ParameterInForce, ...] = field(converter=tuple)
    sanctions: tuple[Sanction, ...] = field(converter=tuple)
    credit_repair: tuple[Step, ...] = field(converter=tuple)
    publication: tuple[Published, ...] = field(converter=tuple)
    other_parameters: tuple[ParameterInForce, ...] = field(converter=tuple)
    citations: tuple[Citation, ...] = field(converter=tuple)
    object: ObjectView | None = None

    @property
    def city_values(self) -> list[ParameterInForce]:
        """Every value the guide shows that the city layer set (override or extension)."""
        seen: dict[tuple[str, str], ParameterInForce] = {}
        for p in (
            *self.frequency,
            *self.caps,
            *self.rectification,
            *self.fines,
            *self.other_parameters,
            *(s.limit for s in self.steps if s.limit),
        ):
            if p.provenance.layer in ("override", "extension"):
                seen[(p.domain, p.name)] = p
        return list(seen.values())
