"""新建/修改项目: 基本信息, 保单与参建单位, 施工阶段, 危大工程, 联系人; each error beside its field."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from itertools import pairwise
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.models.enums import ProjectStatus, ProjectType
from desktop.services import catalogues, organisations, projects, users
from desktop.services.context import ConflictError, ValidationError
from desktop.services.queries import project_list
from desktop.ui import dialogs, i18n, table_copy
from desktop.ui.app_state import AppState
from desktop.ui.date_field import DateField
from desktop.ui.lazy_model import Column, E, LazyTableModel, R
from desktop.ui.translatable import QT_TRANSLATE_NOOP
from desktop.ui.user_dialogs import ServiceDialog
from desktop.ui.widgets import ErrorLabel, require_hooks, widget_as


class OptionalDateEdit(DateField):
    """A date that may stay empty until someone sets it (tabbing through leaves it empty)."""

    def __init__(self, value: dt.date | None = None, parent: QWidget | None = None) -> None:
        super().__init__(value, optional=True, parent=parent)
        self.key = "date"  # the form field its refusal is shown under

    def value(self) -> dt.date | None:
        """The date, None when empty; ValidationError when the text typed is not a date."""
        return self.checked_date(self.key)

    def set_value(self, value: dt.date | None) -> None:
        self.set_date(value)


class FieldErrors:
    """Red messages under form fields, keyed like ValidationError.fields; the rest in `general`."""

    def __init__(self, general: ErrorLabel) -> None:
        self.general = general
        self._fields: dict[str, tuple[QWidget, ErrorLabel]] = {}

    def wrap(self, key: str, widget: QWidget, label: ErrorLabel | None = None) -> QWidget:
        """The widget with its error label below, to put in a form row."""
        label = label or ErrorLabel()
        self._fields[key] = (widget, label)
        box = QWidget()
        box.setSizePolicy(widget.sizePolicy())  # a fixed-height field keeps its row fixed
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(widget)
        layout.addWidget(label)
        return box

    def register(self, key: str, widget: QWidget, label: ErrorLabel | None = None) -> ErrorLabel:
        """A field whose error label the caller places; returns that label."""
        label = label or ErrorLabel()
        self._fields[key] = (widget, label)
        return label

    def label(self, key: str) -> ErrorLabel:
        return self._fields[key][1]

    def forget(self, prefix: str) -> None:
        for key in [k for k in self._fields if k.startswith(prefix + ".")]:
            del self._fields[key]

    def clear(self) -> None:
        self.general.show_message("")
        for _widget, label in self._fields.values():
            label.show_message("")

    def show(self, errors: dict[str, str]) -> QWidget | None:
        """Put each message beside its field; return the first field with a message."""
        self.clear()
        first: QWidget | None = None
        stray: list[str] = []
        shown: dict[str, list[str]] = {}
        for key, message in errors.items():
            target = self._match(key)
            if target is None:
                stray.append(message)
                continue
            shown.setdefault(target, []).append(message)
        for target, messages in shown.items():
            widget, label = self._fields[target]
            label.show_message("\n".join(messages))
            first = first or widget
        self.general.show_message("\n".join(stray))
        return first

    def _match(self, key: str) -> str | None:
        parts = key.split(".")
        for end in range(len(parts), 0, -1):
            candidate = ".".join(parts[:end])
            if candidate in self._fields:
                return candidate
        return None


class FieldDialog(ServiceDialog):
    """A ServiceDialog whose refusals appear under the fields they concern."""

    def __init__(self, state: AppState, title: str, parent: QWidget | None = None) -> None:
        super().__init__(state, title, parent)
        self.errors = FieldErrors(self.error)

    def field(self, key: str, text: str, widget: QWidget) -> QWidget:
        self.form.addRow(text, self.errors.wrap(key, widget))
        return widget

    def accept(self) -> None:
        try:
            self.submit()
        except ValidationError as exc:
            first = self.errors.show(i18n.field_texts(exc))
            if first is not None:
                first.setFocus()
            return
        except ConflictError as exc:
            dialogs.show_error(self, exc)
            return
        except dialogs.USER_ERRORS as exc:
            self.errors.clear()
            self.error.show_message(i18n.error_text(exc))
            return
        QDialog.accept(self)


def shrinkable(combo: QComboBox, widest: int = 230) -> None:
    """A filter combo that narrows with the window (its list still shows whole names)."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(3)
    combo.setMaximumWidth(widest)
    combo.view().setMinimumWidth(widest)


