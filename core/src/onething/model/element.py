"""监管要素 (element): one check point, grouped by dimension."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from attrs import field, frozen

from .basis import Basis
from .fields import as_tuple
from .national import NationalCode

Dimension = Literal["personnel", "equipment", "environment", "rules", "quality", "qualification"]
#: 人员 / 设备 / 环境 / 制度 / 产品(服务)质量 / 资质
DIMENSIONS: dict[str, str] = {
    "personnel": "人员",
    "equipment": "设备",
    "environment": "环境",
    "rules": "制度",
    "quality": "产品/服务质量",
    "qualification": "资质",
}
Severity = Literal["general", "serious", "severe", "major_hazard"]
#: The severity of a failed check point: 一般 / 较重 / 严重 / 重大隐患.
SEVERITIES: dict[str, str] = {
    "general": "一般",
    "serious": "较重",
    "severe": "严重",
    "major_hazard": "重大隐患",
}
#: Inspection methods (检查方法).
METHODS: dict[str, str] = {
    "document": "查看资料",
    "onsite": "现场查看",
    "inquiry": "询问",
    "sampling_test": "抽样检测",
    "instrument": "仪器检测",
    "system_check": "系统核查",
}


@frozen
class Limit:
    """A quantitative requirement of a check point, e.g. ``>= 125 g`` or ``<= 12 months``."""

    comparator: Literal["<", "<=", ">", ">=", "==", "!="]
    unit: str
    value: float | None = None
    parameter: str | None = None
    """Name of the domain parameter holding the value (preferred: values are dated there)."""
    frequency: str | None = None
    """How often, where the requirement is periodic (e.g. ``yearly``)."""


@frozen
class Element:
    code: str
    """``<domain>.e<nn>`` (e.g. ``catering.e07``)."""
    domain: str
    canonical: str
    """Code from core's shared catalogue (``onething.check_points``) when the check point is shared
    with other domains or departments, else the element's own code."""
    dimension: Dimension
    label_zh: str
    label_en: str
    methods: tuple[str, ...] = field(converter=as_tuple)
    items: tuple[str, ...] = field(converter=as_tuple)
    """Codes of the items requiring this check point."""
    departments: tuple[str, ...] = field(converter=as_tuple)
    basis: tuple[Basis, ...] = field(converter=as_tuple)
    severity: Severity
    effective_from: dt.date
    effective_to: dt.date | None = None
    evidence_schema: dict[str, Any] = field(factory=lambda: {"type": "boolean"})
    """JSON Schema of what the inspector records for this check point."""
    limit: Limit | None = None
    source: str | None = None
    national_codes: tuple[NationalCode, ...] = field(factory=tuple, converter=as_tuple)
    """The check point's codes in the existing systems (检查实施清单编码 of a check item where a
    province codes them), dated, optional (:mod:`onething.model.national`)."""
