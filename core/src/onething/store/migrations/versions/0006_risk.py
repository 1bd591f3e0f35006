"""risk: facts with history, warnings (one open per object and rule), grade history

Revision ID: 0006
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from onething.store.types import JSON

revision = "0006"
down_revision = "0001"
branch_labels = ("risk",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "risk_fact",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("fact", sa.String(64), nullable=False),
        sa.Column("value", JSON),
        sa.Column("observed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("batch", sa.String(64), nullable=False),
    )
    op.create_index("ix_fact_key_fact_time", "risk_fact", ["key", "fact", "observed_at"])
    op.create_index("ix_fact_fact_time", "risk_fact", ["fact", "observed_at"])
    op.create_table(
        "risk_warning",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(64), nullable=False, index=True),
        sa.Column("rule_id", sa.String(96), nullable=False),
        sa.Column("domain", sa.String(32), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("offsite", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("opened_on", sa.Date, nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("observed", JSON),
        sa.Column("threshold", JSON),
        sa.Column("reason", sa.String, nullable=False, server_default=""),
        sa.Column("case_id", sa.String(64)),
        sa.Column("closed_at", sa.DateTime(timezone=True)),
        sa.Column("closed_reason", sa.String),
    )
    op.create_index(
        "ux_warning_open",
        "risk_warning",
        ["key", "rule_id"],
        unique=True,
        sqlite_where=sa.text("closed_at IS NULL"),
        postgresql_where=sa.text("closed_at IS NULL"),
    )
    op.create_table(
        "risk_grade",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(64), nullable=False, index=True),
        sa.Column("graded_on", sa.Date, nullable=False),
        sa.Column("credit_grade", sa.String(8), nullable=False),
        sa.Column("credit_source", sa.String(16), nullable=False),
        sa.Column("risk_grade", sa.String(8), nullable=False),
        sa.Column("stratum", sa.String(16), nullable=False),
        sa.Column("explanation", JSON, nullable=False),
    )


def downgrade() -> None:
    for table in ("risk_grade", "risk_warning", "risk_fact"):
        op.drop_table(table)
