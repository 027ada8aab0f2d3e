"""Who may restore into a data folder that has no accounts yet (a new computer, a database lost
or never set up): an administrator of the backup itself, checked against the backup's own users
table after the backup verified and before anything is moved.

A folder that has accounts is restored by one of its own administrators (signed in against
the current data as usual). A folder without any has nobody to sign in against, so the person
proves they are an administrator of the data they bring; the audit entry of the restore then
names that account, which the restored database holds.

Nothing is written into the backup: a wrong password here does not count toward a lockout (the
backup is a copy in the person's hands; its password hashes are argon2id).
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import inspect, text

from desktop.config import Config
from desktop.db import Database, DataError
from desktop.models.enums import Role
from desktop.services import permissions, users
from desktop.services.context import Actor, PermissionDenied, ServiceError, msg

_COLUMNS = ("id", "username", "display_name", "role", "password_hash", "active", "deleted_at")


@dataclass(frozen=True)
class StoredAccount:
    id: int
    username: str
    display_name: str
    role: str
    password_hash: str
    active: bool


class BackupSignInRefused(ServiceError):
    """The name and password are not those of an active administrator in the backup."""


def folder_has_accounts(config: Config) -> bool:
    """Whether the data folder's database holds an account to sign in with. A missing, empty or
    unreadable SQLite file holds none (that is what a restore repairs); a PostgreSQL server
    that cannot be reached raises DataError (a restore could not proceed either)."""
    if config.database_url.startswith("sqlite"):
        path = config.sqlite_path
        if not path.is_file():
            return False
        try:
            con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
            try:
                row = con.execute("SELECT count(*) FROM users WHERE deleted_at IS NULL").fetchone()
            finally:
                con.close()
        except sqlite3.Error:
            return False
        return bool(row and row[0])
    db = Database(config.database_url)
    try:
        with db.read() as session:
            if not inspect(session.connection()).has_table("users"):
                return False
            count = session.execute(text("SELECT count(*) FROM users WHERE deleted_at IS NULL")).scalar()
    finally:
        db.dispose()
    return bool(count)


def sqlite_accounts(db_file: Path) -> list[StoredAccount]:
    """The live accounts in an unpacked SQLite database (read only)."""
    con = sqlite3.connect(f"{db_file.resolve().as_uri()}?mode=ro", uri=True)
    try:
        rows = con.execute(f"SELECT {', '.join(_COLUMNS)} FROM users").fetchall()
    except sqlite3.Error as exc:
        raise BackupSignInRefused(msg("备份中的用户表无法读取（{reason}），未做任何改动。",
                                      reason=str(exc))) from None
    finally:
        con.close()
    return [StoredAccount(int(r[0]), str(r[1]), str(r[2]), str(r[3]), str(r[4]), bool(r[5]))
            for r in rows if r[6] is None]


_ESCAPES = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}
_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)")


def _unescape(found: re.Match[str]) -> str:
    code = found.group(1)
    if code[0] == "x" and len(code) > 1:
        return chr(int(code[1:], 16))
    if code[0] in "01234567":
        return chr(int(code, 8))
    return _ESCAPES.get(code, code)


def _copy_field(raw: str) -> str | None:
    """One field of PostgreSQL's COPY text format: \\N is NULL; backslash escapes decoded."""
    return None if raw == "\\N" else _ESCAPE.sub(_unescape, raw)


def _copy_rows(script: str) -> Iterator[dict[str, str | None]]:
    """The rows of the users table in a plain SQL script's COPY block."""
    lines = iter(script.splitlines())
    for line in lines:
        if line.startswith("COPY ") and " FROM stdin;" in line:
            names = [n.strip().strip('"') for n in line[line.index("(") + 1:line.index(")")].split(",")]
            for row in lines:
                if row == "\\.":
                    return
                yield dict(zip(names, (_copy_field(f) for f in row.split("\t")), strict=False))


def _pg_restore_table(dump: Path, table: str) -> subprocess.CompletedProcess[str]:
    """`pg_restore --data-only --table=<table> --file=-` of a `pg_dump --format=custom` file:
    the table's rows as a COPY block (no server involved)."""
    exe = shutil.which("pg_restore")
    if exe is None:
        raise DataError(msg("未找到 PostgreSQL 工具 {tool}。请安装与数据库服务器版本一致的 PostgreSQL "
                            "客户端工具，并确保它在系统 PATH 中。", tool="pg_restore"))
    return subprocess.run([exe, "--data-only", f"--table={table}", "--file=-", str(dump)],
                          capture_output=True, text=True, encoding="utf-8", check=False)


