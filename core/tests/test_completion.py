"""Shell completion (docs/completion.md): the installed ``onething`` answers click's
completion requests — commands, subcommands, options, the choices of ``--format`` — and
prints the script each shell loads."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ONETHING = Path(sys.executable).parent / "onething"
DOC = Path(__file__).resolve().parents[2] / "docs" / "completion.md"


def _complete(words: str, *, shell: str = "bash") -> list[str]:
    """The candidates ``shell`` is given for the last (possibly empty) word of ``words``."""
    parts = words.split(" ")
    env = {
        **os.environ,
        "_ONETHING_COMPLETE": f"{shell}_complete",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(parts) - 1),
    }
    done = subprocess.run([ONETHING], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return [line.split(",", 1)[1] for line in done.stdout.splitlines()]


def test_commands_subcommands_options_and_choices_complete():
    assert _complete("onething lo") == ["loop"]
    assert _complete("onething db ") == ["current", "history", "upgrade"]
    assert "--format" in _complete("onething loop act --f")
    assert _complete("onething loop act --format ") == ["table", "json"]
    assert _complete("onething --lang ") == ["zh", "en"]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_each_shell_gets_the_script_the_doc_tells_it_to_load(shell):
    env = {**os.environ, "_ONETHING_COMPLETE": f"{shell}_source"}
    done = subprocess.run([ONETHING], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and f"_ONETHING_COMPLETE={shell}_complete" in done.stdout
    assert f"_ONETHING_COMPLETE={shell}_source onething" in DOC.read_text("utf-8")
