"""The store migrates to the code's revision on SQLite and PostgreSQL, and says when it lags."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from onething.store import Store, StoreNotCurrent
from onething.store.registry import RegistryObject


def test_upgrade_reaches_every_head_and_is_idempotent(store):
    assert store.current() == store.heads()
    store.upgrade()
    store.ensure_current()


def test_the_migrations_have_exactly_one_head():
    """A new database has one Alembic head: every migration revises the single head before it
    (two migrations branching from the same revision fail here, not on a deployment)."""
    from alembic.script import ScriptDirectory

    store = Store("sqlite://")
    script = ScriptDirectory.from_config(store._alembic())
    assert len(script.get_heads()) == 1, script.get_heads()
    assert store.heads() == set(script.get_heads())
    revisions = list(script.walk_revisions())
    assert len({r.revision for r in revisions}) == len(revisions)


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_a_database_at_the_old_branch_heads_upgrades_to_the_one_head(tmp_path, kind):
    """A database migrated while main had one branch per area (seven heads) is moved onto the
    merge revision by ``upgrade`` with its data kept, and is current afterwards."""
    from conftest import make_store

    old_heads = [
        "0002",
        "0003",
        "0005",
        "0006",
        "0009_profile_item_domain",
        "0010_loop_due_provisional",
        "0011_publication",
    ]
    store, drop = make_store(kind, tmp_path, upgrade=False)
    try:
        for head in old_heads:
            store.upgrade(head)
        assert store.current() == set(old_heads)
        now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        with store.session() as s:
            s.add(
                RegistryObject(
                    key="K", key_kind="alt", name="n", region_code="371500", updated_at=now
                )
            )
        with pytest.raises(StoreNotCurrent):
            store.ensure_current()
        store.upgrade()
        assert store.current() == store.heads() and len(store.current()) == 1
        with store.session() as s:
            assert s.get(RegistryObject, "K") is not None
    finally:
        drop()


def test_a_session_is_one_transaction(store):
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    with pytest.raises(RuntimeError):
        with store.session() as s:
            s.add(
                RegistryObject(
                    key="A", key_kind="alt", name="n", region_code="371500", updated_at=now
                )
            )
            s.flush()
            raise RuntimeError("boom")
    with store.session() as s:
        assert s.get(RegistryObject, "A") is None


def test_an_empty_database_is_not_current(tmp_path):
    fresh = Store(f"sqlite:///{tmp_path}/empty.db")
    with pytest.raises(StoreNotCurrent, match="onething db upgrade"):
        fresh.ensure_current()
    with fresh.engine.connect() as conn:
        assert "registry_object" not in sa.inspect(conn).get_table_names()


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_the_migrations_produce_exactly_the_declared_tables(tmp_path, kind):
    """``db upgrade`` builds what the models declare — tables, columns, types, nullability,
    indexes, foreign keys — on both databases (Alembic's autogenerate comparison: a model
    changed without a migration, or a migration that differs from its model, fails here)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    from conftest import make_store
    from onething.store import tables  # noqa: F401  (every table on the metadata)

    store, drop = make_store(kind, tmp_path)
    try:
        with store.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, SQLModel.metadata) == []
    finally:
        drop()


def test_db_current_and_history_say_what_the_database_has(tmp_path, capsys):
    """``db current`` exits 1 while the database lags, 0 once upgraded; ``db history`` lists
    every migration and which are applied (#30)."""
    import json

    from cli_support import run

    cfg = tmp_path / "onething.toml"
    cfg.write_text(
        '[deployment]\nregion = "371500"\nlevel = "city"\ndomains = []\n'
        f'[storage]\nurl = "sqlite:///{tmp_path}/t.db"\n',
        "utf-8",
    )
    code, out, _ = run(capsys, "db", "current", "--config", str(cfg))
    assert code == 1 and "当前版本：（空）" in out and "onething db upgrade" in out
    code, out, _ = run(capsys, "db", "history", "--config", str(cfg), "--format", "json")
    rows = json.loads(out)
    assert code == 0 and rows[0]["revision"] == "0001" and not any(r["applied"] for r in rows)
    assert run(capsys, "db", "upgrade", "--config", str(cfg))[0] == 0
    code, out, _ = run(capsys, "db", "current", "--config", str(cfg))
    assert code == 0 and "已是最新版本" in out
    _, out, _ = run(capsys, "db", "history", "--config", str(cfg), "--format", "json")
    after = json.loads(out)
    assert [r["revision"] for r in after] == [r["revision"] for r in rows]
    assert all(r["applied"] for r in after) and all(r["doc"] for r in after)
