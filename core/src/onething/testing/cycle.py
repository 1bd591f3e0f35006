"""A double-random cycle through the CLI, for tests that check a whole deployment's plan.

Plugin tests that want to see their domain in a real plan (merged visits, realistic synthetic
objects) all need the same steps: a deployment's config on a fresh SQLite file, a synthetic
registry and inspector pools imported, a plan drawn. :func:`run_cycle` runs them as a city
would, with the CLI, so a broken step fails with the command that broke.
"""

from __future__ import annotations

import csv
import json
import tomllib
from pathlib import Path

import attrs

from ..registry import personal


@attrs.frozen
class Cycle:
    """What a cycle left behind: its config, directory, synthetic registry and relation rows
    (none when no enabled domain draws related objects) and plan."""

    config: Path
    directory: Path
    rows: list[dict[str, str]]
    relations: list[dict[str, str]]
    plan: dict

    def rows_of(self, domain: str) -> list[dict[str, str]]:
        """The synthetic registry rows that carry ``domain``."""
        return [r for r in self.rows if domain in json.loads(r["domains"])]


#: The secret :func:`run_cycle` keys synthetic people with when the environment has none.
TEST_SECRET = "onething-test-cycle-secret-not-for-deployments"


def sampling_layer(*, override: tuple[str, ...] = (), extend: tuple[str, ...] = ()) -> str:
    """A test city layer sampling every object of some domains, so that joint visits are certain
    on a small registry: ``override`` for domains whose plugin sets ``sampling_ratio``,
    ``extend`` for those the deployment leaves without one (it adds the parameter)."""
    basis = '[{ law = "test", status = "unconfirmed" }]'
    parts = [
        f'[[override]]\ndomain = "{d}"\nparameter = "sampling_ratio"\nvalue = 1.0\n'
        f'effective_from = 2026-01-01\nbasis = {basis}\nstatus = "unconfirmed"\n'
        f'reviewed = 2026-12-07\nreason = "test: every object sampled"\n'
        for d in override
    ]
    parts += [
        f'[[extension.parameter]]\ndomain = "{d}"\nname = "sampling_ratio"\n'
        f'label_zh = "测试抽查比例"\nlabel_en = "Test sampling ratio"\nunit = "ratio"\n'
        f'reason = "test: the deployment sets no {d} ratio"\n\n'
        f"[[extension.parameter.values]]\nvalue = 1.0\neffective_from = 2026-01-01\n"
        f'status = "unconfirmed"\nreviewed = 2026-12-07\nbasis = {basis}\n'
        for d in extend
    ]
    return "\n".join(parts)


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def run_cli(*args: str) -> int:
    """Run ``onething ARGS`` in this process; its exit code."""
    from onething.cli import main

    try:
        main(list(args))
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def run_cycle(
    directory: Path,
    deployment: Path,
    *,
    layer: str | None = None,
    size: int = 1500,
    synth_seed: int = 5,
    cycle: str = "2026Q1",
    plan_seed: int = 42,
) -> Cycle:
    """Run ``deployment``'s ``[deployment]`` on a fresh database in ``directory``.

    ``layer`` is the text of an extra city layer (e.g. sampling every object of a domain so that
    joint visits are certain on a small registry); its region is the deployment's own.
    """
    dep = tomllib.loads(deployment.read_text("utf-8"))["deployment"]
    layers = []
    if layer is not None:
        path = directory / "layer.toml"
        path.write_text(layer, "utf-8")
        layers.append(str(path))
    config = directory / "onething.toml"
    url = f"sqlite:///{directory / 'cycle.db'}"
    config.write_text(
        f"[deployment]\nname = {json.dumps(dep['name'])}\nregion = {json.dumps(dep['region'])}\n"
        f"level = {json.dumps(dep['level'])}\ndomains = {json.dumps(dep['domains'])}\n"
        f"layers = {json.dumps(layers)}\n"
        f"[storage]\nurl = {json.dumps(url)}\n",
        "utf-8",
    )
    registry, pools, out = directory / "registry.csv", directory / "pools.csv", directory / "out"
    relations = directory / "registry.relations.csv"  # synth writes it beside the registry
    steps = [
        ["db", "upgrade"],
        [
            "registry",
            "synth",
            "--region",
            dep["region"],
            "--size",
            str(size),
            "--seed",
            str(synth_seed),
            "--out",
            str(registry),
        ],
        ["registry", "import", str(registry)],
        # objects beyond businesses (projects, sites …) come with their relations, as in the demo
        ["registry", "import-relations", str(relations)],
        ["inspectors", "synth", "--out", str(pools)],
        ["inspectors", "import", str(pools)],
        ["plan", "--cycle", cycle, "--seed", str(plan_seed), "--out", str(out)],
    ]
    # a synthetic registry with people (a platform's drivers) keys them with the deployment's
    # secret: a test without one gets a fixed test secret for the cycle
    with personal.stand_in_secret(personal.DEFAULT_SECRET_ENV, TEST_SECRET):
        for step in steps:
            if step[1] == "import-relations" and not relations.exists():
                continue
            code = run_cli(*step, "--config", str(config))
            if code != 0:
                raise AssertionError(f"onething {' '.join(step)} exited with {code}")
    plan = json.loads((out / "plan.json").read_text("utf-8"))
    return Cycle(
        config=config,
        directory=directory,
        rows=_read(registry),
        relations=_read(relations) if relations.exists() else [],
        plan=plan,
    )


def visit_domains(visit: dict) -> set[str]:
    """The domains whose items a plan visit carries."""
    return {item.split(".")[0] for item in visit["items"]}
