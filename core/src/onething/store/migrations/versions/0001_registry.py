"""registry: objects, memberships, history, imports, object–item mapping, item state

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from onething.store.types import JSON

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "registry_import",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("file", sa.String, nullable=False),
        sa.Column("format", sa.String(8), nullable=False),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        *(
            sa.Column(c, sa.Integer, nullable=False, server_default="0")
            for c in ("rows", "inserted", "updated", "unchanged", "rejected", "flagged")
        ),
    )
    op.create_table(
        "registry_object",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("key_kind", sa.String(8), nullable=False),
        sa.Column("checksum_ok", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("name", sa.String, nullable=False),
        sa.Column("region_code", sa.String(6), nullable=False, index=True),
        sa.Column("address", sa.String, nullable=False, server_default=""),
        sa.Column("credit_grade", sa.String(8)),
        sa.Column("risk_grade", sa.String(8)),
        sa.Column("domains", JSON, nullable=False),
        sa.Column("licences", JSON, nullable=False),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("import_id", sa.Integer, sa.ForeignKey("registry_import.id")),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "registry_membership",
        sa.Column(
            "key",
            sa.String(64),
            sa.ForeignKey("registry_object.key", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("domain", sa.String(32), primary_key=True),
        sa.Column("object_type", sa.String(64), primary_key=True),
    )
    op.create_index("ix_membership_domain_type", "registry_membership", ["domain", "object_type"])
    op.create_table(
        "registry_history",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(64), nullable=False, index=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("import_id", sa.Integer, sa.ForeignKey("registry_import.id")),
        sa.Column("data", JSON, nullable=False),
    )
    op.create_table(
        "registry_object_item",
        sa.Column(
            "key",
            sa.String(64),
            sa.ForeignKey("registry_object.key", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("item_code", sa.String(32), primary_key=True),
        sa.Column("domain", sa.String(32), nullable=False, index=True),
        sa.Column("computed_on", sa.Date, nullable=False),
    )
    op.create_index("ix_object_item_item", "registry_object_item", ["item_code"])
    op.create_table(
        "registry_item_state",
        sa.Column("item_code", sa.String(32), primary_key=True),
        sa.Column("domain", sa.String(32), nullable=False, index=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("object_types", JSON, nullable=False),
        sa.Column("computed_on", sa.Date, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "registry_item_state",
        "registry_object_item",
        "registry_history",
        "registry_membership",
        "registry_object",
        "registry_import",
    ):
        op.drop_table(table)
