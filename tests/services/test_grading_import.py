"""The risk grading thresholds imported from Excel or JSON (issue 14): the Settings panel's
validation, every bad cell named by sheet, row and column, all or nothing, audited."""

from __future__ import annotations

import json

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from desktop.models import AuditEntry
from desktop.services import agency_rules, risk
from desktop.services.context import PermissionDenied
from desktop.services.exchange import grading_sheet
from desktop.services.exchange.grading_sheet import GradingFileError


def book(path, rows, *, title=True, sheet="评定规则"):
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    if title:
        ws.append(["项目风险等级评定规则"])
    ws.append(["项目", "取值", "说明"])
    for row in rows:
        ws.append(list(row))
    wb.save(path)
    return path


def grading(db):
    with db.read() as s:
        return risk.grading(s)


def test_an_admin_imports_thresholds_from_excel_and_it_is_audited(db, users, tmp_path):
    path = book(tmp_path / "评定规则.xlsx", [
        ("深基坑开挖深度（米，不小于为高风险）", 6, ""), ("浅基坑", "２.５", "全角数字也可"),
        ("超危大工程施工中", "高风险", ""), ("近期事故风险等级", "高", ""),
        ("未闭合隐患数高风险阈值（每万平方米）", 20, ""), ("open_hazards_per_10k_m2.medium", 8, ""),
        ("", "", ""),
    ])
    with db.session() as s:
        with pytest.raises(PermissionDenied):
            grading_sheet.import_file(s, users["tech_lead"], path)
    with db.session() as s:
        result = grading_sheet.import_file(s, users["admin"], path)
    assert result.values == 6 and result.stored == ("risk.grading",)
    g = grading(db)
    assert (g["deep_excavation_m"], g["shallow_excavation_m"], g["accident_level"]) == (6, 2.5, "high")
    assert g["open_hazards_per_10k_m2"] == {"high": 20, "medium": 8}
    assert g["fatal_accident_months"] == 3  # not in the file: kept
    with db.read() as s:
        entries = s.execute(select(AuditEntry.action, AuditEntry.after).where(
            AuditEntry.entity == "app_settings")).all()
    assert any(e.action == "update" and e.after["risk.grading"]["deep_excavation_m"] == 6 for e in entries)
    assert any(e.action == "import" and e.after["file"] == "评定规则.xlsx" for e in entries)


def test_every_bad_cell_is_named_and_nothing_changes(db, users, tmp_path):
    before = grading(db)
    path = book(tmp_path / "bad.xlsx", [
        ("深基坑开挖深度", "五米", ""),            # row 3: not a number
        ("坑深", 4, ""),                          # row 4: no such threshold
        ("危大工程施工中", "很高", ""),             # row 5: not a level
        ("近期事故影响（月）", 61, ""),             # row 6: out of the panel's range
        ("近期事故影响", 2, ""),                    # row 7: the same threshold twice
        ("未闭合隐患数中风险阈值", 40, ""),          # row 8: not below the high threshold (15)
        ("死亡或较大事故后保持高风险（月）", 2.5, ""),  # row 9: months are whole
    ])
    with db.session() as s, pytest.raises(GradingFileError) as exc:
        grading_sheet.import_file(s, users["admin"], path)
    text = str(exc.value)
    assert "7 处问题" in text and "未作任何修改" in text
    for where in ("第 3 行 B 列", "第 4 行 A 列", "第 5 行 B 列", "第 6 行 B 列", "第 7 行 A 列",
                  "第 8 行 B 列", "第 9 行 B 列"):
        assert f"工作表“评定规则”{where}" in text, where
    assert "0 到 60" in text and "高风险阈值大于中风险阈值" in text and "重复" in text
    assert grading(db) == before


def test_two_limits_changed_together_are_judged_together(db, users, tmp_path):
    path = book(tmp_path / "low.xlsx", [("深基坑开挖深度", 2, ""), ("浅基坑开挖深度", 1.5, "")], title=False)
    with db.session() as s:
        grading_sheet.import_file(s, users["admin"], path)
    g = grading(db)
    assert (g["deep_excavation_m"], g["shallow_excavation_m"]) == (2, 1.5)
    crossed = book(tmp_path / "crossed.xlsx", [("浅基坑开挖深度", 2.5, "")], title=False)
    with db.session() as s, pytest.raises(GradingFileError) as exc:
        grading_sheet.import_file(s, users["admin"], crossed)
    assert "第 2 行 B 列" in str(exc.value) and "低风险界限小于高风险界限" in str(exc.value)


