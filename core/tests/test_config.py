"""Deployment config: validation errors name the file, key path and what was expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from onething import InvalidInput, load_config

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def write(tmp_path: Path, text: str, name: str = "onething.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


BASE = """
[deployment]
region = "371500"
level = "city"
domains = ["fake"]
"""


def test_examples_load():
    lc = load_config(EXAMPLES / "liaocheng.toml")
    assert lc.region == "371500" and lc.level == "city"
    assert lc.domains == (
        "prepaid_card",
        "catering",
        "elderly_care",
        "medical",
        "training",
        "hazchem",
        "construction",
        "transport",
    )
    sd = load_config(EXAMPLES / "shandong.toml")
    assert sd.region == "370000" and len(sd.domains) == 8


def test_defaults(tmp_path):
    dep = load_config(write(tmp_path, BASE))
    assert dep.storage_url == f"sqlite:///{tmp_path.as_posix()}/onething.db"
    assert dep.output_dir == tmp_path / "out"
    assert dep.review_max_age_days == 730


def test_wrong_type_at_storage_url_names_the_key_path(english, tmp_path):
    path = write(tmp_path, BASE + "[storage]\nurl = 5\n")
    with pytest.raises(InvalidInput) as exc:
        load_config(path)
    assert exc.value.location == str(path)
    assert exc.value.path == "storage.url"
    assert "5 is not of type 'string'" in exc.value.message


def test_every_schema_error_is_shown_numbered(tmp_path):
    """Seven wrong values: the first names the path, and all seven follow, numbered, each with
    its own key path (none cut off as "and 6 more")."""
    text = BASE.replace('level = "city"', "level = 7\nname = 8\nlanguage = 9")
    text += "[storage]\nurl = 0\n[review]\nmax_age_days = 'x'\n[output]\ndir = 1\n"
    text += "[http]\nport = 'p'\n"
    with pytest.raises(InvalidInput) as exc:
        load_config(write(tmp_path, text))
    message = exc.value.message
    lines = message.splitlines()[1:]
    assert [line.split(".", 1)[0].strip() for line in lines] == [
        str(n) for n in range(1, len(lines) + 1)
    ]
    assert len(lines) >= 7 and "more)" not in message
    for key in (
        "deployment.level",
        "deployment.name",
        "storage.url",
        "review.max_age_days",
        "output.dir",
    ):
        assert any(f". {key}: " in line for line in lines), (key, message)
    assert exc.value.path == lines[0].split(". ", 1)[1].split(":")[0]


def test_unknown_key_lists_the_expected_ones(english, tmp_path):
    with pytest.raises(InvalidInput) as exc:
        load_config(write(tmp_path, BASE + "[storage]\nuri = 'sqlite:///x.db'\n"))
    assert exc.value.path == "storage"
    assert "expected keys: url" in exc.value.message


def test_region_code_must_match_level(english, tmp_path):
    with pytest.raises(InvalidInput) as exc:
        load_config(write(tmp_path, BASE.replace('"city"', '"province"')))
    assert exc.value.path == "deployment.level"
    assert "city-level code" in exc.value.message


def test_malformed_region_code(tmp_path):
    with pytest.raises(InvalidInput) as exc:
        load_config(write(tmp_path, BASE.replace("371500", "37150")))
    assert exc.value.path == "deployment.region"


def test_toml_syntax_error_names_the_file(english, tmp_path):
    path = write(tmp_path, "[deployment\n")
    with pytest.raises(InvalidInput, match=r"onething.toml: not valid TOML"):
        load_config(path)


def test_missing_file(tmp_path):
    with pytest.raises(InvalidInput, match="文件不存在"):
        load_config(tmp_path / "nope.toml")


def test_a_config_with_a_utf8_bom_is_read(tmp_path):
    path = write(tmp_path, BASE)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert load_config(path).region == "371500"


def test_layer_files_are_read_and_validated(english, tmp_path):
    write(tmp_path, "[[override]]\ndomain = 'fake'\nparameter = 'x'\n", "layer.toml")
    path = write(
        tmp_path, BASE.replace('domains = ["fake"]', 'domains = ["fake"]\nlayers = ["layer.toml"]')
    )
    with pytest.raises(InvalidInput) as exc:
        load_config(path)
    assert exc.value.location == str(tmp_path / "layer.toml")
    assert exc.value.path == "override[0]"
    assert "'value' is a required property" in exc.value.message


def test_missing_layer_file(tmp_path):
    path = write(
        tmp_path, BASE.replace('domains = ["fake"]', 'domains = ["fake"]\nlayers = ["gone.toml"]')
    )
    with pytest.raises(InvalidInput) as exc:
        load_config(path)
    assert exc.value.path == "deployment.layers[0]"
