"""The compliance page's services: scope choices, periods offered, the exported working copy,
and a manual answer kept with the file it rests on."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from desktop.models import Attachment
from desktop.services import agency, compliance
from desktop.services.context import PermissionDenied, ValidationError
from desktop.services.periods import parse
from desktop.services.queries import compliance_view
from tests.factories import make_project

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def proj(db, admin):
    with db.session() as s:
        agency.setup_agency(s, name="绍兴市安信建设风控服务有限公司", short_name="安信风控")
        return make_project(s, admin)


def test_scope_choices_and_periods(db, proj):
    with db.read() as s:
        choices = compliance_view.scope_choices(s)
    assert [c[0] for c in choices.projects] == [proj.project]
    assert "（P-2026-" in choices.projects[0][1]
    assert [c[0] for c in choices.insurers] == [proj.insurer]
    assert [c[0] for c in choices.authorities] == [proj.authority]
    today = dt.date(2026, 8, 15)
    quarters = [p.label for p in compliance_view.periods("quarter", today)]
    assert quarters[:4] == ["2026Q3", "2026Q2", "2026Q1", "2025Q4"]
    halves = [p.label for p in compliance_view.periods("half", today, years=1)]
    assert halves == ["2026H2", "2026H1"]
    assert [p.label for p in compliance_view.periods("year", today)] == ["2026", "2025", "2024"]
    months = [p.label for p in compliance_view.periods("month", today)]
    assert months[0] == "2026-08" and "2026-03" in months and "2026-09" not in months
    with pytest.raises(ValueError):
        compliance_view.periods("week", today)


def test_export_as_pdf_and_xlsx(db, proj, tmp_path):
    with db.read() as s:
        result = compliance.evaluate(s, period=parse("2026H1"), scope_type="project",
                                     scope_id=proj.project)
        pdf = compliance_view.export_selfcheck(s, result, path=tmp_path / "out" / "自查.pdf",
                                               prepared_by="张三")
        xlsx = compliance_view.export_selfcheck(s, result, path=tmp_path / "自查.xlsx")
        with pytest.raises(ValidationError):
            compliance_view.export_selfcheck(s, result, path=tmp_path / "自查.doc")
    assert pdf.read_bytes().startswith(b"%PDF")
    sheet = load_workbook(xlsx).active
    assert [c.value for c in sheet[1]][:4] == ["序号", "检查内容", "检查要点", "检查情况"]
    assert sheet.max_row > 20


def test_manual_answer_with_and_without_a_file(db, admin, users, proj, tmp_path):
    store = tmp_path / "store"
    rules = tmp_path / "安全生产管理制度汇编.pdf"
    rules.write_bytes(PDF)
    args = dict(period="2026Q3", scope_type="agency", scope_id=None, store_dir=store)
    with pytest.raises(ValidationError) as refused, db.session() as s:
        compliance_view.answer_with_file(s, admin, "C-1a", answer="met", note=" ", evidence=rules,
                                         **args)
    assert set(refused.value.fields) == {"note"}
    with pytest.raises(PermissionDenied), db.session() as s:  # the agency's files: admin only
        compliance_view.answer_with_file(s, users["tech_lead"], "C-1a", answer="met", note="制度已印发",
                                         evidence=rules, **args)
    with db.read() as s:
        assert s.execute(select(Attachment.id)).first() is None
    with db.session() as s:
        answer = compliance_view.answer_with_file(s, admin, "C-1a", answer="met", note="制度已印发",
                                                  evidence=rules, **args)
        assert answer.note == "制度已印发（依据文件：安全生产管理制度汇编.pdf）"
        stored = s.execute(select(Attachment)).scalar_one()
        assert (stored.owner_type, stored.caption) == ("agency", "自查 C-1a 2026Q3 依据")
    with db.session() as s:  # a technical lead answers without a file
        compliance_view.answer_with_file(s, users["tech_lead"], "C-1a", answer="not_met",
                                         note="待修订", **args)
    with db.read() as s:
        result = compliance.evaluate(s, period=parse("2026Q3"), scope_type="agency", scope_id=None)
        assert result.get("C-1a").status == "not_met" and result.get("C-1a").note == "待修订"
