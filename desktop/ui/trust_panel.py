"""受信任的签名公钥: the trust list a verification on this desk relies on (add from a .pem file
with the agency's name, list, remove), and this agency's own key for comparison."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.services import trust
from desktop.services.context import Changes
from desktop.ui import dialogs, file_dialogs, table_copy
from desktop.ui.app_state import AppState
from desktop.ui.widgets import ErrorLabel

PEM_FILTER = "Public key (*.pem *.pub *.txt);;All files (*)"


def choose_key_file(parent: QWidget | None, title: str) -> str:
    """A public key file to trust, or "" when cancelled (a seam: tests replace it)."""
    return file_dialogs.open_file(parent, title, PEM_FILTER)


class TrustPanel(QWidget):
    changed = Signal()

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.entries: list[trust.TrustEntry] = []
        intro = QLabel(QCoreApplication.translate(
            "TrustPanel", "核验评审资料包时，只有签名公钥在此名单中（或是本机构自己的密钥）才算“签名者已核实”。"
            "请从机构的公钥登记函所附的公钥文件添加，并核对指纹与登记函上的一致。"))
        intro.setWordWrap(True)
        self.table = QTableWidget(0, 3)
        table_copy.install(self.table)
        self.table.setHorizontalHeaderLabels([
            QCoreApplication.translate("TrustPanel", "机构名称"),
            QCoreApplication.translate("TrustPanel", "公钥指纹"),
            QCoreApplication.translate("TrustPanel", "添加时间")])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.table.verticalHeader().setVisible(False)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.name = QLineEdit()
        self.name.setPlaceholderText(QCoreApplication.translate("TrustPanel", "机构名称（与登记函一致）"))
        self.add_button = QPushButton(QCoreApplication.translate("TrustPanel", "从 .pem 文件添加…"))
        self.add_button.clicked.connect(self.add_from_file)
        self.remove_button = QPushButton(QCoreApplication.translate("TrustPanel", "移除所选"))
        self.remove_button.clicked.connect(self.remove_selected)
        self.own = QLabel()
        self.own.setWordWrap(True)
        self.own.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error = ErrorLabel()
        row = QHBoxLayout()
        row.addWidget(self.name, 1)
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        layout.addWidget(self.error)
        layout.addWidget(self.own)
        self._update_buttons()

    def refresh(self) -> None:
        self.error.show_message("")
        self.entries = trust.list_entries(self.state.config.data_dir)
        self.table.setRowCount(len(self.entries))
        for n, entry in enumerate(self.entries):
            for column, text in enumerate((entry.name, entry.fingerprint,
                                           entry.added_at[:16].replace("T", " "))):
                self.table.setItem(n, column, QTableWidgetItem(text))
        own = trust.own_keys(self.state.config.data_dir)
        self.own.setText(QCoreApplication.translate(
            "TrustPanel", "本机构当前的签名公钥指纹：{fingerprint}").format(
                fingerprint=own[0].fingerprint) if own else "")
        self._update_buttons()

    def _update_buttons(self) -> None:
        allowed = self.state.can("trust.edit")
        self.add_button.setEnabled(allowed)
        self.name.setEnabled(allowed)
        self.remove_button.setEnabled(allowed and bool(self.table.selectedItems()))

    def add_from_file(self) -> trust.TrustEntry | None:
        self.error.show_message("")
        if not self.name.text().strip():
            self.error.show_message(QCoreApplication.translate(
                "TrustPanel", "请先填写该公钥所属机构的名称。"))
            return None
        path = choose_key_file(self, QCoreApplication.translate("TrustPanel", "选择机构的公钥文件"))
        if not path:
            return None
        try:
            entry = self.state.write(trust.add, data_dir=self.state.config.data_dir,
                                     key_file=path, name=self.name.text(),
                                     changes=Changes(settings=True))
        except dialogs.USER_ERRORS as exc:
            dialogs.show_error(self, exc)
            return None
        self.name.clear()
        self.refresh()
        self.changed.emit()
        dialogs.inform(self, QCoreApplication.translate("TrustPanel", "已添加受信任公钥"),
                       QCoreApplication.translate(
                           "TrustPanel", "{name}\n公钥指纹：{fingerprint}\n\n请确认该指纹与公钥登记函上的一致。"
                       ).format(name=entry.name, fingerprint=entry.fingerprint))
        return entry

    def remove_selected(self) -> trust.TrustEntry | None:
        rows = {i.row() for i in self.table.selectedItems()}
        if not rows:
            return None
        entry = self.entries[min(rows)]
        question = QCoreApplication.translate(
            "TrustPanel", "从受信任名单中移除“{name}”（{fingerprint}）？\n移除后，该公钥签名的资料包将显示为签名者未经核实。"
        ).format(name=entry.name, fingerprint=entry.fingerprint)
        if not dialogs.ask(self, QCoreApplication.translate("TrustPanel", "移除受信任公钥"), question):
            return None
        try:
            gone = self.state.write(trust.remove, data_dir=self.state.config.data_dir,
                                    fingerprint=entry.fingerprint, changes=Changes(settings=True))
        except dialogs.USER_ERRORS as exc:
            dialogs.show_error(self, exc)
            return None
        self.refresh()
        self.changed.emit()
        return gone
