"""Export the register view on screen (its filter and sort) to XLSX, rows read in windows of ids.

The ids come first in display order (an index scan, 8 bytes a row); the rows follow a window
at a time while the register writer (reports/xlsx_stream) streams them into the workbook, so
memory stays flat however long the list.
"""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import overload

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from desktop.models import Hazard, Organisation, Project
from desktop.models.enums import HazardStatus
from desktop.reports.data import DocMeta, RegisterData, RegisterLine
from desktop.reports.registers import build_hazard_register_xlsx
from desktop.services import permissions
from desktop.services.context import Actor, Cancelled, ValidationError, msg, now
from desktop.services.hazards import is_overdue
from desktop.services.queries import register
from desktop.services.queries.doc_data import agency_info, org_names
from desktop.services.queries.register import RegisterFilter
from desktop.vocabulary import HAZARD_LEVEL_LABELS

WINDOW = 2000  # rows fetched per query while writing
MAX_ROWS = 1_048_575  # an Excel sheet holds 1,048,576 rows, one of them the header
Progress = Callable[[int, int, str], bool]
_STATUS = {s.value: s.label for s in HazardStatus}


@dataclass(frozen=True)
class ExportResult:
    path: Path
    rows: int


def hazard_rows(session: Session, ids: Sequence[int], *, today: dt.date) -> list[RegisterLine]:
    """The register lines for these ids, in the order given."""
    if not ids:
        return []
    unit = aliased(Organisation)
    stmt = (select(Hazard.id, Hazard.number, Project.name, Hazard.found_date, Hazard.location,
                   Hazard.description, Hazard.category, Hazard.level, Hazard.is_major,
                   Hazard.measures, Hazard.deadline, func.coalesce(unit.name, ""), Hazard.status,
                   Hazard.closed_at, Hazard.responsible_person, Hazard.contingency)
            .join(Project, Project.id == Hazard.project_id)
            .outerjoin(unit, unit.id == Hazard.responsible_unit_id)
            .where(Hazard.id.in_(list(ids))))
    by_id = {}
    for (hid, number, project, found, location, text, category, level, major, measures,
         deadline, unit_name, status, closed, person, contingency) in session.execute(stmt):
        closed_on = closed.date() if closed else None
        late = (closed_on - deadline).days if closed_on and deadline and closed_on > deadline \
            else 0
        by_id[hid] = RegisterLine(number, project, found, location, text, category, level,
                               bool(major), measures, deadline, unit_name,
                               _STATUS.get(status, str(status)), closed_on,
                               is_overdue(status, deadline, today), person or "",
                               contingency or "", late)
    return [by_id[i] for i in ids if i in by_id]


class WindowedRows(Sequence[RegisterLine]):
    """The rows of an id list, fetched WINDOW at a time as they are iterated.

    `on_window(done)` runs before each window of the first pass (progress and cancel). The
    builder iterates again for its summary (levels, major, closed, overdue): later passes give
    the rows in brief from 4 bytes a row noted in the first pass, instead of reading again.
    """

    row_width = len(RegisterLine._fields)  # full rows: the register need not read one to know

    def __init__(self, session: Session, ids: array[int], *, today: dt.date,
                 on_window: Callable[[int], None] | None = None, window: int | None = None) -> None:
        self._session, self._ids, self._today = session, ids, today
        self._on_window, self._window = on_window, window or WINDOW
        self.passes = 0
        self._brief = array("b")  # level, major, closed, overdue packed in one byte

    def __len__(self) -> int:
        return len(self._ids)

    @overload
    def __getitem__(self, index: int) -> RegisterLine: ...

    @overload
    def __getitem__(self, index: slice) -> list[RegisterLine]: ...

    def __getitem__(self, index: int | slice) -> RegisterLine | list[RegisterLine]:
        if isinstance(index, slice):
            return hazard_rows(self._session, self._ids[index], today=self._today)
        (found,) = hazard_rows(self._session, [self._ids[index]], today=self._today)
        return found

    def __iter__(self) -> Iterator[RegisterLine]:
        self.passes += 1
        if self.passes > 1 and len(self._brief) == len(self._ids):
            yield from map(_unpack, self._brief)
            return
        self._brief = array("b")
        for start in range(0, len(self._ids), self._window):
            if self._on_window is not None and self.passes == 1:
                self._on_window(start)
            window = hazard_rows(self._session, self._ids[start:start + self._window],
                                 today=self._today)
            self._brief.extend(map(_pack, window))
            yield from window


