"""The scenario runner reports unmet expectations and rejects malformed files."""

from __future__ import annotations

import textwrap

import pytest

from onething import InvalidInput
from onething.testing import load_scenarios, run_case

HEAD = """
domains: [fake]
plugins: {fake: onething_fake}
cases:
"""


def scenario(tmp_path, body: str):
    path = tmp_path / "x.scenario.yaml"
    path.write_text(HEAD + textwrap.indent(textwrap.dedent(body), "  "), "utf-8")
    return load_scenarios(path)


def test_wrong_expectations_fail_with_every_difference(tmp_path):
    sc = scenario(
        tmp_path,
        """
        - name: wrong on purpose
          date: 2025-03-01
          objects:
            - {key: A, domains: {fake: {object_types: [kiosk]}}}
          facts: {A: {abnormal_listed: true}}
          expect:
            items: {A: [fake.001, fake.002]}
            parameters: {fake.sampling_ratio: 0.2}
            warnings: {A: []}
    """,
    )
    with pytest.raises(AssertionError) as exc:
        run_case(sc, sc.cases[0])
    message = str(exc.value)
    assert "items of A: expected ['fake.001', 'fake.002'], got ['fake.001']" in message
    assert "parameter fake.sampling_ratio on 2025-03-01: expected 0.2, got 0.1" in message
    assert "warnings of A: expected [], got ['fake.abnormal_list']" in message


def test_expectation_about_an_object_not_in_the_case_fails(tmp_path):
    sc = scenario(
        tmp_path,
        """
        - name: typo in key
          date: 2025-03-01
          expect: {items: {B: []}}
    """,
    )
    with pytest.raises(AssertionError, match="no object 'B' in the case"):
        run_case(sc, sc.cases[0])


def test_unknown_expect_key_is_rejected_with_its_path(tmp_path):
    with pytest.raises(InvalidInput) as exc:
        scenario(
            tmp_path,
            """
            - name: bad key
              date: 2025-03-01
              expect: {warnigns: {}}
        """,
        )
    assert exc.value.path == "cases[0].expect"
    assert "warnigns" in exc.value.message


def test_a_case_must_expect_something(tmp_path):
    with pytest.raises(InvalidInput, match=r"cases\[0\].expect"):
        scenario(
            tmp_path,
            """
            - name: empty
              date: 2025-03-01
              expect: {}
        """,
        )


def test_domains_default_to_the_plugin_holding_the_file(tmp_path):
    plugin = tmp_path / "plug"
    (plugin / "tests").mkdir(parents=True)
    (plugin / "pyproject.toml").write_text(
        '[project.entry-points."onething.domains"]\nabc = "x:plugin"\n'
    )
    path = plugin / "tests" / "a.scenario.yaml"
    path.write_text("cases:\n  - {name: n, date: 2025-01-01, expect: {parameters: {}}}\n")
    assert load_scenarios(path).domains == ("abc",)


CITY = """
domains: [fakecity]
plugins: {fakecity: "onething_fakecity:plugin"}
cases:
"""
PLATFORM, CONTRACTOR = "91371502000000019L", "91371502000000027X"
CITY_OBJECTS = f"""
          objects:
            - {{key: {PLATFORM}, domains: {{fakecity: {{object_types: [platform]}}}}}}
            - {{key: {CONTRACTOR}, domains: {{fakecity: {{object_types: [contractor]}}}}}}
            - {{key: 2019-370000-48-01-000123, kind: project, domains: {{fakecity: {{object_types: [project]}}}}}}
            - {{key: 鲁P12345, kind: vehicle, domains: {{fakecity: {{object_types: [car]}}}}}}
            - {{key: 鲁PD12345, kind: vehicle, domains: {{fakecity: {{object_types: [car]}}}}}}
"""


def city_scenario(tmp_path, body: str):
    path = tmp_path / "city.scenario.yaml"
    path.write_text(CITY + textwrap.indent(textwrap.dedent(body), "  "), "utf-8")
    return load_scenarios(path)


