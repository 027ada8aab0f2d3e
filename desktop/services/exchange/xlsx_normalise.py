"""Reading messy Excel sheets: merged header cells, header detection and value normalisation."""

from __future__ import annotations

import datetime as dt
import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from desktop.messages import Series, msg
from desktop.services.exchange import xlsx_guard as xg

# Excel's 1900 date system (openpyxl's CALENDAR_WINDOWS_1900); openpyxl itself loads only when a
# workbook is read, so the 导入 panel opens without it
CALENDAR_WINDOWS_1900 = dt.datetime(1899, 12, 30)

HEADER_SCAN_ROWS = 20
# columns a table's header may span: Excel 2003's limit, far beyond any list imported here; each
# row is read only as wide as its header, so cells further right (even styled empty ones at
# XFD) cost nothing
MAX_COLUMNS = 256
# Excel serial numbers of 1990-01-01 and 2099-12-31: a bare number outside is not a date
SERIAL_MIN, SERIAL_MAX = 32874, 73050

_ALNUM_FULL = "０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ"
_ALNUM_HALF = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_ALNUM = str.maketrans(_ALNUM_FULL, _ALNUM_HALF)
_ALL = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_SPACES = re.compile(r"[\s\u3000\u00a0\u2000-\u200b\u202f\u205f\ufeff]+")
_BRACKETS = re.compile(r"[（(【\[][^）)】\]]*[）)】\]]")
_DATE_RE = re.compile(
    r"^(\d{4})\s*(?:年|[-./])\s*(\d{1,2})\s*(?:月|[-./])\s*(\d{1,2})\s*日?"
    r"(?:\s*[T ]?\s*\d{1,2}(?:[:时点]\d{1,2}(?:[:分]\d{1,2}秒?)?分?)?)?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4,
              "Ⅰ": 1, "Ⅱ": 2, "Ⅲ": 3, "Ⅳ": 4, "I": 1, "II": 2, "III": 3, "IV": 4}
_LEVEL_WORDS = {"重大": 1, "较大": 2, "一般": 3, "较低": 4, "低": 4}
_TRUE = {"是", "有", "Y", "YES", "TRUE", "√", "✓", "1", "对"}
_FALSE = {"否", "无", "N", "NO", "FALSE", "×", "✗", "0", "不是", ""}


class CellError(ValueError):
    """A cell value that cannot be read as what its column holds; the message is Chinese."""


# -- text -----------------------------------------------------------------------------


def half_width(text: str, *, punctuation: bool = False) -> str:
    """Full-width digits and letters to ASCII; with `punctuation`, every full-width form."""
    return text.translate(_ALL) if punctuation else text.translate(_ALNUM)


def _scalar_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 20260001.0 → "20260001": a number Excel kept as a float
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    return str(value)


def text(value: Any) -> str:
    """A cell as one line: stray spaces (U+3000 too) gone, full-width digits and letters halved."""
    return _SPACES.sub(" ", half_width(_scalar_text(value))).strip()


def multiline(value: Any) -> str:
    """Like text(), but keeps line breaks (descriptions, measures)."""
    parts = half_width(_scalar_text(value)).splitlines()
    lines = (_SPACES.sub(" ", part).strip() for part in parts)
    return "\n".join(line for line in lines if line)


def ident(value: Any) -> str:
    """An identifier (policy number, code): every full-width form halved, no spaces at all."""
    return _SPACES.sub("", half_width(_scalar_text(value), punctuation=True))


MAX_EXACT_DIGITS = 15  # Excel keeps 15 significant digits of a number, and rounds the rest


def identifier(value: Any) -> str:
    """Like ident(), but a number of more than 15 digits is refused: Excel has already
    rounded it (a policy or ID number typed into a number cell), so it cannot be trusted.
    So is a date or time: Excel turned what was typed ("3-1", "3:01") into one, and the
    number typed is lost."""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool) \
            and abs(value) >= 10 ** MAX_EXACT_DIGITS:
        raise CellError(msg("数字“{text}”超过 15 位，Excel 已将其舍入，无法得知原值；"
                            "请将该列设为文本后重新导出", text=_scalar_text(value)))
    if isinstance(value, (dt.date, dt.time, dt.timedelta)):  # a datetime is a date
        shown = _scalar_text(value).removesuffix(" 00:00:00")
        raise CellError(msg("编号被 Excel 自动转换成了日期或时间（{text}），无法得知原来填写的编号；"
                            "请将该列设为文本格式，重新填写编号后再导入", text=shown))
    return ident(value)


