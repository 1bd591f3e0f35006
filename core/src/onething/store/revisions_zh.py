"""What each migration does, in Chinese (``onething db history``): the English is the first
paragraph of the migration's docstring. A migration missing here is listed in English (the
language sweep, ``tests/test_lang_sweep.py``, fails on it)."""

from __future__ import annotations

DOCS_ZH = {
    "0001": "名录库：监管对象、所属领域、变更历史、导入批次、对象—事项对应、事项状态",
    "0002": "监管事项：关联清单的历史与导入的事项清单",
    "0003": "检查记录：检查记录、各要素的证据、发现的问题",
    "0004": "闭环：事项、环节、哈希链审计日志、任务、已导入的事件",
    "0005": "抽查计划：执法人员库、计划、上门检查、人员分派、抽取审计日志",
    "0006": "风险：带历史的事实、预警（每个对象每条规则一条未结预警）、分级历史",
    "0007": "名录库：以适用画像取代逐个对象的所属领域与对象—事项记录",
    "0008_registry_kinds": "名录库：对象种类，以及对象之间有类型、有日期的关系",
    "0009_profile_item_domain": "名录库：registry_profile_item.domain 非空，与模型声明一致",
    "0010_loop_due_provisional": (
        "闭环：loop_case.due_provisional——时限按工作日计算，而该年节假日安排日历尚不知道"
        "（暂以周一至周五计）"
    ),
    "0011_publication": "结果公示：每条公示记录的每个版本、其状态与脱敏",
    "0012_merge_heads": "合并：自 0001 起按领域分出的各分支并为一条线性迁移链",
    "0013_exchange": "数据交换：每个对接系统、数据种类和记录最近导出的状态；自对接系统导入的结果",
    "0014_outbox": "发件箱：与产生它们的事务一同写入的事件、各回调地址的投递游标、服务的长任务",
    "0015_job_owner": "服务任务记录运行它的进程及其心跳：进程已结束的任务报告为失败（中断），不再一直显示运行中",
    "0016_visit_items": (
        "计划保存的上门检查带有其事项编码：一次上门的联合检查表（控制台的、宿主平台的）只含它自己的事项"
        "——拆分出的上门检查（如消防的不打招呼检查）只有其事项"
    ),
}
