"""Alembic migrations. SCHEMA_HEAD names the newest revision so start-up can tell whether a
database is current without importing Alembic (a test keeps it equal to Alembic's head)."""

SCHEMA_HEAD = "0024"
