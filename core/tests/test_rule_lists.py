"""Rule kinds come from one table (``onething.rule_lists``): a kind added there, with its hook
spec, schema definitions and model, flows through plugin data, the rulebook and the contract
suite without another line of core."""

from __future__ import annotations

import copy
import datetime as dt
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path

import pytest
from attrs import field, frozen
from fake_support import entry_point

from onething import PluginError, Rulebook, enable, hookspecs, rule_lists, schemas
from onething._markers import hookspec
from onething.model import Basis
from onething.testing import DomainContract


@frozen
class Guide:
    """A made-up rule kind for this test only: a compliance guide of a domain."""

    code: str
    domain: str
    label_zh: str
    basis: tuple[Basis, ...] = field(converter=tuple)
    effective_from: dt.date
    effective_to: dt.date | None = None
    source: str | None = None


GUIDES = rule_lists.RuleList("guides", "onething_list_guides", "guides", "guide", "guide", Guide)

DOMAIN = """
code = "guided"
name_zh = "指引领域"
name_en = "Guided domain"
lead_department = "market"
responsible_departments = ["market"]
[[object_types]]
code = "shop"
name_zh = "门店"
name_en = "Shop"
"""

GUIDE_TOML = """
[[guide]]
code = "guided.g01"
label_zh = "合规指引"
effective_from = 2025-01-01
basis = [{ law = "某条例", article = "第一条", status = "unconfirmed" }]

[[guide]]
code = "guided.g02"
label_zh = "无依据的指引"
effective_from = 2025-01-01
basis = []
"""


@hookspec
def onething_list_guides() -> Sequence[Guide]:
    """Compliance guides of the domain (this test's kind)."""


@pytest.fixture
def guided(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A table, contract and schema with one more rule kind, and a data-only plugin using it."""
    base = schemas.load("plugin-data")
    extended = copy.deepcopy(base)
    extended["$defs"]["guide"] = {
        "allOf": [{"$ref": "#/$defs/dated"}],
        "type": "object",
        "required": ["code", "label_zh", "basis"],
        "properties": {
            "code": {"type": "string"},
            "domain": {"$ref": "#/$defs/code"},
            "source": {"type": ["string", "null"]},
            "label_zh": {"$ref": "#/$defs/text"},
            "basis": {"type": "array", "items": {"$ref": "#/$defs/basis"}},
            "effective_from": True,
            "effective_to": True,
        },
        "additionalProperties": False,
    }
    extended["$defs"]["guides_file"] = {
        "type": "object",
        "properties": {"guide": {"type": "array", "items": {"$ref": "#/$defs/guide"}}},
        "additionalProperties": False,
    }
    original = schemas.load

    def load(name: str):
        return extended if name == "plugin-data" else original(name)

    for cached in (schemas.validator, schemas._registry):
        cached.cache_clear()
    monkeypatch.setattr(schemas, "load", load)
    monkeypatch.setattr(rule_lists, "RULE_LISTS", (*rule_lists.RULE_LISTS, GUIDES))
    monkeypatch.setattr(hookspecs, "onething_list_guides", onething_list_guides, raising=False)

    pkg = tmp_path / "onething_guided"
    (pkg / "data").mkdir(parents=True)
    (pkg / "__init__.py").write_text(
        "from onething import DataDomain\nONETHING_API = 1\nplugin = DataDomain(__name__)\n"
    )
    (pkg / "data" / "domain.toml").write_text(textwrap.dedent(DOMAIN), "utf-8")
    (pkg / "data" / "guides.toml").write_text(textwrap.dedent(GUIDE_TOML), "utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    sys.modules.pop("onething_guided", None)  # each test reads its own package
    yield entry_point("guided", "onething_guided:plugin")
    monkeypatch.undo()
    sys.modules.pop("onething_guided", None)
    for cached in (schemas.validator, schemas._registry):
        cached.cache_clear()


def test_a_rule_kind_added_to_the_table_flows_through_data_rulebook_and_contract(guided):
    domains = enable(["guided"], entry_points=[guided])
    guides = Rulebook(domains).rules("guided").guides
    assert [(g.code, g.domain, g.source) for g in guides] == [
        ("guided.g01", "guided", "onething_guided/data/guides.toml#guide[0]"),
        ("guided.g02", "guided", "onething_guided/data/guides.toml#guide[1]"),
    ]
    contract = type(
        "TestGuided", (DomainContract,), {"domain": "guided", "entry_points": (guided,)}
    )()
    contract.test_models_round_trip_through_the_converter()
    with pytest.raises(AssertionError, match=r"guides: .*guided\.g02.* has no basis"):
        contract.test_every_rule_cites_a_basis()


def test_the_new_kinds_data_is_checked_against_its_schema(guided, tmp_path):
    (tmp_path / "onething_guided" / "data" / "guides.toml").write_text(
        '[[guide]]\ncode = "guided.g03"\nlabel_zh = "x"\nbasis = []\n', "utf-8"
    )
    with pytest.raises(PluginError, match=r"guides\.toml.*effective_from"):
        enable(["guided"], entry_points=[guided])


def test_every_rule_list_has_its_hook_spec_schema_definitions_and_a_dated_model():
    """Nothing of a kind can be forgotten: the table names what must exist, this checks it."""
    defs = schemas.load("plugin-data")["$defs"]
    for kind in rule_lists.RULE_LISTS:
        assert callable(getattr(hookspecs, kind.hook, None)), kind.hook
        assert f"{kind.stem}_file" in defs and kind.definition in defs, kind.stem
        assert kind.key in defs[f"{kind.stem}_file"]["properties"], kind.key
