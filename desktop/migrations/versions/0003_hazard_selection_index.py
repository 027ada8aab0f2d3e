"""hazards chosen by project, date, status and closing time from the index alone

The (project_id, found_date) index on live hazards grows to (project_id, found_date, status,
closed_at). A review package (and any period's hazard list) takes the hazards found in the
period or still open at its start, or closed during it: with status and closed_at in the index,
SQLite tests every candidate there and reads only the rows it keeps — on the 1,000,000-hazard
benchmark database, 47,838 rows instead of 132,000 (bench/results/data.md). The register's
project filter sorted by date uses the longer index as it used the shorter one.

Revision ID: 0003
Revises: 0002
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

LIVE: dict[str, Any] = {"sqlite_where": sa.text("deleted_at IS NULL"),
        "postgresql_where": sa.text("deleted_at IS NULL")}
OLD, OLD_COLUMNS = "ix_hazards_project_id_found_date", ["project_id", "found_date"]
NEW = "ix_hazards_project_id_found_date_status_closed_at"
NEW_COLUMNS = ["project_id", "found_date", "status", "closed_at"]


def upgrade() -> None:
    op.create_index(NEW, "hazards", NEW_COLUMNS, unique=False, **LIVE)
    op.drop_index(OLD, table_name="hazards", **LIVE)
    bind = op.get_bind()
    if bind.dialect.name == "sqlite" and bind.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").first():
        # statistics exist for the other indexes (PRAGMA optimize made them): give the new one
        # its own, or the planner may weigh it against the others on guesses
        bind.exec_driver_sql(f"ANALYZE {NEW}")


def downgrade() -> None:
    op.create_index(OLD, "hazards", OLD_COLUMNS, unique=False, **LIVE)
    op.drop_index(NEW, table_name="hazards", **LIVE)
