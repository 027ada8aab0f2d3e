"""Risk-source register: editing, starter-list import, the Excel importer (all or nothing), N-04 coverage."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from desktop.models import AuditEntry, RiskSource
from desktop.paths import catalogues_dir
from desktop.services import catalogues, inspections, periods, risk_sources
from desktop.services.context import ConflictError, NotFound, PermissionDenied, ValidationError, now
from tests.factories import make_project, recorded_on

Q2 = periods.parse("2026Q2")


@pytest.fixture
def proj(db, admin):
    with db.session() as s:
        return make_project(s, admin)


def write_xlsx(path, rows, *, title_rows=(("施工现场风险源分级与防范措施一览表",),)):
    book = Workbook()
    sheet = book.active
    for r in title_rows:
        sheet.append(list(r))
    for r in rows:
        sheet.append(list(r))
    book.save(path)
    return path


HEADER = ("序号", "风险源名称", "风险类别", "所在部位", "风险等级（级）", "主要防范措施")


def count(db, project_id):
    with db.read() as s:
        return s.execute(select(func.count(RiskSource.id)).where(RiskSource.project_id == project_id)).scalar()


def test_add_update_deactivate_with_audit(db, admin, users, proj):
    with db.session() as s:
        row = risk_sources.add(s, admin, proj.project, risk_sources.SourceForm(
            name="  深基坑  土方开挖 ", level=1, category="基坑工程", location="1#楼基坑"))
        assert row.name == "深基坑 土方开挖"
        with pytest.raises(ValidationError) as info:
            risk_sources.add(s, admin, proj.project, risk_sources.SourceForm(
                name="深基坑 土方开挖", level=1, category="基坑工程", location="1#楼基坑"))
        assert "name" in info.value.fields
        with pytest.raises(ValidationError) as info:
            risk_sources.add(s, admin, proj.project, risk_sources.SourceForm(name="", level=5))
        assert set(info.value.fields) == {"name", "level"}
        with pytest.raises(PermissionDenied):
            risk_sources.add(s, users["clerk"], proj.project, risk_sources.SourceForm(name="塔吊", level=2))
        row = risk_sources.update(s, admin, row.id, risk_sources.SourceForm(
            name="深基坑土方开挖", level=1, category="基坑工程", location="1#楼基坑", measures="分层开挖"),
            expected_version=row.version)
        with pytest.raises(ConflictError):
            risk_sources.update(s, admin, row.id, risk_sources.SourceForm(name="x", level=1), expected_version=1)
        with pytest.raises(ValidationError):
            risk_sources.deactivate(s, admin, row.id, expected_version=row.version, reason="")
        row = risk_sources.deactivate(s, admin, row.id, expected_version=row.version, reason="基坑已回填")
        assert not row.active
        assert risk_sources.list_for_project(s, proj.project) == []
        assert len(risk_sources.list_for_project(s, proj.project, include_inactive=True)) == 1
        actions = s.execute(select(AuditEntry.action).where(AuditEntry.entity == "risk_sources")
                            .order_by(AuditEntry.id)).scalars().all()
        assert actions == ["create", "update", "deactivate"]


def test_starter_list_import_is_labelled_and_idempotent(db, admin, proj):
    with db.session() as s:
        with pytest.raises(NotFound):
            risk_sources.import_catalogue(s, admin, proj.project)
        catalogues.load_file(s, catalogues_dir() / "risk_source_starter.json", actor=admin)
        preview = risk_sources.import_catalogue(s, admin, proj.project, dry_run=True)
        assert preview.created == 0 and not preview.official and preview.rows_read == len(preview.preview)
        result = risk_sources.import_catalogue(s, admin, proj.project, item_codes=("JK-01", "JK-02"))
        assert result.created == 2 and result.source == "risk_source@starter-1"
        rows = risk_sources.list_for_project(s, proj.project)
        assert [(r.level, r.category) for r in rows] == [(1, "基坑工程"), (2, "基坑工程")]
        assert all(r.catalogue_item_id for r in rows)
        again = risk_sources.import_catalogue(s, admin, proj.project)
        assert len(again.skipped_rows) == 2 and again.created == again.rows_read - 2


def test_xlsx_import_with_tolerant_headers(db, admin, proj, tmp_path):
    path = write_xlsx(tmp_path / "一览表.xlsx", [
        HEADER,
        (1, "深基坑土方开挖", "基坑工程", "1#楼", "一级", "分层分段开挖，严禁超挖"),
        (2, "基坑降水", None, "1#楼", "Ⅱ级", "设置观测井"),  # merged category cell reads empty
        (3, "塔式起重机安装拆除", "起重吊装", "塔吊 T1", 2.0, "编制专项方案"),
        (None, None, None, None, None, None),
        (4, "外脚手架搭设", "脚手架工程", "", "三级", ""),
    ])
    with db.session() as s:
        dry = risk_sources.import_xlsx(s, admin, proj.project, path, dry_run=True)
        assert dry.ok and dry.rows_read == 4 and dry.created == 0
        assert dict(dry.columns) == {"name": "风险源名称", "category": "风险类别", "location": "所在部位",
                                     "level": "风险等级（级）", "measures": "主要防范措施"}
    assert count(db, proj.project) == 0
    with db.session() as s:
        result = risk_sources.import_xlsx(s, admin, proj.project, path, dry_run=False)
        assert result.created == 4
        rows = {r.name: r for r in risk_sources.list_for_project(s, proj.project)}
        assert rows["基坑降水"].category == "基坑工程" and rows["基坑降水"].level == 2
        assert rows["塔式起重机安装拆除"].level == 2 and rows["外脚手架搭设"].level == 3
        again = risk_sources.import_xlsx(s, admin, proj.project, path, dry_run=False)
        assert again.created == 0 and again.skipped_rows == (3, 4, 5, 7)
        audit = s.execute(select(AuditEntry).where(AuditEntry.action == "import")).scalars().all()
        assert len(audit) == 1 and len(audit[0].after["ids"]) == 4


def test_xlsx_import_is_all_or_nothing(db, admin, proj, tmp_path):
    path = write_xlsx(tmp_path / "bad.xlsx", [
        HEADER,
        (1, "深基坑土方开挖", "基坑工程", "1#楼", "1", ""),
        (2, "", "基坑工程", "2#楼", "2", ""),
        (3, "高支模", "模板工程", "", "五级", ""),
        (4, "深基坑土方开挖", "基坑工程", "1#楼", "1", ""),
        (5, "临时用电", "施工用电", "", "", ""),
    ], title_rows=())
    with db.session() as s:
        result = risk_sources.import_xlsx(s, admin, proj.project, path, dry_run=False)
    assert not result.ok and result.created == 0
    assert [e.message for e in result.errors] == [
        "第 3 行：请填写风险源名称",
        "第 4 行：风险等级“五级”无法识别（应为 1–4、一级–四级）",
        "第 5 行：与第 2 行重复",
        "第 6 行：风险等级为空",
    ]
    assert count(db, proj.project) == 0


def test_xlsx_without_header_or_not_excel(db, admin, proj, tmp_path):
    no_header = write_xlsx(tmp_path / "x.xlsx", [("名称", "备注"), ("塔吊", "")])
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a zip file")
    with db.session() as s:
        with pytest.raises(ValidationError, match="未找到表头"):
            risk_sources.import_xlsx(s, admin, proj.project, no_header, dry_run=True)
        with pytest.raises(ValidationError, match="无法读取"):
            risk_sources.import_xlsx(s, admin, proj.project, junk, dry_run=True)
        with pytest.raises(ValidationError, match="另存为 .xlsx"):
            risk_sources.import_xlsx(s, admin, proj.project, tmp_path / "old.xls", dry_run=True)


@pytest.mark.parametrize("raw, level", [
    (1, 1), (4.0, 4), ("一级", 1), ("Ⅲ级", 3), ("II级", 2), ("IV", 4), ("重大风险", 1), ("较大", 2),
    ("蓝色", 4), (" 2 级 ", 2), ("5", None), ("", None), (True, None), ("高", None),
])
def test_parse_level(raw, level):
    assert risk_sources.parse_level(raw) == level


def test_coverage_per_quarter(db, admin, proj):
    with db.session() as s:
        pit = risk_sources.add(s, admin, proj.project, risk_sources.SourceForm(name="深基坑", level=1))
        crane = risk_sources.add(s, admin, proj.project, risk_sources.SourceForm(name="塔吊", level=2))
        risk_sources.add(s, admin, proj.project, risk_sources.SourceForm(name="临边", level=3))
        for source in (pit, crane):  # recorded in Q1, so they count from Q1 on
            recorded_on(s, RiskSource, source.id, dt.date(2026, 1, 12))
        cov = risk_sources.coverage(s, proj.project, Q2)
        assert (cov.total, cov.verified, cov.percent) == (2, 0, 0.0)
        routine = inspections.record(s, admin, inspections.InspectionForm(
            project_id=proj.project, kind="routine", date=dt.date(2026, 5, 6), inspector_ids=(admin.user_id,)))
        inspections.verify_sources(s, admin, routine.id, {pit.id: True, crane.id: True})
        full = inspections.record(s, admin, inspections.InspectionForm(
            project_id=proj.project, kind="full_coverage", date=dt.date(2026, 5, 8), inspector_ids=(admin.user_id,)))
        inspections.verify_sources(s, admin, full.id, {pit.id: True, crane.id: False})
        cov = risk_sources.coverage(s, proj.project, Q2)
        # only a full-coverage inspection counts, and only a tick "verified"
        assert (cov.verified, cov.percent, [u.name for u in cov.unverified]) == (1, 50.0, ["塔吊"])
        earlier = inspections.record(s, admin, inspections.InspectionForm(
            project_id=proj.project, kind="full_coverage", date=dt.date(2026, 3, 20), inspector_ids=(admin.user_id,)))
        inspections.verify_sources(s, admin, earlier.id, {crane.id: True})
        assert not risk_sources.coverage(s, proj.project, Q2).complete
        assert risk_sources.coverage(s, proj.project, periods.parse("2026Q1")).verified == 1
        full2 = inspections.record(s, admin, inspections.InspectionForm(
            project_id=proj.project, kind="full_coverage", date=dt.date(2026, 6, 30), inspector_ids=(admin.user_id,)))
        inspections.verify_sources(s, admin, full2.id, {crane.id: True})
        cov = risk_sources.coverage(s, proj.project, Q2)
        assert cov.complete and cov.percent == 100.0
        risk_sources.deactivate(s, admin, pit.id, expected_version=pit.version, reason="完工")
        # deactivated after Q2: still owed for Q2, no longer for the quarter it left in
        assert risk_sources.coverage(s, proj.project, Q2).total == 2
        assert risk_sources.coverage(s, proj.project, periods.quarter_of(now().date())).total == 1


def test_coverage_without_sources_is_not_applicable(db, admin, proj):
    with db.read() as s:
        cov = risk_sources.coverage(s, proj.project, Q2)
    assert cov.total == 0 and cov.percent is None and cov.complete
