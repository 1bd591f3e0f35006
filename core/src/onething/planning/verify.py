"""``onething plan verify PLAN``: recompute a plan from the stored registry, inspector pool and
the inputs recorded at the draw, and report every difference from the plan file.

What it catches: a seed changed in the file (or differing from the audited draw), a task,
visit or assignment added, removed or changed, a swapped inspector, the file edited after the
draw (``plan_sha256``), and a registry or pool changed since the draw (population hash and the
recomputed sample). Verification reads only; it changes nothing in the store.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import orjson
import sqlalchemy as sa

from .. import schemas
from .._order import store_first
from ..errors import InvalidInput
from ..i18n import _
from ..rulebook import Rulebook
from ..store import Store
from ..store.planning import PlanningPlan
from ..textfiles import read_utf8
from .cycle import cycle_window
from .document import FORMAT, PlanDocument, digest, same_digest
from .inspectors import load_pool
from .plan import compute_document, history
from .population import load_population
from .presence import load_presence

LIMIT = 20
_KEYS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "strata": lambda s: (s["item"], s["credit_grade"], s["risk_grade"]),
    "tasks": lambda t: t["id"],
    "visits": lambda v: v["id"],
    "unplaced": lambda x: x["task"],
    "assignments": lambda a: (a["visit"], a["department"], a["inspector"]),
    "infeasible": lambda x: (x["visit"], x["department"]),
    "deferred": lambda x: x.get("task"),
    "unplaceable": lambda x: x["task"],
    "missing_ratios": lambda x: (x["item"], x["credit_grade"]),
    "offsite_checks": lambda x: x["task"],
}
_SCALARS = (
    "format",
    "cycle",
    "seed",
    "window",
    "algorithm",
    "population",
    "options",
    "uncapped",
    "presence",
)


def read_plan(path: Path, *, check: bool = True) -> dict[str, Any]:
    """The JSON values of a plan file, checked against ``plan.schema.json`` (the key path of
    the first misfit named); :meth:`PlanDocument.read` gives the document. ``check=False``:
    only its format, the schema left to :func:`verify_plan` (``checked=False``), which checks
    in full only a file whose values are not those of the audited draw (#31: the check takes
    seconds per 50 MB)."""
    try:
        doc = _loads(path)
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            str(path), "", _(f"不是可读的计划文件：{exc}", f"not a readable plan file: {exc}")
        ) from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise InvalidInput(
            str(path),
            "format",
            _(f"应为格式 {FORMAT} 的计划文件", f"expected a plan file of format {FORMAT}"),
        )
    if check:
        schemas.check_document(doc, "plan", location=str(path))  # its shape, before recomputing
    return doc


def _loads(path: Path) -> Any:
    """A file's JSON values: orjson for UTF-8 JSON, anything else (not UTF-8, ``NaN``, numbers
    orjson does not take) the standard library's way, with its messages."""
    try:
        data = path.read_bytes()
        return orjson.loads(data[3:] if data.startswith(codecs.BOM_UTF8) else data)
    except (OSError, orjson.JSONDecodeError):
        return json.loads(read_utf8(path))


#: a plan's long lists, left out of the schema check of a file hashing as its draw did
_LONG = ("strata", "tasks", "visits", "unplaced", "assignments", "infeasible")


def read_document(path: Path) -> PlanDocument:
    """A plan file as a :class:`PlanDocument`, checked against ``plan.schema.json`` first."""
    return PlanDocument.from_json(read_plan(path))


def _listed(section: str, old: Iterable[dict], new: Iterable[dict]) -> list[str]:
    key = _KEYS[section]
    a = {key(x): x for x in old}
    b = {key(x): x for x in new}
    out = []
    removed = [k for k in b if k not in a]
    added = [k for k in a if k not in b]
    changed = [k for k in a if k in b and a[k] != b[k]]
    for what, keys in (
        (_("在文件中，但重算没有", "in the file but not recomputed"), added),
        (_("重算得出，但文件中没有", "recomputed but missing from the file"), removed),
    ):
        for k in keys[:LIMIT]:
            out.append(f"{section}: {k} {what}")
        if len(keys) > LIMIT:
            rest = len(keys) - LIMIT
            out.append(f"{section}: " + _(f"……另有 {rest} 项{what}", f"… {rest} more {what}"))
    for k in changed[:LIMIT]:
        diffs = sorted(f for f in set(a[k]) | set(b[k]) if a[k].get(f) != b[k].get(f))
        detail = "; ".join(
            f"{f}: "
            + _(
                f"文件为 {_short(a[k].get(f))}，重算为 {_short(b[k].get(f))}",
                f"file {_short(a[k].get(f))}, recomputed {_short(b[k].get(f))}",
            )
            for f in diffs
        )
        out.append(f"{section}: {k} " + _(f"不一致（{detail}）", f"differs ({detail})"))
    if len(changed) > LIMIT:
        rest = len(changed) - LIMIT
        out.append(f"{section}: " + _(f"……另有 {rest} 项不一致", f"… {rest} more differ"))
    return out


