"""Scenario files (``*.scenario.yaml``): cases a domain owner states without Python.

The format is documented in ``docs/scenarios.md`` and validated by ``scenario.schema.json``.
"""

from __future__ import annotations

import datetime as dt
import math
import tomllib
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

import yaml
from attrs import frozen

from .. import schemas
from ..app import Onething
from ..errors import InvalidInput
from ..i18n import _
from ..model import Membership, SupervisedObject
from ..plugins import ENTRY_POINT_GROUP, enable
from ..risk import evaluate
from ..rulebook import Rulebook

DEFAULT_REGION = "371500"


@frozen
class Scenario:
    path: Path
    domains: tuple[str, ...] | None
    config: Path | None
    cases: tuple[dict[str, Any], ...]
    plugins: tuple[tuple[str, str], ...] = ()
    """Extra plugins by import path, for plugins not installed as distributions."""


def _owning_domains(path: Path) -> tuple[str, ...]:
    """The domain codes registered by the distribution whose folder holds ``path``."""
    for folder in path.resolve().parents:
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            data = tomllib.loads(pyproject.read_text("utf-8"))
            eps = data.get("project", {}).get("entry-points", {}).get(ENTRY_POINT_GROUP, {})
            if eps:
                return tuple(eps)
    raise InvalidInput(
        str(path),
        "domains",
        _(
            "不在领域插件内；请给出 `domains` 或 `config`",
            "not inside a domain plugin; name `domains` or `config`",
        ),
    )


