"""The scenario files exercise every risk rule at, just below and just above its threshold,
every item (and each conditioned item's exclusion) and every parameter, and every item has
check points (``onething.testing.coverage``)."""

from onething.testing import DomainCoverage


class TestCoverage(DomainCoverage):
    domain = "hazchem"
    without_check_points = {  # noqa: RUF012 (read, never changed)
        "hazchem.018": "网络销售禁令只在危险化学品安全法中（2026-05-01 起），条文未读、条号未核实：不编要素",
    }
