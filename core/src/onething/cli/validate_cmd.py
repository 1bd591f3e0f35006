"""``onething validate CONFIG``: the config, every enabled plugin's data, the city layer."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from ..i18n import _, label
from .common import config_option, error_json, format_option, print_json, print_table


def _warn(heading: str, lines: list[str]) -> None:
    """A yellow heading and one line per finding; nothing when there are none."""
    if not lines:
        return
    click.secho(heading, fg="yellow")
    for line in lines:
        click.echo(f"  - {line}")


def make() -> click.Command:
    @click.command(
        "validate",
        help=_(
            "校验部署配置、所有已启用插件的数据及城市层（覆盖与扩展）。"
            "列出未经核实的参数和超过复核期限的参数。有效则退出码 0，无效则 1。",
            "Validate a deployment config, every enabled plugin's data and the city layer "
            "(overrides and extensions). Lists unconfirmed parameters and parameters not "
            "reviewed in time. Exit 0 when valid, 1 when not.",
        ),
    )
    @click.argument(
        "config_arg", type=click.Path(path_type=Path), metavar="[CONFIG]", required=False
    )
    @config_option
    @format_option()
    def validate(config_arg: Path | None, config_path: Path, fmt: str) -> None:
        from ..app import Onething
        from ..citations import law_key
        from ..errors import OnethingError
        from ..model import converter
        from ..schemas import validated

        if config_arg is not None:  # the positional form predates --config; both still work
            if click.get_current_context().get_parameter_source("config_path").name != "DEFAULT":
                raise click.UsageError(
                    _(
                        "配置文件只能给一次：CONFIG 或 --config",
                        "give the config once: CONFIG or --config",
                    )
                )
            config_path = config_arg
        try:
            with validated.full():  # what the data is, not what an earlier start recorded
                app = Onething.from_config(config_path)
        except OnethingError as exc:
            if fmt != "json":
                raise
            click.secho(f"{_('错误', 'error')}: {exc}", err=True, fg="red")
            print_json({"valid": False, "config": str(config_path), "error": error_json(exc)})
            raise SystemExit(1) from None
        today = dt.date.today()
        summary = []
        for name in app.domains.names:
            r = app.domains.rules(name)
            summary.append(
                {
                    "domain": name,
                    "version": r.info.version,
                    "items": len(r.items),
                    "elements": len(r.elements),
                    "parameters": len(r.parameters),
                    "risk_rules": len(r.risk_rules),
                }
            )
        found = app.review(today)
        unconfirmed, stale = found.unconfirmed, found.not_reviewed
        unsourced, outdated = found.verified_without_source, found.outdated_citations
        silent = found.elements_never_fail
        if fmt == "json":
            print_json(
                {
                    "valid": True,
                    "config": str(config_path),
                    "domains": summary,
                    "overrides": len(app.deployment.overrides),
                    "extensions": len(app.deployment.extensions),
                    "unconfirmed": [f"{p.domain}.{p.name}" for p in unconfirmed],
                    "not_reviewed": [f"{p.domain}.{p.name}" for p in stale],
                    "verified_without_source": [f"{p.domain}.{p.name}" for p in unsourced],
                    "outdated_citations": [converter.unstructure(c) for c in outdated],
                    "elements_never_fail": silent,
                    "domains_without_rules": list(found.domains_without_rules),
                    "provisional": list(found.provisional),
                }
            )
            return
        print_table(
            _(f"{config_path} 有效", f"{config_path} is valid"),
            [
                _("领域", "domain"),
                _("版本", "version"),
                _("事项", "items"),
                _("要素", "elements"),
                _("参数", "parameters"),
                _("预警规则", "risk rules"),
            ],
            [list(s.values()) for s in summary],
        )
        click.echo(
            _(
                f"城市层：{len(app.deployment.overrides)} 项覆盖，{len(app.deployment.extensions)} 项扩展。",
                f"City layer: {len(app.deployment.overrides)} overrides, {len(app.deployment.extensions)} extensions.",
            )
        )
        _warn(
            _(
                f"注意：{len(unconfirmed)} 项现行参数值未经核实（status = unconfirmed），不得视为法定标准：",
                f"Note: {len(unconfirmed)} parameter values in force are unconfirmed and must not be taken for law:",
            ),
            [f"{p.domain}.{p.name} = {p.value} {p.unit}  ({label(p)})" for p in unconfirmed],
        )
        _warn(
            _(
                f"警告：{len(unsourced)} 项现行参数值标为已核实，但其依据中没有一项是已读原文（均为 secondary 或 unconfirmed）：",
                f"Warning: {len(unsourced)} parameter values in force are marked verified although no source in their basis was read (all secondary or unconfirmed):",
            ),
            [f"{p.domain}.{p.name} = {p.value} {p.unit}  ({label(p)})" for p in unsourced],
        )
        _warn(
            _(
                f"警告：{len(stale)} 项参数值超过 {app.deployment.review_max_age_days} 天未复核：",
                f"Warning: {len(stale)} parameter values not reviewed for over {app.deployment.review_max_age_days} days:",
            ),
            [f"{p.domain}.{p.name} ({_('上次复核', 'last reviewed')} {p.reviewed})" for p in stale],
        )
        _warn(
            _(
                f"警告：{len(outdated)} 条现行规则引用的法律版本旧于本插件其他规则引用的版本（法律修订后未跟进）：",
                f"Warning: {len(outdated)} rules in force cite an older revision of a law than their plugin cites elsewhere (an amendment not carried through):",
            ),
            [f"{c.domain} {c.code}: 《{law_key(c.law)}》 {c.cited} → {c.newest}" for c in outdated],
        )
        _warn(
            _(
                f"警告：{len(silent)} 个监管要素的证据永远不会判为不合格（违法情形会被记为合格），或其标记无从生效：",
                f"Warning: {len(silent)} elements whose evidence can never fail (a violation would be stored as a pass), or whose marks cannot act:",
            ),
            silent,
        )
        _warn(
            _(
                f"警告：{len(found.domains_without_rules)} 个已启用领域没有现行的监管事项或要素，"
                "启用后什么也不检查：",
                f"Warning: {len(found.domains_without_rules)} enabled domains have no item or no "
                "element in force, so enabling them checks nothing:",
            ),
            list(found.domains_without_rules),
        )
        _warn(
            _(
                f"注意：{len(found.provisional)} 项对接既有系统的字段、格式或编码尚未对照标准原文核对"
                "（provisional），不得视为已核对的标准（见 docs/exchange.md）：",
                f"Note: {len(found.provisional)} fields, formats or codes of the existing systems' "
                "language are provisional, not checked against a standard's text, and must not "
                "be taken for one (see docs/exchange.md):",
            ),
            list(found.provisional),
        )

    return validate
