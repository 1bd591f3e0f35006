"""Synthetic objects beyond businesses and the relations between them (``registry synth``).

A domain declares in ``domain.toml`` what a synthetic registry draws for its objects:
``[[synth_related]]`` — objects of one of its non-business object types drawn for each object
of an *anchor* type and related to it (a platform's vehicles, each vehicle's driver, a
project's site, a business's major hazard sources); ``[[synth_links]]`` — relations between
objects already drawn (a project's supervising unit). Core draws the keys its key formats
define (:mod:`.kinds`):

* ``project_code`` — ``YYYY-RRRRRR-II-TT-NNNNNN``: a year from 2019, the anchor's county, the
  GB/T 4754-2017 division 47 (房屋建筑业) or 48 (土木工程建筑业), type 01, a serial;
* ``plate`` — the province's abbreviation and the city's issuing-authority letter (a table of
  Shandong's cities from secondary sources; ``A`` elsewhere), a 5-character serial or, for the
  entry's ``new_energy_share``, a 6-character small new-energy serial (D/F first);
* ``resident_id`` — the anchor's county, a birth date 1960–2004, a sequence number and the
  GB 11643 check digit; written in clear, as a registry file carries it: the import stores
  only its keyed hash and masked form (:mod:`.personal`);
* ``pattern`` — the entry's ``key`` template.

Every drawn key is unique (running numbers per kind, mapped one to one onto keys) and valid
for its kind; the output depends only on the enabled plugins, region, size and seed.
"""

from __future__ import annotations

import datetime as dt
import random
import string
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from attrs import define, field

from ..errors import InvalidInput
from ..i18n import _
from ..model import Membership, ObjectKind, SupervisedObject, SynthLink, SynthRelated
from . import kinds as kinds_
from . import regions

#: GB/T 2260 province (first two digits) → the abbreviation on its plates (GA 36).
PROVINCE_ABBR = {
    "11": "京", "12": "津", "13": "冀", "14": "晋", "15": "蒙", "21": "辽", "22": "吉",
    "23": "黑", "31": "沪", "32": "苏", "33": "浙", "34": "皖", "35": "闽", "36": "赣",
    "37": "鲁", "41": "豫", "42": "鄂", "43": "湘", "44": "粤", "45": "桂", "46": "琼",
    "50": "渝", "51": "川", "52": "贵", "53": "云", "54": "藏", "61": "陕", "62": "甘",
    "63": "青", "64": "宁", "65": "新",
}  # fmt: skip
#: City (first four digits) → its issuing-authority letter; Shandong's cities, from secondary
#: sources (GA 36-2018's table not read). A city not listed: ``A``.
CITY_LETTER = {
    "3701": "A", "3702": "B", "3703": "C", "3704": "D", "3705": "E", "3706": "F",
    "3707": "G", "3708": "H", "3709": "J", "3710": "K", "3711": "L", "3713": "Q",
    "3714": "N", "3715": "P", "3716": "M", "3717": "R",
}  # fmt: skip
_SERIAL = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # plate characters: digits, letters but I and O
SURNAMES = (
    "王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 高 林 罗 郑 梁 谢 宋 唐 许 韩 冯 邓 曹 "
    "彭 曾 肖 田 董 袁 潘 于 蒋 蔡 余 杜 叶 程 苏 魏 吕 丁 任 沈 姚 卢 姜 崔 钟 谭 陆 汪 范 金 "
    "石 廖 贾 夏 韦 付 方 白 邹 孟 熊 秦 邱 江 尹 薛 闫 段 雷 侯 龙 史 陶 黎 贺 顾 毛 郝 龚 邵 "
    "万 钱 严 武 戴 莫 孔 向 汤 欧阳 司马 上官 诸葛"
).split()
GIVEN = (
    "伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀英 霞 平 刚 桂英 建华 文 华 红 玉兰 "
    "海燕 志强 建国 晨 宇 浩 欣怡 子涵 梓萱 俊杰 春梅 国庆 立新 振东 雪梅 晓燕 德明 家豪 雨"
).split()
#: Birth dates of synthetic people: this many days from 1960-01-01 (to 2004-12-31).
_BIRTH_DAYS = 16_436
_BIRTH0 = dt.date(1960, 1, 1)
_PROJECT_YEAR0 = 2019
_FIELDS = {
    "key": {"index", "n", "anchor", "region", "year"},
    "names": {"anchor_name", "n", "town", "brand", "road", "type", "key"},
}


