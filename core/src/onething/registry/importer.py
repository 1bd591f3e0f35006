"""Import into the registry: CSV, XLSX and JSON Lines, streamed in batches, validated row by
row, all-or-nothing by default, upserted by key with the history of changed rows.

The columns are documented in ``docs/registry.md``. Every rejected row is reported as
``file:row: field: reason``. The whole import — objects, their profiles, history — is
one transaction: with the default mode the first bad row leaves the store unchanged; with
``skip_invalid`` the good rows are stored and each bad one is written to the rejects file.
"""

from __future__ import annotations

import collections
import csv
import datetime as dt
import gc
import json
import multiprocessing
import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import fastjsonschema
import jsonschema
import orjson
import sqlalchemy as sa
from attrs import define, field, frozen

from .. import schemas
from ..departments import departments
from ..errors import InvalidInput, OnethingError
from ..i18n import _
from ..outfiles import atomic_write, escape_row, sqlite_file
from ..store import Store
from ..store.registry import ObjectHistory, RegistryImport, RegistryObject
from ..tables import long_field, too_long
from . import kinds as kinds_
from . import personal, regions, uscc
from ._bulk import bind_value, driver_cursor, insert_tuples
from ._rows import DATA_COLUMNS, data_of
from .sources import CsvChunk, Source, batched, csv_records

#: The documented columns (``docs/registry.md``); ``<domain>.object_types`` and
#: ``<domain>.<attribute>`` columns may be added for each enabled domain.
COLUMNS = (
    "object_kind",
    "uscc",
    "key",
    "name",
    "region_code",
    "address",
    "domains",
    "licences",
    "credit_grade",
    "risk_grade",
)
#: Columns read but not stored: ``reason`` lets a corrected rejects file be imported again.
IGNORED = ("reason",)
GRADES = ("A", "B", "C", "D")
_GRADE_SET = frozenset(GRADES)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)  # RFC 3339 full-date, as JSON Schema's "date"


_MEMBER_KEYS = frozenset(("object_types", "attributes"))


def _members_shaped(value: Any) -> bool:
    """Whether ``value`` has the shape of ``_DOMAINS_SCHEMA`` (a fast path of that check)."""
    if type(value) is not dict:
        return False
    for m in value.values():
        if type(m) is not dict or not m.keys() <= _MEMBER_KEYS:
            return False
        types = m.get("object_types")
        if type(types) is not list or not types or not all(type(t) is str for t in types):
            return False
        if type(m.get("attributes", {})) is not dict:
            return False
    return True


def _is_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


Checksum = Literal["strict", "tolerant"]

_O = RegistryObject.__table__
_H = ObjectHistory.__table__
_I = RegistryImport.__table__
_O_COLUMNS = (  # a prepared row (key, DATA_COLUMNS) and then these
    "key",
    *DATA_COLUMNS,
    "version",
    "import_id",
    "updated_at",
    "profile_id",
)
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _dumps(value: Any) -> str:
    """Compact JSON text; orjson for speed, the standard library for what orjson refuses
    (integers beyond 64 bits)."""
    try:
        return orjson.dumps(value).decode()
    except (TypeError, orjson.JSONEncodeError):
        return _encode(value)


_LICENCE_SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["number", "kind", "department"],
        "additionalProperties": False,
        "properties": {
            "number": {"type": "string", "minLength": 1},
            "kind": {"type": "string", "minLength": 1},
            "department": {"type": "string", "minLength": 1},
            "valid_from": {"type": ["string", "null"], "format": "date"},
            "valid_to": {"type": ["string", "null"], "format": "date"},
        },
    },
}
_DOMAINS_SCHEMA = {
    "type": "object",
    "additionalProperties": {
        "type": "object",
        "required": ["object_types"],
        "additionalProperties": False,
        "properties": {
            "object_types": {"type": "array", "minItems": 1, "items": {"type": "string"}},
            "attributes": {"type": "object"},
        },
    },
}


class _Checker:
    """A JSON Schema check: compiled (fastjsonschema) for speed, with jsonschema's precise
    message for the rows that fail."""

    def __init__(self, schema: dict[str, Any]):
        self.slow = jsonschema.Draft202012Validator(
            schema, format_checker=jsonschema.FormatChecker()
        )
        try:
            self.fast: Callable[[Any], Any] | None = fastjsonschema.compile(
                {k: v for k, v in schema.items() if k != "$schema"}, use_default=False
            )
        except Exception:  # a construct fastjsonschema lacks: jsonschema alone
            self.fast = None

    def check(self, value: Any, prefix: str) -> None:
        if self.fast is not None:
            try:
                self.fast(value)
                return
            except fastjsonschema.JsonSchemaException:
                pass
        errors = sorted(self.slow.iter_errors(value), key=lambda e: list(e.path))
        if errors:
            e = errors[0]
            raise RowError(schemas.key_path(e.path, prefix), schemas.describe(e))


class RowError(Exception):
    def __init__(self, field: str, message: str):
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


