"""Discovery, enabling by configuration, and every rejection of a plugin."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest
from fake_support import FAKE, entry_point

from onething import API_VERSION, PluginError, discover, enable
from onething.plugins import hook_names

#: These tests read the messages in English.
pytestmark = pytest.mark.usefixtures("english")


def write_module(root: Path, name: str, source: str) -> None:
    (root / f"{name}.py").write_text(textwrap.dedent(source), "utf-8")


@pytest.fixture
def plugin_dir(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for name in [m for m in sys.modules if m.startswith("tp_")]:
        del sys.modules[name]


MINIMAL = """
    from onething import hookimpl
    from onething.model import DomainDescription, ObjectType
    ONETHING_API = {api}

    @hookimpl
    def onething_describe_domain():
        return DomainDescription(code={code!r}, name_zh="测试", name_en="Test",
            lead_department="market", responsible_departments=[],
            object_types=[ObjectType("shop", "商店", "Shop")])
"""


def minimal(code: str, api: int = API_VERSION, extra: str = "") -> str:
    return textwrap.dedent(MINIMAL.format(api=api, code=code)) + textwrap.dedent(extra)


def test_discovery_lists_entry_points_without_importing_them(plugin_dir):
    write_module(plugin_dir, "tp_boom", "raise RuntimeError('imported!')")
    found = discover([FAKE, entry_point("boom", "tp_boom")])
    assert sorted(found) == ["boom", "fake"]
    assert "tp_boom" not in sys.modules


def test_installed_but_not_enabled_plugins_contribute_nothing(plugin_dir):
    write_module(plugin_dir, "tp_boom", "raise RuntimeError('imported!')")
    domains = enable(["fake"], entry_points=[FAKE, entry_point("boom", "tp_boom")])
    assert domains.names == ["fake"]
    assert "tp_boom" not in sys.modules
    assert [p for p in domains.pm.get_plugins()] == [domains.pm.get_plugin("fake")]


def test_the_eight_domains_are_installed():
    assert set(discover()) >= {
        "prepaid_card",
        "medical",
        "elderly_care",
        "catering",
        "training",
        "construction",
        "transport",
        "hazchem",
    }


def test_unknown_name_is_rejected_listing_installed_ones():
    with pytest.raises(PluginError) as exc:
        enable(["not_a_domain"], entry_points=[FAKE])
    assert "'not_a_domain'" in str(exc.value)
    assert "installed: fake" in str(exc.value)


def test_two_plugins_claiming_one_domain_code_are_rejected(plugin_dir):
    write_module(plugin_dir, "tp_twin", minimal("fake"))
    with pytest.raises(PluginError, match="two plugins claim the domain code 'fake'"):
        enable(["fake"], entry_points=[FAKE, entry_point("fake", "tp_twin")])


def test_incompatible_api_version_is_rejected(plugin_dir):
    write_module(plugin_dir, "tp_old", minimal("old", api=API_VERSION - 1))
    with pytest.raises(PluginError, match="built for onething API version 0"):
        enable(["old"], entry_points=[entry_point("old", "tp_old")])


def test_missing_api_version_is_rejected(plugin_dir):
    write_module(plugin_dir, "tp_noapi", minimal("noapi").replace("ONETHING_API = 1", ""))
    with pytest.raises(PluginError, match="API version None"):
        enable(["noapi"], entry_points=[entry_point("noapi", "tp_noapi")])


def test_hook_not_in_the_contract_is_rejected_with_the_valid_names(plugin_dir):
    extra = """
        @hookimpl
        def onething_list_itmes():
            return []
    """
    write_module(plugin_dir, "tp_typo", minimal("typo", extra=extra))
    with pytest.raises(PluginError) as exc:
        enable(["typo"], entry_points=[entry_point("typo", "tp_typo")])
    assert "onething_list_itmes" in str(exc.value)
    assert "onething_list_items" in str(exc.value)


def test_hook_with_arguments_the_spec_lacks_is_rejected(plugin_dir):
    extra = """
        @hookimpl
        def onething_match_items(objects, items, on, region):
            return []
    """
    write_module(plugin_dir, "tp_args", minimal("args", extra=extra))
    with pytest.raises(PluginError, match="does not honour the contract"):
        enable(["args"], entry_points=[entry_point("args", "tp_args")])


def test_description_code_must_equal_entry_point_name(plugin_dir):
    write_module(plugin_dir, "tp_other", minimal("something_else"))
    with pytest.raises(PluginError, match="entry-point name and the domain code must be the same"):
        enable(["other"], entry_points=[entry_point("other", "tp_other")])


def test_a_broken_import_names_the_plugin(plugin_dir):
    write_module(plugin_dir, "tp_broken", "import does_not_exist_anywhere")
    with pytest.raises(PluginError, match=r"plugin 'broken' .* failed to import"):
        enable(["broken"], entry_points=[entry_point("broken", "tp_broken")])


def test_hook_results_of_the_wrong_type_are_rejected(plugin_dir):
    extra = """
        @hookimpl
        def onething_list_items():
            return [{"code": "wrong.001"}]
    """
    write_module(plugin_dir, "tp_dicts", minimal("dicts", extra=extra))
    with pytest.raises(PluginError, match="returned dict, expected Item"):
        enable(["dicts"], entry_points=[entry_point("dicts", "tp_dicts")])


def make_data_plugin(root: Path, name: str, files: dict[str, str]) -> None:
    pkg = root / name
    (pkg / "data").mkdir(parents=True)
    (pkg / "__init__.py").write_text(
        "from onething import DataDomain\nONETHING_API = 1\nplugin = DataDomain(__name__)\n"
    )
    (pkg / "data" / "domain.toml").write_text(
        'code = "dd"\nname_zh = "数据"\nname_en = "Data"\nlead_department = "market"\n'
        'responsible_departments = []\n[[object_types]]\ncode = "shop"\nname_zh = "店"\nname_en = "Shop"\n'
    )
    for fname, text in files.items():
        (pkg / "data" / fname).write_text(textwrap.dedent(text), "utf-8")


ITEM = """
    [[item]]
    code = "dd.001"
    name_zh = "检查"
    name_en = "Check"
    basis = [{law = "某法", article = "第一条", status = "verified"}]
    departments = ["market"]
    object_types = ["shop"]
    measures = ["onsite"]
    stage = "during"
    effective_from = 2020-01-01
