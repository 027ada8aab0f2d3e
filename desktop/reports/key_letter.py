"""公钥登记函: the agency's signing key in writing, for the insurer's trust entry."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, TableStyle

from desktop.reports.blocks import (
    Sections,
    cell,
    field_table,
    numbered,
    paragraphs,
    signature_block,
)
from desktop.reports.data import DocMeta, Signatory
from desktop.reports.fonts import BODY
from desktop.reports.grid import Grid
from desktop.reports.layout import frame_width, title_block, write_pdf
from desktop.reports.styles import P, Styles
from desktop.reports.text import cn_date, para
from desktop.reports.wording import text as wording_text

TITLE = "机构签名公钥登记函"
_W = frame_width()


@dataclass(frozen=True)
class KeyLetterData:
    meta: DocMeta
    agency_name: str
    credit_code: str
    fingerprint: str  # SHA-256 of the raw public key, in groups of four hex digits
    public_key_hex: str
    public_pem: str
    since: dt.date  # the key in use from
    signer: str = ""  # the technical lead who signs


def fingerprint_lines(fingerprint: str, per_line: int = 8) -> list[str]:
    groups = fingerprint.split()
    return [" ".join(groups[i:i + per_line]) for i in range(0, len(groups), per_line)]


class QrCode(Flowable):
    """A QR code drawn as vector squares (crisp at any print resolution)."""

    def __init__(self, text: str, size: float) -> None:
        super().__init__()
        import segno

        self.text = text
        self.rows = [list(row) for row in segno.make(text, error="m").matrix_iter(border=2)]
        self.size = self.width = self.height = size

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        cells = len(self.rows)
        step = self.size / cells
        c = self.canv
        c.saveState()
        c.setFillColorRGB(0, 0, 0)
        for r, row in enumerate(self.rows):
            y = self.size - (r + 1) * step
            run = None
            for col, dark in enumerate([*row, 0]):
                if dark and run is None:
                    run = col
                elif not dark and run is not None:
                    c.rect(run * step, y, (col - run) * step, step, stroke=0, fill=1)
                    run = None
        c.restoreState()


def qr_text(data: KeyLetterData) -> str:
    """What the QR code holds: the fingerprint as printed, with its algorithm and the agency."""
    return f"RiskDesk Ed25519 SHA-256 {data.fingerprint} {data.agency_name}"


def build_key_letter(data: KeyLetterData, path: Path | str) -> Path:
    sec = Sections()
    story: list[Flowable] = [*title_block(data.meta, _W)]
    story.append(P(para("各承保机构、建设主管部门："), Styles.salutation))
    story += paragraphs(wording_text(dict(data.meta.wording), "key_letter", "request",
                                     机构名称=data.agency_name))
    story.append(sec("签名公钥"))
    rows: list[list[tuple[str, str]]] = [[("机构名称", data.agency_name)]]
    if data.credit_code:
        rows.append([("统一社会信用代码", data.credit_code)])
    rows += [[("公钥指纹（SHA-256）", "\n".join(fingerprint_lines(data.fingerprint)))],
             [("有效期", f"自{cn_date(data.since)}起，至本机构书面通知更换或废止该密钥时止")]]
    story.append(field_table(rows, width=_W))
    story.append(Spacer(1, 3 * mm))
    qr_size = 27 * mm
    side = Grid([[QrCode(qr_text(data), qr_size), [
        P(para("左侧二维码为上表所列公钥指纹（Ed25519 公钥原始 32 字节的 SHA-256），可扫码核对。"
               f"公钥（十六进制）：{data.public_key_hex}"), Styles.small),
        P(para("公钥文件（PEM 格式）随本函一并提供，内容如下："), Styles.small),
        P(para(data.public_pem.strip()), Styles.cell)]]],
        colWidths=[qr_size + 6 * mm, _W - qr_size - 6 * mm])
    side.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), BODY, 9),
                              ("VALIGN", (0, 0), (-1, -1), "TOP"),
                              ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    story.append(side)
    story.append(sec("登记与核验方法"))
    story += numbered([
        (f"承保机构收到本函及公钥文件后，先核对公钥文件的指纹与本函所列指纹一致，再登记为受信任"
         f"公钥：在 RiskDesk 中执行“riskdesk trust add 公钥文件 --name {data.agency_name}”"
         f"（或在“受信任的签名公钥”中添加），登记时显示的指纹应与本函一致。"),
        ("此后以“riskdesk verify 资料包文件”核验我机构的评审资料包：资料包完整且由上述公钥签名时，"
         "结论为完整并注明签名机构；指纹不符时，请勿采信并与我机构联系。"),
        ("不使用 RiskDesk 时，可用 OpenSSL 计算公钥文件的指纹："
         "openssl pkey -pubin -in 公钥文件 -outform DER | tail -c 32 | openssl dgst -sha256，"
         "结果应与本函所列指纹一致（不计空格和大小写）。"),
        ("我机构签发的 PDF 文书带有标准 PDF 电子签名，其签名证书由上述公钥签发，"
         "可用 PDF 阅读器或 pdfsig 查看签名是否有效、文件是否被修改。"),
        ("更换签名密钥时，我机构将以原密钥签署更换声明并另行出具登记函；此前以本公钥签名的资料包"
         "仍可用本公钥核验。"),
    ], style=Styles.item_small)
    story.append(cell("附件：公钥文件（PEM 格式）一份。", Styles.plain))
    story.append(signature_block([
        Signatory("风控服务机构", data.agency_name, data.signer, data.meta.date, role="技术负责人"),
    ], width=_W * 0.5))
    return write_pdf(data.meta, story, path)
