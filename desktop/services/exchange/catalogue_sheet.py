"""A further edition of a catalogue imported from Excel (the official tables are published as
workbooks): one sheet 版本信息 says which edition it is, another holds its items.

The layout is documented in resources/catalogues/README.md. The workbook is looked at before
parsing (`xlsx_guard`: size and row caps), headers are found among the first rows
(`xlsx_normalise.read_table`: merged cells, full-width characters, a title row above), every
bad cell is named by sheet, row and column, and nothing is loaded unless every row is good.
The edition then goes through `catalogues.import_edition_data` like a JSON file: it shows
未核对原文 until an administrator has checked it against the official text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.messages import Series, msg
from desktop.models import Catalogue, CatalogueItem
from desktop.services import catalogues, permissions
from desktop.services.catalogues import KINDS, VERIFICATIONS, CatalogueFileError, LoadResult
from desktop.services.context import Actor
from desktop.services.exchange import xlsx_guard as xg
from desktop.services.exchange import xlsx_normalise as xn

META_SHEETS = ("版本信息", "版本")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")

# field -> the headers it is recognised by (first match wins), as documented
META_COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("代码", "目录代码", "版本代码"),
    "kind": ("类别", "目录类别", "种类"),
    "edition": ("版本", "版次"),
    "title": ("名称", "标准名称", "文件名称"),
    "doc_no": ("文号", "发文字号"),
    "issued": ("发布日期", "印发日期"),
    "in_force": ("施行日期", "实施日期", "生效日期"),
    "official": ("官方文本", "是否官方文本", "官方"),
    "superseded_by": ("被替代", "已被替代", "废止文件"),
}
ITEM_COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("编号", "条目编号", "代码", "序号"),
    "article": ("条款", "条文编号", "条"),
    "text": ("内容", "条文内容", "判定内容", "隐患内容", "风险源名称", "风险源"),
    "category": ("类别", "分类", "工程类别", "风险类别", "分部分项工程"),
    "category_code": ("类别代码", "分类代码"),
    "sub_items": ("子项", "细项"),
    "default_level": ("默认等级", "等级", "风险等级", "隐患等级"),
    "verification": ("核对情况", "核对"),
    "replaces": ("替代", "替代条目", "对应旧版条目"),
}
META_LABELS = {"code": "代码", "kind": "类别", "edition": "版本", "title": "名称", "doc_no": "文号",
               "issued": "发布日期", "in_force": "施行日期", "official": "官方文本", "superseded_by": "被替代"}
ITEM_LABELS = {"code": "编号", "article": "条款", "text": "内容", "category": "类别",
               "category_code": "类别代码", "sub_items": "子项", "default_level": "默认等级",
               "verification": "核对情况", "replaces": "替代"}
LIMITS = {"code": 50, "edition": 30, "title": 200, "doc_no": 100, "superseded_by": 100}
ITEM_LIMITS = {"code": 30, "article": 30, "text": 4000, "category": 100, "category_code": 20}
_KIND_WORDS = {**{label: kind for kind, label in KINDS.items()}, **{kind: kind for kind in KINDS}}
_VERIFICATION_WORDS = {**{label: key for key, label in VERIFICATIONS.items()},
                       **{key: key for key in VERIFICATIONS}, "已核对原文": "verified", "": "verified"}
_SEPARATORS = str.maketrans({"；": "\n", ";": "\n", "、": "\n", "，": "\n", ",": "\n"})


@dataclass
class _Problems:
    """Every bad cell, with where it is; raised together so nothing is loaded."""

    file: str
    lines: list[str]

    def add(self, sheet: str, row: int | None, column: xn.Column | None, label: str, problem: str) -> None:
        if row is None:
            self.lines.append(msg("工作表“{sheet}”：{problem}", sheet=sheet, problem=problem))
        elif column is None:
            self.lines.append(msg("工作表“{sheet}”第 {row} 行：{problem}", sheet=sheet, row=row,
                                  problem=problem))
        else:
            self.lines.append(msg("工作表“{sheet}”第 {row} 行 {col} 列（{label}）：{problem}",
                                  sheet=sheet, row=row, col=column.letter, label=label, problem=problem))

    def raise_any(self) -> None:
        if not self.lines:
            return
        text = xg.problem_list(self.lines)
        raise CatalogueFileError(msg("Excel 文件 {name} 有 {n} 处问题，未导入任何内容：\n{problems}",
                                     name=self.file, n=len(self.lines), problems=text))


def import_file(session: Session, actor: Actor, path: Path | str, *,
                limits: xg.Limits | None = None) -> LoadResult:
    """An administrator's import of a further edition, from JSON or from Excel by its suffix."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".json":
        return catalogues.import_edition(session, actor, path)
    if suffix in EXCEL_SUFFIXES:
        return import_workbook(session, actor, path, limits=limits)
    if suffix == ".xls":
        raise CatalogueFileError(msg("不支持旧版 .xls 文件，请在 Excel 中“另存为” .xlsx 后再导入。"))
    raise CatalogueFileError(msg("标准目录须为 JSON 文件（.json）或 Excel 文件（.xlsx）：{name}",
                                 name=path.name))


