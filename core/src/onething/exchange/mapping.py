"""Exchange mappings: one versioned data file per target system (``data/<target>.toml``,
``exchange-mapping.schema.json``) saying which element each onething value is written as.

A mapping is data so that a city that reads a standard's text corrects it without code: rename
an element, change a vocabulary value, mark a field ``checked`` naming the text. The values a
field may come from (``from``) are fixed per kind (:data:`SOURCES`): an unknown one fails
loudly with the list of valid ones.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from attrs import field, frozen

from .. import schemas
from ..errors import InvalidInput
from ..i18n import _

#: Targets and their kinds, in CLI order.
TARGETS: dict[str, tuple[str, ...]] = {
    "internet-plus-supervision": (
        "inspection-actions",
        "penalties",
        "items",
        "objects",
        "inspectors",
    ),
    "double-random": ("plan", "results"),
}

_ENVELOPE = ("envelope.record_id", "envelope.operation", "envelope.batch", "envelope.source",
             "envelope.time", "envelope.submitter")  # fmt: skip
_OBJECT = ("object.name", "object.code", "object.key_hash", "object.id_type", "object.nature",
           "object.address", "object.region")  # fmt: skip
_ITEM = ("item.code", "item.catalogue_code", "item.implementation_code")
#: The onething values each kind's extractor gives (``from`` of a field).
SOURCES: dict[str, tuple[str, ...]] = {
    "inspection-actions": (*_ENVELOPE, *_OBJECT, *_ITEM, "action.number", "action.name",
                           "action.department_name", "action.department_code", "action.form",
                           "action.category", "action.method", "action.result",
                           "action.check_items", "action.time", "action.inspector_names",
                           "action.inspector_ids", "action.plan_id", "action.record"),
    "penalties": (*_ENVELOPE, *_OBJECT, *_ITEM, "penalty.number", "penalty.decision_no",
                  "penalty.decided_on", "penalty.authority", "penalty.violation",
                  "penalty.content", "penalty.amount", "penalty.action_number", "penalty.case"),
    "items": (*_ENVELOPE, *_ITEM, "item.name", "item.basis", "item.department_names",
              "item.department_code", "item.object_types", "item.measures",
              "item.effective_from", "item.effective_to"),
    "objects": (*_ENVELOPE, *_OBJECT),
    "inspectors": (*_ENVELOPE, "inspector.name", "inspector.id", "inspector.department",
                   "inspector.department_name", "inspector.region", "inspector.law_enforcement"),
    "plan": (*_ENVELOPE, *_OBJECT, "plan.id", "plan.cycle", "plan.start", "plan.end", "visit.id",
             "visit.kind", "visit.joint", "visit.items", "visit.catalogue_codes",
             "visit.department_names", "visit.inspector_names", "visit.inspector_ids"),
    "results": (*_ENVELOPE, *_OBJECT, "plan.id", "visit.id", "result.record", "result.items",
                "result.outcome", "result.check_items", "result.time", "result.inspector_names",
                "result.inspector_ids", "result.departments", "result.remarks"),
}  # fmt: skip


@frozen
class Field:
    name: str
    name_en: str
    source: str
    type: str = "string"
    required: bool = False
    vocabulary: str | None = None
    pattern: str | None = None
    status: str = "provisional"
    checked_against: str | None = None
    note: str | None = None


@frozen
class Vocabulary:
    code: str
    name_zh: str
    values: dict[str, str]
    """onething value → the target's value."""
    legacy: dict[str, str] = field(factory=dict)
    """onething value → an older code some systems still use (read on import)."""
    status: str = "provisional"
    checked_against: str | None = None
    note: str | None = None

    def reverse(self, where: str, value: str) -> str:
        """The onething value of the target's ``value`` (or of its legacy code)."""
        for table in (self.values, self.legacy):
            for ours, theirs in table.items():
                if theirs == value:
                    return ours
        raise InvalidInput(
            where,
            "",
            f"{value!r} is not a value of {self.name_zh} ({self.code}): "
            f"{', '.join(self.values.values())}",
        )


@frozen
class Kind:
    code: str
    name_zh: str
    name_en: str
    record: str
    """XML element of one record."""
    fields: tuple[Field, ...] = field(converter=tuple)
    note: str | None = None


