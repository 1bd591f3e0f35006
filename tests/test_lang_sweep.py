"""One language at a time (#30): under ONETHING_LANG=zh every command of ``onething`` — found
by walking the click group, so a new command is covered as soon as it exists — prints no
English sentence, on success and on its error paths (a bad option value, a missing file, an
unmigrated database, a bad config key, a record failing its schema); the charts it draws carry
Chinese titles.

One small demo (``onething demo --size 15``) is built once for the module; every command runs
in-process against its database.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import click
import pytest

from onething.cli import main

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "examples" / "liaocheng.toml"

SECRET = "sweep-secret-of-at-least-32-characters"

#: Words that may stand in a Chinese sentence as they are: names of formats, standards,
#: products and protocols (not translated in Chinese writing either).
ALLOWED = {
    "Internet Plus Supervision": "the product name of 互联网+监管 in its English API docs",
}

#: This many English words in a row, in one line, make a sentence. Codes, paths, acronyms
#: and anything not ASCII (Chinese, its punctuation, table rules) break a row, and so does
#: punctuation inside it: "drug, ecology, fire" is a list of codes, "no such file" a sentence.
RUN = 3
_WORD = re.compile(r"\(?[A-Za-z][a-z]*")
_LAST = re.compile(r"\(?[A-Za-z][a-z]*[,;:.!?)]*")


def english_sentences(text: str) -> list[str]:
    """The rows of ≥ RUN plain English words in ``text`` (command lines such as ``onething
    loop list`` do not count)."""
    for term in [*ALLOWED, *_command_lines()]:
        text = text.replace(term, "")
    found = []
    for line in text.splitlines():
        row: list[str] = []
        for token in re.sub(r"[^\x00-\x7f]+", " \x00 ", line).split():
            if _LAST.fullmatch(token):
                row.append(token)
                if _WORD.fullmatch(token):
                    continue
            if len(row) >= RUN:
                found.append(" ".join(row))
            row = []
        if len(row) >= RUN:
            found.append(" ".join(row))
    return found


@functools.cache
def _command_lines() -> list[str]:
    """``onething``, ``onething loop``, ``onething loop list`` …, longest first."""
    from onething.cli import build

    found = []

    def walk(cmd: click.Command, path: list[str]) -> None:
        found.append(" ".join(path))
        for name, sub in getattr(cmd, "commands", {}).items():
            walk(sub, [*path, name])

    walk(build(), ["onething"])
    return sorted(found, key=len, reverse=True)


def test_the_detector_finds_english_sentences_and_spares_codes():
    assert english_sentences("Error: No such option '--at'.") == ["No such option"]
    assert english_sentences("错误：file does not exist") == ["file does not exist"]
    assert english_sentences("错误：没有选项 '--at'。 the rest of it") == ["the rest of it"]
    assert english_sentences("用法： onething loop list [OPTIONS]") == []
    assert english_sentences("│ catering_gas │ market │ warning │ JSON CSV SQLite │") == []
    assert english_sentences("可选：drug, ecology, fire, health") == []
    assert english_sentences("已写出 /tmp/out/loop-report/stage_times.csv") == []


def _run(*args: str) -> tuple[int, str]:
    """``onething ARGS`` in-process: exit code and everything printed (stdout then stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(list(args))
        except SystemExit as exc:
            code = exc.code
        else:  # pragma: no cover - main always exits
            code = 0
    return code, out.getvalue() + err.getvalue()


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo's folder and a config reaching its database; what ``demo`` printed."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ONETHING_LANG", "zh")
        mp.setenv("COLUMNS", "400")  # wide tables: a sentence stays on one line
        mp.setenv("ONETHING_PERSON_SECRET", SECRET)  # the imports of the demo's files need it
        base = tmp_path_factory.mktemp("sweep")
        out = base / "demo"
        code, printed = _run("demo", "--config", str(CONFIG), "--out", str(out), "--size", "15")
        assert code == 0, printed
        cfg = base / "onething.toml"
        text = CONFIG.read_text("utf-8")
        text = text.replace("overrides/", f"{CONFIG.parent.as_posix()}/overrides/")
        db = out / "onething.db"
        text = re.sub(r'url = ".*"', f'url = "sqlite:///{db.as_posix()}"', text)
        cfg.write_text(text, "utf-8")
        yield _facts(base, out, cfg, db, printed)


def _facts(base: Path, out: Path, cfg: Path, db: Path, printed: str) -> SimpleNamespace:
    con = sqlite3.connect(db)
    try:
        case, version = con.execute(
            "SELECT id, version FROM loop_case WHERE state = 'warning' ORDER BY id"
        ).fetchone()
        (key,) = con.execute("SELECT object_key FROM loop_case WHERE id = ?", (case,)).fetchone()
        (record,) = con.execute("SELECT id FROM inspection_record ORDER BY id").fetchone()
    finally:
        con.close()
    # An unmigrated database and a config key that does not exist, for the error paths.
    empty = base / "empty.toml"
    empty.write_text(
        cfg.read_text("utf-8").replace(db.as_posix(), (base / "empty.db").as_posix()), "utf-8"
    )
    typo = base / "typo.toml"
    typo.write_text(cfg.read_text("utf-8").replace("[review]", "[review]\nmax_age = 3"), "utf-8")
    return SimpleNamespace(
        base=base,
        out=out,
        cfg=str(cfg),
        db=db,
        case=str(case),
        version=str(version),
        key=key,
        record=record,
        empty=str(empty),
        typo=str(typo),
        printed=printed,
    )


def _record_file(d: SimpleNamespace) -> str:
    """A new record of the visit the demo stored first (its evidence, a new id)."""
    code, text = _run("record", "show", d.record, "--config", d.cfg, "--format", "json")
    assert code == 0, text
    shown = json.loads(text)
    record = {k: shown[k] for k in ("object", "visited_at", "inspectors", "items")}
    record["id"] = "sweep-1"
    record["entries"] = [
        {k: e[k] for k in ("element", "evidence", "result") if k in e} for e in shown["entries"]
    ]
    path = d.base / "record.json"
    path.write_text(json.dumps(record, ensure_ascii=False), "utf-8")
    return str(path)


def _bad_record(d: SimpleNamespace) -> str:
    path = d.base / "bad-record.json"
    path.write_text('{"id": "x", "object": 1, "entries": [{"result": "maybe"}]}', "utf-8")
    return str(path)


def _facts_file(d: SimpleNamespace, bad: bool = False) -> str:
    path = d.base / ("bad-facts.jsonl" if bad else "facts.jsonl")
    path.write_text(
        json.dumps(
            {
                "key": d.key,
                "fact": "complaints",
                "value": 3,
                "observed_at": "2026-02-01",
                "source": "12315",
            }
        )
        + "\n"
        + ('{"key": "x", "fact": "Bad Name", "value": 1}\n' if bad else ""),
        "utf-8",
    )
    return str(path)


def _related_file(d: SimpleNamespace) -> str:
    path = d.base / "licensing.csv"
    path.write_text("code,name\nXK-1,食品经营许可\n", "utf-8")
    return str(path)


Args = Callable[[SimpleNamespace], list[str]]

#: Command path -> realistic invocations (and error paths), each a function of the demo.
INVOCATIONS: dict[str, list[Args]] = {
    "audit head": [lambda d: ["--config", d.cfg]],
    "audit verify": [lambda d: ["--config", d.cfg], lambda d: ["--config", d.cfg, "--expect", "x"]],
    "checklist": [
        lambda d: ["--config", d.cfg, "--object", d.key],
        lambda d: ["--config", d.cfg, "--items", "nosuch.001"],
    ],
    "db current": [lambda d: ["--config", d.cfg], lambda d: ["--config", d.empty]],
    "db history": [lambda d: ["--config", d.cfg]],
    "db upgrade": [lambda d: ["--config", d.cfg]],
    "demo": [lambda d: ["--config", str(CONFIG), "--out", str(d.out)]],  # exists: no --force
    "departments": [lambda d: []],
    "docs cli": [lambda d: ["--out", str(d.base / "cli.md")]],
    "docs hooks": [lambda d: ["--out", str(d.base / "hooks.md")]],
    "docs openapi": [lambda d: ["--out", str(d.base / "openapi.json")]],
    "elements conflicts": [lambda d: ["--config", d.cfg]],
    "elements list": [lambda d: ["--config", d.cfg, "--domain", "catering"]],
    "evaluate": [
        lambda d: ["--config", d.cfg],
        lambda d: ["--config", d.cfg, "--format", "html", "--out", str(d.base / "evaluation.html")],
    ],
    "events ingest": [
        lambda d: ["--config", d.cfg, str(d.out / "events.jsonl")],
        lambda d: ["--config", d.cfg, _bad_record(d)],
    ],
    "exchange export": [
        lambda d: [
            "--config",
            d.cfg,
            "--target",
            "double-random",
            "--kind",
            "results",
            "--out",
            str(d.base / "results.jsonl"),
        ],
        lambda d: [
            "--config",
            d.cfg,
            "--target",
            "double-random",
            "--kind",
            "plan",
            "--out",
            str(d.base / "plan.jsonl"),
        ],
    ],
    "exchange import": [
        lambda d: [
            "--config",
            d.cfg,
            "--target",
            "double-random",
            "--kind",
            "results",
            str(d.base / "results.jsonl"),
        ],
    ],
    "exchange schema": [
        lambda d: ["--target", "double-random", "--kind", "plan", "--out", str(d.base / "s.json")]
    ],
    "facts ingest": [
        lambda d: ["--config", d.cfg, _facts_file(d)],
        lambda d: ["--config", d.cfg, _facts_file(d, bad=True)],
    ],
    "guide": [
        lambda d: [
            "--config",
            d.cfg,
            "--domain",
            "catering",
            "--format",
            "md",
            "--out",
            str(d.base / "guides"),
        ],
    ],
    "inspectors import": [lambda d: [str(d.out / "inspectors.csv"), "--config", d.cfg]],
    "inspectors synth": [
        lambda d: ["--config", d.cfg, "--out", str(d.base / "insp.csv"), "--per-department", "2"]
    ],
    "items check-links": [lambda d: ["--config", d.cfg]],
    "items diff": [lambda d: ["--config", d.cfg, "--from", "2024-01-01", "--to", "2026-06-01"]],
    "items export": [
        lambda d: ["--config", d.cfg, "--format", "csv", "--out", str(d.base / "items.csv")]
    ],
    "items import": [lambda d: ["--config", d.cfg, str(d.base / "items.csv")]],
    "items import-related": [
        lambda d: ["--config", d.cfg, "--kind", "licensing", _related_file(d)],
    ],
    "items list": [lambda d: ["--config", d.cfg, "--domain", "catering"]],
    "items related-changes": [lambda d: ["--config", d.cfg, "--since", "2020-01-01"]],
    "loop act": [
        lambda d: [
            d.case,
            "assess",
            "--config",
            d.cfg,
            "--department",
            "market",
            "--role",
            "reviewer",
            "--region",
            "371500",
            "--version",
            "99",
        ],
        lambda d: [
            d.case,
            "nosuch",
            "--config",
            d.cfg,
            "--department",
            "market",
            "--role",
            "reviewer",
            "--region",
            "371500",
            "--version",
            d.version,
        ],
    ],
    "loop diagram": [lambda d: ["--config", d.cfg]],
    "loop inbox": [lambda d: ["--config", d.cfg, "--department", "market", "--region", "371500"]],
    "loop list": [lambda d: ["--config", d.cfg]],
    "loop overdue": [lambda d: ["--config", d.cfg], lambda d: ["--config", d.empty]],
    "loop report": [lambda d: ["--config", d.cfg, "--out", str(d.base / "loop-report")]],
    "loop show": [lambda d: [d.case, "--config", d.cfg], lambda d: ["99999", "--config", d.cfg]],
    "loop states": [lambda d: ["--config", d.cfg]],
    "params": [
        lambda d: ["--config", d.cfg, "--domain", "catering"],
        lambda d: ["--config", d.cfg, "--at", "yesterday"],
    ],
    "plan": [
        lambda d: [
            "--config",
            d.cfg,
            "--cycle",
            "2026Q2",
            "--seed",
            "sweep",
            "--out",
            str(d.base / "plan"),
            "--checklists",
            "1",
        ],
    ],
    "plan verify": [lambda d: [str(d.out / "plan.json"), "--config", d.cfg]],
    "plugin new": [
        lambda d: [
            "sweep",
            "--name-zh",
            "测试",
            "--lead",
            "market",
            "--out",
            str(d.base / "onething-sweep"),
        ],
        lambda d: [
            "sweep",
            "--name-zh",
            "测试",
            "--lead",
            "nosuch",
            "--out",
            str(d.base / "other"),
        ],
    ],
    "plugins": [lambda d: ["--config", d.cfg]],
    "publish": [
        lambda d: ["--config", d.cfg, "--at", "2026-06-30", "--out", str(d.base / "publications")]
    ],
    "record add": [
        lambda d: [_record_file(d), "--config", d.cfg],
        lambda d: [_bad_record(d), "--config", d.cfg],
    ],
    "record show": [lambda d: [d.record, "--config", d.cfg, "--department", "market"]],
    "registry import": [lambda d: [str(d.out / "registry.csv"), "--config", d.cfg]],
    "registry import-relations": [
        lambda d: [str(d.out / "registry.relations.csv"), "--config", d.cfg]
    ],
    "registry map": [lambda d: ["--config", d.cfg]],
    "registry profiles": [lambda d: ["--config", d.cfg, "--top", "5"]],
    "registry show": [lambda d: [d.key, "--config", d.cfg]],
    "registry stats": [lambda d: ["--config", d.cfg, "--by", "domain,department"]],
    "registry synth": [
        lambda d: [
            "--config",
            d.cfg,
            "--region",
            "371500",
            "--size",
            "5",
            "--out",
            str(d.base / "synth.csv"),
        ],
    ],
    "risk evaluate": [lambda d: ["--config", d.cfg]],
    "risk explain": [lambda d: [d.key, "--config", d.cfg]],
    # A server would not return: the path up to listening (its config is read first).
    "serve": [lambda d: ["--config", d.typo]],
    "validate": [lambda d: ["--config", d.cfg], lambda d: ["--config", d.typo]],
}

#: Commands whose first invocation is a refusal: the demo's folder exists (no --force), a
#: server would not return, a stale version.
REFUSALS = {"demo", "serve", "loop act"}

#: Error paths every command shares, run on a few: a missing config file, a bad option value.
COMMON_ERRORS = [
    ["validate", "--config", "nosuch.toml"],
    ["registry", "import", "nosuch.csv"],
    ["loop", "list", "--format", "xml"],
    ["items", "list", "--at", "2026-13-01"],
    ["nosuch"],
]


def leaf_commands() -> list[str]:
    """Every command of the group that does something (groups with a callback of their own,
    like ``plan``, count too)."""
    from onething.cli import build

    found = []

    def walk(cmd: click.Command, path: list[str]) -> None:
        if path and (not isinstance(cmd, click.Group) or cmd.invoke_without_command):
            found.append(" ".join(path))
        if isinstance(cmd, click.Group):
            for name in cmd.list_commands(click.Context(cmd)):
                walk(cmd.get_command(click.Context(cmd), name), [*path, name])

    walk(build(), [])
    return found


@functools.cache
def _json_commands() -> set[str]:
    """The commands whose --format offers json (their errors come as JSON then)."""
    from onething.cli import build

    group, found = build(), set()
    for path in leaf_commands():
        cmd = group
        for name in path.split():
            cmd = cmd.get_command(click.Context(cmd), name)
        for p in cmd.params:
            if "--format" in p.opts and "json" in getattr(p.type, "choices", ()):
                found.add(path)
    return found


def test_every_command_has_an_invocation_in_the_sweep():
    assert set(leaf_commands()) - INVOCATIONS.keys() == set(), "add it to INVOCATIONS"
    assert INVOCATIONS.keys() - set(leaf_commands()) == set()


@pytest.fixture
def zh(monkeypatch):
    monkeypatch.setenv("ONETHING_LANG", "zh")
    monkeypatch.setenv("ONETHING_PERSON_SECRET", SECRET)
    monkeypatch.setenv("COLUMNS", "400")


@pytest.mark.parametrize("path", sorted(INVOCATIONS))
def test_every_command_speaks_only_chinese(demo, zh, path):
    printed = [] if path != "demo" else [("demo (fixture)", demo.printed)]
    for i, args in enumerate(INVOCATIONS[path]):
        code, text = _run(*path.split(), *args(demo))
        # the first is the command doing its job (but where only its refusal can be run)
        expected = (0,) if i == 0 and path not in REFUSALS else (0, 1, 2)
        assert code in expected, f"{path} #{i}: exit {code}\n{text}"
        printed.append((f"{path} #{i} (exit {code})", text))
        if code == 1 and path in _json_commands():  # the error as JSON says it in Chinese too
            code, text = _run(*path.split(), *args(demo), "--format", "json")
            printed.append((f"{path} #{i} --format json (exit {code})", text))
    code, text = _run(*path.split(), "--help")
    printed.append((f"{path} --help", text))
    english = {name: s for name, text in printed if (s := english_sentences(text))}
    assert english == {}, "\n\n".join(
        [repr(english)] + [f"{n}:\n{t}" for n, t in printed if n in english]
    )


@pytest.mark.parametrize("args", COMMON_ERRORS, ids=" ".join)
def test_error_paths_speak_only_chinese(demo, zh, args):
    code, text = _run(*args)
    assert code in (1, 2) and "错误" in text
    assert english_sentences(text) == [], text


def test_the_loop_report_charts_carry_chinese_titles(demo, zh):
    from PIL import Image

    out = demo.base / "loop-report-charts"
    assert _run("loop", "report", "--config", demo.cfg, "--out", str(out))[0] == 0
    for name in ("stage_times", "precision"):
        svg = (out / f"{name}.svg").read_text("utf-8")
        title = re.findall(r"<dc:title>(.*?)</dc:title>", svg)[0]  # then matplotlib's own
        assert re.search(r"[\u4e00-\u9fff]{4}", title) and not english_sentences(title), title
        with Image.open(out / f"{name}.png") as png:
            assert png.info["Title"] == title
        # every text drawn (title, axes, legend, ticks) is in the SVG as a comment
        drawn = re.findall(r"<!-- (.*?) -->", svg)
        assert title in drawn and not english_sentences("\n".join(drawn)), drawn
    # and English with --lang en: the titles are the catalogue's, not fixed text
    out = demo.base / "loop-report-charts-en"
    assert _run("--lang", "en", "loop", "report", "--config", demo.cfg, "--out", str(out))[0] == 0
    svg = (out / "stage_times.svg").read_text("utf-8")
    assert re.findall(r"<dc:title>(.*?)</dc:title>", svg)[0] == "Time spent per stage (all domains)"


@pytest.mark.parametrize(
    "args",
    [["registry", "stats", "--by", "domain,department"], ["loop", "overdue"], ["loop", "list"]],
    ids=" ".join,
)
def test_tables_name_domains_departments_and_states(demo, zh, args):
    """A table shows a domain, a department, a state by its name (JSON keeps the codes)."""
    code, text = _run(*args, "--config", demo.cfg)
    assert code == 0, text
    cells = {c.strip() for line in text.splitlines() for c in line.split("│")}
    assert cells & {"餐饮服务", "市商务局", "市市场监督管理局"}, text
    assert not cells & {"catering", "commerce", "market", "warning", "closed"}, text
