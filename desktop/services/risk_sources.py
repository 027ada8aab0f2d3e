"""Risk-source register per project: edit, starter-list and Excel import, L1/L2 verification coverage (N-04)."""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop import clock
from desktop.models import Catalogue, CatalogueItem, RiskSource
from desktop.services import audit, obligations, permissions
from desktop.services.context import Actor, NotFound, ValidationError, get_live, msg
from desktop.services.periods import Period
from desktop.services.projects import check_version
from desktop.services.projects import load as load_project

LIMITS = {"name": 200, "category": 50, "location": 200, "stage": 50, "measures": 4000}
HEADER_SCAN_ROWS = 15
# header keywords per field, most specific field first: "风险源等级" is a level, not a name
HEADER_KEYWORDS = (
    ("level", ("等级", "级别", "分级")),
    ("measures", ("措施",)),
    ("category", ("类别", "分类", "类型", "专业")),
    ("location", ("部位", "位置", "区域", "场所")),
    ("stage", ("阶段",)),
    ("name", ("名称", "风险源", "危险源", "风险点", "风险因素", "风险描述")),
)
LEVEL_WORDS = {
    "1": 1, "2": 2, "3": 3, "4": 4, "一": 1, "二": 2, "三": 3, "四": 4,
    "Ⅰ": 1, "Ⅱ": 2, "Ⅲ": 3, "Ⅳ": 4, "I": 1, "II": 2, "III": 3, "IV": 4,
    "重大": 1, "较大": 2, "一般": 3, "低": 4, "红": 1, "橙": 2, "黄": 3, "蓝": 4,
}


@dataclass(frozen=True)
class SourceForm:
    name: str
    level: int
    category: str = ""
    location: str = ""
    stage: str = ""
    measures: str = ""
    catalogue_item_id: int | None = None


@dataclass(frozen=True)
class SourceRow:
    id: int
    project_id: int
    name: str
    category: str
    location: str
    stage: str
    level: int
    measures: str
    active: bool
    catalogue_item_id: int | None
    version: int


@dataclass(frozen=True)
class RowError:
    row: int
    message: str


@dataclass(frozen=True)
class ImportResult:
    source: str  # file name or catalogue code
    official: bool
    rows_read: int
    created: int
    skipped_rows: tuple[int, ...]  # already in the register
    errors: tuple[RowError, ...]
    dry_run: bool
    preview: tuple[SourceForm, ...] = ()
    columns: tuple[tuple[str, str], ...] = ()  # (field, header text found)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class SourceRef:
    id: int
    name: str
    level: int
    location: str


@dataclass(frozen=True)
class Coverage:
    project_id: int
    period: str
    total: int
    verified: int
    unverified: tuple[SourceRef, ...]

    @property
    def percent(self) -> float | None:
        return None if self.total == 0 else round(100.0 * self.verified / self.total, 1)

    @property
    def complete(self) -> bool:
        return self.verified == self.total


def _row(s: RiskSource) -> SourceRow:
    return SourceRow(s.id, s.project_id, s.name, s.category, s.location, s.stage, s.level,
                     s.measures, s.active, s.catalogue_item_id, s.version)


def _clean(form: SourceForm) -> tuple[SourceForm, dict[str, str]]:
    values = {f.name: getattr(form, f.name) for f in fields(form)}
    for key in LIMITS:
        values[key] = " ".join(str(values[key] or "").split()) if key != "measures" \
            else str(values[key] or "").strip()
    errors: dict[str, str] = {}
    if not values["name"]:
        errors["name"] = msg("请填写风险源名称")
    if values["level"] not in (1, 2, 3, 4):
        errors["level"] = msg("风险等级须为一至四级")
    labels = {"name": msg("风险源名称"), "category": msg("类别"), "location": msg("部位"),
              "stage": msg("施工阶段"), "measures": msg("防范措施")}
    for key, limit in LIMITS.items():
        if len(values[key]) > limit:
            errors[key] = msg("{field}不超过 {limit} 字", field=labels[key], limit=limit)
    return SourceForm(**values), errors


def _key(name: str, category: str, location: str) -> tuple[str, str, str]:
    return (name, category, location)


