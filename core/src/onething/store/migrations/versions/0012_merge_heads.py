"""merge: the per-area branches from 0001 joined into one linear head

Every migration after this one revises the single head (``onething db history`` shows it); a
database stamped at the old heads is moved onto this revision by ``onething db upgrade`` with
no schema change.

Revision ID: 0012_merge_heads
Revises: 0002, 0003, 0005, 0006, 0009_profile_item_domain, 0010_loop_due_provisional,
    0011_publication
"""

revision = "0012_merge_heads"
down_revision = (
    "0002",
    "0003",
    "0005",
    "0006",
    "0009_profile_item_domain",
    "0010_loop_due_provisional",
    "0011_publication",
)
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
