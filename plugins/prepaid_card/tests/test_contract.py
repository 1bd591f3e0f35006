"""The prepaid_card plugin honours core's contract."""

from onething.testing import DomainContract


class TestContract(DomainContract):
    domain = "prepaid_card"
