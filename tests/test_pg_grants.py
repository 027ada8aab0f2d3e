"""Least privilege on PostgreSQL: the application role may only add to the audit log, may not
change the schema, and connects with the password from libpq's password file alone.

Run against the server named by RISKDESK_TEST_PG_URL (a superuser, as .ci/run makes it);
skipped without one. Each test makes its own database and roles and drops them."""

from __future__ import annotations

import os
import uuid

import pytest

from desktop import pgpass
from desktop.cli import main
from tests.cli_users import login_options

PG_URL = os.environ.get("RISKDESK_TEST_PG_URL", "")

pytestmark = pytest.mark.skipif(not PG_URL, reason="RISKDESK_TEST_PG_URL not set")

DENIED = "42501"  # insufficient_privilege


@pytest.fixture
def server(tmp_path, monkeypatch):
    """A scratch database (optionally a copy of the migrated template), an owner and an app
    role with passwords in a pgpass file of this test's own; everything dropped after."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "pgpass"))
    monkeypatch.delenv("PGPASSWORD", raising=False)
    admin_url = make_url(PG_URL).set(drivername="postgresql+psycopg")
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    tag = uuid.uuid4().hex[:8]
    owner, app, name = f"rd_owner_{tag}", f"rd_app_{tag}", f"riskdesk_g{tag}"
    made: list[str] = []

    class Server:
        def database(self, template: str | None = None) -> str:
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
            made.append(name)
            self.admin_url = admin_url.set(database=name).render_as_string(hide_password=False)
            return self.admin_url

        def role_url(self, role: str) -> str:
            """The role's address without a password: libpq finds it in the pgpass file."""
            return f"postgresql://{role}@{admin_url.host}:{admin_url.port or 5432}/{name}"

        def set_passwords(self) -> None:
            with admin.connect() as conn:
                for role in (owner, app):
                    password = f"pw-{role}"
                    conn.execute(text(f'ALTER ROLE "{role}" PASSWORD \'{password}\''))
                    pgpass.store(pgpass.Entry(admin_url.host, str(admin_url.port or 5432), name,
                                              role, password))

        def grants(self, url: str, *login: str) -> int:
            return main(["--data-dir", str(tmp_path / "data"), "db", "grants",
                         "--owner", owner, "--app", app, "--url", url, *login])

    srv = Server()
    srv.owner, srv.app = owner, app
    yield srv
    with admin.connect() as conn:
        for database in made:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        for role in (app, owner):
            conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
    admin.dispose()


def sqlstate(exc: BaseException) -> str | None:
    orig = getattr(exc, "orig", exc)
    return getattr(orig, "sqlstate", None)


