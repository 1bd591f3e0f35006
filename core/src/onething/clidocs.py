"""The CLI reference (``docs/cli.md``, ``docs/cli.en.md``) rendered from the click commands.

Generated, never hand-written (after datasette's cog-generated CLI docs): a meta-test renders
it again and fails when the file is stale, so the reference changes with every option.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import click

FILES = {"zh": "cli.md", "en": "cli.en.md"}
_TITLE = {
    "zh": "# 命令行参考\n\n由 `onething docs cli --out docs/cli.md` 从命令本身生成，请勿手改。\n",
    "en": "# CLI reference\n\nGenerated from the commands by `onething docs cli --lang en --out "
    "docs/cli.en.md`; do not edit by hand.\n",
}
_HEAD = {"zh": ("选项", "说明"), "en": ("option", "description")}


def render(root: click.Group, lang: str = "zh") -> str:
    """The whole reference in ``lang``: every command of ``root`` (built in that language),
    its usage, help and options."""
    from .cli.clicktext import install

    install()  # click's own words ("Usage:", "[default: …]") in the language too
    parts = [_TITLE[lang]]
    for path, cmd, ctx in _walk(root, click.Context(root, info_name="onething")):
        parts.append(_section(lang, path, cmd, ctx))
    return "\n".join(parts)


def _walk(cmd: click.Command, ctx: click.Context) -> Iterator[tuple[str, click.Command, Any]]:
    yield ctx.command_path, cmd, ctx
    if isinstance(cmd, click.Group):
        for name in cmd.list_commands(ctx):
            sub = cmd.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                yield from _walk(sub, click.Context(sub, info_name=name, parent=ctx))


def _section(lang: str, path: str, cmd: click.Command, ctx: click.Context) -> str:
    level = "#" * min(2 + path.count(" "), 4)
    lines = [f"{level} `{path}`", "", "```", cmd.get_usage(ctx).strip(), "```", ""]
    if cmd.help:
        lines += [click.unstyle(cmd.help).strip(), ""]
    records = [
        r for p in cmd.get_params(ctx) if "--help" not in p.opts and (r := p.get_help_record(ctx))
    ]  # --help is on every command
    if records:
        option, description = _HEAD[lang]
        lines += [f"| {option} | {description} |", "|---|---|"]
        for opts, text in records:
            cell = text.replace("|", "\\|").replace("\n", " ")
            name = opts.replace("|", "\\|")  # GFM splits a table cell even inside code
            lines.append(f"| `{name}` | {cell} |")
        lines.append("")
    return "\n".join(lines)
