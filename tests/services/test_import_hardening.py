"""Import hardening (review 17): wide sheets of styled empty cells, sheets not in UTF-8, Excel
error values, identifiers Excel turned into dates, hidden rows, the report of a refused import,
and encrypted or old-format workbooks."""

from __future__ import annotations

import datetime as dt
import tracemalloc
import zipfile
from xml.sax.saxutils import escape

import pytest
from openpyxl import Workbook

from desktop.models import Hazard
from desktop.services.context import ValidationError
from desktop.services.exchange import importer
from desktop.services.exchange import xlsx_guard as xg
from desktop.services.exchange import xlsx_normalise as xn
from tests.services.test_importer import count, proj, run  # noqa: F401

HEADER = ["隐患编号", "项目编号", "隐患描述", "隐患等级", "发现日期", "部位", "整改措施"]
_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_MEMBERS = {
    "[Content_Types].xml":
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="rels" ContentType="application/'
        'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
        '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
        '"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.worksheet+xml"/></Types>',
    "_rels/.rels":
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
        'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml":
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_NS}" xmlns:r="http://schemas.'
        'openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="隐患清单" '
        'sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels":
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
        'schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        'Target="worksheets/sheet1.xml"/></Relationships>',
}


def _letter(n: int) -> str:
    return xn.column_letter(n)


