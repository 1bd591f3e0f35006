"""Options and output helpers shared by the commands."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..i18n import _

if TYPE_CHECKING:  # rich and the app (its plugins, its store) are imported when used
    from rich.console import Console
    from rich.progress import Progress

    from ..app import Onething
    from ..errors import OnethingError
    from ..store import Store


#: ``--config`` when not given: the deployment file in the working directory.
DEFAULT_CONFIG = "onething.toml"


def config_option(f):
    return click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=DEFAULT_CONFIG,
        show_default=True,
        help=_("部署配置文件（TOML）", "deployment configuration file (TOML)"),
    )(f)


def domain_option(f):
    return click.option("--domain", default=None, help=_("只列出该领域", "only this domain"))(f)


def date_option(
    name: str = "--at",
    help_zh: str = "查询日期（YYYY-MM-DD，默认今天）",
    help_en: str = "the day asked about (YYYY-MM-DD, default today)",
):
    def decorate(f):
        return click.option(
            name,
            "at",
            type=click.DateTime(formats=["%Y-%m-%d"]),
            metavar="YYYY-MM-DD",
            default=None,
            help=_(help_zh, help_en),
        )(f)

    return decorate


def day(value) -> dt.date:
    return value.date() if value is not None else dt.date.today()


def format_option(choices=("table", "json")):
    def decorate(f):
        return click.option(
            "--format",
            "fmt",
            type=click.Choice(choices),
            default=choices[0],
            show_default=True,
            help=_("输出格式", "output format"),
        )(f)

    return decorate


#: The deployments a command opened, closed when it ends (:func:`close_apps`): run in-process
#: one after another (a host's scheduler, the tests), commands would otherwise keep their
#: pooled database connections until PostgreSQL refuses new ones.
_opened: list[Onething] = []


def open_app(config_path: Path) -> Onething:
    from ..app import Onething

    app = Onething.from_config(config_path)
    _opened.append(app)
    return app


def current_store(app: Onething) -> Store:
    """The deployment's store, refused unless migrated (it names ``onething db upgrade``)."""
    store = app.store
    store.ensure_current()
    return store


def close_apps() -> None:
    while _opened:
        _opened.pop().close()


def console() -> Console:
    from rich.console import Console

    return Console(soft_wrap=False, width=max(100, Console().width))


def progress_bar(
    label: str | None = None, *, counts: bool = True, auto_refresh: bool = True
) -> Progress:
    """A progress bar on stderr when it is a terminal, titled ``label`` (else each task's
    description), with done/total when ``counts``. ``auto_refresh=False``: no refresh thread
    (the caller refreshes), so that an import may still fork its worker processes."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    columns = [TextColumn(label or "{task.description}"), BarColumn()]
    if counts:
        columns += [TaskProgressColumn(), MofNCompleteColumn()]
    return Progress(
        *columns,
        TimeElapsedColumn(),
        console=console().__class__(stderr=True),
        transient=True,
        disable=not sys.stderr.isatty(),
        auto_refresh=auto_refresh,
    )


def error_json(exc: OnethingError) -> dict[str, str]:
    """An error as JSON: its kind, and for bad input the location, key path and message."""
    out = {"type": type(exc).__name__, "message": str(exc)}
    for key in ("location", "path"):
        value = getattr(exc, key, None)
        if isinstance(value, str):
            out[key] = value
    return out


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def print_changed(fmt: str, text: str, changed: dict[str, Any], **details: Any) -> None:
    """What a command that changes data did: ``text`` (its sentence) as ``table``, or as
    ``json`` ``{"changed": {kind: [id, …]}, …details}``, the ids of what it stored, moved or
    wrote, by kind (``cases``, ``records``, ``files`` …), each kind listed even when empty."""
    if fmt == "json":
        print_json({"changed": {k: list(v) for k, v in changed.items()}, **details})
    else:
        click.echo(text)


def print_table(title: str, columns: list[str], rows: list[list[Any]]) -> None:
    """The rows as a table on standard output, cells as plain text (no markup: "[a]" stays)."""
    from .table import print_table as draw

    draw(title, columns, rows)


def force_option(f):
    """``--force``: write over an existing ``--out`` file (never over an input or the database)."""
    return click.option(
        "--force",
        is_flag=True,
        help=_("覆盖已存在的输出文件", "write over an existing output file"),
    )(f)
