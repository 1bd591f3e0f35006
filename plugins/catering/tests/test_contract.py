"""The catering plugin honours core's contract."""

from onething.testing import DomainContract


class TestContract(DomainContract):
    domain = "catering"
