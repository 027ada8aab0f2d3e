"""档案目录 and 档案销毁审批表 (N-15) in the house layout, from plain data filled by services.archive."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from desktop.reports.blocks import data_table, field_table, paragraphs, signature_block
from desktop.reports.data import DocMeta, Signatory
from desktop.reports.layout import frame_width, title_block, write_pdf
from desktop.reports.styles import heading
from desktop.reports.text import cn_date, cn_datetime, iso, quoted


@dataclass(frozen=True)
class CatalogueLine:
    seq: int
    title: str
    doc_type: str
    medium: str  # label: 纸质 / 电子
    pages: int | None
    box: str
    shelf: str
    filed_at: dt.date
    filed_by: str
    retention_until: dt.date | None
    status: str  # label


@dataclass(frozen=True)
class CatalogueData:
    """档案目录 of one project: one archive per insured (AQ 9010), kept ≥ 5 years after completion."""

    meta: DocMeta
    project_name: str
    project_code: str
    completion_date: dt.date | None
    retention_years: int
    lines: tuple[CatalogueLine, ...]
    approved_by: str = ""  # the technical lead who signed (审核)

    @property
    def total_pages(self) -> int:
        return sum(line.pages or 0 for line in self.lines)


@dataclass(frozen=True)
class DestructionLine:
    seq: int
    project_name: str
    title: str
    medium: str  # label
    pages: int | None
    box: str
    filed_at: dt.date
    retention_until: dt.date | None


@dataclass(frozen=True)
class DestructionFormData:
    """档案销毁审批表: the request, the insurer's written approval and the destruction record."""

    meta: DocMeta
    request_id: int
    status: str  # label
    insurer_name: str
    reason: str
    requested_at: dt.datetime
    requested_by: str
    lines: tuple[DestructionLine, ...]
    approved_by_name: str = ""
    approved_at: dt.datetime | None = None
    approval_ref: str = ""
    destroyed_at: dt.datetime | None = None
    destroyed_by: str = ""
    destruction_note: str = ""


def _scale(parts: Sequence[float], width: float) -> list[float]:
    total = sum(parts)
    return [width * p / total for p in parts]


def _pages(value: int | None) -> str:
    return "" if value is None else str(value)


def build_archive_catalogue(data: CatalogueData, path: Path | str) -> Path:
    """The catalogue of a project's archive, landscape: every item with location and retention."""
    width = frame_width(wide=True)
    story: list[Flowable] = [*title_block(data.meta, width)]
    story.append(field_table([
        [("项目名称", data.project_name), ("项目编号", data.project_code)],
        [("竣工日期", cn_date(data.completion_date, blank="尚未竣工")),
         ("保存期限", f"竣工后 {data.retention_years} 年")],
        [("档案件数", str(len(data.lines))), ("纸质页数合计", str(data.total_pages))],
    ], width=width))
    story.append(heading("档案目录"))
    if data.lines:
        rows = [[str(x.seq), x.title, x.doc_type, x.medium, _pages(x.pages), x.box, x.shelf,
                 cn_date(x.filed_at, blank=""), x.filed_by,
                 cn_date(x.retention_until, blank="竣工后起算"), x.status] for x in data.lines]
        story.append(data_table(
            ["序号", "档案题名", "类别", "载体", "页数", "盒号", "存放位置", "归档日期", "归档人",
             "保存期限至", "状态"], rows,
            widths=_scale([8, 60, 18, 10, 10, 14, 22, 22, 14, 24, 16], width),
            center_cols=(0, 3, 4, 5, 10)))
        story.append(Spacer(1, 2 * mm))
    else:
        story += paragraphs("本项目尚未登记档案。")
    story += paragraphs("说明：纸质档案自项目竣工之日起至少保存五年；保存期满后须经承保机构书面同意方可销毁。")
    story.append(signature_block([
        Signatory("编制", seal=False, role="档案管理员"),
        Signatory("审核", seal=False, name=data.approved_by,
                  date=data.meta.date if data.approved_by else None, role="技术负责人"),
        # no approval by the agency's 负责人 is recorded: the line is left to sign by hand
        Signatory("风控服务机构", data.meta.agency.name, role="负责人"),
    ], width=width * 0.75))
    return write_pdf(data.meta, story, path, wide=True)


def build_destruction_form(data: DestructionFormData, path: Path | str) -> Path:
    """The approval form sent to the insurer; after approval and destruction it is the record."""
    width = frame_width()
    story: list[Flowable] = [*title_block(data.meta, width)]
    story.append(field_table([
        [("申请编号", str(data.request_id)), ("当前状态", data.status)],
        [("审批单位", data.insurer_name)],
        [("申请人", data.requested_by), ("申请时间", cn_datetime(data.requested_at))],
        [("销毁理由", data.reason)],
    ], width=width))
    story.append(heading("一、拟销毁档案清单"))
    pages = sum(x.pages or 0 for x in data.lines)
    rows = [[str(x.seq), x.project_name, x.title, x.medium, _pages(x.pages), x.box,
             iso(x.filed_at), iso(x.retention_until)] for x in data.lines]
    story.append(data_table(["序号", "项目名称", "档案题名", "载体", "页数", "盒号", "归档日期", "保存期限至"],
                            rows, widths=_scale([11, 34, 46, 10, 10, 16, 20, 22], width),
                            center_cols=(0, 3, 4, 5, 6, 7)))
    story.append(Spacer(1, 2 * mm))
    story += paragraphs(f"共 {len(data.lines)} 件，纸质 {pages} 页。以上档案均已超过竣工后规定的保存期限。")
    story.append(heading("二、承保机构审批意见"))
    if data.approval_ref:
        story.append(field_table([
            [("审批人", data.approved_by_name), ("审批时间", cn_datetime(data.approved_at))],
            [("批复文号", data.approval_ref)],
        ], width=width))
        story += paragraphs(f"承保机构已以{quoted(data.approval_ref)}书面同意销毁上列档案，批复扫描件已存档。")
    else:
        story += paragraphs("同意 / 不同意销毁上列档案。（请承保机构填写意见、签字并盖章后返回）")
    story.append(heading("三、销毁记录"))
    if data.destroyed_at is not None:
        story.append(field_table([
            [("销毁时间", cn_datetime(data.destroyed_at)), ("销毁人", data.destroyed_by)],
            [("销毁说明", data.destruction_note or "—")],
        ], width=width))
    else:
        story += paragraphs("（经承保机构书面批准后销毁，销毁时由两人以上监销并填写本栏。）")
    story.append(signature_block([
        Signatory("风控服务机构", data.meta.agency.name, data.requested_by,
                  data.requested_at.date(), role="申请人"),
        # the insurer signs its own line: its approver is printed in the table above, not here
        Signatory("承保机构", data.insurer_name, role="审批人"),
        Signatory("监销人", seal=False, role="监销人"),
    ], width=width))
    return write_pdf(data.meta, story, path)
