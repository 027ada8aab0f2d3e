"""Key and trust commands of the command line: `trust add|list|remove`, `key rotate|public`."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop import cli_login
from desktop.cli_data import _config, _database, _guarded, _out, _signed_in
from desktop.cli_login import Refused as _Refused

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from desktop.config import Config
    from desktop.services.context import Actor, ValidationError

# like cli_data: the services are imported by the command that runs (`--help` stays light)


@contextlib.contextmanager
def _audited(config: Config, args: argparse.Namespace) -> Iterator[tuple[Session | None, Actor]]:
    """A write session and the signed-in `--user` when the data folder has a database (the
    change is audited there); no session and the system actor on a desk that only verifies
    packages (an insurer's: it has no accounts to sign in with)."""
    from desktop.services.context import Actor

    if config.database_url.startswith("sqlite") and not config.sqlite_path.exists():
        yield None, Actor.system()
        return
    db = _database(config)
    try:
        actor = _signed_in(args, db)
        with db.session() as session:
            yield session, actor
    finally:
        db.dispose()


def _folder(config: Config) -> Path:
    folder = config.data_dir
    if folder.exists() and not folder.is_dir():
        raise _Refused(f"数据目录不是文件夹：{folder}")
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def _fields(exc: ValidationError) -> str:
    return "；".join(str(v) for v in exc.fields.values())


@_guarded
def cmd_trust_add(args: argparse.Namespace) -> int:
    """Trust a public key file (from the agency's key letter) under the agency's name."""
    from desktop.services import trust
    from desktop.services.context import ValidationError

    config = _config(args)
    folder = _folder(config)
    try:
        with _audited(config, args) as (session, actor):
            entry = trust.add_entry(folder, actor, args.file, args.name, session=session)
    except ValidationError as exc:
        raise _Refused(_fields(exc)) from None
    _out(f"已加入受信任名单：{entry.name}")
    _out(f"  公钥指纹：{entry.fingerprint}")
    _out("  请确认该指纹与机构书面提供的公钥登记函上的指纹一致。")
    return 0


@_guarded
def cmd_trust_list(args: argparse.Namespace) -> int:
    """The trust list, and the agency's own keys when this folder has them."""
    from desktop.services import trust

    config = _config(args)
    listed = trust.list_entries(config.data_dir) if config.data_dir.is_dir() else []
    own = trust.own_keys(config.data_dir) if config.data_dir.is_dir() else []
    if not listed and not own:
        _out("受信任名单为空。用“riskdesk trust add 公钥文件 --name 机构名称”添加。")
    for entry in listed:
        added = entry.added_at[:16].replace("T", " ")
        _out(f"{entry.name}\n  指纹：{entry.fingerprint}\n  添加于：{added}")
    for n, entry in enumerate(own):
        _out(f"本机构{'当前' if n == 0 else '已更换的'}签名密钥\n  指纹：{entry.fingerprint}")
    return 0


@_guarded
def cmd_trust_remove(args: argparse.Namespace) -> int:
    from desktop.services import trust
    from desktop.services.context import ValidationError

    config = _config(args)
    if not config.data_dir.is_dir():
        raise _Refused(f"数据目录不存在：{config.data_dir}")
    try:
        with _audited(config, args) as (session, actor):
            entry = trust.remove_entry(config.data_dir, actor, args.fingerprint,
                                       session=session)
    except ValidationError as exc:
        raise _Refused(_fields(exc)) from None
    _out(f"已从受信任名单移除：{entry.name}（{entry.fingerprint}）")
    return 0


@_guarded
def cmd_key_rotate(args: argparse.Namespace) -> int:
    """A new agency key, announced by a statement signed with the old one."""
    from desktop.services import rotation

    config = _config(args)
    db = _database(config)
    try:
        actor = _signed_in(args, db)
        with db.session() as session:
            done = rotation.rotate_key(session, actor, data_dir=config.data_dir)
    finally:
        db.dispose()
    _out(f"已更换机构签名密钥（{done.date}）。")
    _out(f"  旧公钥指纹：{done.old_fingerprint}")
    _out(f"  新公钥指纹：{done.new_fingerprint}")
    _out(f"  密钥更换声明（由旧密钥签名）：{config.data_dir / rotation.ROTATION_FILE}，"
         "此后导出的资料包都附带该声明。")
    _out(f"  旧私钥已移到：{done.retired_key}")
    _out("  请把新的公钥登记函交给承保机构；信任旧公钥的机构也能凭声明核验新资料包。")
    return 0


@_guarded
def cmd_key_public(args: argparse.Namespace) -> int:
    """Write the agency's current public key as a PEM file (it travels with the key letter)."""
    from desktop.fileutil import atomic_write_bytes
    from desktop.services import signing

    config = _config(args)
    public = signing.public_hex(signing.load_private_key(config.data_dir))
    atomic_write_bytes(args.out, signing.public_pem(public))
    _out(f"已写出机构签名公钥：{args.out}")
    _out(f"  公钥指纹：{signing.fingerprint(public)}")
    return 0


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add `trust` and `key`; each leaf parser's `handler(args) -> int` runs it."""
    data_help = "数据目录（默认为用户数据目录或环境变量 RISKDESK_DATA_DIR）"
    leaves = []
    group = subparsers.add_parser(
        "trust", help="受信任的签名公钥名单（承保机构一方核验资料包用）",
        description="维护本数据目录中受信任的签名公钥名单：riskdesk verify 据此判断资料包由谁签名。")
    actions = group.add_subparsers(title="操作", dest="trust_action", metavar="ACTION")
    actions.required = True
    p = actions.add_parser("add", help="从公钥文件添加", description="把机构的公钥文件（.pem，随公钥登记函提供）"
                           "加入受信任名单。添加前请核对指纹与登记函一致。")
    p.add_argument("file", type=Path, metavar="FILE", help="公钥文件（.pem）")
    p.add_argument("--name", required=True, metavar="机构名称", help="该公钥所属机构的名称")
    p.set_defaults(handler=cmd_trust_add)
    cli_login.add_options(p)
    leaves.append(p)
    p = actions.add_parser("list", help="列出受信任的公钥", description="列出受信任名单和本机构自己的签名密钥。")
    p.set_defaults(handler=cmd_trust_list)
    leaves.append(p)
    p = actions.add_parser("remove", help="按指纹移除", description="按公钥指纹从受信任名单中移除一项。")
    p.add_argument("fingerprint", metavar="FINGERPRINT", help="公钥指纹（64 位十六进制，可含空格）")
    p.set_defaults(handler=cmd_trust_remove)
    cli_login.add_options(p)
    leaves.append(p)
    group = subparsers.add_parser("key", help="机构签名密钥：更换、导出公钥",
                                  description="机构签名密钥的维护：更换密钥（rotate）、写出公钥文件（public）。")
    actions = group.add_subparsers(title="操作", dest="key_action", metavar="ACTION")
    actions.required = True
    p = actions.add_parser("rotate", help="更换签名密钥（旧密钥签署更换声明）",
                           description="生成新的机构签名密钥，并写出由旧密钥签名的密钥更换声明（新公钥、指纹、日期），"
                                       "此后导出的资料包都附带该声明；旧密钥签名的资料包仍可用旧公钥核验。")
    p.set_defaults(handler=cmd_key_rotate)
    cli_login.add_options(p)
    leaves.append(p)
    p = actions.add_parser("public", help="写出机构签名公钥文件（.pem）",
                           description="把机构当前的签名公钥写成 PEM 文件，随公钥登记函交给承保机构。")
    p.add_argument("--out", type=Path, required=True, metavar="FILE", help="输出的 .pem 文件")
    p.set_defaults(handler=cmd_key_public)
    leaves.append(p)
    for leaf in leaves:
        leaf.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS, help=data_help)