def plain_table(model: LazyTableModel[Any], name: str) -> QTableView:
    """A read-only table of whole rows, as every list in these windows is shown."""
    table = QTableView()
    table.setObjectName(name)
    table.setModel(model)
    model.setParent(table)  # the model lives as long as its view
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    # several rows may be selected: Ctrl+C copies them all
    table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setWordWrap(False)
    table.setAlternatingRowColors(True)
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 10)
    table.horizontalHeader().setStretchLastSection(True)
    table.horizontalHeader().setHighlightSections(False)
    table_copy.install(table)  # Ctrl+C copies the selected rows for Excel
    return table


def memory_model(columns: type[E], specs: Mapping[E, Column[R]], rows: Mapping[int, R],
                 **kwargs: Any) -> LazyTableModel[R]:
    """A LazyTableModel over rows already in memory (`rows` by id, filled by the caller)."""
    return LazyTableModel(columns, specs, fetch_rows=lambda ids: [rows[i] for i in ids if i in rows],
                          **kwargs)


class RowsEditor(QWidget):
    """Rows of fields under a header; rows added here are new and may be removed before saving."""

    prefix = ""  # error key prefix: "<prefix>.<n>" names the n-th submitted row
    new_row: Callable[[], list[QWidget]]  # each editor adds one empty row and returns its widgets

    def __init__(self, errors: FieldErrors, headers: tuple[str, ...], *, existing: str = "",
                 add_text: str = "") -> None:
        require_hooks(self, "new_row")
        super().__init__()
        self.errors = errors
        self.headers = headers
        self.rows: list[tuple[list[QWidget], ErrorLabel, QPushButton | None]] = []
        self.grid = QGridLayout()
        self.grid.setColumnStretch(len(headers) + 1, 1)  # spare width goes to the right
        self._headers = []
        for text in headers:
            header = QLabel(QCoreApplication.translate("ProjectDialog", text))
            header.setStyleSheet("color: #455a64; font-weight: bold;")
            self._headers.append(header)
        body = QWidget()
        inner = QVBoxLayout(body)
        inner.addLayout(self.grid)
        inner.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        layout = QVBoxLayout(self)
        if existing:
            label = QLabel(existing)
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            layout.addWidget(label)
        layout.addWidget(scroll, 1)
        self.add_button = QPushButton(add_text) if add_text else None
        if self.add_button is not None:
            self.add_button.clicked.connect(lambda: self.new_row()[0].setFocus())
            bar = QHBoxLayout()
            bar.addWidget(self.add_button)
            bar.addStretch(1)
            layout.addLayout(bar)
        self._relayout()

    def add_row(self, widgets: list[QWidget], *, removable: bool = True) -> list[QWidget]:
        remove = None
        if removable:
            remove = QPushButton(QCoreApplication.translate("ProjectDialog", "移除"))
            remove.clicked.connect(lambda: self.remove_row(widgets))
        widgets[0].setMinimumWidth(200)
        self.rows.append((widgets, ErrorLabel(), remove))
        self._relayout()
        return widgets

    def remove_row(self, widgets: list[QWidget]) -> None:
        for row in self.rows:
            if row[0] is widgets:
                self.rows.remove(row)
                for widget in (*row[0], row[1], row[2]):
                    if widget is not None:
                        widget.hide()
                        widget.deleteLater()
        self._relayout()

    def _relayout(self) -> None:
        while self.grid.count():
            self.grid.takeAt(0)
        for column, header in enumerate(self._headers):
            self.grid.addWidget(header, 0, column)
        for n, (widgets, error, remove) in enumerate(self.rows):
            for column, widget in enumerate(widgets):
                self.grid.addWidget(widget, 2 * n + 1, column)
            if remove is not None:
                self.grid.addWidget(remove, 2 * n + 1, len(widgets))
            self.grid.addWidget(error, 2 * n + 2, 0, 1, len(self.headers) + 1)

    def submitted(self, keep: list[bool]) -> None:
        """Name the rows kept for saving `<prefix>.0`, `<prefix>.1` … for their error messages."""
        self.errors.forget(self.prefix)
        kept = [row for row, wanted in zip(self.rows, keep, strict=True) if wanted]
        for n, (widgets, error, _remove) in enumerate(kept):
            self.errors.register(f"{self.prefix}.{n}", widgets[0], error)


