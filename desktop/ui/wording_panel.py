"""The 文书用语 tab (administrators): this machine's body font for documents (document_font_panel),
and the fixed sentences each document of a kind carries, in the agency's own words. Pick a sentence, edit it, see the preview with sample facts, save or go
back to the default. The services check the placeholders and audit every change
(services/wording.py)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.services import wording
from desktop.services.context import Changes, ValidationError
from desktop.ui import dialogs, i18n
from desktop.ui.app_state import AppState
from desktop.ui.document_font_panel import DocumentFontPanel
from desktop.ui.widgets import ErrorLabel


class WordingPanel(QWidget):
    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.slots: list[wording.SlotText] = []
        self.font_panel = DocumentFontPanel(state)
        intro = QLabel(QCoreApplication.translate(
            "WordingPanel", "每类文书中固定的语句可改为本机构的用语。花括号中的占位符（列在下方）"
                            "在生成文书时按记录中的事实填写；文书中的事实只来自记录。修改只用于此后生成的"
                            "文书，已签发的文书不变；每次修改都记入审计日志。"))
        intro.setWordWrap(True)
        self.choice = QComboBox()
        self.choice.setObjectName("wordingSlot")
        self.choice.currentIndexChanged.connect(self._show_slot)
        self.state_label = QLabel()
        self.state_label.setObjectName("wordingState")
        self.editor = QPlainTextEdit()
        self.editor.setObjectName("wordingText")
        self.editor.setMinimumHeight(90)
        self.editor.textChanged.connect(self.update_preview)
        self.placeholders = QLabel()
        self.placeholders.setObjectName("wordingPlaceholders")
        self.placeholders.setWordWrap(True)
        self.preview = QLabel()
        self.preview.setObjectName("wordingPreview")
        self.preview.setWordWrap(True)
        self.error = ErrorLabel()
        self.error.setObjectName("wordingError")
        self.save_button = QPushButton(QCoreApplication.translate("WordingPanel", "保存用语"))
        self.save_button.setObjectName("wordingSave")
        self.save_button.clicked.connect(lambda _c=False: self.save())
        self.reset_button = QPushButton(QCoreApplication.translate("WordingPanel", "恢复默认"))
        self.reset_button.setObjectName("wordingReset")
        self.reset_button.clicked.connect(lambda _c=False: self.reset())
        form = QFormLayout()
        form.addRow(QCoreApplication.translate("WordingPanel", "文书及语句"), self.choice)
        form.addRow("", self.state_label)
        form.addRow(QCoreApplication.translate("WordingPanel", "用语"), self.editor)
        form.addRow(QCoreApplication.translate("WordingPanel", "可用占位符"), self.placeholders)
        form.addRow(QCoreApplication.translate("WordingPanel", "预览"), self.preview)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.reset_button)
        buttons.addWidget(self.save_button)
        editable = state.can("settings.edit")
        for w in (self.editor, self.save_button, self.reset_button):
            w.setEnabled(editable)
        layout = QVBoxLayout(self)
        layout.addWidget(self.font_panel)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        layout.addStretch(1)

    @property
    def current(self) -> wording.SlotText | None:
        index = self.choice.currentIndex()
        return self.slots[index] if 0 <= index < len(self.slots) else None

    def refresh(self) -> None:
        self.font_panel.refresh()
        keep = self.current.id if self.current else None
        self.slots = self.state.read(wording.read)
        self.choice.blockSignals(True)
        self.choice.clear()
        for slot in self.slots:
            self.choice.addItem(f"{slot.kind_label} · {slot.label}", slot.id)
        index = self.choice.findData(keep) if keep else 0
        self.choice.setCurrentIndex(max(0, index))
        self.choice.blockSignals(False)
        self._show_slot()

    def _show_slot(self) -> None:
        slot = self.current
        if slot is None:
            return
        self.state_label.setText(
            QCoreApplication.translate("WordingPanel", "本机构用语") if slot.customised
            else QCoreApplication.translate("WordingPanel", "默认用语"))
        self.placeholders.setText("\n".join(f"{{{name}}}：{what}" for name, what in slot.placeholders)
                                  or QCoreApplication.translate("WordingPanel", "（此段不含占位符）"))
        self.reset_button.setEnabled(self.state.can("settings.edit") and slot.customised)
        self.editor.setPlainText(slot.text)  # updates the preview

    def update_preview(self) -> None:
        slot = self.current
        if slot is None:
            return
        try:
            self.preview.setText(wording.preview(slot.id, self.editor.toPlainText()))
            self.error.show_message("")
        except ValidationError as exc:
            self.preview.setText("")
            self.error.show_message(i18n.error_text(exc))

    def save(self) -> bool:
        slot = self.current
        if slot is None:
            return False
        try:
            self.state.write(wording.save, slot.id, self.editor.toPlainText(),
                             changes=Changes(settings=True))
        except ValidationError as exc:
            self.error.show_message(i18n.error_text(exc))
            return False
        except dialogs.USER_ERRORS as exc:
            dialogs.show_error(self, exc)
            return False
        self.refresh()
        return True

    def reset(self) -> bool:
        slot = self.current
        if slot is None or not dialogs.ask(
                self, QCoreApplication.translate("WordingPanel", "恢复默认"),
                QCoreApplication.translate("WordingPanel", "将此段用语恢复为默认？此后生成的文书使用默认用语。")):
            return False
        try:
            self.state.write(wording.reset, slot.id, changes=Changes(settings=True))
        except dialogs.USER_ERRORS as exc:
            dialogs.show_error(self, exc)
            return False
        self.refresh()
        return True
