"""The command line's conventions, for every command: ``--config`` where a command reads a
deployment, ``--format`` everywhere, ``table|json`` unless it names a file's format."""

from __future__ import annotations

import click
import pytest

from onething.cli import build

#: Commands that read no deployment, and so take no ``--config``.
NO_DEPLOYMENT = {
    "departments": "core's department codes, the same in every deployment",
    "docs cli": "the commands themselves",
    "docs hooks": "the hook specifications",
    "docs openapi": "the HTTP service's code",
    "exchange schema": "a mapping file (--mapping) or the built-in one",
    "plugin new": "writes a new plugin distribution",
}
#: Commands whose ``--format`` is the format of the file they write or read.
FILE_FORMATS = {
    "checklist",
    "exchange export",
    "exchange import",
    "guide",
    "items export",
    "loop diagram",
    "registry import",
    "registry import-relations",
}
NO_FORMAT = {"serve": "runs the HTTP service until stopped; prints its log"}


def _commands() -> dict[str, click.Command]:
    out: dict[str, click.Command] = {}

    def walk(cmd: click.Command, path: list[str]) -> None:
        if isinstance(cmd, click.Group):
            if path and any(p.name != "help" for p in cmd.params):  # runs alone too (plan)
                out[" ".join(path)] = cmd
            for name in cmd.list_commands(click.Context(cmd)):
                walk(cmd.get_command(click.Context(cmd), name), [*path, name])
        else:
            out[" ".join(path)] = cmd

    walk(build(), [])
    return out


COMMANDS = _commands()


def _option(cmd: click.Command, flag: str) -> click.Option | None:
    return next((p for p in cmd.params if isinstance(p, click.Option) and flag in p.opts), None)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_takes_config_and_format(name):
    cmd = COMMANDS[name]
    assert (_option(cmd, "--config") is None) == (name in NO_DEPLOYMENT), name
    fmt = _option(cmd, "--format")
    assert (fmt is None) == (name in NO_FORMAT), name
    if fmt is not None and name not in FILE_FORMATS:
        assert {"table", "json"} <= set(fmt.type.choices), (name, fmt.type.choices)
    report = _option(cmd, "--report")
    if report is not None:  # the report of a command whose --format is its input file's
        assert name in FILE_FORMATS and list(report.type.choices) == ["table", "json"]


def test_the_exceptions_are_commands():
    assert set(NO_DEPLOYMENT) | FILE_FORMATS | set(NO_FORMAT) <= set(COMMANDS)
