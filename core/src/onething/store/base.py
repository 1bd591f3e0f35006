"""The store: engine, sessions, migrations."""

from __future__ import annotations

import time
import zlib
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
from ..i18n import _
from .revisions_zh import DOCS_ZH


class StoreNotCurrent(OnethingError):
    """The database is not at the code's schema revision: run ``onething db upgrade``."""


class StoreUnreachable(OnethingError):
    """The database cannot be opened: no server there, refused credentials, a SQLite file in a
    directory that does not exist. Nothing was read or written."""


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

    else:
        engine = sa.create_engine(url, connect_args=connect_args or {}, pool_pre_ping=True)

    @sa.event.listens_for(engine, "handle_error")
    def _unreachable(ctx: sa.engine.ExceptionContext) -> None:
        # No connection and no statement: the failure was opening the connection itself.
        if ctx.connection is None and ctx.statement is None and not ctx.is_pre_ping:
            reason = str(ctx.original_exception).strip().splitlines()[0]
            shown = engine.url.render_as_string(hide_password=True)
            raise StoreUnreachable(
                _(f"无法连接数据库 {shown}：{reason}", f"cannot open database {shown}: {reason}")
            ) from ctx.original_exception

    return engine


class Store:
    """One database. ``Store(url)``; ``store.upgrade()``; ``with store.session() as s: …``."""

    def __init__(self, url: str, *, connect_args: dict[str, Any] | None = None):
        self.url = url
        self.connect_args = connect_args or {}
        self.engine = _engine(url, connect_args)
        self._heads: frozenset[str] | None = None

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
        """The code's migration heads (read once: the scripts do not change while it runs)."""
        if self._heads is None:
            self._heads = frozenset(ScriptDirectory.from_config(self._alembic()).get_heads())
        return set(self._heads)

    def history(self) -> list[tuple[str, tuple[str, ...], str, bool]]:
        """Every migration, oldest first: ``(revision, down revisions, its docstring's first
        paragraph, applied to this database)``."""
        script = ScriptDirectory.from_config(self._alembic())
        current = self.current()
        applied: set[str] = set()
        for rev in current:  # a revision is applied when it is a current head or below one
            applied |= {r.revision for r in script.iterate_revisions(rev, "base")}
        out = []
        for rev in reversed(list(script.walk_revisions())):
            down = rev.down_revision
            downs = () if down is None else (down,) if isinstance(down, str) else tuple(down)
            doc = " ".join((rev.doc or "").strip().split("\n\n")[0].split()).replace("``", "")
            doc = _(DOCS_ZH.get(rev.revision, doc), doc)
            out.append((rev.revision, downs, doc, rev.revision in applied))
        return out

    def current(self) -> set[str]:
        with self.engine.connect() as conn:
            return set(MigrationContext.configure(conn).get_current_heads())

    def upgrade(self, target: str = "heads") -> None:
        """Bring the schema to the code's revision (idempotent). Two processes upgrading an
        empty database at once: the loser's migration fails on the winner's tables; once the
        winner has stamped the revision the loser wanted, the loser succeeds too."""
        try:
            command.upgrade(self._alembic(), target)
        except sa.exc.DBAPIError:
            if target != "heads":
                raise
            for _ in range(150):  # the winner's migrations take well under the 30 s waited
                try:
                    if self.current() == self.heads():
                        return
                except sa.exc.DBAPIError:  # the winner's tables not yet committed (PostgreSQL)
                    pass
                time.sleep(0.2)
            raise

    def ensure_current(self) -> None:
        """:raises StoreNotCurrent: when the database lags the code (or is empty)."""
        current, heads = self.current(), self.heads()
        if current != heads:
            url = self.engine.url.render_as_string(hide_password=True)
            raise StoreNotCurrent(
                _(
                    f"数据库 {url} 的迁移版本为 {sorted(current) or '（空）'}，代码需要 "
                    f"{sorted(heads)}：请运行 `onething db upgrade`",
                    f"database {url} is at revision {sorted(current) or 'none'}, the code needs "
                    f"{sorted(heads)}: run `onething db upgrade`",
                )
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

    def serialize(self, session: Session, name: str) -> None:
        """Make ``session``'s transaction the only one doing ``name`` until it ends: two runs
        of the same work (two ``risk evaluate``, say) then follow each other instead of both
        acting on what neither has yet written. Call it before the transaction reads."""
        if self.dialect == "postgresql":
            key = zlib.crc32(name.encode())  # advisory-lock key: stable across processes
            session.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})
        else:  # SQLite: a write, even of no row, takes the database's one write lock
            session.execute(sa.text("UPDATE alembic_version SET version_num = version_num WHERE 0"))

    def dispose(self) -> None:
        self.engine.dispose()
