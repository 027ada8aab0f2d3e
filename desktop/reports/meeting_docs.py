"""服务交底会记录: the kick-off meeting of a project's service, as both parties confirmed it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from reportlab.platypus import Flowable

from desktop.reports.blocks import (
    Sections,
    data_table,
    field_table,
    paragraphs,
    shares,
    signature_block,
)
from desktop.reports.data import DocMeta, ProjectInfo, Signatory
from desktop.reports.layout import frame_width, title_block, write_pdf
from desktop.reports.photos import photo_grid
from desktop.reports.styles import heading
from desktop.reports.text import cn_date
from desktop.reports.wording import text as wording_text

_W = frame_width()


@dataclass(frozen=True)
class AttendeeLine:
    party: str  # 建设单位 / 施工单位 / 监理单位 / 承保机构 / 风控机构
    unit: str  # the organisation's name
    name: str
    position: str = ""


@dataclass(frozen=True)
class KickoffRecordData:
    meta: DocMeta
    project: ProjectInfo
    date: dt.date
    place: str
    attendees: tuple[AttendeeLine, ...]
    topics: tuple[tuple[str, bool], ...]  # every topic of the form, ticked or not
    notes: str = ""
    earlier_attendees: str = ""  # free text of a record kept before attendees were by party
    confirmed_by: str = ""
    confirmed_on: dt.date | None = None
    sheet_images: tuple[Path, ...] = ()
    sheet_files: int = 0  # sign-in sheets kept (scans of any kind)
    recorder: str = ""
    approved_by: str = ""


def build_kickoff_record(data: KickoffRecordData, path: Path | str) -> Path:
    """Facts of the meeting, who attended for each party, what was explained, the confirmation."""
    p = data.project
    story: list[Flowable] = [*title_block(data.meta, _W)]
    story.append(field_table([
        [("项目名称", p.name), ("项目编号", p.code)],
        [("工程地址", p.address)],
        [("会议日期", cn_date(data.date)), ("会议地点", data.place)],
        [("建设单位", p.owner), ("施工单位", p.contractor)],
        [("监理单位", p.supervisor), ("承保机构", p.insurer)],
    ], width=_W))
    section = Sections()
    story.append(section("参会人员"))
    if data.attendees:
        rows = [[str(i), a.party, a.unit, a.name, a.position]
                for i, a in enumerate(data.attendees, start=1)]
        story.append(data_table(["序号", "单位类别", "单位名称", "姓名", "职务"], rows,
                                widths=shares([9, 22, 70, 25, 34], _W), center_cols=(0, 1, 3)))
    else:
        story += paragraphs(data.earlier_attendees or "（未登记参会人员）")
    story.append(section("交底内容"))
    story += paragraphs("\xa0\xa0".join(("■" if ticked else "□") + name for name, ticked in data.topics))
    story += paragraphs(data.notes)
    story.append(section("签到表"))
    if data.sheet_files:
        story += paragraphs(f"参会人员签到表已签字，扫描件{data.sheet_files}份随本记录存档。")
    else:
        story += paragraphs("未附签到表扫描件。")
    story.append(section("双方确认"))
    if data.confirmed_by and data.confirmed_on is not None:
        story += paragraphs(wording_text(dict(data.meta.wording), "kickoff_record", "confirmed",
                                         确认人=data.confirmed_by, 确认日期=cn_date(data.confirmed_on)))
    else:
        story += paragraphs("投保单位尚未确认本记录。")
    story.append(signature_block([
        Signatory("风控服务机构", data.meta.agency.name, data.recorder, data.date, role="记录人"),
        Signatory("审核", seal=False, name=data.approved_by,
                  date=data.meta.date if data.approved_by else None, role="技术负责人"),
        Signatory("投保单位确认", p.contractor, data.confirmed_by, data.confirmed_on, role="确认人"),
    ], width=_W))
    grid = photo_grid([(ph, f"签到表 {i}") for i, ph in enumerate(data.sheet_images, start=1)],
                      width=_W, columns=2)
    if grid is not None:
        story += [heading("附件：签到表"), grid]
    return write_pdf(data.meta, story, path)
