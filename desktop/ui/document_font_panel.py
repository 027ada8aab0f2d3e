"""The documents' body font on this machine, at the top of 设置 › 文书用语: the face in use (family,
file, 系统字体 / 内置字体 / 本机设置), the installed Song, FangSong and Kai faces or any other
font file to choose, or back to the automatic choice (services/document_font.py)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QWidget,
)

from desktop.services.context import ValidationError
from desktop.ui import dialogs, file_dialogs, i18n
from desktop.ui.app_state import AppState
from desktop.ui.widgets import ErrorLabel


class DocumentFontPanel(QGroupBox):
    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(QCoreApplication.translate("DocumentFontPanel", "文书正文字体（本机）"), parent)
        self.state = state
        self.in_use = QLabel()
        self.in_use.setObjectName("documentFontInUse")
        self.in_use.setWordWrap(True)
        self.note = QLabel()
        self.note.setObjectName("documentFontNote")
        self.note.setWordWrap(True)
        self.choice = QComboBox()
        self.choice.setObjectName("documentFontChoice")
        self.other_button = QPushButton(QCoreApplication.translate("DocumentFontPanel", "其他字体文件…"))
        self.other_button.clicked.connect(lambda _c=False: self.pick_file())
        self.apply_button = QPushButton(QCoreApplication.translate("DocumentFontPanel", "使用此字体"))
        self.apply_button.setObjectName("documentFontApply")
        self.apply_button.clicked.connect(lambda _c=False: self.apply())
        self.error = ErrorLabel()
        self.error.setObjectName("documentFontError")
        row = QHBoxLayout()
        row.addWidget(self.choice, 1)
        row.addWidget(self.other_button)
        row.addWidget(self.apply_button)
        editable = state.can("settings.edit")
        for w in (self.choice, self.other_button, self.apply_button):
            w.setEnabled(editable)
        form = QFormLayout(self)
        form.addRow(QCoreApplication.translate("DocumentFontPanel", "正在使用"), self.in_use)
        form.addRow(QCoreApplication.translate("DocumentFontPanel", "选择"), row)
        form.addRow("", self.note)
        form.addRow("", self.error)

    def refresh(self) -> None:
        from desktop.services import (
            document_font,  # ReportLab's font code loads when the panel reads
        )

        now = document_font.in_use(self.state.config)
        self.in_use.setText(QCoreApplication.translate(
            "DocumentFontPanel", "{family}（{origin}）\n{file}").format(
                family=now.family, origin=self._origin(now.origin, now.origin_label), file=str(now.path)))
        notes = [QCoreApplication.translate(
            "DocumentFontPanel", "可选宋体、仿宋或楷体的 TrueType 字体；选定的字体须能嵌入 PDF 并含文书常用字符。"
                                 "字体文件是本机的，此设置只用于本机生成的文书。")]
        if now.environment:
            notes.append(QCoreApplication.translate(
                "DocumentFontPanel", "环境变量 RISKDESK_DOCUMENT_FONT 已指定字体，本机设置不起作用。"))
        elif now.restart_needed:
            notes.append(QCoreApplication.translate(
                "DocumentFontPanel", "新的选择将在重新启动程序后用于文书。"))
        self.note.setText("\n".join(notes))
        self.choice.clear()
        self.choice.addItem(QCoreApplication.translate(
            "DocumentFontPanel", "自动选择（系统的仿宋/宋体，否则内置字体）"), "")
        for option in document_font.options():
            self.choice.addItem(f"{option.family} — {option.setting}", option.setting)
        self._select(now.setting)
        self.error.show_message("")

    @staticmethod
    def _origin(origin: str, label: str) -> str:
        texts = {"configured": QCoreApplication.translate("DocumentFontPanel", "环境变量指定"),
                 "chosen": QCoreApplication.translate("DocumentFontPanel", "本机设置"),
                 "system": QCoreApplication.translate("DocumentFontPanel", "系统字体"),
                 "bundled": QCoreApplication.translate("DocumentFontPanel", "内置字体")}
        return texts.get(origin, label)

    def _select(self, setting: str) -> None:
        index = self.choice.findData(setting)
        if index < 0:
            self.choice.addItem(setting, setting)
            index = self.choice.count() - 1
        self.choice.setCurrentIndex(index)

    def pick_file(self) -> str:
        path = file_dialogs.open_file(
            self, QCoreApplication.translate("DocumentFontPanel", "选择字体文件"),
            QCoreApplication.translate("DocumentFontPanel", "TrueType 字体 (*.ttf *.ttc *.TTF *.TTC)"))
        if path:
            self._select(path)
        return path

    def apply(self) -> bool:
        from desktop.services import (
            document_font,  # ReportLab's font code loads when the panel reads
        )

        setting = str(self.choice.currentData() or "")
        try:
            document_font.choose(self.state.config, self.state.actor, setting)
        except ValidationError as exc:
            self.error.show_message(i18n.error_text(exc))
            return False
        except dialogs.USER_ERRORS as exc:
            dialogs.show_error(self, exc)
            return False
        self.refresh()
        return True
