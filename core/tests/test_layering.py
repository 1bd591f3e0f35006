"""Core has no import cycle (#17): a module imported by another never imports it back, directly
or through others — neither at module level nor inside a function (an import deferred to a
function keeps start-up light; it is no licence for two modules to need each other). Imports
under ``TYPE_CHECKING`` are type-only and do not count."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import onething

ROOT = Path(onething.__file__).parent


def _modules() -> dict[str, Path]:
    out = {}
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def _lazy_exports() -> dict[str, dict[str, str]]:
    """Package → name → module of what it re-exports lazily (:mod:`onething._lazy`): the
    ``exports(__name__, {"name": "module:attribute"}, ...)`` call of its ``__init__``."""
    out: dict[str, dict[str, str]] = {}
    for path in ROOT.rglob("__init__.py"):
        package = ".".join(path.relative_to(ROOT.parent).parts[:-1])
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) == "exports"
                and len(node.args) > 1
                and isinstance(node.args[1], ast.Dict)
            ):
                out[package] = {
                    k.value: f"{package}.{v.value.partition(':')[0]}"
                    for k, v in zip(node.args[1].keys, node.args[1].values, strict=True)
                    if isinstance(k, ast.Constant) and isinstance(v, ast.Constant)
                }
    return out


LAZY = _lazy_exports()


def _import_targets(node: ast.Import | ast.ImportFrom, package: str, known: set[str]) -> set[str]:
    """The onething modules an import statement loads: ``from a import b`` is module ``a.b``
    when that is a module, else ``a`` — and the module ``a`` takes ``b`` from when ``a``
    re-exports it lazily (the import that really happens, at first use)."""
    if isinstance(node, ast.Import):
        return {a.name for a in node.names}
    if node.level:
        base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
        target = ".".join(base + ([node.module] if node.module else []))
    else:
        target = node.module or ""
    out = set()
    for a in node.names:
        out.add(f"{target}.{a.name}" if f"{target}.{a.name}" in known else target)
        if a.name in LAZY.get(target, {}):
            out.add(LAZY[target][a.name])
    return out


def _run_at_import(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """The statements a module runs when imported: its body, into ``if``/``try``/``with``/
    class bodies, but not into functions (run later) or ``if TYPE_CHECKING:`` (never run)."""
    for node in body:
        yield node
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            yield from _run_at_import(node.orelse)
            continue
        for name in ("body", "orelse", "finalbody", "handlers"):
            inner = getattr(node, name, None)
            if isinstance(inner, list):
                yield from _run_at_import(inner)
        for case in getattr(node, "cases", ()):
            yield from _run_at_import(case.body)


def _top_level_imports(name: str, path: Path, known: set[str]) -> set[str]:
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in _run_at_import(ast.parse(path.read_text("utf-8")).body):
        if isinstance(node, ast.Import | ast.ImportFrom):
            found |= _import_targets(node, package, known)
    return {m for m in found if m in known and m != name}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while (w := stack.pop()) != v:
                comp.append(w)
            if comp:
                out.append(sorted([v, *comp]))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_core_has_no_import_cycle_at_module_level():
    mods = _modules()
    graph = {m: _top_level_imports(m, p, set(mods)) for m, p in mods.items()}
    assert sum(map(len, graph.values())) > 100, "the scanner sees the imports"
    assert _cycles(graph) == []


def test_an_import_of_a_lazy_re_export_counts_as_an_import_of_its_module():
    assert len(LAZY) >= 4 and LAZY["onething.items"]["ItemCatalog"] == "onething.items.versions"
    node = ast.parse("from ..items import ItemCatalog").body[0]
    assert isinstance(node, ast.ImportFrom)
    assert "onething.items.versions" in _import_targets(node, "onething.loop", set())


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_scanner_sees_what_runs_at_import_and_nothing_else(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text(
        "from typing import TYPE_CHECKING\n"
        "try:\n    from . import a\nexcept ImportError:\n    from .b import x\n"
        "if TYPE_CHECKING:\n    from . import c\nelse:\n    import onething.d\n"
        "class K:\n    from .e import y\n"
        "def f():\n    from . import g\n",
        "utf-8",
    )
    known = {f"onething.{m}" for m in "abcdefg"}
    assert _top_level_imports("onething.probe", probe, known) == {
        "onething.a",
        "onething.b",
        "onething.d",
        "onething.e",
    }  # not c (type-only) nor g (in a function)


def _all_imports(name: str, path: Path, known: set[str]) -> set[str]:
    """Like :func:`_top_level_imports`, but also the imports inside functions."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    tree = ast.parse(path.read_text("utf-8"))
    typing_only = {
        id(n)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for n in ast.walk(node)
    }
    for node in ast.walk(tree):
        if id(node) not in typing_only and isinstance(node, ast.Import | ast.ImportFrom):
            found |= _import_targets(node, package, known)
    return {m for m in found if m in known and m != name}


def test_core_has_no_import_cycle_even_through_imports_inside_functions():
    mods = _modules()
    graph = {m: _all_imports(m, p, set(mods)) for m, p in mods.items()}
    assert _cycles(graph) == []


def test_imports_inside_functions_count_and_type_only_ones_do_not(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from . import c\n"
        "def f():\n    from . import g\n    import onething.h\n",
        "utf-8",
    )
    known = {"onething.c", "onething.g", "onething.h"}
    assert _all_imports("onething.probe", probe, known) == {"onething.g", "onething.h"}


