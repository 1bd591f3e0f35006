"""Every field of the plugin data schema carries a description in Chinese and English, so a
domain owner learns the field names from the schema, not from another plugin's TOML."""

from __future__ import annotations

import json
import re
from importlib import resources

import pytest

SCHEMA = json.loads(
    resources.files("onething.schemas").joinpath("plugin-data.schema.json").read_text("utf-8")
)
FIELDS = [
    (definition, name, spec)
    for definition, body in SCHEMA["$defs"].items()
    for name, spec in body.get("properties", {}).items()
]


def test_the_schema_has_fields():
    assert len(FIELDS) > 150


@pytest.mark.parametrize(("definition", "name", "spec"), FIELDS, ids=lambda v: str(v)[:30])
def test_every_field_is_described_in_chinese_and_english(definition, name, spec):
    description = spec.get("description", "") if isinstance(spec, dict) else ""
    assert re.search(r"[\u4e00-\u9fff]", description), (definition, name)
    assert re.search(r"[A-Za-z]{3,}", description.split("/", 1)[-1]), (definition, name)
