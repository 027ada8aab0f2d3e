"""Catalogue commands of the command line: list the editions, import a further one, mark one checked."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop import cli_login
from desktop.cli_data import _config, _database, _guarded, _out, _signed_in
from desktop.cli_login import Refused as _Refused

if TYPE_CHECKING:
    from desktop.services import catalogues


def _line(row: catalogues.CatalogueRow) -> str:
    since = f"，{row.in_force.isoformat()} 起施行" if row.in_force else ""
    return (f"{row.code}  {row.title}（{row.doc_no or row.edition}{since}）  {row.items} 条  "
            f"{row.check_label}")


@_guarded
def cmd_catalogue(args: argparse.Namespace) -> int:
    """`catalogue list`, `catalogue import FILE`, `catalogue check CODE` (an administrator's work)."""
    from desktop.services import catalogues
    from desktop.services.exchange import catalogue_sheet, xlsx_guard

    if args.action != "list" and not args.target:
        raise _Refused("请给出 JSON 或 Excel 文件。" if args.action == "import" else "请给出目录代码（如 major_hazard@2024）。")
    config = _config(args)
    db = _database(config)
    try:
        if args.action == "list":
            with db.read() as session:
                for row in catalogues.list_catalogues(session):
                    _out(_line(row))
            return 0
        if args.action == "import":
            path = Path(args.target)
            if not path.is_file():
                raise _Refused(f"找不到目录文件：{path}")
            actor = _signed_in(args, db)
            limits = xlsx_guard.Limits(int(config.get("import_max_mb")), int(config.get("import_max_rows")))
            with db.session() as session:
                result = catalogue_sheet.import_file(session, actor, path, limits=limits)
            _out(f"已导入：{result.title}（{result.code}，{result.items} 条）。"
                 f"核对原文前显示为“{catalogues.UNCHECKED}”；核对后请运行 riskdesk catalogue check {result.code}")
            return 0
        actor = _signed_in(args, db)
        with db.session() as session:
            found = [c for c in catalogues.list_catalogues(session) if c.code == args.target]
            if not found:
                raise _Refused(f"没有代码为“{args.target}”的目录；可用 riskdesk catalogue list 查看。")
            row = catalogues.mark_checked(session, actor, found[0].id)
        _out(f"已标记为已核对原文：{row.title}")
        return 0
    finally:
        db.dispose()


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    p = subparsers.add_parser(
        "catalogue", help="标准目录：列出版本、导入新版本（JSON 或 Excel）、标记已核对原文",
        description="list 列出已载入的标准目录版本；import FILE 导入新版本（JSON 或 Excel .xlsx，格式见 "
                    "resources/catalogues/README.md），导入后显示“未核对原文”；check CODE 将某版本标记为已与原文核对。")
    p.add_argument("action", choices=("list", "import", "check"), metavar="ACTION",
                   help="list、import 或 check")
    p.add_argument("target", nargs="?", default="", metavar="FILE|CODE",
                   help="import 时为 JSON 或 Excel 文件，check 时为目录代码（如 major_hazard@2024）")
    p.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS,
                   help="数据目录（默认为用户数据目录或环境变量 RISKDESK_DATA_DIR）")
    p.set_defaults(handler=cmd_catalogue)
    cli_login.add_options(p)

