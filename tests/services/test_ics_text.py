"""TEXT values in the duties' .ics (RFC 5545 section 3.3.11): a line break in any form — CRLF, a
lone LF, a lone CR — becomes the escaped \\n, other control characters are dropped (HTAB, which
TSAFE-CHAR allows, is kept), so no raw CR or LF ends up inside SUMMARY or DESCRIPTION."""

from __future__ import annotations

import datetime as dt

import pytest

from desktop.services.context import msg
from desktop.services.queries import ics
from desktop.services.queries.duties import Duty


@pytest.mark.parametrize(("text", "expected"), [
    ("第一行\r\n第二行", "第一行\\n第二行"),
    ("第一行\n第二行", "第一行\\n第二行"),
    ("第一行\r第二行", "第一行\\n第二行"),  # a lone CR (old Mac line end, pasted text)
    ("a\r\rb", "a\\n\\nb"),
    ("a\n\r\nb", "a\\n\\nb"),
    ("a\u2028b\u2029c\x85d", "a\\nb\\nc\\nd"),  # Unicode's own line breaks
    ("a\tb", "a\tb"),  # HTAB is a TSAFE-CHAR
    ("a\x00b\x07c\x0bd\x0ce\x1bf\x7fg\x9bh", "abcdefgh"),
    ("项目,甲;乙\\丙", "项目\\,甲\\;乙\\\\丙"),
    ("a\\\rb", "a\\\\\\nb"),  # a backslash before a CR stays one escaped backslash
])
def test_text_is_escaped(text, expected):
    assert ics.escape(text) == expected


def test_no_raw_cr_or_lf_inside_a_content_line():
    duty = Duty(dt.date(2026, 12, 9), "complaint", None, "项目,甲;乙",
                msg("第一行\r\n第二行\n第三行\r第四行\x00"), "complaints", 1)
    data = ics.calendar_bytes([duty], stamp=dt.datetime(2026, 12, 7, 1, 0, tzinfo=dt.UTC))
    assert data.endswith(b"\r\n")
    lines = data[:-2].split(b"\r\n")
    assert all(b"\r" not in line and b"\n" not in line and b"\x00" not in line for line in lines)
    unfolded = data.decode("utf-8").replace("\r\n ", "").split("\r\n")
    assert "DESCRIPTION:第一行\\n第二行\\n第三行\\n第四行" in unfolded
