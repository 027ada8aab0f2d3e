"""The one way to touch the database: engine, pragmas, session scope, migrations, error translation."""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import re
import shutil
import socket
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from desktop.data_error import DataError as DataError  # re-exported: callers name desktop.db
from desktop.fileutil import DISK_FULL, DiskFull
from desktop.messages import Message, msg
from desktop.migrations import SCHEMA_HEAD
from desktop.paths import migrations_dir

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

log = logging.getLogger("desktop.db")
_FILE_ONLY = {"console": False}  # desktop.logsetup.FILE_ONLY: the log file only, not stderr

BUSY_TIMEOUT_MS = 10_000
# PostgreSQL's application_name of this process's connections (at most 63 bytes are kept)
APPLICATION_NAME = f"RiskDesk {socket.gethostname()[:40]} {os.getpid()}"


def mask_url(url: str) -> str:
    """A database URL safe to show or log: the password replaced by ***."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url.split("://", 1)[0] + "://…" if "://" in url else "…"


# Messages for people, one per kind of environment failure (msg: the GUI translates them).
BUSY = msg("数据库正被其他程序占用（已锁定），请稍后重试。")
RETRY = msg("数据库正忙：与其他用户同时进行的操作冲突，数据未能保存。请重试。")
FULL = msg("磁盘空间不足：数据未能保存。请清理磁盘后重试。")
READ_ONLY = msg("数据库为只读，无法写入。请检查文件权限或数据目录设置。")
READ_ONLY_SERVER = msg("数据库服务器当前为只读（例如备用服务器），无法写入。请联系数据库管理员。")
READ_ONLY_DIR = msg("数据目录为只读或没有写入权限，数据未能保存。")
IO_ERROR = msg("读写数据库文件时出错（磁盘或网络驱动器故障），数据未能保存。请检查存储设备后重试。")
CANNOT_OPEN = msg("无法打开数据库文件，请检查数据目录是否存在且可写。")
DAMAGED = msg("数据库文件已损坏，请从备份恢复。")
CONNECTION = msg("无法连接数据库服务器，或连接已中断。请检查网络和服务器地址后重试。")
AUTHENTICATION = msg("数据库服务器拒绝登录：用户名或密码不正确，或该用户无权连接这个数据库。"
                     "请检查数据库地址中的用户名和密码（或密码文件）。")
NO_DATABASE = msg("数据库服务器上没有这个数据库。请检查数据库地址中的数据库名称。")

# SQLite primary result codes (https://www.sqlite.org/rescode.html); an extended code
# (SQLITE_IOERR_WRITE = 778, SQLITE_BUSY_SNAPSHOT = 517, …) carries its primary in the low byte.
SQLITE_MESSAGES = {
    3: READ_ONLY,     # SQLITE_PERM
    5: BUSY,          # SQLITE_BUSY
    6: BUSY,          # SQLITE_LOCKED
    8: READ_ONLY,     # SQLITE_READONLY
    10: IO_ERROR,     # SQLITE_IOERR
    11: DAMAGED,      # SQLITE_CORRUPT
    13: FULL,         # SQLITE_FULL
    14: CANNOT_OPEN,  # SQLITE_CANTOPEN
    26: DAMAGED,      # SQLITE_NOTADB
}

# PostgreSQL SQLSTATE codes (https://www.postgresql.org/docs/current/errcodes-appendix.html);
# a whole class is given by its two characters.
SQLSTATE_MESSAGES = {
    "08": CONNECTION,        # connection exception
    "53100": FULL,           # disk_full
    "57P01": CONNECTION,     # admin_shutdown
    "57P02": CONNECTION,     # crash_shutdown
    "57P03": CONNECTION,     # cannot_connect_now
    "40001": RETRY,          # serialization_failure
    "40P01": RETRY,          # deadlock_detected
    "25006": READ_ONLY_SERVER,  # read_only_sql_transaction
    "55P03": BUSY,           # lock_not_available
    "28": AUTHENTICATION,    # invalid_authorization_specification, invalid_password (28P01)
    "3D000": NO_DATABASE,    # invalid_catalog_name
}

# A connection the server refused while it was being made carries no SQLSTATE: libpq keeps
# only the server's text (in English, or in the server's language: PostgreSQL's zh_CN
# translations are listed too). The words below only choose among the messages of a
# connection failure, an environment failure in every case; they never decide whether a
# failure is the environment's or a bug.
_REFUSED_LOGIN = re.compile(
    r'password authentication failed|authentication failed for user|no pg_hba\.conf entry'
    r'|role "[^"]*" does not exist|no password supplied|认证失败|角色 "[^"]*" 不存在')
_NO_SUCH_DATABASE = re.compile(r'database "[^"]*" does not exist|数据库 "[^"]*" 不存在')

OS_ERRNO_MESSAGES = {
    **{code: FULL for code in DISK_FULL},
    errno.EROFS: READ_ONLY_DIR,
    errno.EACCES: READ_ONLY_DIR,
    errno.EPERM: READ_ONLY_DIR,
    errno.EIO: IO_ERROR,
}


def data_error_text(exc: DataError) -> str:
    """A DataError as a front says it: a full disk or a read-only data folder in its own
    words, never as a database error."""
    text = str(exc.message)
    return text if text.startswith(("磁盘空间不足", "数据目录")) else f"数据库错误：{text}"


def translate_error(exc: BaseException) -> DataError | None:
    """Map a driver or OS failure to a DataError with a Chinese message; None if it is a bug.

    Recognised by code, never by the words of a message: SQLite's result code, PostgreSQL's
    SQLSTATE, the OS errno. Anything else (`no such column`, a syntax error, a constraint
    the code should have checked) is a bug and goes on to the crash dialog with its log.
    """
    detail = _driver_text(exc)  # for the log: the driver's words and, below, its code
    if isinstance(exc, OSError) and not isinstance(exc, DBAPIError):
        if exc.errno is not None:
            detail += f" [errno {errno.errorcode.get(exc.errno, exc.errno)}]"
        if isinstance(exc, DiskFull):  # a file written beside the transaction: said as such
            return DataError(msg("磁盘空间不足：无法写入 {target}。未留下不完整的文件。",
                                 target=exc.filename), detail=detail)
        text_ = OS_ERRNO_MESSAGES.get(exc.errno) if exc.errno is not None else None
        return DataError(text_, detail=detail) if text_ else None
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    if isinstance(orig, sqlite3.Error):
        code = getattr(orig, "sqlite_errorcode", None)
        text_ = SQLITE_MESSAGES.get(code & 0xFF) if isinstance(code, int) else None
        name = getattr(orig, "sqlite_errorname", None)
        return DataError(text_, detail=f"{detail} [{name} ({code})]") if text_ else None
    if not isinstance(exc, DBAPIError):
        return None
    sqlstate = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if isinstance(sqlstate, str):
        text_ = SQLSTATE_MESSAGES.get(sqlstate) or SQLSTATE_MESSAGES.get(sqlstate[:2])
        if text_:
            return DataError(text_, detail=f"{detail} [SQLSTATE {sqlstate}]")
    if exc.connection_invalidated:  # the server went away under a statement
        return DataError(CONNECTION, detail=detail)
    if sqlstate is None and isinstance(exc, OperationalError):
        # a server error always carries a SQLSTATE: without one the client itself failed
        # (the connection could not be made or was lost)
        text_ = _connection_failure(orig)
        log.warning("database connection failed: %s", detail, extra=_FILE_ONLY)
        return DataError(text_, detail=detail)
    return None


def _driver_text(exc: BaseException) -> str:
    """The driver's words for the log, with the statement but never its parameters (the
    people's data, a password's hash)."""
    if not isinstance(exc, DBAPIError) or exc.orig is None:
        return str(exc)
    orig = exc.orig
    text_ = f"({type(orig).__module__}.{type(orig).__name__}) {orig}".rstrip()
    if exc.statement:
        statement = " ".join(str(exc.statement).split())
        text_ += f" [SQL: {statement[:300]}{'…' if len(statement) > 300 else ''}]"
    return text_


def _connection_failure(orig: BaseException | None) -> Message:
    """Why a connection could not be made: the server refused the sign-in, has no such
    database, or could not be reached (or the connection was lost)."""
    if getattr(getattr(orig, "pgconn", None), "needs_password", False) is True:
        return AUTHENTICATION  # the server asked for a password and none was given
    said = str(orig)
    if _REFUSED_LOGIN.search(said):
        return AUTHENTICATION
    if _NO_SUCH_DATABASE.search(said):
        return NO_DATABASE
    return CONNECTION


# How many values one statement may bind: SQLite's default since 3.32, and what the SQLite of
# Python's Windows build allows (Debian's allows 250,000; PostgreSQL's protocol 65,535). Held
# on every platform, so a statement binding one value per row (`id IN (…)` over a whole
# agency's hazards) fails in the tests and benches as it would on an agency's Windows PC.
SQLITE_MAX_VARIABLES = 32766


def _sqlite_pragmas(dbapi_conn: sqlite3.Connection, _record: object) -> None:
    # let SQLAlchemy emit BEGIN itself (see _sqlite_begin), not the sqlite3 module
    dbapi_conn.isolation_level = None
    dbapi_conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, SQLITE_MAX_VARIABLES)
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA foreign_keys = ON")
    cur.execute("PRAGMA journal_mode = WAL")
    # FULL: a commit reported to the user survives power loss, not only a crash.
    cur.execute("PRAGMA synchronous = FULL")
    cur.close()


def _sqlite_begin(conn: Connection) -> None:
    # A write unit takes the write lock up front: two desks never both read, then both try
    # to write and one fails half-way; the second simply waits (busy_timeout).
    if conn.get_execution_options().get("begin_immediate"):
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        conn.exec_driver_sql("BEGIN")


class ReadStopped(Exception):
    """An Interrupter's owner stopped the reading before it started."""


