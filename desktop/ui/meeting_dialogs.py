"""Forms of a project's kick-off meeting (服务交底会: attendees by party, topics, the insured's
confirmation, the signed sign-in sheet) and of its standardisation assistance (安全生产标准化建设)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.services import meetings, standardisation
from desktop.services.context import Changes
from desktop.services.meetings import Attendee, MeetingForm, MeetingRow
from desktop.services.standardisation import AssistForm, AssistRow
from desktop.ui.app_state import AppState
from desktop.ui.training_dialogs import RecordDialog, choose_open_file, date_edit, text_box
from desktop.ui.translatable import QT_TRANSLATE_NOOP

PARTY_TEXT = {
    "owner": QT_TRANSLATE_NOOP("MeetingDialogs", "建设单位"),
    "contractor": QT_TRANSLATE_NOOP("MeetingDialogs", "施工单位"),
    "supervisor": QT_TRANSLATE_NOOP("MeetingDialogs", "监理单位"),
    "insurer": QT_TRANSLATE_NOOP("MeetingDialogs", "承保机构"),
    "agency": QT_TRANSLATE_NOOP("MeetingDialogs", "风控机构"),
}
TOPIC_TEXT = {
    "scope": QT_TRANSLATE_NOOP("MeetingDialogs", "服务范围"),
    "plan": QT_TRANSLATE_NOOP("MeetingDialogs", "服务方案"),
    "contacts": QT_TRANSLATE_NOOP("MeetingDialogs", "联系人"),
    "reporting": QT_TRANSLATE_NOOP("MeetingDialogs", "报告途径"),
}
ITEM_TEXT = {
    "management": QT_TRANSLATE_NOOP("MeetingDialogs", "安全管理"),
    "civilised": QT_TRANSLATE_NOOP("MeetingDialogs", "文明施工"),
    "scaffold": QT_TRANSLATE_NOOP("MeetingDialogs", "脚手架"),
    "excavation": QT_TRANSLATE_NOOP("MeetingDialogs", "基坑工程"),
    "formwork": QT_TRANSLATE_NOOP("MeetingDialogs", "模板支架"),
    "height": QT_TRANSLATE_NOOP("MeetingDialogs", "高处作业"),
    "electricity": QT_TRANSLATE_NOOP("MeetingDialogs", "施工用电"),
    "hoisting": QT_TRANSLATE_NOOP("MeetingDialogs", "塔式起重机与起重吊装"),
    "lifts": QT_TRANSLATE_NOOP("MeetingDialogs", "施工升降机与物料提升机"),
    "machinery": QT_TRANSLATE_NOOP("MeetingDialogs", "施工机具"),
}
SHEET_FILTER = QT_TRANSLATE_NOOP("MeetingDialogs", "签到表扫描件 (*.pdf *.jpg *.jpeg *.png *.heic)")


def _tr(text: str) -> str:
    return QCoreApplication.translate("MeetingDialogs", text)


def party_text(party: str) -> str:
    return _tr(PARTY_TEXT[party]) if party in PARTY_TEXT else party


def topic_text(topic: str) -> str:
    return _tr(TOPIC_TEXT[topic]) if topic in TOPIC_TEXT else topic


def item_text(item: str) -> str:
    return _tr(ITEM_TEXT[item]) if item in ITEM_TEXT else item


class AttendeeEditor(QWidget):
    """One line per person: the party, the name, the position; lines can be added and removed."""

    def __init__(self, existing: tuple[Attendee, ...] = ()) -> None:
        super().__init__()
        self.lines: list[tuple[QComboBox, QLineEdit, QLineEdit, QToolButton]] = []
        self.grid = QGridLayout()
        self.grid.setContentsMargins(0, 0, 0, 0)
        for column, text in enumerate((QT_TRANSLATE_NOOP("MeetingDialogs", "单位类别"),
                                       QT_TRANSLATE_NOOP("MeetingDialogs", "姓名"),
                                       QT_TRANSLATE_NOOP("MeetingDialogs", "职务"))):
            self.grid.addWidget(QLabel(_tr(text)), 0, column)
        self.add_button = QPushButton(_tr(QT_TRANSLATE_NOOP("MeetingDialogs", "添加参会人员(&A)")))
        self.add_button.setObjectName("addAttendee")
        self.add_button.clicked.connect(lambda: self.add_line())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.grid)
        layout.addWidget(self.add_button)
        for a in existing or (Attendee("agency", ""), Attendee("contractor", "")):
            self.add_line(a)

    def add_line(self, attendee: Attendee | None = None) -> tuple[QComboBox, QLineEdit, QLineEdit]:
        party = QComboBox()
        for value in PARTY_TEXT:
            party.addItem(party_text(value), value)
        party.setCurrentIndex(max(0, party.findData(attendee.party if attendee else "owner")))
        name = QLineEdit(attendee.name if attendee else "")
        position = QLineEdit(attendee.position if attendee else "")
        remove = QToolButton()
        remove.setText("×")
        remove.setToolTip(_tr(QT_TRANSLATE_NOOP("MeetingDialogs", "删除此行")))
        row = self.grid.rowCount()
        for column, widget in enumerate((party, name, position, remove)):
            self.grid.addWidget(widget, row, column)
        line = (party, name, position, remove)
        remove.clicked.connect(lambda _c=False, ln=line: self.remove_line(ln))
        self.lines.append(line)
        return party, name, position

    def remove_line(self, line: tuple[QComboBox, QLineEdit, QLineEdit, QToolButton]) -> None:
        self.lines.remove(line)
        for widget in line:
            self.grid.removeWidget(widget)
            widget.deleteLater()

    def attendees(self) -> tuple[Attendee, ...]:
        """The lines with something typed in them (a blank line is left out)."""
        return tuple(Attendee(party.currentData(), name.text(), position.text())
                     for party, name, position, _ in self.lines
                     if name.text().strip() or position.text().strip())


class KickoffDialog(RecordDialog):
    """Record or correct the project's kick-off meeting."""

    def __init__(self, state: AppState, project_id: int, row: MeetingRow | None = None,
                 parent: QWidget | None = None) -> None:
        title = QT_TRANSLATE_NOOP("MeetingDialogs", "登记服务交底会") if row is None else \
            QT_TRANSLATE_NOOP("MeetingDialogs", "修改服务交底会记录")
        super().__init__(state, _tr(title), parent)
        self.project_id, self.row = project_id, row
        self.saved: MeetingRow | None = None
        self.date = date_edit(row.date if row else None)
        self.place = QLineEdit(row.place if row else "")
        self.place.setPlaceholderText(_tr(QT_TRANSLATE_NOOP("MeetingDialogs", "如：项目部会议室")))
        self.attendees = AttendeeEditor(row.attendees if row else ())
        self.topic_boxes: dict[str, QCheckBox] = {}
        topics = QWidget()
        topic_row = QHBoxLayout(topics)
        topic_row.setContentsMargins(0, 0, 0, 0)
        for key in TOPIC_TEXT:
            box = QCheckBox(topic_text(key))
            box.setChecked(row is None or key in row.topics)
            self.topic_boxes[key] = box
            topic_row.addWidget(box)
        topic_row.addStretch(1)
        self.notes = text_box(row.notes if row else "", 72)
        self.confirmed = QCheckBox(_tr(QT_TRANSLATE_NOOP("MeetingDialogs", "投保单位已确认本记录")))
        self.confirmed_by = QLineEdit(row.confirmed_by if row else "")
        self.confirmed_by.setPlaceholderText(_tr(QT_TRANSLATE_NOOP("MeetingDialogs", "确认人姓名")))
        self.confirmed_on = date_edit(row.confirmed_on if row and row.confirmed_on else None)
        confirm = QWidget()
        confirm_row = QHBoxLayout(confirm)
        confirm_row.setContentsMargins(0, 0, 0, 0)
        for widget in (self.confirmed, self.confirmed_by, self.confirmed_on):
            confirm_row.addWidget(widget)
        self.confirmed.toggled.connect(self._confirm_changed)
        self.confirmed.setChecked(bool(row and row.confirmed))
        self._confirm_changed(self.confirmed.isChecked())
        self.sheet = QLineEdit()
        self.sheet.setReadOnly(True)
        self.sheet.setObjectName("sheetPath")
        if row is not None and row.sheets:
            self.sheet.setPlaceholderText(_tr(QT_TRANSLATE_NOOP(
                "MeetingDialogs", "已附签到表 {n} 份；选择文件再添加一份")).format(n=row.sheets))
        choose = QPushButton(_tr(QT_TRANSLATE_NOOP("MeetingDialogs", "选择…")))
        choose.clicked.connect(self.choose_sheet)
        sheet = QWidget()
        sheet_row = QHBoxLayout(sheet)
        sheet_row.setContentsMargins(0, 0, 0, 0)
        sheet_row.addWidget(self.sheet, 1)
        sheet_row.addWidget(choose)
        self.add_fields([
            ("date", _tr(QT_TRANSLATE_NOOP("MeetingDialogs", "会议日期")), self.date),
            ("place", _tr(QT_TRANSLATE_NOOP("MeetingDialogs", "会议地点")), self.place),
            ("attendees", _tr(QT_TRANSLATE_NOOP("MeetingDialogs", "参会人员")), self.attendees),
            ("topics", _tr(QT_TRANSLATE_NOOP("MeetingDialogs", "交底内容")), topics),
            ("notes", _tr(QT_TRANSLATE_NOOP("MeetingDialogs", "内容说明")), self.notes),
            ("confirmed_by", _tr(QT_TRANSLATE_NOOP("MeetingDialogs", "双方确认")), confirm),
            ("confirmed_on", "", spacer := QWidget()),
            ("sign_in_sheet", _tr(QT_TRANSLATE_NOOP("MeetingDialogs", "签到表（已签字）")), sheet)])
        self.form.setRowVisible(spacer, False)  # the date's problem shows under the confirmation
        self.setMinimumWidth(600)

    def _confirm_changed(self, on: bool) -> None:
        self.confirmed_by.setEnabled(on)
        self.confirmed_on.setEnabled(on)

    def choose_sheet(self) -> None:
        path = choose_open_file(self, _tr(QT_TRANSLATE_NOOP("MeetingDialogs", "选择签到表扫描件")),
                                _tr(SHEET_FILTER))
        if path:
            self.sheet.setText(path)

    def collect(self) -> MeetingForm:
        on = self.confirmed.isChecked()
        return MeetingForm(
            self.date.required_date("date"), self.place.text(), self.attendees.attendees(),
            tuple(k for k, box in self.topic_boxes.items() if box.isChecked()),
            self.notes.toPlainText(), self.confirmed_by.text() if on else "",
            self.confirmed_on.checked_date("confirmed_on") if on else None)

    def submit(self) -> None:
        sheet = self.sheet.text() or None
        store = self.state.config.attachments_dir
        if self.row is None:
            self.saved = self.state.write(meetings.record, self.project_id, self.collect(),
                                          sign_in_sheet=sheet, store_dir=store,
                                          changes=Changes(projects=True))
        else:
            self.saved = self.state.write(meetings.edit, self.row.id, self.collect(),
                                          expected_version=self.row.version, sign_in_sheet=sheet,
                                          store_dir=store, changes=Changes(projects=True))