def _short(v: Any) -> str:
    text = repr(v)
    return text if len(text) <= 120 else text[:117] + "…"


def verify_plan(
    store: Store,
    rulebook: Rulebook,
    doc: dict[str, Any] | PlanDocument,
    *,
    checked: bool = True,
    location: str = "plan",
) -> list[str]:
    """Every difference between the plan document (its JSON values, or the document) and its
    recomputation (empty: verified).

    ``checked=False``: values not yet checked against ``plan.schema.json`` (:func:`read_plan`
    with ``check=False``; ``location`` names them in an error): checked here — in full unless
    they hash as the audited draw did (then only their audit fields and short parts: the rest
    is what the draw wrote)."""
    store, rulebook = store_first(store, rulebook, "verify_plan")
    if isinstance(doc, PlanDocument):
        doc = doc.as_json()
    if not checked and not isinstance(doc.get("plan_id"), int):
        schemas.check_document(doc, "plan", location=location)
    store.ensure_current()
    problems: list[str] = []
    p = PlanningPlan.__table__
    with store.engine.connect() as conn:
        row = conn.execute(
            sa.select(
                p.c.seed,
                p.c.cycle,
                p.c.plan_sha256,
                p.c.population_sha256,
                p.c.inputs,
                p.c.created_by,
                p.c.reason,
            ).where(p.c.id == doc["plan_id"])
        ).one_or_none()
    if row is None:
        if not checked:
            schemas.check_document(doc, "plan", location=location)
        return [
            f"plan_id {doc['plan_id']}: "
            + _("数据库的抽取审计日志中没有该计划", "no such plan in the store's audit log")
        ]
    seed, cycle, sha, pop_sha, inputs, drawn_by, reason = row
    same = same_digest(doc, sha)
    if not checked:
        short = {**doc, **{k: [] for k in _LONG}} if same else doc
        schemas.check_document(short, "plan", location=location)
    # Who drew and why are outside the plan hash (set after it); they are checked against the
    # audited record instead, so plans drawn before this check verify unchanged.
    if doc.get("drawn_by") != drawn_by:
        problems.append(
            "drawn_by: "
            + _(
                f"文件为 {doc.get('drawn_by')!r}，记录为 {drawn_by!r}",
                f"file {doc.get('drawn_by')!r}, recorded {drawn_by!r}",
            )
        )
    if (doc.get("reason") or "") != (reason or ""):
        problems.append(
            "reason: "
            + _(
                f"文件为 {doc.get('reason')!r}，记录为 {reason!r}",
                f"file {doc.get('reason')!r}, recorded {reason!r}",
            )
        )
    if isinstance(inputs, str):
        inputs = json.loads(inputs)
    if doc["seed"] != seed:
        problems.append(
            "seed: "
            + _(
                f"文件为 {doc['seed']!r}，抽取时为 {seed!r}",
                f"file {doc['seed']!r}, drawn with {seed!r}",
            )
        )
    if doc["cycle"] != cycle:
        problems.append(
            "cycle: "
            + _(
                f"文件为 {doc['cycle']!r}，抽取的周期为 {cycle!r}",
                f"file {doc['cycle']!r}, drawn for {cycle!r}",
            )
        )
    if not same:
        problems.append(
            "plan_sha256: "
            + _(
                f"文件内容的散列为 {digest(doc)}，抽取时记录的是 {sha}",
                f"the file's content hashes to {digest(doc)}, the draw recorded {sha}",
            )
        )
    population = load_population(store, rulebook, cycle_window(cycle)[0])
    if population.sha256 != pop_sha:
        problems.append(
            "population.sha256: "
            + _(
                f"名录库现为 {population.sha256}，抽取时为 {pop_sha}（抽取后名录库已变化）",
                f"registry now {population.sha256}, at the draw {pop_sha} "
                f"(the registry changed since the draw)",
            )
        )
    recomputed = compute_document(
        rulebook,
        population,
        load_pool(store),
        history(store, cycle, before=doc["plan_id"]),
        cycle=cycle,
        seed=seed,
        task_rows=inputs.get("tasks", []),
        inspector_cap=inputs.get("inspector_cap", 60),
        presence=load_presence(store, rulebook, cycle_window(cycle)[0]),
    )
    if same and recomputed.digest() == sha:
        return problems  # the file's values are the recomputed ones: no section differs
    again = recomputed.as_json()
    for k in _SCALARS:
        if doc.get(k) != again.get(k) and not (
            k == "seed" and any(p.startswith("seed:") for p in problems)
        ):
            problems.append(f"{k}: file {doc.get(k)!r}, recomputed {again.get(k)!r}")
    for section in _KEYS:
        problems += _listed(section, doc.get(section, []), again.get(section, []))
    return problems
