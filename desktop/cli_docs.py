"""Document commands of the command line: selfcheck, and report for the period outputs."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop import cli_login
from desktop.cli_data import _config, _database, _guarded, _out, _signed_in
from desktop.cli_login import Refused as _Refused

if TYPE_CHECKING:
    from desktop.db import Database
    from desktop.services.periods import Period
    from desktop.services.queries import doc_data

# Importing this module only declares the commands (`riskdesk --help` reads them): the
# queries and the document builders are imported by the command that runs.

# Files written here are working copies: the 草稿 mark and no 文号. A document that goes to an
# insurer or an authority is generated in the program and signed there by a technical lead.
WORKING_COPY = "工作稿（未编号）"
REPORTS = {  # command-line name -> (document kind, formats)
    "hazard-list": ("hazard_list", ("pdf", "xlsx", "docx")),
    "safety-analysis": ("safety_analysis", ("pdf", "docx")),
    "risk-assessment": ("risk_assessment", ("pdf", "docx")),
}
SELFCHECK_TITLE = "安责险第三方风控服务机构检查表（自查）"


def _period(text: str) -> Period:
    from desktop.services.periods import parse

    try:
        return parse(text)
    except ValueError as exc:
        raise _Refused(str(exc)) from None


def _format(path: Path, allowed: tuple[str, ...]) -> str:
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in allowed:
        raise _Refused(f"输出文件须为 {' 或 '.join('.' + a for a in allowed)} 格式：{path}")
    return suffix


def _scope(db: Database, args: argparse.Namespace) -> tuple[str, int | None]:
    """The scope flags as (scope type, id); names and project codes are looked up."""
    from sqlalchemy import select

    from desktop.models import Organisation, Project

    given = [(kind, getattr(args, kind)) for kind in ("project", "insurer", "authority")
             if getattr(args, kind, None) is not None]
    if len(given) > 1:
        raise _Refused("--project、--insurer、--authority 只能给出一个。")
    if not given:
        return "agency", None
    kind, value = given[0]
    value = str(value).strip()
    with db.read() as session:
        if kind == "project":  # a project code first: codes may be all digits
            ids = list(session.execute(select(Project.id).where(
                Project.code == value, Project.deleted_at.is_(None))).scalars())
        elif value.isdigit():
            return kind, int(value)
        else:
            ids = list(session.execute(select(Organisation.id).where(
                Organisation.kind == kind, Organisation.name.contains(value))).scalars())
    if not ids and value.isdigit():
        return kind, int(value)
    what = {"project": "编号为", "insurer": "名称包含", "authority": "名称包含"}[kind]
    label = {"project": "项目", "insurer": "承保机构", "authority": "建设主管部门"}[kind]
    if len(ids) != 1:
        raise _Refused(f"{'找不到' if not ids else '有多个'}{what}“{value}”的{label}，请给出{label}编号。")
    return kind, ids[0]


def _request(kind: str, scope: tuple[str, int | None], period: Period) -> doc_data.Request:
    from desktop.services.context import now
    from desktop.services.queries import doc_data

    return doc_data.Request(kind, scope[0], scope[1], now().date(), period.label, WORKING_COPY,
                            draft=True)


def _may_export(args: argparse.Namespace, db: Database) -> None:
    """Documents leave the agency only in a named person's hands. The fonts the document will
    draw are read meanwhile (the password check leaves Python free for them); nothing is
    written unless the check passes."""
    from desktop.reports import fonts
    from desktop.services import permissions

    fonts.warm_up()
    permissions.require(_signed_in(args, db), "export")


@_guarded
def cmd_selfcheck(args: argparse.Namespace) -> int:
    """Fill in the annex checklist for a period and scope, write it (PDF or XLSX), print it."""
    from desktop.services import compliance
    from desktop.services.queries import doc_data, doc_data_periodic

    period = _period(args.period)
    out = Path(args.out)
    fmt = _format(out, ("pdf", "xlsx"))
    config = _config(args)
    db = _database(config)
    try:
        _may_export(args, db)
        scope = _scope(db, args)
        with db.read() as session:
            result = compliance.evaluate(session, period=period, scope_type=scope[0],
                                         scope_id=scope[1])
            req = _request("self_check", scope, period)
            data = doc_data_periodic.selfcheck_data(
                result, doc_data.meta(session, req, SELFCHECK_TITLE, config.attachments_dir))
    finally:
        db.dispose()
    out.parent.mkdir(parents=True, exist_ok=True)
    from desktop.reports import selfcheck

    (selfcheck.build_selfcheck_pdf if fmt == "pdf" else selfcheck.build_selfcheck_xlsx)(data, out)
    _out(compliance.summary_text(result))
    _out(f"\n已写出自查表（工作稿）：{out}")
    _warn_blanks(data, fmt)
    return 0


def _warn_blanks(data: object, fmt: str) -> None:
    """A working copy is written anyway, but never silently without the characters it cannot
    draw: the file may be sent on (signing refuses them; see doc_data.check_glyphs)."""
    if fmt != "pdf":
        return  # a workbook or Word file keeps every character; the reader's fonts draw them
    from desktop.services.queries import doc_data

    missing = doc_data.undrawable(data)
    if missing:
        _out(f"注意：文中有 {len(missing)} 个字符无法用内置字体打印，在 PDF 中显示为空白："
             f"{' '.join(missing[:20])}。请在相关记录中改用常用字或文字说明后重新生成。")


@_guarded
def cmd_report(args: argparse.Namespace) -> int:
    """Write a period report (hazard list, safety analysis or risk assessment) for a scope."""
    from desktop.services.queries import doc_outputs

    if args.kind not in REPORTS:
        raise _Refused(f"未知的报告类别：{args.kind}（可选：{'、'.join(REPORTS)}）")
    kind, formats = REPORTS[args.kind]
    period = _period(args.period)
    out = Path(args.out)
    fmt = _format(out, formats)
    config = _config(args)
    db = _database(config)
    try:
        _may_export(args, db)
        scope = _scope(db, args)
        with db.read() as session:
            output = doc_outputs.prepare(session, _request(kind, scope, period),
                                      store_dir=config.attachments_dir)
    finally:
        db.dispose()
    out.parent.mkdir(parents=True, exist_ok=True)
    {"pdf": output.write_pdf, "xlsx": output.write_xlsx, "docx": output.write_docx}[fmt](out)
    data = output.data
    if kind == "hazard_list":  # each kind's layout module only: the others load charts
        from desktop.reports import registers

        _out(registers.summary_text(data))
    elif kind == "safety_analysis":
        from desktop.reports import analysis

        _out(analysis.overview_text(data.stats, data.carried_over))
    else:
        from desktop.reports import risk_report

        _out(risk_report.overview_text(data))
    _out(f"已写出{output.title}（工作稿）：{out}")
    _warn_blanks(data, fmt)
    return 0


def _scope_options(p: argparse.ArgumentParser) -> None:
    # one of the three at most: checked in _scope, so that the refusal reads in Chinese
    p.add_argument("--project", metavar="ID", help="只统计该项目（项目编号或内部编号）")
    p.add_argument("--insurer", metavar="ID", help="只统计该承保机构承保的项目（编号或名称中的一段）")
    p.add_argument("--authority", metavar="ID", help="只统计该建设主管部门辖区的项目（编号或名称中的一段）")


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add the document commands; each parser's `handler(args) -> int` runs it."""
    data_help = "数据目录（默认为用户数据目录或环境变量 RISKDESK_DATA_DIR）"
    p = subparsers.add_parser(
        "selfcheck", help="按检查表逐项自查，输出 PDF 或 Excel，并在屏幕上列出结果",
        description="按《安责险第三方风控服务机构检查表》逐项自查（默认全机构），输出工作稿（PDF 或 Excel），"
                    "并列出每项的依据和问题。")
    p.add_argument("--period", required=True, metavar="期间", help="如 2026Q3、2026-07、2026H1、2026")
    _scope_options(p)
    p.add_argument("--out", type=Path, required=True, metavar="FILE", help="输出文件（.pdf 或 .xlsx）")
    p.set_defaults(handler=cmd_selfcheck)
    subs = [p]
    p = subparsers.add_parser(
        "report", help="输出期间报告：隐患清单、安全生产分析、风险评估报告",
        description="输出某期间、某范围（默认全机构）的报告工作稿：hazard-list（隐患排查及问题整改清单，"
                    "PDF 或 Excel）、safety-analysis（安全生产分析，PDF）、risk-assessment（风险评估报告，PDF）；"
                    "输出文件名以 .docx 结尾时写出可编辑的 Word 副本。")
    p.add_argument("kind", metavar="KIND", help="hazard-list、safety-analysis 或 risk-assessment")
    p.add_argument("--period", required=True, metavar="期间", help="如 2026Q3、2026-07、2026H1、2026")
    _scope_options(p)
    p.add_argument("--out", type=Path, required=True, metavar="FILE",
                   help="输出文件（.pdf 或可编辑的 .docx，隐患清单也可 .xlsx）")
    p.set_defaults(handler=cmd_report)
    subs.append(p)
    for sub in subs:
        sub.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS, help=data_help)
        cli_login.add_options(sub)