"""


def test_data_plugin_loads(plugin_dir):
    make_data_plugin(plugin_dir, "tp_dd", {"items.toml": ITEM})
    domains = enable(["dd"], entry_points=[entry_point("dd", "tp_dd:plugin")])
    (item,) = domains.rules("dd").items
    assert item.code == "dd.001" and item.domain == "dd"
    assert item.source == "tp_dd/data/items.toml#item[0]"


def test_plugin_data_failing_its_schema_names_file_and_key_path(english, plugin_dir):
    make_data_plugin(plugin_dir, "tp_bad", {"items.toml": ITEM.replace('"during"', '"sometime"')})
    with pytest.raises(PluginError) as exc:
        enable(["dd"], entry_points=[entry_point("dd", "tp_bad:plugin")])
    message = str(exc.value)
    assert "tp_bad/data/items.toml" in message
    assert "item[0].stage" in message
    assert "'sometime' is not one of" in message


def test_inconsistent_plugin_data_is_rejected(plugin_dir):
    bad = ITEM.replace('departments = ["market"]', 'departments = ["ministry_of_magic"]')
    bad += ITEM.replace("2020-01-01", "2021-06-01")  # overlapping version of the same code
    make_data_plugin(plugin_dir, "tp_incons", {"items.toml": bad})
    with pytest.raises(PluginError) as exc:
        enable(["dd"], entry_points=[entry_point("dd", "tp_incons:plugin")])
    assert "unknown department 'ministry_of_magic'" in str(exc.value)
    assert "item dd.001: versions from 2020-01-01 and 2021-06-01 overlap" in str(exc.value)


def test_a_ninth_domain_is_added_by_a_package_without_changing_core(plugin_dir):
    write_module(plugin_dir, "tp_ninth", minimal("ninth"))
    domains = enable(["fake", "ninth"], entry_points=[FAKE, entry_point("ninth", "tp_ninth")])
    assert domains.names == ["fake", "ninth"]
    assert domains.rules("ninth").description.name_en == "Test"


def test_the_fake_domain_implements_every_hook(fake_domains):
    impls = {h for h in hook_names() if fake_domains.implements("fake", h)}
    assert impls == set(hook_names())


ZERO_RATIO = """
    [[parameter]]
    name = "sampling_ratio.A"
    label_zh = "A类抽查比例"
    label_en = "Grade A ratio"
    unit = "ratio"
    [[parameter.values]]
    value = 0
    effective_from = 2020-01-01
    basis = [{law = "某法", status = "verified"}]
    status = "verified"
    reviewed = 2026-01-01
