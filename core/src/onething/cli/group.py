"""The ``onething`` group and its commands, built in the current language."""

from __future__ import annotations

import importlib
from importlib import metadata

import click

from ..i18n import LANGUAGES, _

#: Each command: its name, and the module and factory that build it. A command's module is
#: imported when the command is used (``--help`` lists them all, so it imports them all).
COMMANDS = {
    "plugins": ("plugins_cmd", "make"),
    "plugin": ("plugin_cmd", "make"),
    "validate": ("validate_cmd", "make"),
    "params": ("params_cmd", "make"),
    "db": ("db_cmd", "make"),
    "departments": ("departments_cmd", "make"),
    "docs": ("docs_cmd", "make"),
    "elements": ("elements_cmd", "make"),
    "items": ("items_cmd", "make"),
    "checklist": ("checklist_cmd", "make"),
    "guide": ("guide_cmd", "make"),
    "record": ("record_cmd", "make"),
    "registry": ("registry_cmd", "make"),
    "plan": ("plan_cmd", "make"),
    "loop": ("loop_cmd", "make"),
    "publish": ("publish_cmd", "make"),
    "exchange": ("exchange_cmd", "make"),
    "events": ("events_cmd", "make"),
    "audit": ("audit_cmd", "make"),
    "evaluate": ("evaluate_cmd", "make"),
    "demo": ("demo_cmd", "make"),
    "serve": ("serve_cmd", "make"),
    "facts": ("risk_cmd", "make_facts"),
    "risk": ("risk_cmd", "make"),
    "inspectors": ("plan_cmd", "make_inspectors"),
}


class LazyGroup(click.Group):
    """A group whose commands are built at first use (``onething params`` does not import the
    loop's, the exchange's or the service's commands)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *self.commands})  # as click.Group lists them

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            module, factory = COMMANDS[cmd_name]
            built = getattr(importlib.import_module(f".{module}", __package__), factory)()
            self.add_command(built, cmd_name)
        return self.commands.get(cmd_name)


def make_group() -> click.Group:
    @click.group(
        cls=LazyGroup,
        help=_(
            "综合监管一件事：行业领域插件、监管事项、参数与监管流程的命令行工具。\n\n"
            "退出码：0 成功；1 输入无效；2 用法错误。英文帮助：--lang en。",
            "onething — integrated supervision as one thing: domain plugins, items, "
            "parameters and supervision workflows.\n\n"
            "Exit codes: 0 ok; 1 invalid input; 2 usage error. Chinese help: --lang zh.",
        ),
        context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    )
    @click.option(
        "--lang",
        type=click.Choice(LANGUAGES),
        default=None,
        help=_("界面语言（zh 中文，en 英文）", "interface language (zh Chinese, en English)"),
        expose_value=False,
        is_eager=True,
    )
    @click.version_option(
        metadata.version("onething"),
        prog_name="onething",
        help=_("显示版本并退出。", "Show the version and exit."),
    )
    def group() -> None:
        pass

    return group
