"""Running the ``onething`` CLI in-process from tests."""

from __future__ import annotations

import pytest

from onething.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """``onething ARGS``: its exit code, standard output and standard error."""
    with pytest.raises(SystemExit) as exc:
        main(list(args))
    out, err = capsys.readouterr()
    return exc.value.code, out, err