@define
class ImportReport:
    """What one import did. ``flagged``/``rejections`` hold the first 1000 of each."""

    source: str
    format: str
    mode: str
    import_id: int | None = None
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    mapped: int = 0
    """Applicable (object, item) pairs of the inserted and changed objects."""
    flagged: list[tuple[str, str]] = field(factory=list)
    """``(file:row, key)`` of rows stored with a wrong uscc check character (tolerant mode)."""
    flagged_count: int = 0
    rejections: list[str] = field(factory=list)
    workers: int = 0
    """Worker processes that validated and mapped the rows (0: this process)."""

    def as_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "format": self.format,
            "mode": self.mode,
            "import_id": self.import_id,
            "rows": self.rows,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "flagged": self.flagged_count,
            "flagged_rows": [{"row": r, "key": k} for r, k in self.flagged],
            "mapped": self.mapped,
            "workers": self.workers,
        }


# -- validating rows ----------------------------------------------------------------------------


def _domains_of(app_or_rulebook: Any):
    domains = getattr(app_or_rulebook, "domains", None)
    if domains is None:
        raise TypeError("app_or_rulebook must be an Onething app or a Rulebook")
    return domains


def _region_of(app_or_rulebook: Any) -> str | None:
    dep = getattr(app_or_rulebook, "deployment", None)
    return dep.region if dep is not None else None


def _rulebook_of(app_or_rulebook: Any):
    from ..rulebook import Rulebook

    if isinstance(app_or_rulebook, Rulebook):
        return app_or_rulebook
    return app_or_rulebook.rulebook


