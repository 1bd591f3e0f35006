"""What a start costs: ``import onething`` and ``onething --help`` import no heavy library, and
plugin data validated once is not validated again (the record of passes,
:mod:`onething.schemas.validated`) — while a change is, and ``validate`` always is. Speed itself
is measured in ``benchmarks/cli_start.py``, never here."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from fake_support import entry_point

import onething
from onething import PluginError, enable
from onething.cli import main
from onething.schemas import validated

HEAVY = ("sqlalchemy", "sqlmodel", "alembic", "polars", "numpy", "openpyxl", "jsonschema")


def _loaded_after(code: str) -> list[str]:
    """The heavy modules in ``sys.modules`` after running ``code`` in a fresh interpreter."""
    probe = (
        f"{code}\nimport sys, json\nprint(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_importing_onething_imports_no_heavy_library():
    assert _loaded_after("import onething") == []


def test_help_imports_no_heavy_library():
    code = textwrap.dedent(
        """
        import contextlib, io
        from onething.cli import main
        with contextlib.redirect_stdout(io.StringIO()):
            try:
                main(["--help"])
            except SystemExit:
                pass
        """
    )
    assert _loaded_after(code) == []


def test_a_command_imports_its_own_module_only():
    """The group builds a command at first use: ``params`` imports no other command module."""
    code = textwrap.dedent(
        """
        import contextlib, io, sys
        from onething.cli import main
        with contextlib.redirect_stdout(io.StringIO()):
            try:
                main(["params", "--help"])
            except SystemExit:
                pass
        print(sorted(m for m in sys.modules if m.endswith("_cmd")))
        """
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert out.stdout.strip().splitlines()[-1] == "['onething.cli.params_cmd']"


def test_the_command_table_names_each_command_as_it_names_itself():
    import importlib

    from onething.cli.group import COMMANDS

    for name, (module, factory) in COMMANDS.items():
        built = getattr(importlib.import_module(f"onething.cli.{module}"), factory)()
        assert built.name == name, (module, factory)


@pytest.mark.parametrize(
    "package",
    ["onething", "onething.items", "onething.loop", "onething.model", "onething.registry"],
)
def test_every_lazily_exported_name_resolves(package):
    """``__all__`` is what the package gives, each name found where the package says."""
    module = importlib.import_module(package)
    for name in module.__all__:
        assert getattr(module, name) is not None, name
    assert set(module.__all__) <= set(dir(module))
    with pytest.raises(AttributeError, match="no attribute 'not_a_name'"):
        module.not_a_name  # noqa: B018


# -- the record of validations that passed ----------------------------------------------------

DOMAIN = """\
code = "rec"
name_zh = "记录"
name_en = "Record"
lead_department = "market"
responsible_departments = []
[[object_types]]
code = "shop"
name_zh = "店"
name_en = "Shop"
"""

ITEM = """\
[[item]]
code = "rec.001"
name_zh = "检查"
name_en = "Check"
basis = [{law = "某法", article = "第一条", status = "verified"}]
departments = ["market"]
object_types = ["shop"]
measures = ["onsite"]
stage = "during"
effective_from = 2020-01-01
"""


@pytest.fixture
def data_plugin(tmp_path, monkeypatch):
    """A data plugin ``rec`` in a folder of its own, and a fresh cache folder for the record.
    :return: its ``items.toml``."""
    pkg = tmp_path / "tp_rec"
    (pkg / "data").mkdir(parents=True)
    (pkg / "__init__.py").write_text("ONETHING_API = 1\n", "utf-8")
    (pkg / "data" / "domain.toml").write_text(DOMAIN, "utf-8")
    (pkg / "data" / "items.toml").write_text(ITEM, "utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("ONETHING_CACHE_DIR", str(tmp_path / "cache"))
    yield pkg / "data" / "items.toml"
    sys.modules.pop("tp_rec", None)


def _load(monkeypatch) -> tuple[dict[str, int], object]:
    """Enable ``rec`` as a new process would (a new ``DataDomain``, the record read from
    disk): how many checks were validated and how many taken from the record, and the
    domains."""
    from onething import DataDomain

    monkeypatch.setattr(validated, "_records", {})
    monkeypatch.setattr(validated, "counts", {"validated": 0, "recorded": 0})
    module = importlib.import_module("tp_rec")
    module.plugin = DataDomain("tp_rec")
    domains = enable(["rec"], entry_points=[entry_point("rec", "tp_rec:plugin")])
    return dict(validated.counts), domains


def test_a_second_load_takes_the_passes_from_the_record(data_plugin, monkeypatch):
    first, domains = _load(monkeypatch)
    assert first["validated"] > 0 and first["recorded"] == 0
    again, domains_again = _load(monkeypatch)
    assert again == {"validated": 0, "recorded": first["validated"]}
    assert domains_again.rules("rec").items == domains.rules("rec").items


def test_a_changed_data_file_is_validated_again_and_its_error_located(
    english, data_plugin, monkeypatch
):
    _load(monkeypatch)
    data_plugin.write_text(ITEM.replace('"during"', '"sometime"'), "utf-8")
    with pytest.raises(PluginError) as exc:
        _load(monkeypatch)
    message = str(exc.value)
    assert "tp_rec/data/items.toml" in message and "item[0].stage" in message
    assert "'sometime' is not one of" in message


def test_a_file_changed_back_is_taken_from_the_record_again(data_plugin, monkeypatch):
    _load(monkeypatch)
    data_plugin.write_text(ITEM.replace("rec.001", "rec.002"), "utf-8")
    changed, domains = _load(monkeypatch)
    assert changed["validated"] > 0
    assert [i.code for i in domains.rules("rec").items] == ["rec.002"]
    data_plugin.write_text(ITEM, "utf-8")
    assert _load(monkeypatch)[0]["validated"] == 0


def test_within_full_everything_is_validated_whatever_the_record_says(data_plugin, monkeypatch):
    first, _ = _load(monkeypatch)
    with validated.full():
        again, _ = _load(monkeypatch)
    assert again == {"validated": first["validated"], "recorded": 0}


def test_validate_validates_in_full(data_plugin, monkeypatch, tmp_path):
    """``onething validate`` reports what the data is, not what the record remembers: a pass
    recorded for the very bytes it reads is validated again."""
    _load(monkeypatch)
    config = tmp_path / "onething.toml"
    config.write_text(
        '[deployment]\nname = "测试"\nregion = "370000"\nlevel = "province"\ndomains = ["rec"]\n',
        "utf-8",
    )
    monkeypatch.setattr(validated, "counts", {"validated": 0, "recorded": 0})
    monkeypatch.setattr(
        "onething.plugins.metadata.entry_points",
        lambda group: [entry_point("rec", "tp_rec:plugin")],
    )
    importlib.import_module("tp_rec").plugin = onething.DataDomain("tp_rec")
    with pytest.raises(SystemExit):
        main(["validate", str(config)])
    assert validated.counts["validated"] > 0 and validated.counts["recorded"] == 0


def test_off_disables_the_record(data_plugin, monkeypatch):
    monkeypatch.setenv("ONETHING_CACHE_DIR", "off")
    first, _ = _load(monkeypatch)
    again, _ = _load(monkeypatch)
    assert again == first and again["recorded"] == 0


def test_a_corrupt_record_is_ignored_and_replaced(data_plugin, monkeypatch, tmp_path):
    first, _ = _load(monkeypatch)
    (record,) = (tmp_path / "cache").glob("validated-*")
    record.write_bytes(b"\x80\x05not a pickle")
    again, domains = _load(monkeypatch)
    assert again == first
    assert [i.code for i in domains.rules("rec").items] == ["rec.001"]
    assert _load(monkeypatch)[0]["validated"] == 0  # written anew


def test_the_record_is_written_whole_or_not_at_all(data_plugin, monkeypatch, tmp_path):
    _load(monkeypatch)
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == [
        f"validated-{validated._FORMAT}.pickle"
    ]


def test_an_unwritable_cache_costs_speed_not_the_command(data_plugin, monkeypatch, tmp_path):
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the folder should be", "utf-8")
    monkeypatch.setenv("ONETHING_CACHE_DIR", str(blocked / "cache"))
    first, domains = _load(monkeypatch)
    assert first["validated"] > 0 and domains.rules("rec").items


def test_the_cache_folder_defaults_to_the_xdg_cache(monkeypatch, tmp_path):
    monkeypatch.delenv("ONETHING_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert validated.cache_dir() == Path(tmp_path) / "onething"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert validated.cache_dir() == Path.home() / ".cache" / "onething"


def test_a_recorded_config_changed_to_an_invalid_one_is_refused(monkeypatch, tmp_path):
    """The deployment file is recorded like plugin data: changed, it is validated again."""
    from onething import InvalidInput, load_config

    monkeypatch.setenv("ONETHING_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(validated, "_records", {})
    config = tmp_path / "onething.toml"
    good = '[deployment]\nname = "测试"\nregion = "370000"\nlevel = "province"\ndomains = []\n'
    config.write_text(good, "utf-8")
    assert load_config(config).region == "370000"
    validated.save()
    monkeypatch.setattr(validated, "_records", {})
    monkeypatch.setattr(validated, "counts", {"validated": 0, "recorded": 0})
    assert load_config(config).region == "370000"
    assert validated.counts == {"validated": 0, "recorded": 1}
    config.write_text(good.replace('"province"', '"planet"'), "utf-8")
    with pytest.raises(InvalidInput, match=r"deployment\.level"):
        load_config(config)


def test_every_model_field_is_in_its_repr():
    """What a hook returned is recorded by its repr: a field left out of it would let a
    changed value pass as recorded."""
    import attrs

    from onething import model

    classes = [getattr(model, n) for n in model.__all__]
    for cls in (c for c in classes if attrs.has(c)):
        hidden = [f.name for f in attrs.fields(cls) if not f.repr]
        assert not hidden, f"{cls.__name__}: {hidden}"


PY_PLUGIN = """
import datetime as dt
from onething import hookimpl
from onething.model import Basis, DomainDescription, Item, ObjectType
ONETHING_API = 1
STAGE = "during"

