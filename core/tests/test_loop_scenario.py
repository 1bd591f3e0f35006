"""The ``loop`` expectation of scenario files: a domain owner tests its loop extension."""

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
    path = tmp_path / "loop.scenario.yaml"
    path.write_text(HEAD + textwrap.indent(textwrap.dedent(body), "  "), "utf-8")
    return load_scenarios(path)


def test_a_met_loop_expectation_passes(tmp_path):
    sc = scenario(
        tmp_path,
        """
        - name: suspension exists and its path is allowed
          date: 2026-11-27
          expect:
            loop:
              states: [fake_suspended, rectification]
              transitions: [fake_suspend, fake_resume]
              absent: [catering_gas_suspend]
              path:
                start: rectification
                facts: {rectified: false}
                steps: [fake_suspend, fake_resume]
                end: reinspection
    """,
    )
    for case in sc.cases:
        run_case(sc, case)


def test_unmet_loop_expectations_fail_with_every_difference(tmp_path):
    sc = scenario(
        tmp_path,
        """
        - name: wrong on purpose
          date: 2026-11-27
          expect:
            loop:
              states: [fake_nowhere]
              transitions: [fake_teleport]
              absent: [fake_suspend]
              path:
                start: rectification
                facts: {rectified: true}
                steps: [fake_suspend]
    """,
    )
    with pytest.raises(AssertionError) as exc:
        run_case(sc, sc.cases[0])
    message = str(exc.value)
    assert "no state 'fake_nowhere'" in message
    assert "no transition 'fake_teleport'" in message
    assert "'fake_suspend' must not exist" in message
    assert "guard of 'fake_suspend'" in message


def test_a_malformed_loop_expectation_is_rejected_naming_the_key(tmp_path):
    with pytest.raises(InvalidInput, match=r"cases\[0\].expect.loop"):
        scenario(
            tmp_path,
            """
            - name: typo
              date: 2026-11-27
              expect:
                loop: {state: [x]}
        """,
        )