@frozen
class Mapping:
    target: str
    name_zh: str
    name_en: str
    version: str
    effective_from: dt.date
    envelope: tuple[Field, ...] = field(converter=tuple)
    vocabularies: dict[str, Vocabulary] = field(factory=dict)
    kinds: dict[str, Kind] = field(factory=dict)
    texts: tuple[dict[str, Any], ...] = field(factory=tuple, converter=tuple)
    outcome_state: dict[str, str] = field(factory=dict)
    outcome_stage: dict[str, str] = field(factory=dict)
    location: str = ""

    def kind(self, code: str) -> Kind:
        if code not in self.kinds:
            raise InvalidInput(
                "--kind",
                "",
                _(
                    f"{self.target} 没有数据类别 {code!r}；可选：{', '.join(self.kinds)}",
                    f"no kind {code!r} for {self.target}; kinds: {', '.join(self.kinds)}",
                ),
            )
        return self.kinds[code]

    def fields(self, kind: str) -> tuple[Field, ...]:
        """The envelope, then the kind's own fields."""
        return (*self.envelope, *self.kind(kind).fields)


def _field(raw: dict[str, Any]) -> Field:
    return Field(
        name=raw["name"],
        name_en=raw["name_en"],
        source=raw["from"],
        type=raw.get("type", "string"),
        required=raw.get("required", False),
        vocabulary=raw.get("vocabulary"),
        pattern=raw.get("pattern"),
        status=raw.get("status", "provisional"),
        checked_against=raw.get("checked_against"),
        note=raw.get("note"),
    )


def parse_mapping(raw: dict[str, Any], location: str) -> Mapping:
    """A mapping from its TOML data. :raises InvalidInput: naming the key path of the first
    problem (schema, unknown target or kind, a ``from`` the kind does not give, an unknown
    vocabulary, a name given twice, an outcome outside the result vocabulary)."""
    data = schemas.check(raw, "exchange-mapping", location=location)
    target = data["target"]["code"]
    if target not in TARGETS:
        raise InvalidInput(
            location,
            "target.code",
            _(
                f"未知的对接目标 {target!r}；可选：{', '.join(TARGETS)}",
                f"unknown target {target!r}; targets: {', '.join(TARGETS)}",
            ),
        )
    vocabularies = {
        code: Vocabulary(
            code=code,
            name_zh=v["name_zh"],
            values=v["values"],
            legacy=v.get("legacy", {}),
            status=v.get("status", "provisional"),
            checked_against=v.get("checked_against"),
            note=v.get("note"),
        )
        for code, v in data.get("vocabulary", {}).items()
    }
    envelope = [_field(f) for f in data["envelope"]]
    kinds: dict[str, Kind] = {}
    for n, k in enumerate(data["kind"]):
        where = f"kind[{n}]"
        if k["code"] not in TARGETS[target]:
            raise InvalidInput(
                location,
                f"{where}.code",
                f"{target} has no kind {k['code']!r}; kinds: {', '.join(TARGETS[target])}",
            )
        fields = [_field(f) for f in k["field"]]
        names: set[str] = set()
        for m, f in enumerate([*envelope, *fields]):
            at = f"envelope[{m}]" if m < len(envelope) else f"{where}.field[{m - len(envelope)}]"
            if f.source not in SOURCES[k["code"]]:
                raise InvalidInput(
                    location,
                    f"{at}.from",
                    f"{k['code']} gives no {f.source!r}; it gives: {', '.join(SOURCES[k['code']])}",
                )
            if f.vocabulary is not None and f.vocabulary not in vocabularies:
                raise InvalidInput(
                    location,
                    f"{at}.vocabulary",
                    _(
                        f"没有代码集 {f.vocabulary!r}；可选：{', '.join(vocabularies)}",
                        f"no vocabulary {f.vocabulary!r}; vocabularies: {', '.join(vocabularies)}",
                    ),
                )
            if f.name in names:
                raise InvalidInput(location, f"{at}.name", f"{f.name!r} is given twice")
            names.add(f.name)
        kinds[k["code"]] = Kind(
            code=k["code"],
            name_zh=k["name_zh"],
            name_en=k["name_en"],
            record=k["record"],
            fields=fields,
            note=k.get("note"),
        )
    missing = [k for k in TARGETS[target] if k not in kinds]
    if missing:
        raise InvalidInput(
            location,
            "kind",
            _(
                f"缺少数据类别的映射：{', '.join(missing)}",
                f"no mapping for kind(s) {', '.join(missing)}",
            ),
        )
    outcome = data.get("outcome", {})
    results = vocabularies.get("result")
    for part in ("state", "stage"):
        for key, value in outcome.get(part, {}).items():
            if results is None or value not in results.values:
                raise InvalidInput(
                    location,
                    f"outcome.{part}.{key}",
                    f"{value!r} is not an outcome of vocabulary 'result'",
                )
    return Mapping(
        target=target,
        name_zh=data["target"]["name_zh"],
        name_en=data["target"]["name_en"],
        version=data["target"]["version"],
        effective_from=dt.date.fromisoformat(str(data["target"]["effective_from"])),
        envelope=envelope,
        vocabularies=vocabularies,
        kinds=kinds,
        texts=data.get("text", []),
        outcome_state=outcome.get("state", {}),
        outcome_stage=outcome.get("stage", {}),
        location=location,
    )


