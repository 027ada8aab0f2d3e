"""The command line signs in as a person: `--user NAME` with the password from
`--password-file`, the RISKDESK_PASSWORD environment variable or a prompt on a terminal."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from desktop.db import Database
    from desktop.services.context import Actor

# like cli_data: the services are imported when a command runs (`--help` stays light)

ENV_PASSWORD = "RISKDESK_PASSWORD"
HOW = ("请加 --user 用户名；密码用 --password-file 文件、环境变量 RISKDESK_PASSWORD 给出，"
       "或在终端中按提示输入")


class Refused(Exception):
    """Wrong input or a question that cannot be asked: exit status 2."""


def add_options(parser: argparse.ArgumentParser) -> None:
    """--user and --password-file, for a command that changes or exports data."""
    parser.add_argument("--user", metavar="NAME", help="以该用户身份运行（必需；权限按其角色）")
    parser.add_argument("--password-file", metavar="FILE", type=Path,
                        help=f"存放该用户密码的文件（取第一行）；也可用环境变量 {ENV_PASSWORD}，"
                             "或在终端中按提示输入")


def password(args: argparse.Namespace) -> str:
    path: Path | None = getattr(args, "password_file", None)
    if path is not None:
        try:
            lines = path.read_text(encoding="utf-8-sig").splitlines()
        except FileNotFoundError:
            raise Refused(f"密码文件不存在：{path}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise Refused(f"密码文件无法读取：{path}（{exc}）") from None
        if not lines or not lines[0]:
            raise Refused(f"密码文件的第一行为空：{path}")
        return lines[0]
    env = os.environ.get(ENV_PASSWORD)
    if env:
        return env
    if sys.stdin is None or not sys.stdin.isatty():
        raise Refused(f"缺少用户 {args.user} 的密码。非交互运行时请用 --password-file 或环境变量 "
                      f"{ENV_PASSWORD} 给出。")
    import getpass

    return getpass.getpass(f"用户 {args.user} 的密码：")


def login(args: argparse.Namespace, db: Database) -> Actor:
    """Sign in as `--user`: a wrong password counts toward the lockout, as in the window."""
    from desktop.services import users

    name = (getattr(args, "user", None) or "").strip()
    if not name:
        raise Refused(f"此命令会改动或导出数据，须以用户身份运行：{HOW}。")
    return users.login(db, name, password(args))