def _existing_keys(session: Session, project_id: int, *,
                   except_id: int | None = None) -> set[tuple[str, str, str]]:
    return {_key(*r) for r in session.execute(select(
        RiskSource.name, RiskSource.category, RiskSource.location).where(
        RiskSource.project_id == project_id, RiskSource.active.is_(True),
        RiskSource.deleted_at.is_(None), RiskSource.id != (except_id or 0))).all()}


def add(session: Session, actor: Actor, project_id: int, form: SourceForm) -> SourceRow:
    permissions.require(actor, "risk_source.edit")
    load_project(session, project_id)
    form, errors = _clean(form)
    if not errors and _key(form.name, form.category, form.location) in _existing_keys(session, project_id):
        errors["name"] = msg("该项目已登记同名、同类别、同部位的风险源")
    if errors:
        raise ValidationError(errors)
    # stamped by the agency clock (a day's work recorded later with the clock pinned to it is
    # dated that day): which sources a project had on a past day is read from it (obligations.existed_by)
    source = RiskSource(project_id=project_id, created_at=clock.utc_now(), **form.__dict__)
    session.add(source)
    audit.record_create(session, actor, source)
    return _row(source)


def _load(session: Session, source_id: int) -> RiskSource:
    return get_live(session, RiskSource, source_id, msg("风险源不存在或已删除。"))


def update(session: Session, actor: Actor, source_id: int, form: SourceForm, *,
           expected_version: int) -> SourceRow:
    permissions.require(actor, "risk_source.edit")
    source = _load(session, source_id)
    check_version(source, expected_version, msg("风险源"))
    form, errors = _clean(form)
    if not errors and _key(form.name, form.category, form.location) in _existing_keys(
            session, source.project_id, except_id=source.id):
        errors["name"] = msg("该项目已登记同名、同类别、同部位的风险源")
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(source)
    for key, value in form.__dict__.items():
        setattr(source, key, value)
    audit.record_update(session, actor, source, before)
    return _row(source)


def set_active(session: Session, actor: Actor, source_id: int, active: bool, *,
               expected_version: int, reason: str = "") -> SourceRow:
    """Deactivate a source no longer on site (it leaves the N-04 count) or bring it back."""
    permissions.require(actor, "risk_source.edit")
    source = _load(session, source_id)
    check_version(source, expected_version, msg("风险源"))
    if not active and not reason.strip():
        raise ValidationError({"reason": msg("请说明停用原因（如该分部分项工程已完成）")})
    before = audit.snapshot(source)
    source.active = active
    audit.record_update(session, actor, source, before, action="activate" if active else "deactivate",
                        note=reason.strip())
    return _row(source)


def deactivate(session: Session, actor: Actor, source_id: int, *, expected_version: int,
               reason: str) -> SourceRow:
    return set_active(session, actor, source_id, False, expected_version=expected_version, reason=reason)


def list_for_project(session: Session, project_id: int, *, include_inactive: bool = False) -> list[SourceRow]:
    stmt = select(RiskSource).where(RiskSource.project_id == project_id, RiskSource.deleted_at.is_(None))
    if not include_inactive:
        stmt = stmt.where(RiskSource.active.is_(True))
    return [_row(s) for s in session.execute(
        stmt.order_by(RiskSource.level, RiskSource.category, RiskSource.id)).scalars()]


def _write(session: Session, actor: Actor, project_id: int, forms: list[SourceForm], *,
           source: str) -> int:
    if not forms:
        return 0
    stamp = clock.utc_now()  # the agency clock, as in `add`
    rows = [RiskSource(project_id=project_id, created_at=stamp, **f.__dict__) for f in forms]
    session.add_all(rows)
    session.flush()
    audit.record(session, actor, action="import", entity="risk_sources", entity_id=None,
                 after={"project_id": project_id, "source": source, "ids": [r.id for r in rows]},
                 note=f"导入风险源 {len(rows)} 项")
    return len(rows)


