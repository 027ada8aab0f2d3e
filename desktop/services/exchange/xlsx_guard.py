"""Looking at an .xlsx before openpyxl parses it: size and row caps, sheets and their states.

An .xlsx is a zip. Its central directory states every member's uncompressed size, and
`zipfile` never inflates a member beyond the size stated there, so the sum of those sizes
bounds the work of reading the file: a "zip bomb" (a few MB inflating to hundreds) is refused
from the directory alone, before any XML is read. The chosen sheet's XML is then scanned as
raw bytes — `<row>` tags counted against the row cap, `<mergeCell>` ranges collected (openpyxl's
read-only mode does not report them), hidden rows noted, and cells holding a formula without a
saved result or an Excel error value (#DIV/0!, #N/A…) found. A sheet not encoded in UTF-8 (as
Excel, WPS and LibreOffice always write) is refused: its tags could not be counted as bytes.
A file that is not a zip at all is told apart when it is an OLE2 compound file: a workbook
protected by a password to open, or an old .xls renamed.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree as ET

from desktop.messages import msg

DEFAULT_MAX_MB = 200
DEFAULT_MAX_ROWS = 200_000
_CHUNK = 1 << 20
_OVERLAP = 1024  # longer than any tag matched below
_ROW = re.compile(rb"<(?:[\w.-]+:)?row[\s>/]")
_MERGE = re.compile(rb"<(?:[\w.-]+:)?mergeCell\s[^>]*?ref=\"([A-Za-z]+\d+):([A-Za-z]+\d+)\"")
_FORMULA = re.compile(rb"<(?:[\w.-]+:)?f[\s>/]")
_ERROR = re.compile(rb"\st=[\"']e[\"']")  # a cell typed as an error; checked by parsing
_HIDDEN_ROW = re.compile(rb"<(?:[\w.-]+:)?row\s[^>]*?\bhidden=[\"'](?:1|true)[\"'][^>]*>")
_ROW_NUMBER = re.compile(rb"\sr=[\"'](\d+)[\"']")
_DECLARED = re.compile(rb"^\s*<\?xml[^>]*?\bencoding=[\"']([^\"']*)[\"']")
_UTF8 = {"utf-8", "utf8", "us-ascii", "ascii"}
OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")  # a compound file: encrypted workbook or .xls
_REF = re.compile(r"([A-Za-z]+)(\d+)")


class GuardError(ValueError):
    """The file is refused before parsing; the message is Chinese."""


@dataclass(frozen=True)
class Limits:
    max_mb: int = DEFAULT_MAX_MB
    max_rows: int = DEFAULT_MAX_ROWS


@dataclass(frozen=True)
class SheetInfo:
    name: str
    hidden: bool  # "hidden" or "veryHidden" in the workbook
    member: str  # the sheet's XML inside the zip


@dataclass(frozen=True)
class Scan:
    rows: int
    merges: tuple[tuple[int, int, int, int], ...]  # min_row, min_col, max_row, max_col (1-based)
    formulas_without_value: frozenset[tuple[int, int]]  # (row, col), 1-based
    hidden_rows: frozenset[int] = frozenset()  # row numbers marked hidden
    error_values: dict[tuple[int, int], str] = field(default_factory=dict, hash=False)
    # (row, col) → the Excel error a cell holds (#DIV/0!, #N/A…): t="e"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _attr(el: ET.Element, name: str) -> str | None:
    for key, value in el.attrib.items():
        if _local(key) == name:
            return value
    return None


def open_zip(path: Path, limits: Limits) -> zipfile.ZipFile:
    """The workbook's zip, refused when its members would inflate beyond the size cap."""
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise GuardError(msg("找不到文件：{path}", path=path)) from None
    except (zipfile.BadZipFile, OSError) as exc:
        raise GuardError(msg("无法打开 Excel 文件 {name}：{reason}", name=path.name,
                             reason=_not_a_zip(path, exc))) from None
    total = sum(info.file_size for info in archive.infolist())
    if total > limits.max_mb * 1024 * 1024:
        archive.close()
        raise GuardError(msg(
            "文件 {name} 解压后约 {size} MB，超过导入上限 {limit} MB，未读取。"
            "请拆分为较小的文件，或由管理员在设置中调高上限。",
            name=path.name, size=round(total / 1024 / 1024), limit=limits.max_mb))
    return archive


