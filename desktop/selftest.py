"""Self-test of an installed or frozen build: database, migrations, a Chinese PDF and its Word
copy, the window."""

from __future__ import annotations

import os
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path


def run(*, gui: bool = True, out: Callable[[str], object] = print) -> int:
    """Exercise every layer once in a temporary folder; 0 when all of it works."""
    from desktop import clock
    from desktop.db import Database
    from desktop.reports.data import (
        AgencyInfo,
        DocMeta,
        HazardInfo,
        ProjectInfo,
        RectificationNoticeData,
    )
    from desktop.reports.letters import build_rectification_notice

    with tempfile.TemporaryDirectory(prefix="riskdesk-selftest-") as tmp:
        folder = Path(tmp)
        db = Database(f"sqlite:///{folder / 'selftest.sqlite3'}")
        db.migrate(backup=False)
        revision = db.current_revision()
        problems = db.integrity_check()
        db.dispose()
        if revision != db.head_revision() or problems:
            out(f"数据库自检失败：版本 {revision}，问题 {problems}")
            return 1
        out(f"数据库：已迁移到 {revision}")

        agency = AgencyInfo(name="自检风控服务有限公司")
        meta = DocMeta(title="隐患整改通知书", number="风控整改〔2026〕1号", date=clock.today(),
                       agency=agency, draft=True)
        hazard = HazardInfo(number="YH-2026-00001", project_name="自检项目", location="3#楼三层东侧",
                            description="临边防护栏杆缺失（“自检”）", category="高处作业", level=3,
                            measures="设置防护栏杆", deadline=clock.today())
        notice = RectificationNoticeData(
            meta=meta, project=ProjectInfo(name="自检项目"), recipient="自检施工单位",
            inspection_date=clock.today(), hazards=(hazard,))
        pdf = build_rectification_notice(notice, folder / "selftest.pdf")
        data = pdf.read_bytes()
        if not data.startswith(b"%PDF") or b"/FontFile2" not in data:
            out("PDF 自检失败：文件无效或字体未嵌入")
            return 1
        out(f"PDF：{len(data):,} 字节，中文字体已嵌入")

        # the Word copy: python-docx's template must be in the build
        from desktop.reports.docx_out import write_docx

        copy = write_docx(build_rectification_notice, notice, folder / "selftest.docx")
        with zipfile.ZipFile(copy) as book:
            body = book.read("word/document.xml").decode("utf-8")
        if "隐患整改通知书" not in body or "YH-2026-00001" not in body:
            out("Word 自检失败：副本缺少标题或隐患编号")
            return 1
        out(f"Word：{copy.stat().st_size:,} 字节")

        if gui:
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
            from desktop.ui.selftest import open_and_close_main_window

            title, pages = open_and_close_main_window(db_url=f"sqlite:///{folder / 'selftest.sqlite3'}")
            out(f"窗口：{title}（{pages} 个页面）")
    out("自检通过")
    return 0
