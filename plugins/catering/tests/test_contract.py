"""The catering plugin honours core's contract."""

from onething.testing import DomainContract


class TestContract(DomainContract):
    domain = "catering"
    # the deployment's layer sets them (examples/overrides/sampling-liaocheng.toml)
    ratios_from_deployment = "国办发〔2015〕58号：抽查比例和频次由各地各部门确定"
