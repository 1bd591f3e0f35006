"""Object kinds (对象种类) and their key formats, and relation types, as the enabled plugins
declare them.

``business`` is core's own kind (a uscc or the documented alternative key). A plugin declares
the other kinds its object types are (``[[object_kinds]]`` in ``domain.toml``) and the relation
types between objects (``[[relation_types]]``); both are checked against
``registry-kinds.schema.json``. A kind's key format is one of :data:`KEY_FORMATS`, implemented
here because formats need code (check digits):

* ``project_code`` — 投资项目代码 of the national online approval and supervision platform for
  investment projects: ``YYYY-RRRRRR-II-TT-NNNNNN`` (year, GB/T 2260 region, industry, project
  type, serial; e.g. ``2019-370000-48-01-000123``). Only the shape, the year and the region
  code's shape are checked (the structure as reported by secondary sources; the platform's
  coding rules were not read in full).
* ``plate`` — 机动车号牌号码 (GA 36): province abbreviation, issuing-authority letter, then a
  five-character serial (ordinary plates) or a six-character serial (new-energy plates: small
  vehicles start with D/F or A–K without I, large ones end with D/F). Per secondary sources;
  GA 36-2018 itself was not read.
* ``resident_id`` — 公民身份号码 (GB 11643-1999): 17 digits and an ISO 7064 MOD 11-2 check
  character (``X`` for 10), the birth date valid.
* ``uscc`` — GB 32100-2015 or ``ALT-…`` (:mod:`.uscc`), the business key.
* ``pattern`` — a full-match regular expression the plugin gives (licence numbers, a
  hazard-source code its domain defines).
"""

from __future__ import annotations

import datetime as dt
import operator
import re
from collections.abc import Callable
from functools import cache

from ..core_parameters import CORE
from ..errors import InvalidInput
from ..i18n import _
from ..model import ObjectKind, RelationType

BUSINESS = ObjectKind(
    code="business",
    name_zh="经营主体",
    name_en="Business",
    key_format="uscc",
    key_example="91371502MA3C4X1K53",
)

#: GB 11643-1999 §8.2: weights Wᵢ = 2^(17-i) mod 11 and the check characters by Σ mod 11.
ID_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
ID_CHECK = "10X98765432"

#: Province-level abbreviations on plates (GA 36).
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_SERIAL = "[A-HJ-NP-Z0-9]"  # letters without I and O, digits
_PLATE = re.compile(
    rf"[{PROVINCES}][A-Z]"
    rf"(?:{_SERIAL}{{5}}"  # ordinary: 5 characters
    rf"|{_SERIAL}{{4}}[挂学警港澳领]"  # trailer, driving school … (the last character)
    rf"|[A-HJK]{_SERIAL}\d{{4}}"  # small new-energy: D/F (A–K) first, then 1 + 4 digits
    rf"|\d{{5}}[DF])"  # large new-energy: 5 digits, then D or F
)
_PROJECT = re.compile(r"(\d{4})-(\d{6})-(\d{2})-(\d{2})-(\d{6})", re.ASCII)
_RESIDENT = re.compile(r"\d{17}[\dX]", re.ASCII)


def id_check_character(first17: str) -> str:
    """The GB 11643-1999 check character of the first 17 digits."""
    if len(first17) != 17:
        raise ValueError(f"{len(first17)} digits; the check character follows 17")
    return ID_CHECK[sum(map(operator.mul, map(int, first17), ID_WEIGHTS)) % 11]


def mask_id(text: str) -> str:
    """The masked form shown for a personal key: the first 6 and last 4 characters kept (a
    key of fewer than 12 characters keeps its first and last)."""
    if len(text) >= 12:
        return text[:6] + "*" * (len(text) - 10) + text[-4:]
    if len(text) <= 2:
        return "*" * len(text)
    return text[0] + "*" * (len(text) - 2) + text[-1]


def mask_name(name: str) -> str:
    """A natural person's name masked: the first character kept, and the last of a name of
    three or more (张*, 张*丰, 欧**娜)."""
    name = name.strip()
    if len(name) <= 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def _resident_id(text: str) -> str | None:
    if not _RESIDENT.fullmatch(text):
        return _(
            "应为 18 位：17 位数字和一位校验码 0-9 或 X（GB 11643-1999）",
            "expected 18 characters: 17 digits and a check digit 0-9 or X (GB 11643-1999)",
        )
    try:
        dt.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        return _(
            "第 7–14 位不是有效的出生日期 YYYYMMDD（GB 11643-1999）",
            "characters 7–14 are not a valid birth date YYYYMMDD (GB 11643-1999)",
        )
    expected = id_check_character(text[:17])
    if text[17] != expected:
        # the expected digit would disclose the clear number with the masked one: not named
        return _(
            "校验码错误（GB 11643-1999 第 8.2 条，ISO 7064 MOD 11-2）",
            "wrong check digit (GB 11643-1999 §8.2, ISO 7064 MOD 11-2)",
        )
    return None


def _project_code(text: str) -> str | None:
    m = _PROJECT.fullmatch(text)
    if m is None:
        return _(
            "应为 YYYY-RRRRRR-II-TT-NNNNNN（年份-行政区划-行业-项目类型-流水号）",
            "expected YYYY-RRRRRR-II-TT-NNNNNN (year-region-industry-type-serial)",
        )
    if not 2000 <= int(m[1]) <= dt.date.today().year + 1:
        return _(f"年份 {m[1]} 不是合理的赋码年份", f"year {m[1]} is not a plausible year of issue")
    return None


