"""A host's code against the public API (``onething`` and ``onething.model``), type-checked by
``mypy --strict`` in test_typing.py and never run. Each use sits in a function with a declared
return type, so a name typed ``Any`` (or not annotated) is an error, not a silent pass."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import onething
from onething import (
    API_VERSION,
    ENTRY_POINT_GROUP,
    Actor,
    DataDomain,
    Deployment,
    Domains,
    InvalidInput,
    Loop,
    NotFound,
    NotInForce,
    Onething,
    OnethingError,
    ParameterInForce,
    PluginError,
    Rulebook,
    case,
    case_history,
    discover,
    enable,
    evaluate_all,
    holds,
    hookimpl,
    import_file,
    inbox,
    ingest_events,
    ingest_facts,
    list_cases,
    load_config,
    make_plan,
    match_by_data,
    open_case,
    transition,
    verify_audit,
    verify_plan,
)
from onething.model import Element, Item, Scalar, SupervisedObject


def app_of(path: Path) -> Onething:
    return Onething.from_config(path)


def app_from_deployment(path: str) -> Onething:
    deployment: Deployment = load_config(path)
    return Onething(deployment)


def a_deployment() -> Deployment:
    return Deployment(region="371500", level="city", domains=["catering"])


def the_rulebook(app: Onething) -> Rulebook:
    return app.rulebook


def a_value(app: Onething, on: dt.date) -> Scalar:
    return app.rulebook.value("catering", "health_cert.validity", on)


def a_parameter(rulebook: Rulebook, on: dt.date) -> ParameterInForce:
    return rulebook.parameter("catering", "health_cert.validity", on)


def its_unit(parameter: ParameterInForce) -> str:
    return parameter.unit


def the_items(rulebook: Rulebook, on: dt.date) -> list[Item]:
    return rulebook.items(on, "catering")


def the_elements(rulebook: Rulebook, on: dt.date) -> list[Element]:
    return rulebook.elements(on)


def to_review(app: Onething) -> tuple[str, ...]:
    return app.review(dt.date(2026, 1, 1)).domains_without_rules


def opened_by_a_record(app: Onething, record: Mapping[str, Any]) -> tuple[int, ...]:
    return app.add_record(record, at=dt.datetime(2026, 1, 5, tzinfo=dt.UTC)).opened


def states(app: Onething) -> list[str]:
    return [c.state for c in list_cases(app.store, app.loop, domain="catering")]


def transitions_open(app: Onething, case_id: int) -> list[str]:
    return [t.code for t in case(app.store, app.loop, case_id).transitions]


def actions(app: Onething, case_id: int) -> list[str]:
    return [e.action for e in case_history(app.store, case_id)]


def to_do(app: Onething) -> Iterator[int]:
    return (e.case.id for e in inbox(app.store, app.loop, "market_regulation", "371500"))


def plugin_dists() -> list[str]:
    return [info.dist for info in discover().values()]


def enabled(codes: Sequence[str]) -> Domains:
    return enable(codes)


def domain_names(domains: Domains) -> list[str]:
    return domains.names


def condition_holds(attributes: Mapping[str, Any]) -> bool:
    return holds({"attr": "tier", "in": ["group", "brand"]}, attributes)


def applicable(objects: Sequence[SupervisedObject], items: Sequence[Item]) -> set[str]:
    return {code for _key, code in match_by_data("catering", objects, items)}


def contract() -> tuple[int, str]:
    return API_VERSION, ENTRY_POINT_GROUP


def error_kinds() -> list[type[OnethingError]]:
    return [InvalidInput, NotFound, NotInForce, PluginError]


def bad_input() -> str:
    error = InvalidInput("onething.toml", "domains", "unknown domain")
    return f"{error.location} {error.path}: {error.message}"


class Catering(DataDomain):
    """A data-only plugin with one hook of its own."""

    @hookimpl
    def onething_list_items(self) -> Sequence[Item]:
        return []


def catering() -> DataDomain:
    return Catering("onething_catering")


def an_item_class() -> type[Item]:
    return onething.model.Item


def the_engines(app: Onething, on: dt.date, path: Path) -> list[str]:
    """Store first, then the rulebook (or the loop), as every engine takes them."""
    store, rulebook, loop = app.store, app.rulebook, app.loop
    imported: int = import_file(store, path).inserted
    facts: int = ingest_facts(store, rulebook, path).stored
    evaluated: int = evaluate_all(store, rulebook, on).rules
    events: list[int] = ingest_events(store, loop, path, region="371500").cases_opened
    plan: dict[str, Any] = make_plan(store, rulebook, cycle="2026Q1", seed="S")
    differences: list[str] = verify_plan(store, rulebook, plan)
    intact: bool = verify_audit(store).ok
    return [str(imported + facts + evaluated + len(events)), *differences, str(intact)]


def a_case_moved(store_app: Onething, loop: Loop, finding: Any) -> int:
    opened = open_case(store_app.store, loop, finding, region="371500")
    actor = Actor("market", "reviewer", "371500")
    assert opened.id is not None  # a stored case has its id (the table's column is optional)
    moved = transition(store_app.store, loop, opened.id, "assess", actor, version=opened.version)
    return moved.version