def _text_cell(ref: str, value: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'


def hazard_values(code: str, n: int) -> list[str]:
    return [f"HX-{n}", code, "临边防护栏杆缺失", "三级", "2026-08-05", "3#楼", "立即整改"]


def sheet_xml(rows: list[list[str]], *, extra: dict[int, str] | None = None, after: str = "",
              encoding: str = "UTF-8") -> str:
    """A sheet of text cells; `extra[row]` is raw XML appended to that row's cells."""
    out = [f'<?xml version="1.0" encoding="{encoding}" standalone="yes"?><worksheet xmlns="{_NS}">'
           "<sheetData>"]
    for r, values in enumerate(rows, start=1):
        cells = "".join(_text_cell(f"{_letter(c)}{r}", v) for c, v in enumerate(values, start=1)
                        if v is not None)
        out.append(f'<row r="{r}">{cells}{(extra or {}).get(r, "")}</row>')
    out.append(f"</sheetData>{after}</worksheet>")
    return "".join(out)


def raw_book(path, sheet: str | bytes):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in _MEMBERS.items():
            z.writestr(name, data)
        z.writestr("xl/worksheets/sheet1.xml", sheet)
    return path


def plain_book(path, rows: list[list], *, hidden: tuple[int, ...] = ()):
    wb = Workbook()
    ws = wb.active
    ws.title = "隐患清单"
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    for r in hidden:
        ws.row_dimensions[r].hidden = True
    wb.save(path)
    return path


# -- 1. styled empty cells far to the right -------------------------------------------------


def test_styled_empty_cells_at_xfd_cost_no_memory(tmp_path):
    rows = [HEADER] + [hazard_values("P-1", n) for n in range(1, 301)]
    styled = {r: f'<c r="XFD{r}" s="0"/>' for r in range(1, len(rows) + 1)}
    # a stray value beyond the header and a merge reaching column XFD on the data rows
    styled[5] += _text_cell("Z5", "备注")
    path = raw_book(tmp_path / "wide.xlsx", sheet_xml(
        rows, extra=styled, after='<mergeCells count="1"><mergeCell ref="F3:XFD300"/></mergeCells>'))
    tracemalloc.start()
    try:
        table = importer.read(path, kind="hazards")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [c.letter for c in table.columns] == list("ABCDEFG")
    assert len(table.rows) == 300
    assert {len(r.values) for r in table.rows} == {7}  # not 16,384: only as wide as the header
    assert table.rows[1].values[5] == "3#楼"  # the merge still fills the header's columns
    assert peak < 15 * 1024 * 1024, peak  # the old reader padded every row to 16,384 cells


def test_a_header_wider_than_the_cap_is_refused(tmp_path):
    header = HEADER + [f"备注{n}" for n in range(1, 300)]  # 306 columns, to KT
    path = raw_book(tmp_path / "wide-header.xlsx",
                    sheet_xml([header, hazard_values("P-1", 1)]))
    with pytest.raises(ValidationError) as err:
        importer.read(path, kind="hazards")
    text = err.value.messages["file"]
    assert "工作表“隐患清单”的表头有 306 列（到 KT 列），超过上限 256 列，未读取。" in text, text


# -- 2. sheets not in UTF-8 -----------------------------------------------------------------


@pytest.mark.parametrize("encoding, codec", [("UTF-16", "utf-16"), ("UTF-16", "utf-16-le"),
                                             ("ISO-8859-1", "latin-1")])
def test_a_sheet_not_in_utf8_is_refused_before_its_rows_are_counted(tmp_path, encoding, codec):
    rows = [HEADER] + [[f"R-{n}", "P-1"] for n in range(1, 40)]
    data = sheet_xml(rows, encoding=encoding).encode(codec, "xmlcharrefreplace")
    path = raw_book(tmp_path / "enc.xlsx", data)
    with pytest.raises(ValidationError) as err:  # 40 rows against a cap of 10
        importer.read(path, kind="hazards", limits=importer.Limits(200, 10))
    assert "不是 UTF-8 编码" in err.value.messages["file"]


def test_a_utf8_sheet_with_a_bom_is_read(tmp_path):
    rows = [HEADER] + [hazard_values("P-1", n) for n in range(1, 4)]
    path = raw_book(tmp_path / "bom.xlsx", b"\xef\xbb\xbf" + sheet_xml(rows).encode())
    assert len(importer.read(path, kind="hazards").rows) == 3


# -- 3. Excel error values ------------------------------------------------------------------


def test_excel_error_values_are_refused_by_the_cells_type(db, users, proj, tmp_path):
    _, code = proj
    rows = [HEADER] + [hazard_values(code, n) for n in range(1, 5)]
    rows[2][2] = rows[3][5] = rows[4][2] = None
    extra = {3: '<c r="C3" t="e"><f>1/0</f><v>#DIV/0!</v></c>',  # a formula's saved error
             4: '<c r="F4" t="e"><v>#N/A</v></c>' + '<c r="K4" t="e"><v>#REF!</v></c>',
             5: _text_cell("C5", "#DIV/0!")}  # typed text, not an error: imported as such
    path = raw_book(tmp_path / "errors.xlsx", sheet_xml(rows, extra=extra))
    report = run(db, users["clerk"], path, dry=True)
    problems = {(p.row, p.column): p.message for p in report.problems}
    assert set(problems) == {(3, "C"), (4, "F")}, report.lines()  # K is no mapped column
    assert problems[3, "C"] == "该单元格为 Excel 错误值 #DIV/0!，请改正公式或填写内容后重新导入"
    assert "#N/A" in problems[4, "F"]
    assert any(line.startswith("  问题：工作表“隐患清单”第 3 行 C 列（隐患描述）：该单元格为 Excel 错误值")
               for line in report.lines())
    with pytest.raises(importer.ImportRefused):
        run(db, users["clerk"], path)
    assert count(db, Hazard) == 0


# -- 4. identifiers Excel turned into dates -------------------------------------------------


def test_an_identifier_excel_turned_into_a_date_is_refused(db, users, proj, tmp_path):
    _, code = proj
    rows = [hazard_values(code, n) for n in range(1, 4)]
    rows[0][0] = dt.datetime(2026, 3, 1)  # "3-1" typed into a General cell
    rows[1][0] = dt.time(3, 1)  # "3:01"
    path = plain_book(tmp_path / "dates.xlsx", rows)
    report = run(db, users["clerk"], path, dry=True)
    problems = {(p.row, p.column): p.message for p in report.problems}
    assert set(problems) == {(2, "A"), (3, "A")}, report.lines()
    assert "编号被 Excel 自动转换成了日期或时间（2026-03-01）" in problems[2, "A"]
    assert all("请将该列设为文本格式" in m for m in problems.values())
    with pytest.raises(xn.CellError, match="日期或时间"):
        xn.identifier(dt.date(2026, 3, 1))
    assert xn.identifier("3-1") == "3-1"


# -- 5. hidden rows -------------------------------------------------------------------------


def test_hidden_rows_are_imported_and_named_in_the_report(db, users, proj, tmp_path):
    _, code = proj
    rows = [hazard_values(code, n) for n in range(1, 5)] + [[None] * 7, [None] * 7]
    path = plain_book(tmp_path / "hidden-rows.xlsx", rows, hidden=(3, 5, 7))  # 7: empty
    table = importer.read(path, kind="hazards")
    assert table.hidden_rows == (3, 5)
    preview = run(db, users["clerk"], path, dry=True)
    assert preview.hidden_rows == (3, 5)
    assert "隐藏的行：第 3、5 行在 Excel 中被隐藏，导入时会与其他行一并导入；" \
           "如不需要，请在 Excel 中删除这些行。" in preview.lines()
    done = run(db, users["clerk"], path)
    assert done.new == 4 and count(db, Hazard) == 4
    assert "隐藏的行：第 3、5 行在 Excel 中被隐藏，已一并导入。" in done.lines()
    assert not importer.read(plain_book(tmp_path / "plain.xlsx", rows), kind="hazards").hidden_rows


# -- 6. the report of a refused import ------------------------------------------------------


def test_a_refused_import_reports_nothing_written(db, users, proj, tmp_path):
    _, code = proj
    rows = [hazard_values(code, n) for n in range(1, 4)]
    rows[2][3] = "五级"
    path = plain_book(tmp_path / "one-bad.xlsx", rows)
    with pytest.raises(importer.ImportRefused) as err:
        run(db, users["clerk"], path)
    report = err.value.report
    assert report.refused and report.new == 0 and not report.committed and not report.created_ids
    lines = report.lines()
    assert lines[0].startswith("导入未执行（未写入任何数据）：one-bad.xlsx")
    assert not any(line.startswith("预览") or "新增 2 条" in line for line in lines), lines
    assert "数据行 3 行：发现问题 1 个，导入未执行，没有新增任何数据（已存在 0 条）。" in lines
    assert count(db, Hazard) == 0
    preview = run(db, users["clerk"], path, dry=True)  # a preview still counts the good rows
    assert not preview.refused and preview.new == 2 and preview.lines()[0].startswith("预览：")


# -- 7. encrypted workbooks and old .xls renamed --------------------------------------------


def test_an_encrypted_or_old_format_workbook_is_named_in_chinese(tmp_path):
    ole2 = tmp_path / "encrypted.xlsx"
    ole2.write_bytes(xg.OLE2_MAGIC + bytes(4096))
    for read in (lambda p: importer.read(p, kind="hazards"), xn.sheet_list):
        with pytest.raises((ValidationError, xn.CellError)) as err:
            read(ole2)
        text = str(err.value.messages["file"] if isinstance(err.value, ValidationError)
                   else err.value.args[0])
        assert text.startswith("无法打开 Excel 文件 encrypted.xlsx：该文件设置了打开密码，或是旧版 .xls 格式")
        assert "另存为”不加密的 .xlsx" in text and "zip" not in text
    garbage = tmp_path / "garbage.xlsx"
    garbage.write_bytes(b"not a workbook at all" * 10)
    with pytest.raises(ValidationError) as err:
        importer.read(garbage, kind="hazards")
    text = err.value.messages["file"]
    assert "不是有效的 .xlsx 文件" in text and "zip" not in text.lower()