@hookimpl
def onething_describe_domain():
    return DomainDescription(code="py", name_zh="代码", name_en="Code",
        lead_department="market", responsible_departments=[],
        object_types=[ObjectType("shop", "店", "Shop")])

@hookimpl
def onething_list_items():
    return [Item(domain="py", code="py.001", name_zh="检查", name_en="Check",
        basis=[Basis(law="某法", article="第一条", status="verified")],
        departments=["market"], object_types=["shop"], measures=["onsite"], stage=STAGE,
        effective_from=dt.date(2020, 1, 1))]
"""


def test_a_code_plugin_returning_other_values_is_validated_again(tmp_path, monkeypatch):
    """The record keys what a hook returned, not the plugin's version: the same code
    returning another value is checked against the schema again."""
    (tmp_path / "tp_py.py").write_text(PY_PLUGIN, "utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("ONETHING_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(validated, "_records", {})
    eps = [entry_point("py", "tp_py")]
    try:
        enable(["py"], entry_points=eps)
        module = importlib.import_module("tp_py")
        monkeypatch.setattr(module, "STAGE", "sometime")
        with pytest.raises(PluginError, match=r"onething_list_items.*stage"):
            enable(["py"], entry_points=eps)
    finally:
        sys.modules.pop("tp_py", None)