def test_the_app_role_may_only_add_to_the_audit_log(server, _pg_template, tmp_path, capsys):
    from sqlalchemy import text
    from sqlalchemy.exc import ProgrammingError

    from desktop.db import Database
    from desktop.services import audit, users
    from desktop.services.context import Actor

    admin_url = server.database(template=_pg_template)  # tables owned by the superuser
    assert server.grants(admin_url) == 0
    out = capsys.readouterr().out
    assert "已设置数据库角色" in out
    assert "扩展 pg_trgm 属于角色" in out  # made by the superuser: the owner could not restore it
    server.set_passwords()
    db = Database(server.role_url(server.app))
    try:
        # the application's normal write path: a row, its audit entry, one transaction
        with db.session() as session:
            row = users.create_user(session, Actor.system(), username="clerk1", display_name="办事员甲",
                                    role="clerk", password="Secret-Desk-2026")
            audit.record(session, Actor.system(), action="note", entity="users", entity_id=row.id)
        with db.read() as session:
            assert audit.verify_chain(session).ok
            assert session.execute(text("SELECT count(*) FROM audit_log")).scalar() >= 2
        refused = {
            "UPDATE": "UPDATE audit_log SET note = 'edited'",
            "DELETE": "DELETE FROM audit_log",
            "TRUNCATE": "TRUNCATE audit_log",
            "ALTER": "ALTER TABLE audit_log DISABLE TRIGGER ALL",
            "CREATE TABLE": "CREATE TABLE sneaky (id int)",
            "CREATE TEMP": "CREATE TEMP TABLE sneaky (id int)",
            "DROP": "DROP TABLE hazards",
            "restamp": "UPDATE alembic_version SET version_num = 'x'",
        }
        for what, sql in refused.items():
            with db.engine.connect() as conn, pytest.raises(ProgrammingError) as caught:
                conn.execute(text(sql))
            assert sqlstate(caught.value) == DENIED, what
        with db.engine.connect() as conn:  # business rows: every change allowed
            conn.execute(text("UPDATE users SET display_name = '办事员乙' WHERE username = 'clerk1'"))
            conn.commit()
            tables = conn.execute(text(
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner <> :o"),
                {"o": server.owner}).scalar()
        assert tables == 0  # every table passed to the owner
    finally:
        db.dispose()
    assert server.grants(admin_url) == 2  # now the database has accounts: a person must sign in
    _with_accounts(admin_url)
    assert server.grants(admin_url, *login_options(tmp_path, "admin")) == 0  # safe to run again


def test_migrations_run_as_the_owner_and_new_tables_get_the_grants(server, tmp_path, capsys):
    from sqlalchemy import text
    from sqlalchemy.exc import ProgrammingError

    from desktop.db import Database
    from desktop.services import users
    from desktop.services.context import Actor

    admin_url = server.database()  # empty: roles first, then the owner migrates
    assert server.grants(admin_url) == 0
    assert "请以所有者角色运行 riskdesk init 后再运行一次本命令" in capsys.readouterr().out
    server.set_passwords()
    app_only = Database(server.role_url(server.app))
    try:
        with pytest.raises(ProgrammingError) as caught:
            app_only.migrate(backup=False)  # the application role may not create tables
        assert sqlstate(caught.value) == DENIED
    finally:
        app_only.dispose()
    db = Database(server.role_url(server.app), migration_url=server.role_url(server.owner))
    try:
        db.migrate(backup=False)
        assert not db.needs_upgrade()
        with db.session() as session:  # default privileges: the new tables are usable at once
            users.create_user(session, Actor.system(), username="clerk1", display_name="办事员甲",
                              role="clerk", password="Secret-Desk-2026")
        _with_accounts(server.admin_url)
        # after the upgrade: the audit log made append-only
        assert server.grants(admin_url, *login_options(tmp_path, "admin")) == 0
        with db.engine.connect() as conn, pytest.raises(ProgrammingError) as caught:
            conn.execute(text("DELETE FROM audit_log"))
        assert sqlstate(caught.value) == DENIED
    finally:
        db.dispose()


def test_the_password_file_alone_lets_the_role_in(server, tmp_path, monkeypatch):
    from desktop.db import Database, DataError

    assert server.grants(server.database()) == 0
    server.set_passwords()
    url = server.role_url(server.app)
    assert pgpass.entry_for(url) is None  # no password in the address
    db = Database(url)
    try:
        assert db.current_revision() is None  # connected: an empty database
    finally:
        db.dispose()
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "empty-pgpass"))
    db = Database(url + "?connect_timeout=5")
    try:
        with pytest.raises(DataError):
            db.current_revision()
    finally:
        db.dispose()


def test_the_script_refuses_to_strip_the_role_running_it(server, tmp_path, capsys):
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    user = make_url(PG_URL).username
    admin_url = server.database()
    code = main(["--data-dir", str(tmp_path / "data"), "db", "grants", "--owner", server.owner,
                 "--app", user, "--url", admin_url])
    assert code == 2 and "未做任何改动" in capsys.readouterr().err
    engine = create_engine(make_url(admin_url).set(drivername="postgresql+psycopg"))
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT rolsuper FROM pg_roles WHERE rolname = :u"), {"u": user}).scalar()
            assert not conn.execute(text("SELECT count(*) FROM pg_roles WHERE rolname = :o"),
                                    {"o": server.owner}).scalar()  # rolled back: nothing made
    finally:
        engine.dispose()


