"""The 主管部门 tab: the districts and their construction authorities (Shaoxing's preset at set-up),
corrected or added to by the agency. A project names its authority; the district list of the
project form and filters comes from here and from the projects."""

from __future__ import annotations

from enum import IntEnum

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from desktop.models.enums import OrgKind
from desktop.services import organisations
from desktop.services.context import Changes
from desktop.services.organisations import OrgRow
from desktop.ui import dialogs
from desktop.ui.app_state import AppState
from desktop.ui.history_panel import RowsModel, table_view
from desktop.ui.lazy_model import Column
from desktop.ui.training_dialogs import RecordDialog
from desktop.ui.translatable import QT_TRANSLATE_NOOP

AUTHORITY = OrgKind.AUTHORITY.value


def _tr(text: str) -> str:
    return QCoreApplication.translate("AuthoritiesPanel", text)


class AuthorityColumn(IntEnum):
    DISTRICT, NAME, SHORT = range(3)


AUTHORITY_COLUMNS: dict[AuthorityColumn, Column[OrgRow]] = {
    AuthorityColumn.DISTRICT: Column(QT_TRANSLATE_NOOP("Columns", "区县"), lambda r: r.district),
    AuthorityColumn.NAME: Column(QT_TRANSLATE_NOOP("Columns", "主管部门"), lambda r: r.name),
    AuthorityColumn.SHORT: Column(QT_TRANSLATE_NOOP("Columns", "简称"), lambda r: r.short_name),
}


def city_of(rows: list[OrgRow]) -> int | None:
    """The city bureau the district authorities report to (the parent of the others)."""
    parents = {r.parent_id for r in rows if r.parent_id is not None}
    return next((r.id for r in rows if r.id in parents), None)


class AuthorityDialog(RecordDialog):
    """A district and its authority: new, or one of the list corrected."""

    def __init__(self, state: AppState, row: OrgRow | None, parent_id: int | None,
                 parent: QWidget | None = None) -> None:
        title = _tr(QT_TRANSLATE_NOOP("AuthoritiesPanel", "修改主管部门") if row
                    else QT_TRANSLATE_NOOP("AuthoritiesPanel", "新增主管部门"))
        super().__init__(state, title, parent)
        self.row, self.parent_id = row, parent_id
        self.district = QLineEdit(row.district if row else "")
        self.district.setPlaceholderText(_tr(QT_TRANSLATE_NOOP("AuthoritiesPanel", "如：越城区")))
        self.name = QLineEdit(row.name if row else "")
        self.name.setPlaceholderText(_tr(QT_TRANSLATE_NOOP(
            "AuthoritiesPanel", "如：越城区住房和城乡建设局")))
        self.short_name = QLineEdit(row.short_name if row else "")
        self.add_fields([
            ("district", _tr(QT_TRANSLATE_NOOP("AuthoritiesPanel", "区县")), self.district),
            ("name", _tr(QT_TRANSLATE_NOOP("AuthoritiesPanel", "主管部门名称")), self.name),
            ("short_name", _tr(QT_TRANSLATE_NOOP("AuthoritiesPanel", "简称")), self.short_name)])
        self.district.setFocus()

    def submit(self) -> None:
        if self.row is not None:
            self.state.write(organisations.update, self.row.id, name=self.name.text(),
                             short_name=self.short_name.text(), district=self.district.text(),
                             expected_version=self.row.version, changes=Changes(projects=True))
        else:
            self.state.write(organisations.ensure, kind=AUTHORITY, name=self.name.text(),
                             short_name=self.short_name.text().strip(),
                             district=self.district.text().strip(), parent_id=self.parent_id,
                             changes=Changes(projects=True))


class AuthoritiesPanel(QWidget):
    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.model: RowsModel[OrgRow] = RowsModel(AuthorityColumn, AUTHORITY_COLUMNS, self)
        self.table = table_view(self.model, stretch=AuthorityColumn.NAME)
        self.table.setObjectName("authoritiesTable")
        self.table.activated.connect(lambda _i: self.edit())
        note = QLabel(_tr(QT_TRANSLATE_NOOP(
            "AuthoritiesPanel", "首次设置时已预置绍兴市各区、县（市）及其住房和城乡建设局；"
            "名称有变化或需要其他区县时，在这里修改或新增。项目的“主管部门”从这里选择。")))
        note.setWordWrap(True)
        self.add_button = QPushButton(_tr(QT_TRANSLATE_NOOP("AuthoritiesPanel", "新增…")))
        self.add_button.setObjectName("addAuthority")
        self.edit_button = QPushButton(_tr(QT_TRANSLATE_NOOP("AuthoritiesPanel", "修改…")))
        self.edit_button.setObjectName("editAuthority")
        self.add_button.clicked.connect(lambda _c=False: self.add())
        self.edit_button.clicked.connect(lambda _c=False: self.edit())
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.edit_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        state.actor_changed.connect(lambda _a: self._update_buttons())
        self._update_buttons()

    def refresh(self) -> None:
        self.model.set_rows(self.state.read(organisations.list_orgs, AUTHORITY))
        self._update_buttons()

    def selected(self) -> OrgRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def _update_buttons(self) -> None:
        editable = self.state.can("org.edit")
        self.add_button.setEnabled(editable)
        self.edit_button.setEnabled(editable and self.selected() is not None)

    def add(self) -> bool:
        done = dialogs.run(AuthorityDialog(self.state, None, city_of(self.model.rows()), self))
        if done:
            self.refresh()
        return done

    def edit(self) -> bool:
        row = self.selected()
        if row is None or not self.state.can("org.edit"):
            return False
        done = dialogs.run(AuthorityDialog(self.state, row, row.parent_id, self))
        if done:
            self.refresh()
        return done
