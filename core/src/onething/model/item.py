"""监管事项 (item): one supervision duty — what is checked, by whom, on whom, how."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from attrs import field, frozen

from .basis import Basis
from .fields import as_tuple
from .national import NationalCode

Stage = Literal["before", "during", "after"]
"""事前 / 事中 / 事后."""
STAGES: tuple[str, ...] = ("before", "during", "after")
LEVELS: tuple[str, ...] = ("province", "city", "county")
#: 监管措施: the controlled vocabulary of measures.
MEASURES: dict[str, str] = {
    "onsite": "现场检查",
    "document": "书面检查",
    "sampling_test": "抽样检测",
    "online_monitoring": "网络监测",
    "credit": "信用监管",
    "offsite": "非现场监管",
    "filing_review": "备案审查",
    "licensing_review": "许可审查",
    "complaint_handling": "投诉举报处理",
}
#: 检查方式: how an item's inspections are triggered.
MODES: dict[str, str] = {
    "random": "双随机",
    "key": "重点监管",
    "special": "专项检查",
    "complaint": "投诉举报触发",
}
RELATED_KINDS: tuple[str, ...] = ("licensing", "power", "random", "key")


@frozen
class RelatedLink:
    """A link to an entry of one of the four related official lists."""

    kind: Literal["licensing", "power", "random", "key"]
    code: str
    name: str | None = None


@frozen
class Through:
    """Applicability through a relation: the item applies to the objects related to those of
    its object types (and condition) — every vehicle a platform operates, the unit a project
    is built by, the canteen a care home runs — not to those objects themselves."""

    relation: str
    """A relation type of the enabled domains (``operates``, ``built_by``, ``runs`` …)."""
    direction: Literal["out", "in"] = "out"
    """``out``: the item's objects are the relation's sources and it applies to the targets;
    ``in``: the other way."""
    object_types: tuple[str, ...] = field(factory=tuple, converter=as_tuple)
    """Only related objects of these object types (of ``domain``); empty: every related
    object of the relation's kind."""
    domain: str | None = None
    """The domain of ``object_types`` (default: the item's own)."""


@frozen
class Item:
    """One version of a supervision item; a change is a new version with new dates."""

    code: str
    """Unique across domains: ``<domain>.<nnn>`` (e.g. ``catering.003``)."""
    domain: str
    name_zh: str
    name_en: str
    basis: tuple[Basis, ...] = field(converter=as_tuple)
    departments: tuple[str, ...] = field(converter=as_tuple)
    object_types: tuple[str, ...] = field(converter=as_tuple)
    measures: tuple[str, ...] = field(converter=as_tuple)
    stage: Stage
    effective_from: dt.date
    effective_to: dt.date | None = None
    levels: tuple[str, ...] = field(default=("province", "city", "county"), converter=as_tuple)
    modes: tuple[str, ...] = field(default=("random",), converter=as_tuple)
    related: tuple[RelatedLink, ...] = field(factory=tuple, converter=as_tuple)
    condition: dict[str, Any] | None = None
    """Further applicability condition on the object's domain attributes (see
    ``onething.conditions``); ``None`` applies the item to every object of its object types."""
    source: str | None = None
    national_codes: tuple[NationalCode, ...] = field(factory=tuple, converter=as_tuple)
    """The item's codes in the existing systems (监管事项目录编码, 检查实施清单编码), dated,
    optional (:mod:`onething.model.national`)."""
    through: Through | None = None
    """Applies through a relation (:class:`Through`): ``object_types`` and ``condition`` then
    decide the objects it reaches *through*, and it applies to the objects related to them.
    Derived when asked (:mod:`onething.registry.through`), never stored per object."""