"""


def test_a_sampling_ratio_of_zero_is_rejected(plugin_dir):
    """A grade must never exempt an object from all checks."""
    make_data_plugin(plugin_dir, "tp_zero", {"parameters.toml": ZERO_RATIO})
    with pytest.raises(PluginError, match="would exempt objects from all checks"):
        enable(["dd"], entry_points=[entry_point("dd", "tp_zero:plugin")])


def test_review_names_an_enabled_domain_without_items_or_elements(plugin_dir):
    """A deployment enabling a domain with no rules in force checks nothing there: said (#30)."""
    import datetime as dt

    from onething import Rulebook
    from onething.review import review

    make_data_plugin(plugin_dir, "tp_empty", {})
    make_data_plugin(plugin_dir, "tp_items", {"items.toml": ITEM})
    for pkg in ("tp_empty", "tp_items"):
        domains = enable(["dd"], entry_points=[entry_point("dd", f"{pkg}:plugin")])
        found = review(Rulebook(domains), dt.date(2026, 12, 1), 730).domains_without_rules
        assert found == ("dd",), pkg  # items alone are not enough: no element to check


def test_plugin_calls_are_traced_to_stderr_when_asked(monkeypatch, capsys):
    """``ONETHING_TRACE_PLUGINS=1`` writes one line per hook call: the hook, its arguments,
    the plugins that answered and how many things came back; unset, nothing is written."""
    import datetime as dt

    from onething.i18n import set_language
    from onething.plugins import TRACE_ENV
    from onething.rulebook import Rulebook

    monkeypatch.delenv(TRACE_ENV, raising=False)
    Rulebook(enable(["fake"], entry_points=[FAKE])).items(dt.date(2026, 6, 1), "fake")
    assert capsys.readouterr().err == ""

    monkeypatch.setenv(TRACE_ENV, "1")
    set_language("en")
    try:
        book = Rulebook(enable(["fake"], entry_points=[FAKE]))
        items = book.items(dt.date(2026, 6, 1), "fake")
    finally:
        set_language("zh")
    lines = capsys.readouterr().err.splitlines()
    listed = [x for x in lines if x.startswith("[plugin call] onething_list_items() <- fake: ")]
    assert len(listed) == 1 and listed[0].endswith(" result(s)")
    n_listed = int(listed[0].rsplit(" ", 2)[1])
    assert n_listed >= len(items) > 0  # every item the plugin lists, in force or not
    assert all(x.startswith("[plugin call] onething_") for x in lines)

    enable(["fake"], entry_points=[FAKE]).rules("fake")
    assert "[插件调用] onething_describe_domain() ← fake：" in capsys.readouterr().err
