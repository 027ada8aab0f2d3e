"""The 节假日安排 tab: where each year's holidays come from, and the newest notice typed in by an
administrator until the built-in data has it (complaint reply deadlines count working days)."""

from __future__ import annotations

from enum import IntEnum

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSpinBox, QVBoxLayout, QWidget

from desktop import clock
from desktop.services import holidays, workdays
from desktop.services.context import Changes
from desktop.services.holiday_overrides import OVERRIDES_KEY
from desktop.services.workdays import YearRow
from desktop.ui import dialogs
from desktop.ui.app_state import AppState
from desktop.ui.history_panel import RowsModel, table_view
from desktop.ui.lazy_model import Column
from desktop.ui.training_dialogs import RecordDialog, text_box
from desktop.ui.translatable import QT_TRANSLATE_NOOP

SOURCES = {
    "override": QT_TRANSLATE_NOOP("HolidaysPanel", "管理员录入"),
    "library": QT_TRANSLATE_NOOP("HolidaysPanel", "内置（国务院办公厅通知）"),
    "missing": QT_TRANSLATE_NOOP("HolidaysPanel", "该年度节假日安排未载入"),
}


def source_text(row: YearRow) -> str:
    return QCoreApplication.translate("HolidaysPanel", SOURCES[row.source])


class YearColumn(IntEnum):
    YEAR, SOURCE, HOLIDAYS, WORKDAYS = range(4)


YEAR_COLUMNS: dict[YearColumn, Column[YearRow]] = {
    YearColumn.YEAR: Column(QT_TRANSLATE_NOOP("Columns", "年度"), lambda r: str(r.year)),
    YearColumn.SOURCE: Column(QT_TRANSLATE_NOOP("Columns", "数据来源"), source_text),
    YearColumn.HOLIDAYS: Column(QT_TRANSLATE_NOOP("Columns", "放假日期"), lambda r: "，".join(r.holidays)),
    YearColumn.WORKDAYS: Column(QT_TRANSLATE_NOOP("Columns", "调休上班日期"), lambda r: "，".join(r.workdays)),
}


def _tr(text: str) -> str:
    return QCoreApplication.translate("HolidaysPanel", text)


class YearDialog(RecordDialog):
    """One year's arrangement as the notice gives it: dates or 起/止 ranges, one a line."""

    def __init__(self, state: AppState, row: YearRow | None, parent: QWidget | None = None) -> None:
        super().__init__(state, _tr(QT_TRANSLATE_NOOP("HolidaysPanel", "录入节假日安排")), parent)
        self.year = QSpinBox()
        self.year.setRange(2000, 2100)
        self.year.setValue(row.year if row is not None else clock.today().year + 1)
        self.year.setEnabled(row is None)
        self.holidays = text_box("\n".join(row.holidays) if row else "", 140)
        self.workdays = text_box("\n".join(row.workdays) if row else "", 80)
        hint = QLabel(_tr(QT_TRANSLATE_NOOP(
            "HolidaysPanel", "按国务院办公厅部分节假日安排的通知录入，每行一个日期或区间，"
                             "如 2027-01-01 或 2027-02-06/2027-02-13。")))
        hint.setWordWrap(True)
        self.form.addRow(hint)
        if row is not None and row.source == "library":
            built_in = QLabel(_tr(QT_TRANSLATE_NOOP(
                "HolidaysPanel", "下列为内置的国务院办公厅通知安排。保存后该年度以此处录入的全部日期为准"
                                 "（不再使用内置数据），请只改需要更正的日期。")))
            built_in.setWordWrap(True)
            self.form.addRow(built_in)
        self.add_fields([
            ("year", _tr(QT_TRANSLATE_NOOP("HolidaysPanel", "年度")), self.year),
            (OVERRIDES_KEY, _tr(QT_TRANSLATE_NOOP("HolidaysPanel", "放假日期")), self.holidays),
            ("workdays", _tr(QT_TRANSLATE_NOOP("HolidaysPanel", "调休上班日期")), self.workdays)])
        self.holidays.setFocus()

    def submit(self) -> None:
        self.state.write(holidays.save_year, self.year.value(),
                         holidays=self.holidays.toPlainText().splitlines(),
                         workdays=self.workdays.toPlainText().splitlines(),
                         changes=Changes(settings=True))


class HolidaysPanel(QWidget):
    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.model: RowsModel[YearRow] = RowsModel(YearColumn, YEAR_COLUMNS, self)
        self.table = table_view(self.model, stretch=YearColumn.HOLIDAYS)
        self.table.setObjectName("holidaysTable")
        note = QLabel(_tr(QT_TRANSLATE_NOOP(
            "HolidaysPanel", "投诉答复期限按工作日计算。内置数据随程序更新；每年11月前后发布的下一年度"
                             "通知，可由系统管理员先行录入。未载入的年度，期限会注明“该年度节假日安排未载入”。")))
        note.setWordWrap(True)
        self.add_button = QPushButton(_tr(QT_TRANSLATE_NOOP("HolidaysPanel", "录入年度…")))
        self.edit_button = QPushButton(_tr(QT_TRANSLATE_NOOP("HolidaysPanel", "修改…")))
        self.remove_button = QPushButton(_tr(QT_TRANSLATE_NOOP("HolidaysPanel", "删除录入")))
        editable = state.can("settings.edit")
        for button, slot in ((self.add_button, self.add), (self.edit_button, self.edit),
                             (self.remove_button, self.remove)):
            button.clicked.connect(lambda _c=False, s=slot: s())
            button.setVisible(editable)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self._update_buttons()

    def refresh(self) -> None:
        self.model.set_rows(self.state.read(workdays.years))
        self.table.resizeColumnsToContents()
        self._update_buttons()

    def selected(self) -> YearRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def _update_buttons(self) -> None:
        row = self.selected()
        self.edit_button.setEnabled(row is not None)
        self.remove_button.setEnabled(row is not None and row.source == "override")

    def add(self) -> None:
        if dialogs.run(YearDialog(self.state, None, self)):
            self.refresh()

    def edit(self) -> None:
        row = self.selected()
        if row is not None and dialogs.run(YearDialog(self.state, row, self)):
            self.refresh()

    def remove(self) -> None:
        row = self.selected()
        if row is None or row.source != "override":
            return
        question = _tr(QT_TRANSLATE_NOOP("HolidaysPanel", "删除{year}年手工录入的节假日安排？"))
        if not dialogs.ask(self, _tr(QT_TRANSLATE_NOOP("HolidaysPanel", "删除录入")),
                           question.format(year=row.year)):
            return
        try:
            self.state.write(holidays.remove_year, row.year, changes=Changes(settings=True))
        except dialogs.USER_ERRORS as exc:
            dialogs.show_error(self, exc)
        self.refresh()
