"""phones paired to the capture page and the hazard drafts they send

Revision ID: 0018
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "capture_devices",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("pairing_hash", sa.String(length=64), nullable=True),
        sa.Column("pairing_expires_at", sa.DateTime(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("paired_at", sa.DateTime(), nullable=True),
        sa.Column("expires_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("last_seen_at", sa.DateTime(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"),
                  nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_capture_devices_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_capture_devices")),
        sa.UniqueConstraint("pairing_hash", name=op.f("uq_capture_devices_pairing_hash")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_capture_devices_token_hash")),
    )
    with op.batch_alter_table("capture_devices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_capture_devices_user_id"), ["user_id"], unique=False)
    op.create_table(
        "capture_drafts",
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("inspection_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("catalogue_item_id", sa.Integer(), nullable=True),
        sa.Column("found_at", sa.DateTime(), nullable=False),
        sa.Column("photos", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reject_reason", sa.Text(), nullable=False),
        sa.Column("hazard_id", sa.Integer(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"),
                  nullable=False),
        sa.ForeignKeyConstraint(["device_id"], ["capture_devices.id"],
                                name=op.f("fk_capture_drafts_device_id_capture_devices")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_capture_drafts_user_id_users")),
        sa.ForeignKeyConstraint(["inspection_id"], ["inspections.id"],
                                name=op.f("fk_capture_drafts_inspection_id_inspections")),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"],
                                name=op.f("fk_capture_drafts_project_id_projects")),
        sa.ForeignKeyConstraint(["catalogue_item_id"], ["catalogue_items.id"],
                                name=op.f("fk_capture_drafts_catalogue_item_id_catalogue_items")),
        sa.ForeignKeyConstraint(["hazard_id"], ["hazards.id"],
                                name=op.f("fk_capture_drafts_hazard_id_hazards")),
        sa.ForeignKeyConstraint(["decided_by_id"], ["users.id"],
                                name=op.f("fk_capture_drafts_decided_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_capture_drafts")),
        sa.UniqueConstraint("device_id", "client_id", name=op.f("uq_capture_drafts_device_id_client_id")),
    )
    with op.batch_alter_table("capture_drafts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_capture_drafts_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("capture_drafts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_capture_drafts_status"))
    op.drop_table("capture_drafts")
    with op.batch_alter_table("capture_devices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_capture_devices_user_id"))
    op.drop_table("capture_devices")
