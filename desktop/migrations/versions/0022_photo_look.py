"""a stored photo's look (dHash) kept on its attachment

Near-duplicate detection compares a phone's photo with the hazard photos stored for the
project. Their dHash was taken from each print copy when first needed and remembered only in
memory, so every program start paid it again for every stored photo. It is now kept on the
attachment (16 hex digits: a 64-bit value fits no signed SQL integer), taken when a photo is
stored. Rows stored before stay empty here: the inbox fills them the first time it compares
with them (services/exchange/photo_similar.py), once. Files that are not photos stay empty.

Revision ID: 0022
Revises: 0019
"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("attachments") as batch:
        batch.add_column(sa.Column("dhash", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("attachments") as batch:
        batch.drop_column("dhash")
