"""Every field of the schemas a domain owner writes to (the plugin data, and the registry
kinds of domain.toml) carries a description in Chinese and English, so the field names are
learnt from the schema, not from another plugin's TOML."""

from __future__ import annotations

import json
import re
from importlib import resources

import pytest

OWNERS = ("plugin-data", "registry-kinds")
FIELDS = [
    (f"{schema}#{definition}", name, spec)
    for schema in OWNERS
    for definition, body in json.loads(
        resources.files("onething.schemas").joinpath(f"{schema}.schema.json").read_text("utf-8")
    )["$defs"].items()
    for name, spec in body.get("properties", {}).items()
]


def test_the_schema_has_fields():
    assert len(FIELDS) > 200


@pytest.mark.parametrize(("definition", "name", "spec"), FIELDS, ids=lambda v: str(v)[:30])
def test_every_field_is_described_in_chinese_and_english(definition, name, spec):
    description = spec.get("description", "") if isinstance(spec, dict) else ""
    assert re.search(r"[\u4e00-\u9fff]", description), (definition, name)
    assert re.search(r"[A-Za-z]{3,}", description.split("/", 1)[-1]), (definition, name)
