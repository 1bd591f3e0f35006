"""The public API is typed: ``mypy --strict`` (the onething package ships ``py.typed``) finds
no error in the modules that define the names ``onething`` exports, nor in a host's code using
them (typing/public_api.py). Internals the public modules import are read, not reported
(``--follow-imports=silent``)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from mypy import api

import onething

HERE = Path(__file__).parent
SRC = Path(onething.__file__).parent

#: The modules defining what ``onething`` and ``onething.model`` export.
PUBLIC = [
    "__init__.py",
    "_lazy.py",
    "_markers.py",
    "app.py",
    "applicability.py",
    "conditions.py",
    "config.py",
    "datadomain.py",
    "errors.py",
    "plugins.py",
    "rulebook.py",
    "loop/__init__.py",
    "loop/queries.py",
    "model",
]


def _mypy(tmp_path: Path, *targets: str | Path) -> tuple[str, int]:
    out, err, status = api.run(
        [
            "--strict",
            "--follow-imports=silent",
            "--no-error-summary",
            "--cache-dir",
            str(tmp_path / "mypy-cache"),
            "--python-executable",
            sys.executable,
            *map(str, targets),
        ]
    )
    return out + err, status


def test_public_api_passes_mypy_strict(tmp_path: Path) -> None:
    out, status = _mypy(tmp_path, HERE / "typing" / "public_api.py", *(SRC / p for p in PUBLIC))
    assert out == "" and status == 0, out


def test_mypy_reads_the_annotations(tmp_path: Path) -> None:
    """The check can fail: a host passing the wrong type is told so (without ``py.typed`` an
    installed package is not read at all)."""
    host = tmp_path / "host.py"
    host.write_text(
        "import datetime as dt\n"
        "from onething import Onething\n"
        "def value(app: Onething) -> str:\n"
        "    return app.rulebook.unit('catering', 3)\n",
        encoding="utf-8",
    )
    out, status = _mypy(tmp_path, host)
    assert status == 1
    assert 'Argument 2 to "unit" of "Rulebook" has incompatible type "int"' in out, out
    assert "py.typed" not in out and "import-untyped" not in out


@pytest.mark.parametrize("name", sorted(onething.__all__))
def test_every_export_is_used_in_the_typed_host_code(name: str) -> None:
    """A new export is added to typing/public_api.py too, or it is not checked."""
    text = (HERE / "typing" / "public_api.py").read_text(encoding="utf-8")
    _imports, _, uses = text.partition("\ndef ")
    assert re.search(rf"\b{name}\b", uses), f"{name} is not used in typing/public_api.py"
