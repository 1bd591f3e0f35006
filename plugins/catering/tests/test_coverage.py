"""The scenario files exercise every risk rule at, just below and just above its threshold,
every item (and each conditioned item's exclusion) and every parameter, and every item has
check points (``onething.testing.coverage``)."""

from onething.testing import DomainCoverage


class TestCoverage(DomainCoverage):
    domain = "catering"