def read_mapping_file(path: Path) -> Mapping:
    try:
        raw = tomllib.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise InvalidInput(str(path), "", _("文件不存在", "no such file")) from None
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(
            str(path), "", _(f"不是有效的 TOML：{exc}", f"not valid TOML: {exc}")
        ) from exc
    return parse_mapping(raw, str(path))


@cache
def builtin(target: str) -> Mapping:
    """The mapping shipped with core for ``target``."""
    if target not in TARGETS:
        raise InvalidInput(
            "--target",
            "",
            _(
                f"未知的对接目标 {target!r}；可选：{', '.join(TARGETS)}",
                f"unknown target {target!r}; targets: {', '.join(TARGETS)}",
            ),
        )
    name = f"{target}.toml"
    text = resources.files(__package__).joinpath("data", name).read_text("utf-8")
    return parse_mapping(tomllib.loads(text), f"onething/exchange/data/{name}")


def load_mapping(target: str, path: Path | None = None) -> Mapping:
    """``path``'s mapping (a city's corrected copy), else the built-in one; the file's target
    must be ``target``."""
    if path is None:
        return builtin(target)
    mapping = read_mapping_file(path)
    if mapping.target != target:
        raise InvalidInput(
            str(path),
            "target.code",
            _(
                f"这是 {mapping.target} 的映射，不是 {target} 的",
                f"a mapping for {mapping.target}, not for {target}",
            ),
        )
    return mapping


# -- JSON Schema per kind ---------------------------------------------------------------------

_TYPES: dict[str, dict[str, Any]] = {
    "string": {"type": "string"},
    "integer": {"type": "integer"},
    "number": {"type": "number"},
    "boolean": {"type": "boolean"},
    "date": {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
    "datetime": {"type": "string", "format": "date-time"},
    "list": {"type": "array", "items": {"type": "object"}},
}


def json_schema(mapping: Mapping, kind: str, *, reading: bool = False) -> dict[str, Any]:
    """The JSON Schema of one exported record of ``kind`` (envelope included); ``reading``: of
    a record read in, where a vocabulary's legacy codes are accepted too."""
    k = mapping.kind(kind)
    props: dict[str, Any] = {}
    required = []
    for f in mapping.fields(kind):
        sch: dict[str, Any] = dict(_TYPES[f.type])
        if f.vocabulary is not None:
            v = mapping.vocabularies[f.vocabulary]
            sch = {"enum": [*v.values.values(), *(v.legacy.values() if reading else ())]}
        if f.pattern is not None:
            sch["pattern"] = f.pattern
        sch["title"] = f.name_en
        sch["description"] = f"{f.source} ({f.status})"
        if f.required or f in mapping.envelope:
            required.append(f.name)
            props[f.name] = sch
        else:
            props[f.name] = {"anyOf": [sch, {"type": "null"}], "title": f.name_en}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://onething.dev/schemas/exchange/{mapping.target}/{kind}.schema.json",
        "title": f"{mapping.name_zh} {k.name_zh} ({mapping.target} {kind}, mapping {mapping.version})",
        "type": "object",
        "required": required,
        "properties": props,
        "additionalProperties": False,
    }


def provisional_fields(mappings: list[Mapping] | None = None) -> list[str]:
    """One line per field and vocabulary not checked against a text (``onething validate``)."""
    out = []
    for m in mappings if mappings is not None else [builtin(t) for t in TARGETS]:
        where = f"exchange {m.target} {m.version}"
        pending = _("待核对", "provisional")
        out += [
            f"{where} envelope.{f.name}{_('', f' ({f.name_en})')}: {pending}"
            for f in m.envelope
            if f.status != "checked"
        ]
        for k in m.kinds.values():
            out += [
                f"{where} {k.code}.{f.name}{_('', f' ({f.name_en})')}: {pending}"
                + (_(f"；部分核对：{f.checked_against}", f"; partly read: {f.checked_against}")
                   if f.checked_against else "")
                for f in k.fields
                if f.status != "checked"
            ]  # fmt: skip
        out += [
            f"{where} {_('词表', 'vocabulary')} {v.code} ({v.name_zh}): {pending}"
            for v in m.vocabularies.values()
            if v.status != "checked"
        ]
    return out
