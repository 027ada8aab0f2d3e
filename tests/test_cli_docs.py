"""The document commands (selfcheck, report) through argparse, as scripts run them."""

from __future__ import annotations

import argparse
import datetime as dt
import io
import re
import shutil
import subprocess
import sys

import pytest
from openpyxl import load_workbook

from desktop import cli_docs
from desktop.config import Config
from desktop.reports import registers, selfcheck
from desktop.services import agency, hazards, projects
from tests.cli_users import TEST_PASSWORD, as_user
from tests.factories import make_project


@pytest.fixture(autouse=True)
def no_terminal(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    monkeypatch.setenv("RISKDESK_PASSWORD", TEST_PASSWORD)


def call(capsys, *argv) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="riskdesk")
    parser.add_argument("--data-dir")
    cli_docs.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(as_user(argv))  # the data commands run as the admin
    code = args.handler(args)
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def text_of(path) -> str:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True)
    return "".join(out.stdout.split())


@pytest.fixture
def folder(db, admin, tmp_path):
    """A data folder whose settings name the test database, with a project and two hazards."""
    if not db.is_sqlite:
        Config(data_dir=tmp_path, values={"database_url": db.url}).save()
    with db.session() as s:
        agency.setup_agency(s, name="绍兴安途安全风控咨询有限公司")
        ids = make_project(s, admin)
        for level, day in ((1, 5), (3, 9)):
            hazards.record(s, admin, hazards.HazardForm(
                project_id=ids.project, description=f"{level}级隐患", level=level, measures="整改",
                contingency="警戒", stop_work="partial" if level == 1 else "none",
                found_at=dt.datetime(2026, 8, day, 10)))
        code = projects.load(s, ids.project).code
    return tmp_path, ids, code


needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")


@needs_poppler
def test_selfcheck_writes_the_form_and_prints_the_summary(capsys, folder):
    data, ids, code = folder
    out = data / "out" / "自查.pdf"
    rc, stdout, _ = call(capsys, "--data-dir", data, "selfcheck", "--period", "2026Q3", "--project", code,
                         "--out", out)
    assert rc == 0 and out.is_file()
    assert "安责险第三方风控服务机构检查表 自查结果" in stdout and "序号6第1点 [不符合]" in stdout
    assert "C-6a" not in stdout  # the checklist's own numbering, not our ids
    assert "已写出自查表（工作稿）" in stdout
    text = text_of(out)
    assert "序号" in text and "检查情况" in text and "工作稿（未编号）" in text and "草稿" in text
    rc, stdout, _ = call(capsys, "--data-dir", data, "selfcheck", "--period", "2026Q3", "--insurer", "人民财产",
                         "--out", data / "自查.xlsx")
    assert rc == 0 and "承保机构" in stdout
    sheet = load_workbook(data / "自查.xlsx")["检查表"]
    assert tuple(c.value for c in sheet[1]) == selfcheck.XLSX_HEADERS


@needs_poppler
def test_reports_for_a_period_and_scope(capsys, folder):
    data, ids, _ = folder
    rc, stdout, _ = call(capsys, "--data-dir", data, "report", "hazard-list", "--period", "2026-08",
                         "--authority", ids.authority, "--out", data / "清单.xlsx")
    assert rc == 0 and "隐患共2项（一级1项" in stdout
    assert [r["level"] for r in registers.read_hazard_xlsx(data / "清单.xlsx")] == [1, 3]
    rc, stdout, _ = call(capsys, "--data-dir", data, "report", "safety-analysis", "--period", "2026Q3",
                         "--out", data / "分析.pdf")
    assert rc == 0 and "排查隐患2项" in stdout and "2026年第三季度安全生产分析报告" in text_of(data / "分析.pdf")
    rc, stdout, _ = call(capsys, "--data-dir", data, "report", "risk-assessment", "--period", "2026Q3",
                         "--project", ids.project, "--out", data / "评估.pdf")
    assert rc == 0 and "未评定1个" in stdout and (data / "评估.pdf").is_file()


