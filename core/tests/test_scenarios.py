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
