"""Import input checks: size and row caps before parsing, hidden sheets, rounded long numbers,
formulas without a saved result."""

from __future__ import annotations

import zipfile

import openpyxl
import pytest
from openpyxl import Workbook, load_workbook

from desktop.config import Config
from desktop.models import Hazard
from desktop.services.context import ValidationError
from desktop.services.exchange import importer
from desktop.services.exchange import xlsx_normalise as xn
from tests.services.test_importer import count, hazard_book, hazard_rows, proj, run  # noqa: F401

SHEET_HEAD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
              b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
              b"<sheetData>")


def _no_openpyxl(monkeypatch):
    """Fail the test if openpyxl is asked to load the workbook."""
    def refuse(*args, **kwargs):
        raise AssertionError("openpyxl must not load this workbook")
    monkeypatch.setattr(openpyxl, "load_workbook", refuse)  # xlsx_normalise imports it when reading


def bomb(path, *, megabytes: int = 520):
    """A real workbook whose sheet XML is `megabytes` of one repeated row: a few MB on disk."""
    base = hazard_book(path.with_name("base.xlsx"), "P-1")
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            if info.filename != "xl/worksheets/sheet2.xml":
                out.writestr(info, src.read(info.filename))
        block = '<row><c t="inlineStr"><is><t>临边防护栏杆缺失</t></is></c></row>'.encode() * 20_000
        with out.open("xl/worksheets/sheet2.xml", "w", force_zip64=True) as fh:
            fh.write(SHEET_HEAD)
            written = 0
            while written < megabytes * 1024 * 1024:
                fh.write(block)
                written += len(block)
            fh.write(b"</sheetData></worksheet>")
    return path


@pytest.mark.slow  # deflating 520 MB takes a few seconds
def test_a_zip_bomb_is_refused_before_openpyxl_reads_it(tmp_path, monkeypatch):
    path = bomb(tmp_path / "bomb.xlsx")
    assert path.stat().st_size < 40 * 1024 * 1024
    _no_openpyxl(monkeypatch)
    with pytest.raises(ValidationError) as err:
        importer.read(path, kind="hazards")
    text = err.value.messages["file"]
    assert "解压后约" in text and "超过导入上限 200 MB" in text and "bomb.xlsx" in text
    with pytest.raises(xn.CellError, match="超过导入上限"):  # the wizard's sheet list too
        xn.sheet_list(path)


def test_the_caps_are_settings(tmp_path, monkeypatch):
    config = Config(tmp_path)
    assert (config.get("import_max_mb"), config.get("import_max_rows")) == (200, 200_000)
    rows = [[i, f"YH-{i}", "P-1", "2026-08-05", "部位", "描述", 3, "措施", None, None, None]
            for i in range(1, 31)]
    path = hazard_book(tmp_path / "long.xlsx", "P-1", rows)
    assert len(importer.read(path, kind="hazards", limits=importer.Limits(1, 40)).rows) == 31
    _no_openpyxl(monkeypatch)
    with pytest.raises(ValidationError, match="超过 20 行，超过导入上限"):
        importer.read(path, kind="hazards", limits=importer.Limits(200, 20))
    with pytest.raises(ValidationError, match="超过导入上限 0 MB"):
        importer.read(path, kind="hazards", limits=importer.Limits(0, 200_000))


def _hidden_book(path, code, *, visible_table: bool):
    hazard_book(path, code)
    wb = load_workbook(path)
    wb["隐患清单"].sheet_state = "hidden"
    if visible_table:
        other = wb.create_sheet("本周")
        other.append(["隐患编号", "项目编号", "发现日期", "隐患描述", "隐患等级", "整改措施"])
        other.append(["W-1", code, "2026-08-06", "消防通道堵塞", 3, "清理通道"])
    wb.save(path)
    return path


def test_hidden_sheets_are_read_only_when_chosen(db, users, proj, tmp_path):
    _, code = proj
    path = _hidden_book(tmp_path / "hidden.xlsx", code, visible_table=True)
    assert [(s.name, s.hidden) for s in xn.sheet_list(path)] == [
        ("填表说明", False), ("隐患清单", True), ("本周", False)]
    table = importer.read(path, kind="hazards")
    assert table.sheet == "本周" and table.hidden_skipped == ("隐患清单",)
    report = run(db, users["clerk"], path, dry=True)
    assert report.new == 1 and "已跳过隐藏的工作表：隐患清单" in report.lines()
    chosen = run(db, users["clerk"], path, dry=True, sheet="隐患清单")
    assert chosen.sheet == "隐患清单" and chosen.new == 4 and not chosen.hidden_skipped
    only_hidden = _hidden_book(tmp_path / "only-hidden.xlsx", code, visible_table=False)
    with pytest.raises(ValidationError) as err:
        importer.read(only_hidden, kind="hazards")
    assert "隐藏的工作表未读取（隐患清单）" in err.value.messages["file"]