def _name_text(widget: QWidget) -> str:
    """A stage's name: typed into a QLineEdit for a new project, shown in a QLabel once saved."""
    if isinstance(widget, QLabel):
        return widget.text()
    return widget_as(widget, QLineEdit).text()


class StagesEditor(RowsEditor):
    prefix = "stages"
    HEADERS = (QT_TRANSLATE_NOOP("ProjectDialog", "施工阶段"), QT_TRANSLATE_NOOP("ProjectDialog", "计划开始"),
               QT_TRANSLATE_NOOP("ProjectDialog", "计划结束"), QT_TRANSLATE_NOOP("ProjectDialog", "实际开始"),
               QT_TRANSLATE_NOOP("ProjectDialog", "实际结束"))

    def __init__(self, errors: FieldErrors, stages: list[projects.StageLine] | None) -> None:
        """`stages` of an existing project (names fixed), or None for a new one (editable)."""
        creating = stages is None
        super().__init__(errors, self.HEADERS, add_text=QCoreApplication.translate(
            "ProjectDialog", "添加施工阶段") if creating else "")
        self.ids: list[int | None] = []
        rows: list[tuple[str, projects.StageLine | None]] = (
            [(s.name, s) for s in stages] if stages is not None
            else [(n, None) for n in projects.DEFAULT_STAGES])
        for text, stage in rows:
            name: QWidget = QLineEdit(text) if creating else QLabel(text)
            dates = [OptionalDateEdit(d) for d in (
                (stage.planned_start, stage.planned_end, stage.actual_start, stage.actual_end)
                if stage is not None else (None, None, None, None))]
            self.add_row([name, *dates], removable=creating)
            self.ids.append(stage.id if stage is not None else None)

    def new_row(self) -> list[QWidget]:
        self.ids.append(None)
        return self.add_row([QLineEdit(), *(OptionalDateEdit() for _ in range(4))])

    def remove_row(self, widgets: list[QWidget]) -> None:
        index = [r[0] for r in self.rows].index(widgets)
        del self.ids[index]
        super().remove_row(widgets)

    def drafts(self) -> tuple[project_list.StageDraft, ...]:
        self.submitted([True] * len(self.rows))
        return tuple(project_list.StageDraft(_name_text(w[0]), stage_id,
                                             *(widget_as(d, OptionalDateEdit).value() for d in w[1:]))
                     for (w, _e, _r), stage_id in zip(self.rows, self.ids, strict=True))


DANGER_STATUSES = (("planned", QT_TRANSLATE_NOOP("ProjectDialog", "未施工")),
                   ("in_progress", QT_TRANSLATE_NOOP("ProjectDialog", "施工中")),
                   ("done", QT_TRANSLATE_NOOP("ProjectDialog", "已完成")))


def danger_status_label(status: str) -> str:
    return QCoreApplication.translate("ProjectDialog", dict(DANGER_STATUSES).get(status, status))