def _not_a_zip(path: Path, exc: zipfile.BadZipFile | OSError) -> str:
    """Why a file is no .xlsx, in Chinese (zipfile's and the system's words are English)."""
    if isinstance(exc, IsADirectoryError):
        return msg("这是一个文件夹，不是文件")
    if isinstance(exc, PermissionError):
        return msg("没有读取该文件的权限")
    try:
        with open(path, "rb") as fh:
            head = fh.read(len(OLE2_MAGIC))
    except OSError:
        head = b""
    if head == OLE2_MAGIC:
        return msg("该文件设置了打开密码，或是旧版 .xls 格式（改成了 .xlsx 扩展名），无法读取。"
                   "请在 Excel 或 WPS 中打开，取消密码后“另存为”不加密的 .xlsx 文件再导入")
    if isinstance(exc, zipfile.BadZipFile):
        return msg("不是有效的 .xlsx 文件（文件已损坏，或是其他格式的文件改成了 .xlsx 扩展名）")
    return msg("读取文件时出错（{detail}）", detail=exc.strerror or type(exc).__name__)


def _xml(archive: zipfile.ZipFile, member: str) -> ET.Element:
    try:
        return ET.fromstring(archive.read(member))
    except (KeyError, ET.ParseError) as exc:
        raise GuardError(msg("工作簿结构损坏（{member}：{reason}）", member=member,
                             reason=str(exc))) from None


def _targets(archive: zipfile.ZipFile, rels_member: str, base: str) -> dict[str, tuple[str, str]]:
    """Relationship id → (type, member path) of one .rels file."""
    if rels_member not in archive.namelist():
        return {}
    out = {}
    for rel in _xml(archive, rels_member):
        target = rel.get("Target", "")
        member = target.lstrip("/") if target.startswith("/") else \
            posixpath.normpath(posixpath.join(base, target))
        out[rel.get("Id", "")] = (rel.get("Type", ""), member)
    return out


def sheets(archive: zipfile.ZipFile) -> list[SheetInfo]:
    """The workbook's sheets in their order, with their visibility."""
    office = next((m for t, m in _targets(archive, "_rels/.rels", "").values()
                   if t.endswith("/officeDocument")), "xl/workbook.xml")
    folder, name = posixpath.split(office)
    rels = _targets(archive, posixpath.join(folder, "_rels", name + ".rels"), folder)
    out = []
    for el in _xml(archive, office).iter():
        if _local(el.tag) != "sheet":
            continue
        rel = _attr(el, "id") or ""
        if rel not in rels:
            continue  # a chart sheet or a dangling entry: nothing to import from it
        out.append(SheetInfo(el.get("name", ""), el.get("state", "visible") != "visible",
                             rels[rel][1]))
    return out


def scan(archive: zipfile.ZipFile, sheet: SheetInfo, *, max_rows: int) -> Scan:
    """Rows counted (refused past `max_rows`), merges and formula cells without a value."""
    try:
        return _scan(archive, sheet, max_rows)
    except (KeyError, zipfile.BadZipFile, zlib.error, EOFError, ET.ParseError) as exc:
        raise GuardError(msg("工作簿结构损坏（{member}：{reason}）", member=sheet.member,
                             reason=str(exc))) from None


