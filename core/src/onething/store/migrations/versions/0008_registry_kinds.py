"""registry: object kinds and typed, dated relations between objects

``registry_object`` gains ``object_kind`` (existing rows are businesses) and ``display_key``
(a person's masked ID number; the key is then its keyed hash); ``registry_import.mode``
widens to 32 characters (``relations:all_or_nothing``). ``registry_relation`` holds one
row per (type, source, target, valid_from) with its version; ``registry_relation_history``
the earlier states an import replaced.

Revision ID: 0008_registry_kinds
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

from onething.store.types import JSON

revision = "0008_registry_kinds"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("registry_object") as batch:
        batch.add_column(
            sa.Column("object_kind", sa.String(32), nullable=False, server_default="business")
        )
        batch.add_column(sa.Column("display_key", sa.String(64), nullable=True))
    with op.batch_alter_table("registry_import") as batch:  # relations:all_or_nothing
        batch.alter_column("mode", type_=sa.String(32), existing_type=sa.String(16))
    op.create_index("ix_registry_object_object_kind", "registry_object", ["object_kind"])
    op.create_table(
        "registry_relation",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("source_key", sa.String(64), nullable=False),
        sa.Column("target_key", sa.String(64), nullable=False),
        sa.Column("valid_from", sa.Date, nullable=False),
        sa.Column("valid_to", sa.Date, nullable=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("import_id", sa.Integer, sa.ForeignKey("registry_import.id"), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint(
            "type", "source_key", "target_key", "valid_from", name="uq_registry_relation"
        ),
    )
    op.create_index("ix_registry_relation_source_key", "registry_relation", ["source_key"])
    op.create_index("ix_registry_relation_target_key", "registry_relation", ["target_key"])
    op.create_table(
        "registry_relation_history",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("relation_id", sa.Integer, nullable=False, index=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("import_id", sa.Integer, sa.ForeignKey("registry_import.id"), nullable=True),
        sa.Column("data", JSON, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("registry_relation_history")
    op.drop_table("registry_relation")
    op.drop_index("ix_registry_object_object_kind", "registry_object")
    with op.batch_alter_table("registry_import") as batch:
        batch.alter_column("mode", type_=sa.String(16), existing_type=sa.String(32))
    with op.batch_alter_table("registry_object") as batch:
        batch.drop_column("display_key")
        batch.drop_column("object_kind")