class DangerEditor(RowsEditor):
    prefix = "danger"
    HEADERS = (QT_TRANSLATE_NOOP("ProjectDialog", "危大工程名称"), QT_TRANSLATE_NOOP("ProjectDialog", "超危大"),
               QT_TRANSLATE_NOOP("ProjectDialog", "状态"), QT_TRANSLATE_NOOP("ProjectDialog", "计划开始"),
               QT_TRANSLATE_NOOP("ProjectDialog", "计划结束"), QT_TRANSLATE_NOOP("ProjectDialog", "规模参数"))

    def __init__(self, errors: FieldErrors, names: list[str], items: list[projects.DangerLine]) -> None:
        super_text = QCoreApplication.translate("ProjectDialog", "超危大")
        plain_text = QCoreApplication.translate("ProjectDialog", "危大")
        lines = [f"{i.name}（{super_text if i.is_super else plain_text}，"
                 f"{danger_status_label(i.status)}）" for i in items]
        existing = QCoreApplication.translate("ProjectDialog", "已登记：{items}").format(
            items="；".join(lines)) if lines else ""
        super().__init__(errors, self.HEADERS, existing=existing,
                         add_text=QCoreApplication.translate("ProjectDialog", "添加危大工程"))
        self.names = names

    def new_row(self) -> list[QWidget]:
        name = QLineEdit()
        completer = QCompleter(self.names, name)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        name.setCompleter(completer)
        status = QComboBox()
        for value, text in DANGER_STATUSES:
            status.addItem(QCoreApplication.translate("ProjectDialog", text), value)
        parameters = QLineEdit()
        parameters.setPlaceholderText(QCoreApplication.translate("ProjectDialog", "如 开挖深度 6.5m"))
        return self.add_row([name, QCheckBox(), status, OptionalDateEdit(), OptionalDateEdit(), parameters])

    def drafts(self) -> tuple[project_list.DangerDraft, ...]:
        fields = [(widget_as(w[0], QLineEdit), widget_as(w[1], QCheckBox), widget_as(w[2], QComboBox),
                   widget_as(w[3], OptionalDateEdit), widget_as(w[4], OptionalDateEdit),
                   widget_as(w[5], QLineEdit)) for w, _e, _r in self.rows]
        keep = [bool(name.text().strip() or parameters.text().strip())
                for name, *_middle, parameters in fields]
        self.submitted(keep)
        return tuple(project_list.DangerDraft(name.text(), is_super.isChecked(), status.currentData(),
                                              start.value(), end.value(), parameters.text())
                     for (name, is_super, status, start, end, parameters), wanted
                     in zip(fields, keep, strict=True) if wanted)


CONTACT_ROLES = (QT_TRANSLATE_NOOP("ProjectDialog", "项目经理"),
                 QT_TRANSLATE_NOOP("ProjectDialog", "项目技术负责人"),
                 QT_TRANSLATE_NOOP("ProjectDialog", "专职安全员"),
                 QT_TRANSLATE_NOOP("ProjectDialog", "总监理工程师"),
                 QT_TRANSLATE_NOOP("ProjectDialog", "建设单位代表"))


