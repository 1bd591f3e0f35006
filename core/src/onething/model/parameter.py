"""Parameters: thresholds, limits, deadlines, validity periods and ratios, as dated values."""

from __future__ import annotations

import datetime as dt

from attrs import field, frozen

from .basis import Basis, Status
from .fields import as_tuple

Scalar = bool | int | float | str

#: Units a parameter may have. Ratios are fractions (0.2, not 20); a multiple is a factor of a
#: base the parameter names (a fine of 10 times the goods' value or the illegal gains).
UNITS: dict[str, str] = {
    "ratio": "比例",
    "CNY": "元",
    "day": "日",
    "working_day": "工作日",
    "hour": "小时",
    "month": "月",
    "year": "年",
    "count": "次/个",
    "per_year": "次/年",
    "person": "人",
    "bed": "张",
    "gram": "克",
    "square_metre": "平方米",
    "metre": "米",
    "percent_point": "百分点",
    "multiple": "倍",
    "text": "文本",
    "flag": "是/否",
}
#: unit → (the unit it converts to, factor): limits of one check point in years and months
#: compare (and so do an element's limit and its parameter)
UNIT_BASE = {"year": ("month", 12.0), "month": ("month", 1.0), "hour": ("hour", 1.0)}


@frozen
class ParameterValue:
    """One dated value of a parameter."""

    value: Scalar
    effective_from: dt.date
    basis: tuple[Basis, ...] = field(converter=as_tuple)
    status: Status
    """How far *this value* was checked against the legal text."""
    reviewed: dt.date
    """When a person last checked this value against its basis."""
    effective_to: dt.date | None = None
    note: str | None = None


@frozen
class Parameter:
    domain: str
    name: str
    """Dotted name, unique within the domain (e.g. ``custody_ratio.brand``)."""
    label_zh: str
    label_en: str
    unit: str
    values: tuple[ParameterValue, ...] = field(converter=as_tuple)
    source: str | None = None