def header_key(value: Any) -> str:
    """A header cell reduced for matching: no spaces, brackets, required-marks or colons."""
    key = ident(value)
    key = _BRACKETS.sub("", key)
    return key.strip("*:：#").replace("*", "")


# -- values ---------------------------------------------------------------------------


def parse_date(value: Any, *, epoch: dt.datetime = CALENDAR_WINDOWS_1900) -> dt.date | None:
    """2026年3月5日, 2026.3.5, 2026/3/5, 2026-03-05, 20260305, Excel serials, real dates."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _serial(value, epoch, str(value))
    raw = ident(value)
    if not raw:
        return None
    if re.fullmatch(r"\d{5}(\.\d+)?", raw):  # a serial number kept as text
        return _serial(float(raw), epoch, raw)
    m = _DATE_RE.match(raw) or _COMPACT_DATE.match(raw)
    if m is None:
        raise CellError(msg("无法识别的日期“{text}”（可写作 2026-03-05 或 2026年3月5日）",
                            text=text(value)))
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        raise CellError(msg("日期不存在“{text}”", text=text(value))) from None


def column_letter(number: int) -> str:
    """Excel's column letters for a 1-based column number (1 → A, 27 → AA)."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _serial(number: float, epoch: dt.datetime, shown: str) -> dt.date:
    if not SERIAL_MIN <= number <= SERIAL_MAX:
        raise CellError(msg("“{text}”不是日期（Excel 日期序号应在 1990 到 2099 年之间）",
                            text=shown))
    from openpyxl.utils.datetime import from_excel

    moment = from_excel(number, epoch)
    day: dt.date = moment.date() if isinstance(moment, dt.datetime) else moment
    return day


