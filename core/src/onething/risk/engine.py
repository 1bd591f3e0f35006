"""Every enabled risk rule evaluated in batch over the registry, set-based.

Per evaluation, each fact is read once with SQL (latest value per object, or event counts per
window) into Polars frames; each rule is then a few column expressions over those frames —
never one Python call per object per rule, and what fires stays a frame per rule (a Python
object per warning is made only for a new warning being stored, or when asked for). The fact
rows are read by one table scan (on SQLite, through an index the rows come in key order from
all over the file, 2–3× slower) with the garbage collector paused: a bulk read makes hundreds
of thousands of tuples that hold no cycles, and each collection would walk them all. The answers equal :mod:`.reference` (a property
test holds them together). New warnings are deduplicated: one open warning per object and rule.
"""

from __future__ import annotations

import datetime as dt
import gc
import itertools
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import cached_property
from typing import Any

import orjson
import polars as pl
import sqlalchemy as sa
from attrs import frozen

from ..conditions import attributes_read
from ..i18n import _
from ..model import RiskRule
from ..parameter_names import placeholders
from ..registry.profiles import in_domain
from ..rulebook import Rulebook
from ..store import Store
from ..store.registry import ProfileMember, RegistryObject
from ..store.risk import FactRow, WarningRow
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


#: What fired for one rule: a frame of ``key``, ``observed``, ``threshold``.
Fired = tuple[RiskRule, pl.DataFrame]


class EvaluationReport:
    """What one evaluation raised: per rule, frames of what fired and of what was new."""

    def __init__(self, on: dt.date, rules: int, fired: list[Fired], new: list[Fired]):
        self.on = on
        self.rules = rules
        self.fired_frames = fired
        self.new_frames = new
        """Fired with no open warning of the same rule on the same object: stored now."""

    def counts(self) -> dict[str, tuple[int, int]]:
        """``(fired, new)`` by rule id, for the rules that fired."""
        new = {r.id: f.height for r, f in self.new_frames}
        return {r.id: (f.height, new.get(r.id, 0)) for r, f in self.fired_frames if f.height}

    @property
    def fired_count(self) -> int:
        return sum(f.height for _, f in self.fired_frames)

    @property
    def new_count(self) -> int:
        return sum(f.height for _, f in self.new_frames)

    @cached_property
    def fired(self) -> tuple[RaisedWarning, ...]:
        return tuple(warnings_of(self.fired_frames))

    @cached_property
    def new(self) -> tuple[RaisedWarning, ...]:
        return tuple(warnings_of(self.new_frames))


@contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic garbage collector off for a bulk read (reference counting still frees)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _raw_rows(conn: sa.Connection, query: sa.Executable, params: dict[str, Any] | None = None):
    """Every row of ``query`` as the driver's tuples, without a SQLAlchemy row each (the
    columns must need no result processing: text, numbers)."""
    result = conn.execute(query, params or {})
    try:
        return result.cursor.fetchall()
    finally:
        result.close()


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
    with store.engine.connect() as conn, gc_paused():
        types = _raw_rows(
            conn,
            sa.select(RegistryObject.key, ProfileMember.object_type)
            .join(ProfileMember, ProfileMember.profile_id == RegistryObject.profile_id)
            .where(ProfileMember.domain == domain),
        )
        frame = pl.DataFrame(
            types, schema={"key": pl.String, "object_type": pl.String}, orient="row"
        )
        del types
        if not attrs:
            return frame
        rows = _raw_rows(
            conn,
            sa.select(RegistryObject.key, sa.cast(RegistryObject.domains, sa.Text)).where(
                RegistryObject.profile_id.in_(in_domain(domain))
            ),
        )
        names = sorted(attrs)
        columns: dict[str, list[Any]] = {"key": []} | {_attr_col(a): [] for a in names}
        keys = columns["key"]
        lists = [columns[_attr_col(a)] for a in names]
        loads = orjson.loads
        for key, text in rows:  # one pass per evaluation, not per rule
            values = (loads(text).get(domain) or {}).get("attributes", {})
            keys.append(key)
            for a, out in zip(names, lists, strict=True):
                out.append(values.get(a))
        del rows
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


#: The latest-facts read on SQLite: a table scan (``NOT INDEXED``), see the module's doc.
_SQLITE_FACTS = sa.text(
    "SELECT key, fact, CAST(value AS TEXT), CAST(observed_at AS TEXT), id"
    " FROM risk_fact NOT INDEXED WHERE fact IN :facts AND observed_at < :end"
).bindparams(sa.bindparam("facts", expanding=True), sa.bindparam("end", type_=sa.DateTime()))


