"""``onething demo``: the main job end to end on SQLite (what ``make demo`` runs)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from ..i18n import _
from .common import console, force_option, format_option, print_changed, print_table


class _Bars:
    """One Rich progress bar per phase, on stderr when it is a terminal. No refresh thread:
    the registry import forks its worker processes."""

    def __init__(self) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self.progress = Progress(
            TextColumn("{task.description:<24}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console().__class__(stderr=True),
            auto_refresh=False,
            disable=not sys.stderr.isatty(),
        )
        self.current = None
        self.last = 0.0

    def phase(self, label, total=None):
        if self.current is not None:
            task = self.progress.tasks[self.current]
            self.progress.update(self.current, completed=task.total or task.completed)
        self.current = self.progress.add_task(label, total=total)
        self.progress.refresh()
        task_id = self.current

        def tick(done, total=None):
            self.progress.update(task_id, completed=done, total=total)
            now = time.monotonic()
            if now - self.last > 0.1 or (total and done >= total):
                self.last = now
                self.progress.refresh()

        return tick


def make() -> click.Command:
    @click.command(
        "demo",
        help=_(
            "主任务演示：在内置 SQLite 上跑完一个周期——合成名录库与执法人员库并导入、统一监管事项清单、"
            "抽取并复核计划、模拟联合检查、闭环处置（整改、移送、联合惩戒、超时）、宿主平台事件、合规指引、"
            "公示、试点评估，最后写出总览页 index.html。",
            "The main job end to end on the embedded SQLite: synthesise and import a registry and "
            "inspector pools, the unified item list, draw and verify the plan, simulate the "
            "joint inspections, walk the findings through the closed loop (rectified, referred, "
            "a joint sanction, an overdue step), ingest host-platform events, guides, "
            "publications, the pilot evaluation, and index.html linking everything.",
        ),
    )
    @click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=Path("examples/liaocheng.toml"),
        show_default=True,
        help=_(
            "部署配置文件（TOML；其数据库设置不用：演示总在输出目录建 SQLite）",
            "deployment configuration (TOML; its storage is not used: the demo makes a SQLite "
            "database in the output folder)",
        ),
    )
    @click.option(
        "--out",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("out"),
        show_default=True,
        help=_("输出目录", "output folder"),
    )
    @click.option(
        "--size",
        type=click.IntRange(min=1),
        default=20_000,
        show_default=True,
        help=_("合成经营主体户数", "synthetic businesses"),
    )
    @click.option(
        "--seed", type=int, default=20260101, show_default=True, help=_("随机种子", "seed")
    )
    @click.option(
        "--cycle", default="2026Q1", show_default=True, help=_("抽查周期", "inspection cycle")
    )
    @force_option
    @format_option()
    def demo(config_path, out, size, seed, cycle, force, fmt):
        from ..demo import PHASES, run_demo
        from ..demo.index import PATH_NAMES
        from ..errors import InvalidInput

        if not config_path.exists():
            raise InvalidInput(str(config_path), "", _("文件不存在", "no such file"))
        t0 = time.perf_counter()
        bars = _Bars()
        with bars.progress:
            result = run_demo(
                config_path, out, size=size, seed=seed, cycle=cycle, force=force, progress=bars
            )
        seconds = time.perf_counter() - t0
        f = result.figures
        if fmt == "json":
            print_changed(
                fmt,
                "",
                {"files": [str(path) for _what, path in result.written]},
                figures=f,
                seconds={"total": round(seconds, 1), **result.seconds},
                missing=result.missing,
                notes=result.notes,
                index=str(out / "index.html"),
            )
            return
        names = {k: _(*v) for k, v in PATH_NAMES.items()}
        print_table(
            _("主任务演示写出的文件", "What the main job wrote"),
            [_("内容", "what"), _("位置", "where")],
            [[what, str(path) + ("/" if path.is_dir() else "")] for what, path in result.written],
        )
        print_table(
            _("本周期", "This cycle"),
            [_("项目", "figure"), _("数值", "value")],
            [
                [_("监管对象", "supervised objects"), f.get("objects")],
                [_("计划上门检查", "visits planned"), f.get("visits_planned")],
                [_("检查记录", "inspection records"), f.get("records")],
                [_("发现问题", "violations found"), f.get("findings")],
                [_("闭环事项", "cases opened"), f.get("cases_opened")],
                [_("监测数据（事实）", "facts ingested"), f.get("facts")],
                [_("风险预警", "risk warnings"), f.get("warnings")],
                [_("预警形成的事项", "cases from warnings"), f.get("warning_cases")],
                [
                    _("已研判预警的路径", "assessed warnings' paths"),
                    ", ".join(
                        f"{names.get(k, k)} {v}"
                        for k, v in sorted(f.get("warning_paths", {}).items())
                    ),
                ],
                [
                    _("闭环路径", "loop paths"),
                    ", ".join(
                        f"{names.get(k, k)} {v}" for k, v in sorted(f.get("paths", {}).items())
                    ),
                ],
                [_("用时（秒）", "seconds"), f"{seconds:.1f}"],
            ],
        )
        phases = {code: _(zh, en) for code, zh, en in PHASES}
        print_table(
            _("各阶段用时（秒）", "seconds per phase"),
            [_("阶段", "phase"), _("秒", "s")],
            [[phases[k], f"{v:.1f}"] for k, v in result.seconds.items()],
        )
        for note in result.notes:
            click.echo(_(f"注意：{note}", f"note: {note}"), err=True)
        for part in result.missing:
            click.echo(
                _(
                    f"注意：本安装尚无「{part}」，已跳过（见 index.html）",
                    f"note: this installation has no {part} yet; skipped (see index.html)",
                ),
                err=True,
            )
        click.echo(
            _(
                f"从这里看起：{out / 'index.html'}",
                f"look here first: {out / 'index.html'}",
            )
        )

    return demo