def test_bad_input_is_refused_in_chinese(capsys, folder, tmp_path):
    data, ids, _ = folder
    cases = [
        (("selfcheck", "--period", "2026Q9", "--out", data / "x.pdf"), 2, "期间格式无效"),
        (("selfcheck", "--period", "2026Q3", "--out", data / "x.docx"), 2, ".pdf 或 .xlsx"),
        (("report", "safety-analysis", "--period", "2026Q3", "--out", data / "x.xlsx"), 2, ".pdf"),
        (("report", "memo", "--period", "2026Q3", "--out", data / "x.pdf"), 2, "未知的报告类别"),
        (("report", "hazard-list", "--period", "2026Q3", "--insurer", "不存在的保险", "--out", data / "x.pdf"),
         2, "找不到名称包含“不存在的保险”的承保机构"),
        (("report", "hazard-list", "--period", "2026Q3", "--project", 999999, "--out", data / "x.pdf"), 1,
         "项目不存在"),
        (("selfcheck", "--period", "2027Q1", "--out", data / "x.pdf"), 1, "尚未开始"),
        (("selfcheck", "--period", "2026Q3", "--project", ids.project, "--insurer", ids.insurer, "--out",
          data / "x.pdf"), 2, "只能给出一个"),
    ]
    for argv, status, message in cases:
        rc, _, stderr = call(capsys, "--data-dir", data, *argv)
        assert rc == status and message in stderr and stderr.startswith("riskdesk：")
    assert not (data / "x.pdf").exists() and not (data / "x.xlsx").exists()
    rc, _, stderr = call(capsys, "--data-dir", tmp_path / "empty", "selfcheck", "--period", "2026Q3",
                         "--out", tmp_path / "x.pdf")
    assert rc == 2 and "riskdesk init" in stderr


@needs_poppler
def test_a_report_written_as_an_editable_word_copy(capsys, folder):
    from tests.docx_text import docx_lines, missing_words

    data, _, _ = folder
    for suffix in ("pdf", "docx"):
        rc, stdout, _ = call(capsys, "--data-dir", data, "report", "safety-analysis", "--period",
                             "2026Q3", "--out", data / f"分析.{suffix}")
        assert rc == 0 and "排查隐患2项" in stdout
    lines = docx_lines(data / "分析.docx")
    text = "\n".join(lines)
    assert "2026年第三季度安全生产分析报告" in text and "工作稿" in lines[0]
    assert "工作稿（未编号）" in text  # the command line's number: a working copy has none
    # all words agree but the charts' (drawn only in the PDF; their figures are in the tables)
    # and the PDF's 草稿 stamp (工作稿 in the copy)
    missing = set(missing_words(data / "分析.pdf", text))
    stamp_and_charts = re.compile(r"草|稿|草稿|\d+%|\d+月|隐患发现与销项按月统计|隐患类别分布（项）")
    assert {w for w in missing if not stamp_and_charts.fullmatch(w)} == set()
    rc, _, err = call(capsys, "--data-dir", data, "report", "risk-assessment", "--period", "2026Q3",
                      "--out", data / "评估.odt")
    assert rc == 2 and ".docx" in err


def test_a_working_copy_with_characters_the_fonts_cannot_draw_says_so(capsys, folder, db, admin):
    data, ids, _ = folder
    with db.session() as s:
        hazards.record(s, admin, hazards.HazardForm(
            project_id=ids.project, description="𠮷野家门口临边防护缺失", level=3, measures="整改",
            contingency="警戒", found_at=dt.datetime(2026, 8, 12, 10)))
    rc, stdout, _ = call(capsys, "--data-dir", data, "report", "hazard-list", "--period", "2026-08",
                         "--out", data / "清单.pdf")
    assert rc == 0 and "无法用内置字体打印" in stdout and "𠮷" in stdout
    rc, stdout, _ = call(capsys, "--data-dir", data, "report", "hazard-list", "--period", "2026-08",
                         "--out", data / "清单.xlsx")
    assert rc == 0 and "无法用内置字体打印" not in stdout  # a workbook keeps the character
    rc, stdout, _ = call(capsys, "--data-dir", data, "report", "hazard-list", "--period", "2026-07",
                         "--out", data / "七月.pdf")
    assert rc == 0 and "无法用内置字体打印" not in stdout
