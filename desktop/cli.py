"""The command line: `riskdesk [--data-dir DIR] init|demo|check`; without a sub-command, the window."""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from desktop import APP_TITLE, __version__, clock, paths

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from desktop.config import Config
    from desktop.db import Database
    from desktop.services.context import Actor

# `riskdesk --version` and `--help` answer from argparse alone: the database (SQLAlchemy),
# the documents (ReportLab) and the window (PySide6) are imported by the command that needs
# them (tests/test_cli_start.py); so are logging, getpass and shutil, by the code using them.


class UsageError(Exception):
    """Wrong or missing command-line input: exit status 2."""


class Failure(Exception):
    """The command could not do its work: exit status 1."""


_ARGPARSE_MESSAGES = (
    (r"argument command: invalid choice: (\S+) \(choose from (.*)\)", r"无效的命令 \1（可选：\2）"),
    (r"unrecognized arguments: (.*)", r"无法识别的参数：\1"),
    (r"argument (\S+): invalid choice: (\S+) \(choose from (.*)\)", r"参数 \1 的取值 \2 无效（可选：\3）"),
    (r"argument (\S+): invalid \w+ value: (.*)", r"参数 \1 的值无效：\2"),
    (r"argument (\S+): expected one argument", r"参数 \1 需要一个值"),
    (r"the following arguments are required: (.*)", r"缺少必需的参数：\1"),
)


class _Formatter(argparse.HelpFormatter):
    def add_usage(self, usage: str | None, actions: Iterable[argparse.Action],
                  groups: Iterable[argparse._MutuallyExclusiveGroup], prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, "用法：" if prefix is None else prefix)


