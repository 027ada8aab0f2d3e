"""The one window every document the app opens is shown in (QtPdf), with page navigation, zoom,
print and print preview — nothing depends on a PDF viewer being installed on the computer.

Printing renders each page with `QPdfDocument.render` at the printer's resolution and draws it
into the printer's painter, so 打印, 打印预览 and a PDF printer all go through `print_document`.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QPointF, QRect, QSize, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QKeySequence, QPainter, QShortcut
from PySide6.QtPdf import QPdfDocument, QPdfDocumentRenderOptions
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.ui import dialogs
from desktop.ui.screen_fit import fit_to_screen
from desktop.ui.translatable import QT_TRANSLATE_NOOP

ZOOM_STEP = 1.25
ZOOM_MIN, ZOOM_MAX = 0.25, 5.0
RENDER_DPI = 300
BUTTONS = {  # object name → label
    "pdfPrevious": QT_TRANSLATE_NOOP("PdfViewer", "上一页"),
    "pdfNext": QT_TRANSLATE_NOOP("PdfViewer", "下一页"),
    "pdfZoomOut": QT_TRANSLATE_NOOP("PdfViewer", "缩小"),
    "pdfZoomIn": QT_TRANSLATE_NOOP("PdfViewer", "放大"),
    "pdfFitWidth": QT_TRANSLATE_NOOP("PdfViewer", "适合宽度"),
    "pdfPrint": QT_TRANSLATE_NOOP("PdfViewer", "打印…"),
    "pdfPrintPreview": QT_TRANSLATE_NOOP("PdfViewer", "打印预览…"),
    "pdfOpenExternal": QT_TRANSLATE_NOOP("PdfViewer", "用系统程序打开"),
}


def open_external(path: Path) -> bool:
    """Open a file in the system's own program (a seam: tests replace it)."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def copies_folder() -> Path:
    """Where copies opened outside the app go: the system's temporary folder."""
    return Path(tempfile.gettempdir()) / "riskdesk-open"


def readable_copy(stored: Path, name: str) -> Path:
    """A copy of a stored file under a readable name in the temporary folder (the store keeps
    bytes by hash without an extension); what 用系统程序打开 and a printer's job name go by."""
    folder = copies_folder() / stored.name[:16]
    folder.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r'[<>:"/\\|?*]', "_", name).strip() or "document.pdf"  # as Windows refuses
    if not safe.lower().endswith(".pdf"):
        safe += ".pdf"
    target = folder / safe
    shutil.copyfile(stored, target)
    return target


def print_document(document: QPdfDocument, printer: QPrinter) -> int:
    """Draw every page of `document` (or the printer's page range) onto `printer`, each page
    scaled to fit the printable area and centred; the number of pages printed."""
    count = document.pageCount()
    first, last = 0, count - 1
    if printer.printRange() == QPrinter.PrintRange.PageRange and printer.fromPage() > 0:
        first = max(0, printer.fromPage() - 1)
        last = min(count - 1, printer.toPage() - 1)
    if count < 1 or first > last:
        return 0
    painter = QPainter()
    if not painter.begin(printer):
        return 0
    printed = 0
    try:
        dpi = printer.resolution()
        area = printer.pageLayout().paintRectPixels(dpi)
        target = QRect(0, 0, area.width(), area.height())
        for page in range(first, last + 1):
            if printed:
                printer.newPage()
            points = document.pagePointSize(page)  # 1/72 inch
            size = QSize(max(1, round(points.width() * dpi / 72)),
                         max(1, round(points.height() * dpi / 72)))
            size = size.scaled(target.size(), Qt.AspectRatioMode.KeepAspectRatio)
            # rendered at no more than RENDER_DPI (sharp on paper, ~35 MB an A4 page), drawn
            # scaled up to the printer's own resolution
            scale = min(1.0, RENDER_DPI / dpi)
            image = document.render(page, QSize(max(1, round(size.width() * scale)),
                                                max(1, round(size.height() * scale))),
                                    QPdfDocumentRenderOptions())
            x = (target.width() - size.width()) // 2
            y = (target.height() - size.height()) // 2
            painter.drawImage(QRect(x, y, size.width(), size.height()), image)
            printed += 1
    finally:
        painter.end()
    return printed


