"""Every enabled risk rule evaluated in batch over the registry, set-based.

Per evaluation, each fact is read once with SQL (latest value per object, or event counts per
window) into Polars frames; each rule is then a few column expressions over those frames —
never one Python call per object per rule. The answers equal :mod:`.reference` (a property
test holds them together). New warnings are deduplicated: one open warning per object and rule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import polars as pl
import sqlalchemy as sa
from attrs import frozen

from ..conditions import attributes_read
from ..model import RiskRule
from ..registry.profiles import in_domain
from ..rulebook import Rulebook
from ..store import Store
from ..store.registry import ProfileMember, RegistryObject
from ..store.risk import FactRow, WarningRow
from ..templates import placeholders
from .facts import CST, day_end, fact_kinds
from .reference import resolve_parameter

_OPS: dict[str, Callable[[pl.Expr, Any], pl.Expr]] = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}


@frozen
class RaisedWarning:
    """A rule that fired on an object, as raised by one evaluation."""

    key: str
    rule_id: str
    domain: str
    severity: str
    offsite: bool
    observed: Any
    threshold: Any
    reason: str


@frozen
class EvaluationReport:
    on: dt.date
    rules: int
    fired: tuple[RaisedWarning, ...]
    new: tuple[RaisedWarning, ...]
    """Fired with no open warning of the same rule on the same object: stored now."""


def _attr_col(name: str) -> str:
    return f"attr__{name}"


def condition_expr(condition: dict[str, Any] | None) -> pl.Expr:
    """Compile the condition language (``onething.conditions``) to a Polars expression with
    the same semantics (a missing attribute is false, except ``ne`` and ``exists: false``)."""
    if condition is None:
        return pl.lit(True)
    if "all" in condition:
        return pl.all_horizontal([condition_expr(c) for c in condition["all"]])
    if "any" in condition:
        return pl.any_horizontal([condition_expr(c) for c in condition["any"]])
    if "not" in condition:
        return ~condition_expr(condition["not"])
    col = pl.col(_attr_col(condition["attr"]))
    ((op, v),) = ((k, x) for k, x in condition.items() if k != "attr")
    if op == "exists":
        return col.is_not_null() if v else col.is_null()
    if op == "in":
        return col.is_in(list(v)).fill_null(False)
    compare = {"eq": "==", "ne": "!=", "gt": ">", "ge": ">=", "lt": "<", "le": "<="}[op]
    return _OPS[compare](col, pl.lit(v)).fill_null(op == "ne")


def _attributes_needed(rules: Sequence[RiskRule]) -> set[str]:
    out: set[str] = set()
    for r in rules:
        out |= attributes_read(r.condition)
        if r.parameter:
            out |= set(placeholders(r.parameter))
    return out


def _objects(store: Store, domain: str, attrs: set[str]) -> pl.DataFrame:
    """``key``, ``object_type`` (one row per type) and the needed attribute columns of the
    domain's objects (those whose profile has a membership in it)."""
    with store.engine.connect() as conn:
        types = conn.execute(
            sa.select(RegistryObject.key, ProfileMember.object_type)
            .join(ProfileMember, ProfileMember.profile_id == RegistryObject.profile_id)
            .where(ProfileMember.domain == domain)
        ).all()
        frame = pl.DataFrame(
            types, schema={"key": pl.String, "object_type": pl.String}, orient="row"
        )
        if not attrs:
            return frame
        rows = conn.execute(
            sa.select(RegistryObject.key, RegistryObject.domains).where(
                RegistryObject.profile_id.in_(in_domain(domain))
            )
        )
        columns: dict[str, list[Any]] = {"key": []} | {_attr_col(a): [] for a in sorted(attrs)}
        for key, domains in rows:  # one pass per evaluation, not per rule
            values = (domains.get(domain) or {}).get("attributes", {})
            columns["key"].append(key)
            for a in attrs:
                columns[_attr_col(a)].append(values.get(a))
    attributes = pl.DataFrame(columns, strict=False).with_columns(pl.col("key").cast(pl.String))
    return frame.join(attributes, on="key", how="left")


def _typed(value_text: pl.Expr, kind: str) -> pl.Expr:
    """Stored JSON text (``10``, ``true``, ``"2025-07-01"``) as the fact kind's type."""
    if kind == "number":
        return value_text.cast(pl.Float64, strict=False)
    if kind == "boolean":
        return value_text == "true"
    if kind == "date":
        return value_text.str.strip_chars('"').str.to_date("%Y-%m-%d", strict=False)
    if kind == "text":
        return value_text.str.strip_chars('"')
    return value_text