class _Help(argparse.Action):
    """-h: argparse's help, with an epilog a command computes only when asked (the import
    command's field names come from the importer, too heavy to load for every start)."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS,
                 default: Any = argparse.SUPPRESS, help: str | None = None) -> None:  # noqa: A002 - argparse's own keyword
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: str | Sequence[Any] | None, option_string: str | None = None) -> None:
        epilog = parser.get_default("help_epilog")
        if callable(epilog):
            parser.epilog = epilog()
        parser.print_help()
        parser.exit()


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        kwargs.setdefault("add_help", False)
        super().__init__(*args, **kwargs)
        # argparse has no translation hook for its two default section titles
        self._positionals.title, self._optionals.title = "参数", "选项"
        self.add_argument("-h", "--help", action=_Help, help="显示本帮助并退出")

    def error(self, message: str) -> NoReturn:
        for pattern, chinese in _ARGPARSE_MESSAGES:
            if re.fullmatch(pattern, message):
                message = re.sub(pattern, chinese, message)
                break
        raise UsageError(message)


# the data commands are declared in desktop.cli_data and cli_docs, loaded only when one of
# them (or the help) is asked for
DATA_COMMANDS = ("export-package", "verify", "import", "backup", "restore", "selfcheck", "report",
                 "trust", "key", "key-export", "key-import",
                 "catalogue", "grading", "db")
DEFAULT_DEMO_PROJECTS = 20  # equal to desktop.demo.generator.DEFAULT_PROJECTS (not imported: it loads Pillow)


def wants_data_commands(argv: list[str]) -> bool:
    return any(token in DATA_COMMANDS or token in ("-h", "--help") for token in argv)


def build_parser(*, data_commands: bool = True) -> _Parser:
    parser = _Parser(prog="riskdesk", description=f"{APP_TITLE}。不带命令时打开图形界面。")
    parser.add_argument("--version", action="version", version=f"riskdesk {__version__}", help="显示版本号并退出")
    data_help = "数据目录（数据库、附件、日志都在其中）；默认为用户数据目录或环境变量 RISKDESK_DATA_DIR"
    parser.add_argument("--data-dir", metavar="DIR", default=None, help=data_help)
    commands = parser.add_subparsers(title="命令", dest="command", parser_class=_Parser)

    init = commands.add_parser("init", help="创建或升级数据库，载入标准目录，设置机构与首个管理员",
                               description="创建或升级数据库，载入标准目录，设置机构信息与首个管理员。")
    init.add_argument("--agency-name", metavar="名称", help="风控机构全称")
    init.add_argument("--agency-short-name", metavar="简称", default="", help="机构简称")
    init.add_argument("--credit-code", metavar="代码", default="", help="统一社会信用代码（18 位）")
    init.add_argument("--admin", metavar="NAME", help="首个管理员的用户名")
    init.add_argument("--admin-name", metavar="显示名", help="首个管理员的姓名")
    init.add_argument("--password-file", metavar="FILE", type=Path,
                      help="存放首个管理员密码的文件（取第一行）；修改已有机构信息时为 --user 的密码")
    init.add_argument("--user", metavar="NAME", help="修改已初始化目录的机构信息时，以该用户身份运行")

    demo = commands.add_parser("demo", help="在空的数据目录中生成演示数据",
                               description="在空的数据目录中生成一整套演示数据（项目、检查、隐患、照片、培训、档案）。")
    demo.add_argument("--projects", type=int, default=DEFAULT_DEMO_PROJECTS, metavar="N",
                      help=f"项目数量（默认 {DEFAULT_DEMO_PROJECTS}）")
    demo.add_argument("--seed", type=int, default=2024, metavar="S", help="随机种子（默认 2024）")

    check = commands.add_parser("check", help="检查数据库、附件库与审计记录链",
                                description="检查数据库结构版本与完整性、附件库、审计记录链；有问题时退出码为 1。")
    check.add_argument("--quick", action="store_true", help="不逐个计算附件的哈希值（更快）")
    selftest = commands.add_parser("selftest", help="自检：临时数据库、迁移、中文 PDF、主窗口",
                                   description="在临时目录中检查数据库迁移、中文 PDF 生成与主窗口，全部正常时退出码为 0。")
    selftest.add_argument("--no-gui", action="store_true", help="不创建窗口（无图形环境时）")
    for sub in (init, demo, check, selftest):
        sub.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS, help=data_help)
    if data_commands:
        from desktop import cli_catalogue, cli_data, cli_db, cli_docs, cli_grading, cli_trust

        cli_data.register(commands)
        cli_docs.register(commands)
        cli_trust.register(commands)
        cli_catalogue.register(commands)
        cli_grading.register(commands)
        cli_db.register(commands)
    return parser


# -- helpers ----------------------------------------------------------------------------

def _out(text: str) -> None:
    if sys.stdout is not None:
        print(text, flush=True)


def _err(text: str) -> None:
    if sys.stderr is not None:
        print(text, file=sys.stderr, flush=True)


def _interactive() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def _ask(label: str, option: str) -> str:
    if not _interactive():
        raise UsageError(f"缺少 {option}（{label}）。非交互运行时请在命令行中给出。")
    value = input(f"{label}：").strip()
    if not value:
        raise UsageError(f"未填写{label}。")
    return value


def _ask_password() -> str:
    if not _interactive():
        raise UsageError("缺少 --password-file（首个管理员的密码文件）。非交互运行时请在命令行中给出。")
    import getpass

    first = getpass.getpass("管理员密码：")
    if first != getpass.getpass("再次输入密码："):
        raise Failure("两次输入的密码不一致。")
    return first


def _read_password(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise Failure(f"密码文件不存在：{path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise Failure(f"密码文件无法读取：{path}（{exc}）") from None
    lines = text.splitlines()
    if not lines or not lines[0]:
        raise Failure(f"密码文件的第一行为空：{path}")
    return lines[0]


def _load_config(data_dir: str | None) -> Config:
    from desktop.config import Config

    try:
        return Config.load(data_dir)
    except ValueError as exc:
        raise Failure(str(exc)) from None


def _prepare_folder(config: Config, *, create: bool) -> None:
    folder = config.data_dir
    if folder.exists() and not folder.is_dir():
        raise Failure(f"数据目录不是文件夹：{folder}")
    if not folder.exists():
        if not create:
            raise Failure(f"数据目录不存在：{folder}。请先运行“riskdesk init”。")
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise Failure(f"无法创建数据目录 {folder}：{exc.strerror or exc}") from None
    if create and not os.access(folder, os.W_OK):
        raise Failure(f"数据目录不可写：{folder}")


@contextlib.contextmanager
def _hold_folder(config: Config, args: argparse.Namespace) -> Iterator[None]:
    """Every window and command holds the data folder while it runs (a restore elsewhere is
    refused meanwhile); on the way in, a restore cut off by a crash is finished or undone and
    the folder's modes are set."""
    if not config.data_dir.is_dir():
        yield
        return
    from desktop import datalock, datamodes
    from desktop.services.exchange import restore_journal

    def finished(done: restore_journal.Finished) -> list[str]:
        from desktop.services.exchange import backup  # only when a restore was cut off

        return backup.finish_interrupted(config, done)

    def on_open() -> str | None:
        try:
            recovered = restore_journal.recover(config.data_dir, finished=finished)
        except OSError as exc:  # the journal unreadable, or a move it asks for refused
            raise Failure(f"上次恢复备份未能自动完成或撤销：{exc}") from None
        datamodes.protect(config)  # the folder 0700; database, key, settings 0600
        return recovered

    try:
        with contextlib.ExitStack() as held:
            try:
                recovered = held.enter_context(
                    datalock.hold(config.data_dir, args.command or "窗口", on_open))
            except OSError as exc:  # the lock file not written: a read-only, refused or full folder
                error = _folder_failure(exc)
                if error is None:
                    raise
                raise error from exc
            if recovered:
                _err(f"riskdesk：{recovered}")
                args.recovered = recovered  # the window shows it too
            yield
    except datalock.FolderBusy as exc:
        raise Failure(exc.text) from None