def _latest(store: Store, kinds: dict[str, str], on: dt.date) -> dict[str, pl.DataFrame]:
    """The latest value of each fact per object observed up to day ``on``, typed by kind.

    The fact rows are read with one SQL query straight into Polars, which picks the latest
    per object and fact (a window function in SQLite is far slower than Polars' sort)."""
    facts = sorted(f for f, k in kinds.items() if k != "event")
    if not facts:
        return {}
    # observed_at as text: stored times are all UTC, so the text sorts as the time does, and
    # Polars is spared a Python datetime per row
    if store.dialect == "sqlite":
        query: sa.Executable = _SQLITE_FACTS
        params = {"facts": facts, "end": day_end(on)}
    else:
        query = sa.select(
            FactRow.key,
            FactRow.fact,
            sa.cast(FactRow.value, sa.Text),
            sa.cast(FactRow.observed_at, sa.Text),
            FactRow.id,
        ).where(FactRow.fact.in_(facts), FactRow.observed_at < day_end(on))
        params = {}
    schema = {
        "key": pl.String,
        "fact": pl.String,
        "value": pl.String,
        "observed_at": pl.String,
        "id": pl.Int64,
    }
    with store.engine.connect() as conn, gc_paused():
        rows = _raw_rows(conn, query, params)
        frame = pl.DataFrame(rows, schema=schema, orient="row")
        del rows
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


def _hop(store: Store, relation: str, on: dt.date, direction: str) -> pl.DataFrame:
    """``from``, ``to`` of the relations of type ``relation`` in force on ``on``, followed from
    the source (``out``) or from the target (``in``)."""
    a, b = ("source_key", "target_key") if direction == "out" else ("target_key", "source_key")
    query = sa.text(
        f"SELECT {a}, {b} FROM registry_relation WHERE type = :t AND valid_from <= :on "
        "AND (valid_to IS NULL OR valid_to >= :on)"
    )
    with store.engine.connect() as conn, gc_paused():
        rows = conn.execute(query, {"t": relation, "on": on}).all()
    return pl.DataFrame(
        [tuple(r) for r in rows], schema={"from": pl.String, "to": pl.String}, orient="row"
    )


def _typed_keys(store: Store, domain: str, types: Sequence[str]) -> pl.DataFrame:
    """``key`` of the objects with a membership of one of ``types`` in ``domain``."""
    with store.engine.connect() as conn, gc_paused():
        rows = _raw_rows(
            conn,
            sa.select(RegistryObject.key)
            .join(ProfileMember, ProfileMember.profile_id == RegistryObject.profile_id)
            .where(ProfileMember.domain == domain, ProfileMember.object_type.in_(list(types))),
        )
    return pl.DataFrame(rows, schema={"key": pl.String}, orient="row").unique()


def over_values(
    rule: RiskRule,
    rulebook: Rulebook,
    on: dt.date,
    latest: dict[str, pl.DataFrame],
    store: Store,
) -> pl.DataFrame:
    """``key`` (an object of the rule), ``value``: the rule's aggregate over the objects
    related to it along ``rule.over.path`` on ``on`` (:class:`~onething.model.Over`). An
    object with no related object holding the fact (or only zero weights, for a share) has
    no row: it is not judged."""
    over = rule.over
    assert over is not None
    reached = _hop(store, over.path[0], on, over.direction).rename({"from": "anchor", "to": "key"})
    for relation in over.path[1:]:
        step = _hop(store, relation, on, over.direction).rename({"from": "key"})
        reached = reached.join(step, on="key", how="inner").select("anchor", key="to")
    reached = reached.unique()
    if over.object_types:
        typed = _typed_keys(store, over.domain or rule.domain, over.object_types)
        reached = reached.join(typed, on="key", how="semi")
    got = reached.join(latest[rule.fact], on="key", how="inner").filter(
        pl.col("value").is_not_null()
    )
    empty = pl.DataFrame(schema={"key": pl.String, "value": pl.Float64})
    if over.aggregate in ("sum", "mean", "max", "min"):
        agg = getattr(pl.col("value").cast(pl.Float64), over.aggregate)()
        return got.group_by("anchor").agg(value=agg).rename({"anchor": "key"})
    if over.comparator is not None:
        limit = rulebook.value(rule.domain, over.parameter, on)
        passes = _OPS[over.comparator](pl.col("value"), pl.lit(limit))
    else:
        passes = pl.col("value").cast(pl.Boolean)
    if over.weight is not None:
        weights = latest[over.weight].rename({"value": "w"})
        got = got.join(weights, on="key", how="inner").filter(pl.col("w").is_not_null())
        weight = pl.col("w").cast(pl.Float64)
    else:
        weight = pl.lit(1.0)
    got = got.with_columns(w=weight, p=passes.cast(pl.Float64))
    if not got.height:
        return empty
    totals = got.group_by("anchor").agg(
        hit=(pl.col("w") * pl.col("p")).sum(), total=pl.col("w").sum()
    )
    if over.aggregate == "count":
        return totals.select(key="anchor", value="hit")
    return totals.filter(pl.col("total") != 0).select(
        key="anchor", value=pl.col("hit") / pl.col("total")
    )


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
    values = (
        latest[rule.fact] if rule.over is None else over_values(rule, rulebook, on, latest, store)
    )
    got = cands.join(values, on="key", how="inner").filter(pl.col("value").is_not_null())
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