def _latest(store: Store, kinds: dict[str, str], on: dt.date) -> dict[str, pl.DataFrame]:
    """The latest value of each fact per object observed up to day ``on``, typed by kind.

    The fact rows are read with one SQL query straight into Polars, which picks the latest
    per object and fact (a window function in SQLite is far slower than Polars' sort)."""
    facts = sorted(f for f, k in kinds.items() if k != "event")
    if not facts:
        return {}
    query = sa.select(
        FactRow.key,
        FactRow.fact,
        sa.cast(FactRow.value, sa.Text).label("value"),
        # as text: stored times are all UTC, so the text sorts as the time does, and Polars
        # is spared a Python datetime per row
        sa.cast(FactRow.observed_at, sa.Text).label("observed_at"),
        FactRow.id,
    ).where(FactRow.fact.in_(facts), FactRow.observed_at < day_end(on))
    with store.engine.connect() as conn:
        frame = pl.read_database(
            query,
            conn,
            schema_overrides={
                "key": pl.String,
                "fact": pl.String,
                "value": pl.String,
                "id": pl.Int64,
            },
        )
    latest = frame.sort("observed_at", "id").group_by("key", "fact", maintain_order=False).last()
    return {
        f: latest.filter(pl.col("fact") == f).select("key", value=_typed(pl.col("value"), kinds[f]))
        for f in facts
    }


def _counts(store: Store, fact: str, on: dt.date, window_days: int) -> pl.DataFrame:
    """Events of ``fact`` per object in the ``window_days`` days up to and including ``on``."""
    start = day_end(on - dt.timedelta(days=window_days))
    query = (
        sa.select(FactRow.key, sa.func.count().label("n"))
        .where(
            FactRow.fact == fact, FactRow.observed_at >= start, FactRow.observed_at < day_end(on)
        )
        .group_by(FactRow.key)
    )
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
    return pl.DataFrame(rows, schema={"key": pl.String, "n": pl.Int64}, orient="row")


def _thresholds(
    rule: RiskRule, rulebook: Rulebook, on: dt.date, candidates: pl.DataFrame
) -> pl.DataFrame:
    """Add a ``threshold`` column: one parameter, or one per attribute value (templates)."""
    if rule.parameter is None:
        return candidates.with_columns(threshold=pl.lit(None))
    names = placeholders(rule.parameter)
    if not names:
        return candidates.with_columns(
            threshold=pl.lit(rulebook.value(rule.domain, rule.parameter, on))
        )
    (attr,) = names  # one placeholder per parameter name
    col = _attr_col(attr)
    values = [v for v in candidates[col].unique().to_list() if v is not None]
    mapping = {
        v: rulebook.value(rule.domain, resolve_parameter(rule.parameter, {attr: v}), on)
        for v in values
    }
    return candidates.with_columns(threshold=pl.col(col).replace_strict(mapping, default=None))


def _fire(
    rule: RiskRule,
    rulebook: Rulebook,
    on: dt.date,
    objects: pl.DataFrame,
    latest: dict[str, pl.DataFrame],
    store: Store,
) -> pl.DataFrame:
    """Rows ``key, observed, threshold`` of the candidates on which ``rule`` fires."""
    cands = objects
    if rule.object_types:
        cands = cands.filter(pl.col("object_type").is_in(list(rule.object_types)))
    cands = cands.drop("object_type").unique("key")
    cands = cands.filter(condition_expr(rule.condition))
    cands = _thresholds(rule, rulebook, on, cands)
    compare = _OPS[rule.comparator]
    if rule.kind == "count":
        window = int(rulebook.value(rule.domain, rule.window, on))
        got = cands.join(_counts(store, rule.fact, on, window), on="key", how="inner")
        return got.filter(compare(pl.col("n"), pl.col("threshold"))).select(
            "key", observed=pl.col("n"), threshold="threshold"
        )
    got = cands.join(latest[rule.fact], on="key", how="inner").filter(pl.col("value").is_not_null())
    # values are already typed by fact kind (see _typed): numbers, booleans, dates or text
    if rule.kind == "flag":
        return got.filter(pl.col("value")).select("key", observed="value", threshold=pl.lit(True))
    if rule.kind == "threshold":
        return got.filter(compare(pl.col("value"), pl.col("threshold"))).select(
            "key", observed="value", threshold="threshold"
        )
    if rule.kind == "ratio":
        den = latest[rule.denominator].rename({"value": "den"})
        got = got.join(den, on="key", how="inner").filter(
            pl.col("den").is_not_null() & (pl.col("den") != 0)
        )
        got = got.with_columns(ratio=pl.col("value") / pl.col("den"))
        return got.filter(compare(pl.col("ratio"), pl.col("threshold"))).select(
            "key", observed="ratio", threshold="threshold"
        )
    if rule.kind == "expiry":
        limit = pl.lit(on) + pl.duration(days=pl.col("threshold").fill_null(0).cast(pl.Int64))
        return got.filter(pl.col("value") < limit).select("key", observed="value", threshold=limit)
    raise ValueError(f"unknown rule kind {rule.kind!r}")


