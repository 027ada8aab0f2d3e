"""Alembic environment: always driven from desktop.db with a connection passed in."""

from alembic import context
from sqlalchemy.sql.schema import SchemaItem

from desktop.models import Base

target_metadata = Base.metadata


def include_object(obj: SchemaItem, name: str | None, type_: str, reflected: bool,
                   compare_to: SchemaItem | None) -> bool:
    # full-text search tables and their shadow tables are managed by hand in migrations
    if type_ == "table" and name and name.startswith("hazards_fts"):
        return False
    if type_ == "index" and name and name.endswith("_trgm"):
        return False
    return True


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("desktop migrations run only through desktop.db.Database.migrate()")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        include_object=include_object,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
