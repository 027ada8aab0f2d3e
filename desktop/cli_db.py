"""Database administration on the command line: `db grants` (PostgreSQL least privilege)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from desktop import cli_login
from desktop.cli_data import _config, _err, _guarded, _out, _signed, _signed_in
from desktop.cli_login import Refused as _Refused

# like cli_data: the database libraries are imported by the command that runs (`--help` stays light)


def _run(args: argparse.Namespace, url: str, data_dir: Path | None) -> Any:
    """Sign in (when the database has accounts) and run the script with its audit entry; a
    signed checkpoint follows when the database is the data folder's own (`data_dir`)."""
    from sqlalchemy.exc import DBAPIError

    from desktop.db import Database, translate_error
    from desktop.services import checkpoints, db_grants

    db = Database(url)
    if db.is_sqlite:
        db.dispose()
        raise _Refused("当前数据库是本机 SQLite 文件，没有数据库角色；本命令只用于 PostgreSQL。")
    try:
        if db_grants.has_accounts(db):
            actor = _signed_in(args, db)  # a wrong password counts toward the lockout
        else:  # a database not yet set up: nobody to sign in as, no audit table to write to
            actor = None
            _out("数据库中还没有 RiskDesk 用户账户：本次无需登录，也不写审计记录。")
        result = db_grants.apply(db, actor, args.owner, args.app)
        if result.entry_id is not None and data_dir is not None:
            problem = checkpoints.write_quietly(db, data_dir, reason="command db grants", actor=actor)
            if problem:
                _err(f"注意：未能写入审计检查点：{problem}")
        return result
    except DBAPIError as exc:  # connecting failed: said in the words of the other commands
        raise translate_error(exc) or exc from None
    finally:
        db.dispose()


@_guarded
def cmd_db_grants(args: argparse.Namespace) -> int:
    """Make the owner and application roles and their rights, or print the script."""
    from desktop import pg_grants

    for name in (args.owner, args.app):
        problem = pg_grants.role_problem(name)
        if problem:
            raise _Refused(problem + "。")
    if args.owner == args.app:
        raise _Refused("所有者角色与应用角色不能是同一个角色。")
    if args.print:
        print(pg_grants.render(args.owner, args.app), end="", flush=True)
        return 0
    data_dir: Path | None = None  # the data folder's own database: a checkpoint after
    if args.url:
        url = args.url
    else:
        config = _config(args)
        url, data_dir = config.migration_database_url, config.data_dir
    import psycopg

    try:
        result = _run(args, url, data_dir)
    except psycopg.Error as exc:  # refused by the server (a role without the rights): rolled back
        reason = exc.diag.message_primary or str(exc)
        raise _Refused(f"授权脚本未执行（未做任何改动）：{reason}。请用超级用户连接（--url）。") from None
    _out(f"已设置数据库角色：所有者 {args.owner}（升级数据库结构、恢复备份），"
         f"应用 {args.app}（日常使用：读写业务数据，审计记录只能新增）。")
    if result.entry_id is not None:
        _out(f"已写入审计记录第 {result.entry_id} 条（执行人 {_signed[0].username}，"
             f"数据库角色 {result.connected_as}）。")
    for name, holder in result.foreign_extensions:
        _out(f"注意：扩展 {name} 属于角色 {holder}，所有者角色恢复备份时不能重建它。恢复备份时请让"
             f"“升级数据库结构时使用的地址”使用角色 {holder}（或超级用户）；新建数据库时以所有者角色初始化可避免此情况。")
    if not result.audited:
        _out("注意：数据库尚未初始化（没有审计表）。请以所有者角色运行 riskdesk init 后再运行一次本命令。")
    _out("接下来：")
    _out(f"  1. 在 psql 中为两个角色设置密码：\\password {args.owner} 与 \\password {args.app}")
    _out("  2. 在各台电脑的设置中：数据库地址使用应用角色，“升级数据库结构时使用的地址”使用所有者角色；"
         "密码保存在 PostgreSQL 密码文件（pgpass）中，不写入 settings.json。")
    _out("  3. 每次升级 RiskDesk（数据库结构有新表）后再运行一次本命令。")
    return 0


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add `db grants`; the leaf parser's `handler(args) -> int` runs it."""
    from desktop.pg_grants import DEFAULT_APP, DEFAULT_OWNER

    group = subparsers.add_parser(
        "db", help="数据库管理：PostgreSQL 角色与最小权限",
        description="PostgreSQL 数据库的管理。grants：建立所有者角色（升级数据库结构用）和应用角色"
                    "（日常使用，不能改表结构，审计记录只能新增、不能修改或删除）。")
    actions = group.add_subparsers(title="操作", dest="db_action", metavar="ACTION")
    actions.required = True
    p = actions.add_parser(
        "grants", help="建立所有者角色和应用角色并授权（可重复运行）",
        description="在当前 PostgreSQL 数据库中建立（或更新）所有者角色与应用角色的权限：所有者拥有全部表；"
                    "应用角色可读写业务数据，审计表只能查询和新增（不能 UPDATE、DELETE、TRUNCATE），"
                    "可使用序列，不能建表或改表；以后升级新增的表自动获得相同权限。须以超级用户连接。"
                    "数据库中已有用户时须以系统管理员身份运行（--user），并写入审计记录。"
                    "每次升级后请再运行一次。")
    p.add_argument("--owner", default=DEFAULT_OWNER, metavar="ROLE",
                   help=f"所有者角色（默认 {DEFAULT_OWNER}）")
    p.add_argument("--app", default=DEFAULT_APP, metavar="ROLE", help=f"应用角色（默认 {DEFAULT_APP}）")
    p.add_argument("--print", action="store_true",
                   help="只打印 SQL 脚本（交给数据库管理员用 psql 执行），不连接数据库")
    p.add_argument("--url", metavar="URL", default="",
                   help="以此地址（超级用户）连接；默认为设置中升级数据库结构时使用的地址或数据库地址")
    p.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS,
                   help="数据目录（默认为用户数据目录或环境变量 RISKDESK_DATA_DIR）")
    cli_login.add_options(p)
    p.set_defaults(handler=cmd_db_grants)
