"""Signature boxes: a date is printed only beside a name, as the record of that person's sign-off."""

from __future__ import annotations

import datetime as dt

import pytest

from desktop.reports.blocks import signature_block
from desktop.reports.data import Signatory
from desktop.reports.layout import frame_width, write_pdf
from tests.reports.conftest import meta
from tests.signoff_text import sign_off

pytestmark = pytest.mark.usefixtures("poppler")


def test_a_box_without_a_signer_prints_no_date(tmp_path, agency):
    day = dt.date(2026, 12, 8)
    path = write_pdf(meta(agency, "隐患排查及问题整改清单", "风控清单〔2026〕1号"), [signature_block([
        Signatory("审核", seal=False, name="张三", date=day, role="技术负责人"),
        Signatory("批准（风控服务机构）", agency.name, date=day, role="负责人"),
    ], width=frame_width())], tmp_path / "boxes.pdf")
    assert sign_off(path, "技术负责人") == [("张三", "2026年12月8日")]
    assert sign_off(path, "负责人") == [("", "")]
