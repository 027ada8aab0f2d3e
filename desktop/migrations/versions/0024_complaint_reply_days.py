"""a complaint keeps the number of working days its reply was given

A complaint's reply deadline was stored only as a date, counted once under the holiday data of
the day it was recorded. When that data later grew — a newer `chinesecalendar` knowing the next
year's State Council notice — the stored date kept the Monday–Friday guess and its flag went,
since the flag is worked out when read. The number of working days (10, or 30 where facts must
be checked, as the agency rule said when the complaint was recorded) is now kept, and the date
is counted from it under the holiday data of the day it is read (services/complaints.py);
`reply_due` stays as that count's last result, for the queries that select by it.

Rows recorded before take the agency rule's present value for their kind: the days they were
given unless the rule has changed since.

Revision ID: 0024
Revises: 0023
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

DEFAULT = {"normal": 10, "checking": 30}


def _limits() -> dict[str, int]:
    settings = sa.table("app_settings", sa.column("key", sa.String), sa.column("value", sa.JSON))
    value = op.get_bind().execute(sa.select(settings.c.value).where(
        settings.c.key == "complaint.reply_working_days")).scalar_one_or_none()
    if isinstance(value, str):  # a JSON column read through a plain table may come back as text
        value = json.loads(value)
    out = dict(DEFAULT)
    if isinstance(value, dict):
        out.update({k: int(v) for k, v in value.items() if k in DEFAULT})
    return out


def upgrade() -> None:
    with op.batch_alter_table("complaints") as batch:
        batch.add_column(sa.Column("reply_days", sa.Integer(), nullable=True))
    limits = _limits()
    complaints = sa.table("complaints", sa.column("needs_checking", sa.Boolean),
                          sa.column("reply_days", sa.Integer))
    op.execute(complaints.update().values(reply_days=sa.case(
        (complaints.c.needs_checking.is_(True), limits["checking"]), else_=limits["normal"])))
    with op.batch_alter_table("complaints") as batch:
        batch.alter_column("reply_days", existing_type=sa.Integer(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("complaints") as batch:
        batch.drop_column("reply_days")
