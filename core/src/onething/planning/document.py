"""The plan document (``format: onething-plan/1``) as a typed model: what ``plan.json`` holds,
field for field, and what ``schemas/plan.schema.json`` publishes (a meta-test keeps the two
alike).

The document is public and verifiable: :meth:`PlanDocument.file_text` is exactly what the
plan's draw writes to ``plan.json``, :meth:`PlanDocument.as_json` is that text read back
(JSON types only), and ``plan_sha256`` (:func:`digest`) is the SHA-256 of the canonical JSON of
those values — the hash is over what the file says, never over an in-memory form a reader
cannot see. :meth:`PlanDocument.from_json` reads a document back (a file:
:func:`onething.planning.verify.read_document`, after the schema check); the round trip is
exact.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from typing import Any

import attrs
import orjson
from attrs import field, frozen

from ..model import make_converter
from .model import Assignment, Infeasible, Task, Unplaced, Visit
from .sampling import Stratum

FORMAT = "onething-plan/1"
#: keys of the plan document that a recomputation does not reproduce
VOLATILE = ("plan_id", "drawn_at", "drawn_by", "reason", "kind", "plan_sha256")

#: Metadata of a field left out of the JSON when it is ``None`` (a visit's ``objects``: when
#: empty, :mod:`.model`): a plan without those parts reads as plans did before them.
_OMIT = {"omit": "none"}


@frozen
class Algorithm:
    plan: str
    prn: str


@frozen
class Window:
    start: dt.date
    end: dt.date
    """the cycle's last day, inclusive"""


@frozen
class DeploymentRef:
    """The deployment the plan was drawn for; ``None`` name and region: drawn without a
    deployment config (a library call)."""

    name: str | None
    region: str | None
    domains: tuple[str, ...] = field(converter=tuple)


@frozen
class PopulationRef:
    """The sampling frame: its SHA-256 (:mod:`.population`), objects and (object, item)
    pairs."""

    sha256: str
    objects: int
    object_items: int


@frozen
class Platform:
    """The figures the national double-random platform takes."""

    population_total: int
    sampled_total: int
    percentage: float
    draw_date: dt.date | None = field(default=None, metadata=_OMIT)


@frozen
class PlanOptions:
    inspector_cap: int
    inspectors_per_department: int


@frozen
class MissingRatio:
    """A random item without a sampling ratio for a credit grade, and its objects."""

    item: str
    credit_grade: str
    objects: int


@frozen
class InspectorFigures:
    pool: int
    drawn: int
    workload_max: int


@frozen
class PresenceRef:
    """Objects supervised off site, objects visited at another's place, and the hash of the
    relations that say so (:mod:`.presence`)."""

    offsite_objects: int
    objects_at_places: int
    sha256: str


@frozen
class OffsiteCheck:
    """A task on an object supervised off site (a vehicle, a driver): never a visit."""

    task: str
    key: str
    item: str
    departments: tuple[str, ...] = field(converter=tuple)


@frozen
class Summary:
    """The plan in figures (the HTML summary and ``onething plan``'s table)."""

    tasks: int
    tasks_per_kind: dict[str, int]
    tasks_per_department: dict[str, int]
    visits: int
    joint_visits: int
    split_visits: int
    department_visits: int
    visits_per_business: dict[str, int]
    """visits per object → how many objects got that many"""
    independent_expected_visits: float
    """expected visits of today's practice: each item and department sampling on its own"""
    visits_saved: float
    unplaced_tasks: int
    unplaceable_tasks: int
    infeasible_visits: int
    missing_ratios: int
    offsite_checks: int | None = field(default=None, metadata=_OMIT)


