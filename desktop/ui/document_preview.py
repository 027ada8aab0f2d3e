"""A document's stored PDF shown inside the window (QtPdf); opened larger, printed or handed to
the system's viewer through `ui/pdf_viewer.py`."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QPointF, Qt
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout, QWidget


def _tr(text: str) -> str:
    return QCoreApplication.translate("DocumentPreview", text)


class DocumentPreview(QWidget):
    """The pages of one PDF, or a plain sentence saying why there is nothing to show."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("documentPreview")
        self.document = QPdfDocument(self)
        self.view = QPdfView(self)
        self.view.setObjectName("documentPdfView")
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.message = QLabel()
        self.message.setObjectName("documentPreviewMessage")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #607d8b; padding: 24px;")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.message)
        self.stack.addWidget(self.view)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        self.show_message(QCoreApplication.translate("DocumentPreview", "选择一份文书，在这里预览。"))

    @property
    def path(self) -> Path | None:
        return self._path if self.stack.currentWidget() is self.view else None

    def show_message(self, text: str) -> None:
        self.document.close()
        self._path: Path | None = None
        self.message.setText(text)
        self.stack.setCurrentWidget(self.message)

    def show_file(self, path: Path) -> bool:
        """Show the PDF at `path`; a missing or unreadable file is said so in the preview area."""
        if not path.is_file():
            self.show_message(QCoreApplication.translate(
                "DocumentPreview", "文书文件缺失：{path}\n请运行数据检查，或重新生成草稿。").format(
                path=path))
            return False
        self.document.close()
        error = self.document.load(str(path))
        if error != QPdfDocument.Error.None_ or self.document.pageCount() < 1:
            self.show_message(QCoreApplication.translate(
                "DocumentPreview", "文书文件无法打开（不是有效的 PDF）：{path}").format(path=path))
            return False
        self._path = path
        self.stack.setCurrentWidget(self.view)
        self.view.pageNavigator().jump(0, QPointF(0, 0))
        return True
