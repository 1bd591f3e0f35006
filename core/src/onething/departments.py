"""监管主体: the department registry, with stable codes and names by level."""

from __future__ import annotations

from functools import cache

from attrs import frozen

from .core_data import load


@frozen
class Department:
    code: str
    name_en: str
    province: str
    city: str
    county: str

    def name(self, level: str = "province") -> str:
        """The Chinese name at an administrative level (province, city, county)."""
        return getattr(self, level)


@cache
def departments() -> dict[str, Department]:
    """Every department by code (``onething/data/departments.toml``)."""
    return {d["code"]: Department(**d) for d in load("departments.toml")["department"]}


def department_name(code: str, level: str = "province", lang: str = "zh") -> str:
    """The display name of a department code; unknown codes are shown as they are."""
    dept = departments().get(code)
    if dept is None:
        return code
    return dept.name_en if lang == "en" else dept.name(level)


def unknown_department(code: object) -> str:
    """The one message for a department code the registry does not know."""
    from .i18n import _

    return _(
        f"未知的部门 {code!r}（见 `onething departments`）",
        f"unknown department {code!r} (see `onething departments`)",
    )
