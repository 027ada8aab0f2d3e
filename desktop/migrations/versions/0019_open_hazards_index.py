"""the open hazards in date order from one partial index (the register's overdue view)

The overdue view (and "open only") filters on status IN the four open states and deadline,
sorted by found date: no index served both, so SQLite gathered every match through the
(status, deadline, found_date) index and sorted them in a temporary B-tree — for every
keyset page of ids. This index holds only the live open hazards, in (found_date, id) order
with the deadline beside: each page is one ordered range scan of it. The query names the
open hazards as this WHERE does — status NOT IN the two final states, as literals
(services/queries/register.py) — which lets SQLite match the index's WHERE, and which no other
index can search on, so the planner cannot prefer one of them and sort.

Revision ID: 0019
Revises: 0018
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

NAME = "ix_hazards_open_found_date"
WHERE = "deleted_at IS NULL AND status NOT IN ('closed', 'cancelled')"


def upgrade() -> None:
    op.create_index(NAME, "hazards", ["found_date", "id", "deadline"], unique=False,
                    sqlite_where=sa.text(WHERE), postgresql_where=sa.text(WHERE))
    bind = op.get_bind()
    if bind.dialect.name == "sqlite" and bind.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").first():
        # without its own statistics the planner weighs the new index on guesses and keeps
        # the (status, deadline, found_date) index and its sort
        bind.exec_driver_sql(f"ANALYZE {NAME}")


def downgrade() -> None:
    op.drop_index(NAME, table_name="hazards", sqlite_where=sa.text(WHERE),
                  postgresql_where=sa.text(WHERE))
