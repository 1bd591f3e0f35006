"""The ``onething`` command line: a thin layer over functions a host platform can call.

Exit codes: 0 ok, 1 invalid input (config, data, files), 2 usage error.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click

from ..errors import OnethingError, lost_a_race
from ..i18n import LANGUAGES, _, set_language


def _prescan_language(argv: Sequence[str]) -> None:
    """``--help`` is rendered before options are processed, so read ``--lang`` first."""
    for i, arg in enumerate(argv):
        value = None
        if arg.startswith("--lang="):
            value = arg.split("=", 1)[1]
        elif arg == "--lang" and i + 1 < len(argv):
            value = argv[i + 1]
        if value in LANGUAGES:
            set_language(value)


def _json_asked(argv: Sequence[str]) -> bool:
    """Whether the command line asks for JSON output (``--format json``, ``--report json``)."""
    pairs = zip(argv, [*argv[1:], ""], strict=True)
    return any(
        (a in ("--format", "--report") and b == "json") or a in ("--format=json", "--report=json")
        for a, b in pairs
    )


def build() -> click.Group:
    """Build the command group in the current language."""
    from .clicktext import install
    from .group import make_group

    install()
    return make_group()


def main(argv: Sequence[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    _prescan_language(argv)
    group = build()
    try:
        _run(group, argv)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)  # usage errors: 2
    except click.Abort:
        click.echo(_("已中止！", "Aborted!"), err=True)
        sys.exit(1)
    except OnethingError as exc:
        click.secho(f"{_('错误', 'error')}: {exc}", err=True, fg="red")
        if _json_asked(argv):  # a reader of the JSON gets JSON, also when the command fails
            from .common import error_json, print_json

            print_json({"error": error_json(exc)})
        sys.exit(1)
    except Exception as exc:
        if not lost_a_race(exc):
            raise
        click.secho(
            _(
                "错误：另一进程正在写入同一数据库（同一对象、事件或事项），本次未保存任何数据；请稍后重试",
                "error: another process was writing the same data (the same objects, events or"
                " cases); nothing was stored; try again",
            ),
            err=True,
            fg="red",
        )
        sys.exit(1)
    sys.exit(0)


def _run(group: click.Group, argv: list[str]) -> None:
    from .common import close_apps

    try:
        group.main(args=argv, prog_name="onething", standalone_mode=False)
    finally:
        close_apps()