class RowParser:
    """Turns one input row into the stored row, or raises :class:`RowError`."""

    def __init__(
        self,
        domains,
        *,
        region: str | None,
        checksum: Checksum,
        secret_env: str = personal.DEFAULT_SECRET_ENV,
    ):
        self.domains = domains
        self.region = region
        self.checksum = checksum
        self.kinds = kinds_.object_kinds(domains)
        self._kind_of_type = kinds_.kind_of_types(domains)
        # Loaded now (a worker process inherits it), raised at the first personal row only: a
        # registry without people needs no secret.
        self.secret: bytes | None = None
        self.secret_error: OnethingError | None = None
        if any(k.personal for k in self.kinds.values()):
            try:
                self.secret = personal.load_secret(secret_env)
            except OnethingError as exc:
                self.secret_error = exc
        self.descriptions = {n: domains.rules(n).description for n in domains.names}
        self._known_types = {
            n: frozenset(t.code for t in d.object_types) for n, d in self.descriptions.items()
        }
        self._prefixed: dict[str, tuple[str, str] | None] = {}  # column → (domain, rest)
        # After check_columns: every row has the header's columns, so the per-row column check
        # is done, and prefixed columns are looked for only when the header has some.
        self._header_checked = False
        self._header_prefixed = True
        self._regions_ok: set[str] = set()

    @cached_property
    def _attribute_checkers(self) -> dict[str, _Checker]:
        return {n: _Checker(d.attribute_schema or {}) for n, d in self.descriptions.items()}

    _licence_checker = _Checker(_LICENCE_SCHEMA)
    # The same without "format": dates are checked in the loop over the licences (faster).
    _licence_shape = staticmethod(
        fastjsonschema.compile(
            {
                **_LICENCE_SCHEMA,
                "items": {
                    **_LICENCE_SCHEMA["items"],
                    "properties": {
                        k: {a: b for a, b in v.items() if a != "format"}
                        for k, v in _LICENCE_SCHEMA["items"]["properties"].items()
                    },
                },
            },
            use_default=False,
        )
    )
    _domains_checker = _Checker(_DOMAINS_SCHEMA)

    def check_columns(self, header: Iterable[str], where: str) -> None:
        """Unknown columns are an error for the whole file, never silently dropped."""
        for col in header:
            if col in COLUMNS or col in IGNORED:
                continue
            domain, dot, rest = col.partition(".")
            if dot and domain in self.descriptions and rest:
                continue
            raise InvalidInput(
                where,
                col or "(empty header)",
                f"unknown column; expected {', '.join(COLUMNS)} or <domain>.object_types / "
                f"<domain>.<attribute> for an enabled domain ({', '.join(self.descriptions)})",
            )
        self._header_checked = True
        self._header_prefixed = any("." in col for col in header)

    @staticmethod
    def _text(raw: Mapping[str, Any], name: str) -> str:
        value = raw.get(name)
        if value is None:
            return ""
        if not isinstance(value, str):
            value = str(value)
        return value.strip()

    @staticmethod
    def _json(raw: Mapping[str, Any], name: str, default: Any) -> Any:
        value = raw.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            return default
        if isinstance(value, str):
            try:
                return orjson.loads(value)
            except orjson.JSONDecodeError:
                pass  # the standard library's message (or a value orjson refuses: big integers)
            try:
                return json.loads(value)
            except json.JSONDecodeError as exc:
                raise RowError(name, f"not valid JSON: {exc.msg} at column {exc.colno}") from None
        return value

    def _key(self, raw: Mapping[str, Any], region_code: str) -> tuple[str, str, bool, bool]:
        """``(key, key kind, checksum ok, flagged)``."""
        code = self._text(raw, "uscc")
        alt = self._text(raw, "key")
        if code:
            if code.startswith(uscc.ALT_PREFIX):
                raise RowError("uscc", f"{code!r} is an alternative key: put it in column key")
            if alt and alt != code:
                raise RowError("key", f"{alt!r} differs from the uscc {code!r}; leave key empty")
            try:
                verdict = uscc.verify(code)
            except uscc.MalformedUscc as exc:
                raise RowError("uscc", f"{code!r}: {exc}") from None
            if verdict == "checksum":
                expected = uscc.check_character(code[:17])
                if self.checksum == "strict":
                    raise RowError(
                        "uscc",
                        f"{code!r}: check character is {code[17]!r}, GB 32100-2015 gives "
                        f"{expected!r} (use --uscc-checksum tolerant for genuine early codes)",
                    )
                return code, "uscc", False, True
            return code, "uscc", True, False
        if not alt:
            raise RowError(
                "uscc",
                "missing: give the uscc, or for a business without one the alternative key "
                "ALT-<region code>-<local id> in column key",
            )
        parsed = uscc.parse_alternative_key(alt)
        if parsed is None:
            raise RowError(
                "key",
                f"{alt!r} is not an alternative key: expected ALT-<6-digit region>-<local id of "
                f"1–40 characters 0-9 A-Z>",
            )
        problem = regions.problem(parsed[0])
        if problem:
            raise RowError("key", problem)
        return alt, "alt", True, False

    def _kind(self, raw: Mapping[str, Any]) -> kinds_.ObjectKind:
        code = self._text(raw, "object_kind") or "business"
        kind = self.kinds.get(code)
        if kind is None:
            raise RowError(
                "object_kind",
                f"{code!r} is not an object kind of the enabled domains; expected one of "
                f"{', '.join(self.kinds)}",
            )
        return kind

    def _other_key(self, raw: Mapping[str, Any], kind: kinds_.ObjectKind) -> tuple[str, str | None]:
        """``(stored key, display key)`` of an object that is not a business."""
        if self._text(raw, "uscc"):
            raise RowError("uscc", f"a {kind.code} has no uscc: put its key in column key")
        key = self._text(raw, "key")
        if not key:
            raise RowError("key", f"missing: the {kind.code}'s key ({kind.key_format})")
        if problem := kinds_.key_problem(kind, key):
            raise RowError("key", problem)
        if not kind.personal:
            return key, None
        if self.secret is None:
            assert self.secret_error is not None
            raise self.secret_error
        return personal.person_key(self.secret, key), kinds_.mask_id(key)

    def masked(self, raw: Mapping[str, Any]) -> Mapping[str, Any]:
        """``raw`` as a rejects file may show it: a person's key and name masked."""
        kind = self.kinds.get(self._text(raw, "object_kind"))
        if kind is None or not kind.personal:
            return raw
        out = dict(raw)
        for col, mask in (("key", kinds_.mask_id), ("name", kinds_.mask_name)):
            if self._text(raw, col):
                out[col] = mask(self._text(raw, col))
        return out

    def _domains(self, raw: Mapping[str, Any], kind: str | None = None) -> dict[str, Any]:
        value = self._json(raw, "domains", {})
        if not _members_shaped(value):
            self._domains_checker.check(value, "domains")  # raises with the precise message
        out: dict[str, dict[str, Any]] = {
            d: {
                "object_types": list(m["object_types"]),
                "attributes": dict(m.get("attributes", {})),
            }
            for d, m in value.items()
        }
        prefixed = self._prefixed
        for col, cell in raw.items() if self._header_prefixed else ():
            try:
                split = prefixed[col]
            except KeyError:
                domain, dot, rest = col.partition(".")
                split = prefixed[col] = (
                    (domain, rest) if dot and domain in self.descriptions else None
                )
            if split is None:
                continue
            domain, rest = split
            if cell is None or (isinstance(cell, str) and not cell.strip()):
                continue
            member = out.setdefault(domain, {"object_types": [], "attributes": {}})
            if rest == "object_types":
                types = cell if isinstance(cell, list) else str(cell).replace(",", ";").split(";")
                member["object_types"] += [t.strip() for t in types if t.strip()]
            else:
                member["attributes"][rest] = self._attribute(domain, rest, cell)
        if not out:
            raise RowError(
                "domains", "no domain: an object is in the registry for at least one domain"
            )
        for d, member in out.items():
            desc = self.descriptions.get(d)
            if desc is None:
                raise RowError(
                    f"domains.{d}",
                    f"domain {d!r} is not enabled; enabled: {', '.join(self.descriptions)}",
                )
            if not member["object_types"]:
                raise RowError(f"domains.{d}.object_types", "at least one object type")
            known = self._known_types[d]
            for t in member["object_types"]:
                if t not in known:
                    raise RowError(
                        f"domains.{d}.object_types",
                        f"{t!r} is not an object type of {d}; expected one of "
                        f"{', '.join(sorted(known))}",
                    )
            member["object_types"] = sorted(set(member["object_types"]))
            if kind is not None:
                for t in member["object_types"]:
                    if self._kind_of_type[(d, t)] != kind:
                        raise RowError(
                            f"domains.{d}.object_types",
                            f"{t!r} is a {self._kind_of_type[(d, t)]} type, the row's "
                            f"object_kind is {kind}",
                        )
            self._attribute_checkers[d].check(member["attributes"], f"domains.{d}.attributes")
        return dict(sorted(out.items()))

    def _attribute(self, domain: str, name: str, cell: Any) -> Any:
        if not isinstance(cell, str):
            return cell
        prop = (self.descriptions[domain].attribute_schema or {}).get("properties", {}).get(name)
        types = (prop or {}).get("type", "string")
        types = [types] if isinstance(types, str) else list(types)
        if "string" in types:
            return cell
        try:
            return json.loads(cell)
        except json.JSONDecodeError:
            if cell.strip().lower() in ("true", "false"):
                return cell.strip().lower() == "true"
            return cell  # the schema says what was expected

    def _licences(self, raw: Mapping[str, Any]) -> list[dict[str, Any]]:
        value = self._json(raw, "licences", [])
        try:
            self._licence_shape(value)
            for lic in value:
                for d in (lic.get("valid_from"), lic.get("valid_to")):
                    if d is not None and not (_DATE.fullmatch(d) and _is_date(d)):
                        raise ValueError(d)
        except (fastjsonschema.JsonSchemaException, ValueError):
            self._licence_checker.check(value, "licences")  # raises with the precise message
        known = departments()
        out = []
        for i, lic in enumerate(value):
            if lic["department"] not in known:
                raise RowError(
                    f"licences[{i}].department",
                    f"{lic['department']!r} is not a department code (`onething departments`)",
                )
            start, end = lic.get("valid_from"), lic.get("valid_to")
            if start and end and end < start:
                raise RowError(f"licences[{i}].valid_to", f"{end} is before valid_from {start}")
            out.append(
                {
                    "number": lic["number"],
                    "kind": lic["kind"],
                    "department": lic["department"],
                    "valid_from": start or None,
                    "valid_to": end or None,
                }
            )
        return out

    def _grade(self, raw: Mapping[str, Any], name: str) -> str | None:
        value = raw.get(name)
        if value in _GRADE_SET:  # the common case, before stripping and messages
            return value
        value = self._text(raw, name)
        if not value:
            return None
        if value not in GRADES:
            raise RowError(name, f"{value!r} is not one of {', '.join(GRADES)} (upper case)")
        return value

    def parse(self, raw: Mapping[str, Any]) -> tuple[dict[str, Any], bool]:
        """The stored row (describing columns and key) and whether it is flagged."""
        if "__error__" in raw:
            raise RowError("(row)", raw["__error__"])
        if not self._header_checked:
            unknown = [k for k in raw if k not in COLUMNS and k not in IGNORED and "." not in k]
            if unknown:
                raise RowError(unknown[0], f"unknown column; expected {', '.join(COLUMNS)}")
        region_code = self._text(raw, "region_code")
        if not region_code:
            raise RowError("region_code", "missing: the 6-digit GB/T 2260 code")
        object_kind = self._kind(raw)
        display_key = None
        if object_kind.code == "business":
            key, kind, ok, flagged = self._key(raw, region_code)
        else:
            (key, display_key), ok, flagged = self._other_key(raw, object_kind), True, False
            kind = "hash" if display_key else "key"
        if region_code not in self._regions_ok:
            problem = regions.problem(region_code, self.region)
            if problem:
                raise RowError("region_code", problem)
            self._regions_ok.add(region_code)
        name = self._text(raw, "name")
        if not name:
            raise RowError("name", "missing: the registered name")
        address = self._text(raw, "address")
        if object_kind.personal:
            name = kinds_.mask_name(name)  # PIPL: a natural person's name is kept masked only
            if address:
                raise RowError(
                    "address", "a natural person's address is not kept (PIPL); leave it empty"
                )
        row = {
            "key": key,
            "key_kind": kind,
            "checksum_ok": ok,
            "name": name,
            "region_code": region_code,
            "address": address,
            "credit_grade": self._grade(raw, "credit_grade"),
            "risk_grade": self._grade(raw, "risk_grade"),
            "domains": self._domains(raw, object_kind.code),
            "licences": self._licences(raw),
            "object_kind": object_kind.code,
            "display_key": display_key,
        }
        if problem := schemas.unstorable(row):
            raise RowError(*problem)
        return row, flagged


