"""service jobs carry the process that runs them and its heartbeat, so a job whose process
ended is reported failed (interrupted) instead of running forever

Revision ID: 0015_job_owner
Revises: 0014_outbox
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_job_owner"
down_revision = "0014_outbox"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("service_job") as t:
        t.add_column(sa.Column("owner", sa.String(160)))
        t.add_column(sa.Column("heartbeat_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    with op.batch_alter_table("service_job") as t:
        t.drop_column("heartbeat_at")
        t.drop_column("owner")
