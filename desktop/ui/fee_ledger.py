"""One policy's prevention-fee ledger (N-17, 据实列支 专款专用): the budget, the entries with their
running balance, the services delivered against those booked, the balance and an overspent
warning; entries are added and voided in dialogs that call desktop.services.fees."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QCoreApplication, QModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.services import fees, permissions, projects
from desktop.services.context import Changes, PermissionDenied
from desktop.services.fees import FeeForm, FeeRow, Ledger, ServiceLine, ServiceRecord
from desktop.ui import dialogs, i18n
from desktop.ui.app_state import AppState
from desktop.ui.history_panel import Index, R, RowsModel, table_view
from desktop.ui.lazy_model import CENTER, RIGHT, ROW_ROLE, Column, E
from desktop.ui.training_dialogs import RecordDialog, date_edit, project_combo, text_box
from desktop.ui.translatable import QT_TRANSLATE_NOOP

RED, ORANGE, GREEN, GREY = "#c62828", "#ef6c00", "#2e7d32", "#78909c"

KIND_TEXT = {"budget": QT_TRANSLATE_NOOP("FeeLedger", "预算（预防费用拨付）"),
             "service": QT_TRANSLATE_NOOP("FeeLedger", "服务支出"),
             "adjustment": QT_TRANSLATE_NOOP("FeeLedger", "调整")}
SERVICE_TEXT = {"inspection": QT_TRANSLATE_NOOP("FeeLedger", "风险辨识与隐患排查"),
                "training": QT_TRANSLATE_NOOP("FeeLedger", "安全教育培训"),
                "drill": QT_TRANSLATE_NOOP("FeeLedger", "应急演练"),
                "emergency_plan": QT_TRANSLATE_NOOP("FeeLedger", "应急预案编制"),
                "report": QT_TRANSLATE_NOOP("FeeLedger", "服务成果与报告"),
                "consulting": QT_TRANSLATE_NOOP("FeeLedger", "技术咨询"),
                "other": QT_TRANSLATE_NOOP("FeeLedger", "其他")}
RECORD_TEXT = {"inspection": QT_TRANSLATE_NOOP("FeeLedger", "检查"),
               "training_session": QT_TRANSLATE_NOOP("FeeLedger", "培训"),
               "drill": QT_TRANSLATE_NOOP("FeeLedger", "演练"),
               "emergency_plan_assist": QT_TRANSLATE_NOOP("FeeLedger", "应急预案")}


def _tr(text: str) -> str:
    return QCoreApplication.translate("FeeLedger", text)


def kind_text(kind: str) -> str:
    return _tr(KIND_TEXT[kind]) if kind in KIND_TEXT else kind


def service_text(kind: str) -> str:
    return _tr(SERVICE_TEXT[kind]) if kind in SERVICE_TEXT else kind


def record_text(record: ServiceRecord | None) -> str:
    """A service record as the ledger names it: type, date, title (and whether deleted since)."""
    if record is None:
        return ""
    kind = _tr(RECORD_TEXT[record.ref_type]) if record.ref_type in RECORD_TEXT else record.ref_type
    text = f"{kind} {record.date.isoformat()} {i18n.service_text(record.title)}"
    if record.deleted:
        text += _tr(QT_TRANSLATE_NOOP("FeeLedger", "（已删除）"))
    return text


def money(value: Decimal) -> str:
    return f"{value:,.2f}"


class TintedRows(RowsModel[R]):
    """RowsModel whose rows may have a text colour (overdue, overspent, not booked)."""

    def __init__(self, columns: type[E], specs: Mapping[E, Column[R]],
                 colour: Callable[[R], str | None], parent: Any = None) -> None:
        super().__init__(columns, specs, parent)
        self._colour = colour

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole:
            row = self.row_at(index.row()) if index.isValid() else None
            colour = self._colour(row) if row is not None else None
            return QColor(colour) if colour else None
        return super().data(index, role)


class EntryColumn(IntEnum):
    DATE, KIND, SERVICE, DESCRIPTION, RECORD, AMOUNT, BALANCE = range(7)


def _signed(r: FeeRow) -> Decimal:
    return -r.amount if r.kind == "service" else r.amount


ENTRY_COLUMNS: dict[EntryColumn, Column[FeeRow]] = {
    EntryColumn.DATE: Column(QT_TRANSLATE_NOOP("Columns", "日期"), lambda r: r.date, CENTER),
    EntryColumn.KIND: Column(QT_TRANSLATE_NOOP("Columns", "类别"), lambda r: kind_text(r.kind)),
    EntryColumn.SERVICE: Column(QT_TRANSLATE_NOOP("Columns", "服务类别"),
                                lambda r: service_text(r.service_kind) if r.service_kind else ""),
    EntryColumn.DESCRIPTION: Column(QT_TRANSLATE_NOOP("Columns", "摘要"), lambda r: r.description),
    EntryColumn.RECORD: Column(QT_TRANSLATE_NOOP("Columns", "关联服务记录"),
                               lambda r: record_text(r.record)),
    EntryColumn.AMOUNT: Column(QT_TRANSLATE_NOOP("Columns", "金额（元）"), _signed, RIGHT),
    EntryColumn.BALANCE: Column(QT_TRANSLATE_NOOP("Columns", "余额（元）"), lambda r: r.balance, RIGHT),
}


class ServiceColumn(IntEnum):
    SERVICE, DELIVERED, BOOKED, AMOUNT, STATE = range(5)


def _booking(s: ServiceLine) -> str:
    if s.delivered > s.booked:
        return _tr(QT_TRANSLATE_NOOP("FeeLedger", "{n} 次未列支")).format(n=s.delivered - s.booked)
    if s.booked:
        return _tr(QT_TRANSLATE_NOOP("FeeLedger", "已列支"))
    return ""


SERVICE_COLUMNS: dict[ServiceColumn, Column[ServiceLine]] = {
    ServiceColumn.SERVICE: Column(QT_TRANSLATE_NOOP("Columns", "服务类别"),
                                  lambda s: service_text(s.service_kind)),
    ServiceColumn.DELIVERED: Column(QT_TRANSLATE_NOOP("Columns", "已提供（次）"), lambda s: s.delivered, RIGHT),
    ServiceColumn.BOOKED: Column(QT_TRANSLATE_NOOP("Columns", "已列支（笔）"), lambda s: s.booked, RIGHT),
    ServiceColumn.AMOUNT: Column(QT_TRANSLATE_NOOP("Columns", "支出（元）"), lambda s: s.amount, RIGHT),
    ServiceColumn.STATE: Column(QT_TRANSLATE_NOOP("Columns", "列支情况"), _booking, CENTER),
}


class FeeEntryDialog(RecordDialog):
    """Add one ledger entry: a budget, a service's cost (linked, when chosen, to the service
    record it pays for), or an adjustment with its reason."""

    def __init__(self, state: AppState, policy_id: int, parent: QWidget | None = None) -> None:
        super().__init__(state, _tr(QT_TRANSLATE_NOOP("FeeLedger", "登记预防费用")), parent)
        self.policy_id = policy_id
        self.date = date_edit()
        self.kind = QComboBox()
        for value in KIND_TEXT:
            self.kind.addItem(kind_text(value), value)
        self.kind.setCurrentIndex(self.kind.findData("service"))
        self.service_kind = QComboBox()
        for value in SERVICE_TEXT:
            self.service_kind.addItem(service_text(value), value)
        # the project's service records not yet booked in this ledger, newest first
        self.records = [r for r in state.read(fees.service_records, policy_id) if not r.booked]
        self.record = project_combo(
            [(n, record_text(r)) for n, r in enumerate(self.records)],
            everything=_tr(QT_TRANSLATE_NOOP("FeeLedger", "不关联服务记录")))
        self.record.setObjectName("feeRecord")
        self.amount = QLineEdit()
        self.amount.setPlaceholderText(_tr(QT_TRANSLATE_NOOP("FeeLedger", "元，如 3000 或 3,000.00；调整可为负数")))
        self.description = text_box("", 64)
        self.add_fields([
            ("date", _tr(QT_TRANSLATE_NOOP("FeeLedger", "日期")), self.date),
            ("kind", _tr(QT_TRANSLATE_NOOP("FeeLedger", "类别")), self.kind),
            ("service_kind", _tr(QT_TRANSLATE_NOOP("FeeLedger", "服务类别")), self.service_kind),
            ("ref_id", _tr(QT_TRANSLATE_NOOP("FeeLedger", "关联服务记录")), self.record),
            ("amount", _tr(QT_TRANSLATE_NOOP("FeeLedger", "金额（元）")), self.amount),
            ("description", _tr(QT_TRANSLATE_NOOP("FeeLedger", "摘要")), self.description)])
        self.kind.currentIndexChanged.connect(lambda _i: self._kind_changed())
        self.record.currentIndexChanged.connect(lambda _i: self._record_changed())
        self._kind_changed()
        self.created: FeeRow | None = None
        self.amount.setFocus()

    def chosen_record(self) -> ServiceRecord | None:
        n = self.record.currentData()
        return None if n is None else self.records[n]

    def _kind_changed(self) -> None:
        service = self.kind.currentData() == "service"
        if not service:
            self.record.setCurrentIndex(0)  # only a service's cost books a service record
        self.record.setEnabled(service and bool(self.records))
        self.service_kind.setEnabled(service and self.chosen_record() is None)

    def _record_changed(self) -> None:
        """A linked record sets the service kind (the service checks they agree) and, when the
        summary is empty, fills it in."""
        record = self.chosen_record()
        if record is not None:
            self.service_kind.setCurrentIndex(self.service_kind.findData(record.service_kind))
            if not self.description.toPlainText().strip():
                self.description.setPlainText(record_text(record))
        self.service_kind.setEnabled(self.kind.currentData() == "service" and record is None)

    def submit(self) -> None:
        kind = self.kind.currentData()
        record = self.chosen_record() if kind == "service" else None
        form = FeeForm(date=self.date.required_date("date"), kind=kind, amount=self.amount.text(),
                       service_kind=self.service_kind.currentData() if kind == "service" else "",
                       description=self.description.toPlainText(),
                       ref_type=record.ref_type if record else "",
                       ref_id=record.ref_id if record else None)
        self.created = self.state.write(fees.add_entry, self.policy_id, form)


class VoidEntryDialog(RecordDialog):
    """Take a wrong entry out of the ledger; the reason stays in the record's history."""

    def __init__(self, state: AppState, entry: FeeRow, parent: QWidget | None = None) -> None:
        super().__init__(state, _tr(QT_TRANSLATE_NOOP("FeeLedger", "作废台账记录")), parent)
        self.entry = entry
        what = QLabel(_tr(QT_TRANSLATE_NOOP("FeeLedger", "{date}　{kind}　{amount} 元　{text}")).format(
            date=entry.date, kind=kind_text(entry.kind), amount=money(entry.amount),
            text=entry.description))
        what.setWordWrap(True)
        self.form.addRow(_tr(QT_TRANSLATE_NOOP("FeeLedger", "记录")), what)
        self.reason = text_box("", 64)
        self.add_field("reason", _tr(QT_TRANSLATE_NOOP("FeeLedger", "作废原因")), self.reason)
        self.reason.setFocus()

    def submit(self) -> None:
        self.state.write(fees.void_entry, self.entry.id, reason=self.reason.toPlainText())


