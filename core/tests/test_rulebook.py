"""Parameters as dated data, the city layer (overrides vs extensions) and provenance."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import attrs
import pytest
from fake_support import FAKE
from hypothesis import given
from hypothesis import strategies as st

from onething import InvalidInput, NotInForce, Onething, Rulebook, enable
from onething.integrity import _overlapping
from onething.model import Basis, Parameter, ParameterValue, version_on

#: These tests read the messages in English.
pytestmark = pytest.mark.usefixtures("english")

D = dt.date

LAYER = """
[deployment]
region = "371500"
level = "city"
domains = ["fake"]
layers = ["city.toml"]

[[override]]
domain = "fake"
parameter = "complaint_limit"
value = 5
effective_from = 2025-01-01
basis = [{law = "聊城市某规定", article = "第三条", status = "secondary"}]
status = "secondary"
reviewed = 2026-11-01
reason = "本市投诉量基数较大"
"""

CITY = """
[[extension.parameter]]
domain = "fake"
name = "local_night_market_ratio"
label_zh = "夜市抽查比例"
label_en = "Night-market sampling ratio"
unit = "ratio"
reason = "本市新增夜市专项"
[[extension.parameter.values]]
value = 0.3
effective_from = 2026-01-01
basis = [{law = "聊城市夜市管理办法", article = "第五条", status = "unconfirmed"}]
status = "unconfirmed"
reviewed = 2026-11-01
"""


@pytest.fixture
def app(tmp_path: Path) -> Onething:
    (tmp_path / "onething.toml").write_text(LAYER, "utf-8")
    (tmp_path / "city.toml").write_text(CITY, "utf-8")
    return Onething.from_config(tmp_path / "onething.toml", entry_points=[FAKE])


def test_value_changes_on_the_reform_day(fake_domains):
    book = Rulebook(fake_domains)
    assert book.value("fake", "sampling_ratio", D(2023, 12, 31)) == 0.05
    assert book.value("fake", "sampling_ratio", D(2024, 1, 1)) == 0.1


def test_asking_for_a_day_no_value_covers_is_an_error(fake_domains):
    with pytest.raises(
        NotInForce, match=r"fake\.sampling_ratio has no value in force on 2019-12-31"
    ):
        Rulebook(fake_domains).parameter("fake", "sampling_ratio", D(2019, 12, 31))


def test_unknown_parameter_lists_known_ones(fake_domains):
    with pytest.raises(InvalidInput, match="known: complaint_limit"):
        Rulebook(fake_domains).parameter("fake", "nope", D(2024, 1, 1))


def test_listing_leaves_out_parameters_not_in_force(fake_domains):
    assert Rulebook(fake_domains).parameters(D(2019, 1, 1)) == []


def test_plugin_values_carry_provenance(fake_domains):
    p = Rulebook(fake_domains).parameter("fake", "complaint_limit", D(2024, 1, 1))
    assert p.provenance.layer == "plugin"
    assert p.provenance.plugin == "fake"
    assert p.provenance.rule_id == "complaint_limit"
    assert p.basis[0].law == "虚构示例条例"


def test_override_changes_the_value_from_its_date_and_says_so(app):
    book = app.rulebook
    assert book.value("fake", "complaint_limit", D(2024, 12, 31)) == 3
    p = book.parameter("fake", "complaint_limit", D(2025, 1, 1))
    assert p.value == 5
    assert p.provenance.layer == "override"
    assert p.provenance.reason == "本市投诉量基数较大"
    assert p.status == "secondary"
    assert p.as_json()["layer"] == "override"


def test_extension_adds_a_parameter_recorded_as_extension(app):
    p = app.rulebook.parameter("fake", "local_night_market_ratio", D(2026, 6, 1))
    assert p.value == 0.3
    assert p.provenance.layer == "extension"
    assert p.provenance.source.endswith("city.toml#extension.parameter[0]")


def test_overriding_a_parameter_that_does_not_exist_is_an_error(tmp_path):
    (tmp_path / "onething.toml").write_text(
        LAYER.replace('"complaint_limit"', '"complaint_limt"'), "utf-8"
    )
    (tmp_path / "city.toml").write_text("", "utf-8")
    app = Onething.from_config(tmp_path / "onething.toml", entry_points=[FAKE])
    with pytest.raises(InvalidInput) as exc:
        app.rulebook  # noqa: B018
    assert "no parameter 'complaint_limt' in domain 'fake'" in str(exc.value)
    assert "known: complaint_limit" in str(exc.value)
    assert "onething.toml#override[0]" in str(exc.value)


def test_an_extension_may_not_change_an_existing_parameter(tmp_path):
    (tmp_path / "onething.toml").write_text(LAYER, "utf-8")
    (tmp_path / "city.toml").write_text(
        CITY.replace("local_night_market_ratio", "sampling_ratio"), "utf-8"
    )
    app = Onething.from_config(tmp_path / "onething.toml", entry_points=[FAKE])
    with pytest.raises(InvalidInput, match="already exists; an extension may only add"):
        app.rulebook  # noqa: B018


# -- the dating invariant --------------------------------------------------------------------

BASIS = Basis(law="L", status="verified")


@st.composite
def histories(draw):
    """A parameter with non-overlapping dated values (gaps allowed), and a day to ask about."""
    starts = sorted(draw(st.sets(st.dates(D(2000, 1, 1), D(2040, 1, 1)), min_size=1, max_size=6)))
    values = []
    for i, start in enumerate(starts):
        nxt = starts[i + 1] if i + 1 < len(starts) else None
        end = draw(
            st.one_of(st.just(nxt), st.dates(start + dt.timedelta(days=1), nxt or D(2041, 1, 1)))
        )
        values.append(
            ParameterValue(
                value=i,
                effective_from=start,
                effective_to=end,
                basis=[BASIS],
                status="verified",
                reviewed=D(2026, 1, 1),
            )
        )
    return Parameter(
        domain="fake", name="h", label_zh="h", label_en="h", unit="count", values=values
    )


@given(param=histories(), day=st.dates(D(1999, 1, 1), D(2042, 1, 1)))
def test_the_value_on_a_day_is_exactly_the_one_whose_interval_holds_it(param, day):
    holding = [
        v
        for v in param.values
        if v.effective_from <= day and (v.effective_to is None or day < v.effective_to)
    ]
    assert len(holding) <= 1
    assert version_on(param.values, day) == (holding[0] if holding else None)


@given(param=histories(), shift=st.integers(1, 400))
def test_overlapping_versions_are_always_reported(param, shift):
    """Moving any version's start before its predecessor's end makes the history invalid."""
    values = list(param.values)
    assert _overlapping("parameter", {"h": values}) == []
    if len(values) > 1 and values[0].effective_to is not None:
        moved = attrs.evolve(
            values[1], effective_from=values[0].effective_to - dt.timedelta(days=shift)
        )
        if moved.effective_to is None or moved.effective_from < moved.effective_to:
            assert _overlapping("parameter", {"h": [values[0], moved, *values[2:]]})


def test_enable_then_rulebook_for_all_eight_domains():
    names = [
        "prepaid_card",
        "medical",
        "elderly_care",
        "catering",
        "training",
        "construction",
        "transport",
        "hazchem",
    ]
    book = Rulebook(enable(names))
    assert book.domains.names == names


def test_core_parameters_are_in_every_rulebook_with_their_provenance(fake_domains):
    book = Rulebook(fake_domains)
    p = book.parameter("core", "inspectors_per_visit", D(2026, 1, 1))
    assert p.value == 2 and p.status == "verified"
    assert p.provenance.plugin == "onething"
    assert "第四十二条" in p.basis[0].article
    assert ("core", "visit_cap.D") in book.parameter_names()
    assert book.parameter_names("fake") == sorted(
        k for k in book.parameter_names() if k[0] == "fake"
    )


@pytest.mark.parametrize("value", ["0", "1.5", "-0.1", "nan", "inf"])
def test_a_city_sampling_ratio_of_0_outside_0_1_nan_or_infinite_is_refused(tmp_path, value):
    layer = LAYER.replace('"complaint_limit"', '"sampling_ratio"').replace(
        "value = 5", f"value = {value}"
    )
    (tmp_path / "onething.toml").write_text(layer, "utf-8")
    (tmp_path / "city.toml").write_text(CITY, "utf-8")
    with pytest.raises(InvalidInput, match=r"override\[0\]: value: "):
        _ = Onething.from_config(tmp_path / "onething.toml", entry_points=[FAKE]).rulebook


@pytest.mark.parametrize("value", ["0", "2", "nan", "-inf"])
def test_a_city_ratio_extension_outside_0_1_is_refused(tmp_path, value):
    (tmp_path / "onething.toml").write_text(LAYER, "utf-8")
    (tmp_path / "city.toml").write_text(CITY.replace("value = 0.3", f"value = {value}"), "utf-8")
    app = Onething.from_config(tmp_path / "onething.toml", entry_points=[FAKE])
    if value == "0":  # a ratio of 0 is a ratio; only sampling ratios must never be 0
        assert app.rulebook
        return
    with pytest.raises(InvalidInput, match=r"extension.parameter\[0\]: values\[0\].value: "):
        _ = app.rulebook


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "抽查比例为 0 将使对象免于一切检查"),
        ("1.5", "不符合参数 sampling_ratio.night_market 的单位 'ratio'（比例须在 0 到 1 之间）"),
        ("-0.1", "不符合参数 sampling_ratio.night_market 的单位 'ratio'"),
        ("nan", "不符合参数 sampling_ratio.night_market 的单位 'ratio'"),
        ("inf", "不符合参数 sampling_ratio.night_market 的单位 'ratio'"),
    ],
)
def test_a_city_sampling_ratio_outside_0_1_or_not_a_number_is_refused(
    chinese, tmp_path, value, message
):
    """#16.9: a city layer may not set a ratio of 0 (no object checked), above 1, NaN or inf."""
    (tmp_path / "onething.toml").write_text(LAYER, "utf-8")
    city = CITY.replace("local_night_market_ratio", "sampling_ratio.night_market")
    (tmp_path / "city.toml").write_text(city.replace("value = 0.3", f"value = {value}"), "utf-8")
    with pytest.raises(InvalidInput, match=message) as exc:
        _ = Onething.from_config(tmp_path / "onething.toml", entry_points=[FAKE]).rulebook
    assert "city.toml#extension.parameter[0]" in exc.value.location


