"""脱敏 (redaction): what a publication may show of natural persons, and what it withholds.

"公示为原则、不公示为例外": a business's name and uscc stay; of a natural person only a masked
form is shown, following national practice — a name keeps its surname (张*, 张*丰), a resident
ID number its first 6 and last 4 characters, a mobile number its first 3 and last 4 digits, a
landline its area code and last 2 digits, a bank card its first 6 and last 4 digits, a home
address its part up to the county or district, a private vehicle's plate its province and
issuing letter and last 2 characters. Fields exempt from publication (state secrets, commercial
secrets, security: 政府信息公开条例 第十四条、第十五条) are withheld whole, with a reason code.

Masking is by what a value *is* (a valid resident ID number with its GB 11643 check digit, a
Luhn-valid card number, a mobile number…) wherever it appears, structured or free text, and by
the person names the input names in person fields (:data:`PERSON_FIELDS`): those names are
masked in every text of the record. Names the deployment knows (its inspectors, say) are masked
in every record (:class:`KnownNames`). A name that appears only in free text is recognised by
what introduces it (:func:`free_text_names`): a role word (当事人、负责人、法定代表人、投诉人、
执法人员…, optionally followed by ：, 为 or a space) and then a common surname with one or two
given characters, or a surname and given name before 先生、女士、同志. What follows a role word
is masked even when the name is shorter than what was matched (王伟 in 负责人王伟到场 masks 王伟到 as
王*到): masking too much is the safe side. A name with neither a role word nor a known field
cannot be told from other words and is not masked: hosts put people in person fields.

Every masking and withholding is recorded (:class:`Redaction`): field, kind, count — never the
value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from attrs import field, frozen

from ..registry.kinds import id_check_character, mask_id, mask_name

# -- what a value is ---------------------------------------------------------------------------
# The resident ID check digit and the masks of a person's ID and name are the registry's (#18:
# persons as objects), so a person reads the same everywhere.


def is_resident_id(text: str) -> bool:
    """18 characters: 17 digits and the right check character."""
    return (
        len(text) == 18
        and text[:17].isascii()
        and text[:17].isdigit()
        and text[17].upper() == id_check_character(text[:17])
    )


def luhn_ok(digits: str) -> bool:
    """The Luhn check (ISO/IEC 7812) bank card numbers carry."""
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = int(c)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


# A run of ASCII digits not touching another digit or letter; separators inside card and phone
# numbers (space, hyphen) are allowed the way people write them.
_ID = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")
# a card number does not continue a code: no ASCII letter or digit before it (JY1371502… is a
# licence number)
_CARD = re.compile(r"(?<![0-9A-Za-z])[0-9](?:[ -]?[0-9]){12,18}(?![0-9])")
_MOBILE = re.compile(r"(?<![0-9])(?:\+?86[ -]?)?1[3-9][0-9](?:[ -]?[0-9]){8}(?![0-9])")
_LANDLINE = re.compile(r"(?<![0-9])(?:\(0[0-9]{2,3}\)|0[0-9]{2,3})[ -]?[0-9]{7,8}(?![0-9])")
_PLATE = re.compile(
    "(?<![A-Za-z0-9])([京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼])"
    r"([A-HJ-NP-Z])[·・\. -]?([A-HJ-NP-Z0-9]{4,5}[A-HJ-NP-Z0-9挂学警港澳]?)(?![A-Za-z0-9])"
)
# Address of a person: kept up to the county/district (or town) level.
_ADDRESS_KEEP = re.compile(r"^.*?(?:区|县|旗|镇|乡|街道)")

#: Fields whose value is a natural person's name (at any depth of a record's data).
PERSON_FIELDS = frozenset(
    {
        "natural_person_name",
        "person_name",
        "legal_representative",
        "legal_representative_name",
        "operator_name_person",
        "principal",
        "contact_person",
        "complainant",
        "informant",
        "resident_name",
        "patient_name",
        "inspector_name",
        "name_of_person",
    }
)
#: Fields whose value is a natural person's home address.
ADDRESS_FIELDS = frozenset(
    {"natural_person_address", "home_address", "residence", "domicile", "person_address"}
)

#: Reason codes of withheld fields, with their basis (政府信息公开条例 2019).
REASONS: dict[str, tuple[str, str]] = {
    "state_secret": ("涉及国家秘密", "第十四条"),
    "security": ("公开后可能危及国家安全、公共安全、经济安全、社会稳定", "第十四条"),
    "commercial_secret": ("涉及商业秘密", "第十五条"),
    "personal_privacy": ("涉及个人隐私", "第十五条"),
}

#: Field names withheld by default, whatever a rule publishes.
DEFAULT_WITHHELD: dict[str, str] = {
    "state_secret": "state_secret",
    "state_secrets": "state_secret",
    "classified": "state_secret",
    "security": "security",
    "national_security": "security",
    "public_security_details": "security",
    "trade_secret": "commercial_secret",
    "trade_secrets": "commercial_secret",
    "commercial_secret": "commercial_secret",
    "commercial_secrets": "commercial_secret",
    "health_information": "personal_privacy",
    "patients_personal_information": "personal_privacy",
    "residents_personal_information": "personal_privacy",
    "insured_person_identity": "personal_privacy",
}

# -- names in free text ------------------------------------------------------------------------
#: Common single-character surnames (the most frequent of 百家姓 as counted by the 2020 census
#: reports) and compound surnames; a name recognised in free text starts with one of them.
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    "龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞"
    "左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕"
    "屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧"
    "闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)
COMPOUND_SURNAMES = (
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒",
    "夏侯", "令狐", "端木", "独孤", "南宫", "西门", "呼延", "申屠",
)  # fmt: skip
#: Words that introduce a natural person in an inspection or penalty text.
ROLE_WORDS = (
    "法定代表人", "主要负责人", "负责人", "当事人", "经营者", "业主", "店主", "店长", "老板",
    "联系人", "投诉人", "举报人", "申请人", "被申请人", "委托代理人", "代理人", "监护人", "家属",
    "消费者", "顾客", "从业人员", "员工", "职工", "厨师", "服务员", "护理员", "老人", "患者",
    "学员", "教师", "驾驶员", "司机", "执法人员", "检查人员", "检查员", "记录人", "陪同人",
    "姓名", "食品安全员", "食品安全总监", "安全总监", "安全员",
)  # fmt: skip
# Characters that do not begin or continue a given name (function words, punctuation).
_NOT_GIVEN = "的了在是有和与及其等对向于为被把将未不已因所并或、，。；：！？（）()《》“”\"' "
_GIVEN = f"[^{re.escape(_NOT_GIVEN)}\\x00-\\x7f*＊]"
_SURNAME = "(?:" + "|".join(COMPOUND_SURNAMES) + "|[" + "".join(sorted(SURNAMES)) + "])"
_ROLE_NAME = re.compile(
    "(?:" + "|".join(sorted(ROLE_WORDS, key=len, reverse=True)) + ")"
    f"(?:[：:为是系即]|\\s)?({_SURNAME}{_GIVEN}{{1,2}})"
)
_TITLED_NAME = re.compile(f"({_SURNAME}{_GIVEN}{{1,2}})(?=先生|女士|同志|师傅)")


def free_text_names(text: str) -> list[str]:
    """Names recognised in ``text`` by what introduces them (a role word before, a title after);
    each as matched (it may run one character past a two-character name)."""
    return [m.group(1) for p in (_ROLE_NAME, _TITLED_NAME) for m in p.finditer(text)]


@frozen
class KnownNames:
    """Names a deployment knows belong to natural persons (inspectors, persons of the
    registry): masked in every text of every record, found with one compiled pattern."""

    pattern: re.Pattern[str] | None

    @classmethod
    def of(cls, names: Iterable[str]) -> KnownNames:
        usable = sorted({n.strip() for n in names if len(n.strip()) >= 2}, key=len, reverse=True)
        return cls(re.compile("|".join(map(re.escape, usable))) if usable else None)


#: Fields published as they are: a business's uscc, the numbers of official documents
#: (licences, filings, decisions) and a plan's digests and seed.
AS_IS = frozenset(
    {
        "uscc",
        "licence_no",
        "filing_number",
        "decision_no",
        "decision_number",
        "seed",
        "plan_sha256",
        "population_sha256",
    }
)

MASK_KINDS = ("resident_id", "bank_card", "mobile", "landline", "person_name", "address", "plate")


def _mask_digits(text: str, keep_head: int, keep_tail: int) -> str:
    digits = re.sub(r"[^0-9]", "", text)
    return digits[:keep_head] + "*" * (len(digits) - keep_head - keep_tail) + digits[-keep_tail:]


def mask_address(text: str) -> str:
    m = _ADDRESS_KEEP.match(text)
    return (m.group(0) if m and len(m.group(0)) < len(text) else "") + "****"


# -- policy ------------------------------------------------------------------------------------


@frozen
class Policy:
    """What one domain's publications mask and withhold in this deployment.

    :param withhold: field name → reason code (:data:`REASONS`); added to
        :data:`DEFAULT_WITHHELD` and to the secret categories a rule's ``redact`` names.
    :param keep: mask kinds not applied (e.g. ``plate`` where a domain publishes the plates of
        operating vehicles as the law asks); never ``resident_id``, ``bank_card`` or
        ``person_name``, which are always masked.
    """

    withhold: Mapping[str, str] = field(factory=dict, converter=dict)
    keep: frozenset[str] = field(factory=frozenset, converter=frozenset)

    def reason(self, name: str) -> str | None:
        return self.withhold.get(name) or DEFAULT_WITHHELD.get(name)


#: Mask kinds a policy may not switch off.
ALWAYS_MASKED = frozenset({"resident_id", "bank_card", "person_name", "mobile"})


@frozen
class Redaction:
    """One field's redaction: masked (``kind`` of what was found, how many times) or withheld
    (``kind`` = ``withheld``, ``reason`` its code)."""

    field: str
    kind: str
    count: int = 1
    reason: str | None = None

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"field": self.field, "kind": self.kind, "count": self.count}
        if self.reason:
            out["reason"] = self.reason
        return out


def person_names(data: Any) -> set[str]:
    """Names given in person fields anywhere in ``data`` (dicts and lists walked)."""
    out: set[str] = set()

    def walk(value: Any, key: str | None) -> None:
        if isinstance(value, Mapping):
            for k, v in value.items():
                walk(v, str(k))
        elif isinstance(value, list | tuple):
            for v in value:
                walk(v, key)
        elif isinstance(value, str) and key in PERSON_FIELDS and value.strip():
            out.add(value.strip())

    walk(data, None)
    return out


class Redactor:
    """Masks one record's texts: the person names it knows, and what values are."""

    def __init__(
        self,
        policy: Policy,
        names: Iterable[str] = (),
        *,
        known: KnownNames | None = None,
        free_text: bool = True,
    ):
        self.policy = policy
        # longest first, so 欧阳娜娜 is masked before a shorter name inside it
        self.names = sorted({n for n in names if len(n) >= 2}, key=len, reverse=True)
        self.known = known.pattern if known is not None else None
        self.free_text = free_text
        self.kinds = [k for k in MASK_KINDS if k not in policy.keep or k in ALWAYS_MASKED]

    def text(self, value: str, counts: dict[str, int], *, address: bool = False) -> str:
        def sub(kind: str, pattern: re.Pattern[str], repl, text: str) -> str:
            def one(m: re.Match[str]) -> str:
                out = repl(m)
                if out != m.group(0):
                    counts[kind] = counts.get(kind, 0) + 1
                return out

            return pattern.sub(one, text)

        if address and "address" in self.kinds:
            counts["address"] = counts.get("address", 0) + 1
            value = mask_address(value)
        if "resident_id" in self.kinds:
            value = sub(
                "resident_id",
                _ID,
                lambda m: mask_id(m.group(0)) if is_resident_id(m.group(0)) else m.group(0),
                value,
            )
        value = sub(
            "bank_card",
            _CARD,
            lambda m: (
                _mask_digits(m.group(0), 6, 4)
                if luhn_ok(re.sub(r"[^0-9]", "", m.group(0)))
                else m.group(0)
            ),
            value,
        )
        value = sub("mobile", _MOBILE, lambda m: _mask_digits(m.group(0)[-13:], 3, 4), value)
        if "landline" in self.kinds:
            value = sub("landline", _LANDLINE, _mask_landline, value)
        if "plate" in self.kinds:
            value = sub(
                "plate",
                _PLATE,
                lambda m: m.group(1) + m.group(2) + "*" * (len(m.group(3)) - 2) + m.group(3)[-2:],
                value,
            )
        for name in self.names:
            if name in value:
                counts["person_name"] = counts.get("person_name", 0) + value.count(name)
                value = value.replace(name, mask_name(name))
        if self.known is not None:
            value = sub("person_name", self.known, lambda m: mask_name(m.group(0)), value)
        if self.free_text:
            value = sub("person_name", _ROLE_NAME, _mask_group, value)
            value = sub("person_name", _TITLED_NAME, _mask_group, value)
        return value

    def value(self, name: str, value: Any, counts: dict[str, int]) -> Any:
        if isinstance(value, str):
            return self.text(value, counts, address=name in ADDRESS_FIELDS)
        if isinstance(value, Mapping):
            out = {}
            for k, v in value.items():
                if self.policy.reason(str(k)):
                    counts["withheld:" + str(k)] = 1
                    continue
                out[str(k)] = self.value(str(k), v, counts)
            return out
        if isinstance(value, list | tuple):
            return [self.value(name, v, counts) for v in value]
        return value