class StandardisationDialog(RecordDialog):
    """One visit helping the insured with site standardisation, and later its follow-up."""

    def __init__(self, state: AppState, project_id: int, row: AssistRow | None = None,
                 parent: QWidget | None = None) -> None:
        title = QT_TRANSLATE_NOOP("MeetingDialogs", "登记安全生产标准化建设协助") if row is None else \
            QT_TRANSLATE_NOOP("MeetingDialogs", "修改安全生产标准化建设协助")
        super().__init__(state, _tr(title), parent)
        self.project_id, self.row = project_id, row
        self.saved: AssistRow | None = None
        self.date = date_edit(row.date if row else None)
        self.item_boxes: dict[str, QCheckBox] = {}
        items = QWidget()
        grid = QGridLayout(items)
        grid.setContentsMargins(0, 0, 0, 0)
        for i, key in enumerate(ITEM_TEXT):
            box = QCheckBox(item_text(key))
            box.setChecked(row is not None and key in row.items)
            self.item_boxes[key] = box
            grid.addWidget(box, i // 3, i % 3)
        self.other = QLineEdit(row.other_items if row else "")
        self.other.setPlaceholderText(_tr(QT_TRANSLATE_NOOP("MeetingDialogs", "清单以外的检查内容（可选）")))
        self.advice = text_box(row.advice if row else "", 80)
        self.followed = QCheckBox(_tr(QT_TRANSLATE_NOOP("MeetingDialogs", "已跟踪复查")))
        self.follow_up_on = date_edit(row.follow_up_on if row and row.follow_up_on else None)
        self.result_box = text_box(row.follow_up_result if row else "", 56)
        self.followed.toggled.connect(self._follow_changed)
        self.followed.setChecked(bool(row and row.followed_up))
        self._follow_changed(self.followed.isChecked())
        self.add_fields([
            ("date", _tr(QT_TRANSLATE_NOOP("MeetingDialogs", "协助日期")), self.date),
            ("items", _tr(QT_TRANSLATE_NOOP("MeetingDialogs", "检查项目")), items),
            ("other_items", _tr(QT_TRANSLATE_NOOP("MeetingDialogs", "其他检查内容")), self.other),
            ("advice", _tr(QT_TRANSLATE_NOOP("MeetingDialogs", "提出的建议")), self.advice),
            ("follow_up_on", _tr(QT_TRANSLATE_NOOP("MeetingDialogs", "跟踪复查")), self._follow_row()),
            ("follow_up_result", _tr(QT_TRANSLATE_NOOP("MeetingDialogs", "复查结果")), self.result_box)])
        self.setMinimumWidth(560)

    def _follow_row(self) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.followed)
        row.addWidget(self.follow_up_on)
        row.addStretch(1)
        return box

    def _follow_changed(self, on: bool) -> None:
        self.follow_up_on.setEnabled(on)
        self.result_box.setEnabled(on)

    def collect(self) -> AssistForm:
        on = self.followed.isChecked()
        day: dt.date | None = self.follow_up_on.checked_date("follow_up_on") if on else None
        return AssistForm(self.date.required_date("date"),
                          tuple(k for k, box in self.item_boxes.items() if box.isChecked()),
                          self.other.text(), self.advice.toPlainText(), day,
                          self.result_box.toPlainText() if on else "")

    def submit(self) -> None:
        if self.row is None:
            self.saved = self.state.write(standardisation.record, self.project_id, self.collect(),
                                          changes=Changes(projects=True))
        else:
            self.saved = self.state.write(standardisation.edit, self.row.id, self.collect(),
                                          expected_version=self.row.version,
                                          changes=Changes(projects=True))


class DeleteDialog(RecordDialog):
    """Why a kick-off or standardisation record goes to the recycle bin."""

    def __init__(self, state: AppState, title: str, delete: Callable[..., None], row_id: int,
                 version: int, parent: QWidget | None = None) -> None:
        super().__init__(state, title, parent)
        self.delete, self.row_id, self.version = delete, row_id, version
        self.reason = QLineEdit()
        self.add_field("reason", _tr(QT_TRANSLATE_NOOP("MeetingDialogs", "删除原因")), self.reason)

    def submit(self) -> None:
        self.state.write(self.delete, self.row_id, expected_version=self.version,
                         reason=self.reason.text(), changes=Changes(projects=True))
