"""The worked example of a domain plugin: every hook of ``onething.hookspecs``, in Python.

Real plugins usually keep their rules in data files and let :class:`onething.DataDomain`
implement the data hooks (see ``plugins/catering``); this example spells every hook out so a
plugin author sees the whole contract in one file. Its "law" is fictitious on purpose: a real
plugin cites real articles.

Register it in your distribution's ``pyproject.toml``::

    [project.entry-points."onething.domains"]
    fake = "onething_fake"
"""

from __future__ import annotations

import datetime as dt
import random

from onething import hookimpl
from onething.applicability import match_by_data
from onething.model import (
    Basis,
    DomainDescription,
    Element,
    Item,
    Limit,
    LoopExtension,
    LoopState,
    LoopTransition,
    MergeConstraint,
    ObjectType,
    Parameter,
    ParameterValue,
    PublicationRule,
    RiskRule,
    SanctionMeasure,
)

#: The contract version this plugin was written against (checked when it is enabled).
ONETHING_API = 1

DOMAIN = "fake"
LAW = Basis(
    law="虚构示例条例",
    article="第一条",
    revision="2020-01-01",
    status="unconfirmed",
    note="fictitious: this plugin is an example",
)
DAY0 = dt.date(2020, 1, 1)
REFORM = dt.date(2024, 1, 1)
REVIEWED = dt.date(2026, 1, 1)


def _value(value, start=DAY0, end=None) -> ParameterValue:
    return ParameterValue(
        value=value,
        effective_from=start,
        effective_to=end,
        basis=[LAW],
        status="unconfirmed",
        reviewed=REVIEWED,
    )


@hookimpl
def onething_describe_domain() -> DomainDescription:
    return DomainDescription(
        code=DOMAIN,
        name_zh="虚构领域",
        name_en="Fake domain",
        lead_department="market",
        responsible_departments=["fire", "housing"],
        object_types=[
            ObjectType("shop", "商店", "Shop", 3),
            ObjectType("kiosk", "报亭", "Kiosk", 1),
        ],
        basis=[LAW],
        attribute_schema={
            "type": "object",
            "properties": {
                "floor_area": {"type": "integer", "minimum": 1},
                "uses_gas": {"type": "boolean"},
            },
            "additionalProperties": False,
        },
        synth_share=0.5,
        synth_overlaps={"catering": 0.1},
    )


@hookimpl
def onething_list_items() -> list[Item]:
    common = dict(domain=DOMAIN, basis=[LAW], measures=["onsite"], stage="during")
    return [
        Item(
            code="fake.001",
            name_zh="营业场所检查",
            name_en="Premises check",
            departments=["market"],
            object_types=["shop", "kiosk"],
            effective_from=DAY0,
            **common,
        ),
        # a changed item is a new version: same code, later dates
        Item(
            code="fake.002",
            name_zh="消防检查",
            name_en="Fire check",
            departments=["fire"],
            object_types=["shop"],
            effective_from=DAY0,
            effective_to=REFORM,
            **common,
        ),
        Item(
            code="fake.002",
            name_zh="消防安全检查",
            name_en="Fire-safety check",
            departments=["fire"],
            object_types=["shop"],
            effective_from=REFORM,
            **common,
        ),
        Item(
            code="fake.003",
            name_zh="燃气使用检查",
            name_en="Gas use check",
            departments=["housing"],
            object_types=["shop"],
            effective_from=DAY0,
            condition={"attr": "uses_gas", "eq": True},
            **common,
        ),
    ]


@hookimpl
def onething_list_elements() -> list[Element]:
    return [
        Element(
            code="fake.e01",
            domain=DOMAIN,
            canonical="fire_facilities",
            dimension="equipment",
            label_zh="灭火器配置",
            label_en="Fire extinguishers",
            methods=["onsite"],
            items=["fake.002"],
            departments=["fire"],
            basis=[LAW],
            severity="serious",
            effective_from=DAY0,
        ),
        Element(
            code="fake.e02",
            domain=DOMAIN,
            canonical="fake.e02",
            dimension="environment",
            label_zh="营业面积",
            label_en="Floor area",
            methods=["onsite"],
            items=["fake.001"],
            departments=["market"],
            basis=[LAW],
            severity="general",
            effective_from=DAY0,
            evidence_schema={"type": "number", "minimum": 0},
            limit=Limit(comparator="<=", unit="square_metre", parameter="max_kiosk_area"),
        ),
    ]


@hookimpl
def onething_list_parameters() -> list[Parameter]:
    def param(name, zh, en, unit, *values):
        return Parameter(
            domain=DOMAIN, name=name, label_zh=zh, label_en=en, unit=unit, values=values
        )

    return [
        param(
            "sampling_ratio",
            "抽查比例",
            "Sampling ratio",
            "ratio",
            _value(0.05, DAY0, REFORM),
            _value(0.1, REFORM),
        ),
        param(
            "max_kiosk_area", "报亭最大面积", "Largest kiosk floor area", "square_metre", _value(20)
        ),
        param(
            "licence_warning_days",
            "许可证到期预警天数",
            "Licence expiry warning",
            "day",
            _value(30),
        ),
        param("complaint_window", "投诉统计窗口", "Complaint window", "day", _value(90)),
        param(
            "complaint_limit", "投诉预警次数", "Complaints that raise a warning", "count", _value(3)
        ),
        param(
            "max_debt_ratio",
            "预收款负债率上限",
            "Largest prepaid-to-revenue ratio",
            "ratio",
            _value(0.5),
        ),
        param(
            "max_temperature",
            "冷柜最高温度读数",
            "Highest cold-cabinet reading",
            "count",
            _value(8),
        ),
        param("suspension_days", "暂停营业期限", "Suspension period", "day", _value(30)),
        param("rectify_days", "整改期限", "Rectification deadline", "working_day", _value(15)),
        param("publish_within", "公示时限", "Publish within", "working_day", _value(20)),
    ]


