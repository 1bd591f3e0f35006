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
import inspect
import json
import math
import re
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
        return orjson.loads(encode(self))

    def as_json_without(self, *lists: str) -> dict[str, Any]:
        """:meth:`as_json` with the named lists empty (what a summary does not show of a large
        plan: ``tasks``, ``visits``…)."""
        return orjson.loads(encode(self.evolve(**dict.fromkeys(lists, ()))))

    def file_bytes(self) -> bytes:
        """Exactly the bytes of ``plan.json``: written from the typed document in one pass of
        orjson (#31: no JSON values built first)."""
        return encode(self, orjson.OPT_INDENT_2) + b"\n"

    def file_text(self) -> str:
        """Exactly the text of ``plan.json`` (UTF-8)."""
        return self.file_bytes().decode()

    def digest(self) -> str:
        """``plan_sha256``: the SHA-256 of the canonical JSON of the file's values without the
        volatile keys — :func:`canonical_json` of :meth:`as_json`, written straight from the
        typed document (:func:`canonical_bytes`)."""
        return hashlib.sha256(canonical_bytes(self)).hexdigest()

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


def encode(value: Any, option: int = 0) -> bytes:
    """JSON bytes of a plan document (or any part of it) in field order, leaving out what the
    fields' metadata says (the values :func:`_unstructure` gives, which are what plan files
    have always held): each attrs class turned into a dict by a function made for it once,
    everything else by orjson in C (#31: one Python call per value took seconds at 10^5
    objects)."""
    return orjson.dumps(value, default=_as_dict, option=option | orjson.OPT_NON_STR_KEYS)


def canonical_bytes(doc: PlanDocument) -> bytes:
    """:func:`canonical_json` of ``doc.as_json()``, byte for byte, written straight from the
    typed document: keys sorted by orjson, each float as the standard library writes it
    (``1e-05``, where orjson writes ``0.00001``). A value orjson cannot write (an integer
    beyond 64 bits) takes the standard library's way."""
    body = doc.evolve(
        platform=attrs.evolve(doc.platform, draw_date=None), **dict.fromkeys(VOLATILE)
    )
    try:
        return orjson.dumps(
            body,
            default=_as_canonical_dict,
            option=orjson.OPT_NON_STR_KEYS | orjson.OPT_SORT_KEYS,
        )
    except orjson.JSONEncodeError:
        return canonical_json(doc.as_json())


def same_digest(doc: Mapping[str, Any], sha: str) -> bool:
    """Whether a document's values hash to ``sha`` (:func:`digest`), the common case decided
    fast: orjson writes the canonical form (sorted keys, no spaces) as the standard library
    does except for some floats (``0.00001`` for ``1e-05``), and never a float as the standard
    library writes one differently — so its bytes hashing to ``sha`` mean the same text, and
    only a mismatch needs the standard library's bytes (#31: ~1 s per 50 MB)."""
    body = {k: v for k, v in doc.items() if k not in VOLATILE}
    body["platform"] = {k: v for k, v in body.get("platform", {}).items() if k != "draw_date"}
    try:
        fast = orjson.dumps(body, option=orjson.OPT_NON_STR_KEYS | orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:
        fast = b""
    if fast and hashlib.sha256(fast).hexdigest() == sha:
        return True
    return digest(doc) == sha


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


#: Per attrs class, the functions from an instance to its dict: (for the file, canonical)
_ENCODERS: dict[type, tuple[Any, Any]] = {}
#: field types written as they are: text, whole numbers, flags, tuples of text, attrs values
#: (their own functions handle what they hold), and ``None`` of these
_DIRECT = re.compile(
    r"(str|int|bool|tuple\[str, \.\.\.\]|tuple\[[A-Z]\w*, \.\.\.\]|[A-Z]\w*)( \| None)?"
)
_DATE = re.compile(r"dt\.date( \| None)?")


def _encoders(cls: type) -> tuple[Any, Any]:
    """Two functions for an attrs class, from an instance to the dict of its JSON values in
    field order (``format`` first in a plan document), fields left out as their metadata says:
    one for the file (floats for orjson to write), one for the canonical form (each float a
    fragment written as the standard library writes it). Made once per class, as Python
    source, so that a task is one call building one dict."""
    lines = []
    fields = list(attrs.fields(cls))
    if cls is PlanDocument:
        fields.sort(key=lambda a: a.name != "format")
    for a in fields:
        v = f"o.{a.name}"
        kind = _annotation(cls, a.name)
        if _DIRECT.fullmatch(kind) and "float" not in kind:
            value = v
        elif _DATE.fullmatch(kind):
            value = f"(None if {v} is None else {v}.isoformat())"
        else:
            value = f"plain({v})"
        omit = a.metadata.get("omit")
        if omit == "none":
            lines.append(f"    if {v} is not None: d[{a.name!r}] = {value}")
        elif omit == "empty":
            lines.append(f"    if {v}: d[{a.name!r}] = {value}")
        else:
            lines.append(f"    d[{a.name!r}] = {value}")
    source = "def encode(o):\n    d = {}\n" + "\n".join(lines) + "\n    return d\n"
    made = []
    for plain in (_plain_file, _plain_canonical):
        space: dict[str, Any] = {"plain": plain}
        exec(compile(source, f"<plan encoder {cls.__name__}>", "exec"), space)
        made.append(space["encode"])
    return made[0], made[1]


def _annotation(cls: type, name: str) -> str:
    """A field's annotation as written (text: these modules postpone annotations), whether or
    not its attrs type was resolved since (cattrs resolves them); "" if none."""
    for c in cls.__mro__:
        found = inspect.get_annotations(c).get(name)
        if found is not None:
            return found if isinstance(found, str) else ""
    return ""


def _encoder(cls: type, which: int) -> Any:
    try:
        return _ENCODERS[cls][which]
    except KeyError:
        if not attrs.has(cls):
            return None
        _ENCODERS[cls] = _encoders(cls)
        return _ENCODERS[cls][which]


def _as_dict(value: Any) -> Any:
    """orjson's ``default``: an attrs value's dict, anything else JSON lacks by ``str``."""
    f = _encoder(type(value), 0)
    return str(value) if f is None else f(value)


def _as_canonical_dict(value: Any) -> Any:
    f = _encoder(type(value), 1)
    return str(value) if f is None else f(value)


def _plain_file(value: Any) -> Any:
    """A field's value whose type may hold dates (written as ISO text, as ever)."""
    if isinstance(value, dict):
        return {k: _plain_file(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_plain_file(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _plain_canonical(value: Any) -> Any:
    """As :func:`_plain_file`, and each float as the standard library writes it into the
    canonical form (``NaN`` and infinities as ``null``: the file's values never held them)."""
    if isinstance(value, float):
        return orjson.Fragment(repr(value) if math.isfinite(value) else "null")
    if isinstance(value, dict):
        return {k: _plain_canonical(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_plain_canonical(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


_converter = make_converter()
