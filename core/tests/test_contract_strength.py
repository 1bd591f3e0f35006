"""The contract suite fails a plugin that checks nothing: no items, no elements, or random
items no plan can sample (no sampling ratio). Each a generated plugin with one part taken
out, enabled through a faked entry point."""

from __future__ import annotations

import re
import sys
import uuid
from importlib import metadata
from pathlib import Path

import pytest

from onething import rule_lists
from onething.scaffold import new_plugin
from onething.testing import DomainContract


def _contract(tmp_path: Path, monkeypatch, drop) -> DomainContract:
    """The contract of a freshly generated plugin after ``drop(data_dir, code)``."""
    code = f"strength_{uuid.uuid4().hex[:8]}"  # a fresh module each time
    root = tmp_path / code
    new_plugin(code, name_zh="示例", lead="market", out=root)
    drop(root / "src" / f"onething_{code}" / "data", code)
    monkeypatch.syspath_prepend(str(root / "src"))
    monkeypatch.setattr(sys, "dont_write_bytecode", True)

    class Contract(DomainContract):
        domain = code
        entry_points = (
            metadata.EntryPoint(
                name=code, value=f"onething_{code}:plugin", group="onething.domains"
            ),
        )

    return Contract()


def _empty(*stems: str):
    """Empty these rule lists (and the items' dependants with the items)."""

    def drop(data: Path, _code: str) -> None:
        for kind in rule_lists.RULE_LISTS:
            if kind.stem in stems or ("items" in stems and kind.stem != "parameters"):
                (data / f"{kind.stem}.toml").write_text(f"{kind.key} = []\n", "utf-8")

    return drop


def _no_ratio(data: Path, _code: str) -> None:
    text = (data / "parameters.toml").read_text("utf-8")
    blocks = re.split(r"(?m)^(?=\[\[parameter\]\])", text)
    kept = [b for b in blocks if 'name = "sampling_ratio"' not in b]
    assert len(kept) < len(blocks)
    (data / "parameters.toml").write_text("".join(kept), "utf-8")


def test_the_generated_plugin_passes(tmp_path, monkeypatch):
    contract = _contract(tmp_path, monkeypatch, lambda data, code: None)
    contract.test_contributes_items_and_elements()
    contract.test_every_random_item_has_a_sampling_ratio()


@pytest.mark.parametrize(
    ("drop", "test", "says"),
    [
        (
            _empty("items"),
            "test_contributes_items_and_elements",
            "no supervision items",
        ),
        (_empty("elements"), "test_contributes_items_and_elements", "no elements"),
        (_no_ratio, "test_every_random_item_has_a_sampling_ratio", "without a sampling ratio"),
    ],
)
def test_a_plugin_that_checks_nothing_fails_the_contract(tmp_path, monkeypatch, drop, test, says):
    contract = _contract(tmp_path, monkeypatch, drop)
    with pytest.raises(AssertionError, match=says):
        getattr(contract, test)()


def test_canonical_defaults_to_the_elements_own_code(tmp_path, monkeypatch):
    """An element no other domain shares needs no ``canonical`` line (the generated one has
    none); given, it is kept."""

    def shared(data: Path, code: str) -> None:
        text = (data / "elements.toml").read_text("utf-8")
        assert "canonical" not in text.split("[[element]]", 1)[1]
        second = text.split("[[element]]", 1)[1].replace(f"{code}.e01", f"{code}.e02")
        second = second.replace("\ndimension", '\ncanonical = "fire_facilities"\ndimension', 1)
        (data / "elements.toml").write_text(text + "\n[[element]]" + second, "utf-8")

    contract = _contract(tmp_path, monkeypatch, shared)
    (own, other) = contract.rules.elements
    assert own.canonical == own.code and other.canonical == "fire_facilities"
    contract.test_data_is_consistent()