def _mask_group(m: re.Match[str]) -> str:
    """The match with its name group (1) masked, what introduced it kept."""
    start, end = m.span(1)
    whole = m.group(0)
    base = m.start(0)
    return whole[: start - base] + mask_name(m.group(1)) + whole[end - base :]


def _mask_landline(m: re.Match[str]) -> str:
    text = m.group(0)
    area = re.match(r"\(?(0[0-9]{2,3})\)?[ -]?", text)
    assert area is not None
    rest = re.sub(r"[^0-9]", "", text[area.end() :])
    return f"{area.group(1)}-" + "*" * (len(rest) - 2) + rest[-2:]


def redact(
    fields: Mapping[str, Any],
    policy: Policy,
    *,
    names: Iterable[str] = (),
    withhold: Iterable[str] = (),
    kept: Iterable[str] = (),
    known: KnownNames | None = None,
) -> tuple[dict[str, Any], list[Redaction]]:
    """The published form of ``fields`` and its redactions.

    :param names: person names to mask wherever they appear (from :func:`person_names` of the
        record's whole input).
    :param withhold: more field names to withhold (``commercial_secret`` reason unless the
        policy names one).
    :param kept: a business's name fields: not masked as a person's name (the ``uscc`` field
        is always published as it is).
    :param known: names the deployment knows are persons', masked in every field but ``kept``.
    """
    redactor = Redactor(policy, names, known=known)
    extra = set(withhold)
    kept = set(kept)
    out: dict[str, Any] = {}
    log: list[Redaction] = []
    for name in sorted(fields):
        value = fields[name]
        reason = policy.reason(name) or ("commercial_secret" if name in extra else None)
        if reason:
            log.append(Redaction(name, "withheld", 1, reason))
            continue
        if name in AS_IS:  # a business's or a document's identity, never a person's
            out[name] = value
            continue
        if name in kept:  # a business's name: no person-name masking, value masks still apply
            out[name] = Redactor(policy, free_text=False).value(name, value, counts := {})
            log += [Redaction(name, k, n) for k, n in sorted(counts.items())]
            continue
        counts: dict[str, int] = {}
        if name in PERSON_FIELDS and isinstance(value, str):
            out[name] = mask_name(value)
            counts["person_name"] = 1
        else:
            out[name] = redactor.value(name, value, counts)
        for kind in sorted(counts):
            if kind.startswith("withheld:"):
                log.append(Redaction(f"{name}.{kind[9:]}", "withheld", 1, policy.reason(kind[9:])))
            else:
                log.append(Redaction(name, kind, counts[kind]))
    return out, log
