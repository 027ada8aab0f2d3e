"""A training session's roster in its dialog: one row per person (project, name, group, phone,
ID number, unit), rows added or removed, and people read from a sign-in sheet in Excel. ID
numbers read back show masked; a cell the user retypes holds what was typed. The service checks
the whole roster again when the session is saved."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.services import training_people
from desktop.services.context import ValidationError
from desktop.services.exchange import training_sheet
from desktop.services.queries.training_view import ProjectChoice
from desktop.services.training_people import AttendeeForm, mask_id
from desktop.ui import dialogs
from desktop.ui.translatable import QT_TRANSLATE_NOOP
from desktop.ui.widgets import widget_as

NAME, GROUP, PHONE, ID_NUMBER, UNIT, PROJECT = range(6)
FULL = Qt.ItemDataRole.UserRole  # the unmasked ID number behind a masked cell
GROUP_TEXT = {"manager": QT_TRANSLATE_NOOP("TrainingDialogs", "管理人员"),
              "worker": QT_TRANSLATE_NOOP("TrainingDialogs", "作业人员")}


def _tr(text: str) -> str:
    return QCoreApplication.translate("TrainingDialogs", text)


def choose_sheet(parent: QWidget | None) -> str:
    """The sign-in sheet to read, or "" when cancelled (a seam: tests replace it)."""
    path, _ = QFileDialog.getOpenFileName(
        parent, _tr(QT_TRANSLATE_NOOP("TrainingDialogs", "选择签到表")), "",
        _tr(QT_TRANSLATE_NOOP("TrainingDialogs", "Excel 工作簿 (*.xlsx)")))
    return path


class RosterEditor(QWidget):
    counts_changed = Signal(object)  # a dict, {project id: (managers, workers)} on the roster

    def __init__(self, choices: Sequence[ProjectChoice], existing: Sequence[AttendeeForm] = (),
                 project_id: int | None = None) -> None:
        super().__init__()
        self.choices = {c.id: c for c in choices}
        self.project = QComboBox()
        self.project.setObjectName("rosterProject")
        for c in choices:
            self.project.addItem(f"{c.code} {c.name}", c.id)
        self.project.setCurrentIndex(max(0, self.project.findData(project_id)))
        self.default_group = QComboBox()
        for value, text in GROUP_TEXT.items():
            self.default_group.addItem(_tr(text), value)
        self.default_group.setCurrentIndex(1)
        self.table = QTableWidget(0, 6)
        self.table.setObjectName("rosterTable")
        self.table.setHorizontalHeaderLabels([_tr(t) for t in (
            QT_TRANSLATE_NOOP("TrainingDialogs", "姓名"), QT_TRANSLATE_NOOP("TrainingDialogs", "类别"),
            QT_TRANSLATE_NOOP("TrainingDialogs", "电话"), QT_TRANSLATE_NOOP("TrainingDialogs", "身份证号"),
            QT_TRANSLATE_NOOP("TrainingDialogs", "单位"), QT_TRANSLATE_NOOP("TrainingDialogs", "项目"))])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setMinimumHeight(110)
        self.count = QLabel()
        self.add_button = QPushButton(_tr(QT_TRANSLATE_NOOP("TrainingDialogs", "添加人员")))
        self.add_button.setObjectName("rosterAdd")
        self.add_button.clicked.connect(lambda _c=False: self.add_person())
        self.remove_button = QPushButton(_tr(QT_TRANSLATE_NOOP("TrainingDialogs", "移除所选")))
        self.remove_button.setObjectName("rosterRemove")
        self.remove_button.clicked.connect(lambda _c=False: self.remove_selected())
        self.import_button = QPushButton(_tr(QT_TRANSLATE_NOOP("TrainingDialogs", "从签到表导入…")))
        self.import_button.setObjectName("rosterImport")
        self.import_button.clicked.connect(lambda _c=False: self.import_sheet())
        top = QHBoxLayout()
        top.addWidget(QLabel(_tr(QT_TRANSLATE_NOOP("TrainingDialogs", "新增人员所属项目"))))
        top.addWidget(self.project, 1)
        top.addWidget(QLabel(_tr(QT_TRANSLATE_NOOP("TrainingDialogs", "签到表未注明类别时按"))))
        top.addWidget(self.default_group)
        buttons = QHBoxLayout()
        for b in (self.add_button, self.remove_button, self.import_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.count)
        rule = _tr(QT_TRANSLATE_NOOP(
            "TrainingDialogs", "有名单的项目，参训人数按名单计；同一人以身份证号认定，无身份证号时按姓名加电话，"
            "再无电话时按姓名。"))
        for widget in (self.table, self.count):  # the rule, where the names are typed and counted
            widget.setToolTip(rule)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        for form in existing:
            self.add_person(form, masked=True)
        self._recount()

    def add_person(self, form: AttendeeForm | None = None, *, masked: bool = False) -> int:
        pid = form.project_id if form else self.project.currentData()
        row = self.table.rowCount()
        self.table.insertRow(row)
        group = QComboBox()
        for value, text in GROUP_TEXT.items():
            group.addItem(_tr(text), value)
        group.setCurrentIndex(max(0, group.findData(form.group if form else self.default_group.currentData())))
        group.currentIndexChanged.connect(lambda _i: self._recount())
        self.table.setCellWidget(row, GROUP, group)
        self.table.setItem(row, NAME, QTableWidgetItem(form.name if form else ""))
        self.table.setItem(row, PHONE, QTableWidgetItem(form.phone if form else ""))
        number = form.id_number if form else ""
        id_item = QTableWidgetItem(mask_id(number) if masked else number)
        id_item.setData(FULL, number)
        self.table.setItem(row, ID_NUMBER, id_item)
        self.table.setItem(row, UNIT, QTableWidgetItem(form.unit if form else ""))
        choice = self.choices.get(pid)
        project = QTableWidgetItem(f"{choice.code} {choice.name}" if choice else "")
        project.setData(FULL, pid)
        project.setFlags(project.flags() & ~Qt.ItemFlag.ItemIsEditable)
        self.table.setItem(row, PROJECT, project)
        if form is None:
            self.table.setCurrentCell(row, NAME)
            self.table.editItem(self._item(row, NAME))
        self._recount()
        return row

    def remove_selected(self) -> None:
        for row in sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True):
            self.table.removeRow(row)
        self._recount()

    def _item(self, row: int, column: int) -> QTableWidgetItem:
        """A cell add_person filled (every cell but the group, a combo box)."""
        item = self.table.item(row, column)
        assert item is not None, (row, column)
        return item

    def _group(self, row: int) -> str:
        group: str = widget_as(self.table.cellWidget(row, GROUP), QComboBox).currentData()
        return group

    def _text(self, row: int, column: int) -> str:
        item = self.table.item(row, column)
        return item.text().strip() if item is not None else ""

    def _id_number(self, row: int) -> str:
        item = self._item(row, ID_NUMBER)
        full = item.data(FULL) or ""
        # a masked cell left as it was stands for the number behind it
        return full if full and item.text() == mask_id(full) else item.text().strip()

    def forms(self) -> list[AttendeeForm]:
        out = []
        for row in range(self.table.rowCount()):
            out.append(AttendeeForm(self._item(row, PROJECT).data(FULL), self._text(row, NAME),
                                    self._group(row), self._text(row, PHONE), self._id_number(row),
                                    self._text(row, UNIT)))
        return [f for f in out if f.name or f.phone or f.id_number]

    def counts(self) -> dict[int, tuple[int, int]]:
        """Per project: managers and workers on the roster as it stands."""
        out: dict[int, list[int]] = {}
        for r in range(self.table.rowCount()):
            counts = out.setdefault(self._item(r, PROJECT).data(FULL), [0, 0])
            counts[0 if self._group(r) == "manager" else 1] += 1
        return {pid: (m, w) for pid, (m, w) in out.items()}

    def _recount(self) -> None:
        groups = [self._group(r) for r in range(self.table.rowCount())]
        self.counts_changed.emit(self.counts())
        self.count.setText(_tr(QT_TRANSLATE_NOOP("TrainingDialogs", "名单：管理人员 {m} 人，作业人员 {w} 人"))
                           .format(m=groups.count("manager"), w=groups.count("worker")))

    def import_sheet(self) -> None:
        pid = self.project.currentData()
        if pid is None:
            dialogs.warn(self, _tr(QT_TRANSLATE_NOOP("TrainingDialogs", "从签到表导入")),
                         _tr(QT_TRANSLATE_NOOP("TrainingDialogs", "请先选择人员所属项目")))
            return
        path = choose_sheet(self)
        if not path:
            return
        try:
            people = training_sheet.read_sheet(path, pid, default_group=self.default_group.currentData())
            problem = training_people.roster_problems(self.forms() + people)
            if problem:
                raise ValidationError({"file": problem})
        except dialogs.USER_ERRORS as exc:
            dialogs.show_error(self, exc)
            return
        for form in people:
            self.add_person(form, masked=True)
        dialogs.inform(self, _tr(QT_TRANSLATE_NOOP("TrainingDialogs", "从签到表导入")),
                       _tr(QT_TRANSLATE_NOOP("TrainingDialogs", "已从签到表读入 {n} 人，保存培训记录后生效。"))
                       .format(n=len(people)))