def test_the_registry_rooms_import_each_other_one_way_even_inside_functions():
    """The importer is split into rooms (API and orchestration, parsing, workers, writes,
    rejects) beside the mapping: none imports back what imports it, not even lazily."""
    mods = {m: p for m, p in _modules().items() if m.startswith("onething.registry.")}
    graph = {m: _all_imports(m, p, set(mods)) for m, p in mods.items()}
    for room in ("parsing", "workers", "writes", "rejects", "mapping"):
        assert f"onething.registry.{room}" in graph
    assert "onething.registry.mapping" in graph["onething.registry.importer"]
    assert _cycles(graph) == []


def test_the_planner_queries_the_declared_tables_through_sqlalchemy_core():
    """#17, one query style: no raw SQL text and no tables named by string in the planner (the
    declared tables of ``onething.store.planning`` and ``onething.store.registry`` are used),
    and no private SQLAlchemy API in the driver-level bulk path."""
    raw = ("sa.text(", "sa.table(", "exec_driver_sql", 'text("SELECT', "text('SELECT")
    for path in sorted((ROOT / "planning").glob("*.py")):
        source = path.read_text("utf-8")
        assert not [r for r in raw if r in source], path.name
    assert "._cached" not in (ROOT / "registry" / "_bulk.py").read_text("utf-8")


def _private_imports(source: str) -> list[str]:
    """``from onething.x import _name`` (or relative) anywhere in a module's source: the names
    with their line. The ``_`` of :mod:`onething.i18n` is gettext's conventional name."""
    out = []
    for node in ast.walk(ast.parse(source)):
        ours = isinstance(node, ast.ImportFrom) and (
            node.level or (node.module or "").split(".")[0] == "onething"
        )
        if ours:
            out += [
                f"{node.lineno}: {a.name}"
                for a in node.names
                if a.name.startswith("_") and a.name != "_" and not a.name.startswith("__")
            ]
    return out


def _private_reads(source: str) -> list[str]:
    """``thing._name`` read on anything but ``self`` or ``cls``: another object's private
    attribute (a mark a module sets on a foreign object, a store, is its own business)."""
    return [
        f"{node.lineno}: {ast.unparse(node)}"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Attribute)
        and isinstance(node.ctx, ast.Load)
        and node.attr.startswith("_")
        and not node.attr.startswith("__")
        and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"))
    ]


def test_no_module_reads_a_private_attribute_of_another_object():
    """#17: ``loop._raw``, ``app._loop`` or ``src._rows`` read from another module tie it to
    internals; the public name says what may be relied on."""
    found = [
        f"{path.relative_to(ROOT)}:{hit}"
        for path in sorted(ROOT.rglob("*.py"))
        for hit in _private_reads(path.read_text("utf-8"))
    ]
    assert found == []
    assert _private_reads("x = src._rows\nself._ok = 1\nlog._mark = True\n") == ["1: src._rows"]


def test_no_module_imports_a_private_name_of_another():
    """#17: what a module uses of another is public; a name with a leading underscore is its
    module's own. (A private module such as ``registry._bulk`` belongs to its package.)"""
    found = [
        f"{path.relative_to(ROOT)}:{hit}"
        for path in sorted(ROOT.rglob("*.py"))
        for hit in _private_imports(path.read_text("utf-8"))
    ]
    assert found == []


def test_the_private_import_finder_finds_one():
    probe = "from .i18n import _\ndef f():\n    from onething.loop.queries import _hidden, shown\n"
    assert _private_imports(probe) == ["3: _hidden"]


def test_core_parameters_and_the_core_domain_code_are_defined_once():
    """#17: one source of core parameters (``core_parameters.py``; the loop reads it too) and
    one ``CORE`` constant."""
    defs, consts = [], []
    for path in sorted(ROOT.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.FunctionDef) and node.name == "core_parameters":
                defs.append(path.relative_to(ROOT).as_posix())
            targets = node.targets if isinstance(node, ast.Assign) else []
            if any(isinstance(t, ast.Name) and t.id == "CORE" for t in targets):
                consts.append(path.relative_to(ROOT).as_posix())
    assert defs == consts == ["core_parameters.py"]
    spelled = [  # and the code says CORE, never the string again
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in sorted(ROOT.rglob("*.py"))
        if path.name != "core_parameters.py"
        for node in ast.walk(ast.parse(path.read_text("utf-8")))
        if isinstance(node, ast.Constant) and node.value == "core"
    ]
    assert spelled == []


def _domain_strings(source: str, codes: set[str]) -> list[str]:
    """String constants of a module's code (not its docstrings and comments, which may give a
    domain as an example) naming one of ``codes`` as a word."""
    pattern = re.compile(r"\b(" + "|".join(sorted(map(re.escape, codes))) + r")\b")
    tree = ast.parse(source)
    prose = {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    }
    return [
        f"{node.lineno}: {node.value[:60]!r}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in prose
        and pattern.search(node.value)
    ]


def test_core_code_names_no_domain():
    """#17, core knows no domain: what is particular to a domain (licences, name suffixes, rule
    codes, transitions) is the plugin's data; core's code never names an installed domain."""
    codes = set(onething.discover())
    assert {"catering", "transport", "hazchem"} <= codes
    found = [
        f"{path.relative_to(ROOT)}:{hit}"
        for path in sorted(ROOT.rglob("*.py"))
        for hit in _domain_strings(path.read_text("utf-8"), codes)
    ]
    assert found == []


def test_the_domain_finder_finds_one_in_code_but_not_in_prose():
    probe = '"""e.g. catering.003"""\nLICENCE = {"catering": "食品经营许可证"}\n'
    assert _domain_strings(probe, {"catering"}) == ["2: 'catering'"]
