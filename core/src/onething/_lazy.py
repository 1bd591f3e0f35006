"""Lazy re-exports (PEP 562): a package names what it re-exports and where each name lives, and
the module holding it is imported at first use, so ``import onething`` (and ``onething --help``)
does not import SQLAlchemy, Polars, openpyxl or jsonschema. Packages keep ``__all__`` and an
``if TYPE_CHECKING:`` block of the same imports, so type checkers and IDEs still see the names.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def exports(
    package: str, where: Mapping[str, str], namespace: dict[str, Any]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``(__getattr__, __dir__)`` for ``package``: each name of ``where`` is read from the module
    it maps to, ``"module"`` (the submodule itself, relative to ``package``) or
    ``"module:attribute"``, and kept in ``namespace`` (the package's globals) once imported.

    :raises AttributeError: for a name not in ``where``, as for any module attribute."""

    def __getattr__(name: str) -> Any:
        target = where.get(name)
        if target is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module_name, _, attribute = target.partition(":")
        module = importlib.import_module(f".{module_name}", package)
        # Importing a submodule sets it as the package's attribute of its name: where that name
        # is re-exported from inside it (model.converter, the converter of model/converter.py),
        # the module would shadow it for good, so the name is left to this function again.
        # Only such a name: any other submodule stays the package's attribute (as after any
        # import), which monkeypatch.setattr("onething.plugins.…") and the like rely on.
        shadowed = where.get(module_name, module_name) != module_name
        if shadowed and namespace.get(module_name) is module:
            del namespace[module_name]
        value = getattr(module, attribute) if attribute else module
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *where})

    return __getattr__, __dir__