def pgdump_rows(dump: Path, table: str, columns: tuple[str, ...]) -> Iterator[tuple[str | None, ...]]:
    """The `columns` of every row of `table` in a `pg_dump --format=custom` file, streamed from
    `pg_restore --data-only --table=<table> --file=-` line by line (an agency's audit log runs
    to millions of rows: never held whole). ServiceError when pg_restore fails or the table's
    COPY block lacks a column."""
    exe = shutil.which("pg_restore")
    if exe is None:
        raise DataError(msg("未找到 PostgreSQL 工具 {tool}。请安装与数据库服务器版本一致的 PostgreSQL "
                            "客户端工具，并确保它在系统 PATH 中。", tool="pg_restore"))
    with tempfile.TemporaryFile() as errors, subprocess.Popen(
            [exe, "--data-only", f"--table={table}", "--file=-", str(dump)], stdout=subprocess.PIPE,
            stderr=errors, text=True, encoding="utf-8") as proc:
        assert proc.stdout is not None
        picks: list[int] | None = None
        try:
            for line in proc.stdout:
                line = line.rstrip("\n")
                if picks is None:
                    if line.startswith("COPY ") and " FROM stdin;" in line:
                        names = [n.strip().strip('"') for n in line[line.index("(") + 1:line.index(")")].split(",")]
                        lost = [c for c in columns if c not in names]
                        if lost:
                            raise ServiceError(msg("备份中的表 {table} 缺少列 {columns}，无法读取，未做任何改动。",
                                                   table=table, columns="、".join(lost)))
                        picks = [names.index(c) for c in columns]
                    continue
                if line == "\\.":
                    picks = None
                    continue
                fields = line.split("\t")
                yield tuple(_copy_field(fields[i]) for i in picks)
        finally:
            if proc.poll() is None:
                proc.kill()
        if proc.wait() != 0:
            errors.seek(0)
            detail = errors.read().decode("utf-8", "replace").strip().splitlines()
            raise ServiceError(msg("备份中的表 {table} 无法读取（{reason}），未做任何改动。",
                                   table=table, reason=detail[-1] if detail else proc.returncode))


def pgdump_revision(dump: Path) -> str | None:
    """The schema revision recorded in a pg_dump file's alembic_version table (None: none)."""
    result = _pg_restore_table(dump, "alembic_version")
    if result.returncode != 0:
        detail = (result.stderr or "").strip().splitlines()
        raise ServiceError(msg("备份中的数据库结构版本无法读取（{reason}），未做任何改动。",
                               reason=detail[-1] if detail else result.returncode))
    return next((row.get("version_num") for row in _copy_rows(result.stdout)), None)


def pgdump_accounts(dump: Path) -> list[StoredAccount]:
    """The live accounts in a `pg_dump --format=custom` file, read with `pg_restore --data-only
    --table=users --file=-` (no server involved)."""
    result = _pg_restore_table(dump, "users")
    if result.returncode != 0:
        detail = (result.stderr or "").strip().splitlines()
        raise BackupSignInRefused(msg("备份中的用户表无法读取（{reason}），未做任何改动。",
                                      reason=detail[-1] if detail else result.returncode))
    accounts = []
    for row in _copy_rows(result.stdout):
        if row.get("deleted_at") is not None:
            continue
        accounts.append(StoredAccount(int(row["id"] or 0), row["username"] or "", row["display_name"] or "",
                                      row["role"] or "", row["password_hash"] or "",
                                      row.get("active") == "t"))
    return accounts


def sign_in(accounts: list[StoredAccount], username: str, password: str) -> Actor:
    """The backup's administrator `username`, when `password` is theirs; else BackupSignInRefused
    (the same words for an unknown name and a wrong password) or PermissionDenied."""
    wanted = username.strip().lower()
    found = next((a for a in accounts if a.username.lower() == wanted and a.active), None)
    if not users.password_matches(found.password_hash if found else None, password) or found is None:
        raise BackupSignInRefused(msg(
            "备份中没有用户 {name}，或密码不正确。数据目录中还没有用户账户时，须以备份中的系统管理员"
            "账户和密码核对身份后才能恢复。未做任何改动。", name=username.strip()))
    actor = Actor(found.id, found.username, found.role, found.display_name)
    try:
        permissions.require(actor, "restore")
    except PermissionDenied:
        try:
            role: Role | str = Role(found.role)  # shown by its label, translated in the window
        except ValueError:
            role = found.role
        raise PermissionDenied(msg(
            "用户 {name} 在备份中的角色是{role}，只有系统管理员可以恢复数据。未做任何改动。",
            name=found.username, role=role)) from None
    return actor
