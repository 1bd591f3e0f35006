"""items: related-list history and imported item lists

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from onething.store.types import JSON

revision = "0002"
down_revision = "0001"
branch_labels = ("items",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "items_related_import",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False, index=True),
        sa.Column("file", sa.String, nullable=False),
        sa.Column("format", sa.String(8), nullable=False),
        sa.Column("as_of", sa.Date, nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        *(
            sa.Column(c, sa.Integer, nullable=False, server_default="0")
            for c in ("rows", "added", "removed", "changed", "unchanged")
        ),
    )
    op.create_table(
        "items_related_entry",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("name", sa.String, nullable=False),
        sa.Column("department", sa.String(32)),
        sa.Column("domain", sa.String(32)),
        sa.Column("data", JSON, nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("valid_from", sa.Date, nullable=False),
        sa.Column("valid_to", sa.Date),
        sa.Column(
            "import_id", sa.Integer, sa.ForeignKey("items_related_import.id"), nullable=False
        ),
        sa.Column("ended_import_id", sa.Integer, sa.ForeignKey("items_related_import.id")),
        sa.UniqueConstraint("kind", "code", "version", name="uq_related_entry_version"),
    )
    op.create_index("ix_related_entry_open", "items_related_entry", ["kind", "valid_to"])
    op.create_table(
        "items_list_import",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("file", sa.String, nullable=False),
        sa.Column("format", sa.String(8), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rows", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_table(
        "items_list_row",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "import_id",
            sa.Integer,
            sa.ForeignKey("items_list_import.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("sheet", sa.String(64), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("data", JSON, nullable=False),
    )
    op.create_index("ix_items_list_row_sheet", "items_list_row", ["import_id", "sheet", "seq"])


def downgrade() -> None:
    op.drop_table("items_list_row")
    op.drop_table("items_list_import")
    op.drop_index("ix_related_entry_open", "items_related_entry")
    op.drop_table("items_related_entry")
    op.drop_table("items_related_import")