def _plate(text: str) -> str | None:
    if _PLATE.fullmatch(text):
        return None
    return _(
        "应为号牌号码：省份简称、发牌机关代号和 5 位序号，新能源号牌为 6 位"
        "（D/F 开头，或 5 位数字加 D/F）；不用字母 I 和 O",
        "expected a plate number: province abbreviation, authority letter and 5 characters, "
        "or 6 for a new-energy plate (D/F first, or 5 digits and D/F); letters I and O unused",
    )


#: Key format → check of a key (the reason it is wrong, or ``None``); ``uscc`` and
#: ``pattern`` are checked by the importer and :func:`key_problem`.
KEY_FORMATS: dict[str, Callable[[str], str | None] | None] = {
    "uscc": None,
    "project_code": _project_code,
    "plate": _plate,
    "resident_id": _resident_id,
    "pattern": None,
}


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def key_problem(kind: ObjectKind, key: str) -> str | None:
    """Why ``key`` is not a key of ``kind`` (never echoing a personal key), or ``None``."""
    check = KEY_FORMATS[kind.key_format]
    if check is not None:
        problem = check(key)
    elif kind.key_format == "pattern":
        assert kind.key_pattern is not None
        problem = (
            None
            if _compiled(kind.key_pattern).fullmatch(key)
            else _(f"编码应符合 {kind.key_pattern}", f"expected a key matching {kind.key_pattern}")
        )
    else:
        return None
    if problem is None:
        return None
    shown = mask_id(key) if kind.personal else repr(key)
    if not (kind.key_example and not kind.personal):
        example = ""
    else:
        example = _(f"；例如 {kind.key_example}", f"; e.g. {kind.key_example}")
    return _(
        f"{shown} 不是有效的{kind.name_zh}编码：{problem}{example}",
        f"{shown} is not a valid {kind.name_en.lower()} key: {problem}{example}",
    )


# -- what the enabled plugins declare -------------------------------------------------------


def object_kinds(domains) -> dict[str, ObjectKind]:
    """Code → object kind: ``business`` and every kind the enabled domains declare.

    :raises InvalidInput: two domains declare one code differently, a kind has a bad format,
        or an object type names a kind nobody declares.
    """
    out: dict[str, tuple[ObjectKind, str]] = {"business": (BUSINESS, CORE)}
    for name in domains.names:
        desc = domains.rules(name).description
        for i, kind in enumerate(desc.object_kinds):
            where = f"{name}: object_kinds[{i}]"
            _check_kind(kind, where)
            seen = out.get(kind.code)
            if seen is not None and seen[0] != kind:
                raise InvalidInput(
                    where,
                    kind.code,
                    f"declared differently by {seen[1]}; plugins declaring a kind must agree",
                )
            out.setdefault(kind.code, (kind, name))
    for name in domains.names:
        for i, t in enumerate(domains.rules(name).description.object_types):
            if t.object_kind not in out:
                raise InvalidInput(
                    f"{name}: object_types[{i}]",
                    "object_kind",
                    f"{t.object_kind!r} is not an object kind; declared: {', '.join(out)}",
                )
    return {code: k for code, (k, _) in out.items()}


def _check_kind(kind: ObjectKind, where: str) -> None:
    if kind.key_format not in KEY_FORMATS:
        raise InvalidInput(
            where, "key_format", f"{kind.key_format!r}: expected one of {', '.join(KEY_FORMATS)}"
        )
    if (kind.key_format == "pattern") != (kind.key_pattern is not None):
        raise InvalidInput(where, "key_pattern", "required with key_format pattern, only then")
    if kind.key_pattern is not None:
        try:
            re.compile(kind.key_pattern)
        except re.error as exc:
            raise InvalidInput(where, "key_pattern", f"not a regular expression: {exc}") from None
    if kind.key_format == "resident_id" and not kind.personal:
        raise InvalidInput(where, "personal", "a kind keyed by resident ID is personal")
    if kind.key_format == "uscc" and kind.code != "business":
        raise InvalidInput(where, "key_format", "uscc keys are the business kind's")
    if kind.key_example and not kind.personal and (p := key_problem(kind, kind.key_example)):
        raise InvalidInput(where, "key_example", p)


def relation_types(domains) -> dict[str, RelationType]:
    """Code → relation type the enabled domains declare.

    :raises InvalidInput: a type names an unknown kind, or two domains declare it differently.
    """
    kinds = object_kinds(domains)
    out: dict[str, tuple[RelationType, str]] = {}
    for name in domains.names:
        for i, rel in enumerate(domains.rules(name).description.relation_types):
            where = f"{name}: relation_types[{i}]"
            for end in ("source_kind", "target_kind"):
                if getattr(rel, end) not in kinds:
                    raise InvalidInput(
                        where,
                        end,
                        f"{getattr(rel, end)!r} is not an object kind; known: {', '.join(kinds)}",
                    )
            if rel.place and kinds[rel.target_kind].supervision != "on_site":
                raise InvalidInput(where, "place", "a place is supervised on site")
            seen = out.get(rel.code)
            if seen is not None and seen[0] != rel:
                raise InvalidInput(where, rel.code, f"declared differently by {seen[1]}")
            out.setdefault(rel.code, (rel, name))
    return {code: r for code, (r, _) in out.items()}


def kind_of_types(domains) -> dict[tuple[str, str], str]:
    """(domain, object type) → the object kind objects of that type are."""
    return {
        (name, t.code): t.object_kind
        for name in domains.names
        for t in domains.rules(name).description.object_types
    }
