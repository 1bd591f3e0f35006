"""registry: applicability profiles replace the per-object membership and object–item rows

Every object points to a profile (its memberships and applicable items); the stored mapping
moves from one row per (object, item) to one row per (profile, item). Existing rows are
converted: each object gets the profile of its stored memberships and items.

Revision ID: 0007
Revises: 0001
"""

import datetime as dt

import sqlalchemy as sa
from alembic import op

from onething.registry.profiles import signature

revision = "0007"
down_revision = "0001"
branch_labels = ("profiles",)
depends_on = None

BATCH = 5000

_profile = sa.table(
    "registry_profile", sa.column("id"), sa.column("signature"), sa.column("created_on")
)
_member = sa.table(
    "registry_profile_member",
    sa.column("profile_id"),
    sa.column("domain"),
    sa.column("object_type"),
)
_item = sa.table(
    "registry_profile_item", sa.column("profile_id"), sa.column("item_code"), sa.column("domain")
)
_object = sa.table("registry_object", sa.column("key"), sa.column("profile_id"))


def _create_profile_tables() -> None:
    op.create_table(
        "registry_profile",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("signature", sa.String(64), nullable=False, unique=True),
        sa.Column("created_on", sa.Date, nullable=False),
    )
    for name, column, length in (
        ("registry_profile_member", "object_type", 64),
        ("registry_profile_item", "item_code", 32),
    ):
        op.create_table(
            name,
            sa.Column(
                "profile_id",
                sa.Integer,
                sa.ForeignKey("registry_profile.id", ondelete="CASCADE"),
                primary_key=True,
            ),
            sa.Column("domain", sa.String(32), primary_key=(column == "object_type")),
            sa.Column(column, sa.String(length), primary_key=True),
        )
    op.create_index(
        "ix_profile_member_domain_type", "registry_profile_member", ["domain", "object_type"]
    )
    op.create_index("ix_profile_item_item", "registry_profile_item", ["item_code"])


def _convert(conn: sa.Connection) -> None:
    """Give every stored object the profile of its old membership and object–item rows."""
    ids: dict[str, int] = {}
    today = dt.date.today()
    last = None
    while True:
        q = sa.select(_object.c.key).order_by(_object.c.key).limit(BATCH)
        if last is not None:
            q = q.where(_object.c.key > last)
        keys = list(conn.execute(q).scalars())
        if not keys:
            return
        members: dict[str, set] = {k: set() for k in keys}
        items: dict[str, set] = {k: set() for k in keys}
        in_keys = sa.bindparam("keys", expanding=True)
        for k, d, t in conn.execute(
            sa.text(
                "SELECT key, domain, object_type FROM registry_membership WHERE key IN :keys"
            ).bindparams(in_keys),
            {"keys": keys},
        ):
            members[k].add((d, t))
        for k, d, c in conn.execute(
            sa.text(
                "SELECT key, domain, item_code FROM registry_object_item WHERE key IN :keys"
            ).bindparams(in_keys),
            {"keys": keys},
        ):
            items[k].add((d, c))
        moves = []
        for k in keys:
            sig = signature(members[k], items[k])
            if sig not in ids:
                pid = conn.execute(
                    sa.insert(_profile)
                    .values(signature=sig, created_on=today)
                    .returning(_profile.c.id)
                ).scalar_one()
                ids[sig] = pid
                if members[k]:
                    conn.execute(
                        sa.insert(_member),
                        [{"profile_id": pid, "domain": d, "object_type": t}
                         for d, t in sorted(members[k])],
                    )  # fmt: skip
                if items[k]:
                    conn.execute(
                        sa.insert(_item),
                        [{"profile_id": pid, "domain": d, "item_code": c}
                         for d, c in sorted(items[k])],
                    )  # fmt: skip
            moves.append({"k": k, "p": ids[sig]})
        conn.execute(
            sa.update(_object)
            .where(_object.c.key == sa.bindparam("k"))
            .values(profile_id=sa.bindparam("p")),
            moves,
        )
        last = keys[-1]


def upgrade() -> None:
    conn = op.get_bind()
    _create_profile_tables()
    if conn.dialect.name == "sqlite":  # SQLite adds a referencing column only inline
        op.execute(
            "ALTER TABLE registry_object ADD COLUMN profile_id INTEGER "
            "REFERENCES registry_profile (id)"
        )
    else:
        op.add_column("registry_object", sa.Column("profile_id", sa.Integer))
        op.create_foreign_key(
            "registry_object_profile_id_fkey",
            "registry_object",
            "registry_profile",
            ["profile_id"],
            ["id"],
        )
    op.create_index("ix_registry_object_profile_id", "registry_object", ["profile_id"])
    _convert(conn)
    op.drop_table("registry_object_item")
    op.drop_table("registry_membership")


def downgrade() -> None:
    # The old rows are kept aside first: dropping the column rebuilds registry_object on
    # SQLite, which would cascade to tables referencing it.
    op.execute(
        "CREATE TABLE _membership_old AS SELECT o.key, m.domain, m.object_type "
        "FROM registry_object o JOIN registry_profile_member m ON m.profile_id = o.profile_id"
    )
    op.execute(
        "CREATE TABLE _object_item_old AS SELECT o.key, i.item_code, i.domain, p.created_on "
        "FROM registry_object o JOIN registry_profile_item i ON i.profile_id = o.profile_id "
        "JOIN registry_profile p ON p.id = o.profile_id"
    )
    op.drop_index("ix_registry_object_profile_id", "registry_object")
    with op.batch_alter_table("registry_object") as batch:
        batch.drop_column("profile_id")
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
    op.execute(
        "INSERT INTO registry_membership (key, domain, object_type) "
        "SELECT key, domain, object_type FROM _membership_old"
    )
    op.execute(
        "INSERT INTO registry_object_item (key, item_code, domain, computed_on) "
        "SELECT key, item_code, domain, created_on FROM _object_item_old"
    )
    op.drop_table("_membership_old")
    op.drop_table("_object_item_old")
    for table in ("registry_profile_item", "registry_profile_member", "registry_profile"):
        op.drop_table(table)