def test_long_numbers_in_identifier_columns_are_refused(db, users, proj, tmp_path):
    _, code = proj
    rows = hazard_rows(code)
    rows[0][1] = 123456789012345678  # B4: a field team's number Excel stored as a number
    rows[1][1] = 1.23456789012346e17  # B5: as Excel itself saves it, already rounded
    rows[2][1] = 123456789012345  # 15 digits: Excel keeps them exactly
    path = hazard_book(tmp_path / "long-numbers.xlsx", code, rows)
    report = run(db, users["clerk"], path, dry=True)
    problems = {(p.row, p.column): p.message for p in report.problems}
    assert set(problems) == {(4, "B"), (5, "B")}, report.lines()
    assert all(m.endswith("请将该列设为文本后重新导出") and "超过 15 位" in m
               for m in problems.values())
    with pytest.raises(importer.ImportRefused):
        run(db, users["clerk"], path)
    assert count(db, Hazard) == 0


def test_formula_cells_without_a_saved_result_are_named(db, users, proj, tmp_path):
    _, code = proj
    rows = hazard_rows(code)
    rows[2][3] = "=DATE(2026,8,9)"  # D6: openpyxl saves the formula, never its result
    rows[3][5] = '=CONCATENATE("连墙件","缺失")'  # F7
    path = hazard_book(tmp_path / "formulas.xlsx", code, rows)
    report = run(db, users["clerk"], path, dry=True)
    where = {(p.row, p.column) for p in report.problems}
    assert where == {(6, "D"), (7, "F")}, report.lines()
    assert all("公式" in p.message and "没有保存计算结果" in p.message for p in report.problems)


def test_a_formula_with_a_saved_result_is_read_as_its_value(tmp_path):
    path = hazard_book(tmp_path / "cached.xlsx", "P-1")
    with zipfile.ZipFile(path) as src:
        members = {i.filename: src.read(i.filename) for i in src.infolist()}
    sheet = members["xl/worksheets/sheet2.xml"]
    cell = b'<c r="E4" t="inlineStr">'
    start = sheet.index(cell)
    end = sheet.index(b"</c>", start) + 4
    members["xl/worksheets/sheet2.xml"] = (sheet[:start] + b'<c r="E4" t="str"><f>"A"&amp;"1"</f>'
                                           b"<v>A1</v></c>" + sheet[end:])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in members.items():
            out.writestr(name, data)
    table = importer.read(path, kind="hazards")
    assert not table.formulas_without_value
    assert table.rows[0].values[4] == "A1"


def test_no_workbook_is_opened_for_a_file_that_is_not_a_zip(tmp_path, monkeypatch):
    _no_openpyxl(monkeypatch)
    (tmp_path / "fake.xlsx").write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(ValidationError, match="无法打开 Excel 文件 fake.xlsx"):
        importer.read(tmp_path / "fake.xlsx", kind="hazards")


def test_a_sheet_without_a_dimension_is_read_in_full(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["隐患编号", "项目编号", "发现日期", "隐患描述", "隐患等级", "整改措施"])
    for i in range(5):
        ws.append([f"N-{i}", "P-1", "2026-08-06", "描述", 3, "措施"])
    wb.save(tmp_path / "d.xlsx")
    with zipfile.ZipFile(tmp_path / "d.xlsx") as src:
        members = {i.filename: src.read(i.filename) for i in src.infolist()}
    sheet = members["xl/worksheets/sheet1.xml"]
    for spacing in (b"", b" "):  # a wrong dimension, as some generators write
        sheet = sheet.replace(b'<dimension ref="A1:F6"' + spacing + b"/>", b'<dimension ref="A1"/>')
    assert b'<dimension ref="A1"/>' in sheet
    members["xl/worksheets/sheet1.xml"] = sheet
    with zipfile.ZipFile(tmp_path / "d.xlsx", "w") as out:
        for name, data in members.items():
            out.writestr(name, data)
    table = importer.read(tmp_path / "d.xlsx", kind="hazards")
    assert len(table.rows) == 5 and len(table.columns) == 6


def test_a_damaged_sheet_is_refused_with_its_name(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["隐患编号", "隐患描述"])
    for i in range(2000):
        ws.append([f"N-{i}", "临边防护栏杆缺失" * 5])
    wb.save(tmp_path / "ok.xlsx")
    data = bytearray((tmp_path / "ok.xlsx").read_bytes())
    with zipfile.ZipFile(tmp_path / "ok.xlsx") as z:
        info = z.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra) + 200
    data[start:start + 300] = bytes(300)  # deflate data overwritten inside the sheet
    (tmp_path / "bad.xlsx").write_bytes(bytes(data))
    with pytest.raises(ValidationError, match="工作簿结构损坏（xl/worksheets/sheet1.xml"):
        importer.read(tmp_path / "bad.xlsx", kind="hazards")


def test_an_overlong_number_is_a_row_problem_not_a_database_error(db, users, proj, tmp_path):
    _, code = proj
    rows = hazard_rows(code)
    rows[1][1] = "YH-" + "9" * 90  # B5: longer than the column holds
    report = run(db, users["clerk"], hazard_book(tmp_path / "long-ref.xlsx", code, rows), dry=True)
    assert [(p.row, p.column, p.message) for p in report.problems] == [
        (5, "B", "隐患编号不超过 80 个字符")]
