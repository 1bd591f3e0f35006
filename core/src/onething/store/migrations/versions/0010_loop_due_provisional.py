"""loop: ``loop_case.due_provisional`` — the deadline was counted in working days across a
year whose holidays the calendar did not know (Monday to Friday stood in; ``onething.workdays``)

Stored with the deadline, so the mark stays true of that deadline after the calendar learns
the year. Existing cases: false (until now every deadline was counted Monday to Friday, but
none was marked; re-date them if it matters).

Revision ID: 0010_loop_due_provisional
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_loop_due_provisional"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("loop_case") as batch:
        batch.add_column(
            sa.Column("due_provisional", sa.Boolean, nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("loop_case") as batch:
        batch.drop_column("due_provisional")