def _folder_failure(exc: OSError) -> Exception | None:
    """Holding the data folder failed in the file system: a read-only, refused (EACCES) or
    full folder is the environment (a DataError, said in Chinese and logged); None for any
    other OSError, a bug for the crash path."""
    from desktop.db import translate_error  # only here: the window's frame shows before SQLAlchemy

    return translate_error(exc)


def _is_fresh(db: Database) -> bool:
    if db.sqlite_path is not None and not db.sqlite_path.exists():
        return True
    return db.current_revision() is None


def _refuse_beside_a_restore(config: Config) -> None:
    """No new, empty database beside the data a restore moved aside, or beside the attachments
    and signed checkpoints of a database that was lost: it would look like the agency's data to
    the next desk while the real data sits in restore-aside-… or in a backup."""
    from desktop.services.exchange import restore_journal

    found = restore_journal.leftovers(config.data_dir)
    if found:
        names = "、".join(p.name for p in found)
        raise Failure(f"数据目录中没有数据库，但有恢复留下的数据（{names}）。不会新建空数据库：请把其中的"
                      f"数据库放回 {config.sqlite_path.name}，或确认不再需要后移走这些文件夹，再运行 init。")
    if not config.database_url.startswith("sqlite"):
        return  # the database is on a server: the folder's files say nothing of it
    from desktop.services import check

    held = check.held_data(config)
    if held:  # attachments, signed checkpoints: the database was lost or moved, not never made
        raise Failure(check.database_lost(config, held, refusing_init=True))


def _migrate(db: Database) -> bool:
    """Bring the schema to head and say what happened; True when anything was changed."""
    before = db.current_revision()
    if db.upgrades_data():
        _out("正在升级数据库（转换已有记录，可能需要几十秒）…")
    copy = db.migrate()
    after = db.current_revision()
    if before is None:
        _out(f"已创建数据库（结构版本 {after}）。")
    elif before != after:
        _out(f"已将数据库从结构版本 {before} 升级到 {after}。")
        if copy is not None:
            _out(f"升级前的数据库副本：{copy}")
    else:
        _out(f"数据库已是最新结构版本（{after}），无需升级。")
    return before != after


def _load_catalogues(session: Session) -> None:
    from desktop.services import catalogues

    for result in catalogues.load_all(session):
        state = "已载入" if result.status == "loaded" else "已存在"
        _out(f"  标准目录 {state}：{result.title}（{result.items} 条）")


def _init_login(args: argparse.Namespace, db: Database) -> Actor | None:
    """Changing an initialised folder's agency is done by a person (settings.edit), signed in
    as the data commands are (cli_login); a folder without accounts has nobody to sign in."""
    from desktop import cli_login
    from desktop.services import users

    with db.read() as session:
        if users.count(session) == 0:
            return None
    if not args.user:
        raise UsageError("修改已初始化目录的机构信息须以用户身份运行：请加 --user 用户名，"
                         "并用 --password-file 或环境变量 RISKDESK_PASSWORD 给出其密码。")
    try:
        return cli_login.login(args, db)
    except cli_login.Refused as exc:
        raise UsageError(str(exc)) from None


