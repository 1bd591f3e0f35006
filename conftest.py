"""Shared fixtures. The fake domain (tests/fake_domain) is the worked example plugin; it is
not installed: tests enable it through faked entry points, as pytest tests its own discovery."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "tests" / "fake_domain"))

from fake_support import FAKE


@pytest.fixture
def fake_domains():
    from onething import enable

    return enable(["fake"], entry_points=[FAKE])
