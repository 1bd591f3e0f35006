"""``onething.cli.main`` stays the entry function after the command group is built: the
group lives in a module of another name, so importing it cannot shadow the function."""

from __future__ import annotations

import pytest

import onething.cli


def test_main_is_still_the_entry_point_after_a_run():
    for _ in range(2):
        with pytest.raises(SystemExit) as exc:
            onething.cli.main(["--help"])
        assert exc.value.code == 0
        assert callable(onething.cli.main) and onething.cli.main.__module__ == "onething.cli"