def _checkpoint(db: Database, config: Config, reason: str) -> None:
    """A signed checkpoint of the audit chain after a command that wrote (services/checkpoints)."""
    from desktop.services import checkpoints

    problem = checkpoints.write_quietly(db, config.data_dir, reason=f"command {reason}")
    if problem:
        _err(f"riskdesk：注意：未能写入审计检查点：{problem}")


# -- commands ---------------------------------------------------------------------------

def cmd_init(args: argparse.Namespace, config: Config) -> int:
    from desktop.db import Database
    from desktop.services import agency, users

    password = _read_password(args.password_file) if args.password_file else None
    _prepare_folder(config, create=True)
    db = Database(config.database_url, migration_url=config.migration_database_url)
    try:
        fresh = _is_fresh(db)
        if fresh:
            _refuse_beside_a_restore(config)
        agency_name, admin, admin_name = args.agency_name, args.admin, args.admin_name
        if fresh:  # ask for everything before anything is written
            agency_name = agency_name or _ask("机构名称", "--agency-name")
            if not admin:
                admin = _ask("管理员用户名", "--admin")
                admin_name = admin_name or input("管理员姓名（可留空）：").strip()
            password = password or _ask_password()
        if password is not None:
            weak = users.check_password_strength(password)
            if weak:
                raise Failure(f"管理员密码不符合要求：{weak}。")
        changed = _migrate(db)
        actor = None
        if not fresh and (args.agency_name or args.agency_short_name or args.credit_code):
            actor = _init_login(args, db)
        with db.session() as session:
            _load_catalogues(session)
            profile = agency.agency_profile(session)
            if profile is None and not agency_name:
                agency_name = _ask("机构名称", "--agency-name")
            if agency_name or args.agency_short_name or args.credit_code:
                row = agency.setup_agency(
                    session, name=agency_name or (profile.name if profile is not None else ""),
                    short_name=args.agency_short_name, credit_code=args.credit_code, actor=actor,
                )
                _out(f"  机构信息：{row.name}")
            if users.count(session) == 0:
                admin = admin or _ask("管理员用户名", "--admin")
                user = agency.create_first_admin(session, username=admin, display_name=admin_name or admin,
                                                 password=password or _ask_password())
                _out(f"  已创建管理员账户：{user.username}（{user.display_name}）")
                from desktop.services import presets
                from desktop.services.context import Actor

                authorities = presets.create_authorities(session, Actor.system())
                _out(f"  预置区县主管部门：{len(authorities) - 1} 个区县")
            elif args.admin:
                _out(f"  已有用户账户，未创建管理员（忽略 --admin {args.admin}）。")
            if agency.agency_profile(session) is not None:
                from desktop.services import signing

                key = signing.setup_key(session, data_dir=config.data_dir)
                _out(f"  机构签名密钥指纹：{key.fingerprint}")
        from desktop import datamodes

        datamodes.protect(config)  # the folder 0700; database, key, settings 0600
        _checkpoint(db, config, "init")
        if fresh:
            _out(f"初始化完成：{config.data_dir}")
        else:
            _out(f"{'升级完成' if changed else '数据目录已初始化，结构无需升级'}：{config.data_dir}")
        return 0
    finally:
        db.dispose()


def cmd_demo(args: argparse.Namespace, config: Config) -> int:
    from desktop.db import Database
    from desktop.demo import generator as demo

    if not 1 <= args.projects <= 2000:
        raise UsageError("--projects 须在 1 到 2000 之间。")
    _prepare_folder(config, create=True)
    new_store = not config.attachments_dir.exists()
    db = Database(config.database_url, migration_url=config.migration_database_url)
    try:
        _migrate(db)
        started = time.perf_counter()
        try:
            with db.session() as session:
                _load_catalogues(session)
                summary = demo.generate(session, store_dir=config.attachments_dir,
                                        projects=args.projects, seed=args.seed, key_dir=config.data_dir)
        except BaseException:
            if new_store:  # the rows were rolled back: take back the photos written so far
                import shutil

                shutil.rmtree(config.attachments_dir, ignore_errors=True)
            raise
        _out(f"已生成演示数据（用时 {time.perf_counter() - started:.1f} 秒）：{config.data_dir}")
        _checkpoint(db, config, "demo")
        for line in summary.lines():
            _out(f"  {line}")
        return 0
    finally:
        db.dispose()