@hookimpl
def onething_match_items(objects, items, on):
    """Applicability beyond data: kiosks larger than the kiosk limit are treated as shops."""
    limit = onething_list_parameters()[1].values[0].value
    yield from match_by_data(DOMAIN, objects, items)
    shop_items = [i for i in items if "shop" in i.object_types and "kiosk" not in i.object_types]
    for obj in objects:
        member = obj.domains[DOMAIN]
        if "kiosk" in member.object_types and member.attributes.get("floor_area", 0) > limit:
            for item in shop_items:
                if item.condition is None:
                    yield obj.key, item.code


@hookimpl
def onething_synth_attributes(objects, seed):
    rng = random.Random(seed)
    return [{"floor_area": rng.randint(5, 200), "uses_gas": rng.random() < 0.3} for _ in objects]


@hookimpl
def onething_list_risk_rules() -> list[RiskRule]:
    common = dict(domain=DOMAIN, basis=[LAW], effective_from=DAY0)
    return [
        RiskRule(
            id="fake.cold_chain",
            label_zh="冷柜温度超限",
            label_en="Cold cabinet too warm",
            kind="threshold",
            fact="cabinet_temperature",
            comparator=">",
            parameter="max_temperature",
            severity="serious",
            offsite=True,
            **common,
        ),
        RiskRule(
            id="fake.prepaid_debt",
            label_zh="预收款负债过高",
            label_en="Prepaid debt too high",
            kind="ratio",
            fact="prepaid_balance",
            denominator="revenue",
            comparator=">",
            parameter="max_debt_ratio",
            severity="severe",
            **common,
        ),
        RiskRule(
            id="fake.complaints",
            label_zh="投诉激增",
            label_en="Complaint surge",
            kind="count",
            fact="complaints",
            parameter="complaint_limit",
            window="complaint_window",
            severity="general",
            **common,
        ),
        RiskRule(
            id="fake.abnormal_list",
            label_zh="列入经营异常名录",
            label_en="Abnormal-operations list",
            kind="flag",
            fact="abnormal_listed",
            severity="serious",
            **common,
        ),
        RiskRule(
            id="fake.licence_expiring",
            label_zh="许可证即将到期",
            label_en="Licence expiring",
            kind="expiry",
            fact="licence_valid_to",
            parameter="licence_warning_days",
            severity="general",
            object_types=["shop"],
            **common,
        ),
    ]


@hookimpl
def onething_list_merge_constraints() -> list[MergeConstraint]:
    return [
        MergeConstraint(
            id="fake.unannounced_fire",
            domain=DOMAIN,
            items=["fake.002"],
            kind="unannounced",
            reason_zh="消防检查须不预先通知",
            reason_en="Fire checks are unannounced",
            basis=[LAW],
            effective_from=DAY0,
        )
    ]


@hookimpl
def onething_extend_loop() -> LoopExtension:
    return LoopExtension(
        domain=DOMAIN,
        states=[LoopState("fake_suspended", "暂停营业", "Business suspended", "joint_supervision")],
        transitions=[
            LoopTransition(
                "fake_suspend",
                "rectification",
                "fake_suspended",
                "责令暂停营业",
                "Order suspension",
                roles=["leader"],
                departments=["lead"],
                basis=[LAW],
                guard={"attr": "rectified", "eq": False},
                time_limit="suspension_days",
            ),
            LoopTransition(
                "fake_resume",
                "fake_suspended",
                "reinspection",
                "申请恢复营业",
                "Apply to resume",
                roles=["inspector"],
                departments=["market"],
                basis=[LAW],
            ),
        ],
    )


@hookimpl
def onething_list_sanctions() -> list[SanctionMeasure]:
    return [
        SanctionMeasure(
            code="fake.s01",
            domain=DOMAIN,
            label_zh="提高抽查比例",
            label_en="Higher sampling ratio",
            trigger_zh="严重失信",
            departments=["market"],
            basis=[LAW],
            effective_from=DAY0,
            min_severity="severe",
            duration="suspension_days",
        )
    ]


@hookimpl
def onething_list_publication_rules() -> list[PublicationRule]:
    return [
        PublicationRule(
            code="fake.p01",
            domain=DOMAIN,
            record="inspection_result",
            label_zh="抽查结果公示",
            label_en="Inspection results",
            publish=["name", "uscc", "result"],
            redact=["inspector_names"],
            basis=[LAW],
            effective_from=DAY0,
            within="publish_within",
        )
    ]
