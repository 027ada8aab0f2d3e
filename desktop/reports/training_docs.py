"""Training record (安全教育培训记录, N-13) and drill record with its evaluation (应急演练记录及评估, N-14)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, TableStyle

from desktop.reports.blocks import (
    LINE,
    Sections,
    cell,
    data_table,
    field_table,
    paragraphs,
    shares,
    signature_block,
)
from desktop.reports.data import DocMeta, ProjectInfo, Signatory
from desktop.reports.fonts import BODY
from desktop.reports.grid import Grid
from desktop.reports.layout import frame_width, title_block, write_pdf
from desktop.reports.photos import photo_grid
from desktop.reports.styles import Styles, heading
from desktop.reports.text import cn_date, join_cn, quoted, yes_no
from desktop.reports.wording import text as wording_text

log = logging.getLogger("desktop.reports")

RATINGS = ("优", "良", "中", "差")
_W = frame_width()


@dataclass(frozen=True)
class AttendanceLine:
    """One project's attendance at a session, against its registered headcount."""

    project_name: str
    managers: int
    workers: int
    headcount_managers: int = 0
    headcount_workers: int = 0
    roster: tuple[str, ...] = ()

    @staticmethod
    def share(done: int, head: int) -> str:
        return "—" if head <= 0 else f"{min(1.0, done / head):.0%}"


@dataclass(frozen=True)
class RosterLine:
    """One person on the sign-in sheet; `contact` is already masked (ID number, else phone)."""

    project_name: str
    name: str
    group: str  # 管理人员 / 作业人员
    unit: str = ""
    contact: str = ""


@dataclass(frozen=True)
class CoverageLine:
    """One project's distinct people trained in the session's half-year against its headcount."""

    project_name: str
    managers: int
    headcount_managers: int
    workers: int
    headcount_workers: int

    @property
    def complete(self) -> bool:
        return self.headcount_managers + self.headcount_workers > 0 and \
            self.managers >= self.headcount_managers and self.workers >= self.headcount_workers


@dataclass(frozen=True)
class TrainingRecordData:
    meta: DocMeta
    topic: str
    date: dt.date
    attendance: tuple[AttendanceLine, ...]
    location: str = ""
    trainer: str = ""
    duration_hours: str = ""
    centralized: bool = False
    categories: tuple[str, ...] = ()  # the hazard categories the content targets C-4c
    materials: str = ""
    photos: tuple[Path, ...] = ()
    recorder: str = ""
    approved_by: str = ""
    content: str = ""  # 培训内容: what was taught
    people: tuple[RosterLine, ...] = ()
    half_label: str = ""  # e.g. 2026年上半年
    coverage: tuple[CoverageLine, ...] = ()


COVERAGE_RULE = ("按人计：同一人在半年度内多次参训只计一次；有身份证号的按身份证号认定，否则按姓名加电话，"
                 "再否则按项目内姓名；只登记人数未附名单的场次，计为至少该场人数。")


@dataclass(frozen=True)
class EmergencyPlanLine:
    date: dt.date
    kind_label: str  # 协助编制应急预案 / 书面修改建议
    title: str
    summary: str = ""


@dataclass(frozen=True)
class DrillRecordData:
    meta: DocMeta
    project: ProjectInfo
    date: dt.date
    scenario: str
    location: str = ""
    organiser: str = ""
    participants: int = 0
    observations: str = ""
    evaluation: str = ""  # empty: not evaluated yet; the form then leaves room to write by hand
    rating: str = ""
    findings: str = ""
    improvements: str = ""
    plans: tuple[EmergencyPlanLine, ...] = ()
    photos: tuple[Path, ...] = ()
    evaluator: str = ""  # who recorded the evaluation
    approved_by: str = ""
    evaluated_on: dt.date | None = None  # the day the evaluation was recorded


def build_training_record(data: TrainingRecordData, path: Path | str) -> Path:
    """Who was trained, on what, for how long, and what share of each project's headcount."""
    story: list[Flowable] = [*title_block(data.meta, _W)]
    story.append(field_table([
        [("培训主题", data.topic)],
        [("培训日期", cn_date(data.date)), ("培训地点", data.location)],
        [("授课人", data.trainer), ("学时", f"{data.duration_hours} 小时" if data.duration_hours else "")],
        [("集中培训", yes_no(data.centralized)), ("参训项目", f"{len(data.attendance)} 个")],
        [("针对隐患类别", join_cn(list(data.categories)) or "—")],
    ], width=_W))
    section = Sections()
    story.append(section("培训内容"))
    story += paragraphs(data.content or "（未登记培训内容）")
    if data.materials.strip():
        story.append(section("培训材料"))
        story += paragraphs(data.materials)
    story.append(section("参训情况"))
    rows = [[a.project_name, str(a.managers), str(a.headcount_managers or "—"),
             a.share(a.managers, a.headcount_managers), str(a.workers),
             str(a.headcount_workers or "—"), a.share(a.workers, a.headcount_workers)]
            for a in data.attendance]
    managers = sum(a.managers for a in data.attendance)
    workers = sum(a.workers for a in data.attendance)
    rows.append(["合计", str(managers), "", "", str(workers), "", ""])
    story.append(data_table(
        ["项目", "管理人员", "登记人数", "覆盖", "作业人员", "登记人数", "覆盖"], rows,
        widths=shares([58, 17, 17, 14, 17, 17, 14], _W), center_cols=(1, 2, 3, 4, 5, 6)))
    story.append(Spacer(1, 2 * mm))
    story += paragraphs(f"本次培训参训共{managers + workers}人次（管理人员{managers}人次，作业人员{workers}人次）。"
                        "覆盖比例为本次参训人数占项目登记人数的比例。")
    if data.coverage:
        story.append(section(f"{data.half_label}培训覆盖情况"))
        story.append(data_table(
            ["项目", "管理人员（人）", "登记人数", "作业人员（人）", "登记人数", "全覆盖"],
            [[c.project_name, str(c.managers), str(c.headcount_managers or "—"), str(c.workers),
              str(c.headcount_workers or "—"), "是" if c.complete else "否"] for c in data.coverage],
            widths=shares([58, 20, 17, 20, 17, 14], _W), center_cols=(1, 2, 3, 4, 5)))
        story += paragraphs(f"统计截至本次培训，{COVERAGE_RULE}")
    story += _sign_in(data, section)
    story.append(signature_block([
        Signatory("授课", seal=False, name=data.trainer, date=data.date, role="授课人"),
        Signatory("记录", seal=False, name=data.recorder, role="记录人"),
        Signatory("风控服务机构", data.meta.agency.name, data.approved_by,
                  data.meta.date if data.approved_by else None, role="技术负责人"),
    ], width=_W))
    story += _photos(data.photos, "培训现场照片")
    return write_pdf(data.meta, story, path)


