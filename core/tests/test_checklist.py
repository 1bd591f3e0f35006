"""The checklist engine's parts: limits (strictest, incompatible), when evidence fails, and the
fake domain's checklist."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onething import InvalidInput, Rulebook
from onething.checklist import build_checklist, failures, strictest, validate
from onething.checklist.limits import FAMILIES, ResolvedLimit, differences

#: These tests read the findings' reasons in English; the last one checks the Chinese.
pytestmark = pytest.mark.usefixtures("english")

ON = dt.date(2026, 11, 27)


def lim(comparator="<=", value=12.0, unit="month", frequency=None, element="a.e01", domain="a"):
    return ResolvedLimit(
        element=element,
        domain=domain,
        comparator=comparator,
        unit=unit,
        value=value,
        frequency=frequency,
    )


# -- limits -----------------------------------------------------------------------------------


def test_equal_limits_of_two_domains_do_not_conflict():
    assert differences(lim(domain="a"), lim(element="b.e01", domain="b")) == []


def test_limits_differing_in_threshold_unit_or_frequency_conflict():
    assert differences(lim(value=12), lim(value=6)) == ["threshold"]
    assert differences(lim(unit="month"), lim(unit="gram")) == ["unit"]
    assert differences(lim(frequency="yearly"), lim(frequency="half_yearly")) == ["frequency"]
    assert differences(lim("<="), lim(">=")) == ["comparator"]


def test_a_year_equals_twelve_months():
    assert differences(lim(value=1, unit="year"), lim(value=12, unit="month")) == []


def test_strictest_upper_bound_is_the_smallest_and_lower_bound_the_largest():
    assert strictest([lim(value=12), lim(value=6, element="b.e01")]).value == 6
    assert (
        strictest([lim(">=", 0.2, "ratio"), lim(">=", 0.4, "ratio", element="b.e01")]).value == 0.4
    )
    assert strictest([lim("<=", 6), lim("<", 6, element="b.e01")]).comparator == "<"


def test_strictest_is_undecided_for_incomparable_units_or_opposite_strictness():
    assert strictest([lim(unit="gram"), lim(unit="month", element="b.e01")]) is None
    # stricter in value but laxer in frequency: the departments must consult
    a = lim(value=6, frequency="yearly")
    b = lim(value=12, frequency="monthly", element="b.e01")
    assert strictest([a, b]) is None


@given(
    st.lists(st.tuples(st.sampled_from(["<", "<="]), st.integers(0, 50)), min_size=1, max_size=6)
)
def test_strictest_upper_bound_admits_no_value_another_limit_rejects(bounds):
    limits = [lim(c, float(v), element=f"x.e{n:02d}") for n, (c, v) in enumerate(bounds)]
    best = strictest(limits)
    assert best is not None
    for measured in range(-1, 52):
        if best.passes(measured):
            assert all(x.passes(measured) for x in limits)


def test_comparator_families_cover_every_comparator_of_the_schema():
    assert set(FAMILIES) == {"<", "<=", ">", ">=", "==", "!="}


# -- evidence ---------------------------------------------------------------------------------


def test_boolean_evidence_fails_when_false():
    assert failures({"type": "boolean"}, True, None, ON) == []
    assert failures({"type": "boolean"}, False, None, ON) == ["value = false"]


def test_x_pass_names_the_passing_value_of_a_flag():
    schema = {"type": "object", "properties": {"sick_staff": {"type": "boolean", "x-pass": False}}}
    assert failures(schema, {"sick_staff": False}, None, ON) == []
    assert failures(schema, {"sick_staff": True}, None, ON) == ["sick_staff = True, expected False"]


def test_object_booleans_without_x_pass_are_recorded_not_judged():
    schema = {"type": "object", "properties": {"contracted": {"type": "boolean"}}}
    assert failures(schema, {"contracted": False}, None, ON) == []


def test_a_measured_value_outside_its_limit_fails():
    limit = lim(">=", 125, "gram")
    assert failures({"type": "number"}, 130, limit, ON) == []
    assert failures({"type": "number"}, 100, limit, ON) == ["value = 100, limit >= 125 gram"]
    schema = {"type": "object", "properties": {"value": {"type": "number"}}}
    assert failures(schema, {"value": 100, "unit": "gram"}, limit, ON)
    marked = {"type": "object", "properties": {"m": {"type": "number", "x-limit": True}}}
    assert failures(marked, {"m": 200}, limit, ON) == []
    assert failures(marked, {"m": 1}, limit, ON) == ["m = 1, limit >= 125 gram"]


def test_an_expired_document_fails_on_the_visit_day():
    schema = {"type": "object", "properties": {"valid_to": {"type": "string", "format": "date"}}}
    assert failures(schema, {"valid_to": "2026-11-27"}, None, ON) == []
    assert failures(schema, {"valid_to": "2026-11-26"}, None, ON) == [
        "valid_to = 2026-11-26 expired before 2026-11-27"
    ]
    units = {
        "type": "object",
        "properties": {
            "units": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"inspection_valid_to": {"type": "string"}},
                },
            }
        },
    }
    found = failures(units, {"units": [{"inspection_valid_to": "2025-01-01"}]}, None, ON)
    assert found == ["units[0].inspection_valid_to = 2025-01-01 expired before 2026-11-27"]


def test_x_at_least_compares_a_count_with_its_sibling():
    schema = {
        "type": "object",
        "properties": {
            "staff": {"type": "integer"},
            "certified": {"type": "integer", "x-at-least": "staff"},
        },
    }
    assert failures(schema, {"staff": 5, "certified": 5}, None, ON) == []
    assert failures(schema, {"staff": 5, "certified": 4}, None, ON) == [
        "certified = 4 is less than staff = 5"
    ]


def test_evidence_against_its_schema_names_element_and_message(chinese):
    with pytest.raises(InvalidInput) as exc:
        validate(
            "x.e01",
            {"type": "number", "minimum": 0},
            -1,
            location="r.json",
            path="entries[0].evidence",
        )
    assert exc.value.location == "r.json"
    assert exc.value.path == "entries[0].evidence"
    assert "x.e01" in exc.value.message and "-1 小于最小值 0" in exc.value.message


# -- the fake domain ----------------------------------------------------------------------------


def test_fake_domain_checklist_groups_by_dimension_and_resolves_limits(fake_domains):
    book = Rulebook(fake_domains)
    c = build_checklist(book, ["fake.001", "fake.002"], ON)
    assert [(ln.canonical, ln.dimension) for ln in c.lines] == [
        ("fire_facilities", "equipment"),
        ("fake.e02", "environment"),
    ]
    area = c.lines[1]
    assert area.limit.value == 20 and area.limit.unit == "square_metre"
    assert area.departments == ("market",) and area.items == ("fake.001",)
    assert c.saved() == 0


def test_an_item_not_in_force_is_invalid_input_naming_it(fake_domains):
    with pytest.raises(InvalidInput) as exc:
        build_checklist(Rulebook(fake_domains), ["fake.001", "fake.999"], ON)
    assert exc.value.location == "--items" and exc.value.path == "[1]"
    assert "fake.999" in exc.value.message and "fake.001" in exc.value.message


# -- marks added for issue 19 ------------------------------------------------------------------


def test_x_fail_lists_the_failing_values():
    schema = {
        "type": "object",
        "properties": {"grade": {"enum": list("ABCD"), "x-fail": ["C", "D"]}},
    }
    assert failures(schema, {"grade": "B"}, None, ON) == []
    assert failures(schema, {"grade": "D"}, None, ON) == ["grade = 'D', one of ['C', 'D']"]


def test_x_age_compares_a_date_with_a_time_limit_by_the_calendar():
    schema = {"type": "object", "properties": {"last": {"type": "string", "x-age": True}}}
    yearly = lim("<=", 1, "year")
    assert failures(schema, {"last": "2025-11-27"}, yearly, ON) == []
    assert failures(schema, {"last": "2025-11-26"}, yearly, ON) == [
        "last = 2025-11-26 on 2026-11-27: age limit <= 1 year"
    ]
    # a month limit from the 31st ends on the last day of a shorter month
    assert (
        failures(schema, {"last": "2026-08-31"}, lim("<=", 1, "month"), dt.date(2026, 9, 30)) == []
    )
    assert failures(schema, {"last": "2026-08-31"}, lim("<=", 1, "month"), dt.date(2026, 10, 1))


def test_x_ratio_of_divides_by_its_sibling():
    schema = {
        "type": "object",
        "properties": {
            "held": {"type": "number", "x-ratio-of": "owed"},
            "owed": {"type": "number"},
        },
    }
    full = lim(">=", 1, "ratio")
    assert failures(schema, {"held": 100, "owed": 100}, full, ON) == []
    assert failures(schema, {"held": 99, "owed": 100}, full, ON) == [
        "held / owed = 0.99, limit >= 1 ratio"
    ]
    assert failures(schema, {"held": 0, "owed": 0}, full, ON) == []  # nothing owed, nothing due
    cap = lim("<=", 1, "ratio")
    assert failures(schema, {"held": 5, "owed": 0}, cap, ON) == [
        "held / owed = ∞, limit <= 1 ratio"
    ]


@given(st.data())
def test_evidence_strategy_draws_integer_counts_for_an_integer_ratio(data):
    """A share of people (board members with teaching experience) is a count over a count: the
    contract suite's strategy must draw integers on both sides of the ratio limit."""
    from onething.testing.evidence import evidence

    schema = {
        "type": "object",
        "required": ["members", "experienced"],
        "properties": {
            "members": {"type": "integer", "minimum": 1},
            "experienced": {"type": "integer", "minimum": 0, "x-ratio-of": "members"},
        },
    }
    third = lim(">=", 1 / 3, "ratio")
    good = data.draw(evidence(schema, third, ON))
    bad = data.draw(evidence(schema, third, ON, "experienced"))
    for ev in (good, bad):
        validate("t.e01", schema, ev, location="t", path="evidence")
        assert isinstance(ev["experienced"], int)
    assert failures(schema, good, third, ON) == []
    assert failures(schema, bad, third, ON) != []


