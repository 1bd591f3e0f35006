"""Click's own messages speak the language of the rest: usage errors and help headings in
Chinese by default, click's English with --lang en; every message click marks for translation
is in the catalogue (a click upgrade that adds one fails here)."""

from __future__ import annotations

import ast
import importlib
import inspect

import pytest

from onething.cli import main
from onething.cli.clicktext import _MODULES, CATALOGUE, PLURALS

#: Marked by click, not in the catalogue on purpose.
NOT_SHOWN = {
    # the type names are also the help's metavars (FILE, DIRECTORY); Chinese messages omit them
    "file",
    "directory",
    "path",
    # raised at definition time, to the developer of a command, never to its user
    "Could not determine name for option with declarations {decls!r}",
    "No options defined but a name was passed ({name}). Did you mean to declare an argument "
    "instead? Did you mean to pass '--{name}'?",
    "Arguments take exactly one parameter declaration, got {length}: {decls}.",
    "Name '{name}' defined twice",
    "Boolean option {decl!r} cannot use the same flag for true/false.",
    "DeprecationWarning: The command {name!r} is deprecated.{extra_message}",
    "DeprecationWarning: The {param_type} {name!r} is deprecated.{extra_message}",
    "Choice({choices})",  # repr
    "Unknown color {colour!r}",
}


def run(capsys, *args):
    with pytest.raises(SystemExit) as exc:
        main(list(args))
    out, err = capsys.readouterr()
    return exc.value.code, out + err


def _marked() -> tuple[set[str], set[tuple[str, str]]]:
    singles, plurals = set(), set()
    for name in _MODULES:
        tree = ast.parse(inspect.getsource(importlib.import_module(name)))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            args = [a.value for a in node.args if isinstance(a, ast.Constant)]
            if node.func.id == "_" and len(args) == 1:
                singles.add(args[0])
            elif node.func.id == "ngettext" and len(args) == 2:
                plurals.add(tuple(args))
    return singles, plurals


def test_every_message_click_marks_is_in_the_catalogue():
    singles, plurals = _marked()
    assert len(singles) > 40  # the parse found click's messages
    assert singles - NOT_SHOWN - CATALOGUE.keys() == set()
    assert plurals - PLURALS.keys() == set()
    # "required" reaches _ through a variable (the help's "[required]"), not a literal
    assert CATALOGUE.keys() - singles == {"required"}, "entries click no longer has"


def test_usage_errors_are_chinese_by_default(capsys):
    code, text = run(capsys, "loop", "list", "--state")
    assert code == 2
    assert "错误：选项 '--state' 需要 1 个取值。" in text and "Error" not in text
    code, text = run(capsys, "nosuch")
    assert code == 2 and "没有命令 'nosuch'" in text
    assert "用法：" in text and "查看帮助" in text and "Usage" not in text
    code, text = run(capsys, "loop", "list", "--format", "xml")
    assert "'--format' 取值无效：'xml' 不是可选值（'table', 'json', 'csv'）之一。" in text
    code, text = run(capsys, "validate", "--config", "none.toml", "--nosuch")
    assert "没有选项 '--nosuch'" in text


def test_help_headings_and_defaults_are_chinese(capsys):
    code, text = run(capsys, "loop", "list", "--help")
    assert code == 0
    assert "选项" in text and "[默认：table]" in text and "显示本帮助并退出。" in text
    assert "Options" not in text and "default" not in text and "Show this" not in text
    code, text = run(capsys, "loop", "--help")
    assert "命令" in text and "Commands" not in text


def test_click_speaks_english_with_lang_en(capsys):
    code, text = run(capsys, "--lang", "en", "loop", "list", "--format", "xml")
    assert code == 2
    assert "Usage:" in text and "Error: Invalid value for '--format'" in text
    code, text = run(capsys, "--lang", "en", "loop", "list", "--help")
    assert "Options:" in text and "[default: table]" in text