def load_scenarios(path: str | Path) -> Scenario:
    """Read and validate one scenario file."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text("utf-8"))
    except yaml.YAMLError as exc:
        raise InvalidInput(
            str(path), "", _(f"不是有效的 YAML：{exc}", f"not valid YAML: {exc}")
        ) from None
    data = schemas.check(raw, "scenario", location=str(path))
    config = path.parent / data["config"] if "config" in data else None
    domains = None if config else tuple(data.get("domains") or _owning_domains(path))
    return Scenario(
        path=path,
        domains=domains,
        config=config,
        cases=tuple(data["cases"]),
        plugins=tuple(sorted(data.get("plugins", {}).items())),
    )


def _rulebook(scenario: Scenario) -> Rulebook:
    return _cached_rulebook(scenario.domains, scenario.config, scenario.plugins)


@cache
def _cached_rulebook(
    domains: tuple[str, ...] | None, config: Path | None, plugins: tuple[tuple[str, str], ...]
) -> Rulebook:
    eps = None
    if plugins:
        eps = [*metadata.entry_points(group=ENTRY_POINT_GROUP)] + [
            metadata.EntryPoint(name=n, value=v, group=ENTRY_POINT_GROUP) for n, v in plugins
        ]
    if config is not None:
        return Onething.from_config(config, entry_points=eps).rulebook
    return Rulebook(enable(domains, entry_points=eps))


def _objects(case: Mapping[str, Any]) -> list[SupervisedObject]:
    return [
        SupervisedObject(
            key=o["key"],
            name=o.get("name", o["key"]),
            region_code=o.get("region", DEFAULT_REGION),
            domains={
                d: Membership(object_types=m["object_types"], attributes=m.get("attributes", {}))
                for d, m in o["domains"].items()
            },
            credit_grade=o.get("credit_grade"),
            risk_grade=o.get("risk_grade"),
        )
        for o in case.get("objects", [])
    ]


def _related(
    scenario: Scenario, case: Mapping[str, Any], rulebook: Rulebook
) -> list[dict[str, Any]]:
    """The case's relations, checked against the enabled domains' kinds and relation types
    (and the objects' ``kind``, default ``business``), with their days as dates (``None``:
    open).

    :raises InvalidInput: naming the file, the case and the key path.
    """
    from ..registry import kinds as kinds_

    domains = rulebook.domains
    kinds, types = kinds_.object_kinds(domains), kinds_.relation_types(domains)
    kind_of = kinds_.kind_of_types(domains)
    where = f"{scenario.path}: {case['name']}"
    kind: dict[str, str] = {}
    for i, o in enumerate(case.get("objects", [])):
        path = f"objects[{i}]"
        declared = {
            (d, t): kind_of[(d, t)]
            for d, m in o["domains"].items()
            for t in m["object_types"]
            if (d, t) in kind_of
        }
        # without `kind`, the kind of its object types, and the key a free label (as before)
        k = o.get("kind") or next(iter(sorted(set(declared.values()))), "business")
        if k not in kinds:
            raise InvalidInput(
                where,
                f"{path}.kind",
                _(
                    f"{k!r} 不是对象种类：{'、'.join(kinds)}",
                    f"{k!r} is not an object kind: {', '.join(kinds)}",
                ),
            )
        for (d, t), have in declared.items():
            if have != k:
                raise InvalidInput(
                    where,
                    f"{path}.domains.{d}.object_types",
                    _(f"{t!r} 属于 {have}，不是 {k}", f"{t!r} is a {have}, not a {k}"),
                )
        if "kind" in o and (problem := kinds_.key_problem(kinds[k], o["key"])):
            raise InvalidInput(where, f"{path}.key", problem)
        kind[o["key"]] = k
    out = []
    for j, r in enumerate(case.get("relations", [])):
        path = f"relations[{j}]"
        rel = types.get(r["type"])
        if rel is None:
            raise InvalidInput(
                where,
                f"{path}.type",
                _(
                    f"{r['type']!r} 不是关系类型：{'、'.join(types) or '（无）'}",
                    f"{r['type']!r} is not a relation type: {', '.join(types) or '(none)'}",
                ),
            )
        for end, want in (("source", rel.source_kind), ("target", rel.target_kind)):
            if r[end] not in kind:
                raise InvalidInput(
                    where,
                    f"{path}.{end}",
                    _(f"本案例中没有对象 {r[end]!r}", f"no object {r[end]!r} in the case"),
                )
            if kind[r[end]] != want:
                raise InvalidInput(
                    where,
                    f"{path}.{end}",
                    _(
                        f"{r[end]!r} 属于 {kind[r[end]]}；{rel.code} 连接的是 {want}",
                        f"{r[end]!r} is a {kind[r[end]]}; {rel.code} relates a {want}",
                    ),
                )
        out.append(
            {
                **r,
                **{
                    f: dt.date.fromisoformat(r[f]) if r.get(f) else None
                    for f in ("valid_from", "valid_to")
                },
            }
        )
    return out


def _facts(case: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Facts as YAML gives them, with ISO date strings (JSON form) turned back into dates."""

    def back(v: Any) -> Any:
        if isinstance(v, list):
            return [back(x) for x in v]
        if isinstance(v, str) and len(v) == 10 and v[4] == "-" and v[7] == "-":
            try:
                return dt.date.fromisoformat(v)
            except ValueError:
                return v
        return v

    return {k: {n: back(v) for n, v in f.items()} for k, f in case.get("facts", {}).items()}


def applicable_items(
    rulebook: Rulebook,
    objects: list[SupervisedObject],
    on: dt.date,
    relations: Sequence[tuple[str, str, str]] = (),
) -> dict[str, set[str]]:
    """The items in force on ``on`` that apply to each object: its own (the plugins' hook or
    the items' data) and those applying through ``relations`` ``(type, source, target)`` in
    force on ``on``."""
    from ..registry.through import related_pairs

    out: dict[str, set[str]] = {o.key: set() for o in objects}
    for domain in rulebook.domains.names:
        batch = [o for o in objects if domain in o.domains]
        if batch:
            # an item applying through a relation never applies to its own object types
            items = [i for i in rulebook.items(on, domain) if i.through is None]
            for key, code in rulebook.domains.match_items(domain, batch, items, on, rulebook):
                out[key].add(code)
    for key, code in related_pairs(rulebook.items(on), objects, relations):
        out[key].add(code)
    return out


