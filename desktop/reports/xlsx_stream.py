"""A streaming XLSX writer for long, plainly formatted sheets (registers and lists).

openpyxl builds and serialises an element tree for every cell — about 15 µs a cell here, so
the 48,000-row register of a review package took 11 s (bench/results/data.md). This writer
formats each row's XML as one string with style ids fixed up front and streams it straight
into the zip, deflated at level 1 — on a second thread for a long sheet (`threads.WriteBehind`,
with quick GIL hand-overs: at the default 5 ms switch interval the hand-overs ate the gain). The workbook is the kind openpyxl's
write-only mode makes — inline strings, named cell styles, frozen header, auto-filter, print
titles, column widths, real dates — so openpyxl, Excel, WPS and LibreOffice read it as before.

Text is escaped, characters XML cannot carry (C0 controls but tab, newline, carriage return)
are dropped, and a string is always a string: text beginning with "=" never becomes a formula.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from types import TracebackType
from typing import IO, Any

from desktop.reports import xlsx_print
from desktop.threads import WriteBehind

__all__ = ["Cell", "CellEncoder", "CellStyle", "RowFormatter", "SheetLayout", "SheetWriter",
           "XlsxWriter", "choice_encoder", "column_letter", "date_encoder", "excel_date",
           "number_encoder", "row_formatter", "text_encoder", "value_cell"]

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # as openpyxl's ILLEGAL_CHARACTERS_RE
_CELL = re.compile(r"([A-Z]+)([0-9]+)")
_EPOCH = dt.date(1899, 12, 30).toordinal()  # Excel's day 0 on Windows (the 1900 system)
_BATCH = 1 << 20  # characters of row XML deflated and written at a time
_BEHIND_ROWS = 5000  # a sheet expected longer than this deflates on a second thread


@dataclass(frozen=True)
class CellStyle:
    """A named cell style (shown in Excel's style gallery); colours are RRGGBB."""

    name: str
    bold: bool = False
    colour: str = ""  # font colour
    fill: str = ""  # solid background
    border: bool = False  # thin grey lines on all four sides
    horizontal: str = ""  # left / center / right
    vertical: str = ""  # top / center / bottom
    wrap: bool = False
    number_format: str = ""  # e.g. yyyy-mm-dd


@dataclass(frozen=True)
class SheetLayout:
    name: str
    widths: Sequence[float] = ()  # Excel character units, column A onwards
    freeze_header: bool = False  # row 1 stays in view
    autofilter: bool = False  # filter buttons on row 1 over every written row
    print_titles: bool = False  # row 1 repeats on every printed page
    landscape: bool = False  # A4 landscape even when the columns would fit a portrait page

    @property
    def wide(self) -> bool:
        """Printed landscape: asked for, or columns wider than a portrait page holds."""
        return self.landscape or xlsx_print.is_wide(self.widths)


def column_letter(index: int) -> str:
    """1 → A, 27 → AA."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _escape(text: str) -> str:
    """Text as XML character data: no markup, no characters XML cannot carry."""
    if not text.isprintable():  # C-level test; the regex only for the rare line break or control
        text = _ILLEGAL.sub("", text)
    if "&" in text or "<" in text or ">" in text:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text


def _attr(text: str) -> str:
    return _escape(text).replace('"', "&quot;")


def _style(style: int) -> str:
    return f' s="{style}"' if style else ""


CellEncoder = Callable[[int, Any], str]  # (row number, value) → the cell's XML, "" for none


def text_encoder(column: int, style: int = 0) -> CellEncoder:
    """Inline-string cells of one column; empty text gives an empty styled cell, or nothing."""
    head, s = f'<c r="{column_letter(column)}', _style(style)
    empty = f'{s} t="inlineStr"/>' if style else ""
    plain = f'"{s} t="inlineStr"><is><t>'
    kept = f'"{s} t="inlineStr"><is><t xml:space="preserve">'

    def encode(row: int, text: str | None) -> str:
        # the common case inline (no call): printable text without markup characters
        if text and (not text.isprintable() or "&" in text or "<" in text or ">" in text):
            text = _escape(text)
        if not text:
            return f'{head}{row}"{empty}' if empty else ""
        if text[0].isspace() or text[-1].isspace():
            return f"{head}{row}{kept}{text}</t></is></c>"
        return f"{head}{row}{plain}{text}</t></is></c>"

    return encode


def number_encoder(column: int, style: int = 0) -> CellEncoder:
    head, s = f'<c r="{column_letter(column)}', _style(style)

    def encode(row: int, value: int | float | None) -> str:
        return "" if value is None else f'{head}{row}"{s} t="n"><v>{value!r}</v></c>'

    return encode


def date_encoder(column: int, style: int) -> CellEncoder:
    """Real Excel dates; `style` must carry a date number format."""
    head, s = f'<c r="{column_letter(column)}', _style(style)

    def encode(row: int, value: dt.date | None) -> str:
        return "" if value is None else f'{head}{row}"{s} t="n"><v>{excel_date(value)}</v></c>'

    return encode


def choice_encoder(column: int, choices: Mapping[Any, tuple[str, int]],
                   other: int = 0) -> CellEncoder:
    """Cells of a small vocabulary: value → (text, style), formatted once; others as text."""
    head = f'<c r="{column_letter(column)}'
    made = {value: f'"{_style(style)} t="inlineStr"><is><t>{_escape(text)}</t></is></c>'
            for value, (text, style) in choices.items()}
    fallback = text_encoder(column, other)

    def encode(row: int, value: Any) -> str:
        tail = made.get(value)
        return f"{head}{row}{tail}" if tail is not None else fallback(row, str(value))

    return encode


def excel_date(value: dt.date) -> int | float:
    """Days since 1899-12-30 (a datetime adds the fraction of its day), as openpyxl counts."""
    days = value.toordinal() - _EPOCH
    if 0 < days <= 60:  # Excel's phantom 1900-02-29
        days -= 1
    if isinstance(value, dt.datetime):
        seconds = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
        return days + seconds / 86400 if seconds else days
    return days


@dataclass(frozen=True)
class Cell:
    """One column of a `row_formatter`: kind text / number / date / choice, as the encoders."""

    kind: str
    style: int = 0
    choices: Mapping[Any, tuple[str, int]] | None = None  # choice: value → (text, style)


RowFormatter = Callable[[int, Sequence[Any]], str]  # (row number, values) → '<row …>…</row>'


def _serial(value: dt.date | str) -> int | float:
    """`excel_date` of a date, or of ISO text as SQLite returns one (2026-03-05, or
    2026-03-05 08:30:00[.ffffff]). A row formatter keeps these by value: a register's
    thousands of rows have a few hundred distinct dates."""
    if isinstance(value, str):
        value = (dt.date.fromisoformat(value) if len(value) == 10
                 else dt.datetime.fromisoformat(value))
    return excel_date(value)


_CellWriter = Callable[[str, Any, bool], str]  # (row number as text, value, text known clean)


def _text_writer(column: int, style: int) -> _CellWriter:
    """`text_encoder`'s cell, told whether the row's text is already known clean."""
    head, s = f'<c r="{column_letter(column)}', _style(style)
    empty = f'"{s} t="inlineStr"/>' if style else ""
    plain = f'"{s} t="inlineStr"><is><t>'
    kept = f'"{s} t="inlineStr"><is><t xml:space="preserve">'

    def write(r: str, text: str | None, clean: bool) -> str:
        if text and not clean and (not text.isprintable() or "&" in text or "<" in text
                                   or ">" in text):
            text = _escape(text)
        if not text:
            return head + r + empty if empty else ""
        if text[0].isspace() or text[-1].isspace():
            return f"{head}{r}{kept}{text}</t></is></c>"
        return f"{head}{r}{plain}{text}</t></is></c>"

    return write


def _number_writer(column: int, style: int) -> _CellWriter:
    head, s = f'<c r="{column_letter(column)}', _style(style)

    def write(r: str, value: int | float | None, clean: bool) -> str:
        return "" if value is None else f'{head}{r}"{s} t="n"><v>{value!r}</v></c>'

    return write


def _date_writer(column: int, style: int, serials: dict[Any, int | float]) -> _CellWriter:
    head, s = f'<c r="{column_letter(column)}', _style(style)

    def write(r: str, value: dt.date | str | None, clean: bool) -> str:
        if value is None:
            return ""
        serial = serials.get(value)
        if serial is None:
            serial = serials[value] = _serial(value)
        return f'{head}{r}"{s} t="n"><v>{serial}</v></c>'

    return write


def _choice_writer(column: int, choices: Mapping[Any, tuple[str, int]],
                   other: int) -> _CellWriter:
    head = f'<c r="{column_letter(column)}'
    made = {value: f'"{_style(style)} t="inlineStr"><is><t>{_escape(text)}</t></is></c>'
            for value, (text, style) in choices.items()}
    fallback = _text_writer(column, other)

    def write(r: str, value: Any, clean: bool) -> str:
        tail = made.get(value)
        return head + r + tail if tail is not None else fallback(r, str(value), False)

    return write


def row_formatter(cells: Sequence[Cell],
                  height: Callable[[Sequence[Any]], float] | None = None) -> RowFormatter:
    """A whole row's XML in one call, the same bytes as the encoders cell by cell.

    A date cell also takes ISO text (a date column read without SQLAlchemy's conversion).
    A plain loop over one writer per column; two things spare work on a long sheet: the row
    number is made text once for all its cells, and one test over the row's joined text
    (markup or a character to drop is rare) spares each text cell its own.
    `tests/reports/test_xlsx_stream.py` checks it against the encoders on random values.
    `height(values)`, when given, is the row's height in points, 0 for the default (wrapped
    text: LibreOffice grows no row by itself).
    """
    serials: dict[Any, int | float] = {}  # a register's thousands of rows share a few hundred dates
    writers: list[_CellWriter] = []
    for column, cell in enumerate(cells, start=1):
        if cell.kind == "text":
            writers.append(_text_writer(column, cell.style))
        elif cell.kind == "number":
            writers.append(_number_writer(column, cell.style))
        elif cell.kind == "date":
            writers.append(_date_writer(column, cell.style, serials))
        elif cell.kind == "choice":
            writers.append(_choice_writer(column, cell.choices or {}, cell.style))
        else:
            raise ValueError(f"unknown cell kind {cell.kind}")
    texts = [i for i, cell in enumerate(cells) if cell.kind == "text"]

    def row(number: int, values: Sequence[Any]) -> str:
        r = str(number)
        probe = "".join([values[i] or "" for i in texts])
        clean = probe.isprintable() and "&" not in probe and "<" not in probe and ">" not in probe
        tag = f'<row r="{r}">' if height is None else _row_tag(r, height(values))
        return (tag
                + "".join([write(r, value, clean) for write, value in zip(writers, values, strict=True)])
                + "</row>")

    return row


def _row_tag(r: str, height: float | None) -> str:
    return f'<row r="{r}">' if not height else f'<row r="{r}" ht="{height:g}" customHeight="1">'


def value_cell(column: int, row: int, value: Any, style: int = 0) -> str:
    """Any plain value: None, text, number, bool, date (dates need a style with a date format).

    None leaves the cell out unless styled; "" is an empty string cell (as openpyxl writes
    them), so a row read back keeps its width.
    """
    ref = f"{column_letter(column)}{row}"
    if value is None:
        return f'<c r="{ref}"{_style(style)}/>' if style else ""
    if isinstance(value, str):
        return text_encoder(column, style)(row, value) or f'<c r="{ref}" t="inlineStr"/>'
    if isinstance(value, bool):
        return f'<c r="{ref}"{_style(style)} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return number_encoder(column, style)(row, value)
    if isinstance(value, dt.date):
        if not style:
            raise ValueError(f"a date needs a style with a date number format: {ref}")
        return date_encoder(column, style)(row, value)
    return text_encoder(column, style)(row, str(value))


class SheetWriter:
    """Rows of one sheet, written in order; `rows` counts them (row 1 is the first)."""

    def __init__(self, book: XlsxWriter, layout: SheetLayout, info: zipfile.ZipInfo,
                 rows_hint: int) -> None:
        self.book, self.layout, self.rows = book, layout, 0
        self._info, self._hint = info, rows_hint
        self._member: IO[bytes] | WriteBehind | None = None  # the zip entry, opened with the first batch
        self._pending: list[str] = [_DECL + self._head()]
        self._size = len(self._pending[0])

    def _head(self) -> str:
        layout = self.layout
        # every sheet prints fitted to the page width (with the pageSetup in _tail)
        parts = [f'<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}"><sheetPr>'
                 '<outlinePr summaryBelow="1" summaryRight="1"/><pageSetUpPr fitToPage="1"/>'
                 '</sheetPr>'
                 '<sheetViews><sheetView workbookViewId="0">']
        if layout.freeze_header:
            parts.append('<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
                         'state="frozen"/>'
                         '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>')
        else:
            parts.append('<selection activeCell="A1" sqref="A1"/>')
        parts.append('</sheetView></sheetViews>'
                     '<sheetFormatPr baseColWidth="8" defaultRowHeight="15"/>')
        if layout.widths:
            parts.append("<cols>")
            parts += [f'<col min="{i}" max="{i}" width="{w:g}" customWidth="1"/>'
                      for i, w in enumerate(layout.widths, start=1)]
            parts.append("</cols>")
        parts.append("<sheetData>")
        return "".join(parts)

    def _tail(self) -> str:
        parts = ["</sheetData>"]
        if self.layout.autofilter:
            parts.append(f'<autoFilter ref="{self.filter_ref}"/>')
        # Page setup as xlsx_print.apply gives openpyxl's sheets, in the schema's order:
        # centred, narrow margins, A4 one page wide (fitToHeight 0: as many pages tall as the
        # rows need), landscape when wide, page numbers in the footer. The repeated header row
        # is the workbook's _xlnm.Print_Titles name (see XlsxWriter._workbook).
        m = xlsx_print.MARGINS
        orientation = "landscape" if self.layout.wide else "portrait"
        parts.append('<printOptions horizontalCentered="1"/>'
                     f'<pageMargins left="{m["left"]}" right="{m["right"]}" top="{m["top"]}" '
                     f'bottom="{m["bottom"]}" header="{m["header"]}" footer="{m["footer"]}"/>'
                     f'<pageSetup paperSize="{xlsx_print.A4}" orientation="{orientation}" '
                     'fitToWidth="1" fitToHeight="0"/>'
                     f'<headerFooter><oddFooter>&amp;C{_escape(xlsx_print.FOOTER)}</oddFooter>'
                     '</headerFooter>')
        parts.append("</worksheet>")
        return "".join(parts)

    @property
    def filter_ref(self) -> str:
        return f"A1:{column_letter(max(1, len(self.layout.widths)))}{max(1, self.rows)}"

    def _emit(self, xml: str) -> None:
        data = xml.encode("utf-8")
        if self._member is None:
            self._member = self._open(len(data))
        self._member.write(data)

    def _open(self, first: int) -> IO[bytes] | WriteBehind:
        """Open the zip entry once the first batch tells the size of a row. An entry that may
        pass 2 GiB needs ZIP64 headers from the start (Excel asks to repair some files that
        have them needlessly): the estimate from the first rows is taken four times over."""
        done = max(self.rows, 1)
        estimate = first / done * max(self._hint, done) * 4
        # opened by name: the archive's own compression and level apply (ZipInfo has no public
        # compression level before Python 3.13); the member is stamped with the time written
        member = self.book._zip.open(self._info.filename, "w",
                                     force_zip64=estimate > zipfile.ZIP64_LIMIT)
        # deflated and written on a second thread while the next rows are formatted
        return WriteBehind(member) if self._hint > _BEHIND_ROWS else member

    def write(self, xml: str, count: int) -> None:
        """`count` rows already formatted as `<row r="…">…</row>` (numbered from rows + 1)."""
        self._pending.append(xml)
        self._size += len(xml)
        self.rows += count
        if self._size >= _BATCH:
            self.flush()

    def flush(self) -> None:
        if self._pending:
            self._emit("".join(self._pending))
            self._pending.clear()
            self._size = 0

    def append(self, values: Sequence[Any], styles: Sequence[int] | int = 0, *,
               height: float | None = None) -> None:
        """One row of plain values (see `value_cell`), each with its style id or one for all;
        `height` in points (none: the default)."""
        r = self.rows + 1
        if isinstance(styles, int):
            styles = (styles,) * len(values)
        cells = "".join(value_cell(i, r, v, s)
                        for i, (v, s) in enumerate(zip(values, styles, strict=True), start=1))
        self.write(f"{_row_tag(str(r), height)}{cells}</row>", 1)

    def _finish(self) -> None:
        self._pending.append(self._tail())
        self.flush()
        if self._member is not None:  # opened by the flush above
            self._member.close()

    def _abandon(self) -> None:
        try:
            if isinstance(self._member, WriteBehind):
                self._member.abandon()
            elif self._member is not None:
                self._member.close()
        except Exception:  # noqa: BLE001, S110 - the workbook is being discarded anyway
            pass


class XlsxWriter:
    """One workbook written into `fh` (an open binary file); sheets one after another.

        with atomic_writer(path, "wb") as fh, XlsxWriter(fh, styles=[CellStyle("表头", bold=True)],
                                                         title="…") as book:
            with book.sheet(SheetLayout("清单", widths=(10, 40))) as sheet:
                sheet.append(["编号", "名称"], book.style("表头"))

    Leaving the `with` normally completes the workbook; an exception leaves it unfinished for
    the caller to discard (atomic_writer deletes its temporary file).
    """

    def __init__(self, fh: IO[bytes], *, styles: Sequence[CellStyle] = (), title: str = "",
                 creator: str = "", created: dt.datetime | None = None,
                 compresslevel: int = 1) -> None:
        self._zip = zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel)
        self._styles = list(styles)
        self._ids = {s.name: i for i, s in enumerate(self._styles, start=1)}
        if len(self._ids) != len(self._styles):
            raise ValueError("cell style names must be unique")
        self.title, self.creator = title, creator
        self.created = (created or dt.datetime.now(dt.UTC)).replace(tzinfo=None, microsecond=0)
        self._sheets: list[SheetWriter] = []
        self._open = False

    def __enter__(self) -> XlsxWriter:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc_type is None:
            self.close()
            return
        try:  # end the zip so nothing writes to the file later; its content no longer matters
            self._zip.close()
        except Exception:  # noqa: BLE001, S110 - the caller discards the file
            pass

    def style(self, name: str) -> int:
        return self._ids[name]

    @contextmanager
    def sheet(self, layout: SheetLayout, *, rows_hint: int = 0) -> Iterator[SheetWriter]:
        """Write one sheet; `rows_hint` (the rows expected) lets a huge sheet have ZIP64 headers."""
        if self._open:
            raise RuntimeError("one sheet at a time")
        if any(s.layout.name == layout.name for s in self._sheets):
            raise ValueError(f"duplicate sheet name {layout.name}")
        self._open = True
        info = zipfile.ZipInfo(f"xl/worksheets/sheet{len(self._sheets) + 1}.xml",
                               date_time=self.created.timetuple()[:6])
        sheet = SheetWriter(self, layout, info, rows_hint)
        try:
            yield sheet
            sheet._finish()
        except BaseException:
            sheet._abandon()
            raise
        finally:
            self._open = False
        self._sheets.append(sheet)

    def close(self) -> None:
        """Write the workbook's other parts; the file is complete when this returns."""
        if not self._sheets:
            raise ValueError("a workbook needs at least one sheet")
        # imported here: openpyxl takes 0.3 s to import and a PDF never needs it
        from openpyxl.writer.theme import theme_xml

        parts = {
            "[Content_Types].xml": self._content_types(), "_rels/.rels": self._root_rels(),
            "docProps/core.xml": self._core(), "docProps/app.xml": self._app(),
            "xl/workbook.xml": self._workbook(), "xl/_rels/workbook.xml.rels": self._book_rels(),
            "xl/styles.xml": self._styles_xml(), "xl/theme/theme1.xml": theme_xml,
        }
        stamp = self.created.timetuple()[:6]
        for name, xml in parts.items():
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            body = xml if xml.startswith("<?xml") else _DECL + xml
            self._zip.writestr(info, body.encode("utf-8"))
        self._zip.close()

    # -- the fixed parts ---------------------------------------------------------------------

    def _content_types(self) -> str:
        ct = "application/vnd.openxmlformats-officedocument"
        sheets = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
                         f'ContentType="{ct}.spreadsheetml.worksheet+xml"/>'
                         for i in range(1, len(self._sheets) + 1))
        return ('<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                '<Default Extension="rels" '
                'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                '<Default Extension="xml" ContentType="application/xml"/>'
                '<Override PartName="/xl/workbook.xml" '
                f'ContentType="{ct}.spreadsheetml.sheet.main+xml"/>'
                f'{sheets}'
                f'<Override PartName="/xl/styles.xml" ContentType="{ct}.spreadsheetml.styles+xml"/>'
                f'<Override PartName="/xl/theme/theme1.xml" ContentType="{ct}.theme+xml"/>'
                '<Override PartName="/docProps/core.xml" '
                'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
                '<Override PartName="/docProps/app.xml" '
                f'ContentType="{ct}.extended-properties+xml"/>'
                '</Types>')

    @staticmethod
    def _root_rels() -> str:
        od = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
        return (f'<Relationships xmlns="{_PKG_REL}">'
                f'<Relationship Id="rId1" Type="{od}/officeDocument" Target="xl/workbook.xml"/>'
                '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/'
                'relationships/metadata/core-properties" Target="docProps/core.xml"/>'
                f'<Relationship Id="rId3" Type="{od}/extended-properties" '
                'Target="docProps/app.xml"/>'
                '</Relationships>')

    def _core(self) -> str:
        stamp = self.created.strftime("%Y-%m-%dT%H:%M:%SZ")
        return ('<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
                'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
                'xmlns:dcterms="http://purl.org/dc/terms/" '
                'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
                f'<dc:title>{_escape(self.title)}</dc:title>'
                f'<dc:creator>{_escape(self.creator)}</dc:creator>'
                f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
                f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
                '</cp:coreProperties>')

    @staticmethod
    def _app() -> str:
        return ('<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
                'extended-properties"><Application>RiskDesk</Application></Properties>')

    def _workbook(self) -> str:
        sheets, names = [], []
        for i, sheet in enumerate(self._sheets):
            name = sheet.layout.name
            sheets.append(f'<sheet name="{_attr(name)}" sheetId="{i + 1}" r:id="rId{i + 1}"/>')
            quoted = _attr("'" + name.replace("'", "''") + "'")
            if sheet.layout.autofilter:
                ref = _CELL.sub(r"$\1$\2", sheet.filter_ref)
                names.append(f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" '
                             f'hidden="1">{quoted}!{ref}</definedName>')
            if sheet.layout.print_titles:
                names.append(f'<definedName name="_xlnm.Print_Titles" localSheetId="{i}">'
                             f"{quoted}!$1:$1</definedName>")
        defined = f"<definedNames>{''.join(names)}</definedNames>" if names else ""
        return (f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><workbookPr/>'
                '<bookViews><workbookView activeTab="0"/></bookViews>'
                f"<sheets>{''.join(sheets)}</sheets>{defined}"
                '<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>')

    def _book_rels(self) -> str:
        base = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
        rels = [f'<Relationship Id="rId{i}" Type="{base}/worksheet" '
                f'Target="worksheets/sheet{i}.xml"/>' for i in range(1, len(self._sheets) + 1)]
        n = len(self._sheets)
        rels.append(f'<Relationship Id="rId{n + 1}" Type="{base}/styles" Target="styles.xml"/>')
        rels.append(f'<Relationship Id="rId{n + 2}" Type="{base}/theme" '
                    'Target="theme/theme1.xml"/>')
        return f'<Relationships xmlns="{_PKG_REL}">{"".join(rels)}</Relationships>'

    def _styles_xml(self) -> str:
        default_font = ('<font><sz val="11"/><color theme="1"/><name val="Calibri"/>'
                        '<family val="2"/><scheme val="minor"/></font>')
        fonts, fills = [default_font], ['<fill><patternFill patternType="none"/></fill>',
                                        '<fill><patternFill patternType="gray125"/></fill>']
        borders = ['<border><left/><right/><top/><bottom/><diagonal/></border>']
        formats: dict[str, int] = {}
        default_xf = '<xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        xfs: list[tuple[str, str, str]] = []  # (ids, apply flags, alignment) of each named style
        for style in self._styles:
            font = fill = border = fmt = 0
            attrs = []
            if style.bold or style.colour:
                bold = '<b val="1"/>' if style.bold else ""
                colour = (f'<color rgb="FF{style.colour.upper()}"/>' if style.colour
                          else '<color theme="1"/>')
                fonts.append(f'<font>{bold}<sz val="11"/>{colour}<name val="Calibri"/>'
                             '<family val="2"/><scheme val="minor"/></font>')
                font = len(fonts) - 1
                attrs.append(' applyFont="1"')
            if style.fill:
                fills.append(f'<fill><patternFill patternType="solid"><fgColor rgb="FF'
                             f'{style.fill.upper()}"/><bgColor indexed="64"/></patternFill></fill>')
                fill = len(fills) - 1
                attrs.append(' applyFill="1"')
            if style.border:
                side = '<{0} style="thin"><color rgb="FF999999"/></{0}>'
                borders.append("<border>" + "".join(side.format(s) for s in
                                                    ("left", "right", "top", "bottom"))
                               + "<diagonal/></border>")
                border = len(borders) - 1
                attrs.append(' applyBorder="1"')
            if style.number_format:
                fmt = formats.setdefault(style.number_format, 164 + len(formats))
                attrs.append(' applyNumberFormat="1"')
            align = ""
            if style.horizontal or style.vertical or style.wrap:
                bits = ((f' horizontal="{style.horizontal}"' if style.horizontal else "")
                        + (f' vertical="{style.vertical}"' if style.vertical else "")
                        + (' wrapText="1"' if style.wrap else ""))
                align = f"<alignment{bits}/>"
                attrs.append(' applyAlignment="1"')
            head = f'numFmtId="{fmt}" fontId="{font}" fillId="{fill}" borderId="{border}"'
            xfs.append((head, "".join(attrs), align))
        style_xfs = [default_xf] + [f"<xf {h}{a}>{al}</xf>" if al else f"<xf {h}{a}/>"
                                    for h, a, al in xfs]
        cell_xfs = [default_xf] + [f'<xf {h} xfId="{i}"{a}>{al}</xf>' if al else
                                   f'<xf {h} xfId="{i}"{a}/>' for i, (h, a, al) in
                                   enumerate(xfs, start=1)]
        names = ['<cellStyle name="Normal" xfId="0" builtinId="0"/>']
        names += [f'<cellStyle name="{_attr(s.name)}" xfId="{i}"/>'
                  for i, s in enumerate(self._styles, start=1)]
        numfmts = "".join(f'<numFmt numFmtId="{i}" formatCode="{_attr(code)}"/>'
                          for code, i in formats.items())
        return (f'<styleSheet xmlns="{_MAIN}">'
                + (f'<numFmts count="{len(formats)}">{numfmts}</numFmts>' if formats else "")
                + f'<fonts count="{len(fonts)}">{"".join(fonts)}</fonts>'
                f'<fills count="{len(fills)}">{"".join(fills)}</fills>'
                f'<borders count="{len(borders)}">{"".join(borders)}</borders>'
                f'<cellStyleXfs count="{len(style_xfs)}">{"".join(style_xfs)}</cellStyleXfs>'
                f'<cellXfs count="{len(cell_xfs)}">{"".join(cell_xfs)}</cellXfs>'
                f'<cellStyles count="{len(names)}">{"".join(names)}</cellStyles>'
                '<dxfs count="0"/><tableStyles count="0" defaultTableStyle="TableStyleMedium9" '
                'defaultPivotStyle="PivotStyleLight16"/></styleSheet>')
