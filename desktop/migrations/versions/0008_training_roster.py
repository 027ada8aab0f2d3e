"""training by person: a roster per session and the session's content (培训内容)

`training_attendees` holds one named person per line of a session's sign-in sheet, for one
project: name, group (manager / worker), optional phone, ID number (text) and unit, and the
key that identifies the person across sessions (ID number, else name + phone, else name).
`training_sessions.content` is what was taught, apart from the materials list.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("training_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("content", sa.Text(), server_default="", nullable=False))
    op.create_table(
        "training_attendees",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("staff_group", sa.String(length=10), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("unit", sa.String(length=100), nullable=False),
        sa.Column("person_key", sa.String(length=120), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"],
                                name=op.f("fk_training_attendees_project_id_projects")),
        sa.ForeignKeyConstraint(["session_id"], ["training_sessions.id"],
                                name=op.f("fk_training_attendees_session_id_training_sessions"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_attendees")),
        sa.UniqueConstraint("session_id", "project_id", "person_key",
                            name=op.f("uq_training_attendees_session_id_project_id_person_key")),
    )
    with op.batch_alter_table("training_attendees", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_training_attendees_project_id"), ["project_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_training_attendees_session_id"), ["session_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("training_attendees", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_training_attendees_session_id"))
        batch_op.drop_index(batch_op.f("ix_training_attendees_project_id"))
    op.drop_table("training_attendees")
    with op.batch_alter_table("training_sessions", schema=None) as batch_op:
        batch_op.drop_column("content")