def parse_decimal(value: Any) -> Decimal | None:
    """A number that may be text: 1,234.50 / １２３ / ￥120000 / 12.5元."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise CellError(msg("此处应为数字"))
    if isinstance(value, (int, float, Decimal)):
        number = Decimal(str(value))
        if not number.is_finite():
            raise CellError(msg("“{text}”不是有限的数字", text=_scalar_text(value)))
        return number
    raw = ident(value).replace(",", "").replace("，", "")
    raw = raw.lstrip("¥￥").removesuffix("元")
    if not raw:
        return None
    try:
        number = Decimal(raw)
    except InvalidOperation:
        raise CellError(msg("“{text}”不是数字", text=text(value))) from None
    if not number.is_finite():
        raise CellError(msg("“{text}”不是数字", text=text(value)))
    return number


def parse_int(value: Any) -> int | None:
    number = parse_decimal(value)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise CellError(msg("“{text}”应为整数", text=text(value)))
    return int(number)


def parse_level(value: Any) -> int | None:
    """Hazard level from 一级 / 1 / Ⅰ级 / I级 / 1级 / 重大 / 一级（重大） / 较大 / 一般 / 低."""
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if float(value) in (1.0, 2.0, 3.0, 4.0):
            return int(value)
        raise CellError(msg("隐患等级“{text}”无效，应为一至四级", text=_scalar_text(value)))
    raw = _BRACKETS.sub("", ident(value)).upper()
    if not raw:
        return None
    core = raw.removesuffix("隐患").removesuffix("级").removesuffix("等")
    if core in _CN_DIGITS:
        return _CN_DIGITS[core]
    if core in _LEVEL_WORDS:
        return _LEVEL_WORDS[core]
    raise CellError(msg("隐患等级“{text}”无法识别（可写作 一级、1、Ⅰ级 或 重大）",
                        text=text(value)))


def parse_bool(value: Any) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    raw = ident(value).upper()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False if raw else None
    raise CellError(msg("“{text}”应填“是”或“否”", text=text(value)))


# -- sheets ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    index: int  # 0-based
    letter: str
    header: str  # as shown: "整改要求 / 期限" for a two-row header
    keys: tuple[str, ...]  # header_key of each header part, then of the parts joined


@dataclass(frozen=True)
class Row:
    number: int  # the row number Excel shows
    values: tuple[Any, ...]


@dataclass(frozen=True)
class Table:
    file: str
    sheet: str
    header_rows: tuple[int, int]
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    epoch: dt.datetime = CALENDAR_WINDOWS_1900
    hidden_skipped: tuple[str, ...] = ()  # hidden sheets not read (not chosen)
    formulas_without_value: frozenset[tuple[int, int]] = frozenset()  # (row, column), 1-based
    hidden_rows: tuple[int, ...] = ()  # data rows (with a value) hidden in Excel: still read
    error_values: dict[tuple[int, int], str] = field(default_factory=dict, hash=False)
    # (row, column), 1-based → the Excel error value a cell of a data row holds (#DIV/0!…)

    def check_cell(self, row: int, column: int) -> None:
        """CellError for a cell (1-based) holding a formula without a saved result or an Excel
        error value (#DIV/0!, #N/A…: its type, whatever its text): every sheet reader asks
        this of the cells it takes, so neither reaches a record as text."""
        if (row, column) in self.formulas_without_value:
            raise CellError(msg("该单元格是公式，但文件中没有保存计算结果；"
                                "请在 Excel 中打开并保存后再导出，或将公式粘贴为数值"))
        error = self.error_values.get((row, column))
        if error is not None:
            raise CellError(msg("该单元格为 Excel 错误值 {error}，请改正公式或填写内容后重新导入",
                                error=error))

    def column(self, letter_or_header: str) -> Column | None:
        wanted = letter_or_header.strip()
        key = header_key(wanted)
        for col in self.columns:
            if col.letter == wanted.upper() or col.header == wanted or (key and key in col.keys):
                return col
        return None


def _open(path: Path) -> Any:
    """The read-only workbook (only once the caps and the sheets were checked on the zip)."""
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it does not read; the values are fine
            warnings.simplefilter("ignore")
            return load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise CellError(msg("无法打开 Excel 文件 {name}：{reason}", name=path.name,
                            reason=str(exc))) from exc


def sheet_list(path: Path | str, limits: xg.Limits | None = None) -> list[xg.SheetInfo]:
    """The workbook's sheets with their visibility (hidden ones are read only when chosen)."""
    path = Path(path)
    if path.suffix.lower() == ".xls":
        raise CellError(msg("不支持旧版 .xls 文件，请在 Excel 中“另存为” .xlsx 后再导入。"))
    try:
        with xg.open_zip(path, limits or xg.Limits()) as archive:
            return xg.sheets(archive)
    except xg.GuardError as exc:
        raise CellError(exc.args[0]) from None


Merge = tuple[int, int, int, int]  # min_row, min_col, max_row, max_col


def _rows(ws: Any, max_row: int | None = None, max_col: int | None = None) -> list[list[Any]]:
    """The sheet's values, each row `max_col` wide (cells further right not even kept)."""
    ws.reset_dimensions()  # a wrong <dimension> would cut rows short
    return [list(r) for r in ws.iter_rows(max_row=max_row, max_col=max_col, values_only=True)]


def _head(ws: Any) -> list[list[Any]]:
    """The first rows, each up to its last cell holding a value (styled empty cells dropped)."""
    head = _rows(ws, HEADER_SCAN_ROWS)
    for cells in head:
        n = len(cells)
        while n and cells[n - 1] is None:
            n -= 1
        del cells[n:]
    return head


def _merged(grid: list[list[Any]], merges: Iterable[Merge],
            width: int | None = None) -> list[list[Any]]:
    """A merged area's value copied into each of its cells (up to `width` columns)."""
    for r1, c1, r2, c2 in merges:
        if width is not None:
            c2 = min(c2, width)
        if r1 - 1 >= len(grid) or c1 > c2:
            continue
        value = grid[r1 - 1][c1 - 1] if c1 - 1 < len(grid[r1 - 1]) else None
        for r in range(r1, min(r2, len(grid)) + 1):
            row = grid[r - 1]
            row.extend([None] * (c2 - len(row)))
            for c in range(c1, c2 + 1):
                row[c - 1] = value
    return grid


def _score(row: list[Any], words: frozenset[str]) -> int:
    return len({header_key(v) for v in row if v is not None} & words)


def _header_block(row: int, merges: list[Merge], width: int) -> tuple[int, int]:
    """Grow the chosen header row over header cells merged vertically (two-row headers)."""
    inner = [m for m in merges if not (m[1] == 1 and m[3] >= width)]  # not a title row
    top, bottom = row, row
    changed = True
    while changed:
        changed = False
        for r1, _c1, r2, _c2 in inner:
            if r1 <= bottom and r2 >= top and (r1 < top or r2 > bottom):
                top, bottom = min(top, r1), max(bottom, r2)
                changed = True
    # a group title merged across some columns just above ("整改要求" over 措施 | 期限)
    if any(r1 == r2 == top - 1 and c2 > c1 for r1, c1, r2, c2 in inner):
        top -= 1
    return top, bottom


def read_table(path: Path | str, *, words: Iterable[str], sheet: str | None = None,
               limits: xg.Limits | None = None) -> Table:
    """The table of a sheet: its header found among the first rows by the `words` it contains.

    Without `sheet`, the visible sheet whose header matches the most words is used; hidden
    sheets are read only when named. The size of the file once inflated and the rows of each
    sheet considered are checked against `limits` before openpyxl parses anything.
    """
    path = Path(path)
    limits = limits or xg.Limits()
    vocab = frozenset(header_key(w) for w in words)
    if path.suffix.lower() == ".xls":
        raise CellError(msg("不支持旧版 .xls 文件，请在 Excel 中“另存为” .xlsx 后再导入。"))
    try:
        with xg.open_zip(path, limits) as archive:
            infos = xg.sheets(archive)
            by_name = {i.name: i for i in infos}
            if sheet is not None and sheet not in by_name:
                shown = [i.name + ("（隐藏）" if i.hidden else "") for i in infos]
                raise CellError(msg("工作簿中没有名为“{sheet}”的工作表（有：{sheets}）", sheet=sheet,
                                    sheets=Series(shown)))
            candidates = [by_name[sheet]] if sheet else [i for i in infos if not i.hidden]
            # the encoding, the row cap, merges, hidden rows, formulas and error values
            scans = {i.name: xg.scan(archive, i, max_rows=limits.max_rows) for i in candidates}
    except xg.GuardError as exc:
        raise CellError(exc.args[0]) from None
    hidden = tuple(i.name for i in infos if i.hidden and i.name != sheet)
    wb = _open(path)
    try:
        return _read(path, wb, vocab, scans, sheet, hidden)
    finally:
        wb.close()


def _read(path: Path, wb: Any, vocab: frozenset[str], scans: dict[str, xg.Scan],
          sheet: str | None, hidden: tuple[str, ...]) -> Table:
    best: tuple[int, str, int, xg.Scan] | None = None
    heads: dict[str, list[list[Any]]] = {}
    for name, found in scans.items():
        if name not in wb.sheetnames:
            continue
        head = heads[name] = _merged(_head(wb[name]), found.merges)
        for i, cells in enumerate(head):
            score = _score(cells, vocab)
            if score and (best is None or score > best[0]):
                best = (score, name, i + 1, found)
    if best is None:
        where = msg("工作表“{sheet}”", sheet=sheet) if sheet else msg("任何工作表")
        problem = msg("在{where}的前 {n} 行中找不到可识别的表头。", where=where, n=HEADER_SCAN_ROWS)
        if hidden and not sheet:
            problem = msg("{problem}隐藏的工作表未读取（{sheets}）；如需导入，请指定工作表。",
                          problem=problem, sheets=Series(hidden))
        raise CellError(problem)
    _, name, header_row, found = best
    head = heads.pop(name)
    heads.clear()
    merges = list(found.merges)
    top, bottom = _header_block(header_row, merges, max((len(r) for r in head), default=0))
    columns = []
    for c in range(max((len(head[r - 1]) for r in range(top, bottom + 1) if r <= len(head)),
                       default=0)):
        parts: list[str] = []
        for r in range(top, min(bottom, len(head)) + 1):
            cell = head[r - 1][c] if c < len(head[r - 1]) else None
            shown = text(cell)
            if shown and shown not in parts:
                parts.append(shown)
        if not parts:
            continue
        keys = tuple(dict.fromkeys([header_key(p) for p in parts] + [header_key("".join(parts))]))
        columns.append(Column(c, column_letter(c + 1), " / ".join(parts), keys))
    width = columns[-1].index + 1  # the header's last column: nothing further right is mapped
    if width > MAX_COLUMNS:
        raise CellError(msg("工作表“{sheet}”的表头有 {n} 列（到 {letter} 列），超过上限 {limit} 列，"
                            "未读取。请删除多余的列后重新导入。", sheet=name, n=width,
                            letter=column_letter(width), limit=MAX_COLUMNS))
    del head
    grid = _merged(_rows(wb[name], max_col=width), merges, width)
    rows = []
    for r in range(bottom + 1, len(grid) + 1):
        cells = grid[r - 1]
        if len(cells) < width:
            cells += [None] * (width - len(cells))
        if any(v is not None and text(v) for v in cells):
            rows.append(Row(r, tuple(cells)))
        grid[r - 1] = []  # the row lives on in `rows` only
    formulas = frozenset(cell for cell in found.formulas_without_value if cell[0] > bottom)
    errors = {cell: shown for cell, shown in found.error_values.items()
              if cell[0] > bottom and cell[1] <= width}
    hidden_rows = tuple(row.number for row in rows if row.number in found.hidden_rows) \
        if found.hidden_rows else ()
    return Table(path.name, name, (top, bottom), tuple(columns), tuple(rows), wb.epoch,
                 hidden, formulas, hidden_rows, errors)
