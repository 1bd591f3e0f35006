"""``onething db``: schema migrations of the deployment's database."""

from __future__ import annotations

from pathlib import Path

import click

from ..i18n import _
from .common import config_option, format_option, print_changed, print_json, print_table


def make() -> click.Group:
    @click.group(
        "db", help=_("数据库结构迁移（Alembic）。", "Database schema migrations (Alembic).")
    )
    def db() -> None:
        pass

    @db.command(
        "upgrade",
        help=_(
            "将部署配置中的数据库（storage.url）升级到当前版本；可重复执行。",
            "Upgrade the deployment's database (storage.url) to the current schema; idempotent.",
        ),
    )
    @config_option
    @format_option()
    def upgrade(config_path: Path, fmt: str) -> None:
        from ..config import load_config
        from ..store import Store

        store = Store(load_config(config_path).storage_url)
        before = {rev for rev, _, _, applied in store.history() if applied}
        store.upgrade()
        now = sorted(store.current())
        print_changed(
            fmt,
            _(
                f"数据库已是最新版本：{', '.join(now)}",
                f"Database at revision {', '.join(now)}",
            ),
            # the migrations this run applied, oldest first
            {"revisions": [r for r, _, _, done in store.history() if done and r not in before]},
            current=now,
        )

    @db.command(
        "current",
        help=_(
            "显示数据库当前的迁移版本，以及是否为代码所需版本（落后则退出码 1）。",
            "Show the database's migration revisions and whether they are the code's (exit 1 "
            "when behind).",
        ),
    )
    @config_option
    @format_option()
    def current(config_path: Path, fmt: str) -> None:
        from ..config import load_config
        from ..store import Store

        store = Store(load_config(config_path).storage_url)
        have, need = store.current(), store.heads()
        if fmt == "json":
            print_json({"current": sorted(have), "heads": sorted(need), "up_to_date": have == need})
            if have != need:
                raise SystemExit(1)
            return
        click.echo(
            _("当前版本：", "current: ") + (", ".join(sorted(have)) or _("（空）", "(empty)"))
        )
        if have == need:
            click.echo(_("已是最新版本。", "up to date."))
            return
        click.echo(
            _(
                f"代码需要：{', '.join(sorted(need))} —— 请运行 onething db upgrade",
                f"the code needs: {', '.join(sorted(need))} — run onething db upgrade",
            )
        )
        raise SystemExit(1)

    @db.command(
        "history",
        help=_(
            "按先后列出全部迁移：版本、前序版本、说明、是否已应用到该数据库。",
            "List every migration, oldest first: revision, what it follows, what it does, and "
            "whether this database has it.",
        ),
    )
    @config_option
    @format_option()
    def history(config_path: Path, fmt: str) -> None:
        from ..config import load_config
        from ..store import Store

        store = Store(load_config(config_path).storage_url)
        rows = store.history()
        if fmt == "json":
            print_json(
                [
                    {"revision": r, "down_revisions": list(d), "doc": doc, "applied": a}
                    for r, d, doc, a in rows
                ]
            )
            return
        yes, no = _("是", "yes"), _("否", "no")
        print_table(
            _("数据库迁移", "Migrations"),
            [
                _("版本", "revision"),
                _("前序", "follows"),
                _("说明", "what"),
                _("已应用", "applied"),
            ],
            [[r, ", ".join(d), doc, yes if a else no] for r, d, doc, a in rows],
        )

    return db
