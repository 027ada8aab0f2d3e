"""Developer tool: autogenerate a migration from the ORM against a database at head.

    .venv/bin/python tools/make_migration.py "what changed"
"""

import sys
import tempfile
from pathlib import Path

from alembic import command

from desktop.db import Database


def main() -> None:
    message = sys.argv[1] if len(sys.argv) > 1 else "schema change"
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{Path(tmp) / 'head.sqlite3'}")
        db.migrate(backup=False) if list(Path(db._alembic_config(None).get_main_option("script_location"), "versions").glob("*.py")) else None
        with db.engine.begin() as conn:
            command.revision(db._alembic_config(conn), message=message, autogenerate=True)
        db.dispose()


if __name__ == "__main__":
    main()