def run_print_dialog(dialog: QPrintDialog) -> bool:
    """The system print dialog (a seam: tests replace it); True to print."""
    return dialog.exec() == QDialog.DialogCode.Accepted


def run_preview(dialog: QPrintPreviewDialog) -> None:
    """The print preview (a seam: tests replace it)."""
    fit_to_screen(dialog)
    dialog.exec()


class PdfViewer(QDialog):
    """One PDF's pages with 上一页 / 下一页, zoom, 打印, 打印预览 and 用系统程序打开."""

    def __init__(self, path: Path, title: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pdfViewer")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self.path = path
        self.setWindowTitle(title or path.name)
        self.document = QPdfDocument(self)
        self.view = QPdfView(self)
        self.view.setObjectName("pdfViewerView")
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.message = QLabel()
        self.message.setObjectName("pdfViewerMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b71c1c;")
        self.message.hide()

        self.previous_button = self._button("pdfPrevious", self.previous_page)
        self.next_button = self._button("pdfNext", self.next_page)
        self.page_box = QSpinBox()
        self.page_box.setObjectName("pdfPage")
        self.page_box.setMinimum(1)
        self.page_box.setPrefix(QCoreApplication.translate("PdfViewer", "第 "))
        self.page_count_label = QLabel()
        self.page_count_label.setObjectName("pdfPageCount")
        self.zoom_out_button = self._button("pdfZoomOut", self.zoom_out)
        self.zoom_in_button = self._button("pdfZoomIn", self.zoom_in)
        self.fit_button = self._button("pdfFitWidth", self.fit_width)
        self.print_button = self._button("pdfPrint", self.print_now)
        self.preview_button = self._button("pdfPrintPreview", self.print_preview)
        self.external_button = self._button("pdfOpenExternal", self.open_outside)
        self.external_button.setFlat(True)  # secondary: the app's own viewer comes first
        self.external_button.setToolTip(QCoreApplication.translate(
            "PdfViewer", "在本机安装的 PDF 阅读器中打开一份副本"))

        bar = QHBoxLayout()
        for widget in (self.previous_button, self.page_box, self.page_count_label,
                       self.next_button):
            bar.addWidget(widget)
        bar.addSpacing(12)
        for widget in (self.zoom_out_button, self.zoom_in_button, self.fit_button):
            bar.addWidget(widget)
        bar.addStretch(1)
        for widget in (self.external_button, self.preview_button, self.print_button):
            bar.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.message)
        layout.addWidget(self.view, 1)

        self.page_box.valueChanged.connect(self._jump)
        self.view.pageNavigator().currentPageChanged.connect(self._page_changed)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Print), self, self.print_now)
        QShortcut(QKeySequence(QKeySequence.StandardKey.ZoomIn), self, self.zoom_in)
        QShortcut(QKeySequence(QKeySequence.StandardKey.ZoomOut), self, self.zoom_out)
        self.resize(900, 1000)
        self.load()

    def _button(self, name: str, slot: Callable[[], object]) -> QPushButton:
        button = QPushButton(QCoreApplication.translate("PdfViewer", BUTTONS[name]))
        button.setObjectName(name)
        button.clicked.connect(lambda _checked=False: slot())
        return button

    # -- loading and navigation --------------------------------------------------------------

    def load(self) -> bool:
        """Read the file; a missing or broken one is said so above an empty view."""
        self.document.close()
        if not self.path.is_file():
            return self._failed(QCoreApplication.translate(
                "PdfViewer", "文书文件缺失：{path}").format(path=self.path))
        error = self.document.load(str(self.path))
        if error != QPdfDocument.Error.None_ or self.document.pageCount() < 1:
            return self._failed(QCoreApplication.translate(
                "PdfViewer", "文件无法打开（不是有效的 PDF）：{path}").format(path=self.path))
        count = self.document.pageCount()
        self.page_box.setMaximum(count)
        self.page_count_label.setText(QCoreApplication.translate(
            "PdfViewer", "/ 共 {n} 页").format(n=count))
        self.message.hide()
        self._enable(True)
        self._page_changed(0)
        return True

    def _failed(self, text: str) -> bool:
        self.message.setText(text)
        self.message.show()
        self.page_count_label.setText(QCoreApplication.translate("PdfViewer", "/ 共 0 页"))
        self._enable(False)
        return False

    def _enable(self, ok: bool) -> None:
        for widget in (self.previous_button, self.next_button, self.page_box, self.zoom_in_button,
                       self.zoom_out_button, self.fit_button, self.print_button,
                       self.preview_button, self.external_button):
            widget.setEnabled(ok)

    @property
    def page_count(self) -> int:
        return self.document.pageCount()

    @property
    def current_page(self) -> int:
        """The page shown, from 0."""
        return self.view.pageNavigator().currentPage()

    def go_to(self, page: int) -> None:
        if 0 <= page < self.page_count:
            self.view.pageNavigator().jump(page, QPointF(0, 0))
            self._page_changed(page)

    def previous_page(self) -> None:
        self.go_to(self.current_page - 1)

    def next_page(self) -> None:
        self.go_to(self.current_page + 1)

    def _jump(self, number: int) -> None:
        if number - 1 != self.current_page:
            self.go_to(number - 1)

    def _page_changed(self, page: int) -> None:
        self.page_box.blockSignals(True)
        self.page_box.setValue(page + 1)
        self.page_box.blockSignals(False)
        self.previous_button.setEnabled(page > 0)
        self.next_button.setEnabled(page < self.page_count - 1)

    # -- zoom --------------------------------------------------------------------------------

    def _set_zoom(self, factor: float) -> None:
        self.view.setZoomMode(QPdfView.ZoomMode.Custom)
        self.view.setZoomFactor(min(ZOOM_MAX, max(ZOOM_MIN, factor)))

    def zoom_in(self) -> None:
        self._set_zoom(self.view.zoomFactor() * ZOOM_STEP)

    def zoom_out(self) -> None:
        self._set_zoom(self.view.zoomFactor() / ZOOM_STEP)

    def fit_width(self) -> None:
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)

    # -- print -------------------------------------------------------------------------------

    def new_printer(self) -> QPrinter:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self.windowTitle())
        printer.setFromTo(1, max(1, self.page_count))
        return printer

    def print_now(self) -> int:
        """The system print dialog, then every chosen page; the number printed."""
        if self.page_count < 1:
            return 0
        printer = self.new_printer()
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle(QCoreApplication.translate("PdfViewer", "打印"))
        dialog.setMinMax(1, self.page_count)
        if not run_print_dialog(dialog):
            return 0
        return print_document(self.document, printer)

    def print_preview(self) -> QPrintPreviewDialog | None:
        """The pages as the printer would lay them out, with the print button of the preview."""
        if self.page_count < 1:
            return None
        dialog = QPrintPreviewDialog(self.new_printer(), self)
        dialog.setWindowTitle(QCoreApplication.translate(
            "PdfViewer", "打印预览 — {title}").format(title=self.windowTitle()))
        dialog.paintRequested.connect(lambda printer: print_document(self.document, printer))
        run_preview(dialog)
        return dialog

    def open_outside(self) -> bool:
        """A copy under the window's title, opened in the system's program."""
        try:
            copy = readable_copy(self.path, self.windowTitle())
        except OSError as exc:
            dialogs.warn(self, QCoreApplication.translate("PdfViewer", "无法打开文件"), str(exc))
            return False
        if not open_external(copy):
            dialogs.warn(self, QCoreApplication.translate("PdfViewer", "无法打开文件"),
                         QCoreApplication.translate(
                             "PdfViewer", "本机没有可打开 PDF 的程序。文件已复制到：{path}").format(
                             path=copy))
            return False
        return True


def present(viewer: PdfViewer) -> None:
    """Show the viewer without blocking (a seam: tests replace it)."""
    fit_to_screen(viewer)
    viewer.show()
    viewer.raise_()
    viewer.activateWindow()


_open: list[PdfViewer] = []


def show_pdf(path: Path, title: str = "", parent: QWidget | None = None) -> PdfViewer:
    """Open `path` in the in-app viewer, titled `title` (the document's number and title)."""
    viewer = PdfViewer(path, title, parent)
    _open.append(viewer)
    viewer.destroyed.connect(lambda _obj=None, v=viewer: _open.remove(v) if v in _open else None)
    present(viewer)
    return viewer


def print_pdf(path: Path, title: str = "", parent: QWidget | None = None) -> int:
    """Print a PDF through the system print dialog without showing the viewer first."""
    viewer = PdfViewer(path, title, parent)
    try:
        return viewer.print_now()
    finally:
        viewer.deleteLater()
