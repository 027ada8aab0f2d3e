"""What falls due in the coming days, grouped by day (issue 16 §4): the dashboard's 近期到期
section (7 days) and the 30-day calendar view. Double-clicking a duty opens the record to act
on; 导出到日历 writes an .ics file Outlook and WPS calendars import."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop import clock
from desktop.services.queries import duties, ics
from desktop.services.queries.duties import Duty
from desktop.ui import dialogs, file_dialogs
from desktop.ui.app_state import AppState
from desktop.ui.i18n import service_text
from desktop.ui.translatable import QT_TRANSLATE_NOOP

WEEKDAYS = (QT_TRANSLATE_NOOP("DutiesPanel", "星期一"), QT_TRANSLATE_NOOP("DutiesPanel", "星期二"),
            QT_TRANSLATE_NOOP("DutiesPanel", "星期三"), QT_TRANSLATE_NOOP("DutiesPanel", "星期四"),
            QT_TRANSLATE_NOOP("DutiesPanel", "星期五"), QT_TRANSLATE_NOOP("DutiesPanel", "星期六"),
            QT_TRANSLATE_NOOP("DutiesPanel", "星期日"))
RED, AMBER = "#c62828", "#8d6e00"


def _tr(text: str) -> str:
    return QCoreApplication.translate("DutiesPanel", text)


def day_text(day: dt.date, today: dt.date) -> str:
    when = {0: QCoreApplication.translate("DutiesPanel", "今天"), 1: QCoreApplication.translate("DutiesPanel", "明天")}.get((day - today).days, "")
    late = QCoreApplication.translate("DutiesPanel", "（已逾期）") if day < today else ""
    return f"{day.isoformat()} {_tr(WEEKDAYS[day.weekday()])} {when}{late}".rstrip()


def target_of(duty: Duty) -> tuple[str, str, tuple[Any, ...]]:
    """(page key, method to call on that page, its arguments) — the record to act on."""
    if duty.target_type == "hazards" and duty.target_ids:
        return "hazards", "show_ids", (list(duty.target_ids), service_text(duty.text))
    if duty.target_type == "hazards" and duty.target_id is not None:
        return "hazards", "show_ids", ([duty.target_id], service_text(duty.text))
    if duty.target_type == "drills" and duty.target_id is not None:
        return "training", "show_drill", (duty.target_id,)
    if duty.kind == "training" and duty.target_id is not None:
        return "training", "show_project", (duty.target_id, "halves")
    if duty.kind == "drill" and duty.target_id is not None:
        return "training", "show_project", (duty.target_id, "drills")
    if duty.target_type == "archive" and duty.target_id is not None:
        return "archive", "show_ids", ([duty.target_id], service_text(duty.text))
    if duty.target_type == "complaints":
        return "compliance", "show_complaints", ()
    if duty.target_type == "projects" and duty.target_id is not None:
        return "projects", "open_project", (duty.target_id,)
    if duty.target_type == "documents" and duty.target_id is not None:
        return "documents", "select", (duty.target_id,)
    return "documents", "", ()


AFTER_SHOWN = {"select"}  # methods that pick from the rows the page loads when shown


class DutiesPanel(QWidget):
    """The duties due within `days`, one branch per day; `navigate` names the page opened."""

    navigate = Signal(str)

    def __init__(self, state: AppState, days: int, parent: QWidget | None = None, *,
                 kinds: tuple[str, ...] = ()) -> None:
        super().__init__(parent)
        self.state, self.days, self.kinds = state, days, kinds  # kinds: only these (all when empty)
        self.items: list[Duty] = []
        self.tree = QTreeWidget()
        self.tree.setObjectName("dutiesTree")
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels([QCoreApplication.translate("DutiesPanel", "事项"), QCoreApplication.translate("DutiesPanel", "项目"), QCoreApplication.translate("DutiesPanel", "内容")])
        self.tree.setRootIsDecorated(True)
        self.tree.setColumnWidth(0, 220)
        self.tree.setColumnWidth(1, 260)
        self.tree.itemActivated.connect(lambda item, _col: self.open_item(item))
        self.empty = QLabel()
        self.empty.setObjectName("dutiesEmpty")
        self.export_button = QPushButton(QCoreApplication.translate("DutiesPanel", "导出到日历（.ics）…"))
        self.export_button.setObjectName("dutiesExport")
        self.export_button.clicked.connect(lambda _c=False: self.export())
        self.bar = QHBoxLayout()
        self.bar.addWidget(self.empty, 1)
        self.bar.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.bar)
        layout.addWidget(self.tree, 1)

    def refresh(self) -> None:
        self.show_duties(self.state.read(duties.upcoming, days=self.days))

    def show_duties(self, items: list[Duty]) -> None:
        """Fill the list with duties already read (the dashboard reads them with its counts)."""
        self.items = [d for d in items if not self.kinds or d.kind in self.kinds]
        today = clock.today()
        self.tree.clear()
        position = {id(duty): n for n, duty in enumerate(self.items)}  # equal duties stay distinct rows
        for day, rows in duties.by_day(self.items).items():
            head = QTreeWidgetItem([day_text(day, today), "", QCoreApplication.translate("DutiesPanel", "{n} 项").format(n=len(rows))])
            font = head.font(0)
            font.setBold(True)
            head.setFont(0, font)
            for duty in rows:
                text = service_text(duty.text)
                child = QTreeWidgetItem([service_text(duty.kind_label),
                                         duty.project or QCoreApplication.translate("DutiesPanel", "全机构"), text])
                child.setData(0, Qt.ItemDataRole.UserRole, position[id(duty)])
                child.setToolTip(2, text + (QCoreApplication.translate("DutiesPanel", "\n双击打开相关记录")))
                colour = RED if duty.overdue else AMBER if duty.flagged else None
                if colour:
                    for col in range(3):
                        child.setForeground(col, QBrush(QColor(colour)))
                head.addChild(child)
            self.tree.addTopLevelItem(head)
            head.setExpanded(True)
        late = sum(1 for d in self.items if d.overdue)
        self.empty.setText(QCoreApplication.translate("DutiesPanel", "未来 {days} 天内没有到期事项。").format(days=self.days) if not self.items else
                           QCoreApplication.translate("DutiesPanel", "未来 {days} 天内到期 {n} 项，其中已逾期 {late} 项；双击打开相关记录。").format(
                               days=self.days, n=len(self.items), late=late))
        self.export_button.setEnabled(bool(self.items))

    def duty_of(self, item: QTreeWidgetItem | None) -> Duty | None:
        index = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
        return self.items[index] if isinstance(index, int) else None

    def open_item(self, item: QTreeWidgetItem | None) -> None:
        duty = self.duty_of(item)
        if duty is not None:
            self.open_duty(duty)

    def open_duty(self, duty: Duty) -> None:
        key, method, args = target_of(duty)
        finder = getattr(self.window(), "page", None)
        parent = self.parentWidget()
        if finder is None and parent is not None:
            finder = getattr(parent.window(), "page", None)
        try:
            page = finder(key) if finder is not None else None
        except KeyError:
            page = None
        if page is not None and method and hasattr(page, method) and method not in AFTER_SHOWN:
            getattr(page, method)(*args)
        self.navigate.emit(key)
        if page is not None and method in AFTER_SHOWN and hasattr(page, method):
            getattr(page, method)(*args)

    def export(self) -> None:
        name = QCoreApplication.translate("DutiesPanel", "到期事项 {date}.ics").format(date=clock.today().isoformat())
        path = file_dialogs.save_file(self, QCoreApplication.translate("DutiesPanel", "导出到日历"), name, QCoreApplication.translate("DutiesPanel", "iCalendar 日历 (*.ics)"))
        if not path:
            return
        try:
            written = ics.export(self.items, path)
        except OSError as exc:  # not a service's error: show_error would refuse it
            dialogs.warn(self, QCoreApplication.translate("DutiesPanel", "未导出"),
                         QCoreApplication.translate("DutiesPanel", "无法写入 {path}：{reason}").format(
                             path=path, reason=exc.strerror or str(exc)))
            return
        dialogs.inform(self, QCoreApplication.translate("DutiesPanel", "已导出"), QCoreApplication.translate("DutiesPanel", "已写入 {path}，共 {n} 项。可在 Outlook 或 WPS 日历中导入。").format(
            path=written, n=len(self.items)))


class DutiesDialog(QDialog):
    """The 30-day view: every day with its duties; opening a record closes the view."""

    def __init__(self, state: AppState, parent: QWidget | None = None, *, days: int = 30,
                 kinds: tuple[str, ...] = (), title: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle(title or QCoreApplication.translate(
            "DutiesPanel", "到期日历（未来 {days} 天）").format(days=days))
        self.resize(900, 560)
        self.panel = DutiesPanel(state, days, self, kinds=kinds)
        self.panel.navigate.connect(lambda _key: self.accept())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.panel, 1)
        layout.addWidget(buttons)
        self.panel.refresh()
