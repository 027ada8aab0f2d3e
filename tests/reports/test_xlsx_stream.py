"""The streaming XLSX writer: values, escaping, layout parts and failures, read back by openpyxl."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from xml.dom import minidom

import pytest
from openpyxl import load_workbook

from desktop.fileutil import atomic_writer
from desktop.reports import xlsx_stream as xs

STYLES = (
    xs.CellStyle("表头", bold=True, fill="E8E8E8", border=True, horizontal="center",
                 vertical="center", wrap=True),
    xs.CellStyle("日期", number_format="yyyy-mm-dd"),
    xs.CellStyle("红字", bold=True, colour="C62828"),
)


def write(path, rows, *, layout=None, rows_hint=0, styles=STYLES):  # type: ignore[no-untyped-def]
    layout = layout or xs.SheetLayout("清单", widths=(8, 30, 12, 10), freeze_header=True,
                                      autofilter=True, print_titles=True, landscape=True)
    with atomic_writer(path, "wb") as fh, xs.XlsxWriter(fh, styles=styles, title="标题 & <说明>",
                                                        creator="某机构") as book:
        with book.sheet(layout, rows_hint=rows_hint) as sheet:
            for values, style in rows:
                sheet.append(values, book.style(style) if isinstance(style, str) else style)
        with book.sheet(xs.SheetLayout("第二页")) as other:
            other.append(["只有一格"])
    return path


def test_values_come_back_as_written(tmp_path):
    when = dt.datetime(2026, 3, 5, 14, 30)
    odd = ["  前后空格  ", "a & b <c> \"d\" 'e'", "第一行\n第二行\t制表", "控制\x01字符\x1f去掉",
           "=SUM(A1:A2)", "=1+1", "", None]
    rows = [
        (["序号", "名称", "日期", "其他"], "表头"),
        ([1, odd[0], dt.date(2026, 3, 5), True], [0, 0, 2, 0]),
        ([2.5, odd[1], when, False], [0, 0, 2, 0]),
        ([3, odd[2], dt.date(1900, 1, 15), None], [0, 0, 2, 0]),
        ([4, odd[3], None, ""], 0),
        ([5, odd[4], None, odd[5]], 0),
    ]
    path = write(tmp_path / "v.xlsx", rows)
    wb = load_workbook(path)  # the full reader: styles, views, print settings too
    ws = wb["清单"]
    values = [tuple(c.value for c in row) for row in ws.iter_rows()]
    assert values[0] == ("序号", "名称", "日期", "其他")
    assert values[1] == (1, "  前后空格  ", dt.datetime(2026, 3, 5), True)
    assert values[2] == (2.5, "a & b <c> \"d\" 'e'", when, False)
    assert values[3] == (3, "第一行\n第二行\t制表", dt.datetime(1900, 1, 15), None)
    assert values[4][:2] == (4, "控制字符去掉") and values[4][2:] in ((None, None), (None, ""))
    assert values[5] == (5, "=SUM(A1:A2)", None, "=1+1")
    assert ws.cell(6, 2).data_type == "s" and ws.cell(6, 4).data_type == "s"  # never formulas
    assert ws.cell(2, 3).number_format == "yyyy-mm-dd" and ws.cell(2, 3).is_date
    assert wb["第二页"]["A1"].value == "只有一格"
    assert wb.properties.title == "标题 & <说明>" and wb.properties.creator == "某机构"


def test_layout_styles_and_defined_names(tmp_path):
    rows = [(["序号", "名称", "日期", "其他"], "表头")] + [([i, f"第{i}项", None, "红"], [0, 0, 0, 3])
                                                   for i in range(1, 8)]
    path = write(tmp_path / "l.xlsx", rows)
    wb = load_workbook(path)
    ws = wb["清单"]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:D8"
    assert ws.print_title_rows == "$1:$1"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize in (9, "9")
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToHeight in (0, "0")
    assert [ws.column_dimensions[c].width for c in "ABCD"] == [8, 30, 12, 10]
    head = ws["A1"]
    assert head.font.b and head.fill.fgColor.rgb.endswith("E8E8E8")
    assert head.border.left.style == "thin"
    assert head.alignment.horizontal == "center" and head.alignment.wrap_text
    assert ws["D2"].font.b and ws["D2"].font.color.rgb.endswith("C62828")
    assert {"表头", "日期", "红字"} <= set(wb.named_styles)
    other = wb["第二页"]
    assert other.freeze_panes is None and other.auto_filter.ref is None
    with zipfile.ZipFile(path) as z:  # every part is well-formed XML
        for name in z.namelist():
            minidom.parseString(z.read(name))
        book = z.read("xl/workbook.xml").decode()
    assert "'清单'!$A$1:$D$8" in book and "'清单'!$1:$1" in book


def zip64_in_local_header(path, name: str) -> bool:  # type: ignore[no-untyped-def]
    import struct

    with zipfile.ZipFile(path) as z:
        offset = z.getinfo(name).header_offset
    raw = path.read_bytes()
    name_len, extra_len = struct.unpack("<HH", raw[offset + 26:offset + 30])
    extra = raw[offset + 30 + name_len:offset + 30 + name_len + extra_len]
    while extra:
        tag, size = struct.unpack("<HH", extra[:4])
        if tag == 1:
            return True
        extra = extra[4 + size:]
    return False


def test_zip64_headers_only_for_a_sheet_that_may_pass_2_gib(tmp_path):
    rows = [([i, f"第{i}项"], 0) for i in range(1, 2000)]
    normal = write(tmp_path / "n.xlsx", rows, rows_hint=len(rows))
    assert not zip64_in_local_header(normal, "xl/worksheets/sheet1.xml")  # Excel-friendly
    huge = write(tmp_path / "h.xlsx", rows, rows_hint=50_000_000)
    assert zip64_in_local_header(huge, "xl/worksheets/sheet1.xml")
    empty = write(tmp_path / "e.xlsx", [], rows_hint=50_000_000)
    for path, count in ((huge, 1999), (empty, 0)):
        wb = load_workbook(path, read_only=True)
        assert len(list(wb["清单"].iter_rows(values_only=True))) == count
        wb.close()
        with zipfile.ZipFile(path) as z:
            assert z.testzip() is None


def test_rows_written_in_batches_keep_their_order(tmp_path):
    encode = xs.text_encoder(2)
    with atomic_writer(tmp_path / "b.xlsx", "wb") as fh, xs.XlsxWriter(fh) as book:
        with book.sheet(xs.SheetLayout("长表", widths=(8, 20))) as sheet:
            for start in range(1, 30_001, 1000):
                sheet.write("".join(f'<row r="{r}"><c r="A{r}" t="n"><v>{r}</v></c>'
                                    f'{encode(r, f"第{r}行")}</row>'
                                    for r in range(start, start + 1000)), 1000)
            assert sheet.rows == 30_000
    wb = load_workbook(tmp_path / "b.xlsx", read_only=True)
    rows = list(wb["长表"].iter_rows(values_only=True))
    wb.close()
    assert len(rows) == 30_000 and rows[0] == (1, "第1行") and rows[-1] == (30_000, "第30000行")


class _Boom(Exception):
    pass


def test_a_failure_mid_sheet_leaves_no_file(tmp_path):
    target = tmp_path / "x.xlsx"
    with pytest.raises(_Boom):
        with atomic_writer(target, "wb") as fh, xs.XlsxWriter(fh) as book:
            with book.sheet(xs.SheetLayout("表")) as sheet:
                for i in range(50_000):
                    sheet.append([i, "某项文本" * 5])
                    if i == 40_000:
                        raise _Boom
    assert list(tmp_path.iterdir()) == []


class _FullDisk(io.RawIOBase):
    """A file that accepts some bytes, then fails as a full disk does."""

    def __init__(self, room: int) -> None:
        self.room, self.pos = room, 0

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.pos

    def seek(self, pos: int, whence: int = 0) -> int:
        self.pos = pos if whence == 0 else self.pos + pos
        return self.pos

    def write(self, data) -> int:  # type: ignore[no-untyped-def]
        if self.pos + len(data) > self.room:
            raise OSError(28, "No space left on device")
        self.pos += len(data)
        return len(data)


def test_a_write_error_reaches_the_caller():
    with pytest.raises(OSError, match="No space left"):
        with xs.XlsxWriter(_FullDisk(200_000)) as book:  # type: ignore[arg-type]
            with book.sheet(xs.SheetLayout("表")) as sheet:
                for i in range(200_000):
                    sheet.append([i, f"不可压缩的文本 {i * 7919 % 1000003}"])


def test_excel_dates_count_as_openpyxl_does(tmp_path):
    from openpyxl.utils.datetime import to_excel

    for value in (dt.date(1899, 12, 31), dt.date(1900, 1, 1), dt.date(1900, 2, 28),
                  dt.date(1900, 3, 1), dt.date(2026, 3, 5), dt.datetime(2026, 3, 5, 12),
                  dt.datetime(2026, 3, 5, 14, 30, 15, 500)):
        assert xs.excel_date(value) == pytest.approx(to_excel(value), abs=1e-9), value
    assert xs.column_letter(1) == "A" and xs.column_letter(26) == "Z"
    assert xs.column_letter(27) == "AA" and xs.column_letter(16384) == "XFD"
    with pytest.raises(ValueError, match="date"):  # an unstyled date would read back as a number
        write(tmp_path / "d.xlsx", [([dt.date(2026, 3, 5)], 0)])
    assert list(tmp_path.iterdir()) == []


# -- the row formatter writes what the encoders write ------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_CELLS = [xs.Cell("number"), xs.Cell("text"), xs.Cell("text", 3), xs.Cell("date", 2),
          xs.Cell("choice", 4, {2: ("二级", 5), True: ("是", 6), False: ("否", 4)}),
          xs.Cell("number", 7)]
_ENCODERS = [xs.number_encoder(1), xs.text_encoder(2), xs.text_encoder(3, 3),
             xs.date_encoder(4, 2), xs.choice_encoder(5, {2: ("二级", 5), True: ("是", 6),
                                                          False: ("否", 4)}, 4),
             xs.number_encoder(6, 7)]
_TEXT = st.one_of(st.none(), st.just(""), st.text(max_size=12),
                  st.sampled_from([" 前后空格 ", "\u3000全角空格", "a&b<c>d", "换行\n第二行", "\x07铃",
                                   "=1+1", "\x00\x01", "   "]))
_DATE = st.one_of(st.none(), st.dates(min_value=dt.date(1899, 12, 31)),
                  st.datetimes(min_value=dt.datetime(1900, 1, 1)))


@settings(max_examples=400, deadline=None)
@given(row=st.integers(min_value=1, max_value=1_048_576),
       values=st.tuples(st.one_of(st.none(), st.integers(), st.floats(allow_nan=False)), _TEXT,
                        _TEXT, _DATE, st.sampled_from([2, True, False, 3, "其他", None]),
                        st.one_of(st.none(), st.integers())))
def test_the_row_formatter_writes_the_encoders_bytes(row, values):
    expected = "".join(encode(row, v) for encode, v in zip(_ENCODERS, values, strict=True))
    assert xs.row_formatter(_CELLS)(row, values) == f'<row r="{row}">{expected}</row>'


def test_a_formatted_row_reads_back_in_openpyxl(tmp_path):
    path = tmp_path / "rows.xlsx"
    line = xs.row_formatter(_CELLS)
    with atomic_writer(path, "wb") as fh, xs.XlsxWriter(fh, styles=[
            xs.CellStyle(f"s{i}", number_format="yyyy-mm-dd" if i == 2 else "")
            for i in range(1, 8)]) as book:
        with book.sheet(xs.SheetLayout("行", (8,) * 6)) as sheet:
            sheet.write(line(1, (7, " 前后 ", "a&b<c>", dt.date(2026, 3, 5), 2, None))
                        + line(2, (8, None, "", None, "其他", 3)), 2)
    ws = load_workbook(path).active
    assert [c.value for c in ws[1]] == [7, " 前后 ", "a&b<c>", dt.datetime(2026, 3, 5), "二级", None]
    assert [c.value for c in ws[2]][:5] == [8, None, None, None, "其他"]
    assert ws["F2"].value == 3


def test_rows_carry_the_heights_they_are_given(tmp_path):
    """LibreOffice grows no row for wrapped text: a row's height is written, or left default."""
    path = tmp_path / "heights.xlsx"
    line = xs.row_formatter(_CELLS, lambda values: 45.0 if values[0] == 7 else 0.0)
    with atomic_writer(path, "wb") as fh, xs.XlsxWriter(fh, styles=[
            xs.CellStyle(f"s{i}", number_format="yyyy-mm-dd" if i == 2 else "")
            for i in range(1, 8)]) as book:
        with book.sheet(xs.SheetLayout("行", (8,) * 6)) as sheet:
            sheet.append(("表头",) * 6, height=30.5)
            sheet.write(line(2, (7, "长", "", None, "", None)) + line(3, (8, "短", "", None, "", None)), 2)
    ws = load_workbook(path).active
    assert ws.row_dimensions[1].height == 30.5 and ws.row_dimensions[2].height == 45
    assert ws.row_dimensions[3].height is None  # the default
    assert ws["B2"].value == "长" and ws["B3"].value == "短"


@settings(max_examples=200, deadline=None)
@given(row=st.integers(min_value=1, max_value=5000),
       day=st.one_of(st.dates(min_value=dt.date(1900, 1, 1)),
                     st.datetimes(min_value=dt.datetime(1900, 1, 1))))
def test_a_date_read_as_iso_text_is_the_same_cell(row, day):
    """SQLite hands dates back as ISO text when read without SQLAlchemy's conversion."""
    line = xs.row_formatter([xs.Cell("date", 2)])
    text = day.isoformat(sep=" ") if isinstance(day, dt.datetime) else day.isoformat()
    assert line(row, (text,)) == line(row, (day,)) == \
        f'<row r="{row}">{xs.date_encoder(1, 2)(row, day)}</row>'
