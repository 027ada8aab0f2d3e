"""`riskdesk grading`: the risk grading thresholds (设置 › 机构规则) imported from JSON or Excel,
or their template written with the current values — an administrator's work, as in the window."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from desktop import cli_login
from desktop.cli_data import _config, _database, _guarded, _out, _signed_in
from desktop.cli_login import Refused as _Refused


@_guarded
def cmd_grading(args: argparse.Namespace) -> int:
    """Import FILE, or write the template to --template FILE; a bad file is refused (status 2)."""
    from desktop.services.exchange import grading_sheet, xlsx_guard

    if bool(args.file) == bool(args.template):
        raise _Refused("请给出要导入的 JSON 或 Excel 文件，或用 --template FILE 写出模板（二者选一）。")
    if args.file and not Path(args.file).is_file():
        raise _Refused(f"找不到评定规则文件：{args.file}")
    config = _config(args)
    db = _database(config)
    try:
        actor = _signed_in(args, db)
        try:
            if args.template:
                with db.read() as session:
                    path = grading_sheet.write_template(session, actor, Path(args.template))
                _out(f"已写出评定规则模板（含现行取值）：{path}\n"
                     f"  修改“取值”列后可用 riskdesk grading {path.name} 导入；原样导入不作任何修改。")
                return 0
            limits = xlsx_guard.Limits(int(config.get("import_max_mb")), int(config.get("import_max_rows")))
            with db.session() as session:
                result = grading_sheet.import_file(session, actor, Path(args.file), limits=limits)
        except grading_sheet.GradingFileError as exc:
            raise _Refused(exc.message) from None
    finally:
        db.dispose()
    changed = "已保存，用于此后的风险评估" if result.stored else "与现行规则相同，未作修改"
    _out(f"已从 {result.file} 读取 {result.values} 项评定规则取值，{changed}。")
    return 0


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    p = subparsers.add_parser(
        "grading", help="风险等级评定规则：从 JSON 或 Excel 导入阈值，或写出填好现行取值的模板",
        description="导入项目风险等级评定规则（与 设置 › 机构规则 相同的检查；任何一处有问题则不作修改，"
                    "退出码为 2）。Excel 为一个含“项目”“取值”两列的工作表，JSON 为 {\"代码\": 取值}；"
                    "格式见 docs/rules-evaluation.md。--template FILE 写出含现行取值的 Excel 模板。需管理员。")
    p.add_argument("file", nargs="?", default="", metavar="FILE", help="要导入的 JSON 或 Excel（.xlsx）文件")
    p.add_argument("--template", metavar="FILE", default="",
                   help="写出 Excel 模板（.xlsx，含现行取值）到该文件，不导入")
    p.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS,
                   help="数据目录（默认为用户数据目录或环境变量 RISKDESK_DATA_DIR）")
    p.set_defaults(handler=cmd_grading)
    cli_login.add_options(p)