def import_workbook(session: Session, actor: Actor, path: Path | str, *,
                    limits: xg.Limits | None = None) -> LoadResult:
    """Read the workbook, check every cell, then load it as a new, unchecked edition."""
    permissions.require(actor, "settings.edit")  # administrators only, before the file is read
    path = Path(path)
    data = read_workbook(session, path, limits=limits)
    return catalogues.import_edition_data(session, actor, data, path.name)


def read_workbook(session: Session, path: Path, *, limits: xg.Limits | None = None) -> dict[str, Any]:
    """The edition as the JSON format holds it (`"format": 1`), or every problem at once."""
    limits = limits or xg.Limits()
    infos = _sheets(path, limits)
    problems = _Problems(path.name, [])
    meta_info = next((i for name in META_SHEETS for i in infos if i.name == name), None)
    if meta_info is None:
        raise CatalogueFileError(msg(
            "Excel 文件 {name} 中没有“版本信息”工作表：请按说明在其中填写代码、类别、版本、名称、"
            "文号、发布日期、施行日期和官方文本。", name=path.name))
    data = _meta(path, meta_info.name, limits, problems)
    table = _items_table(path, [i for i in infos if i.name != meta_info.name and not i.hidden], limits)
    data["items"] = _items(session, table, problems)
    problems.raise_any()
    return data


def _sheets(path: Path, limits: xg.Limits) -> list[xg.SheetInfo]:
    try:
        return xn.sheet_list(path, limits)
    except xn.CellError as exc:
        raise CatalogueFileError(exc.args[0]) from None


def _read(path: Path, sheet: str, words: tuple[str, ...], limits: xg.Limits) -> xn.Table:
    try:
        return xn.read_table(path, words=words, sheet=sheet, limits=limits)
    except xn.CellError as exc:
        raise CatalogueFileError(msg("工作表“{sheet}”：{problem}", sheet=sheet, problem=exc.args[0])) from None


def _columns(table: xn.Table, fields: dict[str, tuple[str, ...]]) -> dict[str, xn.Column]:
    found: dict[str, xn.Column] = {}
    taken: set[int] = set()
    for field, names in fields.items():
        for name in names:
            col = table.column(name)
            if col is not None and col.index not in taken:
                found[field] = col
                taken.add(col.index)
                break
    return found


def _cell(table: xn.Table, row: xn.Row, column: xn.Column | None) -> Any:
    if column is None:
        return None
    table.check_cell(row.number, column.index + 1)  # a formula without a result, an error value
    return row.values[column.index] if column.index < len(row.values) else None


def _meta(path: Path, sheet: str, limits: xg.Limits, problems: _Problems) -> dict[str, Any]:
    table = _read(path, sheet, tuple(w for names in META_COLUMNS.values() for w in names), limits)
    cols = _columns(table, META_COLUMNS)
    missing = [META_LABELS[f] for f in ("code", "kind", "edition", "title", "official") if f not in cols]
    if missing:
        raise CatalogueFileError(msg("工作表“{sheet}”缺少列：{columns}", sheet=sheet, columns=Series(missing)))
    if len(table.rows) != 1:
        raise CatalogueFileError(msg("工作表“{sheet}”应在表头下填写且只填写一行（现有 {n} 行）",
                                     sheet=sheet, n=len(table.rows)))
    row = table.rows[0]
    data: dict[str, Any] = {"format": catalogues.FORMAT, "doc_no": "", "superseded_by": "",
                            "issued": None}

    def read(field: str, parse: Callable[[Any], Any]) -> None:
        try:
            value = parse(_cell(table, row, cols.get(field)))
        except xn.CellError as exc:
            problems.add(sheet, row.number, cols.get(field), META_LABELS[field], exc.args[0])
            return
        if value is not None:
            data[field] = value

    for field in ("code", "edition", "title", "doc_no", "superseded_by"):
        read(field, partial(_text, limit=LIMITS[field], required=field in ("code", "edition", "title")))
    read("kind", _kind)
    read("issued", _iso_date)
    read("in_force", _iso_date)
    read("official", _official)
    return data


def _text(value: Any, limit: int, *, required: bool = False) -> str:
    text = xn.text(value)
    if required and not text:
        raise xn.CellError(msg("不能为空"))
    if len(text) > limit:
        raise xn.CellError(msg("不能超过 {n} 个字符（现有 {count} 个）", n=limit, count=len(text)))
    return text


def _iso_date(value: Any) -> str | None:
    day = xn.parse_date(value)
    return day.isoformat() if day is not None else None


