"""Column types shared by the table modules."""

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

#: JSON on SQLite, JSONB on PostgreSQL.
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
