"""PostgreSQL least privilege as a unit of work: `apply` runs the grants script and records who
ran it in one transaction; `audit_exposure` says whether the application's own role could still
change or remove audit entries (the grants never applied, or undone)."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from desktop import pg_grants
from desktop.db import Database
from desktop.messages import Series
from desktop.services import audit, permissions
from desktop.services.context import Actor, msg

_AUDIT_TABLE = f"{pg_grants.SCHEMA}.{pg_grants.AUDIT_TABLE}"


@dataclass(frozen=True)
class GrantsResult:
    audited: bool  # the audit table existed (else run again after `init`)
    foreign_extensions: tuple[tuple[str, str], ...]  # (extension, the role owning it)
    connected_as: str  # the role that ran the script
    entry_id: int | None  # the audit entry written (None: nobody to name, no audit table)


def has_accounts(db: Database) -> bool:
    """Whether the database holds RiskDesk accounts to sign in with (False: empty or not set up)."""
    with db.engine.connect() as conn:
        if not conn.execute(text("SELECT to_regclass('public.users') IS NOT NULL")).scalar():
            return False
        return bool(conn.execute(text("SELECT count(*) FROM users WHERE deleted_at IS NULL")).scalar())


def apply(db: Database, actor: Actor | None, owner: str, app: str) -> GrantsResult:
    """Run the grants script on `db` (a superuser's connection) in one transaction, with the
    audit entry naming `actor`, the two roles and the role that ran it in that same transaction:
    the grants and their record are committed together or not at all. `actor` None only for a
    database that has no accounts yet (the caller checked `has_accounts`); nothing is recorded then.
    Raises psycopg.Error when the server refuses a statement (everything rolled back)."""
    if actor is not None:
        permissions.require(actor, "db.grants")
    steps = pg_grants.script(owner, app)
    with db.engine.connect() as conn, conn.begin():
        raw = conn.connection.dbapi_connection  # statements without parameters: '%' is literal
        assert raw is not None
        with contextlib.closing(raw.cursor()) as cur:
            cur.execute("SELECT to_regclass(%s) IS NOT NULL, current_user", (_AUDIT_TABLE,))
            row = cur.fetchone()
            audited, connected_as = bool(row and row[0]), str(row[1]) if row else ""
            for step in steps:
                cur.execute(step.sql)
            cur.execute("SELECT extname, pg_catalog.pg_get_userbyid(extowner) FROM pg_catalog.pg_extension "
                        "WHERE extname <> 'plpgsql' AND pg_catalog.pg_get_userbyid(extowner) <> %s "
                        "ORDER BY extname", (owner,))
            foreign = tuple((str(r[0]), str(r[1])) for r in cur.fetchall())
        entry_id = None
        if actor is not None and audited:
            # a session on this very connection: its INSERT joins the script's transaction
            with Session(bind=conn) as session:
                entry = audit.record(
                    session, actor, action="db_grants", entity="database", entity_id=None,
                    after={"owner_role": owner, "app_role": app, "run_as": connected_as,
                           "database": conn.execute(text("SELECT current_database()")).scalar()})
                entry_id = entry.id
    return GrantsResult(audited, foreign, connected_as, entry_id)


def audit_exposure(session: Session) -> str | None:
    """PostgreSQL: why the role this session connects as could change or remove audit entries
    (it may UPDATE the audit table or any of its columns, DELETE or TRUNCATE it, or owns it and
    may alter or drop it, or is a superuser),
    in Chinese and naming the command that fixes it; None when it cannot (or on SQLite)."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    row = session.execute(text(
        "SELECT current_user, r.rolsuper,"
        " has_any_column_privilege(CAST(:t AS regclass), 'UPDATE'),"  # a column's UPDATE too
        " has_table_privilege(CAST(:t AS regclass), 'DELETE'),"
        " has_table_privilege(CAST(:t AS regclass), 'TRUNCATE'),"
        " pg_has_role(c.relowner, 'USAGE')"
        " FROM pg_catalog.pg_class c, pg_catalog.pg_roles r"
        " WHERE c.oid = CAST(:t AS regclass) AND r.rolname = current_user"), {"t": _AUDIT_TABLE}).one_or_none()
    if row is None:
        return None
    role, superuser, update, delete, truncate, owns = row
    if superuser:
        what = msg("是超级用户，可以任意修改、删除审计记录和审计表")
    elif owns:
        what = msg("拥有审计表，可以修改、删除、清空审计记录，也可以更改或删除审计表")
    elif update or delete or truncate:
        rights = Series(n for n, on in (("UPDATE", update), ("DELETE", delete), ("TRUNCATE", truncate)) if on)
        what = msg("对审计表有 {rights} 权限，可以修改或删除审计记录", rights=rights)
    else:
        return None
    return msg("应用连接数据库所用的角色 {role} {what}（最小权限尚未设置或已被撤销）。"
               "请以超级用户运行“riskdesk db grants”，并让各台电脑以应用角色连接数据库。",
               role=role, what=what)