class FeeLedger(QWidget):
    """The ledger of one of the project's policies: `load(project_id)` picks the first policy."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.project_id: int | None = None
        self.ledger: Ledger | None = None
        self.policy = QComboBox()
        self.policy.setObjectName("feePolicy")
        self.policy.currentIndexChanged.connect(lambda _i: self.refresh())
        self.policy_caption = QLabel(_tr(QT_TRANSLATE_NOOP("FeeLedger", "保单(&P)")))
        self.policy_caption.setBuddy(self.policy)
        self.summary = QLabel()
        self.summary.setObjectName("feeSummary")
        self.summary.setWordWrap(True)
        self.warning = QLabel()
        self.warning.setObjectName("feeWarning")
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet(f"color: {RED}; font-weight: bold;")
        self.empty = QLabel()
        self.empty.setStyleSheet(f"color: {GREY}; padding: 6px 2px;")
        self.entries: TintedRows[FeeRow] = TintedRows(
            EntryColumn, ENTRY_COLUMNS, lambda r: RED if r.balance < 0 else None, self)
        self.table = table_view(self.entries, stretch=EntryColumn.DESCRIPTION)
        self.table.setObjectName("feeEntryTable")
        self.table.selectionModel().currentChanged.connect(lambda _c, _p: self._enable())
        self.services: TintedRows[ServiceLine] = TintedRows(
            ServiceColumn, SERVICE_COLUMNS, lambda s: ORANGE if s.delivered > s.booked else None, self)
        self.service_table = table_view(self.services, stretch=ServiceColumn.SERVICE)
        self.service_table.setObjectName("feeServiceTable")
        self.budget_button = self._button(QT_TRANSLATE_NOOP("FeeLedger", "按保单开立预算(&B)"),
                                          self.open_budget, "feeBudget")
        self.add_button = self._button(QT_TRANSLATE_NOOP("FeeLedger", "登记费用(&A)…"),
                                       self.add_entry, "feeAdd")
        self.void_button = self._button(QT_TRANSLATE_NOOP("FeeLedger", "作废(&V)…"),
                                        self.void_entry, "feeVoid")
        bar = QHBoxLayout()
        bar.addWidget(self.policy_caption)
        bar.addWidget(self.policy)
        bar.addStretch(1)
        for widget in (self.budget_button, self.add_button, self.void_button):
            bar.addWidget(widget)
        services_title = QLabel(_tr(QT_TRANSLATE_NOOP("FeeLedger", "服务提供与列支")))
        services_title.setStyleSheet("font-weight: bold;")
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.summary)
        layout.addWidget(self.warning)
        layout.addWidget(self.empty)
        layout.addWidget(self.table, 3)
        layout.addWidget(services_title)
        layout.addWidget(self.service_table, 2)
        state.actor_changed.connect(self._actor_changed)
        self._show(None)

    def _actor_changed(self, _actor: object) -> None:
        self._enable()

    def _button(self, text: str, slot: Callable[[], None], name: str) -> QPushButton:
        widget = QPushButton(_tr(text))
        widget.setObjectName(name)
        widget.clicked.connect(lambda _c=False: slot())
        return widget

    # -- loading ------------------------------------------------------------------------------

    def load(self, project_id: int) -> None:
        """Show the project's policies in the chooser, keeping the one chosen where it is still there."""
        self.project_id = project_id
        chosen = self.policy.currentData()
        detail = self.state.read(projects.get_detail, project_id)
        self.policy.blockSignals(True)
        self.policy.clear()
        for p in detail.policies:
            self.policy.addItem(p.policy_no, p.id)
        self.policy.setCurrentIndex(max(0, self.policy.findData(chosen)))
        self.policy.blockSignals(False)
        several = self.policy.count() > 1
        self.policy.setVisible(several)
        self.policy_caption.setVisible(several)
        self.refresh()

    def policy_id(self) -> int | None:
        chosen: int | None = self.policy.currentData()
        return chosen

    def refresh(self) -> None:
        policy_id = self.policy_id()
        self._show(self.state.read(fees.ledger, policy_id) if policy_id is not None else None)

    def _show(self, ledger: Ledger | None) -> None:
        self.ledger = ledger
        self.entries.set_rows(ledger.entries if ledger else ())
        self.services.set_rows(ledger.services if ledger else ())
        if ledger is None:
            self.summary.setText("")
            self.warning.setText("")
            self.warning.hide()
            self.empty.setText(_tr(QT_TRANSLATE_NOOP(
                "FeeLedger", "该项目尚未登记安责险保单，无法建立预防费用台账。"))
                if self.project_id is not None else "")
            self.empty.setVisible(self.project_id is not None)
            self._enable()
            return
        period = f"{ledger.start_date or ''} ~ {ledger.end_date or ''}"
        self.summary.setText(_tr(QT_TRANSLATE_NOOP(
            "FeeLedger", "保单 {no}（{insurer}，{period}）：预算 {budget} 元，调整 {adjust} 元，"
            "服务支出 {spent} 元，余额 {balance} 元")).format(
            no=ledger.policy_no, insurer=ledger.insurer_name, period=period,
            budget=money(ledger.budget), adjust=money(ledger.adjustments),
            spent=money(ledger.spent), balance=money(ledger.balance)))
        self.summary.setStyleSheet(f"color: {RED if ledger.overspent else GREEN};")
        warnings = []
        if ledger.overspent:
            warnings.append(_tr(QT_TRANSLATE_NOOP("FeeLedger", "已超支 {amount} 元：预防费用应专款专用、据实列支，请核对。"))
                            .format(amount=money(-ledger.balance)))
        if not ledger.has_budget:
            warnings.append(_tr(QT_TRANSLATE_NOOP("FeeLedger", "尚未登记预算。")))
        elif ledger.budget_differs:
            warnings.append(_tr(QT_TRANSLATE_NOOP("FeeLedger", "登记的预算与保单约定的预防费用 {fee} 元不一致。"))
                            .format(fee=money(ledger.prevention_fee or Decimal(0))))
        if ledger.unbooked:
            warnings.append(_tr(QT_TRANSLATE_NOOP("FeeLedger", "有 {n} 次已提供的服务尚未列支。"))
                            .format(n=ledger.unbooked))
        self.warning.setText("\n".join(warnings))
        self.warning.setVisible(bool(warnings))
        self.empty.setText(_tr(QT_TRANSLATE_NOOP("FeeLedger", "台账中还没有记录。")))
        self.empty.setVisible(not ledger.entries)
        self.table.resizeColumnsToContents()
        self._enable()

    def _enable(self) -> None:
        may = self.state.can("fee.edit")
        ledger = self.ledger
        have = ledger is not None
        self.add_button.setEnabled(have and may)
        self.budget_button.setEnabled(ledger is not None and may and not ledger.has_budget
                                      and bool(ledger.prevention_fee))
        self.void_button.setEnabled(have and may and self.current_entry() is not None)

    def current_entry(self) -> FeeRow | None:
        index = self.table.currentIndex()
        return self.entries.data(index, ROW_ROLE) if index.isValid() else None

    def select_entry(self, entry_id: int) -> None:
        for row, entry in enumerate(self.entries.rows()):
            if entry.id == entry_id:
                self.table.setCurrentIndex(self.entries.index(row, 0))
                return
        self.table.setCurrentIndex(QModelIndex())

    # -- acting -------------------------------------------------------------------------------

    def _allowed(self) -> bool:
        """Whether the user may edit the ledger; a refusal is told through the dialogs seam."""
        try:
            permissions.require(self.state.actor, "fee.edit")
        except PermissionDenied as exc:
            dialogs.show_error(self, exc)
            return False
        return True

    def _changes(self) -> Changes:
        return Changes().touch("projects", self.project_id) if self.project_id is not None else Changes()

    def add_entry(self) -> None:
        policy_id = self.policy_id()
        if policy_id is None or not self._allowed():
            return
        dialog = FeeEntryDialog(self.state, policy_id, self)
        if dialogs.run(dialog):
            self.refresh()
            if dialog.created is not None:
                self.select_entry(dialog.created.id)
            self.state.announce(self._changes())

    def void_entry(self) -> None:
        entry = self.current_entry()
        if entry is None or not self._allowed():
            return
        if dialogs.run(VoidEntryDialog(self.state, entry, self)):
            self.refresh()
            self.state.announce(self._changes())

    def open_budget(self) -> None:
        """Open the ledger with the prevention fee stated in the policy."""
        policy_id = self.policy_id()
        if policy_id is None or not self._allowed():
            return
        try:
            self.state.write(fees.ensure_budget, policy_id)
        except dialogs.USER_ERRORS as exc:
            dialogs.show_error(self, exc)
            return
        self.refresh()
        self.state.announce(self._changes())
