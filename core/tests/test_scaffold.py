"""``onething plugin new`` generates a plugin that installs, enables, validates and passes its
own tests as generated (#30)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import pytest
from cli_support import run

from onething.scaffold import new_plugin
from onething.testing import DomainContract

CODE = "scaffold_demo"


def _venv_over_this_one(root: Path) -> Path:
    """A throw-away virtual environment that sees this one's packages (``site.addsitedir``
    from a ``.pth``, so their own ``.pth`` editable finders work too) and installs into its
    own: the shared environment is never changed. Returns its interpreter."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root)], check=True)
    python = root / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    outer = sysconfig.get_paths()["purelib"]
    Path(purelib, "_outer_env.pth").write_text(f"import site; site.addsitedir({outer!r})\n")
    return python


def _run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess:
    env = {  # the session's record of validations is kept: never the user's cache
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTEST", "ONETHING")) or k == "ONETHING_CACHE_DIR"
    }
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )


def test_a_generated_plugin_installs_enables_validates_and_passes_its_contract(tmp_path, capsys):
    """The Done-when of #30: generate with ``onething plugin new``, ``pip install -e`` (into a
    throw-away environment over this one), enable in a deployment, ``validate`` green with
    the domain's items, elements and parameters counted, and the plugin's own tests (core's
    contract suite and the generated scenario file) green."""
    plugin = tmp_path / "onething-scaffold-demo"
    code, out, err = run(
        capsys, "plugin", "new", CODE, "--name-zh", "示例领域", "--name-en", "Example domain",
        "--lead", "market", "--out", str(plugin), "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    files = json.loads(out)["files"]
    assert "pyproject.toml" in files and "tests/test_contract.py" in files
    python = _venv_over_this_one(tmp_path / "venv")
    pip = _run(
        python, "-m", "pip", "install", "--no-deps", "--no-build-isolation", "--no-index",
        "--disable-pip-version-check", "-q", "-e", plugin, cwd=tmp_path,
    )  # fmt: skip
    assert pip.returncode == 0, pip.stderr
    cfg = tmp_path / "onething.toml"
    cfg.write_text(
        f'[deployment]\nregion = "371500"\nlevel = "city"\ndomains = ["{CODE}"]\n'
        f'[storage]\nurl = "sqlite:///{tmp_path}/t.db"\n',
        "utf-8",
    )
    cli = (python, "-c", "from onething.cli import main; main()")
    listed = _run(*cli, "plugins", "--config", cfg, "--format", "json", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    mine = [p for p in json.loads(listed.stdout) if p["domain"] == CODE]
    assert mine and mine[0]["distribution"] == "onething-scaffold-demo" and mine[0]["enabled"]
    validate = _run(*cli, "validate", "--config", cfg, "--format", "json", cwd=tmp_path)
    assert validate.returncode == 0, validate.stderr
    report = json.loads(validate.stdout)
    [summary] = report["domains"]
    assert summary["domain"] == CODE and summary["items"] == 2 and summary["elements"] == 1
    assert summary["parameters"] == 1 and summary["risk_rules"] == 1
    assert report["domains_without_rules"] == []
    mine = [n for n in report["unconfirmed"] if n.startswith(f"{CODE}.")]
    assert mine == [f"{CODE}.sampling_ratio"]  # the placeholder says so
    tests = _run(python, "-m", "pytest", "-v", "-p", "no:cacheprovider", "tests", cwd=plugin)
    assert tests.returncode == 0, tests.stdout + tests.stderr
    contract = [n for n in dir(DomainContract) if n.startswith("test_")]
    assert f"{len(contract) + 2} passed" in tests.stdout  # the contract and both scenario cases
    assert "skipped" not in tests.stdout and f"{CODE}.scenario.yaml::1:" in tests.stdout


def test_the_generated_distribution_names_its_entry_point_and_every_rule_kind(tmp_path):
    """The pyproject registers the domain code in ``onething.domains``; each rule list has
    its data file with one example, every example is marked unconfirmed."""
    from onething import rule_lists

    plugin = tmp_path / "p"
    new_plugin("demo_two", name_zh="示例", lead="health", responsible=["market"], out=plugin)
    project = tomllib.loads((plugin / "pyproject.toml").read_text("utf-8"))["project"]
    assert project["name"] == "onething-demo-two"
    assert project["entry-points"]["onething.domains"] == {"demo_two": "onething_demo_two:plugin"}
    data = plugin / "src" / "onething_demo_two" / "data"
    domain = tomllib.loads((data / "domain.toml").read_text("utf-8"))
    assert domain["lead_department"] == "health"
    assert domain["responsible_departments"] == ["market"]
    for kind in rule_lists.RULE_LISTS:
        entries = tomllib.loads((data / f"{kind.stem}.toml").read_text("utf-8"))[kind.key]
        assert entries, kind.stem
        text = (data / f"{kind.stem}.toml").read_text("utf-8")
        assert text.startswith("#") and '"verified"' not in text, kind.stem
    json.loads((data / "attributes.schema.json").read_text("utf-8"))


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["Bad-Code", "--name-zh", "示例", "--lead", "market"], "领域代码"),
        (["catering", "--name-zh", "示例", "--lead", "market"], "onething-catering"),
        (["demo_three", "--name-zh", "示例", "--lead", "nowhere"], "未知部门代码"),
        (
            ["demo_three", "--name-zh", "示例", "--lead", "market", "--department", "x"],
            "--department",
        ),
    ],
)
def test_plugin_new_refuses_bad_input_and_writes_nothing(tmp_path, capsys, args, says):
    code, _, err = run(capsys, "plugin", "new", *args, "--out", str(tmp_path / "p"))
    assert code == 1 and says in err
    assert list(tmp_path.iterdir()) == []


def test_plugin_new_refuses_an_existing_directory_unless_forced(tmp_path, capsys):
    out = tmp_path / "p"
    out.mkdir()
    (out / "mine.txt").write_text("keep", "utf-8")
    args = [
        "plugin",
        "new",
        "demo_four",
        "--name-zh",
        "示例",
        "--lead",
        "market",
        "--out",
        str(out),
    ]
    code, _, err = run(capsys, *args)
    assert code == 1 and "--force" in err and (out / "mine.txt").is_file()
    code, out_json, _ = run(capsys, *args, "--force", "--format", "json")
    assert code == 0 and not (out / "mine.txt").exists()
    listed = json.loads(out_json)
    assert listed["domain"] == "demo_four" and "pyproject.toml" in listed["files"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p"]  # no staging left behind