# -- rejects ------------------------------------------------------------------------------------


class _Rejects:
    """The rejects file: the original columns plus ``reason`` (CSV), or JSON Lines."""

    def __init__(self, path: Path, header: list[str] | None, *, force: bool, protected: list):
        self.path = path
        self.jsonl = path.suffix.lower() in (".jsonl", ".ndjson")
        # Renamed into place only when the import succeeds: a failed one leaves no file.
        self._file = atomic_write(path, option="--rejects", force=force, protected=protected)
        self.fh = self._file.__enter__()
        self.header = [*(header or COLUMNS), "reason"] if not self.jsonl else None
        if self.header is not None:
            self.writer = csv.writer(self.fh)
            self.writer.writerow(self.header)

    def write(self, raw: Mapping[str, Any], reason: str) -> None:
        if self.jsonl:
            row = {k: v for k, v in raw.items() if k != "__error__"}
            self.fh.write(json.dumps({**row, "reason": reason}, ensure_ascii=False) + "\n")
            return
        assert self.header is not None

        def text(v: Any) -> str:
            if v is None:
                return ""
            if isinstance(v, dict | list):
                return json.dumps(v, ensure_ascii=False)
            return str(v)

        self.writer.writerow(escape_row([text(raw.get(c)) for c in self.header[:-1]] + [reason]))

    def close(self, error: BaseException | None) -> None:
        if error is None:
            self._file.__exit__(None, None, None)
        else:
            self._file.__exit__(type(error), error, error.__traceback__)