class Interrupter:
    """Lets one thread stop the statement another thread's read session is running: a view
    the user has already left should not keep a core busy with its count or its next page.

    `reading(read)` opens a read session the interrupter can reach; `stop()` interrupts its
    statement now (SQLite's interrupt, PostgreSQL's cancel) and every later one at once. The
    reader then fails with the driver's error, which its owner ignores once it has stopped.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._connection: DBAPIConnection | None = None  # the DBAPI connection of the session being read
        self.stopped = False

    @contextlib.contextmanager
    def reading(self, read: Callable[[], contextlib.AbstractContextManager[Session]]) -> Iterator[Session]:
        with read() as session:
            connection = session.connection().connection.dbapi_connection
            with self._lock:
                if self.stopped:  # (an interrupt with no statement running is lost)
                    raise ReadStopped("the read was stopped before it began")
                self._connection = connection
            try:
                yield session
            finally:
                with self._lock:
                    self._connection = None

    def stop(self) -> None:
        with self._lock:
            self.stopped = True
            if self._connection is not None:
                self._interrupt()

    def _interrupt(self) -> None:
        connection = self._connection
        stop = getattr(connection, "interrupt", None) or getattr(connection, "cancel", None)
        if stop is not None:
            try:
                stop()
            except Exception as exc:  # noqa: BLE001 - a connection already closing: nothing to stop
                log.debug("could not interrupt a read: %s", exc)


def known_revisions() -> set[str]:
    """Every schema revision this program's migrations know (imports Alembic)."""
    from alembic.config import Config as AlembicConfig
    from alembic.script import ScriptDirectory

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(migrations_dir()))
    return {rev.revision for rev in ScriptDirectory.from_config(cfg).walk_revisions()}


