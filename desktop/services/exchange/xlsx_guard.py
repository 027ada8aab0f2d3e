"""Looking at an .xlsx before openpyxl parses it: size and row caps, sheets and their states.

An .xlsx is a zip. Its central directory states every member's uncompressed size, and
`zipfile` never inflates a member beyond the size stated there, so the sum of those sizes
bounds the work of reading the file: a "zip bomb" (a few MB inflating to hundreds) is refused
from the directory alone, before any XML is read. The chosen sheet's XML is then scanned as
raw bytes — `<row>` tags counted against the row cap, `<mergeCell>` ranges collected (openpyxl's
read-only mode does not report them), and cells holding a formula without a saved result found.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass
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
                             reason=msg("不是有效的 .xlsx 文件（{detail}）", detail=str(exc)))) \
            from None
    total = sum(info.file_size for info in archive.infolist())
    if total > limits.max_mb * 1024 * 1024:
        archive.close()
        raise GuardError(msg(
            "文件 {name} 解压后约 {size} MB，超过导入上限 {limit} MB，未读取。"
            "请拆分为较小的文件，或由管理员在设置中调高上限。",
            name=path.name, size=round(total / 1024 / 1024), limit=limits.max_mb))
    return archive


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
    rows, merges, formulas = 0, [], False
    with archive.open(sheet.member) as fh:
        tail = b""
        while True:
            data = fh.read(_CHUNK)
            buf = tail + data
            end = len(buf) if not data else max(len(buf) - _OVERLAP, 0)
            rows += sum(1 for m in _ROW.finditer(buf) if m.start() < end)
            if rows > max_rows:
                raise GuardError(msg(
                    "工作表“{sheet}”超过 {limit} 行，超过导入上限，未读取。"
                    "请拆分为较小的文件，或由管理员在设置中调高上限。",
                    sheet=sheet.name, limit=max_rows))
            merges += [m.groups() for m in _MERGE.finditer(buf) if m.start() < end]
            formulas = formulas or any(m.start() < end for m in _FORMULA.finditer(buf))
            if not data:
                break
            tail = buf[end:]
    ranges = tuple(_range(a.decode(), b.decode()) for a, b in merges)
    missing = _formulas_without_value(archive, sheet) if formulas else frozenset()
    return Scan(rows, ranges, missing)


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


def _formulas_without_value(archive: zipfile.ZipFile, sheet: SheetInfo,
                            ) -> frozenset[tuple[int, int]]:
    """Cells with a formula (`<f>`) but no saved result: no `<v>`, or an empty one on a cell
    not typed as text (an empty `<v>` of a `t="str"` cell is a saved empty result)."""
    found = set()
    with archive.open(sheet.member) as fh:
        for _event, el in ET.iterparse(fh, events=("end",)):
            name = _local(el.tag)
            if name == "c":
                kids = {_local(k.tag): k for k in el}
                value = kids.get("v")
                if "f" in kids and (value is None or not value.text and el.get("t") != "str"):
                    found.add(_cell(el.get("r", "")))
            elif name == "row":
                el.clear()
    return frozenset(found)


MAX_PROBLEMS = 20  # a file's problems shown at once; the rest are counted


def problem_list(lines: list[str]) -> str:
    """A file's problems as one message lists them: the first MAX_PROBLEMS, then how many more."""
    shown = lines[:MAX_PROBLEMS]
    more = len(lines) - len(shown)
    return "\n".join([*shown, *([msg("……另有 {n} 处问题", n=more)] if more else [])])