class ContactsEditor(RowsEditor):
    prefix = "contact"
    HEADERS = (QT_TRANSLATE_NOOP("ProjectDialog", "岗位"), QT_TRANSLATE_NOOP("ProjectDialog", "姓名"),
               QT_TRANSLATE_NOOP("ProjectDialog", "电话"))

    def __init__(self, errors: FieldErrors, contacts: list[projects.ContactLine]) -> None:
        lines = [f"{c.role} {c.name} {c.phone}".strip() for c in contacts]
        existing = QCoreApplication.translate("ProjectDialog", "已登记：{items}").format(
            items="；".join(lines)) if lines else ""
        super().__init__(errors, self.HEADERS, existing=existing,
                         add_text=QCoreApplication.translate("ProjectDialog", "添加联系人"))

    def new_row(self) -> list[QWidget]:
        role = QComboBox()
        role.setEditable(True)
        for text in CONTACT_ROLES:  # stored as the Chinese role name whatever the interface
            role.addItem(QCoreApplication.translate("ProjectDialog", text), text)
        role.setCurrentIndex(-1)
        return self.add_row([role, QLineEdit(), QLineEdit()])

    def drafts(self) -> tuple[project_list.ContactDraft, ...]:
        fields = [(widget_as(w[0], QComboBox), widget_as(w[1], QLineEdit), widget_as(w[2], QLineEdit))
                  for w, _e, _r in self.rows]
        keep = [bool(role.currentText().strip() or name.text().strip()) for role, name, _phone in fields]
        self.submitted(keep)
        out = []
        for (role, name, phone), wanted in zip(fields, keep, strict=True):
            if wanted:
                index = role.findText(role.currentText())
                text = role.itemData(index) if index >= 0 else role.currentText()
                out.append(project_list.ContactDraft(text, name.text(), phone.text()))
        return tuple(out)


def org_field(names: list[str]) -> QLineEdit:
    """A unit name typed freely, completed from the units already known."""
    field = QLineEdit()
    completer = QCompleter(names, field)
    completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    completer.setFilterMode(Qt.MatchFlag.MatchContains)
    field.setCompleter(completer)
    return field


def money(value: object) -> str:
    return "" if value in (None, "") else format(value, "f")


PARTY_LABELS = {
    "authority_id": QT_TRANSLATE_NOOP("ProjectDialog", "属地建设主管部门"),
    "owner_id": QT_TRANSLATE_NOOP("ProjectDialog", "建设单位"),
    "contractor_id": QT_TRANSLATE_NOOP("ProjectDialog", "施工单位"),
    "supervisor_id": QT_TRANSLATE_NOOP("ProjectDialog", "监理单位"),
}