def test_json_goes_through_the_same_checks(db, users, tmp_path):
    good = tmp_path / "grading.json"
    good.write_text(json.dumps({"risk.grading": {"accident_months": 6, "danda_in_progress": "low",
                                                 "open_hazards_per_10k_m2": {"high": 30}}}), encoding="utf-8")
    with db.session() as s:
        grading_sheet.import_file(s, users["admin"], good)
    g = grading(db)
    assert g["accident_months"] == 6 and g["danda_in_progress"] == "low"
    assert g["open_hazards_per_10k_m2"] == {"high": 30, "medium": 6}
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"accident_months": "六", "colour": 1, "accident_level": "critical",
                               "open_hazards_per_10k_m2": {"hgh": 3}}), encoding="utf-8")
    with db.session() as s, pytest.raises(GradingFileError) as exc:
        grading_sheet.import_file(s, users["admin"], bad)
    assert "4 处问题" in str(exc.value) and "“colour”" in str(exc.value)
    assert "“open_hazards_per_10k_m2.hgh”" in str(exc.value)
    assert grading(db)["accident_months"] == 6
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    with db.session() as s, pytest.raises(GradingFileError, match="不是有效的 JSON"):
        grading_sheet.import_file(s, users["admin"], tmp_path / "broken.json")


def test_a_file_of_another_kind_or_layout_is_refused_in_chinese(db, users, tmp_path):
    for name, words in (("old.xls", "另存为"), ("rules.csv", "JSON 文件")):
        (tmp_path / name).write_bytes(b"x")
        with db.session() as s, pytest.raises(GradingFileError, match=words):
            grading_sheet.import_file(s, users["admin"], tmp_path / name)
    wb = Workbook()
    wb.active.append(["名目", "数"])
    wb.save(tmp_path / "other.xlsx")
    with db.session() as s, pytest.raises(GradingFileError, match="项目.*取值"):
        grading_sheet.import_file(s, users["admin"], tmp_path / "other.xlsx")


def test_the_template_rows_read_back_unchanged(db, users, tmp_path):
    with db.read() as s:
        rows = grading_sheet.template_rows(agency_rules.read(s).grading)
    path = book(tmp_path / "template.xlsx", [(label, value, "") for label, value in rows])
    with db.session() as s:
        result = grading_sheet.import_file(s, users["admin"], path)
    assert result.values == len(grading_sheet.FIELDS) and result.stored == ()


def test_the_written_template_holds_the_current_values_and_imports_unchanged(db, users, tmp_path):
    from openpyxl import load_workbook

    with db.session() as s:
        grading_sheet.import_file(s, users["admin"], book(tmp_path / "set.xlsx", [
            ("深基坑开挖深度", 7.5, ""), ("危大工程施工中", "低", ""), ("近期事故影响（月）", 4, "")]))
    before = grading(db)
    with db.read() as s:
        with pytest.raises(PermissionDenied):
            grading_sheet.write_template(s, users["tech_lead"], tmp_path / "no.xlsx")
        with pytest.raises(GradingFileError, match=r"\.xlsx 结尾"):
            grading_sheet.write_template(s, users["admin"], tmp_path / "template.csv")
        path = grading_sheet.write_template(s, users["admin"], tmp_path / "模板" / "评定规则模板.xlsx")
    assert not (tmp_path / "no.xlsx").exists() and not list(path.parent.glob("*.part"))
    ws = load_workbook(path).active
    assert ws.title == "评定规则" and [c.value for c in ws[2]] == ["项目", "取值", "说明"]
    values = {r[0]: r[1] for r in ws.iter_rows(min_row=3, values_only=True)}
    assert len(values) == len(grading_sheet.FIELDS)
    assert values["深基坑开挖深度（米，不小于为高风险）"] == 7.5 and values["危大工程施工中"] == "低"
    assert values["近期事故影响（月）"] == 4
    with db.session() as s:
        result = grading_sheet.import_file(s, users["admin"], path)
    assert result.values == len(grading_sheet.FIELDS) and result.stored == ()
    assert grading(db) == before


def test_an_excel_error_value_is_refused_by_its_type(db, users, tmp_path):
    """A threshold cell holding #DIV/0! (type "error") is refused by sheet, row and column, as
    the hazard importer refuses one (review of #17: only the hazard importer looked at the
    cell's type)."""
    before = grading(db)
    path = book(tmp_path / "errors.xlsx", [("深基坑开挖深度（米，不小于为高风险）", "#DIV/0!", "")])
    with db.session() as s, pytest.raises(GradingFileError) as exc:
        grading_sheet.import_file(s, users["admin"], path)
    text = str(exc.value)
    assert "工作表“评定规则”第 3 行 B 列" in text and "Excel 错误值 #DIV/0!" in text
    assert grading(db) == before