def test_judged_lists_the_places_that_can_fail_and_marks_that_point_nowhere():
    from onething.checklist.evidence import judged
    from onething.model import Limit

    limit = Limit(comparator=">=", unit="year", parameter="p")
    schema = {
        "type": "object",
        "properties": {
            "ok": {"type": "boolean", "x-pass": True},
            "contracted": {"type": "boolean"},
            "n": {"type": "integer", "x-at-least": "staff"},
            "when": {"type": "string", "x-age": True},
            "valid_to": {"type": "string"},
            "units": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"inspection_valid_to": {"type": "string"}},
                },
            },
        },
    }
    places, problems = judged(schema, limit)
    assert places == ["ok", "units[].inspection_valid_to", "valid_to", "when"]
    assert problems == ["n: x-at-least names 'staff', not a sibling property"]
    assert judged({"type": "boolean"}, None) == ([""], [])
    assert judged(
        {"type": "object", "properties": {"m": {"type": "number", "x-limit": True}}}, None
    ) == ([], ["m: x-limit but the element has no limit"])


def test_an_element_whose_evidence_can_never_fail_is_named_unless_advisory(fake_domains):
    from attrs import evolve

    from onething.checklist.evidence import never_fails

    el = fake_domains.rules("fake").elements[0]
    silent = evolve(
        el, evidence_schema={"type": "object", "properties": {"c": {"type": "boolean"}}}
    )
    assert [line.split(":")[0] for line in never_fails([silent])] == [el.code]
    advisory = evolve(silent, evidence_schema={**silent.evidence_schema, "x-advisory": "倡导性"})
    assert never_fails([advisory]) == []


def test_a_reason_is_in_the_language_with_the_unit_by_name(chinese):
    limit = ResolvedLimit("x.e1", "x", ">=", "gram", 125.0, frequency="yearly")
    assert failures({"type": "number"}, 100, limit, ON) == ["取值 = 100，限值 ≥ 125 克（每年）"]
    assert failures({"type": "boolean"}, False, None, ON) == ["取值 = 否"]
