"""The docstring examples of the public API run (doctest): every module defining a name
``onething`` or ``onething.model`` exports. Examples read paths from the repository root."""

from __future__ import annotations

import doctest
import importlib
import sys
from pathlib import Path
from types import ModuleType

import pytest

import onething
import onething.model

ROOT = Path(__file__).resolve().parents[2]


def _public_modules() -> list[ModuleType]:
    names = {"onething", "onething.model"}
    for package in (onething, onething.model):
        for name in package.__all__:
            value = getattr(package, name)
            module = getattr(value, "__module__", None)
            if isinstance(value, ModuleType):
                names.add(value.__name__)
            elif isinstance(module, str) and module.startswith("onething"):
                names.add(module)
    return [importlib.import_module(n) for n in sorted(names)]


MODULES = _public_modules()


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_docstring_examples_run(module: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for test in finder.find(module, module.__name__):  # what the module defines, not imports
        runner.run(test, out=sys.stdout.write)
    assert runner.failures == 0, f"{runner.failures} failed example(s) in {module.__name__}"


def test_the_entry_points_have_examples() -> None:
    """The examples a host reads first exist (so the test above has something to run)."""
    from onething.app import Onething
    from onething.conditions import holds

    for documented in (Onething, holds):
        assert ">>> " in (documented.__doc__ or ""), documented.__qualname__
