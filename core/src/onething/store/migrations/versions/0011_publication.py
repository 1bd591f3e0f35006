"""publication: every version of every published record, its state and redactions

Revision ID: 0011_publication
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from onething.store.types import JSON

revision = "0011_publication"
down_revision = "0001"
branch_labels = ("publication",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "publication_entry",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(160), nullable=False, index=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("rule", sa.String(64), nullable=False),
        sa.Column("domain", sa.String(32), nullable=False),
        sa.Column("record", sa.String(24), nullable=False),
        sa.Column("object_key", sa.String(64), nullable=False, index=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("content", JSON, nullable=False),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("redactions", JSON, nullable=False),
        sa.Column("decided_on", sa.Date, nullable=False),
        sa.Column("due_on", sa.Date, nullable=False),
        sa.Column("published_on", sa.Date, nullable=False),
        sa.Column("display_to", sa.Date),
        sa.Column("ended_on", sa.Date),
        sa.Column("end_reason", sa.String(24)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("key", "version", name="uq_publication_key_version"),
    )
    op.create_index("ix_publication_status", "publication_entry", ["status"])


def downgrade() -> None:
    op.drop_index("ix_publication_status", "publication_entry")
    op.drop_table("publication_entry")
