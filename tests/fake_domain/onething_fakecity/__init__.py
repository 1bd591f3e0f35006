"""A fictitious data plugin whose objects are projects, sites, vehicles, people and
installations as well as businesses, related by typed, dated relations: the worked example of
object kinds and relations (``docs/registry.md``). Its "law" is fictitious on purpose.

The kinds and relation types are data (``data/domain.toml``); items and parameters are spelt
out here to keep the example short.
"""

from __future__ import annotations

import datetime as dt

from onething import DataDomain, hookimpl
from onething.model import Basis, Item, Over, Parameter, ParameterValue, RiskRule, Through

ONETHING_API = 1

DOMAIN = "fakecity"
LAW = Basis(
    law="虚构示例条例",
    article="第二条",
    revision="2020-01-01",
    status="unconfirmed",
    note="fictitious: this plugin is an example",
)
DAY0 = dt.date(2020, 1, 1)

#: (item, name, department, object type)
ITEMS = (
    ("fakecity.001", "平台经营检查", "transport", "platform"),
    ("fakecity.002", "工资支付检查", "hrss", "project"),
    ("fakecity.003", "施工现场安全检查", "housing", "site"),
    ("fakecity.004", "车辆证照核查", "transport", "car"),
    ("fakecity.005", "驾驶员证照核查", "transport", "driver"),
    ("fakecity.006", "重大危险源检查", "emergency", "hazard_source"),
    ("fakecity.007", "施工单位资质检查", "housing", "contractor"),
    ("fakecity.008", "危化品企业检查", "emergency", "works"),
)
#: Items applying through a relation: (item, name, department, the type reached through,
#: how). The unit a project is built by carries its wage duties; every car a platform
#: operates gets the platform's fleet check.
THROUGH = (
    ("fakecity.009", "工资支付责任单位检查", "hrss", "project",
     Through(relation="built_by", object_types=["contractor"])),
    ("fakecity.010", "平台车辆运营核查", "transport", "platform", Through(relation="operates")),
)  # fmt: skip


class FakeCity(DataDomain):
    @hookimpl
    def onething_list_items(self) -> list[Item]:
        return [
            Item(
                code=code,
                name_zh=name,
                name_en=code,
                domain=DOMAIN,
                departments=[dept],
                object_types=[otype],
                basis=[LAW],
                measures=["onsite"],
                stage="during",
                effective_from=DAY0,
            )
            for code, name, dept, otype in ITEMS
        ] + [
            Item(
                code=code,
                name_zh=name,
                name_en=code,
                domain=DOMAIN,
                departments=[dept],
                object_types=[otype],
                basis=[LAW],
                measures=["onsite"],
                stage="during",
                effective_from=DAY0,
                through=through,
            )
            for code, name, dept, otype, through in THROUGH
        ]

    @hookimpl
    def onething_list_risk_rules(self) -> list[RiskRule]:
        """Rules over related objects: a platform's cars past the exit age (share), its cars'
        highest mileage (max), and the share of its drivers' orders served without a permit
        (two hops, weighted by orders)."""

        def rule(id_, label, parameter, over):
            return RiskRule(
                id=f"{DOMAIN}.{id_}", domain=DOMAIN, label_zh=label, label_en=id_,
                kind="threshold", fact=over.pop("fact"), comparator=">", parameter=parameter,
                severity="serious", basis=[LAW], effective_from=DAY0,
                object_types=["platform"], offsite=True, over=Over(**over),
            )  # fmt: skip

        return [
            rule("fleet_overage_share", "平台超龄车辆占比超限", "fleet.overage_share_max",
                 {"fact": "vehicle_age_years", "path": ["operates"], "object_types": ["car"],
                  "aggregate": "share", "comparator": ">=", "parameter": "vehicle.exit_age_years"}),
            rule("fleet_mileage_max", "平台车辆最高里程超限", "vehicle.scrap_mileage_km",
                 {"fact": "mileage_km", "path": ["operates"], "aggregate": "max"}),
            rule("unlicensed_driver_orders", "无证驾驶员订单占比超限", "dispatch.unlicensed_share_max",
                 {"fact": "driver_unlicensed", "path": ["operates", "driven_by"],
                  "aggregate": "share", "weight": "orders"}),
        ]  # fmt: skip

    @hookimpl
    def onething_list_parameters(self) -> list[Parameter]:
        def param(name, label, unit, value):
            v = ParameterValue(
                value=value,
                effective_from=DAY0,
                basis=[LAW],
                status="unconfirmed",
                reviewed=dt.date(2026, 1, 1),
            )
            return Parameter(
                domain=DOMAIN, name=name, label_zh=label, label_en=name, unit=unit, values=[v]
            )

        return [
            param("sampling_ratio", "抽查比例", "ratio", 1.0),
            param("fleet.overage_share_max", "超龄车辆占比上限", "ratio", 0.25),
            param("vehicle.exit_age_years", "退出经营年限", "year", 8),
            param("vehicle.scrap_mileage_km", "强制报废里程", "count", 600000),
            param("dispatch.unlicensed_share_max", "无证驾驶员订单占比上限", "ratio", 0.05),
        ]


plugin = FakeCity(__name__)
