"""Alembic environment: the engine comes from :class:`onething.store.Store`."""

from alembic import context
from sqlmodel import SQLModel

from onething.store import tables  # noqa: F401  (registers every table on the metadata)

engine = context.config.attributes["engine"]
with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    context.run_migrations()
