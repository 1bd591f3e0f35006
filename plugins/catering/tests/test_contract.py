"""The catering plugin honours core's contract."""

from pathlib import Path

from onething.testing import DomainContract


class TestContract(DomainContract):
    domain = "catering"
    ratios_from_deployment = "国办发〔2015〕58号：抽查比例和频次由各地各部门确定"
    # the example city's sampling layer sets them (examples/overrides/sampling-liaocheng.toml)
    deployment = Path(__file__).parents[3] / "examples" / "liaocheng.toml"