class ProjectDialog(QDialog):
    """Create a project (project_id None) or edit one; saves every part in one transaction."""

    def __init__(self, state: AppState, project_id: int | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.project_id = project_id
        self.saved: projects.ProjectRow | None = None
        self.overview = state.read(project_list.overview, project_id) if project_id else None
        self.setWindowTitle(QCoreApplication.translate("ProjectDialog", "修改项目") if project_id
                            else QCoreApplication.translate("ProjectDialog", "新建项目"))
        self.errors = FieldErrors(ErrorLabel())
        self.tabs = QTabWidget()
        self.tabs.addTab(self._basic_tab(), QCoreApplication.translate("ProjectDialog", "基本信息"))
        self.tabs.addTab(self._parties_tab(), QCoreApplication.translate("ProjectDialog", "保单与参建单位"))
        detail = self.overview.detail if self.overview else None
        self.stages = StagesEditor(self.errors, detail.stages if detail else None)
        self.dangers = DangerEditor(self.errors, self._danda_names(), detail.danger_items if detail else [])
        self.contacts = ContactsEditor(self.errors, detail.contacts if detail else [])
        self.tabs.addTab(self.stages, QCoreApplication.translate("ProjectDialog", "施工阶段"))
        self.tabs.addTab(self.dangers, QCoreApplication.translate("ProjectDialog", "危大工程"))
        self.tabs.addTab(self.contacts, QCoreApplication.translate("ProjectDialog", "联系人"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.errors.general)
        layout.addWidget(buttons)
        self.resize(840, 540)
        if detail is not None:
            self._fill(detail.form)
        self.code.setFocus()

    # -- building -------------------------------------------------------------------------

    def _row(self, form: QFormLayout, key: str, text: str, widget: QWidget) -> None:
        # some styles leave ~2 px between a label and its field: half a character at least
        form.setHorizontalSpacing(max(form.horizontalSpacing(), self.fontMetrics().height() // 2))
        form.addRow(QCoreApplication.translate("ProjectDialog", text), self.errors.wrap(key, widget))

    def _basic_tab(self) -> QWidget:
        self.code, self.name, self.address = QLineEdit(), QLineEdit(), QLineEdit()
        self.code.setPlaceholderText(QCoreApplication.translate("ProjectDialog", "如 SX-2026-0001"))
        options = self.state.read(project_list.filter_options)
        self.district = QComboBox()
        self.district.setEditable(True)
        self.district.addItems(["", *options.districts])
        self.project_type, self.status = QComboBox(), QComboBox()
        for kind in ProjectType:
            self.project_type.addItem(i18n.label(kind), kind.value)
        for status in ProjectStatus:
            self.status.addItem(i18n.label(status), status.value)
        self.lead = QComboBox()
        self.lead.addItem(QCoreApplication.translate("ProjectDialog", "（未指定）"), None)
        for user in self.state.read(users.list_users, self.state.actor):
            if user.active and user.role != "reviewer":
                self.lead.addItem(user.display_name, user.id)
        self.contract_value, self.excavation_depth, self.area = QLineEdit(), QLineEdit(), QLineEdit()
        self.contract_date, self.start_date = OptionalDateEdit(), OptionalDateEdit()
        self.planned_completion, self.completion_date = OptionalDateEdit(), OptionalDateEdit()
        for key, date in (("service_contract_date", self.contract_date),
                          ("start_date", self.start_date),
                          ("planned_completion", self.planned_completion),
                          ("completion_date", self.completion_date)):
            date.key = key
        self.managers, self.workers = QSpinBox(), QSpinBox()
        for box in (self.managers, self.workers):
            box.setRange(0, 100_000)
            box.setSuffix(QCoreApplication.translate("ProjectDialog", " 人"))
        self.notes = QPlainTextEdit()
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(60)
        left, right = QFormLayout(), QFormLayout()
        for form, rows in ((left, (
                ("code", QT_TRANSLATE_NOOP("ProjectDialog", "项目编号 *"), self.code),
                ("name", QT_TRANSLATE_NOOP("ProjectDialog", "项目名称 *"), self.name),
                ("address", QT_TRANSLATE_NOOP("ProjectDialog", "工程地址"), self.address),
                ("district", QT_TRANSLATE_NOOP("ProjectDialog", "所在区县"), self.district),
                ("project_type", QT_TRANSLATE_NOOP("ProjectDialog", "工程类型"), self.project_type),
                ("status", QT_TRANSLATE_NOOP("ProjectDialog", "项目状态"), self.status),
                ("lead_user_id", QT_TRANSLATE_NOOP("ProjectDialog", "项目负责人"), self.lead),
                ("notes", QT_TRANSLATE_NOOP("ProjectDialog", "备注"), self.notes))),
                (right, (
                ("contract_value", QT_TRANSLATE_NOOP("ProjectDialog", "工程合同价（元）"),
                 self.contract_value),
                ("excavation_depth_m", QT_TRANSLATE_NOOP("ProjectDialog", "基坑开挖深度（米）"), self.excavation_depth),
                ("floor_area_m2", QT_TRANSLATE_NOOP("ProjectDialog", "建筑面积（平方米）"), self.area),
                ("service_contract_date", QT_TRANSLATE_NOOP("ProjectDialog", "风控服务合同签订"),
                 self.contract_date),
                ("start_date", QT_TRANSLATE_NOOP("ProjectDialog", "开工日期"), self.start_date),
                ("planned_completion", QT_TRANSLATE_NOOP("ProjectDialog", "计划竣工日期"),
                 self.planned_completion),
                ("completion_date", QT_TRANSLATE_NOOP("ProjectDialog", "竣工日期"), self.completion_date),
                ("headcount_managers", QT_TRANSLATE_NOOP("ProjectDialog", "管理人员"), self.managers),
                ("headcount_workers", QT_TRANSLATE_NOOP("ProjectDialog", "作业人员"), self.workers)))):
            for key, text, widget in rows:
                self._row(form, key, text, widget)
        page = QWidget()
        grid = QGridLayout(page)
        grid.setHorizontalSpacing(24)
        grid.addLayout(left, 0, 0)
        grid.addLayout(right, 0, 1)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)
        grid.setRowStretch(1, 1)
        chain = (self.code, self.name, self.address, self.district, self.project_type, self.status,
                 self.lead, self.notes, self.contract_value, self.excavation_depth, self.area, self.contract_date,
                 self.start_date, self.planned_completion, self.completion_date, self.managers,
                 self.workers)
        for first, second in pairwise(chain):  # down the left column, then the right
            QWidget.setTabOrder(first, second)
        return page

    def _parties_tab(self) -> QWidget:
        names = {kind: [o.name for o in self.state.read(organisations.list_orgs, kind)]
                 for kind in ("insurer", "authority", "owner", "contractor", "supervisor")}
        policy_box = QGroupBox(QCoreApplication.translate("ProjectDialog", "安责险保单"))
        policy = QFormLayout(policy_box)
        known = self.overview.detail.policies if self.overview else []
        org_names = self.overview.org_names if self.overview else {}
        if known:
            lines = [f"{p.policy_no}　{org_names.get(p.insurer_id, '')}" for p in known]
            existing = QLabel("\n".join(lines))
            existing.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            policy.addRow(QCoreApplication.translate("ProjectDialog", "已登记保单"), existing)
            note = QLabel(QCoreApplication.translate(
                "ProjectDialog", "续保或新增保单时填写以下各项；不填则不新增。"))
            note.setStyleSheet("color: #607d8b;")
            policy.addRow(note)
        self.policy_no, self.insurer = QLineEdit(), org_field(names["insurer"])
        self.policy_start, self.policy_end = OptionalDateEdit(), OptionalDateEdit()
        self.policy_start.key, self.policy_end.key = "policy.start_date", "policy.end_date"
        self.premium, self.fee = QLineEdit(), QLineEdit()
        period = QWidget()
        period_row = QHBoxLayout(period)
        period_row.setContentsMargins(0, 0, 0, 0)
        period_row.addWidget(self.policy_start)
        period_row.addWidget(QLabel(QCoreApplication.translate("ProjectDialog", "至")))
        period_row.addWidget(self.policy_end)
        period_row.addStretch(1)
        self.errors.register("policy.start_date", self.policy_start)
        for key, text, widget in (
                ("policy.policy_no", QT_TRANSLATE_NOOP("ProjectDialog", "保单号"), self.policy_no),
                ("policy.insurer_id", QT_TRANSLATE_NOOP("ProjectDialog", "承保机构"), self.insurer),
                ("policy.end_date", QT_TRANSLATE_NOOP("ProjectDialog", "保险期间"), period),
                ("policy.premium", QT_TRANSLATE_NOOP("ProjectDialog", "保费（元）"), self.premium),
                ("policy.prevention_fee", QT_TRANSLATE_NOOP("ProjectDialog", "事故预防费用（元）"), self.fee)):
            self._row(policy, key, text, widget)
        parties_box = QGroupBox(QCoreApplication.translate("ProjectDialog", "参建单位"))
        parties = QFormLayout(parties_box)
        self.parties: dict[str, QLineEdit] = {}
        for (key, kind) in project_list.PARTIES:
            self.parties[key] = org_field(names[kind])
            self._row(parties, key, PARTY_LABELS[key], self.parties[key])
        hint = QLabel(QCoreApplication.translate(
            "ProjectDialog", "单位名称可从已登记的单位中选择；输入新名称则保存时自动登记。"))
        hint.setStyleSheet("color: #607d8b;")
        parties.addRow(hint)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(policy_box)
        layout.addWidget(parties_box)
        layout.addStretch(1)
        return page

    def _danda_names(self) -> list[str]:
        items = [*self.state.read(catalogues.search_items, "danda", "", 500),
                 *self.state.read(catalogues.search_items, "chaowei", "", 500)]
        return sorted({i.category for i in items if i.category})

    def _fill(self, form: projects.ProjectForm) -> None:
        self.code.setText(form.code)
        self.name.setText(form.name)
        self.address.setText(form.address)
        self.district.setCurrentText(form.district)
        self.project_type.setCurrentIndex(max(0, self.project_type.findData(form.project_type)))
        self.status.setCurrentIndex(max(0, self.status.findData(form.status)))
        self.lead.setCurrentIndex(max(0, self.lead.findData(form.lead_user_id)))
        self.contract_value.setText(money(form.contract_value))
        self.excavation_depth.setText(money(form.excavation_depth_m))
        self.area.setText(money(form.floor_area_m2))
        for widget, value in ((self.contract_date, form.service_contract_date),
                              (self.start_date, form.start_date),
                              (self.planned_completion, form.planned_completion),
                              (self.completion_date, form.completion_date)):
            widget.set_value(value)
        self.managers.setValue(form.headcount_managers)
        self.workers.setValue(form.headcount_workers)
        self.notes.setPlainText(form.notes)
        names = self.overview.org_names if self.overview else {}
        for key, field in self.parties.items():
            field.setText(names.get(getattr(form, key) or 0, ""))

    # -- saving ---------------------------------------------------------------------------

    def bundle(self) -> project_list.ProjectBundle:
        form = projects.ProjectForm(
            code=self.code.text(), name=self.name.text(), address=self.address.text().strip(),
            district=self.district.currentText().strip(), project_type=self.project_type.currentData(),
            contract_value=self.contract_value.text().strip() or None,
            excavation_depth_m=self.excavation_depth.text().strip() or None,
            floor_area_m2=self.area.text().strip() or None, status=self.status.currentData(),
            service_contract_date=self.contract_date.value(), start_date=self.start_date.value(),
            planned_completion=self.planned_completion.value(),
            completion_date=self.completion_date.value(), headcount_managers=self.managers.value(),
            headcount_workers=self.workers.value(), lead_user_id=self.lead.currentData(),
            notes=self.notes.toPlainText().strip())
        policy = None
        if any(w.text().strip() for w in (self.policy_no, self.insurer, self.premium, self.fee)):
            policy = project_list.PolicyDraft(
                self.policy_no.text(), self.insurer.text(), self.policy_start.value(),
                self.policy_end.value(), self.premium.text().strip(), self.fee.text().strip())
        detail = self.overview.detail if self.overview else None
        return project_list.ProjectBundle(
            form=form, parties={k: f.text() for k, f in self.parties.items()}, policy=policy,
            stages=self.stages.drafts(), danger_items=self.dangers.drafts(),
            contacts=self.contacts.drafts(), project_id=self.project_id,
            expected_version=detail.project.version if detail else None)

    def accept(self) -> None:
        try:
            saved = self.state.write(project_list.save_project, self.bundle())
        except ValidationError as exc:
            self._show_errors(i18n.field_texts(exc))
            return
        except ConflictError as exc:
            dialogs.show_error(self, exc)
            return
        except dialogs.USER_ERRORS as exc:
            self.errors.clear()
            self.errors.general.show_message(i18n.error_text(exc))
            return
        self.saved = saved.row
        super().accept()

    def _show_errors(self, fields: dict[str, str]) -> None:
        widget = self.errors.show(fields)
        if widget is None:
            return
        for index in range(self.tabs.count()):
            tab = self.tabs.widget(index)
            if tab is not None and tab.isAncestorOf(widget):
                self.tabs.setCurrentIndex(index)
                break
        widget.setFocus()
