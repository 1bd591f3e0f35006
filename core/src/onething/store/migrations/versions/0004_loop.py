"""loop: cases, steps, hash-chained audit log, tasks, ingested events

Revision ID: 0004
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from onething.store.types import JSON

revision = "0004"
down_revision = "0001"
branch_labels = ("loop",)
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "loop_case",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("domain", sa.String(32), nullable=False, index=True),
        sa.Column("object_key", sa.String(64), nullable=False, index=True),
        sa.Column("region_code", sa.String(6), nullable=False, index=True),
        sa.Column("state", sa.String(64), nullable=False),
        sa.Column("owner", sa.String(32), nullable=False),
        sa.Column("source_kind", sa.String(16), nullable=False),
        sa.Column("source_ref", sa.String),
        sa.Column("risk_rule", sa.String(96), index=True),
        sa.Column("severity", sa.String(16)),
        sa.Column("facts", JSON, nullable=False),
        sa.Column("last_transition", sa.String(64)),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("opened_at", TS, nullable=False),
        sa.Column("entered_at", TS, nullable=False),
        sa.Column("due_at", TS),
        sa.Column("closed_at", TS),
    )
    op.create_index("ix_loop_case_state", "loop_case", ["state", "domain"])
    op.create_table(
        "loop_step",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("loop_case.id"), nullable=False, index=True),
        sa.Column("domain", sa.String(32), nullable=False),
        sa.Column("state", sa.String(64), nullable=False),
        sa.Column("stage", sa.String(32), nullable=False),
        sa.Column("owner", sa.String(32), nullable=False),
        sa.Column("via", sa.String(64)),
        sa.Column("entered_at", TS, nullable=False),
        sa.Column("due_at", TS),
        sa.Column("left_at", TS),
    )
    op.create_table(
        "loop_audit",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("case_id", sa.Integer, index=True),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_table(
        "loop_audit_head",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.bulk_insert(
        sa.table(
            "loop_audit_head",
            sa.column("id", sa.Integer),
            sa.column("seq", sa.Integer),
            sa.column("hash", sa.String),
        ),
        [{"id": 1, "seq": 0, "hash": "0" * 64}],
    )
    op.create_table(
        "loop_task",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("domain", sa.String(32), nullable=False),
        sa.Column("object_key", sa.String(64), nullable=False, index=True),
        sa.Column("region_code", sa.String(6), nullable=False),
        sa.Column("item", sa.String(32)),
        sa.Column("due_on", sa.Date, nullable=False),
        sa.Column("status", sa.String(8), nullable=False, server_default="open"),
        sa.Column("reason", sa.String),
        sa.Column("event_id", sa.String(64)),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("closed_at", TS),
    )
    op.create_table(
        "loop_event",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("file", sa.String, nullable=False),
        sa.Column("line", sa.Integer, nullable=False),
        sa.Column("applied_at", TS, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "loop_event",
        "loop_task",
        "loop_audit_head",
        "loop_audit",
        "loop_step",
        "loop_case",
    ):
        op.drop_table(table)