@frozen
class PlanDocument:
    """One cycle's plan: the published inputs (seed, population hash, parameters in force),
    the draw (strata, tasks, joint visits, inspectors), what could not be placed, and — once
    drawn and stored — its audit fields (:data:`VOLATILE`)."""

    algorithm: Algorithm
    cycle: str
    window: Window
    seed: str
    deployment: DeploymentRef
    population: PopulationRef
    platform: Platform
    options: PlanOptions
    parameters: tuple[dict[str, Any], ...] = field(converter=tuple)
    """each parameter in force the plan used, in the form of ``onething params --format json``"""
    missing_ratios: tuple[MissingRatio, ...] = field(converter=tuple)
    items_not_in_force: tuple[str, ...] = field(converter=tuple)
    uncapped: dict[str, int]
    """credit grades without a yearly cap, with the number of visits they got"""
    strata: tuple[Stratum, ...] = field(converter=tuple)
    tasks: tuple[Task, ...] = field(converter=tuple)
    deferred: tuple[dict[str, Any], ...] = field(converter=tuple)
    """non-random task rows due after the cycle (with their ``task`` id)"""
    unplaceable: tuple[dict[str, Any], ...] = field(converter=tuple)
    """stored task rows naming an object or item no longer there (with ``task`` and
    ``reason``)"""
    visits: tuple[Visit, ...] = field(converter=tuple)
    unplaced: tuple[Unplaced, ...] = field(converter=tuple)
    assignments: tuple[Assignment, ...] = field(converter=tuple)
    infeasible: tuple[Infeasible, ...] = field(converter=tuple)
    inspectors: InspectorFigures
    presence: PresenceRef | None = field(default=None, metadata=_OMIT)
    offsite_checks: tuple[OffsiteCheck, ...] | None = field(default=None, metadata=_OMIT)
    summary: Summary | None = field(default=None, metadata=_OMIT)
    plan_id: int | None = field(default=None, metadata=_OMIT)
    drawn_at: str | None = field(default=None, metadata=_OMIT)
    """ISO 8601 date-time of the draw (UTC)"""
    drawn_by: str | None = field(default=None, metadata=_OMIT)
    reason: str | None = field(default=None, metadata=_OMIT)
    kind: str | None = field(default=None, metadata=_OMIT)
    """``draw`` or ``redraw``"""
    plan_sha256: str | None = field(default=None, metadata=_OMIT)
    format: str = field(default=FORMAT, kw_only=True)

    def as_json(self) -> dict[str, Any]:
        """The document as ``plan.json`` holds it, read back: JSON types only (the same values
        as :meth:`file_text`, without its indentation)."""
        return orjson.loads(_dumps(_unstructure(self)))

    def file_text(self) -> str:
        """Exactly the text of ``plan.json`` (UTF-8)."""
        return file_text(_unstructure(self))

    def digest(self) -> str:
        """``plan_sha256``: the SHA-256 of the canonical JSON of the file's values without the
        volatile keys."""
        return digest(self.as_json())

    def evolve(self, **changes: Any) -> PlanDocument:
        return attrs.evolve(self, **changes)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PlanDocument:
        """The document of a plan file's values (checked against the schema first: see
        :func:`onething.planning.verify.read_plan`)."""
        return _converter.structure(dict(data), cls)


def file_text(doc: Mapping[str, Any]) -> str:
    """The text of ``plan.json`` for a document's values (kept in its key order), indented by
    two spaces (orjson: the standard library's encoder, indenting in Python, took ~40 s of a
    10^5-object plan under the profiler; #31)."""
    return _dumps(doc, orjson.OPT_INDENT_2).decode() + "\n"


def _dumps(value: Any, option: int = 0) -> bytes:
    """JSON bytes of ``value`` as ``json.dumps(..., ensure_ascii=False, default=str)`` reads
    back: keys that are not text written as text, anything else JSON lacks by ``str``."""
    return orjson.dumps(value, default=str, option=option | orjson.OPT_NON_STR_KEYS)


def canonical_json(doc: Mapping[str, Any]) -> bytes:
    """The bytes ``plan_sha256`` hashes: the document without :data:`VOLATILE` keys and the
    platform's draw date, keys sorted, no spaces."""
    body = {k: v for k, v in doc.items() if k not in VOLATILE}
    body["platform"] = {k: v for k, v in body.get("platform", {}).items() if k != "draw_date"}
    return json.dumps(
        body, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str
    ).encode()


def digest(doc: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_json(doc)).hexdigest()


# -- to and from JSON ---------------------------------------------------------------------------


#: Per class, its attrs fields as (name, omit), or None for a class that is not attrs'
_FIELDS: dict[type, tuple[tuple[str, Any], ...] | None] = {}


def _fields(cls: type) -> tuple[tuple[str, Any], ...] | None:
    try:
        return _FIELDS[cls]
    except KeyError:
        fields = (
            tuple((a.name, a.metadata.get("omit")) for a in attrs.fields(cls))
            if attrs.has(cls)
            else None
        )
        _FIELDS[cls] = fields
        return fields


def _unstructure(value: Any) -> Any:
    """JSON values of a model, in field order, leaving out what the fields' metadata says."""
    fields = _fields(type(value))
    if fields is not None:
        out = {}
        for name, omit in fields:
            v = getattr(value, name)
            if (omit == "none" and v is None) or (omit == "empty" and not v):
                continue
            out[name] = _unstructure(v)
        if isinstance(value, PlanDocument):  # ``format`` first, as every plan file has it
            out = {"format": out.pop("format"), **out}
        return out
    if isinstance(value, tuple | list):
        return [_unstructure(v) for v in value]
    if isinstance(value, dict):
        return {k: _unstructure(v) for k, v in value.items()}
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


_converter = make_converter()
