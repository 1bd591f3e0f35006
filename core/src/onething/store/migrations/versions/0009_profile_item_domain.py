"""registry: ``registry_profile_item.domain`` is NOT NULL, as the model declares

0007 created it nullable; every row it or the importer wrote has a domain (the migration
meta-test compares the migrated schema with the models and found the difference).

Revision ID: 0009_profile_item_domain
Revises: 0008_registry_kinds
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_profile_item_domain"
down_revision = "0008_registry_kinds"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("registry_profile_item") as batch:
        batch.alter_column("domain", existing_type=sa.String(32), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("registry_profile_item") as batch:
        batch.alter_column("domain", existing_type=sa.String(32), nullable=True)
