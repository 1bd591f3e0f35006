"""records: inspection records, evidence per element, findings

Revision ID: 0003
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from onething.store.types import JSON

revision = "0003"
down_revision = "0001"
branch_labels = ("records",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inspection_record",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("object_key", sa.String(64), nullable=False, index=True),
        sa.Column("visited_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("on", sa.Date, nullable=False),
        sa.Column("inspectors", JSON, nullable=False),
        sa.Column("items", JSON, nullable=False),
        sa.Column("remarks", sa.String, nullable=False, server_default=""),
        sa.Column("attachments", JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "inspection_evidence",
        sa.Column(
            "record_id",
            sa.String(64),
            sa.ForeignKey("inspection_record.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("element", sa.String(32), primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("canonical", sa.String(64), nullable=False, index=True),
        sa.Column("items", JSON, nullable=False),
        sa.Column("departments", JSON, nullable=False),
        sa.Column("evidence", JSON, nullable=True),
        sa.Column("result", sa.String(16), nullable=False),
        sa.Column("reasons", JSON, nullable=False),
        sa.Column("remark", sa.String, nullable=False, server_default=""),
        sa.Column("attachments", JSON, nullable=False),
    )
    op.create_table(
        "inspection_finding",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "record_id",
            sa.String(64),
            sa.ForeignKey("inspection_record.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("object_key", sa.String(64), nullable=False),
        sa.Column("element", sa.String(32), nullable=False),
        sa.Column("canonical", sa.String(64), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("items", JSON, nullable=False),
        sa.Column("departments", JSON, nullable=False),
        sa.Column("basis", JSON, nullable=False),
        sa.Column("found_on", sa.Date, nullable=False),
        sa.Column("evidence", JSON, nullable=True),
        sa.Column("remark", sa.String, nullable=False, server_default=""),
    )
    op.create_index("ix_finding_object_day", "inspection_finding", ["object_key", "found_on"])


def downgrade() -> None:
    op.drop_index("ix_finding_object_day", "inspection_finding")
    for table in ("inspection_finding", "inspection_evidence", "inspection_record"):
        op.drop_table(table)
