"""统一社会信用代码 (GB 32100-2015) and region codes (GB/T 2260): what the registry accepts."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onething.registry import regions, uscc

#: These tests read the messages in English; test_registry_kinds checks the Chinese.
pytestmark = pytest.mark.usefixtures("english")

#: A code published on a business licence, often cited as the standard's worked example.
REAL = "91350100M000100Y43"

alphabet = st.sampled_from(uscc.ALPHABET)
counties = st.sampled_from([r.code for r in regions.counties("370000")])


@st.composite
def valid_codes(draw) -> str:
    body = draw(st.text(alphabet, min_size=17, max_size=17))
    return body + uscc.check_character(body)


@st.composite
def built_codes(draw) -> str:
    org = draw(st.text(alphabet, min_size=8, max_size=8))
    return uscc.make_uscc(draw(st.sampled_from("159Y")), "1", draw(counties), org)


def test_a_published_code_is_valid():
    assert uscc.verify(REAL) == "ok"
    assert uscc.is_valid(REAL)


def test_a_wrong_check_character_is_a_checksum_failure_not_malformed():
    wrong = REAL[:17] + ("3" if REAL[17] != "3" else "4")
    assert uscc.verify(wrong) == "checksum"
    assert not uscc.is_valid(wrong)


@pytest.mark.parametrize("code", [REAL[:17], REAL + "0", ""])
def test_a_code_of_the_wrong_length_is_malformed(code):
    with pytest.raises(uscc.MalformedUscc, match="18 characters"):
        uscc.verify(code)


def test_lower_case_is_malformed_even_with_the_right_check_character():
    code = uscc.make_uscc("9", "1", "371502", "MA3C4X1K")
    with pytest.raises(uscc.MalformedUscc, match="lower case"):
        uscc.verify(code.lower())


@pytest.mark.parametrize("letter", list("IOSVZ"))
def test_the_letters_the_standard_leaves_out_are_malformed(letter):
    code = REAL[:10] + letter + REAL[11:]
    with pytest.raises(uscc.MalformedUscc, match="not used by GB 32100"):
        uscc.verify(code)


@given(valid_codes() | built_codes())
def test_every_generated_valid_code_passes(code):
    assert uscc.verify(code) == "ok"


@given(
    valid_codes() | built_codes(),
    st.integers(0, 17),
    st.characters(codec="utf-8", exclude_characters="\n"),
)
def test_every_single_character_substitution_fails(code, position, char):
    if char == code[position]:
        char = uscc.ALPHABET[(uscc.VALUES[code[position]] + 1) % 31]
    changed = code[:position] + char + code[position + 1 :]
    assert not uscc.is_valid(changed)


def test_built_codes_carry_their_region_and_a_valid_organisation_code():
    code = uscc.make_uscc("9", "2", "371522", "MA3C4X1K")
    assert code[2:8] == "371522"
    assert code[16] == uscc.org_check_character(code[8:16])


def test_the_alternative_key_round_trips_and_rejects_bad_local_ids():
    key = uscc.alternative_key("371502", "371502600012345")
    assert key == "ALT-371502-371502600012345"
    assert uscc.parse_alternative_key(key) == ("371502", "371502600012345")
    assert uscc.parse_alternative_key(REAL) is None
    with pytest.raises(ValueError, match="alternative key"):
        uscc.alternative_key("371502", "bad id")


def test_liaocheng_has_its_eight_counties_with_current_codes():
    assert [(r.code, r.name) for r in regions.counties("371500")] == [
        ("371502", "东昌府区"),
        ("371503", "茌平区"),
        ("371521", "阳谷县"),
        ("371522", "莘县"),
        ("371524", "东阿县"),
        ("371525", "冠县"),
        ("371526", "高唐县"),
        ("371581", "临清市"),
    ]


def test_shandong_has_16_cities_and_136_county_level_divisions():
    levels = [r.level for r in regions.regions().values() if r.code.startswith("37")]
    assert levels.count("city") == 16
    assert levels.count("county") == 136


def test_region_problems_name_retired_codes_and_the_deployment():
    assert regions.problem("371502", "371500") is None
    assert "371503" in regions.problem("371523")
    assert "outside" in regions.problem("370102", "371500")
    assert "not a GB/T 2260 code in use" in regions.problem("371599")
    assert "6-digit" in regions.problem("37150")
    assert regions.problem("110101") is None  # provinces the data lacks: shape only
