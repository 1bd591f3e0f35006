"""a plan's stored visits carry their item codes, so a visit's joint checklist (the console's,
a host's) is the visit's own — a split visit (e.g. an unannounced fire check) has only its items

Revision ID: 0016_visit_items
Revises: 0015_job_owner
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0016_visit_items"
down_revision = "0015_job_owner"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("planning_visit") as t:
        t.add_column(sa.Column("items", sa.JSON().with_variant(postgresql.JSONB(), "postgresql")))


def downgrade() -> None:
    with op.batch_alter_table("planning_visit") as t:
        t.drop_column("items")