# -- the import ---------------------------------------------------------------------------------


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def import_objects(
    store: Store,
    rows: Iterable[Mapping[str, Any]],
    *,
    app_or_rulebook: Any,
    source: str = "<rows>",
    checksum: Checksum = "strict",
    skip_invalid: bool = False,
    rejects: str | Path | None = None,
    force_rejects: bool = False,
    region: str | None = None,
    on: dt.date | None = None,
    batch_size: int | None = None,
    fmt: str = "rows",
    workers: int = 0,
) -> ImportReport:
    """Import rows with the documented columns (``docs/registry.md``) into the registry.

    Rows are dicts; ``domains`` and ``licences`` may be JSON text or already parsed. Rows are
    numbered from 1 in messages (``<source>:<n>``).

    :param app_or_rulebook: an :class:`~onething.Onething` app or a
        :class:`~onething.Rulebook`: gives the enabled domains, their attribute schemas and
        items, and the deployment's region (every object must lie inside it).
    :param checksum: ``strict`` rejects a uscc whose check character is wrong; ``tolerant``
        stores it flagged and lists it in the report. Malformed codes are always rejected.
    :param skip_invalid: store the good rows; reject the bad ones (to ``rejects``).
    :param region: the region objects must lie in (default: the deployment's).
    :param on: the day the mapping is computed for (default today).
    :param workers: validate and map in this many worker processes (forked; 0: in this
        process). The result is the same either way.
    :raises InvalidInput: for the first bad row when not ``skip_invalid``; nothing is stored.
    """
    batch_size = _batch_size(batch_size)
    return _run(
        store,
        batched(((i, dict(r)) for i, r in enumerate(rows, 1)), batch_size),
        header=None,
        app_or_rulebook=app_or_rulebook,
        source=source,
        fmt=fmt,
        checksum=checksum,
        skip_invalid=skip_invalid,
        rejects=rejects,
        force_rejects=force_rejects,
        region=region,
        on=on,
        workers=_worker_count(workers, None),
    )


def import_file(
    store: Store,
    path: str | Path,
    *,
    app_or_rulebook: Any,
    fmt: str | None = None,
    checksum: Checksum = "strict",
    skip_invalid: bool = False,
    rejects: str | Path | None = None,
    force_rejects: bool = False,
    region: str | None = None,
    on: dt.date | None = None,
    batch_size: int | None = None,
    progress: Callable[[int, int | None], None] | None = None,
    workers: int | None = None,
) -> ImportReport:
    """Import a CSV, XLSX or JSON Lines file (format by suffix unless ``fmt``); see
    :func:`import_objects`. ``progress(done, total)`` is called after each batch.

    ``workers``: by default a file of :data:`PARALLEL_BYTES` or more is validated and mapped in
    one worker process per CPU when this process runs no other thread (forking beside threads
    is unsafe); give a number to choose (0: in this process)."""
    path = Path(path)
    src = Source(path, fmt)
    batch_size = _batch_size(batch_size)
    try:
        return _run(
            store,
            src.jobs(batch_size),
            resume=lambda offset, lines: src.resume(offset, lines, batch_size),
            lines_before=src.header_lines,
            header=src.header,
            app_or_rulebook=app_or_rulebook,
            source=str(path),
            fmt=src.format,
            checksum=checksum,
            skip_invalid=skip_invalid,
            rejects=rejects,
            force_rejects=force_rejects,
            region=region,
            on=on,
            workers=_worker_count(workers, src.size),
            progress=(lambda: progress(*src.progress)) if progress else None,
        )
    finally:
        src.close()


# -- preparing batches (in this process or in worker processes) --------------------------------


@frozen
class _Batch:
    """One prepared job: ``results`` in input order; for a CSV chunk the ``lines`` it holds
    (its results' line numbers count from its start), or ``torn`` (its byte offset: it ended
    inside a quoted field) or ``fatal`` ``(line, message)`` (not UTF-8 CSV)."""

    results: list[tuple]
    lines: int | None = None
    torn: int | None = None
    fatal: tuple[int, str] | None = None


