"""``onething publish``: bring the publications (结果全公开) to a day and write the feeds."""

from __future__ import annotations

from pathlib import Path

import click

from ..i18n import _
from .common import config_option, date_option, force_option, open_app, print_json, print_table


def make() -> click.Command:
    @click.command(
        "publish",
        help=_(
            "结果全公开：由检查记录、行政处罚和失信惩戒生成公示记录，按规则脱敏（自然人姓名、身份证号、"
            "手机和固定电话、银行卡号、住址、私家车号牌；豁免字段不公开并注明理由），计算公示时限"
            "（工作日按国务院节假日安排）与公示期；更正的取代旧版本并保留历史，信用修复或公示期满的"
            "撤下；写出 publications.jsonl、publications.csv 和可检索的 index.html，并列出本次"
            "上线和撤下的记录。同一天重复运行不改变任何内容。",
            "Publication of results: derive publication records from inspection records, "
            "penalties and joint sanctions; redact them by the rules (natural persons' names, "
            "resident ID numbers, mobile and landline numbers, bank cards, home addresses, "
            "private plates; exempt fields withheld with a reason); compute the deadline "
            "(working days on the State Council's holiday schedule) and the display period; a "
            "correction supersedes the old version with history kept, credit repair or the end "
            "of the period takes a record down; write publications.jsonl, publications.csv and "
            "a searchable index.html, and list what went up and what came down. Running it "
            "again on the same day changes nothing.",
        ),
    )
    @config_option
    @date_option(
        help_zh="公示日期（YYYY-MM-DD，默认今天）：截至当日结束的记录，当日在公示期内的才显示",
        help_en="the day published for (YYYY-MM-DD, default today): records up to its end, "
        "shown only when in their display period that day",
    )
    @click.option(
        "--out",
        "out",
        type=click.Path(file_okay=False, path_type=Path),
        required=True,
        help=_("输出目录", "output directory"),
    )
    @force_option
    @click.option(
        "--format",
        "fmt",
        type=click.Choice(["table", "json"]),
        default="table",
        show_default=True,
        help=_("报告格式", "report format"),
    )
    def publish_cmd(config_path: Path, at, out: Path, force: bool, fmt: str) -> None:
        from ..publication import publish

        app = open_app(config_path)
        app.store.ensure_current()
        result = publish(app, at=at.date() if at is not None else None, out=out, force=force)
        if fmt == "json":
            print_json(result.as_json())
            return
        what = {
            "up": _("上线", "up"),
            "corrected": _("更正", "corrected"),
            "withdrawn": _("撤下", "withdrawn"),
            "expired": _("期满撤下", "expired"),
            "repair_refused": _("信用修复未生效（继续公示）", "repair refused (stays up)"),
        }
        rows = [
            [what[c.what], c.key, c.version, c.rule, c.object_key, c.reason or "",
             _("逾期", "late") if c.late else ""]
            for c in result.changes
        ]  # fmt: skip
        if rows:
            print_table(
                _("本次变化", "Changes"),
                [_("变化", "change"), _("记录", "record"), _("版本", "version"),
                 _("规则", "rule"), _("对象", "object"), _("原因", "reason"), ""],
                rows,
            )  # fmt: skip
        unpublished = "、".join(f"{k} {v}" for k, v in sorted(result.unpublished.items()))
        click.echo(
            _(
                f"上线 {len(result.went_up)} 条，撤下 {len(result.came_down)} 条，未变 "
                f"{result.unchanged} 条；公示中 {result.shown} 条，写入 {out}"
                + (f"；无适用公示规则：{unpublished}" if unpublished else ""),
                f"{len(result.went_up)} went up, {len(result.came_down)} came down, "
                f"{result.unchanged} unchanged; {result.shown} shown, written to {out}"
                + (f"; no publication rule for: {unpublished}" if unpublished else ""),
            )
        )

    return publish_cmd
