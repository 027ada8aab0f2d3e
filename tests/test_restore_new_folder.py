"""A restore into a data folder that has no accounts yet (a new computer, a lost database, the
first run): the person signs in with an administrator account of the backup itself, checked
against the backup's own users table before anything is moved, and the audit entry names them."""

from __future__ import annotations

import io
import os
import sqlite3
import sys

import pytest

from desktop.cli import main
from desktop.config import Config
from desktop.db import Database
from desktop.services import audit, users
from desktop.services.context import Actor
from desktop.services.exchange import backup, backup_accounts
from tests.cli_users import TEST_PASSWORD, login_options


@pytest.fixture
def made(tmp_path, monkeypatch):
    """A backup of an agency's folder with an administrator `admin`, a clerk `clerk1` and a
    disabled administrator `former`."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    data = tmp_path / "old"
    password = tmp_path / "pw.txt"
    password.write_text(TEST_PASSWORD + "\n", encoding="utf-8")
    assert main(["--data-dir", str(data), "init", "--agency-name", "绍兴安途安全风控咨询有限公司",
                 "--admin", "admin", "--password-file", str(password)]) == 0
    config = Config.load(data)
    db = Database(config.database_url)
    try:
        with db.session() as s:
            users.create_user(s, Actor.system(), username="clerk1", display_name="办事员甲",
                              role="clerk", password=TEST_PASSWORD)
            former = users.create_user(s, Actor.system(), username="former", display_name="离职管理员",
                                       role="admin", password=TEST_PASSWORD)
        with db.session() as s:
            users.set_role(s, Actor.system(), former.id, "admin", active=False)
        admin = users.login(db, "admin", TEST_PASSWORD)
        result = backup.backup(db, config, tmp_path / "b" / "agency.zip", actor=admin)
    finally:
        db.dispose()
    return result.path, admin


def restore_entries(config: Config) -> list[tuple[int | None, str, str]]:
    con = sqlite3.connect(config.sqlite_path)
    try:
        return con.execute("SELECT user_id, username, after FROM audit_log WHERE action = 'restore' "
                           "ORDER BY id").fetchall()
    finally:
        con.close()


def untouched(config: Config) -> bool:
    folder = config.data_dir
    return not config.sqlite_path.exists() and not (folder.exists() and [
        p for p in folder.iterdir() if "restore" in p.name or p.name == "attachments"])


def test_nobody_named_is_refused(made, tmp_path):
    path, _ = made
    new = Config(data_dir=tmp_path / "new")
    with pytest.raises(backup.RestoreRefused, match="恢复须由系统管理员执行"):
        backup.restore(new, path)
    assert untouched(new)


@pytest.mark.parametrize(("name", "password", "words"), [
    ("admin", "Wrong-Desk-2026", "备份中没有用户 admin，或密码不正确"),
    ("nobody", TEST_PASSWORD, "备份中没有用户 nobody，或密码不正确"),
    ("former", TEST_PASSWORD, "备份中没有用户 former，或密码不正确"),  # disabled in the backup
    ("clerk1", TEST_PASSWORD, "用户 clerk1 在备份中的角色是内勤文员，只有系统管理员可以恢复数据"),
])
def test_only_an_active_administrator_of_the_backup_may_restore(made, tmp_path, name, password, words):
    path, _ = made
    new = Config(data_dir=tmp_path / "new")
    with pytest.raises(backup.RestoreRefused, match=words) as refused:
        backup.restore(new, path, credentials=(name, password))
    assert "未做任何改动" in refused.value.message
    assert untouched(new)


def test_the_backups_administrator_restores_and_is_named(made, tmp_path):
    path, admin = made
    new = Config(data_dir=tmp_path / "new")
    result = backup.restore(new, path, credentials=("ADMIN ", TEST_PASSWORD))  # as login: any case
    assert result.by == Actor(admin.user_id, "admin", "admin", admin.display_name)
    ((user_id, username, after),) = restore_entries(new)
    assert (user_id, username) == (admin.user_id, "admin") and "manifest_sha256" in after
    db = Database(new.database_url)
    try:
        with db.read() as s:
            assert audit.verify_chain(s).ok
        assert users.login(db, "admin", TEST_PASSWORD).user_id == admin.user_id  # the same account
    finally:
        db.dispose()


def test_an_empty_database_as_the_first_run_leaves_it_counts_as_no_accounts(made, tmp_path):
    path, admin = made
    new = Config(data_dir=tmp_path / "new")
    new.data_dir.mkdir()
    db = Database(new.database_url)
    db.migrate(backup=False)  # what opening the window on a new folder does before its wizard
    db.dispose()
    assert not backup_accounts.folder_has_accounts(new)
    result = backup.restore(new, path, credentials=("admin", TEST_PASSWORD))
    assert result.by is not None and result.by.user_id == admin.user_id
    assert [r[1] for r in restore_entries(new)] == ["admin"]


def test_a_folder_with_accounts_is_not_restored_on_the_backups_word(made, tmp_path):
    path, _ = made
    old = Config.load(tmp_path / "old")
    assert backup_accounts.folder_has_accounts(old)
    before = old.sqlite_path.read_bytes()
    with pytest.raises(backup.RestoreRefused, match="请以当前数据中的系统管理员账户登录后恢复"):
        backup.restore(old, path, credentials=("admin", TEST_PASSWORD))
    assert old.sqlite_path.read_bytes() == before
    assert not [p for p in old.data_dir.iterdir() if "restore" in p.name]


def test_the_command_line_asks_for_the_backups_administrator(made, tmp_path, capsys):
    path, admin = made
    data = tmp_path / "new"
    base = ["--data-dir", str(data), "restore", str(path), "--yes"]
    assert main(base) == 2
    err = capsys.readouterr().err
    assert "数据目录中还没有用户账户，须以备份中的系统管理员账户核对身份后恢复" in err and "--user" in err
    assert main([*base, *login_options(tmp_path, "admin", "Wrong-Desk-2026")]) == 1
    assert "备份中没有用户 admin，或密码不正确" in capsys.readouterr().err
    assert main([*base, *login_options(tmp_path, "clerk1")]) == 1
    assert "只有系统管理员可以恢复数据" in capsys.readouterr().err
    config = Config.load(data)
    assert untouched(config)
    assert main([*base, *login_options(tmp_path, "admin")]) == 0
    out = capsys.readouterr().out
    assert "将按备份中的用户表核对 admin" in out and "恢复人：" in out and "备份中的系统管理员 admin" in out
    assert [(u, n) for u, n, _ in restore_entries(config)] == [(admin.user_id, "admin")]


@pytest.mark.parametrize(("raw", "value"), [
    ("\\N", None), ("plain", "plain"), ("a\\tb\\nc\\\\d", "a\tb\nc\\d"), ("\\101\\x42", "AB"),
    ("张三", "张三"), ("\\x", "x"),
])
def test_copy_fields_of_a_postgresql_dump_are_decoded(raw, value):
    assert backup_accounts._copy_field(raw) == value


def test_copy_rows_are_read_from_a_dump_script():
    script = ("SET x = 1;\nCOPY public.users (id, username, display_name, deleted_at) FROM stdin;\n"
              "1\tadmin\t管理员\\t甲\t\\N\n2\told\t旧\t2026-01-01 00:00:00\n\\.\n\nCOPY other (id) FROM stdin;\n9\n\\.\n")
    assert list(backup_accounts._copy_rows(script)) == [
        {"id": "1", "username": "admin", "display_name": "管理员\t甲", "deleted_at": None},
        {"id": "2", "username": "old", "display_name": "旧", "deleted_at": "2026-01-01 00:00:00"}]


PG_URL = os.environ.get("RISKDESK_TEST_PG_URL", "")


@pytest.mark.skipif(not PG_URL, reason="RISKDESK_TEST_PG_URL not set")
def test_postgresql_a_database_without_accounts_is_restored_by_the_dumps_administrator(
        tmp_path, _pg_template):
    """The accounts are read from the pg_dump file itself (pg_restore --data-only, no server)."""
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin_url = make_url(PG_URL).set(drivername="postgresql+psycopg")
    server = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"riskdesk_r{uuid.uuid4().hex[:8]}"
    with server.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{_pg_template}"'))
    try:
        url = admin_url.set(database=name).render_as_string(hide_password=False)
        config = Config.load(tmp_path / "data")
        config.set("database_url", url)
        config.save()
        db = Database(url)
        try:
            with db.session() as s:
                made = users.create_user(s, Actor.system(), username="admin", display_name="王\\主任\t甲",
                                         role="admin", password=TEST_PASSWORD)
            admin = users.login(db, "admin", TEST_PASSWORD)
            path = backup.backup(db, config, tmp_path / "pg.zip", actor=admin).path
            with db.engine.begin() as conn:  # the database lost its accounts (and what hangs on them)
                conn.execute(text("TRUNCATE users CASCADE"))
        finally:
            db.dispose()
        assert not backup_accounts.folder_has_accounts(config)
        with pytest.raises(backup.RestoreRefused, match="备份中没有用户 admin，或密码不正确"):
            backup.restore(config, path, credentials=("admin", "Wrong-Desk-2026"))
        result = backup.restore(config, path, credentials=("admin", TEST_PASSWORD))
        assert result.by == Actor(made.id, "admin", "admin", "王\\主任\t甲")  # COPY escapes decoded
        db = Database(url)
        try:
            with db.read() as s:
                assert audit.verify_chain(s).ok
                assert s.execute(text("SELECT user_id, username FROM audit_log WHERE action = 'restore'")
                                 ).all() == [(made.id, "admin")]
        finally:
            db.dispose()
    finally:
        with server.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()
