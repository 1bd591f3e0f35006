"""``onething facts`` and ``onething risk``: facts intake, batch evaluation, grades, explain."""

from __future__ import annotations

from pathlib import Path

import click

from ..i18n import _, label
from ..loop.documents import case_ids
from .common import (
    config_option,
    date_option,
    day,
    format_option,
    open_app,
    print_changed,
    print_json,
    print_table,
)

SEVERITY_ZH = {"general": "一般", "serious": "较重", "severe": "严重", "major_hazard": "重大隐患"}


def make_facts() -> click.Group:
    @click.group("facts", help=_("监测数据（事实）导入。", "Facts intake (monitoring data)."))
    def facts() -> None:
        pass

    @facts.command(
        "ingest",
        help=_(
            "导入事实文件（JSONL 或 CSV，字段见 facts.schema.json）。任何一行有误则全部不导入，并逐行报告行号和字段。",
            "Ingest a facts file (JSONL or CSV, fields in facts.schema.json). Any bad line rejects "
            "the whole file, reported by line number and field.",
        ),
    )
    @config_option
    @click.argument("file", type=click.Path(path_type=Path))
    @format_option()
    def ingest(config_path: Path, file: Path, fmt: str) -> None:
        from ..risk.facts import ingest_file

        app = open_app(config_path)
        app.store.ensure_current()
        report = ingest_file(app.store, app.rulebook, file)
        print_changed(
            fmt,
            _(
                f"已导入 {report.stored} 条事实：{file}（重复 {report.duplicates} 条，未再保存）",
                f"Stored {report.stored} facts from {file} ({report.duplicates} duplicates, not stored again)",
            ),
            {"objects": report.objects},
            file=report.file,
            stored=report.stored,
            duplicates=report.duplicates,
        )

    return facts


def make() -> click.Group:
    @click.group(
        "risk", help=_("风险预警与信用风险分级。", "Risk warnings and credit/risk grading.")
    )
    def risk() -> None:
        pass

    @risk.command(
        "evaluate",
        help=_(
            "对名录库批量执行全部已启用领域的预警规则，每个对象每条规则最多一条未关闭预警；随后重新分级。",
            "Evaluate every enabled rule over the registry in batch (one open warning per object "
            "and rule), then re-grade every object.",
        ),
    )
    @config_option
    @date_option()
    @format_option()
    def evaluate(config_path: Path, at, fmt: str) -> None:
        from ..risk import batch

        app = open_app(config_path)
        app.store.ensure_current()
        on = day(at)
        done = batch.run(app, on)
        report, cases, grades = done.report, done.cases, done.grades
        by_rule = report.counts()
        if fmt == "json":
            print_json(done.as_json())
            return
        rules = {r.id: r for r in app.rulebook.risk_rules(on)}
        opened = f" ({case_ids(cases)})" if cases else ""
        print_table(
            _(f"{on} 风险预警", f"Risk warnings on {on}"),
            [
                _("规则", "rule"),
                _("名称", "label"),
                _("严重程度", "severity"),
                _("触发", "fired"),
                _("新增预警", "new"),
            ],
            [
                [
                    r,
                    label(rules[r]),
                    SEVERITY_ZH[rules[r].severity] if _("zh", "en") == "zh" else rules[r].severity,
                    f,
                    n,
                ]
                for r, (f, n) in sorted(by_rule.items())
            ],
        )
        click.echo(
            _(
                f"规则 {report.rules} 条；触发 {report.fired_count} 次，新增预警 {report.new_count} 条，开立闭环事项 {len(cases)} 件{opened}；分级 {grades.graded} 个对象，变化 {grades.changed} 个。",
                f"{report.rules} rules; {report.fired_count} fired, {report.new_count} new warnings, {len(cases)} cases opened{opened}; "
                f"{grades.graded} objects graded, {grades.changed} changed.",
            )
        )

    @risk.command(
        "explain",
        help=_(
            "说明某对象的预警和分级：适用规则、事实取值和阈值。",
            "Explain an object's warnings and grade: rules, facts, thresholds.",
        ),
    )
    @config_option
    @click.argument("key")
    @date_option()
    @format_option()
    def explain_(config_path: Path, key: str, at, fmt: str) -> None:
        from ..risk.explain import explain

        app = open_app(config_path)
        app.store.ensure_current()
        data = explain(app.store, app.rulebook, key, day(at))
        if fmt == "json":
            print_json(data)
            return
        print_table(
            f"{data['name']}（{key}）{data['on']}",
            [
                _("规则", "rule"),
                _("触发", "fired"),
                _("观测值", "observed"),
                _("阈值", "threshold"),
                _("说明", "reason"),
            ],
            [
                [r["rule"], "✓" if r["fired"] else "", r["observed"], r["threshold"], r["reason"]]
                for r in data["rules"]
            ],
        )
        grade = data["grade"]
        if grade:
            click.echo(
                _(
                    f"信用等级 {grade['credit_grade']}（{'导入' if grade['credit_source'] == 'imported' else '默认'}），风险等级 {grade['risk_grade']}，抽查分层 {grade['stratum']}",
                    f"credit {grade['credit_grade']} ({grade['credit_source']}), risk {grade['risk_grade']}, stratum {grade['stratum']}",
                )
            )

    return risk
