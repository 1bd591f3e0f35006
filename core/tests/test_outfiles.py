"""The one writer of output files (issue 16 items 2, 8): a temporary file renamed at the end,
removed on failure; a missing directory is a usage error; text cells are escaped against
spreadsheet formulas. The rejects file's use of it is tested in test_registry."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onething import InvalidInput
from onething.outfiles import FORMULA_START, atomic_write, escape_cell


def test_a_failed_write_leaves_no_file_and_no_temporary_file(tmp_path):
    with pytest.raises(RuntimeError), atomic_write(tmp_path / "x.csv") as fh:
        fh.write("half")
        raise RuntimeError("the writer failed")
    assert list(tmp_path.iterdir()) == []


def test_a_missing_directory_is_a_usage_error(tmp_path):
    with pytest.raises(InvalidInput, match="directory"):
        with atomic_write(tmp_path / "nope" / "x.csv"):
            pass


@given(st.text())
def test_no_escaped_text_starts_like_a_formula(text):
    escaped = escape_cell(text)
    assert not escaped.startswith(FORMULA_START)
    assert escaped in (text, "'" + text)
    assert (escaped == text) == (not text.startswith(FORMULA_START))


def test_cli_out_refuses_an_existing_file_unless_forced_and_a_missing_directory(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    def run(*args):
        return subprocess.run(
            [str(Path(sys.executable).parent / "onething"), "docs", "hooks", *args],
            capture_output=True,
            text=True,
        )

    out = tmp_path / "hooks.md"
    out.write_text("keep", "utf-8")
    refused = run("--out", str(out))
    assert refused.returncode == 1 and "--force" in refused.stderr
    assert "Traceback" not in refused.stderr and out.read_text("utf-8") == "keep"
    assert run("--out", str(out), "--force").returncode == 0
    assert out.read_text("utf-8").startswith("# ")
    missing = run("--out", str(tmp_path / "no" / "hooks.md"))
    assert missing.returncode == 1 and len(missing.stderr.strip().splitlines()) == 1
