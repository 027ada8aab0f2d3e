"""Least privilege on PostgreSQL: an owner role for migrations, an application role for the work.

`script(owner, app)` is the SQL, one statement per item with the comment that explains it;
`riskdesk db grants` runs it (or prints it for a DBA's psql), and
`resources/sql/grants.sql` is the same script for the default role names. It is safe to run
again, and must be run again after every upgrade that adds a table
(the default privileges cover new tables, but only this script makes the audit log
append-only for the application role).

The application role can read, insert, update and delete the rows of the business tables, may
only read and insert into the audit log (`audit_log`: no UPDATE, DELETE or TRUNCATE), may only
read the schema version (`alembic_version`), may use the sequences, and may not create, alter or
drop anything (no CREATE on the schema, no TEMPORARY on the database, owns nothing).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

log = logging.getLogger("desktop.pg_grants")

SCHEMA = "public"
AUDIT_TABLE = "audit_log"  # desktop.models.AuditEntry.__tablename__ (not imported: no SQLAlchemy)
VERSION_TABLE = "alembic_version"
DEFAULT_OWNER = "riskdesk_owner"
DEFAULT_APP = "riskdesk_app"
_ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


@dataclass(frozen=True)
class Step:
    comment: str
    sql: str


def role_problem(name: str) -> str | None:
    """Why `name` cannot be used as a role name here, or None."""
    if not _ROLE_NAME.fullmatch(name):
        return f"角色名“{name}”无效：只能用小写英文字母、数字和下划线，以字母或下划线开头，最长 63 个字符"
    if name.startswith("pg_"):
        return f"角色名“{name}”无效：pg_ 开头的名称由 PostgreSQL 保留"
    return None


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def _revoke_audit(app: str) -> str:
    return (f"REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON "
            f"{_ident(SCHEMA)}.{_ident(AUDIT_TABLE)} FROM {_ident(app)}")


def _revoke_version(app: str) -> str:
    return f"REVOKE INSERT, UPDATE, DELETE ON {_ident(SCHEMA)}.{_ident(VERSION_TABLE)} FROM {_ident(app)}"


def script(owner: str = DEFAULT_OWNER, app: str = DEFAULT_APP) -> list[Step]:
    """The statements, in order. Role names are checked (`role_problem`) and quoted."""
    for name in (owner, app):
        problem = role_problem(name)
        if problem:
            raise ValueError(problem)
    if owner == app:
        raise ValueError("所有者角色与应用角色不能是同一个角色")
    o, a, lo, la = _ident(owner), _ident(app), _literal(owner), _literal(app)
    s = _ident(SCHEMA)
    return [
        Step("The two roles, made when missing (LOGIN, no password: set one with \\password).\n"
             "The application role must not be the role running this script.",
             f"DO $$ BEGIN\n"
             f"  IF {la} = current_user THEN\n"
             f"    RAISE EXCEPTION 'the application role must not be the role running this script';\n"
             f"  END IF;\n"
             f"  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = {lo}) THEN\n"
             f"    CREATE ROLE {o} LOGIN;\n"
             f"  END IF;\n"
             f"  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = {la}) THEN\n"
             f"    CREATE ROLE {a} LOGIN;\n"
             f"  END IF;\n"
             f"END $$"),
        Step("The application role holds no special attribute.",
             f"ALTER ROLE {a} NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"),
        Step("This database: both connect; only the owner may create schemas, extensions and\n"
             "temporary tables (PUBLIC loses TEMPORARY and CREATE here).",
             f"DO $$ BEGIN\n"
             f"  EXECUTE format('REVOKE CREATE, TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());\n"
             f"  EXECUTE format('REVOKE CREATE, TEMPORARY ON DATABASE %I FROM {a}', current_database());\n"
             f"  EXECUTE format('GRANT CONNECT, CREATE, TEMPORARY ON DATABASE %I TO {o}', current_database());\n"
             f"  EXECUTE format('GRANT CONNECT ON DATABASE %I TO {a}', current_database());\n"
             f"END $$"),
        Step("The schema: the owner creates in it, the application only uses it.",
             f"REVOKE CREATE ON SCHEMA {s} FROM PUBLIC"),
        Step("", f"GRANT USAGE, CREATE ON SCHEMA {s} TO {o}"),
        Step("", f"REVOKE CREATE ON SCHEMA {s} FROM {a}"),
        Step("", f"GRANT USAGE ON SCHEMA {s} TO {a}"),
        Step("Existing tables, views and free-standing sequences pass to the owner (a table's\n"
             "own sequences follow it), so that later migrations may alter them.",
             f"DO $$ DECLARE r record; BEGIN\n"
             f"  FOR r IN SELECT c.relname, c.relkind FROM pg_catalog.pg_class c\n"
             f"      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace\n"
             f"      WHERE n.nspname = {_literal(SCHEMA)} AND c.relkind IN ('r', 'p', 'v', 'm', 'S')\n"
             f"        AND c.relowner <> (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = {lo})\n"
             f"        AND NOT (c.relkind = 'S' AND EXISTS (SELECT FROM pg_catalog.pg_depend d\n"
             f"          WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid\n"
             f"            AND d.deptype IN ('a', 'i')))\n"
             f"  LOOP\n"
             f"    EXECUTE format('ALTER %s %I.%I OWNER TO {o}',\n"
             f"      CASE r.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW'\n"
             f"        WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END, {_literal(SCHEMA)}, r.relname);\n"
             f"  END LOOP;\n"
             f"END $$"),
        Step("The application's rights on what exists: the rows of every table, the sequences.",
             f"REVOKE ALL ON ALL TABLES IN SCHEMA {s} FROM {a}"),
        Step("", f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {s} TO {a}"),
        Step("", f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {s} TO {a}"),
        Step("The audit log is append-only for the application (read and add; never change,\n"
             "remove or empty); only the owner stamps the schema version.",
             f"DO $$ BEGIN\n"
             f"  IF to_regclass({_literal(SCHEMA + '.' + AUDIT_TABLE)}) IS NOT NULL THEN\n"
             f"    {_revoke_audit(app)};\n"
             f"  END IF;\n"
             f"  IF to_regclass({_literal(SCHEMA + '.' + VERSION_TABLE)}) IS NOT NULL THEN\n"
             f"    {_revoke_version(app)};\n"
             f"  END IF;\n"
             f"END $$"),
        Step("Tables and sequences that later migrations create (as the owner) get the same rights.",
             f"ALTER DEFAULT PRIVILEGES FOR ROLE {o} IN SCHEMA {s}\n"
             f"  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {a}"),
        Step("", f"ALTER DEFAULT PRIVILEGES FOR ROLE {o} IN SCHEMA {s}\n"
                 f"  GRANT USAGE, SELECT ON SEQUENCES TO {a}"),
    ]


HEADER = """\
-- RiskDesk on PostgreSQL: least privilege.
--   owner role {owner}: owns the tables; RiskDesk's migrations connect as it
--                       (setting migration_database_url), and so does restore (pg_restore).
--   application role {app}: what every desk connects as (database_url); reads and
--                       writes rows, only adds to the audit log, cannot change the schema.
-- Run as a superuser, connected to the RiskDesk database, after `riskdesk init` and again
-- after every upgrade:  psql -d DATABASE -f grants.sql   (or: riskdesk db grants)
-- Then give both roles a password (\\password {owner}; \\password {app}) and put the
-- passwords in each desk's pgpass file, never in settings.json.
-- Generated by `riskdesk db grants --owner {owner} --app {app} --print`.
"""


def render(owner: str = DEFAULT_OWNER, app: str = DEFAULT_APP) -> str:
    """The script as one text for psql (comments, statements ending in ';')."""
    parts = [HEADER.format(owner=owner, app=app).rstrip("\n")]
    for step in script(owner, app):
        if step.comment:
            parts.append("\n" + "\n".join(f"-- {line}" for line in step.comment.splitlines()))
        parts.append(step.sql + ";")
    return "\n".join(parts) + "\n"


def reprotect_after_restore(owner_url: str, app_url: str) -> list[str]:
    """After `pg_restore` as the owner: the tables it made got the owner's default privileges
    (every write for the application role) and the backup's own grants on top; take UPDATE,
    DELETE and TRUNCATE of the audit log (and writes of the schema version) back from the
    application role of `app_url`. Nothing to do when both addresses name one role. Returns
    warnings (the data is restored whatever happens here)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    from desktop.db import Database, DataError, translate_error
    from desktop.messages import msg

    app, owner = make_url(app_url).username, make_url(owner_url).username
    if not app or app == owner:
        return []
    db = Database(owner_url)
    try:
        with db.engine.begin() as conn:
            conn.exec_driver_sql(_revoke_audit(app))
            conn.exec_driver_sql(_revoke_version(app))
    except (SQLAlchemyError, DataError) as exc:
        mapped = translate_error(exc)
        reason = mapped.message if mapped is not None else str(exc).splitlines()[0]
        log.error("audit log not made append-only again after the restore: %s", reason)
        return [msg("恢复已完成，但未能重新收回应用角色 {role} 修改审计记录的权限（{reason}）。"
                    "请以超级用户运行 riskdesk db grants。", role=app, reason=reason)]
    finally:
        db.dispose()
    return []