class _Preparer:
    """Turns a job — a batch of ``(row number, input row)`` or a :class:`CsvChunk` — into a
    :class:`_Batch` of results in input order: for a good row ``(n, row, flagged, profile
    key)`` with ``row`` the tuple of ``key`` and :data:`DATA_COLUMNS` (JSON columns as stored
    text), and for a bad one ``(n, None, (field, message), input row)``. It needs no database,
    so large imports run it in worker processes."""

    def __init__(self, parser: RowParser, matcher: Any, header: list[str] | None):
        self.parser = parser
        self.matcher = matcher
        self.header = header

    def __call__(self, job: list[tuple[int, Any]] | CsvChunk) -> _Batch:
        if type(job) is not CsvChunk:
            return _Batch(self._prepare(job))
        records = csv_records(job, len(self.header or ()))
        if records.torn:
            return _Batch([], torn=job.offset)
        if records.fatal is not None:
            return _Batch([], lines=0, fatal=records.fatal)
        return _Batch(self._prepare(records.rows), lines=records.lines)

    def _prepare(self, batch: list[tuple[int, Any]]) -> list[tuple]:
        parse, header = self.parser.parse, self.header
        out: list[Any] = []
        good: list[dict[str, Any]] = []
        for line, raw in batch:
            if type(raw) is list:
                raw = dict(zip(header, raw, strict=True))  # type: ignore[arg-type]
            elif type(raw) is str:
                raw = _json_object(raw)
            try:
                row, flagged = parse(raw)
            except RowError as exc:
                out.append((line, None, (exc.field, exc.message), self.parser.masked(raw)))
                continue
            out.append((line, row, flagged))
            good.append(row)
        keys = iter(self.matcher.keys(good))
        dumps = _dumps
        return [
            res
            if res[1] is None
            else (
                res[0],
                (
                    (r := res[1])["key"],
                    r["key_kind"],
                    r["checksum_ok"],
                    r["name"],
                    r["region_code"],
                    r["address"],
                    r["credit_grade"],
                    r["risk_grade"],
                    dumps(r["domains"]),
                    dumps(r["licences"]),
                    r["object_kind"],
                    r["display_key"],
                ),
                res[2],
                next(keys),
            )
            for res in out
        ]


def _json_object(text: str) -> dict[str, Any]:
    """One JSON Lines row: the object, or ``{"__error__": reason}``."""
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        try:
            value = json.loads(text)  # the standard library's message, or a big integer
        except json.JSONDecodeError as exc:
            return {"__error__": f"not valid JSON: {exc.msg} at column {exc.colno}"}
    if not isinstance(value, dict):
        return {"__error__": f"expected a JSON object, got {type(value).__name__}"}
    if long := long_field(value):
        return {"__error__": f"{long[0]}: {too_long(long[1])}"}
    return value


_WORKER: _Preparer | None = None


def _start_worker(preparer: _Preparer) -> None:
    global _WORKER
    _WORKER = preparer
    gc.disable()  # see _run


def _prepare_in_worker(job: list[tuple[int, Any]] | CsvChunk) -> _Batch:
    assert _WORKER is not None
    return _WORKER(job)


#: The SQLite page cache an import's connection uses, in KiB (SQLite's default is 2 MiB: a
#: registry's key index outgrows it after some 10^5 objects, and every insert then misses).
SQLITE_CACHE_KIB = 64 * 1024

#: A file at least this large is parsed in worker processes (when ``workers`` allows).
PARALLEL_BYTES = 4 << 20


def _worker_count(workers: int | None, size: int | None) -> int:
    """How many worker processes: ``workers`` as given, else one per CPU for a large file in a
    single-threaded process on a platform that forks (a host with threads imports in-process:
    forking beside running threads is unsafe). Where processes cannot fork: none."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return 0
    if workers is not None:
        return max(workers, 0)
    if size is None or size < PARALLEL_BYTES or threading.active_count() > 1:
        return 0
    cpus = os.cpu_count() or 1
    return cpus if cpus > 1 else 0


#: Seconds the workers are given to exit once the pool is shut down, before they are killed.
POOL_EXIT_SECONDS = 10.0


def _close_pool(pool: ProcessPoolExecutor) -> None:
    """Shut ``pool`` down without ever waiting on its queues or its manager thread: jobs not
    started are cancelled, each worker finishes the job it is on (one batch) and exits, and a
    worker still alive after :data:`POOL_EXIT_SECONDS` (stuck, or its pipe broken) is killed.
    A dead or stuck worker therefore cannot hang the parent."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    deadline = time.monotonic() + POOL_EXIT_SECONDS
    for p in processes:
        p.join(max(deadline - time.monotonic(), 0))
        if p.is_alive():
            p.kill()
            p.join(1.0)