def import_catalogue(session: Session, actor: Actor, project_id: int, *,
                     catalogue_code: str | None = None, item_codes: tuple[str, ...] = (),
                     dry_run: bool = False) -> ImportResult:
    """Copy risk-source catalogue items (the official table once loaded, else the starter list)
    into the project's register; items already there are skipped."""
    permissions.require(actor, "risk_source.edit")
    load_project(session, project_id)
    stmt = select(Catalogue).where(Catalogue.kind == "risk_source")
    stmt = stmt.where(Catalogue.code == catalogue_code) if catalogue_code else stmt.order_by(
        Catalogue.official.desc(), Catalogue.issued.desc().nulls_last(), Catalogue.id.desc())
    catalogue = session.execute(stmt.limit(1)).scalar_one_or_none()
    if catalogue is None:
        raise NotFound(msg("尚未载入风险源清单，请先导入官方表格或载入自带的起步清单。"))
    items_stmt = select(CatalogueItem).where(CatalogueItem.catalogue_id == catalogue.id)
    if item_codes:
        items_stmt = items_stmt.where(CatalogueItem.code.in_(item_codes))
    existing = _existing_keys(session, project_id)
    linked = set(session.execute(select(RiskSource.catalogue_item_id).where(
        RiskSource.project_id == project_id, RiskSource.deleted_at.is_(None))).scalars())
    forms, skipped, read = [], [], 0
    for item in session.execute(items_stmt.order_by(CatalogueItem.seq)).scalars():
        read += 1
        form, _ = _clean(SourceForm(name=item.text[:LIMITS["name"]], level=item.default_level or 3,
                                    category=item.category[:LIMITS["category"]],
                                    measures="\n".join(item.sub_items or ()), catalogue_item_id=item.id))
        if item.id in linked or _key(form.name, form.category, form.location) in existing:
            skipped.append(item.seq)
            continue
        forms.append(form)
    created = 0 if dry_run else _write(session, actor, project_id, forms, source=catalogue.code)
    return ImportResult(catalogue.code, catalogue.official, read, created, tuple(skipped), (),
                        dry_run, tuple(forms))


def _norm_header(value: object) -> str:
    text = re.sub(r"[（(][^）)]*[）)]", "", str(value or ""))
    return re.sub(r"[\s*：:]", "", text)