def test_a_restore_as_the_owner_leaves_the_audit_log_append_only(server, tmp_path):
    from sqlalchemy import text
    from sqlalchemy.exc import ProgrammingError

    from desktop.config import Config
    from desktop.db import Database
    from desktop.services.context import Actor
    from desktop.services.exchange import backup

    admin_url = server.database()  # made by the owner from the start (pg_trgm included)
    assert server.grants(admin_url) == 0
    server.set_passwords()
    config = Config.load(tmp_path / "data")
    config.set("database_url", server.role_url(server.app))
    config.set("migration_database_url", server.role_url(server.owner))
    config.save()
    db = Database(config.database_url, migration_url=config.migration_database_url)
    try:
        db.migrate(backup=False)
        assert server.grants(admin_url) == 0
        made = backup.backup(db, config, tmp_path / "b.zip")
    finally:
        db.dispose()
    result = backup.restore(config, made.path, actor=Actor.system())  # pg_restore --clean as the owner
    # the dump's audit log is read with pg_restore before restoring; this folder never wrote
    # signed checkpoints (no key), and that is said
    assert [str(w) for w in result.warnings] == [
        "备份中没有签名检查点，无法核对备份中的审计记录是否被改动（文件完整不代表内容未被改动）。"]
    db = Database(config.database_url)
    try:
        with db.engine.connect() as conn:
            owners = conn.execute(text("SELECT DISTINCT tableowner FROM pg_tables "
                                       "WHERE schemaname = 'public'")).scalars().all()
            assert owners == [server.owner]
            assert conn.execute(text("SELECT count(*) FROM audit_log WHERE action = 'restore'")).scalar() == 1
        for sql in ("DELETE FROM audit_log", "UPDATE audit_log SET note = 'x'", "TRUNCATE audit_log"):
            with db.engine.connect() as conn, pytest.raises(ProgrammingError) as caught:
                conn.execute(text(sql))
            assert sqlstate(caught.value) == DENIED, sql
    finally:
        db.dispose()


def _with_accounts(url: str) -> None:
    """An administrator and a clerk in the database at `url` (as `riskdesk init` would leave)."""
    from desktop.db import Database
    from desktop.services import users
    from desktop.services.context import Actor

    db = Database(url)
    try:
        with db.session() as session:
            for role in ("admin", "clerk"):
                users.create_user(session, Actor.system(), username=role, display_name=f"{role}甲",
                                  role=role, password="Secret-Desk-2026")
    finally:
        db.dispose()


def _grants_entries(url: str) -> list[tuple[str, dict]]:
    from sqlalchemy import text

    from desktop.db import Database
    from desktop.services import audit

    db = Database(url)
    try:
        with db.read() as session:
            assert audit.verify_chain(session).ok
            return [(r[0], r[1]) for r in session.execute(text(
                "SELECT username, after FROM audit_log WHERE action = 'db_grants' ORDER BY id"))]
    finally:
        db.dispose()


def test_with_accounts_grants_sign_in_as_an_administrator_and_are_audited(server, _pg_template,
                                                                           tmp_path, capsys):
    admin_url = server.database(template=_pg_template)
    _with_accounts(admin_url)
    base = ["--data-dir", str(tmp_path / "data"), "db", "grants", "--owner", server.owner,
            "--app", server.app, "--url", admin_url]
    assert main(base) == 2  # no --user: refused before anything is changed
    assert "须以用户身份运行" in capsys.readouterr().err
    assert main([*base, *login_options(tmp_path, "admin", "wrong-password-1")]) == 1
    assert "用户名或密码不正确" in capsys.readouterr().err
    assert main([*base, *login_options(tmp_path, "clerk")]) == 1
    assert "无权设置数据库角色权限" in capsys.readouterr().err
    assert _grants_entries(admin_url) == []
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    engine = create_engine(make_url(admin_url).set(drivername="postgresql+psycopg"))
    try:
        with engine.connect() as conn:  # nothing was granted by the refused runs
            assert not conn.execute(text("SELECT count(*) FROM pg_roles WHERE rolname = :o"),
                                    {"o": server.owner}).scalar()
    finally:
        engine.dispose()

    assert main([*base, *login_options(tmp_path, "admin")]) == 0
    out = capsys.readouterr().out
    assert "已写入审计记录" in out and "执行人 admin" in out
    superuser = make_url(PG_URL).username
    assert _grants_entries(admin_url) == [("admin", {
        "owner_role": server.owner, "app_role": server.app, "run_as": superuser,
        "database": make_url(admin_url).database})]


