"""``onething plugins``: installed domain plugins, and which the deployment enables."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

import click

from ..errors import OnethingError
from ..i18n import _
from .common import config_option, format_option, print_json, print_table


def make() -> click.Command:
    @click.command(
        "plugins",
        help=_(
            "列出已安装的行业领域插件及其版本，并标出部署配置启用的插件。",
            "List installed domain plugins with versions, marking those the deployment enables.",
        ),
    )
    @config_option
    @format_option()
    def plugins(config_path: Path, fmt: str) -> None:
        from ..config import load_config
        from ..plugins import ENTRY_POINT_GROUP, discover, enable

        entry_points = list(metadata.entry_points(group=ENTRY_POINT_GROUP))  # read once
        installed = discover(entry_points)
        enabled: list[str] = []
        if config_path.is_file():
            enabled = list(load_config(config_path).domains)
        rows = []
        for n, info in installed.items():
            try:  # each alone, so that one broken plugin does not hide the others
                description = enable([n], entry_points=entry_points).rules(n).description
                name_zh, name_en = description.name_zh, description.name_en
            except OnethingError as exc:
                name_zh = name_en = f"✗ {exc}"
            rows.append(
                {
                    "domain": n,
                    "name_zh": name_zh,
                    "name_en": name_en,
                    "distribution": info.dist,
                    "version": info.version,
                    "enabled": n in enabled,
                }
            )
        if fmt == "json":
            print_json(rows)
            return
        print_table(
            _("行业领域插件", "Domain plugins") + (f"（{config_path}）" if enabled else ""),
            [
                _("领域代码", "domain"),
                _("名称", "name"),
                _("发行包", "distribution"),
                _("版本", "version"),
                _("已启用", "enabled"),
            ],
            [
                [
                    r["domain"],
                    r[_("name_zh", "name_en")],
                    r["distribution"],
                    r["version"],
                    "✓" if r["enabled"] else "",
                ]
                for r in rows
            ],
        )

    return plugins
