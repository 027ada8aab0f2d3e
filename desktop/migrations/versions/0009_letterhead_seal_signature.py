"""the agency's seal image and letterhead line, and each user's signature image

The logo already had its column (agency_profile.logo_sha256). The seal and a user's signature
are kept the same way: the SHA-256 of a normalised PNG in the attachment store. The letterhead
line is the small line printed under the agency's name on every page (address, telephone…).

Revision ID: 0009
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("agency_profile") as batch:
        batch.add_column(sa.Column("seal_sha256", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("letterhead", sa.String(length=200), nullable=False,
                                   server_default=""))
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("signature_sha256", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("signature_sha256")
    with op.batch_alter_table("agency_profile") as batch:
        batch.drop_column("letterhead")
        batch.drop_column("seal_sha256")