def build_drill_record(data: DrillRecordData, path: Path | str) -> Path:
    """The drill as it ran, the agency's evaluation of it (C-5b), both parties' signatures."""
    p = data.project
    story: list[Flowable] = [*title_block(data.meta, _W)]
    story.append(field_table([
        [("项目名称", p.name), ("项目编号", p.code)],
        [("施工单位", p.contractor), ("监理单位", p.supervisor)],
        [("演练科目", data.scenario), ("演练日期", cn_date(data.date))],
        [("演练地点", data.location), ("参演人数", f"{data.participants} 人")],
        [("组织单位", data.organiser or p.contractor)],
    ], width=_W))
    section = Sections()
    if data.plans:
        story.append(section("应急预案编制协助情况"))
        story.append(data_table(["日期", "方式", "预案名称", "主要内容"],
                                [[cn_date(x.date), x.kind_label, x.title, x.summary]
                                 for x in data.plans],
                                widths=shares([24, 26, 45, 75], _W)))
    story.append(section("演练过程"))
    story += paragraphs(data.observations or "（未登记演练过程）")
    story.append(section("演练成效评估"))
    if data.evaluation.strip():
        marks = "\xa0\xa0".join(("■" if r == data.rating else "□") + r for r in RATINGS)
        story.append(field_table([
            [("总体评价", marks)],
            [("成效评估", data.evaluation)],
            [("发现的问题", data.findings or "—")],
            [("改进建议", data.improvements or "—")],
        ], width=_W))
    else:
        story += paragraphs(wording_text(dict(data.meta.wording), "drill_record", "unevaluated"))
        story.append(field_table([[("总体评价", "□优\xa0\xa0□良\xa0\xa0□中\xa0\xa0□差")],
                                  [("成效评估", "\n\n\n")], [("改进建议", "\n\n")]], width=_W))
    story.append(signature_block([
        Signatory("风控服务机构", data.meta.agency.name, data.evaluator, data.evaluated_on,
                  role="评估人"),
        Signatory("审核", seal=False, name=data.approved_by,
                  date=data.meta.date if data.approved_by else None, role="技术负责人"),
        Signatory("投保单位", p.contractor, role="项目负责人"),
    ], width=_W))
    story += _photos(data.photos, "演练现场照片")
    return write_pdf(data.meta, story, path)


def _sign_in(data: TrainingRecordData, section: Sections) -> list[Flowable]:
    """签到名单: the named attendees, else the names given with the counts; a project with
    neither is said to have no roster, so its counts are not read as checked names."""
    out: list[Flowable] = [section("签到名单")]
    named = list(dict.fromkeys(p.project_name for p in data.people))
    rosters = [(a.project_name, a.roster) for a in data.attendance
               if a.roster and a.project_name not in named]
    missing = [a.project_name for a in data.attendance
               if not a.roster and a.project_name not in named]
    for project in named:
        if len(named) + len(rosters) > 1:
            out.append(heading(project, size=10.5))
        mine = [p for p in data.people if p.project_name == project]
        out.append(data_table(
            ["序号", "姓名", "类别", "单位", "身份证号／电话", "签名"],
            [[str(i), p.name, p.group, p.unit, p.contact, ""] for i, p in enumerate(mine, start=1)],
            widths=shares([10, 22, 20, 44, 40, 30], _W), center_cols=(0, 2)))
    for name, roster in rosters:
        out.append(heading(name, size=10.5))
        out.append(_roster(roster))
    if not named and not rosters:
        out += paragraphs("本次培训未登记签到名单，参训人数按登记的人数计。")
    elif missing:
        out.append(Spacer(1, 2 * mm))
        out += paragraphs(f"{join_cn([quoted(m) for m in missing])}未登记签到名单，"
                          "其参训人数按登记的人数计。")
    return out


def _roster(names: Sequence[str], per_row: int = 8) -> Flowable:
    """The signed-in names as a plain grid, eight to a row."""
    rows = [[cell(n, Styles.cell_center) for n in names[i:i + per_row]]
            + [""] * (per_row - len(names[i:i + per_row])) for i in range(0, len(names), per_row)]
    table = Grid(rows, colWidths=shares([1] * per_row, _W))
    table.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), BODY, 9),
                               ("GRID", (0, 0), (-1, -1), 0.5, LINE),
                               ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    return table


def _photos(photos: Sequence[Path], title: str) -> list[Flowable]:
    grid = photo_grid([(p, f"{title} {i}") for i, p in enumerate(photos, start=1)], width=_W,
                      columns=3)
    return [heading(f"附件：{title}"), grid] if grid is not None else []