def _scan(archive: zipfile.ZipFile, sheet: SheetInfo, max_rows: int) -> Scan:
    rows, merges, formulas, errors = 0, [], False, False
    hidden: set[int] = set()
    with archive.open(sheet.member) as fh:
        tail = b""
        first = True
        while True:
            data = fh.read(_CHUNK)
            if first:
                _check_encoding(data, sheet)
                first = False
            buf = tail + data
            end = len(buf) if not data else max(len(buf) - _OVERLAP, 0)
            before = rows
            rows += sum(1 for m in _ROW.finditer(buf) if m.start() < end)
            if rows > max_rows:
                raise GuardError(msg(
                    "工作表“{sheet}”超过 {limit} 行，超过导入上限，未读取。"
                    "请拆分为较小的文件，或由管理员在设置中调高上限。",
                    sheet=sheet.name, limit=max_rows))
            merges += [m.groups() for m in _MERGE.finditer(buf) if m.start() < end]
            formulas = formulas or any(m.start() < end for m in _FORMULA.finditer(buf))
            # plain searches first: most sheets have neither, and a regex scan costs more
            errors = errors or ((b"t=\"e\"" in buf or b"t='e'" in buf)
                                and any(m.start() < end for m in _ERROR.finditer(buf)))
            for m in _HIDDEN_ROW.finditer(buf) if b"hidden" in buf else ():
                if m.start() < end:
                    number = _ROW_NUMBER.search(m[0])
                    hidden.add(int(number[1]) if number else
                               before + sum(1 for _ in _ROW.finditer(buf, 0, m.start())) + 1)
            if not data:
                break
            tail = buf[end:]
    ranges = tuple(_range(a.decode(), b.decode()) for a, b in merges)
    missing, wrong = _noted_cells(archive, sheet) if formulas or errors else (frozenset(), {})
    return Scan(rows, ranges, missing, frozenset(hidden), wrong)


def _check_encoding(head: bytes, sheet: SheetInfo) -> None:
    """Refuse a sheet not in UTF-8: `<row` could not be counted in its bytes (UTF-16 has NULs)."""
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    found = None
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in head[:4]:
        found = "UTF-16" if head[:4] not in (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff") else "UTF-32"
    else:
        declared = _DECLARED.match(head[:200])
        if declared and declared[1].decode("ascii", "replace").strip().lower() not in _UTF8:
            found = declared[1].decode("ascii", "replace")
    if found is not None:
        raise GuardError(msg(
            "工作表“{sheet}”的内容不是 UTF-8 编码（{encoding}），Excel、WPS 和 LibreOffice "
            "保存的文件不会这样，未读取。请在 Excel 或 WPS 中打开并“另存为” .xlsx 后再导入。",
            sheet=sheet.name, encoding=found))


def column_index(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def _cell(ref: str) -> tuple[int, int]:
    m = _REF.fullmatch(ref)
    if m is None:
        return 0, 0
    return int(m[2]), column_index(m[1])


def _range(a: str, b: str) -> tuple[int, int, int, int]:
    (r1, c1), (r2, c2) = _cell(a), _cell(b)
    return min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)


def _noted_cells(archive: zipfile.ZipFile, sheet: SheetInfo,
                 ) -> tuple[frozenset[tuple[int, int]], dict[tuple[int, int], str]]:
    """Cells with a formula (`<f>`) but no saved result — no `<v>`, or an empty one on a cell
    not typed as text (an empty `<v>` of a `t="str"` cell is a saved empty result) — and cells
    typed as an Excel error (`t="e"`: #DIV/0!, #N/A, #REF!…) with the error they show."""
    found = set()
    errors = {}
    row = col = 0  # where a row or cell without its `r` attribute lies: after the previous one
    with archive.open(sheet.member) as fh:
        for event, el in ET.iterparse(fh, events=("start", "end")):
            name = _local(el.tag)
            if event == "start":
                if name == "row":
                    number = el.get("r", "")
                    row, col = int(number) if number.isdigit() else row + 1, 0
                continue
            if name == "c":
                ref = _cell(el.get("r", ""))
                where = ref if ref[0] else (row, col + 1)
                col = where[1]
                kids = {_local(k.tag): k for k in el}
                value = kids.get("v")
                shown = (value.text or "").strip() if value is not None else ""
                if el.get("t") == "e" and shown:
                    errors[where] = shown
                elif "f" in kids and (value is None or not value.text and el.get("t") != "str"):
                    found.add(where)
            elif name == "row":
                el.clear()
    return frozenset(found), errors


MAX_PROBLEMS = 20  # a file's problems shown at once; the rest are counted


def problem_list(lines: list[str]) -> str:
    """A file's problems as one message lists them: the first MAX_PROBLEMS, then how many more."""
    shown = lines[:MAX_PROBLEMS]
    more = len(lines) - len(shown)
    return "\n".join([*shown, *([msg("……另有 {n} 处问题", n=more)] if more else [])])