def _kind(value: Any) -> str:
    word = xn.ident(value)
    if word not in _KIND_WORDS:
        raise xn.CellError(msg("类别“{text}”无效，应为：{kinds}", text=xn.text(value) or "（空）",
                               kinds=Series(KINDS.values())))
    return _KIND_WORDS[word]


def _official(value: Any) -> bool:
    answer = xn.parse_bool(value)
    if answer is None:
        raise xn.CellError(msg("应填“是”或“否”：仅对取自发文机关的原文填“是”"))
    return answer


def _items_table(path: Path, candidates: list[xg.SheetInfo], limits: xg.Limits) -> xn.Table:
    """The first visible sheet (other than 版本信息) whose header has 编号 and 内容."""
    words = tuple(w for names in ITEM_COLUMNS.values() for w in names)
    for info in candidates:
        try:
            table = xn.read_table(path, words=words, sheet=info.name, limits=limits)
        except xn.CellError:
            continue
        cols = _columns(table, ITEM_COLUMNS)
        if "code" in cols and "text" in cols:
            return table
    raise CatalogueFileError(msg(
        "Excel 文件 {name} 中找不到条目表：除“版本信息”外，应有一个工作表在前 {n} 行内含“编号”和“内容”两列的表头。",
        name=path.name, n=xn.HEADER_SCAN_ROWS))


def _items(session: Session, table: xn.Table, problems: _Problems) -> list[dict[str, Any]]:
    cols = _columns(table, ITEM_COLUMNS)
    if not table.rows:
        problems.add(table.sheet, None, None, "", msg("表头下没有条目"))
    known = _known_items(session)
    seen: dict[str, int] = {}
    items = []
    for row in table.rows:
        item: dict[str, Any] = {"sub_items": None, "threshold": None}

        def read(field: str, parse: Callable[[Any], Any], row: xn.Row = row,
                 item: dict[str, Any] = item) -> None:
            column = cols.get(field)
            try:
                item[field] = parse(_cell(table, row, column))
            except xn.CellError as exc:
                problems.add(table.sheet, row.number, column, ITEM_LABELS[field], exc.args[0])

        read("code", lambda v: _text(v, ITEM_LIMITS["code"], required=True))
        read("text", _item_text)
        for field in ("article", "category", "category_code"):
            read(field, partial(_text, limit=ITEM_LIMITS[field]))
        read("sub_items", _sub_items)
        read("default_level", xn.parse_level)
        read("verification", _verification)
        read("replaces", lambda v: _replaces(v, known))
        code = item.get("code")
        if code:
            if code in seen:
                problems.add(table.sheet, row.number, cols["code"], ITEM_LABELS["code"],
                             msg("编号 {code} 与第 {row} 行重复", code=code, row=seen[code]))
            seen.setdefault(code, row.number)
        if not item.get("replaces"):
            item.pop("replaces", None)
        items.append(item)
    return items


def _item_text(value: Any) -> str:
    text = xn.multiline(value)
    if not text:
        raise xn.CellError(msg("不能为空"))
    if len(text) > ITEM_LIMITS["text"]:
        raise xn.CellError(msg("不能超过 {n} 个字符（现有 {count} 个）", n=ITEM_LIMITS["text"], count=len(text)))
    return text


def _sub_items(value: Any) -> list[str] | None:
    lines = [line for line in xn.multiline(value).splitlines() if line]
    if any(len(line) > 1000 for line in lines):
        raise xn.CellError(msg("每个子项不能超过 1000 个字符"))
    return lines or None


def _verification(value: Any) -> str:
    word = xn.ident(value)
    if word not in _VERIFICATION_WORDS:
        raise xn.CellError(msg("核对情况“{text}”无效，应为：{words}", text=xn.text(value),
                               words=Series(VERIFICATIONS.values())))
    return _VERIFICATION_WORDS[word]


def _known_items(session: Session) -> set[tuple[str, str]]:
    return {(cat, code) for cat, code in session.execute(
        select(Catalogue.code, CatalogueItem.code).join(CatalogueItem, CatalogueItem.catalogue_id == Catalogue.id))}


def _replaces(value: Any, known: set[tuple[str, str]]) -> list[dict[str, str]]:
    """`major_hazard@2024 05-3；major_hazard@2024 05-4`: the items of loaded editions this one carries on."""
    out = []
    for part in xn.half_width(xn.multiline(value), punctuation=True).translate(_SEPARATORS).splitlines():
        words = part.replace(":", " ").replace("#", " ").split()
        if not words:
            continue
        if len(words) != 2:
            raise xn.CellError(msg("“{text}”应写作“目录代码 条目编号”，如 major_hazard@2024 05-3；多项用分号隔开",
                                   text=part.strip()))
        if (words[0], words[1]) not in known:
            raise xn.CellError(msg("已载入的目录中没有 {catalogue} 的条目 {code}", catalogue=words[0], code=words[1]))
        out.append({"catalogue": words[0], "code": words[1]})
    return out
