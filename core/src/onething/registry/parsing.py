"""Row parsing for registry imports: one input row (CSV, XLSX or JSON Lines) checked against
the documented columns (``docs/registry.md``) and turned into the stored row, or a
:class:`RowError` naming the field and what was expected. No database, no processes: worker
processes (:mod:`onething.registry.workers`) run it as it is.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable, Mapping
from functools import cached_property
from typing import Any, Literal

import fastjsonschema
import jsonschema
import orjson

from .. import schemas
from ..departments import departments, unknown_department
from ..errors import InvalidInput, OnethingError, not_enabled
from ..i18n import _
from ..tables import long_field, not_json, not_one_of, too_long, unknown_column
from . import kinds as kinds_
from . import personal, regions, uscc

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
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def dumps(value: Any) -> str:
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
                col or _("（空列名）", "(empty header)"),
                _(
                    f"未知列；应为 {'、'.join(COLUMNS)}，或已启用领域"
                    f"（{'、'.join(self.descriptions)}）的 <领域>.object_types / <领域>.<属性>",
                    f"unknown column; expected {', '.join(COLUMNS)} or <domain>.object_types / "
                    f"<domain>.<attribute> for an enabled domain ({', '.join(self.descriptions)})",
                ),
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
                raise RowError(name, _not_json(exc)) from None
        return value

    def _key(self, raw: Mapping[str, Any], region_code: str) -> tuple[str, str, bool, bool]:
        """``(key, key kind, checksum ok, flagged)``."""
        code = self._text(raw, "uscc")
        alt = self._text(raw, "key")
        if code:
            if code.startswith(uscc.ALT_PREFIX):
                raise RowError(
                    "uscc",
                    _(
                        f"{code!r} 是替代编码：请填在 key 列",
                        f"{code!r} is an alternative key: put it in column key",
                    ),
                )
            if alt and alt != code:
                raise RowError(
                    "key",
                    _(
                        f"{alt!r} 与统一社会信用代码 {code!r} 不同；key 列请留空",
                        f"{alt!r} differs from the uscc {code!r}; leave key empty",
                    ),
                )
            try:
                verdict = uscc.verify(code)
            except uscc.MalformedUscc as exc:
                raise RowError("uscc", f"{code!r}: {exc}") from None
            if verdict == "checksum":
                expected = uscc.check_character(code[:17])
                if self.checksum == "strict":
                    raise RowError(
                        "uscc",
                        _(
                            f"{code!r}：校验码为 {code[17]!r}，按 GB 32100-2015 应为 {expected!r}"
                            "（确属早期赋码的，用 --uscc-checksum tolerant）",
                            f"{code!r}: check character is {code[17]!r}, GB 32100-2015 gives "
                            f"{expected!r} (use --uscc-checksum tolerant for genuine early codes)",
                        ),
                    )
                return code, "uscc", False, True
            return code, "uscc", True, False
        if not alt:
            raise RowError(
                "uscc",
                _(
                    "缺失：请填统一社会信用代码；没有代码的经营主体在 key 列填替代编码 "
                    "ALT-<行政区划代码>-<本地编号>",
                    "missing: give the uscc, or for a business without one the alternative key "
                    "ALT-<region code>-<local id> in column key",
                ),
            )
        parsed = uscc.parse_alternative_key(alt)
        if parsed is None:
            raise RowError(
                "key",
                _(
                    f"{alt!r} 不是替代编码：应为 ALT-<6 位行政区划代码>-<1–40 位 0-9 A-Z 的本地编号>",
                    f"{alt!r} is not an alternative key: expected ALT-<6-digit region>-<local id "
                    f"of 1–40 characters 0-9 A-Z>",
                ),
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
                _(
                    f"{code!r} 不是已启用领域的对象种类；应为 {'、'.join(self.kinds)} 之一",
                    f"{code!r} is not an object kind of the enabled domains; expected one of "
                    f"{', '.join(self.kinds)}",
                ),
            )
        return kind

    def _other_key(self, raw: Mapping[str, Any], kind: kinds_.ObjectKind) -> tuple[str, str | None]:
        """``(stored key, display key)`` of an object that is not a business."""
        if self._text(raw, "uscc"):
            raise RowError(
                "uscc",
                _(
                    f"{kind.name_zh}没有统一社会信用代码：请把它的编码填在 key 列",
                    f"a {kind.code} has no uscc: put its key in column key",
                ),
            )
        key = self._text(raw, "key")
        if not key:
            raise RowError(
                "key",
                _(
                    f"缺失：{kind.name_zh}的编码（{kind.key_format}）",
                    f"missing: the {kind.code}'s key ({kind.key_format})",
                ),
            )
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
                "domains",
                _(
                    "没有领域：名录库中的对象至少属于一个领域",
                    "no domain: an object is in the registry for at least one domain",
                ),
            )
        for d, member in out.items():
            desc = self.descriptions.get(d)
            if desc is None:
                raise RowError(
                    f"domains.{d}",
                    not_enabled(d, self.descriptions),
                )
            if not member["object_types"]:
                raise RowError(
                    f"domains.{d}.object_types",
                    _("至少一个对象类型", "at least one object type"),
                )
            known = self._known_types[d]
            for t in member["object_types"]:
                if t not in known:
                    raise RowError(
                        f"domains.{d}.object_types",
                        _(
                            f"{t!r} 不是领域 {d} 的对象类型；应为 {'、'.join(sorted(known))} 之一",
                            f"{t!r} is not an object type of {d}; expected one of "
                            f"{', '.join(sorted(known))}",
                        ),
                    )
            member["object_types"] = sorted(set(member["object_types"]))
            if kind is not None:
                for t in member["object_types"]:
                    if self._kind_of_type[(d, t)] != kind:
                        raise RowError(
                            f"domains.{d}.object_types",
                            _(
                                f"{t!r} 是{self.kinds[self._kind_of_type[(d, t)]].name_zh}"
                                f"的类型，而本行的对象种类是{self.kinds[kind].name_zh}",
                                f"{t!r} is a {self._kind_of_type[(d, t)]} type, the row's "
                                f"object_kind is {kind}",
                            ),
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
                    unknown_department(lic["department"]),
                )
            start, end = lic.get("valid_from"), lic.get("valid_to")
            if start and end and end < start:
                raise RowError(
                    f"licences[{i}].valid_to",
                    _(f"{end} 早于 valid_from {start}", f"{end} is before valid_from {start}"),
                )
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
            raise RowError(
                name,
                not_one_of(value, GRADES) + _("（大写）", " (upper case)"),
            )
        return value

    def parse(self, raw: Mapping[str, Any]) -> tuple[dict[str, Any], bool]:
        """The stored row (describing columns and key) and whether it is flagged."""
        if "__error__" in raw:
            raise RowError("(row)", raw["__error__"])
        if not self._header_checked:
            unknown = [k for k in raw if k not in COLUMNS and k not in IGNORED and "." not in k]
            if unknown:
                raise RowError(
                    unknown[0],
                    unknown_column(COLUMNS),
                )
        region_code = self._text(raw, "region_code")
        if not region_code:
            raise RowError(
                "region_code",
                _("缺失：6 位 GB/T 2260 行政区划代码", "missing: the 6-digit GB/T 2260 code"),
            )
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
            raise RowError("name", _("缺失：登记名称", "missing: the registered name"))
        address = self._text(raw, "address")
        if object_kind.personal:
            name = kinds_.mask_name(name)  # PIPL: a natural person's name is kept masked only
            if address:
                raise RowError(
                    "address",
                    _(
                        "不保存自然人的住址（个人信息保护法）；请留空",
                        "a natural person's address is not kept (PIPL); leave it empty",
                    ),
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


def json_object(text: str) -> dict[str, Any]:
    """One JSON Lines row: the object, or ``{"__error__": reason}``."""
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        try:
            value = json.loads(text)  # the standard library's message, or a big integer
        except json.JSONDecodeError as exc:
            return {"__error__": _not_json(exc)}
    if not isinstance(value, dict):
        return {
            "__error__": _(
                f"应为 JSON 对象，得到 {type(value).__name__}",
                f"expected a JSON object, got {type(value).__name__}",
            )
        }
    if long := long_field(value):
        return {"__error__": f"{long[0]}: {too_long(long[1])}"}
    return value


def _not_json(exc: json.JSONDecodeError) -> str:
    return not_json(exc.msg, exc.colno)
