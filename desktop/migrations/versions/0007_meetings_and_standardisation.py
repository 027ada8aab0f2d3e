"""kick-off meetings recorded in full; 安全生产标准化建设 assistance records

The meetings table (服务交底会) gains the attendees by party, the topics explained and the
insured's confirmation (who, on which day); a meeting counts for the self-check only once that
confirmation is recorded. A new table holds each visit helping the insured build its
standardised site: the items checked, the advice, and the follow-up.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attendee_list", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("topics", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("confirmed_by", sa.String(length=50), server_default="",
                                      nullable=False))
        batch_op.add_column(sa.Column("confirmed_on", sa.Date(), nullable=True))

    op.create_table(
        "standardisation_assists",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("items", sa.JSON(), nullable=True),
        sa.Column("other_items", sa.String(length=200), nullable=False),
        sa.Column("advice", sa.Text(), nullable=False),
        sa.Column("follow_up_on", sa.Date(), nullable=True),
        sa.Column("follow_up_result", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"),
                  nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"),
                  nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"],
                                name=op.f("fk_standardisation_assists_created_by_id_users")),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"],
                                name=op.f("fk_standardisation_assists_project_id_projects")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_standardisation_assists")),
    )
    with op.batch_alter_table("standardisation_assists", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_standardisation_assists_project_id"), ["project_id"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("standardisation_assists", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_standardisation_assists_project_id"))
    op.drop_table("standardisation_assists")
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_column("confirmed_on")
        batch_op.drop_column("confirmed_by")
        batch_op.drop_column("topics")
        batch_op.drop_column("attendee_list")
