"""Meta-tests that keep the contract honest (after datasette's tests/test_docs.py)."""

from __future__ import annotations

import datetime as dt
import inspect
from pathlib import Path

import pytest

from onething import clidocs, hookdocs, hookspecs
from onething.model import Membership, SupervisedObject
from onething.plugins import hook_names
from onething.rulebook import Rulebook

DOCS = Path(__file__).resolve().parents[2] / "docs" / "plugin-hooks.md"


def test_reference_docs_are_generated_from_the_current_hookspecs():
    assert DOCS.read_text("utf-8") == hookdocs.render(), (
        "run: onething docs hooks --out docs/plugin-hooks.md --force"
    )


def render_in(lang: str) -> str:
    """The reference of the ``onething`` group built in ``lang``."""
    from onething.cli.group import make_group
    from onething.i18n import set_language

    set_language(lang)  # the autouse fixture restores Chinese
    return clidocs.render(make_group(), lang)


@pytest.mark.parametrize("lang", sorted(clidocs.FILES))
def test_the_cli_reference_is_generated_from_the_current_commands(lang):
    """docs/cli.md and docs/cli.en.md are the commands' own help: a changed option, command or
    help text without regenerating them fails here."""
    doc = DOCS.parent / clidocs.FILES[lang]
    flag = "" if lang == "zh" else f"--lang {lang} "
    assert doc.read_text("utf-8") == render_in(lang), (
        f"run: onething {flag}docs cli --out docs/{clidocs.FILES[lang]} --force"
    )


def test_the_cli_reference_names_every_command_and_option():
    import click

    from onething.cli.group import make_group

    text = render_in("en")

    def walk(cmd, path):
        assert f"`{' '.join(path)}`" in text, path
        for p in cmd.params:
            for opt in p.opts:
                if opt.startswith("--"):
                    assert f"{opt} " in text or f"{opt}`" in text, (path, opt)
        if isinstance(cmd, click.Group):
            for name, sub in cmd.commands.items():
                walk(sub, [*path, name])

    walk(make_group(), ["onething"])
    assert "plan verify" in text and "registry import" in text


@pytest.mark.parametrize("name", hook_names())
def test_every_hook_is_documented_with_its_exact_signature(name):
    assert f"## `{name}`" in DOCS.read_text("utf-8")
    assert hookdocs.signature(name) in DOCS.read_text("utf-8")


@pytest.mark.parametrize("name", hook_names())
def test_every_hook_docstring_says_when_it_is_called_and_what_it_returns(name):
    func = getattr(hookspecs, name)
    doc = inspect.getdoc(func) or ""
    assert "Called" in doc, f"{name}: say when the hook is called"
    assert ":return:" in doc, f"{name}: document the return value"
    for param in inspect.signature(func).parameters:
        assert f":param {param}:" in doc, f"{name}: document parameter {param}"


def test_spec_bodies_hold_no_logic():
    for name in hook_names():
        source = inspect.getsource(getattr(hookspecs, name))
        body = source.split('"""')[-1].strip()
        assert body == "", f"{name} has a body: {body!r}"


def test_every_hook_is_exercised(fake_domains):
    """Drive every engine entry point on the fake domain and record which hooks ran."""
    called: set[str] = set()
    undo = fake_domains.pm.add_hookcall_monitoring(
        lambda name, impls, kw: called.add(name), lambda *a: None
    )
    try:
        fake_domains._rules.clear()
        fake_domains.rules("fake")
        obj = SupervisedObject(
            key="K",
            name="n",
            region_code="371500",
            domains={"fake": Membership(["shop"], {"uses_gas": True})},
        )
        fake_domains.synth_attributes("fake", [obj], seed=1)
        on = dt.date(2025, 1, 1)
        fake_domains.match_items("fake", [obj], Rulebook(fake_domains).items(on, "fake"), on)
    finally:
        undo()
    assert called == set(hook_names())
