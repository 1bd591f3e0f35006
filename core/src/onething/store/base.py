"""The store: engine, sessions, migrations."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine
from sqlmodel import Session

from ..errors import OnethingError


class StoreNotCurrent(OnethingError):
    """The database is not at the code's schema revision: run ``onething db upgrade``."""


def _engine(url: str, connect_args: dict[str, Any] | None = None) -> Engine:
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": 30, **(connect_args or {})})

        @sa.event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # integrity and concurrency on SQLite
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.close()

        return engine
    return sa.create_engine(url, connect_args=connect_args or {}, pool_pre_ping=True)


class Store:
    """One database. ``Store(url)``; ``store.upgrade()``; ``with store.session() as s: …``."""

    def __init__(self, url: str, *, connect_args: dict[str, Any] | None = None):
        self.url = url
        self.engine = _engine(url, connect_args)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    # -- migrations ---------------------------------------------------------------------------

    def _alembic(self) -> Config:
        cfg = Config()
        cfg.set_main_option(
            "script_location", str(resources.files("onething.store") / "migrations")
        )
        cfg.attributes["engine"] = self.engine
        return cfg

    def heads(self) -> set[str]:
        return set(ScriptDirectory.from_config(self._alembic()).get_heads())

    def current(self) -> set[str]:
        with self.engine.connect() as conn:
            return set(MigrationContext.configure(conn).get_current_heads())

    def upgrade(self, target: str = "heads") -> None:
        """Bring the schema to the code's revision (idempotent)."""
        command.upgrade(self._alembic(), target)

    def ensure_current(self) -> None:
        """:raises StoreNotCurrent: when the database lags the code (or is empty)."""
        current, heads = self.current(), self.heads()
        if current != heads:
            raise StoreNotCurrent(
                f"database {self.engine.url.render_as_string(hide_password=True)} is at revision "
                f"{sorted(current) or 'none'}, the code needs {sorted(heads)}: run `onething db upgrade`"
            )

    # -- sessions -----------------------------------------------------------------------------

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on any error."""
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        self.engine.dispose()