def newer_schema(revision: str) -> Message:
    """What to say about a database a newer RiskDesk has written (a schema revision this
    program does not know): no `init` can help, only a newer program."""
    return msg("数据库来自更新版本的 RiskDesk（结构版本 {revision}），请升级程序。", revision=revision)


class Database:
    """Owns the engine and the session factory. Nothing else creates engines."""

    def __init__(self, url: str, *, migration_url: str | None = None) -> None:
        """`migration_url`: the address `migrate` connects with (on PostgreSQL the schema
        owner's role, when the application's own role may not change the schema)."""
        self.url = url
        self.migration_url = migration_url if migration_url and migration_url != url else None
        parsed = make_url(url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        name = parsed.database
        if name and name.startswith("file:") and parsed.query.get("uri") == "true":
            name = name[len("file:"):]  # SQLite URI form (file:/path?mode=ro&uri=true)
        self.sqlite_path: Path | None = (
            Path(name) if self.is_sqlite and name not in (None, "", ":memory:") else None
        )
        if self.sqlite_path is not None:
            try:
                self.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise translate_error(exc) or DataError(
                    msg("无法创建数据目录：{reason}", reason=str(exc))) from exc
        kwargs: dict[str, Any] = {"future": True}
        if self.is_sqlite:
            kwargs["connect_args"] = {"timeout": BUSY_TIMEOUT_MS / 1000}
        else:
            kwargs["pool_pre_ping"] = True
            if parsed.get_backend_name() == "postgresql" and "application_name" not in parsed.query:
                # this process's connections say who they are (a restore leaves its own out)
                kwargs["connect_args"] = {"application_name": APPLICATION_NAME}
            if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
                url = str(parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False))
        try:
            self.engine: Engine = create_engine(url, **kwargs)
        except (SQLAlchemyError, ImportError) as exc:
            raise DataError(msg("数据库地址无效：{reason}", reason=str(exc))) from exc
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
            event.listen(self.engine, "begin", _sqlite_begin)
        self.Session = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        """One unit of work: commit on success, roll back on any error, translate failures."""
        session = self.Session()
        try:
            if self.is_sqlite:
                session.connection(execution_options={"begin_immediate": True})
            yield session
            session.commit()
        except BaseException as exc:
            session.rollback()
            mapped = translate_error(exc)
            if mapped is not None:
                raise mapped from exc
            raise
        finally:
            session.close()

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading only; never commits."""
        session = self.Session()
        try:
            yield session
        except BaseException as exc:
            mapped = translate_error(exc)
            if mapped is not None:
                raise mapped from exc
            raise
        finally:
            session.rollback()
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()

    # -- migrations -------------------------------------------------------------------

    def _alembic_config(self, connection: Connection | None) -> AlembicConfig:
        from alembic.config import Config as AlembicConfig

        cfg = AlembicConfig()
        cfg.set_main_option("script_location", str(migrations_dir()))
        cfg.attributes["connection"] = connection
        return cfg

    def current_revision(self) -> str | None:
        """The schema revision stamped in the database (None for an empty database)."""
        try:
            with self.engine.connect() as conn:
                if not inspect(conn).has_table("alembic_version"):
                    return None
                return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except BaseException as exc:
            error = translate_error(exc)
            if error is None:
                raise
            raise error from exc

    def head_revision(self) -> str:
        from alembic.script import ScriptDirectory

        script = ScriptDirectory.from_config(self._alembic_config(None))
        head = script.get_current_head()
        assert head is not None
        return head

    def needs_upgrade(self) -> bool:
        # SCHEMA_HEAD spares start-up the import of Alembic (~0.3 s) when nothing is to do
        return self.current_revision() != SCHEMA_HEAD

    def upgrades_data(self) -> bool:
        """An existing database (its schema version recorded) older than this program: migrating
        it converts records people kept, which may take a while — say so before the wait."""
        revision = self.current_revision()
        return revision is not None and revision != SCHEMA_HEAD and revision in known_revisions()

    def migrate(self, *, backup: bool = True) -> Path | None:
        """Bring the schema to head. A SQLite file with data is copied aside first.

        Returns the path of the copy (or None when none was needed).
        """
        if not self.needs_upgrade():
            return None
        revision = self.current_revision()
        if revision is not None and revision not in known_revisions():
            raise DataError(newer_schema(revision))  # not Alembic's "Can't locate revision"
        from alembic import command

        copy = None
        if backup and self.sqlite_path is not None and self.sqlite_path.exists():
            if self._has_tables():
                copy = self._backup_sqlite_before_migration()
        owner = Database(self.migration_url) if self.migration_url else self
        try:
            with owner.engine.begin() as conn:
                command.upgrade(self._alembic_config(conn), "head")
        except BaseException as exc:
            mapped = translate_error(exc)
            if mapped is not None:
                raise mapped from exc
            raise
        finally:
            if owner is not self:
                owner.dispose()
        log.info("database migrated to %s%s", self.head_revision(),
                 " (as the schema owner)" if owner is not self else "")
        return copy

    def _has_tables(self) -> bool:
        with self.engine.connect() as conn:
            return bool(inspect(conn).get_table_names())

    def _backup_sqlite_before_migration(self) -> Path:
        assert self.sqlite_path is not None
        rev = self.current_revision() or "none"
        folder = self.sqlite_path.parent / "backups" / "pre-migration"
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{self.sqlite_path.stem}-{rev}.sqlite3"
        tmp = target.with_suffix(".part")
        try:
            src = sqlite3.connect(self.sqlite_path)
            dst = sqlite3.connect(tmp)
            with dst:
                src.backup(dst)
            dst.close()
            src.close()
            shutil.move(tmp, target)
        except (OSError, sqlite3.Error) as exc:
            tmp.unlink(missing_ok=True)
            raise translate_error(exc) or DataError(
                msg("升级前备份数据库失败：{reason}", reason=str(exc))) from exc
        log.info("copied database to %s before migrating", target)
        return target

    # -- health -----------------------------------------------------------------------

    def integrity_check(self) -> list[str]:
        """SQLite's integrity_check and foreign_key_check; [] when healthy."""
        if not self.is_sqlite:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return []
        problems: list[str] = []
        with self.engine.connect() as conn:
            rows = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check").fetchall()]
            if rows != ["ok"]:
                problems.extend(rows)
            for row in conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall():
                problems.append(f"外键不一致：表 {row[0]} 行 {row[1]} → {row[2]}")
        return problems
