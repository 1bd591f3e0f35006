"""Click's own words (usage errors, help headings, ``[default: …]``) in the current language.

Click marks its messages for gettext (``from gettext import gettext as _`` in each module) but
ships no catalogue, and gettext picks a language from the process locale, not from ``--lang``.
:func:`install` points those module-level names at this catalogue instead, keyed by click's
own English message ids, so that ``onething`` speaks one language: Chinese by default, click's
English with ``--lang en``. A message id missing here stays English (the language sweep,
``tests/test_lang_sweep.py``, fails on it).
"""

from __future__ import annotations

import gettext
import importlib

from ..i18n import language

#: click's message id -> Chinese. Placeholders are click's own (``str.format`` names).
CATALOGUE: dict[str, str] = {
    # headings and help
    "Usage:": "用法：",
    "Options": "选项",
    "Commands": "命令",
    "Positional arguments": "位置参数",
    "Show this message and exit.": "显示本帮助并退出。",
    "Show the version and exit.": "显示版本并退出。",
    "%(prog)s, version %(version)s": "%(prog)s，版本 %(version)s",
    "default: {default}": "默认：{default}",
    "env var: {var}": "环境变量：{var}",
    "required": "必填",
    "(dynamic)": "（动态）",
    "deprecated": "已弃用",
    "Choose from:\n\t{choices}": "可选：\n\t{choices}",
    # errors
    "Error: {message}": "错误：{message}",
    "Try '{command} {option}' for help.": "用 '{command} {option}' 查看帮助。",
    "Invalid value: {message}": "取值无效：{message}",
    "Invalid value for {param_hint}: {message}": "{param_hint} 取值无效：{message}",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing {param_type}": "缺少{param_type}",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "Missing command.": "缺少子命令。",
    "No such option {name!r}.": "没有选项 {name!r}。",
    "No such command {name!r}.": "没有命令 {name!r}。",
    "unknown error": "未知错误",
    "Could not open file {filename!r}: {message}": "无法打开文件 {filename!r}：{message}",
    "Aborted!": "已中止！",
    "Value must be an iterable.": "取值须为可迭代的序列。",
    "Option {name!r} does not take a value.": "选项 {name!r} 不接受取值。",
    "Argument {name!r} takes {nargs} values.": "参数 {name!r} 需要 {nargs} 个值。",
    "Invalid start character for option ({option})": "选项的起始字符无效（{option}）",
    "{value} is not in the range {range}.": "{value} 不在范围 {range} 内。",
    "{value!r} is not a valid boolean. Recognized values: {states}": (
        "{value!r} 不是有效的布尔值。可用取值：{states}"
    ),
    "{value!r} is not a valid {number_type}.": "{value!r} 不是有效的{number_type}。",
    "{value!r} is not a valid UUID.": "{value!r} 不是有效的 UUID。",
    # "file", "directory", "path" stay: they are also the metavars (FILE) of the help. The
    # Chinese message says the kind itself.
    "{name} {filename!r} does not exist.": "{filename!r} 不存在。",
    "{name} {filename!r} is a file.": "{filename!r} 是文件，不是目录。",
    "{name} {filename!r} is a directory.": "{filename!r} 是目录，不是文件。",
    "{name} {filename!r} is not readable.": "{filename!r} 不可读。",
    "{name} {filename!r} is not writable.": "{filename!r} 不可写。",
    "{name} {filename!r} is not executable.": "{filename!r} 不可执行。",
    "Do you want to continue?": "是否继续？",
    "Confirm the action without prompting.": "不经询问直接确认。",
    "Repeat for confirmation": "再输入一次以确认",
    "Error: The two entered values do not match.": "错误：两次输入不一致。",
    "Error: invalid input": "错误：输入无效",
    "Press any key to continue...": "按任意键继续……",
}

#: (singular, plural) -> Chinese (one form: Chinese has no grammatical number).
PLURALS: dict[tuple[str, str], str] = {
    ("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"): (
        "（是否想用：{possibilities}？）"
    ),
    ("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"): (
        "多余的参数（{args}）"
    ),
    ("Takes {nargs} values but 1 was given.", "Takes {nargs} values but {len} were given."): (
        "需要 {nargs} 个值，却给了 {len} 个。"
    ),
    ("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."): (
        "选项 {name!r} 需要 {nargs} 个取值。"
    ),
    ("{value!r} is not {choice}.", "{value!r} is not one of {choices}."): (
        "{value!r} 不是可选值（{choices}）之一。"
    ),
    (
        "{value!r} does not match the format {format}.",
        "{value!r} does not match the formats {formats}.",
    ): "{value!r} 不符合格式 {formats}。",
    (
        "{len_type} values are required, but {len_value} was given.",
        "{len_type} values are required, but {len_value} were given.",
    ): "需要 {len_type} 个值，却给了 {len_value} 个。",
}

#: The click modules whose messages reach a user of ``onething``.
_MODULES = (
    "click.core",
    "click.decorators",
    "click.exceptions",
    "click.formatting",
    "click.parser",
    "click.types",
    "click.termui",
)


def text(message: str) -> str:
    if language() == "en":
        return gettext.gettext(message)
    return CATALOGUE.get(message, message)


def plural(singular: str, plural_: str, n: int) -> str:
    if language() == "en":
        return gettext.ngettext(singular, plural_, n)
    # One Chinese form: click formats either form with every name it could need.
    return PLURALS.get((singular, plural_)) or (singular if n == 1 else plural_)


def install() -> None:
    """Point click's ``_`` and ``ngettext`` at this catalogue (idempotent)."""
    for name in _MODULES:
        module = importlib.import_module(name)
        if hasattr(module, "_"):
            module._ = text
        if hasattr(module, "ngettext"):
            module.ngettext = plural
