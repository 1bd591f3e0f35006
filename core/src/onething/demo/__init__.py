"""The main job end to end (``onething demo``): one double-random cycle of a deployment on a
fresh SQLite database — a synthetic registry and inspector pools imported, the unified item
list, the plan drawn and verified, the joint inspections simulated and recorded, their
findings walked through the closed loop, host-platform events ingested, guides and
publications rendered where this installation has them, the pilot evaluation written, and one
page (``index.html``) linking everything.

    result = run_demo("examples/liaocheng.toml", Path("out"), size=20_000)
    result.written   # [(what, path), …]

Everything is deterministic from ``seed``: the same arguments write the same data.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import attrs
import sqlalchemy as sa
from attrs import define, field

from ..app import Onething
from ..config import load_config
from ..errors import InvalidInput
from ..i18n import _
from ..outfiles import check_folder, write_atomic
from ..registry import personal

#: What the demo writes into its folder besides the plan's files (checked before anything).
DATABASE = "onething.db"
FIXED_FILES = (
    "registry.csv",
    "inspectors.csv",
    "items.xlsx",
    "events.jsonl",
    "evaluation.html",
    "evaluation.json",
    "index.html",
)


class Progress(Protocol):
    def phase(self, label: str, total: int | None = None) -> Callable[[int, int | None], None]:
        """Start a phase; the returned callback reports ``(done, total)``."""


class _Silent:
    def phase(self, label, total=None):
        return lambda done, total=None: None


@define
class DemoResult:
    out: Path
    written: list[tuple[str, Path]] = field(factory=list)
    figures: dict[str, Any] = field(factory=dict)
    seconds: dict[str, float] = field(factory=dict)
    missing: list[str] = field(factory=list)  # parts this installation does not have
    notes: list[str] = field(factory=list)  # what the reader should know of this run
    labels: dict[str, str] = field(factory=dict)  # evaluation figure code -> label


#: days before the cycle's end on which the monitoring data crosses the rules, and the share
#: of the warnings' cases the departments have assessed by the end (a simulation, not a rule).
WARNING_DAYS = 30
WARNING_WALKED = 0.15

PHASES = (
    ("migrate", "迁移数据库", "migrating the database"),
    ("registry", "合成名录库", "synthesising the registry"),
    ("import", "导入名录库", "importing the registry"),
    ("inspectors", "执法人员库", "inspector pools"),
    ("items", "统一监管事项清单", "unified item list"),
    ("plan", "抽取并复核计划", "drawing and verifying the plan"),
    ("inspections", "模拟联合检查", "simulating the joint inspections"),
    ("risk", "监测数据与风险预警", "monitoring data and risk warnings"),
    ("loop", "闭环处置", "closed loop"),
    ("events", "宿主平台事件", "host-platform events"),
    ("guides", "合规指引", "compliance guides"),
    ("publications", "结果公示", "publications"),
    ("evaluation", "试点评估", "pilot evaluation"),
    ("index", "总览页", "index page"),
)


def run_demo(
    config: str | Path,
    out: Path,
    *,
    size: int = 20_000,
    seed: int = 20260101,
    cycle: str = "2026Q1",
    force: bool = False,
    progress: Progress | None = None,
) -> DemoResult:
    """Run the main job into folder ``out`` (created if missing) on ``out/onething.db``.

    :raises InvalidInput: ``out`` already holds a demo (``force`` replaces it) or a file of the
        demo's names, or the config is invalid.
    """
    import time

    from ..planning.cycle import cycle_window

    progress = progress or _Silent()
    out = Path(out)
    deployment = load_config(config)
    check_folder(out, [DATABASE, *FIXED_FILES], force=force, protected=[Path(config)])
    out.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm", "-journal"):
        (out / f"{DATABASE}{suffix}").unlink(missing_ok=True)  # checked above: forced
    deployment = attrs.evolve(
        deployment, storage_url=f"sqlite:///{(out / DATABASE).resolve()}", output_dir=out
    )
    app = Onething(deployment)
    # The demo's database is rebuilt on every run: WAL's NORMAL sync (no fsync per commit) is
    # safe for it and makes the thousands of one-record transactions affordable.
    sa.event.listen(app.store.engine, "connect", _relaxed_sync)
    result = DemoResult(out)
    start, end = cycle_window(cycle)
    ctx = _Context(app, out, str(seed), cycle, start, end, result, progress, Path(config), size)
    # the synthetic registry has people (drivers): keyed with a stand-in secret when the
    # environment holds no deployment secret, as the demo's people are made up too
    env = personal.secret_env(app)
    try:
        with personal.stand_in_secret(env, f"onething-demo-{seed}-synthetic-people-only") as stood:
            if stood:
                result.notes.append(
                    _(
                        f"环境变量 {env} 未设置：演示的合成人员以仅供演示的密钥散列；"
                        "正式部署须设置自己的密钥",
                        f"{env} is not set: the demo's synthetic people are keyed with a "
                        "demo-only secret; a deployment must set its own",
                    )
                )
            for code, zh, en in PHASES:
                t0 = time.perf_counter()
                getattr(ctx, f"phase_{code}")(_(zh, en))
                result.seconds[code] = round(time.perf_counter() - t0, 2)
    finally:
        app.close()
    return result


@define
class _Context:
    app: Onething
    out: Path
    seed: str
    cycle: str
    start: dt.date
    end: dt.date
    result: DemoResult
    progress: Progress
    config: Path
    size: int = 0
    relations: Path | None = None
    doc: dict[str, Any] = field(factory=dict)
    pool_names: dict[str, str] = field(factory=dict)
    opened: list[tuple[int, str]] = field(factory=list)

    def wrote(self, zh: str, en: str, path: Path) -> None:
        self.result.written.append((_(zh, en), path))

    @property
    def now(self) -> dt.datetime:
        """The simulation's clock: the end of the cycle's last day, local time."""
        from .inspections import LOCAL

        return dt.datetime.combine(self.end, dt.time(18), LOCAL).astimezone(dt.UTC)

    # -- phases ----------------------------------------------------------------------------

    def phase_migrate(self, label: str) -> None:
        tick = self.progress.phase(label, 1)
        self.app.store.upgrade()
        tick(1, 1)
        self.wrote("数据库（SQLite）", "database (SQLite)", self.out / DATABASE)

    def phase_registry(self, label: str) -> None:
        from ..registry import synth

        size = self.result.figures["size"] = self.size
        tick = self.progress.phase(label, size)
        path = self.out / "registry.csv"
        written = synth.write(
            self.app.domains,
            self.app.deployment.region,
            size,
            int(self.seed),
            path,
            progress=tick,
            force=True,
        )
        self.wrote("合成名录库", "synthetic registry", path)
        # Objects beyond businesses (projects, sites, cranes …) come with their relations.
        self.relations = written.relations_path
        if written.relations_path is not None:
            self.wrote("合成对象关系", "synthetic relations", written.relations_path)

    def phase_import(self, label: str) -> None:
        from ..registry.importer import import_file

        tick = self.progress.phase(label, self.result.figures["size"])
        report = import_file(
            self.app.store,
            self.out / "registry.csv",
            app_or_rulebook=self.app,
            on=self.start,
            progress=tick,
        )
        self.result.figures["objects"] = report.inserted
        self.result.figures["object_items"] = report.mapped
        if self.relations is not None:
            from ..registry.relations import import_relations_file

            rel = import_relations_file(self.app.store, self.relations, app_or_rulebook=self.app)
            self.result.figures["relations"] = rel.inserted

    def phase_inspectors(self, label: str) -> None:
        from ..planning import import_pool, synth_pool, write_pool
        from ..planning.inspectors import departments_to_staff

        tick = self.progress.phase(label, 2)
        depts, specialist = departments_to_staff(self.app.rulebook, self.start)
        # Enough inspectors for the cycle's visits: two per department a visit, each under
        # the workload cap (a pool too small leaves visits without inspectors).
        per_department = max(40, self.result.figures["size"] // 200)
        pool = synth_pool(
            depts, self.app.deployment.region, per_department, int(self.seed), specialist
        )
        path = self.out / "inspectors.csv"
        write_pool(path, pool, force=True)
        tick(1, 2)
        import_pool(self.app.store, pool, str(path))
        tick(2, 2)
        self.pool_names = {i.id: i.name for i in pool}
        self.result.figures["inspectors"] = len(pool)
        self.wrote("执法人员库", "inspector pool", path)

    def phase_items(self, label: str) -> None:
        from ..items import ItemCatalog, Labels, build, write

        tick = self.progress.phase(label, 1)
        catalog = ItemCatalog.of(self.app)
        lists = build(catalog, self.start)
        path = self.out / "items.xlsx"
        write(lists, "xlsx", path, Labels(catalog), force=True)
        tick(1, 1)
        self.result.figures["items"] = len(lists.sheets.get(next(iter(lists.sheets)), []))
        self.wrote("统一监管事项清单", "unified item list", path)

    def phase_plan(self, label: str) -> None:
        from ..planning import make_plan, verify_plan, write_checklists, write_plan

        steps = 7
        tick = self.progress.phase(label, steps)
        done = [0]

        def step(_name: str) -> None:
            done[0] += 1
            tick(min(done[0], steps), steps)

        written: dict[str, Any] = {}

        def write(d: dict[str, Any]) -> None:
            written["paths"] = write_plan(d, self.out, force=True)
            written["lists"] = write_checklists(
                d, self.app.rulebook, self.out, 5, self.app.store, force=True
            )

        doc = make_plan(
            self.app.store,
            self.app.rulebook,
            cycle=self.cycle,
            seed=self.seed,
            by="onething demo",
            reason="演示",
            progress=step,
            write=write,
        )
        problems = verify_plan(
            self.app.store,
            self.app.rulebook,
            json.loads(written["paths"]["json"].read_text("utf-8")),
        )
        if problems:
            raise InvalidInput("plan verify", "", "; ".join(problems[:5]))
        tick(steps, steps)
        self.doc = doc
        self.result.figures["plan_verified"] = True
        self.result.figures["visits_planned"] = len(doc["visits"])
        self.wrote("抽查计划（JSON，可复核）", "plan (JSON, verifiable)", written["paths"]["json"])
        self.wrote("抽查计划（CSV）", "plan (CSV)", written["paths"]["csv"])
        self.wrote("计划摘要", "plan summary", written["paths"]["html"])
        self.result.figures["checklists"] = [p for p in written["lists"]]
        if written["lists"]:
            self.wrote(
                "联合检查表（前 5 次检查）",
                "joint checklists (first 5 visits)",
                written["lists"][0].parent,
            )

    def phase_inspections(self, label: str) -> None:
        from .inspections import simulate

        tick = self.progress.phase(label, None)
        days = max(1, int(((self.end - self.start).days + 1) * 0.6))
        sim = simulate(
            self.app, self.doc, self.pool_names, seed=self.seed, days=days, progress=tick
        )
        self.opened = [(c, sim.record_of_case[c]) for c in sim.opened]
        self.result.figures.update(
            records=sim.records,
            findings=sim.findings,
            cases_opened=len(sim.opened),
            not_applicable=sim.not_applicable,
        )

    def phase_loop(self, label: str) -> None:
        from ..loop import report
        from .walk import Walker

        tick = self.progress.phase(label, len(self.opened))
        walker = Walker(self.app, seed=self.seed, now=self.now)
        for n, (case_id, record_id) in enumerate(self.opened, 1):
            walker.walk(case_id, record_id)
            tick(n, len(self.opened))
        self.result.figures["paths"] = dict(walker.paths)
        self.result.figures["transitions"] = dict(walker.taken)
        self.result.figures["reinspections"] = walker.reinspections
        folder = self.out / "loop-report"
        report.write(
            report.analyse(self.app.store, walker.loop, self.now), folder, ("png",), force=True
        )
        self.wrote("闭环回溯分析", "closed-loop retrospective", folder)

    def phase_risk(self, label: str) -> None:
        """Facts crossing the plugins' rules for a share of objects, ingested WARNING_DAYS
        before the cycle ends, then the rules evaluated: warnings, and a case for each, of
        which a share (WARNING_WALKED) is assessed and moved on by the departments; the rest
        wait at 风险预警 in their inboxes. Objects are not re-graded: that is for the next
        cycle's draw, and this cycle's plan must still verify against its registry."""
        from ..loop import Loop
        from ..planning.prn import prn
        from ..risk import facts
        from ..risk.cases import open_cases
        from ..risk.engine import evaluate_all
        from .facts import demo_facts
        from .inspections import LOCAL
        from .walk import Walker

        on = self.end - dt.timedelta(days=WARNING_DAYS)
        rows = list(demo_facts(self.app, on, self.seed))
        tick = self.progress.phase(label, 2)
        facts.ingest(self.app.store, self.app.rulebook, rows, label="demo-facts", on=on)
        report = evaluate_all(self.app.store, self.app.rulebook, on)
        at = dt.datetime.combine(on, dt.time(9), LOCAL).astimezone(dt.UTC)
        cases = open_cases(self.app.store, Loop(self.app.rulebook), at=at)
        tick(1, 2)
        walker = Walker(self.app, seed=self.seed, now=self.now)
        for case_id in cases:
            if prn(self.seed, f"warning-walked/{case_id}") < WARNING_WALKED:
                walker.walk_warning(case_id)
        tick(2, 2)
        self.result.figures.update(
            facts=len(rows),
            warnings=report.new_count,
            warning_cases=len(cases),
            warning_paths=dict(walker.paths),
        )

    def phase_events(self, label: str) -> None:
        from ..loop import Loop, ingest_events
        from .events import demo_events

        tick = self.progress.phase(label, 1)
        path = self.out / "events.jsonl"
        lines = demo_events(self.app, self.start, self.now)
        write_atomic(
            path, "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in lines), force=True
        )
        res = ingest_events(
            self.app.store, Loop(self.app.rulebook), path, region=self.app.deployment.region
        )
        tick(1, 1)
        self.result.figures["events"] = len(lines)
        self.result.figures["events_result"] = _plain(res)
        self.wrote("宿主平台事件", "host-platform events", path)

    def phase_guides(self, label: str) -> None:
        from .extras import guides

        tick = self.progress.phase(label, 1)
        paths = guides(self.app, self.out, self.start)
        tick(1, 1)
        if paths is None:
            self.result.missing.append("guides")
            return
        if paths:
            self.wrote(
                "合规指引（各领域及统一指引）",
                "compliance guides (per domain, unified)",
                paths[0].parent,
            )

    def phase_publications(self, label: str) -> None:
        from .extras import publications

        tick = self.progress.phase(label, 1)
        paths = publications(self.app, self.out, self.end)
        tick(1, 1)
        if paths is None:
            self.result.missing.append("publications")
            return
        if paths:
            self.wrote("结果公示（脱敏）", "publications (redacted)", paths[0].parent)

    def phase_evaluation(self, label: str) -> None:
        from .. import evaluation
        from ..evaluation.render import label as label_of

        tick = self.progress.phase(label, 2)
        from ..evaluation._sql import today

        # The cycle's days to today: the plan was drawn today, its visits in the cycle.
        ev = evaluation.evaluate(
            self.app.store,
            self.app.rulebook,
            start=self.start,
            end=max(self.end, today()),
            at=self.now,
        )
        evaluation.write(ev, self.out / "evaluation.json", "json", force=True)
        tick(1, 2)
        evaluation.write(ev, self.out / "evaluation.html", "html", force=True)
        tick(2, 2)
        self.result.figures["evaluation"] = {f.code: f.value for f in ev.figures}
        self.result.labels = {f.code: label_of(f) for f in ev.figures}
        self.wrote("试点评估报告", "pilot evaluation report", self.out / "evaluation.html")
        self.wrote("试点评估（JSON）", "pilot evaluation (JSON)", self.out / "evaluation.json")

    def phase_index(self, label: str) -> None:
        from .index import write_index

        tick = self.progress.phase(label, 1)
        path = write_index(self.app, self.out, self.result, self.cycle)
        tick(1, 1)
        self.result.written.insert(0, (_("总览页（从这里看起）", "index (look here first)"), path))


def _relaxed_sync(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _plain(value: Any) -> Any:
    if attrs.has(type(value)):
        return attrs.asdict(value)
    return value
