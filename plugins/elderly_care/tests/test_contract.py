"""The elderly_care plugin honours core's contract."""

from onething.testing import DomainContract


class TestContract(DomainContract):
    domain = "elderly_care"
