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