def test_a_synthetic_overlap_type_must_be_one_of_the_domains_object_types():
    import attrs

    from onething import enable
    from onething.integrity import problems

    rules = enable(["catering"]).rules("catering")
    assert problems(rules) == []
    desc = attrs.evolve(rules.description, synth_overlap_types={"hazchem": "chemical_canteen"})
    (line,) = problems(attrs.evolve(rules, description=desc))
    assert "synth_overlap_types.hazchem" in line and "'chemical_canteen'" in line


def test_an_element_limit_in_another_unit_than_its_parameter_is_an_error():
    """A limit in days read from a parameter counted in units (or in years from one in
    yuan) is reported; years against months convert, and a unit the parameter vocabulary
    does not name (seats) may be counted by a ``count`` parameter."""
    import attrs

    from onething import enable
    from onething.integrity import limit_unit_problems, problems

    rules = enable(["catering"]).rules("catering")
    el = next(e for e in rules.elements if e.limit is not None and e.limit.parameter)
    param = next(p for p in rules.parameters if p.name == el.limit.parameter)
    other = "day" if param.unit != "day" else "CNY"
    bad = attrs.evolve(el, limit=attrs.evolve(el.limit, unit=other))
    elements = tuple(bad if e is el else e for e in rules.elements)
    (line,) = problems(rules.replace(elements=elements))
    assert el.code in line and f"'{other}'" in line and param.name in line
    count = attrs.evolve(param, unit="count")
    assert limit_unit_problems("e", "day", param.name, [count])
    assert not limit_unit_problems("e", "seat", param.name, [count])
    assert not limit_unit_problems("e", "year", param.name, [attrs.evolve(param, unit="month")])
