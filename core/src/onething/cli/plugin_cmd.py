"""``onething plugin new``: scaffold a data-only domain plugin distribution."""

from __future__ import annotations

from pathlib import Path

import click

from ..i18n import _
from .common import force_option, format_option, print_json


def make() -> click.Group:
    @click.group(
        "plugin",
        help=_(
            "编写行业领域插件：生成新插件的骨架。已安装的插件见 onething plugins。",
            "Write domain plugins: scaffold a new one. Installed plugins: onething plugins.",
        ),
    )
    def plugin() -> None:
        pass

    @plugin.command(
        "new",
        help=_(
            "生成一个仅含数据的行业领域插件发行包（pyproject 与入口点、每类规则一条带注释的示例、"
            "场景用例、README、契约测试）。生成即可通过 validate 与契约测试；示例规则均标为"
            "未经核实（unconfirmed），须逐条换成本领域的依据。",
            "Generate a data-only domain plugin distribution (pyproject with its entry point, "
            "one commented example of each rule kind, a scenario file, a README, the contract "
            "test). As generated it validates and passes the contract suite; every example rule "
            "is marked unconfirmed for its owner to replace with the domain's own basis.",
        ),
    )
    @click.argument("code")
    @click.option("--name-zh", required=True, help=_("领域中文名称", "the domain's Chinese name"))
    @click.option(
        "--name-en",
        default=None,
        help=_(
            "领域英文名称（默认由代码生成）", "the domain's English name (default: from the code)"
        ),
    )
    @click.option(
        "--lead",
        "lead",
        required=True,
        metavar="DEPT",
        help=_(
            "牵头部门代码（见 onething departments）", "lead department code (onething departments)"
        ),
    )
    @click.option(
        "--department",
        "responsible",
        multiple=True,
        metavar="DEPT",
        help=_("按职责分工负责的部门代码（可重复）", "a department sharing duties (repeatable)"),
    )
    @click.option(
        "--out",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help=_(
            "生成的目录（默认 ./onething-<代码>）",
            "directory to create (default ./onething-<code>)",
        ),
    )
    @force_option
    @format_option()
    def new(
        code: str,
        name_zh: str,
        name_en: str | None,
        lead: str,
        responsible: tuple[str, ...],
        out: Path | None,
        force: bool,
        fmt: str,
    ) -> None:
        from ..scaffold import distribution_name, new_plugin

        out = out or Path(distribution_name(code))
        files = new_plugin(
            code,
            name_zh=name_zh,
            name_en=name_en,
            lead=lead,
            responsible=responsible,
            out=out,
            force=force,
        )
        if fmt == "json":
            print_json({"domain": code, "directory": str(out), "files": [str(f) for f in files]})
            return
        click.echo(_(f"已生成插件 {code}：{out}", f"Generated plugin {code}: {out}"))
        for f in files:
            click.echo(f"  {f}")
        click.echo(
            _(
                f'下一步：pip install -e {out}；在 onething.toml 的 domains 中加入 "{code}"；'
                f"onething validate --config onething.toml；python -m pytest {out}/tests",
                f'Next: pip install -e {out}; add "{code}" to domains in onething.toml; '
                f"onething validate --config onething.toml; python -m pytest {out}/tests",
            )
        )

    return plugin