def test_a_case_with_related_objects_checks_the_items_applying_through_them(tmp_path):
    """Objects of other kinds and the relations between them: an item applying through a
    relation reaches the related object on the days the relation is in force, not the anchor;
    the same file with a wrong expectation names the difference."""
    body = f"""
        - name: a project's builder and a platform's cars
          date: 2025-06-01
{CITY_OBJECTS}
          relations:
            - {{type: built_by, source: 2019-370000-48-01-000123, target: {CONTRACTOR}}}
            - {{type: operates, source: {PLATFORM}, target: 鲁P12345, valid_from: 2025-01-01}}
            - {{type: operates, source: {PLATFORM}, target: 鲁PD12345, valid_to: 2025-03-31}}
          expect:
            items:
              {CONTRACTOR}: [fakecity.007, fakecity.009]
              2019-370000-48-01-000123: [fakecity.002]
              {PLATFORM}: [fakecity.001]
              鲁P12345: [fakecity.004, fakecity.010]
              鲁PD12345: [fakecity.004]
    """
    sc = city_scenario(tmp_path, body)
    run_case(sc, sc.cases[0])
    wrong = city_scenario(
        tmp_path,
        body.replace("鲁PD12345: [fakecity.004]", "鲁PD12345: [fakecity.004, fakecity.010]"),
    )
    with pytest.raises(
        AssertionError, match=r"items of 鲁PD12345: .* \(missing \['fakecity.010'\]"
    ):
        run_case(wrong, wrong.cases[0])


def test_a_rule_over_related_objects_reads_the_cases_relations(tmp_path):
    """fakecity.fleet_mileage_max fires on a platform whose operated car's mileage exceeds the
    scrap mileage (600,000 km) — only while the platform operates it."""
    sc = city_scenario(
        tmp_path,
        f"""
        - name: the platform operates the worn car
          date: 2025-06-01
{CITY_OBJECTS}
          relations:
            - {{type: operates, source: {PLATFORM}, target: 鲁P12345}}
          facts: {{鲁P12345: {{mileage_km: 650000}}}}
          expect: {{warnings_include: {{{PLATFORM}: [fakecity.fleet_mileage_max]}}}}
        - name: no longer
          date: 2025-06-01
{CITY_OBJECTS}
          relations:
            - {{type: operates, source: {PLATFORM}, target: 鲁P12345, valid_to: 2025-05-31}}
          facts: {{鲁P12345: {{mileage_km: 650000}}}}
          expect: {{warnings: {{{PLATFORM}: []}}}}
    """,
    )
    for case in sc.cases:
        run_case(sc, case)


@pytest.mark.parametrize(
    ("relation", "where", "says"),
    [
        (
            "{type: runs, source: A, target: B}",
            "relations[0].type",
            "'runs' is not a relation type",
        ),
        (
            f"{{type: operates, source: {PLATFORM}, target: 鲁P99999}}",
            "relations[0].target",
            "no object",
        ),
        (
            f"{{type: operates, source: {CONTRACTOR}, target: {PLATFORM}}}",
            "relations[0].target",
            "relates a vehicle",
        ),
    ],
    ids=["unknown type", "missing end", "wrong kind"],
)
def test_a_bad_relation_is_refused_naming_the_case_and_its_path(
    english, tmp_path, relation, where, says
):
    sc = city_scenario(
        tmp_path,
        f"""
        - name: bad relation
          date: 2025-06-01
{CITY_OBJECTS}
          relations: [{relation}]
          expect: {{items: {{{PLATFORM}: [fakecity.001]}}}}
    """,
    )
    with pytest.raises(InvalidInput) as exc:
        run_case(sc, sc.cases[0])
    assert "bad relation" in str(exc.value) and where in str(exc.value) and says in str(exc.value)


@pytest.mark.parametrize(
    ("obj", "where", "says"),
    [
        (
            "{key: 鲁P1234, kind: vehicle, domains: {fakecity: {object_types: [car]}}}",
            "objects[5].key",
            "is not a valid vehicle key",
        ),
        (
            "{key: X1, kind: vehicle, domains: {fakecity: {object_types: [platform]}}}",
            "objects[5].domains.fakecity.object_types",
            "is a business",
        ),
        (
            "{key: X1, kind: tower, domains: {fakecity: {object_types: [car]}}}",
            "objects[5].kind",
            "not an object kind",
        ),
    ],
    ids=["malformed plate", "type of another kind", "unknown kind"],
)
def test_an_object_of_a_bad_kind_is_refused_naming_its_path(english, tmp_path, obj, where, says):
    sc = city_scenario(
        tmp_path,
        f"""
        - name: bad object
          date: 2025-06-01
{CITY_OBJECTS}            - {obj}
          expect: {{items: {{{PLATFORM}: [fakecity.001]}}}}
    """,
    )
    with pytest.raises(InvalidInput) as exc:
        run_case(sc, sc.cases[0])
    assert where in str(exc.value) and says in str(exc.value), str(exc.value)
