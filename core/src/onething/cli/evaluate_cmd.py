"""``onething evaluate``: the pilot evaluation (试点评估) from the stored data."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..i18n import _
from .common import config_option, date_option, force_option, open_app, print_table


def make() -> click.Command:
    @click.command(
        "evaluate",
        help=_(
            "试点评估：由库中数据计算覆盖率、户均检查次数（对照各部门分别检查）、去重减少的检查要素、"
            "联合检查占比、闭环办结率与各环节用时（中位数、90 分位）、超时环节、公示及时率、预警准确率；"
            "输出表格、JSON 或含图表的独立 HTML 报告。",
            "Pilot evaluation from the stored data: coverage, visits per business against each "
            "department visiting alone, check points saved by deduplication, share of joint "
            "visits, loop closure and days per stage (median, p90), overdue steps, publication "
            "timeliness, warnings that proved right; as a table, JSON or a self-contained HTML "
            "report with charts.",
        ),
    )
    @config_option
    @date_option("--from", "评估期首日（默认最早）", "first day of the period (default: the first)")
    @click.option(
        "--to",
        "to",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        metavar="YYYY-MM-DD",
        default=None,
        help=_("评估期末日（默认今天）", "last day of the period (default today)"),
    )
    @click.option(
        "--format",
        "fmt",
        type=click.Choice(["table", "json", "html"]),
        default="table",
        show_default=True,
        help=_("输出格式", "output format"),
    )
    @click.option(
        "--out",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help=_(
            "输出文件（默认标准输出；html 必须给出）",
            "output file (default stdout; required for html)",
        ),
    )
    @force_option
    def evaluate(config_path, at, to, fmt, out, force):
        from .. import evaluation
        from ..errors import InvalidInput
        from ..outfiles import sqlite_file

        start = at.date() if at else None
        end = to.date() if to else None
        if start and end and start > end:
            raise InvalidInput("--from", "", _("首日晚于末日", "the first day is after the last"))
        if fmt == "html" and out is None:
            raise click.UsageError(
                _("html 格式须给出 --out 文件", "--format html needs --out FILE")
            )
        app = open_app(config_path)
        app.store.ensure_current()
        ev = evaluation.evaluate(app.store, app.rulebook, start=start, end=end)
        if out is not None:
            if fmt == "table":
                fmt = "json"  # a file gets the document, not the terminal table
            evaluation.write(
                ev, out, fmt, force=force, protected=[config_path, sqlite_file(app.store)]
            )
            click.echo(_(f"已写出试点评估：{out}", f"evaluation written: {out}"))
            return
        if fmt == "json":
            sys.stdout.write(evaluation.to_json(ev))
            return
        period = f"{ev.start or '…'} — {ev.end}"
        print_table(
            _(f"试点评估 {ev.deployment} {period}", f"Pilot evaluation {ev.deployment} {period}"),
            [
                _("评价标准", "criterion"),
                _("指标", "figure"),
                _("数值", "value"),
                _("对照基线", "baseline"),
            ],
            evaluation.rows(ev),
        )
        if ev.stage_times:
            print_table(
                _("闭环各环节用时（天）", "days per loop stage"),
                [
                    _("环节", "stage"),
                    _("已完成", "steps"),
                    _("中位数", "median"),
                    _("90 分位", "p90"),
                ],
                evaluation.stage_rows(ev),
            )

    return evaluate