def _fields(template: str) -> set[str]:
    return {f.split(".")[0].split("[")[0] for _, f, _, _ in string.Formatter().parse(template) if f}


@define
class Anchor:
    """An object drawn in this batch that other objects may be drawn for."""

    key: str
    name: str
    region_code: str
    kind: str
    attributes: Mapping[str, Any]


@define
class Entry:
    """One ``[[synth_related]]`` entry, checked against the enabled domains."""

    domain: str
    spec: SynthRelated
    kind: ObjectKind
    anchor_domain: str
    anchor_is_source: bool
    type_name: str
    where: str


@define
class Link:
    domain: str
    spec: SynthLink
    other_domain: str
    source_is_object: bool


@define
class Drawn:
    """What a batch drew beyond its businesses: import rows of objects and of relations."""

    objects: list[dict[str, Any]] = field(factory=list)
    relations: list[dict[str, Any]] = field(factory=list)


def _direction(rel, mine: str, theirs: str) -> bool | None:
    """Whether the object of kind ``mine`` is the source of ``rel`` towards ``theirs``."""
    if rel.source_kind == mine and rel.target_kind == theirs:
        return True
    if rel.source_kind == theirs and rel.target_kind == mine:
        return False
    return None


class RelatedSynthesiser:
    """Draws the enabled domains' ``synth_related`` objects and ``synth_links`` relations for
    each batch of synthetic businesses."""

    def __init__(self, domains, seed: int, today: dt.date, brands, roads):
        self.domains = domains
        self.seed = seed
        self.today = today
        self.brands, self.roads = brands, roads
        self.kinds = kinds_.object_kinds(domains)
        self.rel_types = kinds_.relation_types(domains)
        self.kind_of = kinds_.kind_of_types(domains)
        self.desc = {n: domains.rules(n).description for n in domains.names}
        self.entries = self._ordered([e for e in self._entries() if e is not None])
        self.links = [x for x in self._links() if x is not None]
        self.counters: dict[str, int] = {}
        keep = {(x.other_domain, x.spec.other) for x in self.links}
        self.pools: dict[tuple[str, str], deque[Anchor]] = {k: deque(maxlen=5000) for k in keep}

    @property
    def active(self) -> bool:
        return bool(self.entries or self.links)

    # -- checking the declarations ---------------------------------------------------------

    def _type_kind(self, domain: str, otype: str, where: str, name: str) -> str:
        kind = self.kind_of.get((domain, otype))
        if kind is None:
            known = ", ".join(t.code for t in self.desc[domain].object_types)
            raise InvalidInput(
                where,
                name,
                _(
                    f"{otype!r} 不是领域 {domain} 的对象类型：{known}",
                    f"{otype!r} is not an object type of {domain}: {known}",
                ),
            )
        return kind

    def _relation(self, code: str, where: str):
        rel = self.rel_types.get(code)
        if rel is None:
            raise InvalidInput(
                where,
                "relation",
                _(
                    f"{code!r} 不是关系类型：{'、'.join(self.rel_types)}",
                    f"{code!r} is not a relation type: {', '.join(self.rel_types)}",
                ),
            )
        return rel

    def _entries(self):
        for d, desc in self.desc.items():
            for i, spec in enumerate(desc.synth_related):
                where = f"{d}: synth_related[{i}]"
                anchor_domain = spec.anchor_domain or d
                kind_code = self._type_kind(d, spec.object_type, where, "object_type")
                if kind_code == "business":
                    raise InvalidInput(
                        where,
                        "object_type",
                        _(
                            "经营主体由 synth_share 生成，不在此处",
                            "businesses are drawn by synth_share, not here",
                        ),
                    )
                if anchor_domain not in self.desc:
                    yield None  # the anchor's domain is not enabled: nothing to draw for
                    continue
                anchor_kind = self._type_kind(anchor_domain, spec.anchor, where, "anchor")
                rel = self._relation(spec.relation, where)
                mine = _direction(rel, kind_code, anchor_kind)
                if mine is None:
                    raise InvalidInput(
                        where,
                        "relation",
                        _relates(rel, anchor_kind + _("（锚）", " (anchor)"), kind_code),
                    )
                kind = self.kinds[kind_code]
                lo, hi = spec.count
                if lo > hi:
                    raise InvalidInput(
                        where,
                        "count",
                        _(f"[{lo}, {hi}]：下限大于上限", f"[{lo}, {hi}]: from exceeds to"),
                    )
                self._check_templates(spec, kind, self.kinds[anchor_kind], where)
                yield Entry(
                    domain=d,
                    spec=spec,
                    kind=kind,
                    anchor_domain=anchor_domain,
                    # same kinds both ways: the anchor is the source
                    anchor_is_source=not mine or rel.source_kind == rel.target_kind,
                    type_name=next(
                        t.name_zh for t in desc.object_types if t.code == spec.object_type
                    ),
                    where=where,
                )

    def _check_templates(self, spec: SynthRelated, kind, anchor_kind, where: str) -> None:
        if spec.key is None and kind.key_format == "pattern":
            raise InvalidInput(
                where,
                "key",
                _(
                    f"需要模板：{kind.code} 的编码是正则格式",
                    f"a template is required: {kind.code} keys are a pattern",
                ),
            )
        for name, templates in (("key", [spec.key] if spec.key else []), ("names", spec.names)):
            for t in templates:
                try:
                    used = _fields(t)
                except ValueError as exc:
                    raise InvalidInput(where, name, f"{t!r}: {exc}") from None
                if unknown := used - _FIELDS[name]:
                    raise InvalidInput(
                        where,
                        name,
                        _(
                            f"{t!r}：未知字段 {sorted(unknown)[0]}；应为 "
                            f"{'、'.join(sorted(_FIELDS[name]))}",
                            f"{t!r}: unknown field {sorted(unknown)[0]}; expected "
                            f"{', '.join(sorted(_FIELDS[name]))}",
                        ),
                    )
                if name == "key" and not ("index" in used or {"anchor", "n"} <= used):
                    raise InvalidInput(
                        where,
                        name,
                        _(
                            f"{t!r}：编码必须唯一：用 {{index}}，或 {{anchor}} 加 {{n}}",
                            f"{t!r}: keys must be unique: use {{index}}, or {{anchor}} and {{n}}",
                        ),
                    )
                if "anchor" in used and anchor_kind.personal:
                    raise InvalidInput(
                        where,
                        name,
                        _(
                            f"{t!r}：自然人的编码不得写入其他编码（个人信息保护法）",
                            f"{t!r}: a person's key never goes into another key (PIPL)",
                        ),
                    )

    def _ordered(self, entries: list[Entry]) -> list[Entry]:
        """Entries whose anchors are drawn by other entries after those (a vehicle's driver
        after the vehicles)."""
        out: list[Entry] = []
        left = list(entries)
        while left:
            pending = {(e.domain, e.spec.object_type) for e in left}
            ready = [e for e in left if (e.anchor_domain, e.spec.anchor) not in pending]
            if not ready:
                raise InvalidInput(
                    left[0].where,
                    "anchor",
                    _("synth_related 的锚构成循环", "synth_related anchors form a cycle"),
                )
            out += ready
            left = [e for e in left if e not in ready]
        return out

    def _links(self):
        for d, desc in self.desc.items():
            for i, spec in enumerate(desc.synth_links):
                where = f"{d}: synth_links[{i}]"
                other_domain = spec.other_domain or d
                mine = self._type_kind(d, spec.object_type, where, "object_type")
                if other_domain not in self.desc:
                    yield None
                    continue
                theirs = self._type_kind(other_domain, spec.other, where, "other")
                rel = self._relation(spec.relation, where)
                direction = _direction(rel, mine, theirs)
                if direction is None:
                    raise InvalidInput(
                        where,
                        "relation",
                        _relates(rel, mine, theirs + _("（other）", " (other)")),
                    )
                yield Link(d, spec, other_domain, direction or rel.source_kind == rel.target_kind)

    # -- keys ---------------------------------------------------------------------------------

    def _next(self, counter: str) -> int:
        n = self.counters.get(counter, 0)
        self.counters[counter] = n + 1
        return n

    def _key(self, e: Entry, anchor: Anchor, n: int, rng: random.Random) -> str:
        kind = e.kind
        county = anchor.region_code
        if e.spec.key is not None:
            index = self._next(kind.code)
            key = e.spec.key.format(
                index=index,
                n=n,
                anchor=anchor.key,
                region=county,
                year=rng.randint(_PROJECT_YEAR0, self.today.year),
            )
        elif kind.key_format == "project_code":
            key = self._project_code(self._next(kind.code), county, rng)
        elif kind.key_format == "plate":
            key = self._plate(kind.code, county, rng, e.spec.new_energy_share)
        elif kind.key_format == "resident_id":
            key = self._resident_id(self._next(kind.code), county)
        else:  # pragma: no cover - _check_templates requires a template for the rest
            raise AssertionError(kind.key_format)
        if problem := kinds_.key_problem(kind, key):
            raise InvalidInput(
                e.where,
                "key",
                _(f"模板生成了无效编码：{problem}", f"the template drew an invalid key: {problem}"),
            )
        return key

    def _project_code(self, index: int, county: str, rng: random.Random) -> str:
        span = self.today.year - _PROJECT_YEAR0 + 1
        serial, k = index % 10**6, index // 10**6
        if k >= span:
            raise InvalidInput(
                "--size",
                "",
                _(
                    f"合成项目超过 {span * 10**6} 个",
                    f"more than {span * 10**6} synthetic projects",
                ),
            )
        year = _PROJECT_YEAR0 + (k + serial) % span  # one to one for each serial's k < span
        return f"{year}-{county}-{rng.choice(('47', '48'))}-01-{serial:06d}"

    def _plate(self, kind: str, county: str, rng: random.Random, share: float) -> str:
        head = PROVINCE_ABBR.get(county[:2], "京") + CITY_LETTER.get(county[:4], "A")
        if rng.random() >= share:
            i = self._next(f"{kind}:ordinary")
            if i >= len(_SERIAL) ** 5:
                raise InvalidInput(
                    "--size",
                    "",
                    _("合成的普通号牌多于可用序号", "more synthetic ordinary plates than serials"),
                )
            i = i * 7919 % len(_SERIAL) ** 5  # 7919 is coprime to 34: one to one, scattered
            chars = []
            for _digit in range(5):
                i, r = divmod(i, len(_SERIAL))
                chars.append(_SERIAL[r])
            return head + "".join(reversed(chars))
        i = self._next(f"{kind}:new_energy")
        small = 2 * len(_SERIAL) * 10**4  # D/F first
        if i < small:
            i = i * 7919 % small  # 7919 is coprime to the count: one to one, scattered
            first, rest = "DF"[i % 2], i // 2
        else:
            j = i - small
            first, rest = "ABCEGHJK"[j % 8], j // 8
            if rest >= len(_SERIAL) * 10**4:
                raise InvalidInput(
                    "--size",
                    "",
                    _(
                        "合成的新能源号牌多于可用序号",
                        "more synthetic new-energy plates than serials",
                    ),
                )
        return f"{head}{first}{_SERIAL[rest % len(_SERIAL)]}{rest // len(_SERIAL):04d}"

    @staticmethod
    def _resident_id(index: int, county: str) -> str:
        day, seq = index % _BIRTH_DAYS, index // _BIRTH_DAYS
        if seq >= 1000:
            raise InvalidInput(
                "--size",
                "",
                _(
                    f"合成自然人超过 {_BIRTH_DAYS * 1000} 个",
                    f"more than {_BIRTH_DAYS * 1000} synthetic people",
                ),
            )
        born = _BIRTH0 + dt.timedelta(days=day * 7919 % _BIRTH_DAYS)  # 7919 coprime: one to one
        body = f"{county}{born:%Y%m%d}{seq:03d}"
        return body + kinds_.id_check_character(body)

    # -- drawing ------------------------------------------------------------------------------

    def _name(self, e: Entry, anchor: Anchor, key: str, n: int, rng: random.Random) -> str:
        if e.spec.names:
            county = regions.name(anchor.region_code)
            return rng.choice(e.spec.names).format(
                anchor_name=anchor.name,
                n=n,
                town=county,
                brand=rng.choice(self.brands),
                road=rng.choice(self.roads),
                type=e.type_name,
                key=key,
            )
        if e.kind.personal:
            return rng.choice(SURNAMES) + rng.choice(GIVEN)
        if e.kind.key_format == "plate":
            return key
        return f"{anchor.name}{e.type_name}{n}"

    def _count(self, e: Entry, anchor: Anchor, rng: random.Random) -> int:
        if e.spec.count_from is not None:
            value = anchor.attributes.get(e.spec.count_from)
            if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
                return value
        return rng.randint(*e.spec.count)

    def _since(self, rng: random.Random) -> str:
        # a year to five back: in force for any plan cycle of the past year
        return (self.today - dt.timedelta(days=rng.randint(365, 5 * 365))).isoformat()

    def draw(self, rows: Sequence[dict[str, Any]], start: int, attributes: Callable) -> Drawn:
        """What to draw for one batch of business ``rows`` (``start``: the batch's first
        index); ``attributes(domain, objects, seed)`` is the plugins' synth hook."""
        out = Drawn()
        if not self.active:
            return out
        rng = random.Random(f"{self.seed}:{start}:related")
        drawn: dict[tuple[str, str], list[Anchor]] = {}
        for row in rows:
            key = row["uscc"] or row["key"]
            for d, m in row["domains"].items():
                for t in m["object_types"]:
                    drawn.setdefault((d, t), []).append(
                        Anchor(key, row["name"], row["region_code"], "business", m["attributes"])
                    )
        for e in self.entries:
            made: list[tuple[SupervisedObject, Anchor, dict[str, Any]]] = []
            for anchor in drawn.get((e.anchor_domain, e.spec.anchor), ()):
                for n in range(1, self._count(e, anchor, rng) + 1):
                    key = self._key(e, anchor, n, rng)
                    name = self._name(e, anchor, key, n, rng)
                    obj = SupervisedObject(
                        key=key,
                        name=name,
                        region_code=anchor.region_code,
                        domains={e.domain: Membership(object_types=[e.spec.object_type])},
                    )
                    source, target = (anchor.key, key) if e.anchor_is_source else (key, anchor.key)
                    made.append(
                        (obj, anchor, self._relation_row(e.spec.relation, source, target, rng))
                    )
            if not made:
                continue
            seed = self.seed * 1_000_003 + start + 7919 * len(out.objects)
            attrs = attributes(e.domain, [m[0] for m in made], seed)
            mine = drawn.setdefault((e.domain, e.spec.object_type), [])
            for (obj, _anchor, relation), a in zip(made, attrs, strict=True):
                on_site = e.kind.supervision == "on_site" and not e.kind.personal
                address = (
                    f"{regions.name(obj.region_code)}{rng.choice(self.roads)}"
                    f"{rng.randint(1, 399)}号"
                    if on_site
                    else ""
                )
                out.objects.append(
                    {
                        "object_kind": e.kind.code,
                        "uscc": "",
                        "key": obj.key,
                        "name": obj.name,
                        "region_code": obj.region_code,
                        "address": address,
                        "domains": {
                            e.domain: {"object_types": [e.spec.object_type], "attributes": a}
                        },
                        "licences": [],
                        "credit_grade": None,
                        "risk_grade": None,
                    }
                )
                out.relations.append(relation)
                mine.append(Anchor(obj.key, obj.name, obj.region_code, e.kind.code, a))
        for (d, t), pool in self.pools.items():
            pool.extend(drawn.get((d, t), ()))
        for x in self.links:
            pool = self.pools[(x.other_domain, x.spec.other)]
            for obj in drawn.get((x.domain, x.spec.object_type), ()):
                if not pool or rng.random() >= x.spec.share:
                    continue
                other = rng.choice(pool)
                if other.key == obj.key:
                    continue
                source, target = (
                    (obj.key, other.key) if x.source_is_object else (other.key, obj.key)
                )
                out.relations.append(self._relation_row(x.spec.relation, source, target, rng))
        return out

    def _relation_row(self, code: str, source: str, target: str, rng) -> dict[str, Any]:
        return {
            "type": code,
            "source": source,
            "target": target,
            "valid_from": self._since(rng),
            "valid_to": "",
        }


def _relates(rel, one: str, other: str) -> str:
    return _(
        f"{rel.code} 连接 {rel.source_kind} 与 {rel.target_kind}，而不是 {one} 与 {other}",
        f"{rel.code} relates a {rel.source_kind} to a {rel.target_kind}, not a {one} and a {other}",
    )


__all__ = ["CITY_LETTER", "PROVINCE_ABBR", "Drawn", "RelatedSynthesiser"]
