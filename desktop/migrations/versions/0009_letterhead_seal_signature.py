"""the agency's seal image and letterhead line, and each user's signature image

The logo already had its column (agency_profile.logo_sha256). The seal and a user's signature
are kept the same way: the SHA-256 of a normalised PNG in the attachment store. The letterhead
line is the small line printed under the agency's name on every page (address, telephone…).

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ADD COLUMN (SQLite does it in place): a batch copy of `users` would have to drop a
    # table other tables' foreign keys point at
    op.add_column("agency_profile", sa.Column("seal_sha256", sa.String(length=64), nullable=True))
    op.add_column("agency_profile", sa.Column("letterhead", sa.String(length=200), nullable=False,
                                              server_default=""))
    op.add_column("users", sa.Column("signature_sha256", sa.String(length=64), nullable=True))


def downgrade() -> None:
    op.drop_column("users", "signature_sha256")
    op.drop_column("agency_profile", "letterhead")
    op.drop_column("agency_profile", "seal_sha256")