def _pack(row: RegisterLine) -> int:
    return row.level | row.is_major << 3 | (row.closed_date is not None) << 4 | row.overdue << 5


_CLOSED = dt.date.min  # a brief row only says whether it was closed


def _unpack(bits: int) -> RegisterLine:
    return RegisterLine("", "", _CLOSED, "", "", "", bits & 7, bool(bits & 8), "", None, "", "",
                     _CLOSED if bits & 16 else None, bool(bits & 32))


def describe(session: Session, flt: RegisterFilter) -> tuple[str, str]:
    """(scope, period) of a filter in words, for the workbook's 说明 sheet."""
    parts: list[str] = []
    if flt.project_id is not None:
        name = session.execute(select(Project.name).where(Project.id == flt.project_id)).scalar()
        parts.append(f"项目：{name or flt.project_id}")
    orgs = org_names(session, (flt.insurer_id, flt.authority_id))
    if flt.insurer_id is not None:
        parts.append(f"承保机构：{orgs.get(flt.insurer_id, flt.insurer_id)}")
    if flt.authority_id is not None:
        parts.append(f"建设主管部门：{orgs.get(flt.authority_id, flt.authority_id)}")
    if flt.levels:
        parts.append("等级：" + "、".join(HAZARD_LEVEL_LABELS[lv] for lv in sorted(flt.levels)))
    if flt.statuses:
        parts.append("状态：" + "、".join(_STATUS.get(s, s) for s in sorted(flt.statuses)))
    for flag, words in ((flt.open_only, "未销项"), (flt.overdue, "逾期"),
                        (flt.major is True, "重大事故隐患"), (flt.major is False, "非重大隐患"),
                        (flt.escalated is True, "拒不整改或拖延整改")):
        if flag:
            parts.append(words)
    if flt.category:
        parts.append(f"类别：{flt.category}")
    if flt.text.strip():
        parts.append(f"搜索：“{' '.join(flt.text.split())}”")
    scope = "；".join(parts) if parts else "全部隐患"
    if flt.date_from is None and flt.date_to is None:
        return scope, "全部日期"
    start = flt.date_from.isoformat() if flt.date_from else "最早"
    end = flt.date_to.isoformat() if flt.date_to else "至今"
    return scope, f"发现日期 {start} 至 {end}"


def export_view(session: Session, flt: RegisterFilter, *, actor: Actor, path: Path | str,
                sort: str = "found_date", descending: bool = True, ids: Sequence[int] | None = None,
                caption: str = "", title: str = "隐患台账（导出）",
                progress: Progress | None = None) -> ExportResult:
    """Write the hazards of this view, in this order, to `path` as the register workbook;
    `ids` instead of the filter writes exactly those hazards (a list from the dashboard, which
    `caption` names on the 说明 sheet).

    `progress(done, total, text)` returning False cancels: Cancelled is raised and no file is
    left behind (the workbook is written to a temporary file and renamed at the end).
    """
    permissions.require(actor, "export")
    if ids is None:
        ids = register.hazard_ids(session, flt, sort=sort, descending=descending)
    else:
        ids, flt = array("q", ids), RegisterFilter(today=flt.today)
    total = len(ids)
    if total > MAX_ROWS:
        raise ValidationError({"rows": msg("共 {total:,} 条，超过 Excel 单表上限 {limit:,} 行，"
                                           "请缩小筛选范围后再导出", total=total, limit=MAX_ROWS)})

    def report(done: int) -> None:
        if progress is not None and not progress(
                done, total, msg("正在导出 {done:,} / {total:,} 条…", done=done, total=total)):
            raise Cancelled()

    today = flt.today or now().date()
    rows = WindowedRows(session, ids, today=today, on_window=report)
    scope, period = describe(session, flt)
    if caption:
        scope = caption
    meta = DocMeta(title, "", today, agency_info(session))
    target = Path(path)
    report(0)
    build_hazard_register_xlsx(RegisterData(meta, scope, period, rows), target,
                               progress=lambda done: report(done))
    if progress is not None:
        progress(total, total, msg("已完成"))
    return ExportResult(target, total)
