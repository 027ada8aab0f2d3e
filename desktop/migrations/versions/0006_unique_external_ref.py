"""a hazard's external reference unique within its project

Two imports of one field team's list running at the same moment could both find a number
absent and both write it. The database now refuses the second copy: a unique index on
(project_id, external_ref); hazards recorded by hand have no external reference (NULL) and
any number of them may share a project. The policy number is already unique across all
insurers (0001, `uq_policies_policy_no`), so per insurer too.

A database that already holds such copies keeps the external reference on the earliest
hazard of each (project, reference) and clears it on the later ones before the index is
made; their "imported" events still name the original number, file, sheet and row.

Revision ID: 0006
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0004"
branch_labels = None
depends_on = None

NAME = "uq_hazards_project_id_external_ref"


def upgrade() -> None:
    hazards = sa.table("hazards", sa.column("id", sa.Integer), sa.column("project_id", sa.Integer),
                       sa.column("external_ref", sa.String))
    first = (sa.select(sa.func.min(hazards.c.id))
             .where(hazards.c.external_ref.is_not(None))
             .group_by(hazards.c.project_id, hazards.c.external_ref))
    op.execute(hazards.update()
               .where(hazards.c.external_ref.is_not(None), hazards.c.id.not_in(first))
               .values(external_ref=None))
    op.create_index(NAME, "hazards", ["project_id", "external_ref"], unique=True)


def downgrade() -> None:
    op.drop_index(NAME, table_name="hazards")
