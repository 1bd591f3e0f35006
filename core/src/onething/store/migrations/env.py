"""Alembic environment: the engine comes from :class:`onething.store.Store`."""

from alembic import context
from sqlmodel import SQLModel

from onething.store import tables  # noqa: F401  (registers every table on the metadata)

engine = context.config.attributes["engine"]
with engine.begin() as connection:
    if connection.dialect.name == "sqlite":
        # Take the write lock before reading the revision: concurrent upgrades then wait their
        # turn (the busy timeout) and find the work done, instead of one failing mid-migration
        # with "database is locked" when its read snapshot turns stale. It also makes the whole
        # upgrade one transaction, as on PostgreSQL.
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    context.run_migrations()
