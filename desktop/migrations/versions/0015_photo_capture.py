"""where and when a photo was taken, kept on its attachment

A photo imported from a phone's folder carries its capture time (EXIF DateTimeOriginal, else the
time in the file's name, else the file's own time — `taken_source` says which: exif / name /
file) and, when the phone recorded it, the place (decimal degrees). Documents print them under
the photo. All four are empty for files stored before and for files without the data.

Revision ID: 0015
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0009"
branch_labels = None
depends_on = None

COLUMNS = ("taken_at", "taken_source", "latitude", "longitude")


def upgrade() -> None:
    with op.batch_alter_table("attachments") as batch:
        batch.add_column(sa.Column("taken_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("taken_source", sa.String(length=10), nullable=True))
        batch.add_column(sa.Column("latitude", sa.Float(), nullable=True))
        batch.add_column(sa.Column("longitude", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("attachments") as batch:
        for name in reversed(COLUMNS):
            batch.drop_column(name)
