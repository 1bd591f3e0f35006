"""Storage on SQLModel: a SQLite file by default, PostgreSQL by URL, the same code.

Every table is created by an Alembic migration (``onething db upgrade``), never by
``create_all``, so a deployment's schema is always a known revision. Engines open sessions
through :class:`Store`; each engine keeps its tables in its own module under ``store/``.
"""

from .base import Store, StoreNotCurrent, StoreUnreachable

__all__ = ["Store", "StoreNotCurrent", "StoreUnreachable"]