def test_a_refused_script_leaves_no_audit_entry(server, _pg_template, tmp_path, capsys):
    """The entry is in the script's transaction: the server refusing a statement takes both back."""
    from sqlalchemy.engine import make_url

    admin_url = server.database(template=_pg_template)
    _with_accounts(admin_url)
    superuser = make_url(PG_URL).username  # the app role may not be the one running the script
    code = main(["--data-dir", str(tmp_path / "data"), "db", "grants", "--owner", server.owner,
                 "--app", superuser, "--url", admin_url, *login_options(tmp_path, "admin")])
    assert code == 2 and "未做任何改动" in capsys.readouterr().err
    assert _grants_entries(admin_url) == []


def test_check_warns_when_the_app_role_could_change_the_audit_log(server, _pg_template, tmp_path):
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from desktop.config import Config
    from desktop.db import Database
    from desktop.services.check import run_check

    admin_url = server.database(template=_pg_template)
    assert server.grants(admin_url) == 0
    server.set_passwords()
    config = Config(data_dir=tmp_path / "data")

    def warnings(url: str) -> tuple[str, ...]:
        db = Database(url)
        try:
            report = run_check(db, config, hash_files=False)
        finally:
            db.dispose()
        assert all(f"提醒：{w}" in report.lines for w in report.warnings)
        return report.warnings

    assert warnings(server.role_url(server.app)) == ()  # the grants in force: nothing to say
    superuser = make_url(PG_URL).username
    (said,) = warnings(admin_url)  # a desk connecting as the superuser
    assert f"角色 {superuser} 是超级用户" in said and "riskdesk db grants" in said
    engine = create_engine(make_url(admin_url).set(drivername="postgresql+psycopg"),
                           isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:  # the grants undone, one right at a time
            conn.execute(text(f'GRANT DELETE, TRUNCATE ON audit_log TO "{server.app}"'))
            (said,) = warnings(server.role_url(server.app))
            assert f"角色 {server.app} 对审计表有 DELETE、TRUNCATE 权限" in said
            assert "riskdesk db grants" in said
            conn.execute(text(f'REVOKE DELETE, TRUNCATE ON audit_log FROM "{server.app}"'))
            conn.execute(text(f'GRANT UPDATE ON audit_log TO "{server.app}"'))
            (said,) = warnings(server.role_url(server.app))
            assert "有 UPDATE 权限" in said
            conn.execute(text(f'REVOKE UPDATE ON audit_log FROM "{server.app}"'))
            assert warnings(server.role_url(server.app)) == ()
            conn.execute(text(f'GRANT UPDATE (note) ON audit_log TO "{server.app}"'))  # one column
            (said,) = warnings(server.role_url(server.app))
            assert "有 UPDATE 权限" in said
            conn.execute(text(f'REVOKE UPDATE (note) ON audit_log FROM "{server.app}"'))
            assert warnings(server.role_url(server.app)) == ()
            conn.execute(text(f'ALTER TABLE audit_log OWNER TO "{server.app}"'))  # may alter or drop it
            (said,) = warnings(server.role_url(server.app))
            assert f"角色 {server.app} 拥有审计表" in said and "更改或删除审计表" in said
            conn.execute(text(f'ALTER TABLE audit_log OWNER TO "{server.owner}"'))
    finally:
        engine.dispose()
