"""The worked example passes the contract suite every domain plugin runs."""

from fake_support import FAKE

from onething.testing import DomainContract


class TestFakeContract(DomainContract):
    domain = "fake"
    entry_points = (FAKE,)