def fire_all(
    store: Store, rulebook: Rulebook, on: dt.date, *, domains: Sequence[str] | None = None
) -> tuple[int, list[RaisedWarning]]:
    """Evaluate every rule in force on ``on`` over the registry; store nothing.

    :return: the number of rules evaluated and every (object, rule) that fires.
    """
    rules = [r for r in rulebook.risk_rules(on) if domains is None or r.domain in domains]
    kinds = fact_kinds(rulebook, on)
    latest = _latest(store, kinds, on)
    fired: list[RaisedWarning] = []
    for domain in sorted({r.domain for r in rules}):
        domain_rules = [r for r in rules if r.domain == domain]
        objects = _objects(store, domain, _attributes_needed(domain_rules))
        for rule in domain_rules:
            frame = _fire(rule, rulebook, on, objects, latest, store)
            for key, observed, threshold in frame.iter_rows():
                observed, threshold = _jsonable(observed), _jsonable(threshold)
                fired.append(
                    RaisedWarning(
                        key=key,
                        rule_id=rule.id,
                        domain=domain,
                        severity=rule.severity,
                        offsite=rule.offsite,
                        observed=observed,
                        threshold=threshold,
                        reason=f"{rule.label_zh}：{rule.fact} = {observed}（阈值 {threshold}）",
                    )
                )
    return len(rules), fired


def evaluate_all(
    store: Store, rulebook: Rulebook, on: dt.date, *, domains: Sequence[str] | None = None
) -> EvaluationReport:
    """Evaluate every rule in force on ``on`` over the registry; store new warnings.

    :return: what fired and which warnings are new (each new one opens a case in the loop).
    """
    n_rules, fired = fire_all(store, rulebook, on, domains=domains)
    new = store_new_warnings(store, fired, on)
    return EvaluationReport(on=on, rules=n_rules, fired=tuple(fired), new=tuple(new))


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def store_new_warnings(
    store: Store, fired: list[RaisedWarning], on: dt.date
) -> list[RaisedWarning]:
    """Insert warnings for fired (object, rule) pairs with no open warning, in one
    transaction; the new ones are returned (:func:`evaluate_all` = :func:`fire_all` + this)."""
    if not fired:
        return []
    rule_ids = sorted({w.rule_id for w in fired})
    now = dt.datetime.now(dt.UTC)
    with store.session() as s:
        store.serialize(s, "risk")  # a concurrent run then sees this run's warnings as open
        open_pairs = set(
            s.execute(
                sa.select(WarningRow.key, WarningRow.rule_id).where(
                    WarningRow.closed_at.is_(None), WarningRow.rule_id.in_(rule_ids)
                )
            ).all()
        )
        new = [w for w in fired if (w.key, w.rule_id) not in open_pairs]
        for i in range(0, len(new), 1000):
            s.connection().execute(
                sa.insert(WarningRow.__table__),
                [
                    {
                        "key": w.key,
                        "rule_id": w.rule_id,
                        "domain": w.domain,
                        "severity": w.severity,
                        "offsite": w.offsite,
                        "opened_on": on,
                        "opened_at": now,
                        "observed": w.observed,
                        "threshold": w.threshold,
                        "reason": w.reason,
                    }
                    for w in new[i : i + 1000]
                ],
            )
    return new


__all__ = [
    "CST",
    "EvaluationReport",
    "RaisedWarning",
    "condition_expr",
    "evaluate_all",
    "fire_all",
    "store_new_warnings",
]
