"""Data commands of the command line: export-package, verify, import, backup, restore."""

from __future__ import annotations

import argparse
import contextlib
import getpass
import os
import shutil
import signal
import sys
import threading
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, TextIO

from desktop import cli_login
from desktop.cli_login import Refused as _Refused

if TYPE_CHECKING:
    from desktop.config import Config
    from desktop.db import Database
    from desktop.services.checkpoints import Watch
    from desktop.services.context import Actor

# Importing this module only declares the commands (`riskdesk --help` reads them): the
# settings, the database, the importer, backup and packages are imported by the command
# that runs.

Handler = Callable[[argparse.Namespace], int]

# the databases a command opened (each watched for audit checkpoints) and who signed in
_opened: list[Watch] = []
_signed: list[Actor] = []


class TextProgress:
    """A progress bar on stderr; `cancelled` (set by Ctrl+C) makes the next call return False."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.cancelled = False
        self._drawn = False
        self._last = 0.0
        self._decile = -1

    def __call__(self, done: int, total: int, text: str) -> bool:
        if self.cancelled:
            return False
        share = done / total if total else 0.0
        if self.tty:
            moment = time.monotonic()
            if moment - self._last >= 0.1 or done >= total:
                self._last = moment
                width = max(40, shutil.get_terminal_size((80, 20)).columns - 1)
                bar = "#" * int(share * 24)
                line = _fit(f"[{bar:<24}] {share:4.0%} {text}", width)
                self.stream.write("\r" + line)
                self.stream.flush()
                self._drawn = True
        elif int(share * 10) > self._decile:  # a log, not a bar, when stderr is a file
            self._decile = int(share * 10)
            self.stream.write(f"进度 {share:.0%}：{text}\n")
        return True

    def finish(self) -> None:
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False

    def note(self, text: str) -> None:
        self.finish()
        self.stream.write(text + "\n")
        self.stream.flush()


def _fit(line: str, cells: int) -> str:
    """Cut and pad `line` to `cells` terminal columns; Chinese characters take two."""
    out, used = [], 0
    for ch in line:
        w = 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        if used + w > cells:
            break
        out.append(ch)
        used += w
    return "".join(out) + " " * (cells - used)


@contextlib.contextmanager
def _interruptible(progress: TextProgress) -> Iterator[None]:
    """First Ctrl+C asks the work to stop cleanly at its next step; a second one stops at once."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_interrupt(signum: int, frame: FrameType | None) -> None:
        if progress.cancelled:
            raise KeyboardInterrupt
        progress.cancelled = True
        progress.note("正在取消……（再按一次 Ctrl+C 立即退出）")

    previous = signal.signal(signal.SIGINT, on_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        progress.finish()


def _out(text: str) -> None:
    print(text, flush=True)


def _err(text: str) -> None:
    print(f"riskdesk：{text}", file=sys.stderr, flush=True)


def _guarded(fn: Callable[[argparse.Namespace], int]) -> Handler:
    """Turn every expected failure into a Chinese message and an exit status."""

    def run(args: argparse.Namespace) -> int:
        import logging

        from desktop.db import DataError, data_error_text
        from desktop.logsetup import FILE_ONLY
        from desktop.services.context import Cancelled, ServiceError

        log = logging.getLogger("desktop.cli")

        _opened.clear()
        _signed.clear()
        try:
            return fn(args)
        except _Refused as exc:
            _err(str(exc))
            return 2
        except Cancelled as exc:
            _err(exc.message)
            return 130
        except ServiceError as exc:
            # an importer.ImportRefused lists every problem (only a loaded importer raises it)
            importer = sys.modules.get("desktop.services.exchange.importer")
            if importer is not None and isinstance(exc, importer.ImportRefused):
                for line in exc.report.lines():
                    _out(line)
            _err(exc.message)
            return 1
        except DataError as exc:
            # the driver's words (SQLite result code, SQLSTATE, errno) to the log, as cli.main does
            log.error("data error: %s (%s)", exc.message, exc.detail, extra=FILE_ONLY)
            _err(data_error_text(exc))
            return 1
        except KeyboardInterrupt:
            _err("已取消。")
            return 130
        except OSError as exc:
            log.error("file error: %r", exc, extra=FILE_ONLY)
            _err(f"文件操作失败：{exc.strerror or exc}（{exc.filename or ''}）")
            return 1
        finally:
            _finish_checkpoints(fn.__name__)

    run.__name__ = fn.__name__
    run.__doc__ = fn.__doc__
    return run


def _finish_checkpoints(command: str) -> None:
    """A command that wrote to the audit log ends with a signed checkpoint of its head."""
    actor = _signed[0] if _signed else None
    for watch in _opened:
        problem = watch.finish(reason=f"command {command.removeprefix('cmd_')}", actor=actor)
        if problem:
            _err(f"注意：未能写入审计检查点：{problem}")
    _opened.clear()


def _signed_in(args: argparse.Namespace, db: Database) -> Actor:
    """The person running the command (`--user`), signed in against `db`."""
    actor = cli_login.login(args, db)
    _signed.append(actor)
    return actor


def _config(args: argparse.Namespace) -> Config:
    from desktop.config import Config

    try:
        return Config.load(getattr(args, "data_dir", None))
    except ValueError as exc:
        raise _Refused(str(exc)) from None


def _database(config: Config) -> Database:
    from desktop.db import Database

    if config.database_url.startswith("sqlite") and not config.sqlite_path.exists():
        raise _Refused(f"数据目录中没有数据库：{config.sqlite_path}。请先运行“riskdesk init”。")
    from desktop.services import checkpoints

    db = Database(config.database_url, migration_url=config.migration_database_url)
    if db.upgrades_data():
        print("正在升级数据库（新版本首次运行时转换已有记录，可能需要几十秒）…", file=sys.stderr, flush=True)
    db.migrate()
    _opened.append(checkpoints.install(db, config))
    return db


# -- commands ------------------------------------------------------------------------------


def _insurer_id(db: Database, value: str) -> int:
    from sqlalchemy import select

    from desktop.models import Organisation

    if value.isdigit():
        return int(value)
    with db.read() as session:
        ids = session.execute(select(Organisation.id).where(
            Organisation.kind == "insurer", Organisation.name.contains(value))).scalars().all()
    if len(ids) != 1:
        raise _Refused(f"{'找不到' if not ids else '有多个'}名称包含“{value}”的承保机构，请给出承保机构编号。")
    return ids[0]


@_guarded
def cmd_export_package(args: argparse.Namespace) -> int:
    """Export a signed review package for one insurer and period."""
    from desktop.fileutil import human_size
    from desktop.services.exchange import packages

    config = _config(args)
    db = _database(config)
    try:
        actor = _signed_in(args, db)
        progress = TextProgress()
        with _interruptible(progress):
            result = packages.export_package(
                db, config, actor, insurer_id=_insurer_id(db, args.insurer),
                period=args.period, out_path=args.out, project_ids=args.projects, progress=progress)
    finally:
        db.dispose()
    speed = result.size / result.seconds / 1048576 if result.seconds else 0
    _out(f"已导出评审资料包：{result.path}")
    _out(f"  {result.files} 个文件，{human_size(result.size)}，"
         f"用时 {result.seconds:.1f} 秒（{speed:.0f} MB/s）")
    _out(f"  签名公钥指纹：{result.fingerprint}")
    return 0


def _own_agency_name(config: Config) -> str:
    """The agency name of this data folder's database, if it has one (a package claiming it
    but signed by another key than ours is then reported as forged)."""
    from desktop.db import Database, DataError
    from desktop.services import agency
    from desktop.services.context import ServiceError

    try:
        if config.database_url.startswith("sqlite") and not config.sqlite_path.exists():
            return ""
        db = Database(config.database_url)
        try:
            with db.read() as session:
                profile = agency.agency_profile(session)
                return profile.name if profile else ""
        finally:
            db.dispose()
    except (DataError, ServiceError):
        return ""


@_guarded
def cmd_verify(args: argparse.Namespace) -> int:
    """Check a review package: intact (signature, every file's hash), then signed by whom.

    Exit status 0: intact and signed by a trusted key; 1: damaged, tampered with, or signed by
    another key than the one trusted for its agency; 3: intact, but the signer is not trusted."""
    from desktop.services import trust
    from desktop.services.exchange import packages

    given = [trust.given_entry(value) for value in args.trust or []]
    given += [trust.given_key(args.public_key)] if args.public_key else []
    config = _config(args)
    own_name = _own_agency_name(config) if config.data_dir.is_dir() else ""
    trusted = trust.for_verification(config.data_dir, given, agency_name=own_name)
    progress = TextProgress()
    with _interruptible(progress):
        report = packages.verify_package(args.package, trusted, progress=progress)
    for line in report.lines:
        _out(line)
    return report.exit_code


def _mapping(pairs: list[str] | None) -> dict[str, str]:
    mapping = {}
    for pair in pairs or []:
        key, sep, column = pair.partition("=")
        if not sep or not key.strip() or not column.strip():
            raise _Refused(f"--map 的格式应为 字段=列（如 found_date=F 或 found_date=检查日期）：{pair}")
        mapping[key.strip()] = column.strip()
    return mapping


@_guarded
def cmd_import(args: argparse.Namespace) -> int:
    """Import projects and policies, or hazards, from an Excel file (all rows or none)."""
    from desktop.services.exchange import importer

    config = _config(args)
    limits = importer.Limits(int(config.get("import_max_mb")), int(config.get("import_max_rows")))
    db = _database(config)
    progress = TextProgress()
    step = importer.preview if args.dry_run else importer.commit
    try:
        actor = _signed_in(args, db)
        table = importer.read(args.file, kind=args.kind, sheet=args.sheet, limits=limits)
        with _interruptible(progress), db.session() as session:
            report = step(session, actor, kind=args.kind, table=table,
                          mapping=_mapping(args.map), source=args.source, project_id=args.project,
                          progress=progress)
    finally:
        db.dispose()
    for line in report.lines():
        _out(line)
    if args.dry_run:
        _out("（预览，未写入任何数据）" if report.ok else "预览发现问题；修正后再导入。")
    return 0 if report.ok else 1


@_guarded
def cmd_backup(args: argparse.Namespace) -> int:
    """Back up the database and the attachment store into one file."""
    from desktop.fileutil import human_size
    from desktop.services.exchange import backup

    config = _config(args)
    db = _database(config)
    try:
        actor = _signed_in(args, db)
        progress = TextProgress()
        with _interruptible(progress):
            result = backup.backup(db, config, args.out, progress, actor=actor)
    finally:
        db.dispose()
    _out(f"已备份：{result.path}（{result.files} 个文件，{human_size(result.size)}，"
         f"用时 {result.seconds:.1f} 秒）")
    for warning in result.warnings:
        _out(f"  注意：{warning}")
    return 0


@_guarded
def cmd_restore(args: argparse.Namespace) -> int:
    """Replace the data with a verified backup; the current data is kept aside."""
    from desktop.services import permissions
    from desktop.services.exchange import backup, backup_accounts

    config = _config(args)
    actor = None
    credentials: tuple[str, str] | None = None
    if not backup_accounts.folder_has_accounts(config):
        # nobody to sign in against (a new computer, a lost database): the person proves they
        # are an administrator of the backup itself, checked against its users table
        name = (getattr(args, "user", None) or "").strip()
        if not name:
            raise _Refused("数据目录中还没有用户账户，须以备份中的系统管理员账户核对身份后恢复："
                           f"{cli_login.HOW}。")
        credentials = (name, cli_login.password(args))
        _out(f"数据目录中还没有用户账户：将按备份中的用户表核对 {name} 是否为系统管理员。")
    else:
        db = _database(config)
        try:
            actor = _signed_in(args, db)
        finally:
            db.dispose()  # restore works on the files alone
        permissions.require(actor, "restore")
    if not args.yes:
        if sys.stdin is None or not sys.stdin.isatty():
            raise _Refused("恢复会替换当前全部数据。非交互运行时请加 --yes 确认。")
        answer = input(f"将用备份 {args.file} 替换 {config.data_dir} 中的数据库和附件库"
                       "（当前数据移到 restore-aside-… 文件夹保留）。确认请输入 yes：")
        if answer.strip().lower() not in ("yes", "y", "是"):
            _out("已取消，未做任何改动。")
            return 1
    progress = TextProgress()
    with _interruptible(progress):  # no engine is open: the database is only touched as files
        result = backup.restore(config, args.file, progress, actor=actor, credentials=credentials,
                                force=args.force)
    _out(f"已从备份恢复（解压 {result.attachments} 个附件文件，用时 {result.seconds:.1f} 秒）。")
    if result.checked:
        _out(f"恢复前核对：{result.checked}。")
    if credentials is not None and result.by is not None:
        _out(f"恢复人：{result.by.display_name or result.by.username}（备份中的系统管理员 {result.by.username}，"
             "已写入审计记录）。")
    for warning in result.warnings:
        _out(f"  注意：{warning}")
    if result.aside is not None and result.attachments_missing:
        _out(f"原有数据保留在：{result.aside}（其中可能有缺失的附件文件，请保留，不要删除）")
    elif result.aside is not None:
        _out(f"原有数据保留在：{result.aside}（确认无误后可自行删除）")
    return 0


VERIFY_EXIT_CODES = """退出码：
  0  资料包完整，且由受信任的密钥签名
  1  资料包损坏或被篡改，或签名者与预期不符：签名公钥不是该机构受信任的公钥，
     或是受信任为另一机构的公钥（可能伪造）
  2  用法错误
  3  资料包完整，但签名者未经核实（不在受信任名单中，也未用 --trust 指定）"""


class _LinesFormatter(argparse.RawDescriptionHelpFormatter):
    """Description and epilog kept line by line (the exit codes one to a line)."""

    def add_usage(self, usage: str | None, actions: Iterable[argparse.Action],
                  groups: Iterable[argparse._MutuallyExclusiveGroup], prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, "用法：" if prefix is None else prefix)


def _import_fields() -> str:
    """The field names --map takes, for `riskdesk import --help` (they need the importer)."""
    from desktop.services.exchange import importer

    fields = "；".join(f"{kind}：" + "、".join(f"{f.key}（{f.label}）" for f in importer.FIELDS[kind])
                      for kind in importer.FIELDS)
    return f"--map 可用的字段名。{fields}"


def _passphrase(args: argparse.Namespace, *, twice: bool) -> str:
    """The key passphrase: first line of --passphrase-file, or RISKDESK_KEY_PASSPHRASE, or asked."""
    if args.passphrase_file is not None:
        try:
            lines: list[str] = args.passphrase_file.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise _Refused(f"无法读取口令文件：{exc.strerror or exc}（{args.passphrase_file}）") from None
        if not lines or not lines[0]:
            raise _Refused(f"口令文件的第一行为空：{args.passphrase_file}")
        return lines[0]
    env = os.environ.get("RISKDESK_KEY_PASSPHRASE")
    if env:
        return env
    if sys.stdin is None or not sys.stdin.isatty():
        raise _Refused("请用 --passphrase-file 或环境变量 RISKDESK_KEY_PASSPHRASE 提供密钥口令。")
    first = getpass.getpass("密钥口令（至少 10 个字符）：")
    if twice and getpass.getpass("再次输入口令：") != first:
        raise _Refused("两次输入的口令不一致，未做任何改动。")
    return first


@_guarded
def cmd_key_export(args: argparse.Namespace) -> int:
    """Write the agency's signing key, encrypted with a passphrase, to a file."""
    from desktop.services.exchange import key_export
    config = _config(args)
    passphrase = _passphrase(args, twice=True)
    db = _database(config)
    try:
        actor = _signed_in(args, db)
        with db.session() as session:
            printed = key_export.export_signing_key(session, actor, data_dir=config.data_dir,
                                                    out_path=args.out, passphrase=passphrase)
    finally:
        db.dispose()
    _out(f"已导出机构签名密钥（已用口令加密）：{args.out}\n  指纹：{printed}\n"
         "  请把此文件和口令分开保管，且不要与备份文件放在一起。")
    return 0


@_guarded
def cmd_key_import(args: argparse.Namespace) -> int:
    """Put the registered signing key back into the data folder: an exported file (after a
    restore elsewhere), or a retired key (after restoring a backup from before a rotation)."""
    from desktop.services.exchange import key_export
    config = _config(args)
    passphrase = _passphrase(args, twice=False) if key_export.is_encrypted(args.file) else None
    db = _database(config)
    try:
        actor = _signed_in(args, db)
        with db.session() as session:
            printed = key_export.import_signing_key(session, actor, data_dir=config.data_dir,
                                                    source=args.file, passphrase=passphrase)
    finally:
        db.dispose()
    _out(f"已导入机构签名密钥，指纹：{printed}")
    return 0


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add the data commands; each parser's `handler(args) -> int` runs it."""
    data_help = "数据目录（默认为用户数据目录或环境变量 RISKDESK_DATA_DIR）"
    p = subparsers.add_parser("export-package", help="导出给承保机构的评审资料包（签名 zip）",
                              description="导出某承保机构某期间的评审资料包：已签发文书、登记表、照片、封面目录和签名清单。")
    p.add_argument("--insurer", required=True, metavar="ID", help="承保机构编号（或名称中的一段）")
    p.add_argument("--period", required=True, metavar="期间", help="如 2026Q3、2026-07、2026H1、2026")
    p.add_argument("--project", type=int, action="append", dest="projects", metavar="ID",
                   help="只包含这些项目（可重复；默认为该承保机构在此期间承保的全部项目）")
    p.add_argument("--out", type=Path, required=True, metavar="FILE", help="输出的 zip 文件")
    p.set_defaults(handler=cmd_export_package)
    cli_login.add_options(p)
    subs = [p]
    p = subparsers.add_parser(
        "verify", help="核验评审资料包：是否完整、由谁签名", formatter_class=_LinesFormatter,
        description="核验评审资料包：签名是否有效，逐一指出缺少、多出或被修改的文件；\n"
                    "再看签名者是否受信任：受信任名单（riskdesk trust）、本数据目录的机构密钥、\n"
                    "--trust 指定的公钥或指纹，或由受信任的旧密钥签署的密钥更换声明。\n"
                    "一个公钥只为登记它的机构作证：名单中登记的机构名称（及密钥更换声明写明的机构）\n"
                    "须与资料包自称的机构相同。用 --trust 时只认指定的公钥。",
        epilog=VERIFY_EXIT_CODES)
    p.add_argument("package", type=Path, metavar="PACKAGE", help="资料包 zip 文件")
    p.add_argument("--trust", action="append", metavar="FILE|指纹",
                   help="本次核验只信任指定的公钥（及其签署的密钥更换声明）：公钥文件（.pem）"
                        "或 64 位十六进制指纹（可分组；可重复）")
    p.add_argument("--public-key", metavar="HEX", help="同 --trust：64 位十六进制的签名公钥")
    p.set_defaults(handler=cmd_verify)
    subs.append(p)
    p = subparsers.add_parser("import", help="从 Excel 导入项目保单清单或隐患清单",
                              description="从 Excel 导入：projects（承保机构的项目及保单清单）或 hazards（隐患清单）。"
                                          "任何一行有问题则不写入任何数据。")
    p.add_argument("kind", choices=("projects", "hazards"), metavar="KIND",
                   help="projects 或 hazards")
    p.add_argument("file", type=Path, metavar="FILE", help=".xlsx 文件")
    p.add_argument("--dry-run", action="store_true", help="只预览，列出全部问题，不写入")
    p.add_argument("--sheet", metavar="NAME",
                   help="工作表名称（默认在未隐藏的工作表中自动选择；隐藏的工作表须用此项指定）")
    p.add_argument("--source", metavar="NAME", help="来源名称；按来源记住列映射（默认为导入类型）")
    p.add_argument("--map", action="append", metavar="字段=列", help="指定列映射，如 found_date=F（可重复）")
    p.add_argument("--project", type=int, metavar="ID", help="隐患清单全部属于该项目时指定")
    p.set_defaults(handler=cmd_import, help_epilog=_import_fields)  # see cli._Help
    cli_login.add_options(p)
    subs.append(p)
    p = subparsers.add_parser("backup", help="备份数据库和附件库到一个文件",
                              description="备份数据库（一致性快照）和附件库到一个 zip 文件，含校验清单。"
                                          "签名私钥不在备份中，请用 key-export 单独导出。")
    p.add_argument("--out", type=Path, required=True, metavar="FILE", help="备份文件（.zip）")
    p.set_defaults(handler=cmd_backup)
    cli_login.add_options(p)
    subs.append(p)
    p = subparsers.add_parser("restore", help="从备份恢复（替换当前数据）",
                              description="先校验备份中每个文件，再把当前数据移到 restore-aside-… 文件夹，最后放入备份。"
                                          "恢复前请关闭所有 RiskDesk 窗口。须以系统管理员身份运行（--user）；"
                                          "数据目录中还没有用户账户时（新电脑），以备份中的系统管理员账户核对身份。")
    p.add_argument("file", type=Path, metavar="FILE", help="备份文件")
    p.add_argument("--yes", action="store_true", help="不再询问，直接恢复")
    p.add_argument("--force", action="store_true",
                   help="PostgreSQL：即使另有会话连接该数据库也恢复（仅限管理员；这些会话之后须重新连接）")
    p.set_defaults(handler=cmd_restore)
    cli_login.add_options(p)
    subs.append(p)
    p = subparsers.add_parser("key-export", help="导出机构签名密钥（口令加密；备份中不含密钥）",
                              description="把机构签名私钥用口令加密（PKCS#8）后写入文件。备份文件不含私钥："
                                          "请导出一次，与口令分开保管。")
    p.add_argument("--out", type=Path, required=True, metavar="FILE", help="输出的密钥文件（.pem）")
    p.add_argument("--passphrase-file", type=Path, metavar="FILE", help="存放口令的文件（取第一行）")
    p.set_defaults(handler=cmd_key_export)
    cli_login.add_options(p)
    subs.append(p)
    p = subparsers.add_parser("key-import", help="导入导出过的机构签名密钥",
                              description="在新电脑上恢复备份后，导入导出过的签名密钥（须与机构登记的公钥一致）；"
                                          "恢复了更换密钥之前的备份后，也可导入数据目录 retired-keys 文件夹中"
                                          "与登记公钥相符的旧密钥（无需口令）。数据目录中现有的私钥与登记的公钥"
                                          "不一致时，会先移到 retired-keys 文件夹保存。")
    p.add_argument("file", type=Path, metavar="FILE", help="导出的密钥文件，或 retired-keys 中的密钥文件")
    p.add_argument("--passphrase-file", type=Path, metavar="FILE", help="存放口令的文件（取第一行）")
    p.set_defaults(handler=cmd_key_import)
    cli_login.add_options(p)
    subs.append(p)
    for sub in subs:
        sub.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS, help=data_help)
