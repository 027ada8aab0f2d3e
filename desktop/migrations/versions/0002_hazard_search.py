"""full-text search over hazard description and location

SQLite: an FTS5 table with the trigram tokenizer kept in step by triggers (queries of one
or two characters go to the base table, see services.search). PostgreSQL: pg_trgm GIN
indexes. Neither is part of the ORM metadata; env.include_object leaves them out of
autogenerate.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SQLITE_UP = [
    """CREATE VIRTUAL TABLE hazards_fts USING fts5(
        description, location, content='hazards', content_rowid='id', tokenize='trigram')""",
    """CREATE TRIGGER hazards_fts_ai AFTER INSERT ON hazards BEGIN
        INSERT INTO hazards_fts(rowid, description, location)
        VALUES (new.id, new.description, new.location);
    END""",
    """CREATE TRIGGER hazards_fts_ad AFTER DELETE ON hazards BEGIN
        INSERT INTO hazards_fts(hazards_fts, rowid, description, location)
        VALUES ('delete', old.id, old.description, old.location);
    END""",
    """CREATE TRIGGER hazards_fts_au AFTER UPDATE OF description, location ON hazards BEGIN
        INSERT INTO hazards_fts(hazards_fts, rowid, description, location)
        VALUES ('delete', old.id, old.description, old.location);
        INSERT INTO hazards_fts(rowid, description, location)
        VALUES (new.id, new.description, new.location);
    END""",
    "INSERT INTO hazards_fts(hazards_fts) VALUES ('rebuild')",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS hazards_fts_au",
    "DROP TRIGGER IF EXISTS hazards_fts_ad",
    "DROP TRIGGER IF EXISTS hazards_fts_ai",
    "DROP TABLE IF EXISTS hazards_fts",
]
PG_UP = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS hazards_description_trgm ON hazards USING gin (description gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS hazards_location_trgm ON hazards USING gin (location gin_trgm_ops)",
]
PG_DOWN = [
    "DROP INDEX IF EXISTS hazards_location_trgm",
    "DROP INDEX IF EXISTS hazards_description_trgm",
]


def _run(statements: list[str]) -> None:
    for sql in statements:
        op.execute(sql)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _run(SQLITE_UP)
    elif dialect == "postgresql":
        _run(PG_UP)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _run(SQLITE_DOWN)
    elif dialect == "postgresql":
        _run(PG_DOWN)
