"""Three small test plugins for the joint checklist, next to the fake domain: a restaurant's
kitchen (餐饮, market), its gas supply (燃气, housing) and its prepaid cards (预付卡,
commerce). Their elements share canonical codes with each other and with the fake domain
(``fire_facilities``), so a restaurant that sells prepaid cards and runs a gas kitchen gets
shared check points. Their "law" is fictitious.

Enable with ``enable(["fake", "kitchen", "gas", "cards"], entry_points=CHECKLIST_EPS)``.
"""

from __future__ import annotations

import datetime as dt

from fake_support import FAKE, entry_point

from onething import hookimpl
from onething.model import (
    Basis,
    DomainDescription,
    Element,
    Item,
    Limit,
    ObjectType,
    Parameter,
    ParameterValue,
)

ONETHING_API = 1
DAY0 = dt.date(2020, 1, 1)
LAW = Basis(law="虚构测试条例", article="第一条", status="unconfirmed", note="fictitious")


def _law(domain: str, article: str) -> Basis:
    return Basis(law=f"虚构{domain}条例", article=article, status="unconfirmed")


class MiniDomain:
    """A domain plugin from a few literal rows."""

    def __init__(self, code, name_zh, lead, items, elements, parameters=()):
        self.code = code
        self.name_zh = name_zh
        self.lead = lead
        self.item_rows = items
        self.element_rows = elements
        self.parameter_rows = parameters

    @hookimpl
    def onething_describe_domain(self):
        depts = sorted({d for _, _, ds in self.item_rows for d in ds} - {self.lead})
        return DomainDescription(
            code=self.code,
            name_zh=self.name_zh,
            name_en=self.code,
            lead_department=self.lead,
            responsible_departments=depts,
            object_types=[ObjectType("restaurant", "餐馆", "Restaurant")],
            basis=[LAW],
        )

    @hookimpl
    def onething_list_items(self):
        return [
            Item(
                code=code,
                domain=self.code,
                name_zh=name,
                name_en=code,
                basis=[LAW],
                departments=depts,
                object_types=["restaurant"],
                measures=["onsite"],
                stage="during",
                effective_from=DAY0,
            )
            for code, name, depts in self.item_rows
        ]

    @hookimpl
    def onething_list_elements(self):
        out = []
        for row in self.element_rows:
            row = dict(row)
            out.append(
                Element(
                    domain=self.code,
                    label_en=row["code"],
                    methods=row.pop("methods", ["onsite"]),
                    basis=[_law(self.name_zh, row.pop("article", "第二条"))],
                    effective_from=DAY0,
                    **row,
                )
            )
        return out

    @hookimpl
    def onething_list_parameters(self):
        return [
            Parameter(
                domain=self.code,
                name=name,
                label_zh=name,
                label_en=name,
                unit=unit,
                values=[
                    ParameterValue(
                        value=value,
                        effective_from=DAY0,
                        basis=[_law(self.name_zh, "第九条")],
                        status="unconfirmed",
                        reviewed=dt.date(2026, 1, 1),
                    )
                ],
            )
            for name, unit, value in self.parameter_rows
        ]


BOOL = {"type": "boolean"}
ALARM = {
    "type": "object",
    "required": ["installed", "months_since_test"],
    "properties": {
        "installed": {"type": "boolean", "x-pass": True},
        "months_since_test": {"type": "number", "minimum": 0, "x-limit": True},
        "photos": {"type": "array", "items": {"type": "string"}},
    },
    "additionalProperties": False,
}

KITCHEN = MiniDomain(
    "kitchen",
    "餐饮",
    "market",
    items=[
        ("kitchen.001", "餐饮服务食品安全检查", ["market"]),
        ("kitchen.002", "餐饮场所燃气使用检查", ["market", "fire"]),
    ],
    elements=[
        dict(
            code="kitchen.e01",
            canonical="gas_alarm",
            dimension="equipment",
            label_zh="后厨燃气报警器安装并每年检测",
            items=["kitchen.002"],
            departments=["market"],
            severity="severe",
            evidence_schema=ALARM,
            limit=Limit(
                comparator="<=", unit="month", parameter="alarm_test_months", frequency="yearly"
            ),
        ),
        dict(
            code="kitchen.e02",
            canonical="fire_facilities",
            dimension="equipment",
            label_zh="后厨灭火器、灭火毯配置",
            items=["kitchen.002"],
            departments=["fire"],
            severity="serious",
        ),
        dict(
            code="kitchen.e03",
            canonical="food_handler_health_cert",
            dimension="personnel",
            label_zh="从业人员健康证明",
            items=["kitchen.001"],
            departments=["market"],
            severity="serious",
            methods=["document"],
            evidence_schema={
                "type": "object",
                "required": ["food_handlers", "with_certificate"],
                "properties": {
                    "food_handlers": {"type": "integer", "minimum": 0},
                    "with_certificate": {
                        "type": "integer",
                        "minimum": 0,
                        "x-at-least": "food_handlers",
                    },
                },
            },
        ),
        dict(
            code="kitchen.e04",
            canonical="licence_display",
            dimension="qualification",
            label_zh="亮证经营",
            items=["kitchen.001"],
            departments=["market"],
            severity="general",
        ),
        dict(
            code="kitchen.e05",
            canonical="kitchen.e05",
            dimension="quality",
            label_zh="留样重量",
            items=["kitchen.001"],
            departments=["market"],
            severity="serious",
            evidence_schema={
                "type": "object",
                "required": ["value", "unit"],
                "properties": {"value": {"type": "number"}, "unit": {"type": "string"}},
            },
            limit=Limit(comparator=">=", unit="gram", value=125),
        ),
    ],
    parameters=[("alarm_test_months", "month", 12)],
)