class _Prepared:
    """Prepared jobs in input order, as ``(line base, batch)``, from worker processes
    (``workers``) or this process. With workers, at most two jobs per worker are in flight, so
    memory stays flat however large the file. When a CSV chunk comes back torn, the rest of
    the file is read again from its start by ``resume(offset, lines before)``."""

    def __init__(
        self,
        preparer: _Preparer,
        jobs: Iterator,
        workers: int,
        resume: Callable[[int, int], Iterator] | None = None,
        lines_before: int = 0,
    ):
        self.preparer = preparer
        self.jobs = jobs
        self.workers = workers
        self.resume = resume
        self.lines_before = lines_before
        self.pool: Any = None

    def __enter__(self) -> _Prepared:
        if self.workers:
            # An executor, not ``multiprocessing.Pool``: a dead worker breaks it (every
            # pending job fails) instead of leaving ``Pool.terminate`` waiting on a queue.
            self.pool = ProcessPoolExecutor(
                self.workers,
                mp_context=multiprocessing.get_context("fork"),
                initializer=_start_worker,
                initargs=(self.preparer,),
            )
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            _close_pool(self.pool)

    def __iter__(self) -> Iterator[tuple[int, _Batch]]:
        jobs: Iterator | None = self.jobs
        base = self.lines_before  # lines before the next CSV chunk
        while jobs is not None:
            batches, jobs = self._in_order(jobs), None
            for batch in batches:
                if batch.torn is not None:
                    assert self.resume is not None
                    jobs = self.resume(batch.torn, base)  # the jobs in flight are dropped
                    break
                yield (0 if batch.lines is None else base), batch
                base += batch.lines or 0

    def _in_order(self, jobs: Iterator) -> Iterator[_Batch]:
        if self.pool is None:
            yield from map(self.preparer, jobs)
            return
        pending: collections.deque = collections.deque()
        try:
            for job in jobs:
                pending.append(self.pool.submit(_prepare_in_worker, job))
                if len(pending) >= 2 * self.workers:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        except BrokenProcessPool as exc:
            raise OnethingError(
                _(
                    "导入的工作进程意外退出（内存不足或被终止），未保存任何数据；可用 --workers 0 在本进程内导入",
                    "an import worker process died (out of memory or killed); nothing was stored;"
                    " --workers 0 imports in this process",
                )
            ) from exc


def _batch_size(batch_size: int | None) -> int:
    from . import BATCH_SIZE

    return batch_size or BATCH_SIZE


def _run(
    store: Store,
    jobs: Iterator,
    *,
    header: list[str] | None,
    app_or_rulebook: Any,
    source: str,
    fmt: str,
    checksum: Checksum,
    skip_invalid: bool,
    rejects: str | Path | None,
    region: str | None,
    on: dt.date | None,
    force_rejects: bool = False,
    workers: int = 0,
    progress: Callable[[], None] | None = None,
    resume: Callable[[int, int], Iterator] | None = None,
    lines_before: int = 0,
) -> ImportReport:
    from .mapping import Mapper

    if checksum not in ("strict", "tolerant"):
        raise InvalidInput("--uscc-checksum", "", f"{checksum!r}: expected strict or tolerant")
    domains = _domains_of(app_or_rulebook)
    region = region or _region_of(app_or_rulebook)
    if region is not None and (problem := regions.problem(region)):
        raise InvalidInput("deployment.region", "", problem)
    parser = RowParser(
        domains, region=region, checksum=checksum, secret_env=personal.secret_env(app_or_rulebook)
    )
    if header is not None:
        parser.check_columns(header, f"{source}:1")
    on = on or dt.date.today()
    mode = "skip_invalid" if skip_invalid else "all_or_nothing"
    report = ImportReport(source=source, format=fmt, mode=mode, workers=workers)
    sink = None
    if rejects is not None:
        protected = [sqlite_file(store), Path(source)]
        sink = _Rejects(Path(rejects), header, force=force_rejects, protected=protected)
    error: BaseException | None = None
    # The batches are acyclic garbage that reference counting frees; the cyclic collector would
    # only rescan the whole heap for every few thousand rows built (~15 % of an import).
    collecting = gc.isenabled()
    gc.disable()
    try:
        with store.session() as session, _sqlite_cache(session.connection()) as conn:
            store.serialize(session, "registry")  # a concurrent import of the same keys waits
            mapper = Mapper(conn, _rulebook_of(app_or_rulebook), on)
            mapper.refresh()  # objects already stored follow item changes first
            started = _now()
            import_id = conn.execute(
                sa.insert(_I)
                .values(file=source, format=fmt, mode=mode, started_at=started)
                .returning(_I.c.id)
            ).scalar_one()
            report.import_id = import_id
            preparer = _Preparer(parser, mapper.matcher, header)
            # Writing stays in this thread: a writer thread would wait for the GIL after each
            # round trip to the database while this one parses (the convoy effect).
            with _Prepared(preparer, jobs, workers, resume, lines_before) as prepared:
                for good in _checked(prepared, report, source, skip_invalid, sink):
                    _write(conn, good, import_id, mapper, report)
                    if progress:
                        progress()
            if progress:
                progress()
            conn.execute(
                sa.update(_I)
                .where(_I.c.id == import_id)
                .values(
                    finished_at=_now(),
                    rows=report.rows,
                    inserted=report.inserted,
                    updated=report.updated,
                    unchanged=report.unchanged,
                    rejected=report.rejected,
                    flagged=report.flagged_count,
                )
            )
    except BaseException as exc:
        error = exc
        raise
    finally:
        if collecting:
            gc.enable()
        if sink is not None:
            sink.close(error)
    return report


