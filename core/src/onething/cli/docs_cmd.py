"""``onething docs``: generate reference docs from the code."""

from __future__ import annotations

from pathlib import Path

import click

from ..i18n import _, language
from ..outfiles import write_atomic
from .common import force_option, format_option, print_changed


def _out_option(f):
    return click.option(
        "--out",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help=_("输出文件（默认标准输出）", "output file (default: standard output)"),
    )(f)


def _emit(text: str, out: Path | None, force: bool, fmt: str) -> None:
    """Print a generated document, or write it to ``out`` (refused if it exists unless forced;
    ``--format json`` then names the file written)."""
    if out is None:
        click.echo(text, nl=False)
    else:
        write_atomic(out, text, force=force)
        if fmt == "json":
            print_changed(fmt, "", {"files": [str(out)]})


def make() -> click.Group:
    @click.group("docs", help=_("从代码生成参考文档。", "Generate reference docs from the code."))
    def docs() -> None:
        pass

    @docs.command(
        "hooks",
        help=_(
            "由 onething.hookspecs 生成插件钩子参考（Markdown）。",
            "Write the plugin hook reference (Markdown) from onething.hookspecs.",
        ),
    )
    @_out_option
    @force_option
    @format_option()
    def hooks(out: Path | None, force: bool, fmt: str) -> None:
        from .. import hookdocs

        text = hookdocs.render()
        _emit(text, out, force, fmt)

    @docs.command(
        "cli",
        help=_(
            "由命令本身生成命令行参考（Markdown），语言随 --lang：docs/cli.md（中文）、"
            "docs/cli.en.md（英文）。",
            "Write the CLI reference (Markdown) from the commands themselves, in the --lang "
            "language: docs/cli.md (Chinese), docs/cli.en.md (English).",
        ),
    )
    @_out_option
    @force_option
    @format_option()
    def cli(out: Path | None, force: bool, fmt: str) -> None:
        from .. import clidocs

        root = click.get_current_context().find_root().command  # built in this language
        text = clidocs.render(root, language())
        _emit(text, out, force, fmt)

    @docs.command(
        "openapi",
        help=_(
            "由 HTTP 服务的代码生成 OpenAPI 3.1 描述（JSON）：docs/openapi.json。",
            "Write the HTTP service's OpenAPI 3.1 description (JSON) from its code: "
            "docs/openapi.json.",
        ),
    )
    @_out_option
    @force_option
    @format_option()
    def openapi(out: Path | None, force: bool, fmt: str) -> None:
        from ..http import openapi_text

        text = openapi_text()
        _emit(text, out, force, fmt)

    return docs