def _compare_sets(
    what: str, expected: Mapping[str, list[str]], actual: dict[str, set[str]], mode: str
) -> list[str]:
    errors = []
    for key, codes in expected.items():
        if key not in actual:
            errors.append(f"{what}: no object {key!r} in the case")
            continue
        want, got = set(codes), actual[key]
        if mode == "exact" and want != got:
            errors.append(
                f"{what} of {key}: expected {sorted(want)}, got {sorted(got)} "
                f"(missing {sorted(want - got)}, unexpected {sorted(got - want)})"
            )
        elif mode == "include" and not want <= got:
            errors.append(f"{what} of {key}: missing {sorted(want - got)} (got {sorted(got)})")
        elif mode == "exclude" and want & got:
            errors.append(f"{what} of {key}: must not contain {sorted(want & got)}")
    return errors


def run_case(scenario: Scenario, case: Mapping[str, Any]) -> None:
    """Run one case; raise ``AssertionError`` listing every unmet expectation."""
    rulebook = _rulebook(scenario)
    on = dt.date.fromisoformat(case["date"])
    objects = _objects(case)
    relations = [
        (r["type"], r["source"], r["target"])
        for r in _related(scenario, case, rulebook)
        if (r["valid_from"] is None or r["valid_from"] <= on)
        and (r["valid_to"] is None or r["valid_to"] >= on)
    ]
    expect = case["expect"]
    errors: list[str] = []
    if {"items", "items_include", "items_exclude"} & set(expect):
        items = applicable_items(rulebook, objects, on, relations)
        errors += _compare_sets("items", expect.get("items", {}), items, "exact")
        errors += _compare_sets("items", expect.get("items_include", {}), items, "include")
        errors += _compare_sets("items", expect.get("items_exclude", {}), items, "exclude")
    for qualified, want in expect.get("parameters", {}).items():
        domain, _, name = qualified.partition(".")
        got = rulebook.value(domain, name, on)
        same = (
            math.isclose(got, want, rel_tol=1e-9)
            if isinstance(got, int | float)
            and isinstance(want, int | float)
            and not isinstance(got, bool)
            and not isinstance(want, bool)
            else got == want
        )
        if not same:
            errors.append(f"parameter {qualified} on {on}: expected {want!r}, got {got!r}")
    if {"warnings", "warnings_include"} & set(expect):
        fired: dict[str, set[str]] = {o.key: set() for o in objects}
        for finding in evaluate(objects, _facts(case), rulebook, on, relations):
            if finding.fired:
                fired[finding.key].add(finding.rule)
        errors += _compare_sets("warnings", expect.get("warnings", {}), fired, "exact")
        errors += _compare_sets("warnings", expect.get("warnings_include", {}), fired, "include")
    errors += _check_sampling(rulebook, on, expect)
    if "loop" in expect:
        from ..loop.scenario import check_loop

        errors += check_loop(rulebook, expect["loop"], on)
    if errors:
        raise AssertionError("\n".join(errors))


def _check_sampling(rulebook: Rulebook, on: dt.date, expect: Mapping[str, Any]) -> list[str]:
    """``sampling_ratios`` and ``sample_sizes``: the planner's ratio lookup (docs/planning.md)."""
    from ..planning.population import NO_GRADE
    from ..planning.sampling import ratio_parameter, sample_size

    errors = []
    for target, want in expect.get("sampling_ratios", {}).items():
        item, _, grade = target.partition("/")
        p = ratio_parameter(rulebook, item, grade or NO_GRADE, on)
        got = None if p is None else p.value
        if (got is None) != (want is None) or (
            got is not None and not math.isclose(got, want, rel_tol=1e-9)
        ):
            src = f" ({p.domain}.{p.name})" if p is not None else ""
            errors.append(
                f"sampling ratio of {target} on {on}: expected {want!r}, got {got!r}{src}"
            )
    for target, case in expect.get("sample_sizes", {}).items():
        item, _, grade = target.partition("/")
        p = ratio_parameter(rulebook, item, grade or NO_GRADE, on)
        got = 0 if p is None else sample_size(float(p.value), case["population"])
        if got != case["size"]:
            errors.append(
                f"sample size of {target} from {case['population']} objects on {on}: "
                f"expected {case['size']}, got {got}"
            )
    return errors