@contextmanager
def _sqlite_cache(conn: sa.Connection) -> Iterator[sa.Connection]:
    """``conn``; on SQLite with a larger page cache for the import, then its own again (the
    connection is pooled)."""
    if conn.dialect.name != "sqlite":
        yield conn
        return
    before = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    conn.exec_driver_sql(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
    try:
        yield conn
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size = {int(before)}")


def _checked(
    prepared: Iterable[tuple[int, _Batch]],
    report: ImportReport,
    source: str,
    skip_invalid: bool,
    sink: _Rejects | None,
) -> Iterator[list[tuple]]:
    """The good rows of each prepared batch; a bad row raises (all or nothing) or goes to the
    rejects. Counts every row."""
    for base, batch in prepared:
        if batch.fatal is not None:
            raise InvalidInput(f"{source}:{base + batch.fatal[0]}", "", batch.fatal[1])
        good = []
        for res in batch.results:
            report.rows += 1
            row = res[1]
            if row is None:
                (field_, message), raw = res[2], res[3]
                where = f"{source}:{base + res[0]}"
                report.rejected += 1
                if not skip_invalid:
                    raise InvalidInput(where, field_, message)
                reason = f"{where}: {field_}: {message}"
                if len(report.rejections) < 1000:
                    report.rejections.append(reason)
                if sink is not None:
                    sink.write(raw, reason)
                continue
            if res[2]:
                report.flagged_count += 1
                if len(report.flagged) < 1000:
                    report.flagged.append((f"{source}:{base + res[0]}", row[0]))
            good.append(res)
        yield good


def _parsed(row: tuple | Mapping[str, Any]) -> dict[str, Any]:
    """The describing part of a prepared row (tuple) or a stored one (mapping), with its JSON
    columns as values."""
    if isinstance(row, tuple):
        data = dict(zip(DATA_COLUMNS, row[1:], strict=True))
        data["domains"] = orjson.loads(data["domains"])
        data["licences"] = orjson.loads(data["licences"])
        return data
    return data_of(row)


_STORED_SQL = {
    # The batch's keys as one JSON text parameter: an IN list of thousands costs more to build
    # and plan, and a driver's array adapter formats every element in Python.
    "sqlite": "SELECT {cols} FROM registry_object WHERE key IN (SELECT value FROM json_each(?))",
    "postgresql": "SELECT {cols} FROM registry_object "
    "WHERE key = ANY(ARRAY(SELECT jsonb_array_elements_text(%s::jsonb)))",
}


def _stored(conn: sa.Connection, keys: list[str]) -> dict[str, dict[str, Any]]:
    """The stored rows (``key``, ``version`` and :data:`DATA_COLUMNS`) of those of ``keys``
    the registry holds, JSON columns as values."""
    names = ("key", "version", *DATA_COLUMNS)
    sql = _STORED_SQL[conn.dialect.name].format(cols=", ".join(f'"{c}"' for c in names))
    with driver_cursor(conn) as (cur, _):
        cur.execute(sql, (_dumps(keys),))
        found = cur.fetchall()
    out = {}
    for values in found:
        row = dict(zip(names, values, strict=True))
        for c in ("domains", "licences"):
            if isinstance(row[c], str | bytes):  # SQLite hands JSON back as text
                row[c] = orjson.loads(row[c])
        row["checksum_ok"] = bool(row["checksum_ok"])
        out[row["key"]] = row
    return out


def _write(
    conn: sa.Connection,
    good: list[tuple],
    import_id: int,
    mapper: Any,
    report: ImportReport,
) -> None:
    """Upsert one batch of prepared rows: insert new keys, update changed ones with a history
    row (version+1), count unchanged ones; every written row gets its applicability profile."""
    if not good:
        return
    stored = _stored(conn, list(dict.fromkeys(res[1][0] for res in good)))
    now = _now()
    # key → (row, version, profile key): the state after each row, for keys repeated in a batch
    state: dict[str, tuple[Any, int, Any]] = {}
    history: list[dict[str, Any]] = []
    for _line, row, _data, pkey in good:
        key = row[0]
        before = state.get(key)
        old = before[0] if before is not None else stored.get(key)
        if old is None:
            state[key] = (row, 1, pkey)
            report.inserted += 1
            continue
        version = before[1] if before is not None else old["version"]
        was, data = _parsed(old), _parsed(row)
        if was == data:
            report.unchanged += 1
            continue
        history.append(
            {"key": key, "version": version, "changed_at": now, "import_id": import_id, "data": was}
        )
        state[key] = (row, version + 1, pkey)
        report.updated += 1  # a key inserted earlier in this batch: still one insert
    if not state:
        return
    profiles = mapper.resolve([pkey for _, _, pkey in state.values()])
    report.mapped += sum(n for _, counts in profiles for n in counts.values())
    written = list(zip(state.values(), profiles, strict=True))
    now_value = bind_value(conn, _O, "updated_at", now)
    insert_tuples(
        conn,
        _O,
        _O_COLUMNS,
        [
            (*row, version, import_id, now_value, pid)
            for (row, version, _), (pid, _) in written
            if row[0] not in stored
        ],
        json_text=("domains", "licences"),
        processed=("updated_at",),
    )
    updates = [
        {
            **{f"b_{c}": v for c, v in _parsed(row).items()},
            "b_version": version,
            "b_profile_id": pid,
            "b_key": row[0],
        }
        for (row, version, _), (pid, _) in written
        if row[0] in stored
    ]
    if updates:
        conn.execute(
            sa.update(_O)
            .where(_O.c.key == sa.bindparam("b_key"))
            .values(
                {
                    **{c: sa.bindparam(f"b_{c}") for c in (*DATA_COLUMNS, "version", "profile_id")},
                    "import_id": import_id,
                    "updated_at": now,
                }
            ),
            updates,
        )
    if history:
        conn.execute(sa.insert(_H), history)
