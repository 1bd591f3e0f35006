"""exchange: last exported state per target, kind and record; results imported from a target

Revision ID: 0013_exchange
Revises: 0012_merge_heads
"""

import sqlalchemy as sa
from alembic import op

from onething.store.types import JSON

revision = "0013_exchange"
down_revision = "0012_merge_heads"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "exchange_export",
        sa.Column("target", sa.String(32), primary_key=True),
        sa.Column("kind", sa.String(32), primary_key=True),
        sa.Column("record_id", sa.String(36), primary_key=True),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("envelope", JSON, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "exchange_result",
        sa.Column(
            "record_id",
            sa.String(64),
            sa.ForeignKey("inspection_record.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("target", sa.String(32), nullable=False),
        sa.Column("outcome", sa.String(32), nullable=False),
        sa.Column("row", JSON, nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("file", sa.String, nullable=False),
        sa.Column("line", sa.Integer, nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("exchange_result")
    op.drop_table("exchange_export")
