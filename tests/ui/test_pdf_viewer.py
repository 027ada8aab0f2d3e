"""The in-app PDF viewer: pages, navigation, zoom, print and print preview without a system viewer."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen import canvas

from desktop.ui import pdf_viewer
from desktop.ui.pdf_viewer import PdfViewer, print_document


def make_pdf(path: Path, pages: int) -> Path:
    c = canvas.Canvas(str(path), pagesize=A4)
    for n in range(pages):
        if n == pages - 1:
            c.setPageSize(landscape(A4))  # a wide last page still fits the paper
        c.drawString(72, 720, f"page {n + 1}")
        c.rect(36, 36, 200, 200, fill=1)
        c.showPage()
    c.save()
    return path


@pytest.fixture
def pdf(tmp_path: Path) -> Path:
    return make_pdf(tmp_path / "三页.pdf", 3)


def pdf_printer(target: Path) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(target))
    return printer


def pages_of(path: Path) -> int:
    document = QPdfDocument()
    assert document.load(str(path)) == QPdfDocument.Error.None_
    count = document.pageCount()
    document.close()
    return count


def test_the_viewer_shows_the_pages_and_moves_between_them(qtbot, pdf):
    viewer = PdfViewer(pdf, "绍安衡风控整改〔2026〕7号 整改通知书")
    qtbot.addWidget(viewer)
    viewer.show()
    assert viewer.page_count == 3
    assert viewer.page_count_label.text() == "/ 共 3 页"
    assert viewer.windowTitle().startswith("绍安衡风控整改")
    assert not viewer.previous_button.isEnabled() and viewer.next_button.isEnabled()
    viewer.next_page()
    viewer.next_page()
    assert viewer.current_page == 2 and viewer.page_box.value() == 3
    assert not viewer.next_button.isEnabled()
    viewer.page_box.setValue(1)
    assert viewer.current_page == 0

    before = viewer.view.zoomFactor()
    viewer.zoom_in()
    assert viewer.view.zoomFactor() == pytest.approx(before * pdf_viewer.ZOOM_STEP)
    viewer.zoom_out()
    viewer.zoom_out()
    assert viewer.view.zoomFactor() < before
    viewer.fit_width()
    assert viewer.view.zoomMode() == viewer.view.ZoomMode.FitToWidth


def test_a_missing_or_broken_file_is_said_and_nothing_printable(qtbot, tmp_path):
    broken = tmp_path / "坏.pdf"
    broken.write_bytes(b"not a pdf")
    for path, words in ((tmp_path / "无.pdf", "文书文件缺失"), (broken, "不是有效的 PDF")):
        viewer = PdfViewer(path)
        qtbot.addWidget(viewer)
        assert words in viewer.message.text()
        assert not viewer.print_button.isEnabled() and not viewer.preview_button.isEnabled()
        assert viewer.print_now() == 0 and viewer.print_preview() is None


def test_printing_renders_every_page_onto_the_printer(qtbot, pdf, tmp_path):
    document = QPdfDocument()
    document.load(str(pdf))
    out = tmp_path / "printed.pdf"
    assert print_document(document, pdf_printer(out)) == 3
    assert out.read_bytes().startswith(b"%PDF") and pages_of(out) == 3

    # a page range chosen in the print dialog prints just those pages
    ranged = pdf_printer(tmp_path / "range.pdf")
    ranged.setPrintRange(QPrinter.PrintRange.PageRange)
    ranged.setFromTo(2, 3)
    assert print_document(document, ranged) == 2
    assert pages_of(tmp_path / "range.pdf") == 2
    document.close()


def test_print_and_preview_from_the_viewer(qtbot, pdf, tmp_path, dialog_log):
    viewer = PdfViewer(pdf, "整改通知书")
    qtbot.addWidget(viewer)
    out = tmp_path / "from-dialog.pdf"

    def choose_pdf_printer(dialog):  # the print dialog: "print to file"
        printer = dialog.printer()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(out))
        return True

    dialog_log.on_run = choose_pdf_printer
    assert viewer.print_now() == 3 and pages_of(out) == 3

    previewed = tmp_path / "preview.pdf"
    painted: list[int] = []

    def preview(dialog):  # what the preview paints is what a printer would get
        dialog.paintRequested.connect(lambda _p: painted.append(1))
        dialog.paintRequested.emit(pdf_printer(previewed))
        return False

    dialog_log.on_run = preview
    assert viewer.print_preview() is not None
    assert painted and pages_of(previewed) == 3
    dialog_log.on_run = lambda _dialog: False  # the print dialog cancelled: nothing printed
    assert viewer.print_now() == 0


def test_open_outside_is_secondary_and_says_when_no_program(qtbot, pdf, dialog_log, monkeypatch,
                                                           tmp_path):
    opened: list[Path] = []
    monkeypatch.setattr(pdf_viewer, "copies_folder", lambda: tmp_path / "copies")
    viewer = PdfViewer(pdf, "绍安衡风控整改〔2026〕7号 整改通知书")
    qtbot.addWidget(viewer)
    assert viewer.external_button.isFlat()
    monkeypatch.setattr(pdf_viewer, "open_external", lambda p: opened.append(p) or True)
    assert viewer.open_outside()
    assert opened[0].name == "绍安衡风控整改〔2026〕7号 整改通知书.pdf"
    assert opened[0].read_bytes() == pdf.read_bytes()
    monkeypatch.setattr(pdf_viewer, "open_external", lambda p: False)
    assert not viewer.open_outside()
    assert "没有可打开 PDF 的程序" in dialog_log.texts("warn")[-1]


def test_show_pdf_keeps_the_window_until_closed(qtbot, pdf, dialog_log):
    viewer = pdf_viewer.show_pdf(pdf, "文书")
    assert dialog_log.viewers == [viewer]
    viewer.show()
    assert viewer in pdf_viewer._open and viewer.page_count == 3
    viewer.close()  # deleted on close, and let go
    qtbot.waitUntil(lambda: not pdf_viewer._open)