def fire_frames(
    store: Store, rulebook: Rulebook, on: dt.date, *, domains: Sequence[str] | None = None
) -> tuple[int, list[Fired]]:
    """Evaluate every rule in force on ``on`` over the registry; store nothing.

    :return: the number of rules evaluated and, per rule, a frame of the objects on which it
        fires (``key``, ``observed``, ``threshold``).
    """
    rules = [r for r in rulebook.risk_rules(on) if domains is None or r.domain in domains]
    kinds = fact_kinds(rulebook, on)
    latest = _latest(store, kinds, on)
    fired: list[Fired] = []
    for domain in sorted({r.domain for r in rules}):
        domain_rules = [r for r in rules if r.domain == domain]
        objects = _objects(store, domain, _attributes_needed(domain_rules))
        for rule in domain_rules:
            fired.append((rule, _fire(rule, rulebook, on, objects, latest, store)))
    return len(rules), fired


def warnings_of(fired: Sequence[Fired]) -> Iterator[RaisedWarning]:
    """One :class:`RaisedWarning` per row of ``fired`` (off the hot path: for callers that
    want objects)."""
    for rule, frame in fired:
        for key, observed, threshold in frame.iter_rows():
            observed, threshold = _jsonable(observed), _jsonable(threshold)
            yield RaisedWarning(
                key=key,
                rule_id=rule.id,
                domain=rule.domain,
                severity=rule.severity,
                offsite=rule.offsite,
                observed=observed,
                threshold=threshold,
                reason=_reason(rule, observed, threshold),
            )


def _reason(rule: RiskRule, observed: Any, threshold: Any) -> str:
    return _(
        f"{rule.label_zh}：{rule.fact} = {observed}（阈值 {threshold}）",
        f"{rule.label_en}: {rule.fact} = {observed} (threshold {threshold})",
    )


def fire_all(
    store: Store, rulebook: Rulebook, on: dt.date, *, domains: Sequence[str] | None = None
) -> tuple[int, list[RaisedWarning]]:
    """Evaluate every rule in force on ``on`` over the registry; store nothing.

    :return: the number of rules evaluated and every (object, rule) that fires.
    """
    n_rules, fired = fire_frames(store, rulebook, on, domains=domains)
    return n_rules, list(warnings_of(fired))


def evaluate_all(
    store: Store, rulebook: Rulebook, on: dt.date, *, domains: Sequence[str] | None = None
) -> EvaluationReport:
    """Evaluate every rule in force on ``on`` over the registry; store new warnings.

    :return: what fired and which warnings are new (each new one opens a case in the loop).
    """
    n_rules, fired = fire_frames(store, rulebook, on, domains=domains)
    new = store_new_frames(store, fired, on)
    return EvaluationReport(on=on, rules=n_rules, fired=fired, new=new)


def store_new_frames(store: Store, fired: Sequence[Fired], on: dt.date) -> list[Fired]:
    """Insert warnings for fired (object, rule) pairs with no open warning, in one
    transaction; per rule, the frame of the new ones."""
    fired = [(r, f) for r, f in fired if f.height]
    if not fired:
        return []
    rule_ids = sorted({r.id for r, _ in fired})
    now = dt.datetime.now(dt.UTC)
    out: list[Fired] = []
    with store.session() as s:
        store.serialize(s, "risk")  # a concurrent run then sees this run's warnings as open
        conn = s.connection()
        with gc_paused():
            open_rows = _raw_rows(
                conn,
                sa.select(WarningRow.key, WarningRow.rule_id).where(
                    WarningRow.closed_at.is_(None), WarningRow.rule_id.in_(rule_ids)
                ),
            )
            open_pairs = pl.DataFrame(
                open_rows, schema={"key": pl.String, "rule_id": pl.String}, orient="row"
            )
        for rule, frame in fired:
            taken = open_pairs.filter(pl.col("rule_id") == rule.id).select("key")
            new = frame.join(taken, on="key", how="anti")
            out.append((rule, new))
            rows = new.iter_rows()
            while batch := [
                {
                    "key": key,
                    "rule_id": rule.id,
                    "domain": rule.domain,
                    "severity": rule.severity,
                    "offsite": rule.offsite,
                    "opened_on": on,
                    "opened_at": now,
                    "observed": (o := _jsonable(observed)),
                    "threshold": (t := _jsonable(threshold)),
                    "reason": _reason(rule, o, t),
                }
                for key, observed, threshold in itertools.islice(rows, 1000)
            ]:
                conn.execute(sa.insert(WarningRow.__table__), batch)
    return out


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
    "fire_frames",
    "gc_paused",
    "store_new_frames",
    "store_new_warnings",
    "warnings_of",
]
