"""planning: inspector pools, plans, visits, assignments, draw audit log

Revision ID: 0005
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from onething.store.types import JSON

revision = "0005"
down_revision = "0001"
branch_labels = ("planning",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "planning_inspector",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String, nullable=False),
        sa.Column("department", sa.String(32), nullable=False, index=True),
        sa.Column("region_code", sa.String(6), nullable=False),
        sa.Column("law_enforcement", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("qualifications", JSON, nullable=False),
        sa.Column("conflicts", JSON, nullable=False),
        sa.Column("max_visits", sa.Integer),
        sa.Column("source", sa.String, nullable=False, server_default=""),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "planning_plan",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("cycle", sa.String(16), nullable=False, index=True),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("seed", sa.String, nullable=False),
        sa.Column("algorithm", sa.String(32), nullable=False),
        sa.Column("population_sha256", sa.String(64), nullable=False),
        sa.Column("plan_sha256", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String, nullable=False),
        sa.Column("reason", sa.String, nullable=False, server_default=""),
        sa.Column("inputs", JSON, nullable=False),
    )
    op.create_table(
        "planning_visit",
        sa.Column(
            "plan_id",
            sa.Integer,
            sa.ForeignKey("planning_plan.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("visit_id", sa.String(160), primary_key=True),
        sa.Column("key", sa.String(64), nullable=False),
    )
    op.create_index("ix_planning_visit_key", "planning_visit", ["key"])
    op.create_table(
        "planning_assignment",
        sa.Column(
            "plan_id",
            sa.Integer,
            sa.ForeignKey("planning_plan.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("visit_id", sa.String(160), primary_key=True),
        sa.Column("inspector_id", sa.String(64), primary_key=True),
        sa.Column("department", sa.String(32), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
    )
    op.create_index("ix_planning_assignment_key", "planning_assignment", ["key"])
    op.create_table(
        "planning_draw",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("plan_id", sa.Integer, sa.ForeignKey("planning_plan.id")),
        sa.Column("cycle", sa.String(16), nullable=False),
        sa.Column("seed", sa.String, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("who", sa.String, nullable=False),
        sa.Column("why", sa.String, nullable=False, server_default=""),
        sa.Column("population_sha256", sa.String(64), nullable=False),
        sa.Column("plan_sha256", sa.String(64), nullable=False, server_default=""),
        sa.Column("outcome", sa.String, nullable=False, server_default=""),
    )


def downgrade() -> None:
    for table in (
        "planning_draw",
        "planning_assignment",
        "planning_visit",
        "planning_plan",
        "planning_inspector",
    ):
        op.drop_table(table)
