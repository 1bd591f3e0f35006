"""PIPL: no output holds a natural person's full ID number or full name, for Hypothesis-drawn
people imported, related, shown, counted, checked, planned and rejected through the CLI, on
SQLite and PostgreSQL — nor does the database itself."""

from __future__ import annotations

import json
from importlib import metadata
from pathlib import Path

import pytest
import sqlalchemy as sa
from city_support import SECRET, city_rows, obj, rel, resident_id
from cli_support import run
from fake_support import FAKE, FAKECITY
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

#: CJK Extension A: characters no message, template or region name of onething uses, so a
#: name found in an output came from the input.
NAME_CHARS = st.characters(min_codepoint=0x3400, max_codepoint=0x4DBF)
BODIES = st.from_regex(
    r"[1-6][0-9]{5}(19[5-9][0-9]|200[0-9])(0[1-9]|1[0-2])(0[1-9]|1[0-9]|2[0-8])[0-9]{3}",
    fullmatch=True,
)
PEOPLE = st.lists(
    st.tuples(st.text(NAME_CHARS, min_size=2, max_size=4), BODIES),
    min_size=1,
    max_size=3,
    unique_by=lambda p: p[1],
)


@pytest.fixture
def deployment(tmp_path, monkeypatch, store):
    real = metadata.entry_points

    def entry_points(**kw):
        extra = [FAKE, FAKECITY] if kw.get("group") == "onething.domains" else []
        return [*real(**kw), *extra]

    monkeypatch.setattr("onething.plugins.metadata.entry_points", entry_points)
    monkeypatch.setenv("ONETHING_PERSON_SECRET", SECRET)
    cfg = tmp_path / "onething.toml"
    cfg.write_text(
        '[deployment]\nregion = "371500"\nlevel = "city"\ndomains = ["fake", "fakecity"]\n'
        f'[storage]\nurl = "{store.config_url}"\n',
        "utf-8",
    )
    from onething.planning import Inspector, import_pool

    departments = ("market", "fire", "housing", "transport", "hrss", "emergency")
    import_pool(
        store,
        [
            Inspector(id=f"{d}-{n}", name=f"{d}{n}", department=d, region="371500")
            for d in departments
            for n in range(4)
        ],
        "test",
    )
    return str(cfg), store


def _jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def _database_text(store) -> str:
    with store.engine.connect() as conn:
        meta = sa.MetaData()
        meta.reflect(conn)
        return "\n".join(str(list(conn.execute(t.select()).all())) for t in meta.sorted_tables)


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(people=PEOPLE, bad_name=st.text(NAME_CHARS, min_size=2, max_size=4), bad_body=BODIES)
def test_no_output_holds_a_full_id_number_or_name(
    deployment, capsys, caplog, tmp_path_factory, people, bad_name, bad_body
):
    cfg, store = deployment
    with store.engine.begin() as conn:  # each example starts from an empty registry
        for table in ("registry_relation_history", "registry_relation", "registry_history"):
            conn.execute(sa.text(f"DELETE FROM {table}"))
        conn.execute(sa.text("DELETE FROM registry_object"))
    work = tmp_path_factory.mktemp("pii")
    caplog.clear()
    ids = [resident_id(b) for _, b in people]
    good = resident_id(bad_body)
    bad_id = good[:-1] + ("0" if good[-1] != "0" else "1")  # wrong check digit
    secrets = [*ids, bad_id, good, *(n for n, _ in people), bad_name]
    base = [r for r in city_rows() if r["object_kind"] != "person"]
    persons = [obj("person", i, "driver", n) for (n, _), i in zip(people, ids, strict=True)]
    rejected = obj("person", bad_id, "driver", bad_name)
    objects = _jsonl(work / "objects.jsonl", [*base, *persons, rejected])
    texts: list[str] = []

    def cli(*args: str, expect: int = 0) -> str:
        code, out, err = run(capsys, *args, "--config", cfg)
        assert code == expect, (args, out, err)
        texts.extend((out, err))
        return out

    cli("registry", "import", str(objects), expect=1)  # the bad check digit: nothing stored
    cli(
        "registry", "import", str(objects), "--skip-invalid",
        "--rejects", str(work / "rejects.csv"), "--report", "json",
    )  # fmt: skip
    relations = _jsonl(
        work / "relations.jsonl",
        [rel("driven_by", "鲁P12345", i) for i in ids] + [rel("driven_by", "鲁P12345", good)],
    )
    cli("registry", "import-relations", str(relations), expect=1)  # no such person
    cli(
        "registry", "import-relations", str(relations), "--skip-invalid",
        "--rejects", str(work / "rel-rejects.jsonl"),
    )  # fmt: skip
    for i in ids:
        cli("registry", "show", i)
        cli("registry", "show", i, "--format", "json")
        cli("checklist", "--object", i, "--format", "json")
        cli("checklist", "--object", i, "--format", "md")
    cli("registry", "show", "鲁P12345", "--format", "json")
    cli("registry", "show", good, expect=1)  # not stored
    cli("registry", "stats", "--by", "object_kind,object_type", "--format", "json")
    cli("registry", "stats")
    out = work / "plan"
    cli(
        "plan", "--cycle", "2026Q1", "--seed", "S", "--out", str(out),
        "--checklists", "5", "--reason", "例行抽查",
    )  # fmt: skip
    cli("plan", "verify", str(out / "plan.json"))
    files = [p for p in work.rglob("*") if p.is_file() and p.name not in ("objects.jsonl",)]
    files = [p for p in files if p.name != "relations.jsonl"]  # the inputs themselves
    assert {"rejects.csv", "rel-rejects.jsonl", "plan.json", "plan.csv", "summary.html"} <= {
        p.name for p in files
    }
    texts += [p.read_text("utf-8", errors="replace") for p in files]
    texts.append(caplog.text)
    texts.append(_database_text(store))
    everything = "\n".join(texts)
    for secret in secrets:
        assert secret not in everything, secret
    # and the people are there, masked: the test looks where they would show
    assert all(f"{i[:6]}********{i[-4:]}" in everything for i in ids)


def test_a_stand_in_secret_is_only_there_while_none_is_set(monkeypatch):
    """The demo's and the test cycle's stand-in keys synthetic people only when the
    environment has no secret, and only for the block; a deployment's own is never replaced."""
    import os

    from onething.registry.personal import stand_in_secret

    env, stand_in = "ONETHING_TEST_STAND_IN", "s" * 40
    monkeypatch.delenv(env, raising=False)
    with stand_in_secret(env, stand_in) as stood:
        assert stood and os.environ[env] == stand_in
    assert env not in os.environ
    monkeypatch.setenv(env, "d" * 40)
    with stand_in_secret(env, stand_in) as stood:
        assert not stood and os.environ[env] == "d" * 40
    assert os.environ[env] == "d" * 40
