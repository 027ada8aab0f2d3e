"""The review package's cover (封面及目录): who made it for whom, the counts of what it holds in
the words of the list inside, how to verify it, the projects, and the index of every file with
its hash. `services/exchange/packages.py` gathers the values; this only lays them out."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, TableStyle

from desktop.fileutil import human_size
from desktop.reports.blocks import HEAD_FILL, LINE, field_table, paragraphs
from desktop.reports.data import AgencyInfo, DocMeta
from desktop.reports.fonts import BODY
from desktop.reports.grid import Grid
from desktop.reports.layout import frame_width, title_block, write_pdf
from desktop.reports.styles import Styles, heading
from desktop.reports.text import cn_date, cn_datetime, wrap_cjk


class ListedFile(Protocol):
    """One line of the cover's file index (the zip writer's entries are such)."""

    @property
    def path(self) -> str: ...

    @property
    def sha256(self) -> str: ...

    @property
    def size(self) -> int: ...


@dataclass(frozen=True)
class PackageCoverData:
    agency: AgencyInfo
    insurer_name: str
    period_label: str  # 2026Q3: the cover's number
    period_chinese: str  # 2026年第三季度
    period_start: dt.date
    period_end: dt.date
    created_at: dt.datetime
    fingerprint: str  # of the signing key, grouped
    project_headers: tuple[str, ...]
    projects: Sequence[tuple[str, ...]]  # one line per project_headers
    projects_listed: int  # more projects than this are counted by status, not listed
    hazards: int  # rows of the hazard register inside
    carried_over: int  # of which found before the period and still open at its start
    cancelled: int  # cancelled hazards left out of the register, their documents and photos
    documents: tuple[tuple[str, int], ...]  # (kind label, count) of the signed documents inside
    as_of: dt.date  # the day statuses and 是否逾期 are given for
    hazard_register: str  # the members' names inside the package
    project_register: str
    readme: str
    files: Sequence[ListedFile]  # the index, in the zip's order
    signed_after: int = 0  # of the documents, those signed after the period's end


def _plain_table(head: list[str], rows: list[list[str]], widths: list[float], *,
                 center: tuple[int, ...] = (), right: tuple[int, ...] = ()) -> Grid:
    """Pre-wrapped plain strings, no Paragraph: a cover listing thousands of files or hundreds
    of projects stays fast (a Paragraph per cell cost 0.4 s for 724 projects). A Grid, as every
    table of reports/ (its cells readable)."""
    cells = [[wrap_cjk(v, widths[j] - 6, 8) for j, v in enumerate(line)] for line in [head, *rows]]
    table = Grid(cells, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), BODY, 8, 10), ("BACKGROUND", (0, 0), (-1, 0), HEAD_FILL),
        ("GRID", (0, 0), (-1, -1), 0.4, LINE), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (0, 0), (-1, 0), "CENTER"),
        *(("ALIGN", (j, 1), (j, -1), "CENTER") for j in center),
        *(("ALIGN", (j, 1), (j, -1), "RIGHT") for j in right),
    ]))
    return table


def _index_table(files: Sequence[ListedFile], width: float) -> Grid:
    return _plain_table(["序号", "文件", "大小", "SHA-256（前 16 位）"],
                        [[str(i), e.path, human_size(e.size), e.sha256[:16]]
                         for i, e in enumerate(files, start=1)],
                        [width * f for f in (0.07, 0.55, 0.13, 0.25)], center=(0,), right=(2,))


def contents_text(data: PackageCoverData) -> str:
    """What the counts on the cover cover, in the words of the list inside: the same rows, the
    same day, cancelled hazards left out of both."""
    text = (f"隐患条数即{data.hazard_register}所列行数：本期发现的隐患，以及此前发现、本期初仍未销项的隐患"
            f"（上期结转 {data.carried_over} 条）；状态和是否逾期统计截至{cn_date(data.as_of)}。")
    if data.cancelled:
        text += (f"本期发现后已撤销的隐患 {data.cancelled} 条不列入清单、不计入隐患条数，"
                 "其文书和照片也未收录。")
    else:
        text += "本期发现的隐患没有被撤销的。"
    if data.documents:
        text += "收录已签发文书：" + "、".join(f"{label} {n} 份" for label, n in data.documents) + "。"
        if data.signed_after:
            text += f"其中 {data.signed_after} 份于本期结束（{cn_date(data.period_end)}）后签发。"
    else:
        text += "没有属于本资料包的已签发文书。"
    text += ("文书按所涉事项收录，不论签发日期（截至生成时已签发的）：清单所列隐患的文书，"
             "本资料包项目的方案等文书，本期内检查、培训、演练、交底会等的记录；月度、季度等"
             "定期报告收录所属期间在本期内的。")
    return text


def build_package_cover(data: PackageCoverData, path: Path) -> Path:
    """The cover PDF at `path` (a scratch file: the package's zip is what is synced)."""
    meta = DocMeta("安责险事故预防服务评审资料包", f"资料包 {data.period_label}",
                   data.created_at.date(), data.agency)
    width = frame_width()
    story: list[Flowable] = [*title_block(meta, width), field_table([
        [("风控服务机构", data.agency.name)],
        [("承保机构", data.insurer_name)],
        [("资料期间", f"{data.period_chinese}（{cn_date(data.period_start)}至"
                      f"{cn_date(data.period_end)}）")],
        [("项目数", str(len(data.projects))), ("目录文件数", str(len(data.files)))],
        [("生成时间", cn_datetime(data.created_at)), ("隐患条数", str(data.hazards))],
        [("文书份数", str(sum(n for _, n in data.documents))),
         ("已撤销隐患", f"{data.cancelled} 条（未列入）")],
        [("签名公钥指纹", data.fingerprint)],
    ], width=width), Spacer(1, 3 * mm)]
    story += paragraphs(contents_text(data), Styles.plain)
    story += paragraphs(
        "核验方法：资料包中的 manifest.json 列出每个文件的 SHA-256 和大小，manifest.sig 是本机构"
        "以 Ed25519 私钥对 manifest.json 的签名，agency-public-key.pem 是签名公钥。请核对上列公钥指纹"
        "与本机构书面提供的公钥登记函一致，再用 RiskDesk 的“核验资料包”功能（riskdesk verify）"
        f"逐一核对；不安装 RiskDesk 时，按“{data.readme}”中的 OpenSSL 命令核验。", Styles.small)
    story.append(heading("一、项目清单"))
    if len(data.projects) <= data.projects_listed:
        story.append(_plain_table(list(data.project_headers), [list(x) for x in data.projects],
                                  [width * f for f in (0.15, 0.32, 0.2, 0.1, 0.13, 0.1)],
                                  center=(3, 5)))
    else:  # pages of projects would bury the index: counted here, listed in the register
        by_status = Counter(line[3] for line in data.projects)
        story += paragraphs(
            f"本资料包涵盖 {len(data.projects)} 个项目（"
            + "，".join(f"{status or '未填写'} {n} 个" for status, n in by_status.most_common())
            + f"），逐项明细（项目编号、名称、保单号、状态、竣工日期、风险等级）见 {data.project_register}。",
            Styles.plain)
    story.append(heading("二、文件目录"))
    story.append(_index_table(data.files, width))
    return write_pdf(meta, story, path, durable=False)
