"""pytest plugin: collect ``*.scenario.yaml`` files, one test per case, and select the
Hypothesis profile (``HYPOTHESIS_PROFILE=thorough`` for more examples; default ``quick``)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ..errors import OnethingError
from .scenario import Scenario, load_scenarios, run_case

SUFFIX = ".scenario.yaml"


def pytest_configure(config: pytest.Config) -> None:
    try:
        from hypothesis import HealthCheck, settings
    except ImportError:  # hypothesis is a test dependency of onething, not of hosts
        return
    settings.register_profile("quick", max_examples=30, deadline=None)
    settings.register_profile(
        "thorough", max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "quick"))


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.name.endswith(SUFFIX):
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


class ScenarioFile(pytest.File):
    def collect(self):
        scenario = load_scenarios(self.path)
        for index, case in enumerate(scenario.cases):
            yield ScenarioCase.from_parent(
                self, name=f"{index}:{case['name']}", scenario=scenario, case=case
            )


class ScenarioCase(pytest.Item):
    def __init__(self, *, scenario: Scenario, case: dict, **kwargs):
        super().__init__(**kwargs)
        self.scenario = scenario
        self.case = case

    def runtest(self) -> None:
        run_case(self.scenario, self.case)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, AssertionError | OnethingError):
            return f"scenario {self.case['name']!r} ({self.path.name}):\n{excinfo.value}"
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, None, f"scenario: {self.case['name']}"
