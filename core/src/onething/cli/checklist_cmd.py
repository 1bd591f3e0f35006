"""``onething checklist``: one joint checklist for an object or a set of items."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..i18n import _
from .common import config_option, date_option, day, force_option, open_app, print_json


def make() -> click.Command:
    @click.command(
        "checklist",
        help=_(
            "生成联合检查表：一个对象（按名录库中的事项对应）或一组事项的全部检查要点，按共享要素去重、"
            "按维度分组，每项列出依赖它的全部事项和部门，取最严限值并标出冲突，统计合并减少的检查项数。",
            "Build the joint checklist of one object (its stored items in the registry) or a set "
            "of items: check points deduplicated by canonical code, grouped by dimension, each "
            "naming every item and department relying on it, strictest limit applied, conflicts "
            "flagged, with the number of check points saved.",
        ),
    )
    @config_option
    @click.option(
        "--object",
        "object_key",
        default=None,
        metavar="USCC",
        help=_("监管对象（统一社会信用代码或替代代码）", "the object (USCC or alternative key)"),
    )
    @click.option(
        "--items",
        default=None,
        metavar="CODE,CODE",
        help=_("监管事项代码，逗号分隔", "item codes, comma-separated"),
    )
    @date_option()
    @click.option(
        "--format",
        "fmt",
        type=click.Choice(["json", "md", "html"]),
        default="md",
        show_default=True,
        help=_(
            "输出格式：json、md（Markdown）、html（可打印页面）",
            "output format: json, md (Markdown), html (printable page)",
        ),
    )
    @click.option(
        "--out",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help=_("写入文件（默认标准输出）", "write to this file (default: stdout)"),
    )
    @force_option
    def checklist(
        config_path: Path, object_key, items, at, fmt: str, out: Path | None, force: bool
    ) -> None:
        from ..checklist import render_html, render_markdown
        from ..checklist._objects import checklist_of
        from ..outfiles import sqlite_file, write_atomic

        if (object_key is None) == (items is None):
            raise click.UsageError(
                _("请给出 --object 或 --items 之一", "give exactly one of --object or --items")
            )
        app = open_app(config_path)
        codes = None if items is None else [c.strip() for c in items.split(",") if c.strip()]
        c = checklist_of(app, day(at), object_key=object_key, items=codes)
        if fmt == "json":
            if out is None:
                print_json(c.as_json())
                return
            import json

            text = json.dumps(c.as_json(), ensure_ascii=False, indent=2, default=str) + "\n"
        else:
            text = render_markdown(c) if fmt == "md" else render_html(c)
        if out is None:
            sys.stdout.write(text)
        else:
            write_atomic(out, text, force=force, protected=[config_path, sqlite_file(app.store)])
            click.echo(
                _(
                    f"已写入 {out}：{len(c.lines)} 项检查要点，合并减少 {c.saved()} 项",
                    f"Wrote {out}: {len(c.lines)} check points, {c.saved()} saved",
                ),
                err=True,
            )

    return checklist
