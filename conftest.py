"""Shared fixtures. The fake domain (tests/fake_domain) is the worked example plugin; it is
not installed: tests enable it through faked entry points, as pytest tests its own discovery."""

from __future__ import annotations

import os
import shutil
import sys
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).parent / "tests" / "fake_domain"))
sys.path.insert(0, str(Path(__file__).parent / "tests" / "support"))

from fake_support import FAKE  # importable once the path above is set


@pytest.fixture(autouse=True, scope="session")
def _own_cache_dir(tmp_path_factory):
    """The record of validations that passed (:mod:`onething.schemas.validated`) lives in a
    folder of the test session, never in the user's cache (CLI subprocesses inherit it)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ONETHING_CACHE_DIR", str(tmp_path_factory.mktemp("onething-cache")))
        yield


@pytest.fixture(autouse=True)
def _chinese_by_default():
    """Every test starts and ends in the default language, whatever it switched to."""
    from onething.i18n import set_language

    set_language("zh")
    yield
    set_language("zh")


@pytest.fixture
def english():
    """The test reads messages in English (``--lang en``); Chinese again after it."""
    from onething.i18n import set_language

    set_language("en")


@pytest.fixture
def chinese():
    """The test reads messages in Chinese, in a module that reads them in English."""
    from onething.i18n import set_language

    set_language("zh")


@pytest.fixture
def fake_domains():
    from onething import enable

    return enable(["fake"], entry_points=[FAKE])


@pytest.fixture
def city(monkeypatch):
    """A rulebook of the fake domain and the fakecity domain (object kinds and relations,
    ``tests/fake_domain/onething_fakecity``), with the deployment secret that keys persons."""
    from city_support import SECRET
    from fake_support import FAKECITY

    from onething import Rulebook, enable

    monkeypatch.setenv("ONETHING_PERSON_SECRET", SECRET)
    return Rulebook(enable(["fake", "fakecity"], entry_points=[FAKE, FAKECITY]))


# -- storage: every storage test runs on SQLite and on the real PostgreSQL --------------------

PG_URL = os.environ.get("ONETHING_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def make_store(kind: str, tmp_path, *, upgrade: bool = True):
    """A fresh store, migrated unless ``upgrade`` is false: a SQLite file, or a PostgreSQL
    schema of its own. ``store.config_url`` is a ``storage.url`` that reaches the same data (a
    CLI test's config)."""
    from onething.store import Store

    if kind == "sqlite":
        store = Store(f"sqlite:///{tmp_path}/onething.db")
        store.config_url = store.url
        if upgrade:
            store.upgrade()
        return store, lambda: store.dispose()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    store = Store(PG_URL, connect_args={"options": f"-csearch_path={schema}"})
    store.config_url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    if upgrade:
        store.upgrade()

    def drop():
        store.dispose()
        with admin.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()

    return store, drop


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory):
    """One migrated SQLite file; each test gets a copy (migrating per test is slow)."""
    path = tmp_path_factory.mktemp("template") / "onething.db"
    _, cleanup = make_store("sqlite", path.parent)
    cleanup()
    return path


@pytest.fixture(scope="session")
def _pg_session_store(tmp_path_factory):
    """One migrated PostgreSQL schema for the session; tests empty it after use."""
    store, cleanup = make_store("postgresql", tmp_path_factory.mktemp("pg"))
    store.seeds = _seeds(store)
    yield store
    cleanup()


def _seeds(store) -> dict[str, list[dict]]:
    """Rows the migrations themselves insert (e.g. the audit chain's head), by table."""
    with store.engine.connect() as conn:
        meta = sa.MetaData()
        meta.reflect(conn)
        return {
            name: [dict(r) for r in conn.execute(table.select()).mappings()]
            for name, table in meta.tables.items()
            if name != "alembic_version"
        }


def _reset(store, seeds: dict[str, list[dict]]) -> None:
    """Back to the freshly migrated state: delete every row, put the seed rows back (cheaper
    than TRUNCATE or a new schema for the few rows a test leaves)."""
    with store.engine.begin() as conn:
        meta = sa.MetaData()
        meta.reflect(conn)
        conn.execute(sa.text("SET LOCAL session_replication_role = replica"))  # skip FK order
        for name, rows in seeds.items():
            conn.execute(meta.tables[name].delete())
            if rows:
                conn.execute(meta.tables[name].insert(), rows)


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    """A migrated, empty store, once on SQLite and once on PostgreSQL (CI's 127.0.0.1:5432)."""
    from onething.store import Store

    if request.param == "sqlite":
        path = tmp_path / "onething.db"
        shutil.copyfile(request.getfixturevalue("_sqlite_template"), path)
        s = Store(f"sqlite:///{path}")
        s.config_url = s.url
        yield s
        s.dispose()
        return
    s = request.getfixturevalue("_pg_session_store")
    yield s
    s.engine.dispose()  # connections a test left open must not block the reset
    _reset(s, s.seeds)
