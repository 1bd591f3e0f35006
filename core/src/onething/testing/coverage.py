"""Whether a plugin's scenario files exercise its rules: each risk rule below, at and above its
threshold and both firing and quiet, each item applying somewhere (and, if conditioned, not
applying somewhere), each parameter stated, each item with check points.

Each function returns what is missing (empty: covered). A plugin's ``test_coverage.py`` gets
the standard tests by subclassing :class:`DomainCoverage`::

    class TestCoverage(DomainCoverage):
        domain = "catering"
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any, ClassVar

import yaml

from ..conditions import holds
from ..model import RiskRule
from ..model.dated import in_force
from ..parameter_names import fill, matcher, placeholders
from ..plugins import DomainRules, enable
from ..rulebook import Rulebook

Case = dict[str, Any]


def scenario_cases(folder: Path, skip: Iterable[str] = ("config",)) -> list[Case]:
    """The cases of every ``*.scenario.yaml`` in ``folder``, but for files with a top-level
    key in ``skip`` (a city layer's cases change parameter values)."""
    out: list[Case] = []
    for path in sorted(folder.glob("*.scenario.yaml")):
        data = yaml.safe_load(path.read_text("utf-8")) or {}  # an empty file: the runner says so
        if isinstance(data, dict) and not any(k in data for k in skip):
            out += data.get("cases") or []
    return out


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _object(case: Case, key: str, domain: str) -> tuple[set[str], Mapping[str, Any]] | None:
    """The object types and attributes of ``key`` in ``domain`` in the case; ``None`` when the
    case does not list it as a member of ``domain``."""
    for o in case.get("objects", []):
        if o["key"] == key and domain in o.get("domains", {}):
            member = o["domains"][domain] or {}
            return set(member.get("object_types", [])), member.get("attributes") or {}
    return None


def _applies(rule: RiskRule, types: set[str], attributes: Mapping[str, Any]) -> bool:
    """As the engine decides (``onething.risk.reference.applies``)."""
    if rule.object_types and not set(rule.object_types) & types:
        return False
    return holds(rule.condition, attributes)


def observed(
    rule: RiskRule,
    facts: dict[str, Any],
    book: Rulebook,
    domain: str,
    on: dt.date,
    attributes: Mapping[str, Any] | None = None,
):
    """The number the rule compares with its threshold, or None when it cannot be read."""
    value = facts.get(rule.fact)
    if value is None:
        return None
    if rule.kind == "ratio":
        denominator = facts.get(rule.denominator)
        return value / denominator if denominator else None
    if rule.kind == "count":
        window = book.value(domain, rule.window, on)
        return sum(1 for d in value if on - dt.timedelta(days=window) < _date(d) <= on)
    if rule.kind == "expiry":  # days left beyond the warning period (none: already expired)
        name = fill(rule.parameter, attributes or {}) if rule.parameter else None
        days = book.value(domain, name, on) if name else 0
        return (_date(value) - (on + dt.timedelta(days=days))).days
    return value


def threshold(
    rule: RiskRule,
    book: Rulebook,
    domain: str,
    on: dt.date,
    attributes: Mapping[str, Any] | None = None,
):
    """The rule's threshold on ``on``; a ``{attr}`` in its parameter name is filled from
    ``attributes`` as the engine does (``None`` when one is missing: no verdict)."""
    if rule.kind == "expiry":
        return 0
    name = fill(rule.parameter, attributes or {})
    return None if name is None else book.value(domain, name, on)


def positions_by_parameter(
    rule: RiskRule, cases: list[Case], book: Rulebook, domain: str
) -> dict[str | None, set[str]]:
    """Where the stated objects sit against the rule's threshold — 'below', 'at', 'above' — by
    the parameter each object's threshold is read from (a ``{attr}`` filled from the object's
    attributes; ``None``: no parameter). Only objects the rule applies to count."""
    seen: dict[str | None, set[str]] = {}
    for case in cases:
        on = _date(case["date"])
        if not in_force(rule, on):
            continue  # the case is about another version of the rule
        for key in case["expect"].get("warnings", {}):
            member = _object(case, key, domain)
            if member is None or not _applies(rule, *member):
                continue
            attributes = member[1]
            name = fill(rule.parameter, attributes) if rule.parameter else None
            facts = case.get("facts", {}).get(key, {})
            value = observed(rule, facts, book, domain, on, attributes)
            if value is None:
                continue
            if rule.kind == "flag":
                seen.setdefault(name, set()).add("at" if value else "below")
                continue
            limit = threshold(rule, book, domain, on, attributes)
            if limit is None:
                continue
            where = "below" if value < limit else "at" if value == limit else "above"
            seen.setdefault(name, set()).add(where)
    return seen


def positions(rule: RiskRule, cases: list[Case], book: Rulebook, domain: str) -> set[str]:
    """Where the stated objects sit against the rule's threshold, whichever parameter."""
    return set().union(*positions_by_parameter(rule, cases, book, domain).values())


def missing_positions(
    rules: DomainRules, cases: list[Case], book: Rulebook, domain: str, *, zero_floor=False
) -> list[str]:
    """Rules not stated below, at and above their threshold (a flag: false and true). With
    ``zero_floor``, a threshold of 0 needs no 'below' (a count of people cannot be negative).
    A rule whose parameter name has a ``{attr}`` is stated against each parameter the name can
    resolve to (``custody_ratio.{tier}``: ``prepaid_card.custody_below_ratio (custody_ratio.brand)``
    when no brand issuer sits below, at and above 40 %)."""
    out = []
    for rule in rules.risk_rules:
        if rule.kind == "flag":
            want = {"below", "at"}
        elif (
            zero_floor
            and rule.kind == "threshold"
            and not placeholders(rule.parameter or "")
            and threshold(rule, book, domain, rule.effective_from) == 0
        ):
            want = {"at", "above"}
        else:
            want = {"below", "at", "above"}
        if rule.parameter and placeholders(rule.parameter):
            by_name = positions_by_parameter(rule, cases, book, domain)
            pattern = matcher(rule.parameter)
            names = sorted(p.name for p in rules.parameters if pattern.fullmatch(p.name))
            out += [f"{rule.id} ({n})" for n in names if not want <= by_name.get(n, set())]
        elif not want <= positions(rule, cases, book, domain):
            out.append(rule.id)
    return list(dict.fromkeys(out))  # a rule's versions: one id


def never_fired_or_never_quiet(
    rules: DomainRules, cases: list[Case], domain: str | None = None
) -> list[str]:
    """Rules never expected to fire, or never expected to stay quiet on an object holding their
    fact. With ``domain``, each version of a rule counts only on days it is in force and stays
    quiet only on objects it applies to (a quiet object it does not apply to shows nothing)."""
    out = []
    for rule in rules.risk_rules:
        fired = quiet = 0
        for case in cases:
            if domain is not None and not in_force(rule, _date(case["date"])):
                continue
            for key, ids in case["expect"].get("warnings", {}).items():
                if rule.id in ids:
                    fired += 1
                elif rule.fact in case.get("facts", {}).get(key, {}):
                    member = _object(case, key, domain) if domain is not None else None
                    quiet += domain is None or (member is not None and _applies(rule, *member))
        if not (fired and quiet):
            out.append(rule.id)
    return list(dict.fromkeys(out))  # a rule's versions: one id


def items_never_expected(rules: DomainRules, cases: list[Case]) -> list[str]:
    """Items no case expects to apply; each version of an item needs a case on a day it is in
    force (``hazchem.003 (2013-12-07)``: the 条例's version never expected)."""
    expected: set[tuple[str, dt.date]] = set()
    for case in cases:
        on = _date(case["date"])
        for key in ("items", "items_include"):
            for codes in case["expect"].get(key, {}).values():
                expected |= {(code, on) for code in codes}
    versions: dict[str, list] = {}
    for item in rules.items:
        versions.setdefault(item.code, []).append(item)
    out = []
    for code, items in sorted(versions.items()):
        for item in items:
            if not any(c == code and in_force(item, on) for c, on in expected):
                out.append(code if len(items) == 1 else f"{code} ({item.effective_from})")
    return out


def conditional_items_never_left_out(
    rules: DomainRules, cases: list[Case], domain: str
) -> list[str]:
    """Items with a condition with no object of their types where they do not apply: a
    complete ``items`` list without them, or an ``items_exclude`` naming them."""
    out = []
    for item in rules.items:
        if item.condition is None:
            continue
        shown = False
        for case in cases:
            types = {
                o["key"]: set(o["domains"].get(domain, {}).get("object_types", []))
                for o in case.get("objects", [])
            }
            for key, codes in case["expect"].get("items", {}).items():
                shown |= bool(types.get(key, set()) & set(item.object_types)) and (
                    item.code not in codes
                )
            for codes in case["expect"].get("items_exclude", {}).values():
                shown |= item.code in codes
        if not shown:
            out.append(item.code)
    return out


def parameters_not_stated(rules: DomainRules, cases: list[Case], domain: str) -> list[str]:
    stated = set()
    for case in cases:
        stated |= set(case["expect"].get("parameters", {}))
    return sorted({f"{domain}.{p.name}" for p in rules.parameters} - stated)


def items_without_check_points(rules: DomainRules) -> list[str]:
    covered = {code for el in rules.elements for code in el.items}
    return sorted({i.code for i in rules.items} - covered)  # an item's versions: one code


@cache
def _loaded(domain: str, folder: Path, skip: tuple[str, ...]) -> tuple[Rulebook, list[Case]]:
    book = Rulebook(enable([domain]))
    return book, scenario_cases(folder, skip)


class DomainCoverage:
    """The standard coverage tests, run by every domain plugin on its own scenario files::

    class TestCoverage(DomainCoverage):
        domain = "training"
        skip = ("config", "domains")  # layers change values
    """

    domain: str = ""
    skip: tuple[str, ...] = ("config",)
    """Files with one of these top-level keys are left out (a city layer changes values)."""
    zero_floor: bool = False
    """A threshold of 0 needs no 'below' (see :func:`missing_positions`)."""
    folder: Path | None = None
    """Where the ``*.scenario.yaml`` are; default: the folder of the test module."""
    without_check_points: ClassVar[Mapping[str, str]] = {}
    """Items that honestly have no checkable element yet, each with why (e.g. its article was
    not read); the test fails when one of them gets elements or another item has none."""

    def _loaded(self) -> tuple[Rulebook, DomainRules, list[Case]]:
        assert self.domain, "set `domain` on the coverage test class"
        folder = self.folder or Path(sys.modules[type(self).__module__].__file__).parent
        book, cases = _loaded(self.domain, folder.resolve(), tuple(self.skip))
        return book, book.domains.rules(self.domain), cases

    def test_every_threshold_rule_is_stated_below_at_and_above(self):
        book, rules, cases = self._loaded()
        missing = missing_positions(rules, cases, book, self.domain, zero_floor=self.zero_floor)
        assert missing == []

    def test_every_rule_is_expected_to_fire_and_to_stay_quiet(self):
        _, rules, cases = self._loaded()
        assert never_fired_or_never_quiet(rules, cases, self.domain) == []

    def test_every_item_is_expected_to_apply_somewhere(self):
        _, rules, cases = self._loaded()
        assert items_never_expected(rules, cases) == []

    def test_every_conditioned_item_is_expected_not_to_apply_somewhere(self):
        _, rules, cases = self._loaded()
        assert conditional_items_never_left_out(rules, cases, self.domain) == []

    def test_every_parameter_value_is_stated_in_a_scenario(self):
        _, rules, cases = self._loaded()
        assert parameters_not_stated(rules, cases, self.domain) == []

    def test_every_item_has_check_points(self):
        _, rules, _ = self._loaded()
        assert all(self.without_check_points.values()), "say why an item has no check points"
        assert items_without_check_points(rules) == sorted(self.without_check_points)