def cmd_check(args: argparse.Namespace, config: Config) -> int:
    from desktop.db import Database
    from desktop.services.check import run_check

    _prepare_folder(config, create=False)
    if config.database_url.startswith("sqlite") and not config.sqlite_path.exists():
        from desktop.services import check

        held = check.held_data(config)
        if held:
            raise Failure(check.database_lost(config, held))
        raise Failure(f"数据目录中没有数据库：{config.sqlite_path}。请先运行“riskdesk init”。")
    db = Database(config.database_url)
    try:
        report = run_check(db, config, hash_files=not args.quick)
    finally:
        db.dispose()
    for line in report.lines:
        _out(line)
    if not report.ok:
        _err(f"riskdesk：检查发现 {len(report.problems)} 个问题。")
    return 0 if report.ok else 1


def cmd_gui(args: argparse.Namespace, config: Config) -> int:
    import logging

    from desktop.logsetup import FILE_ONLY

    try:
        from desktop import app
    except ImportError as exc:
        logging.getLogger("desktop.cli").exception("GUI import failed", extra=FILE_ONLY)
        raise Failure(f"图形界面无法启动：{exc}。命令行功能（init、check 等）仍可使用。") from None
    notice = getattr(args, "recovered", None)
    return int((app.main(config) if notice is None else app.main(config, notice=notice)) or 0)


def cmd_selftest(args: argparse.Namespace, config: Config) -> int:
    from desktop import selftest

    return selftest.run(gui=not args.no_gui, out=_out)


COMMANDS = {"init": cmd_init, "demo": cmd_demo, "check": cmd_check, "selftest": cmd_selftest,
            None: cmd_gui}


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 failure, 2 usage)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(data_commands=wants_data_commands(argv))
    try:
        args = parser.parse_args(argv)
    except UsageError as exc:
        _err(f"riskdesk：{exc}\n请运行“riskdesk --help”查看用法。")
        return 2
    except SystemExit as exc:  # --help and --version
        return exc.code if isinstance(exc.code, int) else 0
    import logging

    from desktop.db import DataError, data_error_text
    from desktop.logsetup import FILE_ONLY, setup_logging, teardown_logging
    from desktop.services.context import ServiceError

    log = logging.getLogger("desktop.cli")

    log_path: Path | None = None
    try:
        config = _load_config(args.data_dir)
        clock.use_zone(config.time_zone)
        paths.use_document_font(config.document_font)
        if args.command in ("init", "demo", None):
            _prepare_folder(config, create=True)
        if config.data_dir.is_dir():
            log_path = setup_logging(config.logs_dir)
        log.info("riskdesk %s: %s", __version__, args.command or "gui")
        with _hold_folder(config, args):
            handler = getattr(args, "handler", None)  # a data command: reports its own failures
            return handler(args) if handler is not None else COMMANDS[args.command](args, config)
    except UsageError as exc:
        _err(f"riskdesk：{exc}")
        return 2
    except Failure as exc:
        _err(f"riskdesk：{exc}")
        return 1
    except DataError as exc:
        log.error("data error: %s (%s)", exc.message, exc.detail, extra=FILE_ONLY)
        _err(f"riskdesk：{data_error_text(exc)}")
        return 1
    except ServiceError as exc:
        _err(f"riskdesk：{exc.message}")
        return 1
    except KeyboardInterrupt:
        _err("riskdesk：已取消。")
        return 130
    except Exception as exc:  # a bug: details to the log, a short message to the person
        log.exception("unexpected error", extra=FILE_ONLY)
        where = f"，详细信息见日志 {log_path}" if log_path else ""
        _err(f"riskdesk：内部错误（{type(exc).__name__}：{exc}）{where}。")
        return 1
    finally:
        teardown_logging()


if __name__ == "__main__":  # `python -m desktop.cli` runs the command line too (not only `python -m desktop`)
    sys.exit(main())
