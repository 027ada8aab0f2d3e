"""catalogue editions side by side: in-force date, checked against the official text, item links

A catalogue edition gets its in-force date (施行日期: a hazard found from that day is judged
against it by default), whether its text has been checked against the official one (an edition
an administrator imports starts unchecked, 未核对原文, until one marks it checked — who and when
kept), and who imported it. `catalogue_item_links` keeps which item of an older edition a newer
edition carries on (as the newer file says, or where the text is identical). Existing editions
take their issue date as in-force date and count as checked: they are the bundled files.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ADD COLUMN, no batch copy: rebuilding `catalogues` would drop a table that
    # catalogue_items and hazards refer to, which SQLite refuses with foreign keys on. The two
    # user columns carry no foreign key for the same reason (SQLite adds no constraint to a
    # table, nor drops a referencing column); the audit log names the users as well.
    op.add_column("catalogues", sa.Column("in_force", sa.Date(), nullable=True))
    op.add_column("catalogues", sa.Column("text_checked", sa.Boolean(), server_default=sa.true(),
                                          nullable=False))
    op.add_column("catalogues", sa.Column("imported_by_id", sa.Integer(), nullable=True))
    op.add_column("catalogues", sa.Column("checked_by_id", sa.Integer(), nullable=True))
    op.add_column("catalogues", sa.Column("checked_at", sa.DateTime(), nullable=True))
    op.execute("UPDATE catalogues SET in_force = issued WHERE in_force IS NULL")
    op.create_table(
        "catalogue_item_links",
        sa.Column("from_item_id", sa.Integer(), nullable=False),
        sa.Column("to_item_id", sa.Integer(), nullable=False),
        sa.Column("basis", sa.String(length=20), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["from_item_id"], ["catalogue_items.id"],
                                name=op.f("fk_catalogue_item_links_from_item_id_catalogue_items")),
        sa.ForeignKeyConstraint(["to_item_id"], ["catalogue_items.id"],
                                name=op.f("fk_catalogue_item_links_to_item_id_catalogue_items")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalogue_item_links")),
        sa.UniqueConstraint("from_item_id", "to_item_id",
                            name=op.f("uq_catalogue_item_links_from_item_id_to_item_id")),
    )
    with op.batch_alter_table("catalogue_item_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_catalogue_item_links_from_item_id"), ["from_item_id"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_catalogue_item_links_to_item_id"), ["to_item_id"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("catalogue_item_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_catalogue_item_links_to_item_id"))
        batch_op.drop_index(batch_op.f("ix_catalogue_item_links_from_item_id"))
    op.drop_table("catalogue_item_links")
    for column in ("checked_at", "checked_by_id", "imported_by_id", "text_checked", "in_force"):
        op.drop_column("catalogues", column)  # ALTER TABLE … DROP COLUMN (SQLite 3.35+)
