"""Helpers for tests that enable plugins through faked entry points (no installation)."""

from importlib import metadata

GROUP = "onething.domains"


def entry_point(name: str, value: str) -> metadata.EntryPoint:
    return metadata.EntryPoint(name=name, value=value, group=GROUP)


FAKE = entry_point("fake", "onething_fake")
FAKECITY = entry_point("fakecity", "onething_fakecity:plugin")
