"""The ``onething`` group and its commands, built in the current language."""

from __future__ import annotations

from importlib import metadata

import click

from ..i18n import LANGUAGES, _
from . import (
    audit_cmd,
    checklist_cmd,
    db_cmd,
    demo_cmd,
    departments_cmd,
    docs_cmd,
    elements_cmd,
    evaluate_cmd,
    events_cmd,
    exchange_cmd,
    guide_cmd,
    items_cmd,
    loop_cmd,
    params_cmd,
    plan_cmd,
    plugin_cmd,
    plugins_cmd,
    publish_cmd,
    record_cmd,
    registry_cmd,
    risk_cmd,
    serve_cmd,
    validate_cmd,
)


def make_group() -> click.Group:
    @click.group(
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

    for module in (
        plugins_cmd,
        plugin_cmd,
        validate_cmd,
        params_cmd,
        db_cmd,
        departments_cmd,
        docs_cmd,
        elements_cmd,
        items_cmd,
        checklist_cmd,
        guide_cmd,
        record_cmd,
        registry_cmd,
        plan_cmd,
        loop_cmd,
        publish_cmd,
        exchange_cmd,
        events_cmd,
        audit_cmd,
        evaluate_cmd,
        demo_cmd,
        serve_cmd,
    ):
        group.add_command(module.make())
    group.add_command(risk_cmd.make_facts())
    group.add_command(risk_cmd.make())
    group.add_command(plan_cmd.make_inspectors())
    return group