def _match_columns(cells: tuple[Any, ...]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        header = _norm_header(cell)
        if not header or header in ("序号", "编号"):
            continue
        for field_name, words in HEADER_KEYWORDS:
            if field_name not in found and any(w in header for w in words):
                found[field_name] = index
                break
    return found


def parse_level(value: object) -> int | None:
    """1–4 from 1, 1.0, 一级, Ⅰ级, I级, 重大风险, 红色 …; None when unreadable."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return int(value) if float(value) in (1.0, 2.0, 3.0, 4.0) else None
    text = re.sub(r"[\s级色风险()（）]", "", str(value or "")).upper()
    if text in LEVEL_WORDS:
        return LEVEL_WORDS[text]
    match = re.match(r"(IV|III|II|I|[1-4一二三四ⅠⅡⅢⅣ]|重大|较大|一般|低|红|橙|黄|蓝)", text)
    return LEVEL_WORDS[match.group(1)] if match else None


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value)


@dataclass(frozen=True)
class SheetData:
    title: str
    header_row: int
    columns: dict[str, int]  # field -> column index (0-based)
    headers: dict[str, str]  # field -> header text as found
    rows: list[tuple[int, tuple[Any, ...]]]  # (Excel row number, cell values)


def read_xlsx(path: Path) -> SheetData:
    """Find the first sheet with a recognisable header row within the first rows."""
    from openpyxl import load_workbook

    if Path(path).suffix.lower() not in (".xlsx", ".xlsm"):
        raise ValidationError(
            {"path": msg("仅支持 .xlsx 格式的表格，请在 Excel 中另存为 .xlsx 后导入")})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # styles or data validation openpyxl cannot read
            book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a bad file
        raise ValidationError({"path": msg("无法读取 Excel 文件 {name}：{reason}",
                                           name=Path(path).name, reason=str(exc))}) from exc
    try:
        for sheet in book.worksheets:
            rows = list(sheet.iter_rows(values_only=True))
            for n, cells in enumerate(rows[:HEADER_SCAN_ROWS], start=1):
                columns = _match_columns(cells)
                if "name" in columns and "level" in columns:
                    return SheetData(sheet.title, n, columns,
                                     {f: str(cells[i]).strip() for f, i in columns.items()},
                                     [(n + k, r) for k, r in enumerate(rows[n:], 1)])
    finally:
        book.close()
    raise ValidationError({"path": msg("未找到表头：须在前 {n} 行内含“风险源名称”和“风险等级”两列",
                                       n=HEADER_SCAN_ROWS)})


def import_xlsx(session: Session, actor: Actor, project_id: int, path: Path | str, *,
                dry_run: bool) -> ImportResult:
    """Import the official table (风险源名称/类别/部位/等级/防范措施): all rows or none."""
    permissions.require(actor, "risk_source.edit")
    load_project(session, project_id)
    path = Path(path)
    sheet = read_xlsx(path)
    columns = sheet.columns
    existing = _existing_keys(session, project_id)
    errors: list[RowError] = []
    forms: list[SourceForm] = []
    skipped: list[int] = []
    seen: dict[tuple[str, str, str], int] = {}
    category = ""
    read = 0
    for number, cells in sheet.rows:
        values = {f: _cell_text(cells[i]) if i < len(cells) else "" for f, i in columns.items()}
        if not any(v.strip() for v in values.values()):
            continue
        read += 1
        # merged category cells read as empty below their first row: carry the category down
        category = values.get("category", "").strip() or category
        level = parse_level(cells[columns["level"]] if columns["level"] < len(cells) else None)
        form, problems = _clean(SourceForm(
            name=values["name"], level=level or 0, category=category,
            location=values.get("location", ""), stage=values.get("stage", ""),
            measures=values.get("measures", "")))
        if level is None:
            raw = values["level"].strip()
            problems["level"] = msg("风险等级“{raw}”无法识别（应为 1–4、一级–四级）", raw=raw) if raw \
                else msg("风险等级为空")
        if not problems:
            key = _key(form.name, form.category, form.location)
            if key in seen:
                problems["name"] = msg("与第 {row} 行重复", row=seen[key])
            seen.setdefault(key, number)
            if key in existing:
                skipped.append(number)
                continue
        if problems:
            errors.extend(RowError(number, msg("第 {row} 行：{problem}", row=number, problem=m))
                          for m in problems.values())
        else:
            forms.append(form)
    if read == 0:
        errors.append(RowError(sheet.header_row, msg("表头（第 {row} 行）之下没有数据",
                                                     row=sheet.header_row)))
    created = 0
    if not errors and not dry_run:
        created = _write(session, actor, project_id, forms, source=f"{path.name}#{sheet.title}")
    return ImportResult(path.name, False, read, created, tuple(skipped), tuple(errors), dry_run,
                        tuple(forms), tuple(sheet.headers.items()))


def coverage_for(session: Session, period: Period, project_ids: list[int]) -> dict[int, Coverage]:
    """L1/L2 sources verified in a full-coverage inspection within the period, per project."""
    data = obligations.risk_source_verification(session, period, project_ids)
    all_ids = [sid for ids, _ in data.values() for sid in ids]
    refs = {s.id: SourceRef(s.id, s.name, s.level, s.location) for s in session.execute(
        select(RiskSource).where(RiskSource.id.in_(all_ids))).scalars()} if all_ids else {}
    return {pid: Coverage(pid, period.label, len(ids), len(set(ids) & verified),
                          tuple(refs[i] for i in ids if i not in verified))
            for pid, (ids, verified) in data.items()}


def coverage(session: Session, project_id: int, period: Period) -> Coverage:
    load_project(session, project_id)
    return coverage_for(session, period, [project_id])[project_id]


__all__ = ["Coverage", "ImportResult", "RowError", "SourceForm", "SourceRef", "SourceRow", "add",
           "coverage", "coverage_for", "deactivate", "import_catalogue", "import_xlsx",
           "list_for_project", "parse_level", "read_xlsx", "set_active", "update"]
