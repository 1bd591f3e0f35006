"""A JSON Schema validation error said in the current language.

jsonschema words its messages in English only; here each is said again from what the error
holds (the keyword that failed, its value in the schema, the instance), Chinese by default.
A keyword not known here keeps jsonschema's message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..i18n import _, language

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

_TYPES = {
    "string": ("字符串", "a string"),
    "number": ("数值", "a number"),
    "integer": ("整数", "an integer"),
    "boolean": ("布尔值（true/false）", "a boolean"),
    "object": ("对象（键值表）", "an object"),
    "array": ("数组（列表）", "an array"),
    "null": ("空值（null）", "null"),
}


def _kinds(value: Any) -> str:
    names = [value] if isinstance(value, str) else list(value)
    return "或".join(_TYPES.get(n, (n, n))[0] for n in names)


def _listed(values: Any) -> str:
    return ", ".join(map(repr, values))


def message(error: ValidationError) -> str:
    """``error`` in the current language (jsonschema's own message in English)."""
    if language() == "en":
        return error.message
    if error.validator == "oneOf" and not error.context:  # more than one of them matched
        return "同时符合多种写法（只能符合其中一种）"
    said = _zh(error.validator, error.validator_value, error.instance, error.schema)
    return error.message if said is None else said


def _zh(keyword: Any, value: Any, instance: Any, schema: Any) -> str | None:
    if keyword == "required":
        missing = [p for p in value if isinstance(instance, dict) and p not in instance]
        return f"缺少必填字段 {_listed(missing or value)}"
    if keyword == "additionalProperties":
        known = set(schema.get("properties", {}))
        extra = [k for k in instance if k not in known] if isinstance(instance, dict) else []
        return f"不允许的字段 {_listed(extra)}"
    if keyword == "enum":
        return f"{instance!r} 不是可选值（{_listed(value)}）之一"
    if keyword == "const":
        return f"应为 {value!r}，实为 {instance!r}"
    if keyword == "type":
        return f"{instance!r} 应为{_kinds(value)}"
    if keyword == "pattern":
        return f"{instance!r} 不符合格式 {value!r}"
    if keyword == "format":
        return f"{instance!r} 不是有效的 {value}"
    if keyword == "minLength":
        return f"{instance!r} 太短（至少 {value} 个字符）" if value > 1 else "不能为空"
    if keyword == "maxLength":
        return f"{instance!r} 太长（至多 {value} 个字符）"
    if keyword == "minimum":
        return f"{instance!r} 小于最小值 {value}"
    if keyword == "maximum":
        return f"{instance!r} 大于最大值 {value}"
    if keyword == "exclusiveMinimum":
        return f"{instance!r} 须大于 {value}"
    if keyword == "exclusiveMaximum":
        return f"{instance!r} 须小于 {value}"
    if keyword == "multipleOf":
        return f"{instance!r} 须为 {value} 的倍数"
    if keyword == "minItems":
        return f"至少需要 {value} 项" if value > 1 else "不能为空"
    if keyword == "maxItems":
        return f"至多 {value} 项"
    if keyword == "uniqueItems":
        return "有重复的项"
    if keyword in ("minProperties", "maxProperties"):
        return f"字段数须{'至少' if keyword == 'minProperties' else '至多'} {value} 个"
    if keyword == "dependentRequired":
        return f"缺少必填字段（有其中一个字段时其余必填）：{value}"
    if keyword in ("oneOf", "anyOf"):
        return "不符合任何一种允许的写法"
    if keyword == "not":
        return f"{instance!r} 不被允许"
    if keyword == "propertyNames":
        return "字段名不符合要求"
    if keyword is False or schema is False:
        return "不允许此字段"
    return None


def expected_keys(allowed: list[str]) -> str:
    return _(f"可用的字段：{', '.join(allowed)}", f"expected keys: {', '.join(allowed)}")
