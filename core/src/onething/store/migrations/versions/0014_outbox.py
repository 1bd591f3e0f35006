"""outbox: events out in the transaction that made them, each webhook's delivery cursor, and the
service's long jobs

Revision ID: 0014_outbox
Revises: 0013_exchange
"""

import sqlalchemy as sa
from alembic import op

from onething.store.types import JSON

revision = "0014_outbox"
down_revision = "0013_exchange"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox_event",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(128), nullable=False, unique=True),
        sa.Column("type", sa.String(32), nullable=False, index=True),
        sa.Column("subject", sa.String(96), nullable=False),
        sa.Column("data", JSON, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "outbox_cursor",
        sa.Column("webhook", sa.String(64), primary_key=True),
        sa.Column("last_id", sa.Integer, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_at", sa.DateTime(timezone=True)),
        sa.Column("last_error", sa.Text),
        sa.Column("lease_owner", sa.String(64)),
        sa.Column("lease_until", sa.DateTime(timezone=True)),
        sa.Column("delivered", sa.Integer, nullable=False),
    )
    op.create_table(
        "service_job",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("done", sa.Integer, nullable=False),
        sa.Column("total", sa.Integer),
        sa.Column("subject", sa.String(128)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("result", JSON),
        sa.Column("problem", JSON),
    )


def downgrade() -> None:
    op.drop_table("service_job")
    op.drop_table("outbox_cursor")
    op.drop_table("outbox_event")