GAS = MiniDomain(
    "gas",
    "燃气",
    "housing",
    items=[("gas.001", "燃气用户安全检查", ["housing"])],
    elements=[
        dict(
            code="gas.e01",
            canonical="gas_alarm",
            dimension="equipment",
            label_zh="燃气泄漏报警器每半年检测",
            items=["gas.001"],
            departments=["housing"],
            severity="major_hazard",
            evidence_schema=ALARM,
            limit=Limit(
                comparator="<=",
                unit="month",
                parameter="alarm_test_months",
                frequency="half_yearly",
            ),
        ),
        dict(
            code="gas.e02",
            canonical="gas_hose_valve",
            dimension="equipment",
            label_zh="连接软管不超过2米、无穿墙",
            items=["gas.001"],
            departments=["housing"],
            severity="severe",
        ),
        dict(
            code="gas.e03",
            canonical="fire_facilities",
            dimension="equipment",
            label_zh="用气场所灭火器",
            items=["gas.001"],
            departments=["housing"],
            severity="serious",
        ),
    ],
    parameters=[("alarm_test_months", "month", 6)],
)

CARDS = MiniDomain(
    "cards",
    "预付卡",
    "commerce",
    items=[("cards.001", "单用途预付卡发卡企业检查", ["commerce"])],
    elements=[
        dict(
            code="cards.e01",
            canonical="prepaid_fund_custody",
            dimension="rules",
            label_zh="预收资金存管比例",
            items=["cards.001"],
            departments=["commerce"],
            severity="severe",
            methods=["document", "system_check"],
            evidence_schema={"type": "number", "minimum": 0, "maximum": 1},
            limit=Limit(comparator=">=", unit="ratio", parameter="custody_ratio"),
        ),
        dict(
            code="cards.e02",
            canonical="licence_display",
            dimension="qualification",
            label_zh="营业执照悬挂",
            items=["cards.001"],
            departments=["commerce"],
            severity="general",
        ),
        dict(
            code="cards.e03",
            canonical="business_licence_valid",
            dimension="qualification",
            label_zh="营业执照有效",
            items=["cards.001"],
            departments=["commerce"],
            severity="serious",
            evidence_schema={
                "type": "object",
                "required": ["licence_no", "valid_to"],
                "properties": {
                    "licence_no": {"type": "string", "minLength": 1},
                    "valid_to": {"type": "string", "format": "date"},
                },
            },
        ),
    ],
    parameters=[("custody_ratio", "ratio", 0.4)],
)

CHECKLIST_EPS = [
    FAKE,
    entry_point("kitchen", "checklist_domains:KITCHEN"),
    entry_point("gas", "checklist_domains:GAS"),
    entry_point("cards", "checklist_domains:CARDS"),
]
DOMAINS = ["fake", "kitchen", "gas", "cards"]


# -- the restaurant of the tests: its items and a valid record of a visit -------------------

RESTAURANT = ["kitchen.001", "kitchen.002", "gas.001", "cards.001", "fake.002"]
USCC = "91371500MA3C4XYZ1A"


def good_record(items=RESTAURANT, **over):
    data = {
        "id": "visit-1",
        "object": USCC,
        "items": list(items),
        "visited_at": "2026-11-27T09:30:00+08:00",
        "inspectors": [
            {"name": "张三", "department": "market", "id": "M-01"},
            {"name": "李四", "department": "housing"},
        ],
        "entries": [
            {"canonical": "gas_alarm", "evidence": {"installed": True, "months_since_test": 3}},
            {"canonical": "fire_facilities", "evidence": True, "attachments": ["sha256:ab12"]},
            {"element": "gas.e02", "evidence": True},
            {"element": "kitchen.e03", "evidence": {"food_handlers": 6, "with_certificate": 6}},
            {"canonical": "licence_display", "evidence": True},
            {"element": "kitchen.e05", "evidence": {"value": 150, "unit": "gram"}},
            {"element": "cards.e01", "evidence": 0.5},
            {"element": "cards.e03", "evidence": {"licence_no": "L-1", "valid_to": "2030-01-01"}},
        ],
        "remarks": "联合检查",
    }
    data.update(over)
    return data
