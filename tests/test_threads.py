"""threads: write-behind keeps order and errors."""

from __future__ import annotations

import io
import sys
import threading

import pytest
from openpyxl import load_workbook

from desktop.fileutil import atomic_writer
from desktop.reports import xlsx_stream as xs
from desktop.threads import WriteBehind


def test_write_behind_writes_in_order_and_closes():
    sink = io.BytesIO()
    closed = []
    sink.close = lambda: closed.append(sink.getvalue())  # type: ignore[method-assign]
    behind = WriteBehind(sink, depth=2)
    for i in range(100):
        behind.write(b"%d," % i)
    behind.close()
    assert closed == [b"".join(b"%d," % i for i in range(100))]
    assert not [t for t in threading.enumerate() if t.name == "write-behind"]


class _FullDisk(io.BytesIO):
    def write(self, data):  # type: ignore[no-untyped-def, override]
        raise OSError(28, "No space left on device")


def test_a_failed_write_behind_is_raised_to_the_writer():
    behind = WriteBehind(_FullDisk())
    with pytest.raises(OSError, match="No space"):
        for _ in range(50):  # the error surfaces on a later write or on close
            behind.write(b"x" * 1000)
        behind.close()
    behind.abandon()
    assert not [t for t in threading.enumerate() if t.name == "write-behind"]


def test_a_long_sheet_deflated_behind_reads_back(tmp_path):
    path = tmp_path / "long.xlsx"
    before = sys.getswitchinterval()
    rows = 6000  # over the threshold where the sheet deflates on a second thread
    line = xs.row_formatter([xs.Cell("number"), xs.Cell("text")])
    with atomic_writer(path, "wb") as fh, xs.XlsxWriter(fh) as book:
        with book.sheet(xs.SheetLayout("长表", (8, 20)), rows_hint=rows) as sheet:
            for start in range(0, rows, 1000):
                sheet.write("".join(line(r, (r, f"第{r}行 & <内容>"))
                                    for r in range(start + 1, start + 1001)), 1000)
    book = load_workbook(path, read_only=True)
    got = list(book.active.iter_rows(values_only=True))
    book.close()
    assert len(got) == rows
    assert got[0] == (1, "第1行 & <内容>") and got[-1] == (rows, f"第{rows}行 & <内容>")
    assert sys.getswitchinterval() == before
