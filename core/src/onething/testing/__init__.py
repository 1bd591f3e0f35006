"""Testing support for plugin authors: core's contract suite and scenario runner.

* :class:`DomainContract` — subclass it in a plugin's tests with ``domain = "<code>"``.
* :class:`DomainCoverage` — likewise: whether the plugin's scenario files cover its rules.
* ``*.scenario.yaml`` files are collected by the pytest plugin ``onething.testing.pytest_plugin``
  (registered through the ``pytest11`` entry point, so installing onething enables it).
"""

from .contract import DomainContract
from .coverage import DomainCoverage
from .scenario import Scenario, load_scenarios, run_case

__all__ = ["DomainContract", "DomainCoverage", "Scenario", "load_scenarios", "run_case"]
