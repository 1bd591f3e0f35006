"""行业领域 (domain): what a domain plugin says about itself."""

from __future__ import annotations

from typing import Any

from attrs import field, frozen

from .basis import Basis
from .fields import as_tuple


@frozen
class ObjectType:
    """A kind of 监管对象 in a domain (e.g. 发卡企业, 养老机构, 餐饮服务提供者)."""

    code: str
    name_zh: str
    name_en: str
    synth_weight: float = 1.0
    """Relative frequency among this domain's objects in synthetic registries."""
    object_kind: str = "business"
    """The object kind (:class:`ObjectKind`) objects of this type are: ``business`` unless
    the domain declares another (a project, a vehicle, a person …)."""


#: How objects of a kind are supervised: visited at a place, or checked from records only.
SUPERVISION = ("on_site", "off_site")


@frozen
class ObjectKind:
    """A kind of registry object with its own key (对象种类): ``business`` is core's; a plugin
    declares the others it supervises (``project``, ``site``, ``vehicle``, ``person``,
    ``installation`` …). Plugins declaring the same code must declare it alike."""

    code: str
    name_zh: str
    name_en: str
    key_format: str
    """One of core's key formats (:data:`onething.registry.kinds.KEY_FORMATS`): ``uscc``,
    ``project_code``, ``plate``, ``resident_id``, or ``pattern`` (``key_pattern``)."""
    key_pattern: str | None = None
    """A full-match regular expression, for ``key_format = "pattern"``."""
    key_example: str = ""
    """A valid key, shown in error messages beside the expected format."""
    supervision: str = "on_site"
    """``on_site``: its tasks are visits at its place; ``off_site``: checks from records only,
    never a visit (vehicles, drivers)."""
    personal: bool = False
    """A natural person (PIPL): the key is stored as a keyed hash with a masked form, the name
    masked; required for ``resident_id``."""


@frozen
class RelationType:
    """A typed, dated relation between two registry objects (``platform —operates→
    vehicle``), declared by a plugin."""

    code: str
    name_zh: str
    name_en: str
    source_kind: str
    target_kind: str
    place: bool = False
    """The target is the place where the source is found: a visit to the target covers the
    source's tasks (``project —located_at→ site``)."""


@frozen
class SynthRelated:
    """Objects of a kind other than ``business`` a synthetic registry draws for each object of
    an anchor type, related to it (``registry synth`` only): a platform's vehicles, each
    vehicle's driver, a project's site, a business's major hazard sources."""

    object_type: str
    """The drawn objects' type, in the declaring domain (its kind is not ``business``)."""
    relation: str
    """The relation type between the anchor and each drawn object (either direction, as the
    type's kinds say; an anchor of the same kind as the drawn object is the source)."""
    anchor: str
    """The object type the objects are drawn for, in ``anchor_domain``."""
    anchor_domain: str | None = None
    """The anchor type's domain; ``None``: the declaring domain. Not enabled: nothing drawn."""
    count: tuple[int, int] = field(default=(1, 1), converter=as_tuple)
    """How many objects per anchor, from and to (inclusive)."""
    count_from: str | None = None
    """An attribute of the anchor (in ``anchor_domain``) giving how many, where it has one."""
    key: str | None = None
    """A template of the drawn objects' keys (required for a ``pattern`` kind): ``{index}``
    (the entry's running number), ``{n}`` (1, 2 … per anchor), ``{anchor}`` (the anchor's key,
    not a person's), ``{region}`` (the county code), ``{year}``; Python format specs allowed."""
    names: tuple[str, ...] = field(factory=tuple, converter=as_tuple)
    """Templates of their names, one drawn per object: ``{anchor_name}``, ``{n}``, ``{town}``,
    ``{brand}``, ``{road}``, ``{type}`` (the type's Chinese name), ``{key}``; none: a person's
    name for a personal kind, the key for a vehicle, else ``{anchor_name}{type}{n}``."""
    new_energy_share: float = 0.5
    """Share of 8-character new-energy plates (a ``plate`` kind only)."""


@frozen
class SynthLink:
    """A relation a synthetic registry draws between objects it has already drawn: each
    object of ``object_type`` related, with probability ``share``, to an object of
    ``other`` drawn before it (a project's supervising unit, a site's labour subcontractor)."""

    object_type: str
    """In the declaring domain."""
    relation: str
    other: str
    """An object type of ``other_domain``."""
    other_domain: str | None = None
    share: float = 1.0


@frozen
class SynthLicence:
    """The licence a synthetic business of a domain holds (synthetic registries only)."""

    kind: str
    department: str
    """Department code of the issuing department."""
    prefix: str
    """Start of the licence number, before the county code and eight digits."""
    validity_years: int = 5
    """How long the synthetic licence runs (危化品 licences: 3 years)."""


@frozen
class DomainDescription:
    """The domain's names, departments, object types and registry attribute schema."""

    code: str
    name_zh: str
    name_en: str
    lead_department: str
    """Department code (see ``onething.departments``) of the 牵头部门."""
    responsible_departments: tuple[str, ...] = field(converter=as_tuple)
    """Department codes of the 责任部门 sharing duties in the domain."""
    object_types: tuple[ObjectType, ...] = field(converter=as_tuple)
    basis: tuple[Basis, ...] = field(factory=tuple, converter=as_tuple)
    """Where the lead and responsible departments are assigned (the pilot plan, 三定 rules)."""
    attribute_schema: dict[str, Any] = field(factory=dict)
    """JSON Schema of the domain attributes a registry object carries for this domain."""
    synth_share: float = 0.0
    """Share of a synthetic registry whose primary domain is this one (0–1)."""
    synth_overlaps: dict[str, float] = field(factory=dict)
    """Share of *another* domain's objects that are also in this domain, by that domain's code
    (e.g. prepaid_card: {catering: 0.2}: one restaurant in five sells prepaid cards)."""
    synth_overlap_types: dict[str, str] = field(factory=dict)
    """The object type in this domain of another domain's object that joins it by overlap, by
    that domain's code (catering: {hazchem: canteen}: a chemical plant's catering is its staff
    canteen); a domain not named: drawn by ``synth_weight``."""
    synth_licence: SynthLicence | None = None
    """The licence its synthetic businesses hold; ``None``: ``<code>_licence`` from the lead
    department."""
    synth_name_suffixes: tuple[str, ...] = field(factory=tuple, converter=as_tuple)
    """How a synthetic business's name ends (饭店, 养老院 …); none given: 有限公司."""
    synth_sole_trader_share: float | None = None
    """Share of its synthetic primary businesses that are sole traders (个体工商户); ``None``:
    core's default. 0 where the law licenses only enterprises (危险化学品经营企业)."""
    description_zh: str = ""
    description_en: str = ""
    object_kinds: tuple[ObjectKind, ...] = field(factory=tuple, converter=as_tuple)
    """Object kinds beyond ``business`` the domain's object types use."""
    relation_types: tuple[RelationType, ...] = field(factory=tuple, converter=as_tuple)
    """Relations between registry objects the domain declares."""
    synth_related: tuple[SynthRelated, ...] = field(factory=tuple, converter=as_tuple)
    """Objects beyond businesses a synthetic registry draws, related to their anchors."""
    synth_links: tuple[SynthLink, ...] = field(factory=tuple, converter=as_tuple)
    """Relations a synthetic registry draws between objects already drawn."""
