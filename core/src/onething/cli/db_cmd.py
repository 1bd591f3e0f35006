"""``onething db``: schema migrations of the deployment's database."""

from __future__ import annotations

from pathlib import Path

import click

from ..config import load_config
from ..i18n import _
from ..store import Store
from .common import config_option


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
    def upgrade(config_path: Path) -> None:
        store = Store(load_config(config_path).storage_url)
        store.upgrade()
        click.echo(
            _(
                f"数据库已是最新版本：{', '.join(sorted(store.current()))}",
                f"Database at revision {', '.join(sorted(store.current()))}",
            )
        )

    return db
