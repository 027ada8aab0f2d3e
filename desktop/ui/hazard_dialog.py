"""Record a hazard, or edit an open one: every N-10 field, the major-hazard item, photos.

Saving runs on a worker (services.hazards.record, then the photos through photo_import);
the service's field messages come back beside their fields. A very similar open hazard on the
same project is offered as the one this repeats (repeat_of_id) before anything is saved.
"""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QStringListModel,
    Qt,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desktop import clock
from desktop.models.enums import AttachmentRole, InspectionKind, StopWork
from desktop.services import documents, hazards, major_hazards, organisations
from desktop.services.catalogues import CatalogueItemRow
from desktop.services.context import Changes, ConflictError, ValidationError
from desktop.services.documents import DocumentRow
from desktop.services.exchange import photo_import
from desktop.services.hazards import HazardForm, HazardRow
from desktop.services.queries import hazard_view, register, similar
from desktop.ui import dialogs, i18n
from desktop.ui.app_state import AppState
from desktop.ui.catalogue_picker import CataloguePicker, unverified_note
from desktop.ui.date_field import DateField, DateTimeField
from desktop.ui.photo_strip import PhotoStrip
from desktop.ui.register_filters import level_combo, searchable
from desktop.ui.tasks import Task, handle_failure, run_service, run_task
from desktop.ui.translatable import QT_TRANSLATE_NOOP
from desktop.ui.widgets import ErrorLabel
from desktop.vocabulary import HAZARD_LEVEL_COLOURS

COLOUR_NAMES = {1: QT_TRANSLATE_NOOP("HazardDialog", "红色"), 2: QT_TRANSLATE_NOOP("HazardDialog", "橙色"),
                3: QT_TRANSLATE_NOOP("HazardDialog", "黄色"), 4: QT_TRANSLATE_NOOP("HazardDialog", "蓝色")}
CHIP = "background: {colour}; color: {ink}; border-radius: 3px; padding: 2px 8px;"


def text_box(lines: int = 3) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setTabChangesFocus(True)
    box.setFixedHeight(box.fontMetrics().lineSpacing() * lines + 14)
    return box


class HazardDialog(QDialog):
    """New when `hazard_id` is None; `saved` holds the HazardRow once stored."""

    def __init__(self, state: AppState, *, project_id: int | None = None,
                 inspection_id: int | None = None, hazard_id: int | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.hazard_id = hazard_id
        self.detail: hazard_view.HazardDetail | None = None
        self.item: CatalogueItemRow | None = None
        self.saved: HazardRow | None = None
        self.letter: DocumentRow | None = None  # the stop-work letter drafted right after saving
        self.repeat_of: int | None = None
        # what a standard item's proposal changed: (level, stop-work) before it, and as proposed
        self._proposal: tuple[Any, Any, Any, Any] | None = None
        self._deadline_edited = False
        self._busy = False
        self.errors: dict[str, ErrorLabel] = {}
        self.setWindowTitle(
            QCoreApplication.translate("HazardDialog", "修改隐患") if hazard_id
            else QCoreApplication.translate("HazardDialog", "登记隐患"))
        self._build()
        self._load_choices(project_id, inspection_id)
        if hazard_id is not None:
            self._load_hazard(hazard_id)
        self._connect()
        self._level_changed()
        self.resize(1040, self.sizeHint().height())

    # -- building ------------------------------------------------------------------------------

    def _field(self, form: QFormLayout, label: str, widget: QWidget | Any, key: str) -> None:
        """A form row whose field has its own red message line beneath it."""
        box = QWidget()
        box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(1)
        column.addWidget(widget) if isinstance(widget, QWidget) else column.addLayout(widget)
        self.errors[key] = ErrorLabel()
        column.addWidget(self.errors[key])
        form.addRow(label, box)

    def _build(self) -> None:
        self.project = QComboBox()
        searchable(self.project)
        self.inspection = QComboBox()
        self.pick = QPushButton(
            QCoreApplication.translate("HazardDialog", "对照重大事故隐患判定标准…"))
        self.clear_item = QPushButton(QCoreApplication.translate("HazardDialog", "不是重大隐患"))
        self.item_label = QLabel(
            QCoreApplication.translate("HazardDialog", "未对照判定条目（一般隐患）"))
        self.item_text = QLabel()
        self.item_note = QLabel(
            QCoreApplication.translate("HazardDialog", "⚠ 未经核对原文：出具文书前请核对标准原文"))
        self.item_note.setToolTip(unverified_note())
        self.item_note.setStyleSheet("color: #c62828; font-weight: bold;")
        for label in (self.item_label, self.item_text, self.item_note):
            # one line each, clipped in a narrow window; the whole text is in the tooltip
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.item_note.hide()
        self.item_text.hide()
        picker = QVBoxLayout()
        buttons = QHBoxLayout()
        buttons.addWidget(self.pick)
        buttons.addWidget(self.clear_item)
        buttons.addStretch(1)
        picker.addLayout(buttons)
        picker.addWidget(self.item_label)
        picker.addWidget(self.item_text)
        picker.addWidget(self.item_note)
        self.location = QLineEdit()
        self.description = text_box(3)
        self.category = QLineEdit()
        self.category.setPlaceholderText(
            QCoreApplication.translate("HazardDialog", "如：高处坠落、物体打击、触电"))
        self._categories = QStringListModel(self)
        completer = QCompleter(self._categories, self)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.category.setCompleter(completer)
        self.level = level_combo()
        # no level is preselected: whoever records the hazard chooses one (or a standard item does)
        self.level.setPlaceholderText(QCoreApplication.translate("HazardDialog", "（请选择等级）"))
        self.level.setCurrentIndex(-1)
        self.level_reason = QLabel()
        self.level_reason.setObjectName("levelReason")
        self.level_reason.setWordWrap(True)
        self.level_reason.setStyleSheet("color: #b71c1c;")
        self.level_reason.hide()
        self.chip = QLabel()
        self.serious = QCheckBox(
            QCoreApplication.translate(
                "HazardDialog", "可能引发安全事故（较严重，须报告承保机构和主管部门）"))
        level_row = QHBoxLayout()
        level_row.addWidget(self.level)
        level_row.addWidget(self.chip)
        level_row.addStretch(1)
        self.found_at = DateTimeField()
        self.measures = text_box(3)
        self.deadline = DateField(optional=True)
        self.contingency = text_box(2)
        self.contingency.setPlaceholderText(
            QCoreApplication.translate("HazardDialog", "一、二级隐患必填：整改期间的防范和应急措施"))
        self.responsible = QComboBox()
        self.supervising = QComboBox()
        for combo in (self.responsible, self.supervising):
            searchable(combo)
        self.person = QLineEdit()
        self.stop_work = QComboBox()
        for choice in StopWork:
            self.stop_work.addItem(i18n.label(choice), choice.value)
        self.photos = PhotoStrip(self.state, role=AttachmentRole.BEFORE, owner_id=self.hazard_id,
                                 title=QCoreApplication.translate("HazardDialog", "现场照片（整改前）"))
        left, right = QFormLayout(), QFormLayout()
        self._field(left,
            QCoreApplication.translate("HazardDialog", "项目 *"), self.project, "project_id")
        self._field(left,
            QCoreApplication.translate("HazardDialog", "检查记录"), self.inspection, "inspection_id")
        self._field(left,
            QCoreApplication.translate("HazardDialog", "重大隐患判定"), picker, "catalogue_item_id")
        self._field(left,
            QCoreApplication.translate("HazardDialog", "部位"), self.location, "location")
        self._field(left,
            QCoreApplication.translate("HazardDialog", "隐患描述 *"), self.description, "description")
        self._field(left,
            QCoreApplication.translate("HazardDialog", "类别"), self.category, "category")
        self._field(left,
            QCoreApplication.translate("HazardDialog", "发现时间"), self.found_at, "found_at")
        self._field(right,
            QCoreApplication.translate("HazardDialog", "隐患等级 *"), level_row, "level")
        self._field(right, "", self.level_reason, "level_reason")
        self._field(right, "", self.serious, "is_serious")
        self._field(right,
            QCoreApplication.translate("HazardDialog", "停工建议"), self.stop_work, "stop_work")
        self._field(right,
            QCoreApplication.translate("HazardDialog", "整改措施 *"), self.measures, "measures")
        self._field(right,
            QCoreApplication.translate("HazardDialog", "整改期限 *"), self.deadline, "deadline")
        self._field(right,
            QCoreApplication.translate("HazardDialog", "应急预案"), self.contingency, "contingency")
        self._field(right,
            QCoreApplication.translate("HazardDialog", "责任单位 *"), self.responsible, "responsible_unit_id")
        self._field(right,
            QCoreApplication.translate("HazardDialog", "责任人"), self.person, "responsible_person")
        self._field(right,
            QCoreApplication.translate("HazardDialog", "监理单位"), self.supervising, "supervising_unit_id")
        grid = QGridLayout()
        grid.addLayout(left, 0, 0)
        grid.addLayout(right, 0, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        self.error = ErrorLabel()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        grid.setAlignment(left, Qt.AlignmentFlag.AlignTop)
        grid.setAlignment(right, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addStretch(1)
        layout.addWidget(self.photos)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def _connect(self) -> None:
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.pick.clicked.connect(self.choose_item)
        self.clear_item.clicked.connect(lambda: self.set_item(None))
        self.level.currentIndexChanged.connect(self._level_changed)
        self.found_at.valueChanged.connect(lambda _d: self._propose_deadline())
        self.deadline.dateChanged.connect(self._deadline_touched)
        self.project.currentIndexChanged.connect(self._project_changed)

    # -- choices -------------------------------------------------------------------------------

    def _load_choices(self, project_id: int | None, inspection_id: int | None) -> None:
        self.projects = {p.id: p for p in self.state.read(hazard_view.project_choices)}
        self.project.addItem(QCoreApplication.translate("HazardDialog", "（请选择项目）"), None)
        for p in self.projects.values():
            self.project.addItem(f"{p.name}（{p.code}）", p.id)
        for combo, kind in ((self.responsible, "contractor"), (self.supervising, "supervisor")):
            combo.addItem(QCoreApplication.translate("HazardDialog", "（未指定）"), None)
            for org in self.state.read(organisations.list_orgs, kind):
                combo.addItem(org.name, org.id)
        self.project.setCurrentIndex(max(self.project.findData(project_id), 0))
        self._project_changed()
        if inspection_id is not None:
            self.inspection.setCurrentIndex(max(self.inspection.findData(inspection_id), 0))
        read = self.state.db.read

        def categories(*, progress: Any) -> list[str]:
            with read() as session:  # a scan of the register: not on the GUI thread
                return register.categories(session)

        task = Task(categories).start()
        task.succeeded.connect(self._categories.setStringList)

    def _project_changed(self, *_args: object) -> None:
        self.inspection.clear()
        self.inspection.addItem(QCoreApplication.translate("HazardDialog", "（不关联检查）"), None)
        project = self.projects.get(self.project.currentData())
        if project is None:
            return
        for found in self.state.read(hazard_view.inspection_choices, project.id):
            kind = i18n.label(InspectionKind(found.kind))
            self.inspection.addItem(f"{found.date.isoformat()} {kind}", found.id)
        if self.hazard_id is None:
            for combo, org in ((self.responsible, project.contractor_id),
                               (self.supervising, project.supervisor_id)):
                combo.setCurrentIndex(max(combo.findData(org), 0))

    def chosen_level(self) -> int | None:
        level = self.level.currentData()
        return int(level) if level is not None else None

    def _level_changed(self, *_args: object) -> None:
        level = self.chosen_level()
        if level is None:
            self.chip.setText("")
            self.chip.setStyleSheet("")
            self.serious.setEnabled(False)
            return
        name = QCoreApplication.translate("HazardDialog", COLOUR_NAMES[level])
        self.chip.setText(name)
        self.chip.setStyleSheet(CHIP.format(colour=HAZARD_LEVEL_COLOURS[level],
                                            ink="#212121" if level == 3 else "white"))
        self.serious.setEnabled(level == 2)
        if level != 2:
            self.serious.setChecked(False)
        self._propose_deadline()

    def _propose_deadline(self) -> None:
        """The level's default deadline from the found date, until the user sets one."""
        if self._deadline_edited or self.hazard_id is not None or self.chosen_level() is None:
            return
        found = self.found_at.value()
        if found is None:
            return
        day = self.state.read(hazards.default_deadline, self.chosen_level(), found.date())
        self.deadline.blockSignals(True)
        self.deadline.set_date(day)
        self.deadline.blockSignals(False)

    def _deadline_touched(self, *_args: object) -> None:
        self._deadline_edited = True

    def choose_item(self) -> None:
        # the edition in force on the day found is offered first (2024 from 2024-12-13 on)
        found = self.found_at.value()
        picker = CataloguePicker(self.state, found=found.date() if found else clock.today(), parent=self)
        if dialogs.run(picker) and picker.chosen is not None:
            self.set_item(picker.chosen)

    def set_item(self, item: CatalogueItemRow | None) -> None:
        """Judged against an item: major, level 1 proposed, stop-work proposed, edition kept."""
        self.item = item
        self.item_note.setVisible(item is not None and not item.verified)
        self.item_text.setVisible(item is not None)
        self.level_reason.setVisible(item is not None)
        # a major hazard is level 1; only a recorded review (on the hazard's page) lowers it
        self.level.setEnabled(item is None)  # an open hazard's dialog sets it again when loaded
        if item is None:
            self.item_label.setText(
                QCoreApplication.translate("HazardDialog", "未对照判定条目（一般隐患）"))
            self.item_label.setToolTip("")
            self.level_reason.setText("")
            self._undo_proposal()
            return
        self.level_reason.setText(i18n.service_text(major_hazards.proposal(item)))
        self.item_label.setText(
            QCoreApplication.translate("HazardDialog", "重大事故隐患：{edition} {clause} {category}").format(
                edition=i18n.service_text(item.edition_label), clause=item.clause, category=item.category))
        self.item_text.setText(item.text)
        for label in (self.item_label, self.item_text):
            label.setToolTip(f"{item.reference}\n{item.text}")
        before = (self.level.currentData(), self.stop_work.currentData())
        self.level.setCurrentIndex(self.level.findData(1))
        if self.stop_work.currentData() == StopWork.NONE:
            self.stop_work.setCurrentIndex(self.stop_work.findData(StopWork.FULL.value))
        if self._proposal is None:  # another item picked instead keeps the first one's "before"
            self._proposal = (*before, self.level.currentData(), self.stop_work.currentData())

    def _undo_proposal(self) -> None:
        """The item is gone: the level and stop-work it proposed go back to what they were before
        (for a new hazard: no level, no stop-work); whatever the user chose since stays."""
        proposal, self._proposal = self._proposal, None
        if proposal is None:
            return
        level_before, stop_before, level_proposed, stop_proposed = proposal
        if self.level.currentData() == level_proposed:
            self.level.setCurrentIndex(
                -1 if level_before is None else self.level.findData(level_before))
        if self.stop_work.currentData() == stop_proposed:
            self.stop_work.setCurrentIndex(max(self.stop_work.findData(stop_before), 0))

    # -- editing an existing hazard ------------------------------------------------------------

    def _load_hazard(self, hazard_id: int) -> None:
        d = self.detail = self.state.read(hazard_view.detail, hazard_id)
        row = d.row
        self.project.setCurrentIndex(max(self.project.findData(row.project_id), 0))
        if d.inspection is not None:
            self.inspection.setCurrentIndex(max(self.inspection.findData(d.inspection.id), 0))
        self.set_item(d.catalogue_item)
        self.location.setText(row.location)
        self.description.setPlainText(row.description)
        self.category.setText(row.category)
        self.level.setCurrentIndex(self.level.findData(row.level))
        self.serious.setChecked(row.is_serious)
        self.found_at.set_value(d.found_at)
        self.measures.setPlainText(d.measures)
        if row.deadline is not None:
            self.deadline.set_date(row.deadline)
        self.contingency.setPlainText(d.contingency)
        self.responsible.setCurrentIndex(max(self.responsible.findData(d.responsible_unit_id), 0))
        self.supervising.setCurrentIndex(max(self.supervising.findData(d.supervising_unit_id), 0))
        self.person.setText(d.responsible_person)
        self.stop_work.setCurrentIndex(max(self.stop_work.findData(row.stop_work), 0))
        # what hazards.update cannot change is shown, not offered
        for widget in (self.project, self.inspection, self.pick, self.clear_item, self.found_at,
                       self.responsible, self.supervising):
            widget.setEnabled(False)
        self.level.setEnabled(row.status == "recorded" and not row.is_major)
        if row.is_major:
            self.level.setToolTip(QCoreApplication.translate(
                "HazardDialog", "重大事故隐患定为一级；如经复核不属于重大事故隐患，请在隐患页登记复核意见。"))
        self.photos.reload()

    def edits(self) -> dict[str, Any]:
        """The fields that differ from the stored hazard (what hazards.update receives)."""
        d = self.detail
        assert d is not None
        values = {"location": self.location.text(), "description": self.description.toPlainText(),
                  "category": self.category.text(), "measures": self.measures.toPlainText(),
                  "contingency": self.contingency.toPlainText(),
                  "deadline": self.deadline.checked_date("deadline"),
                  "responsible_person": self.person.text(), "is_serious": self.serious.isChecked(),
                  "level": self.chosen_level(), "stop_work": self.stop_work.currentData()}
        stored = {"location": d.row.location, "description": d.row.description,
                  "category": d.row.category, "measures": d.measures,
                  "contingency": d.contingency, "deadline": d.row.deadline,
                  "responsible_person": d.responsible_person, "is_serious": d.row.is_serious,
                  "level": d.row.level, "stop_work": d.row.stop_work}
        return {k: v for k, v in values.items() if v != stored[k]}

    # -- saving --------------------------------------------------------------------------------

    def form(self) -> HazardForm:
        found = self.found_at.checked_value("found_at")
        return HazardForm(
            project_id=self.project.currentData(), description=self.description.toPlainText(),
            level=self.chosen_level() or 0, location=self.location.text(),
            category=self.category.text(), measures=self.measures.toPlainText(),
            contingency=self.contingency.toPlainText(),
            deadline=self.deadline.checked_date("deadline"),
            inspection_id=self.inspection.currentData(), found_at=found,
            is_major=self.item is not None, catalogue_item_id=self.item.id if self.item else None,
            is_serious=self.serious.isChecked(), responsible_unit_id=self.responsible.currentData(),
            responsible_person=self.person.text(), supervising_unit_id=self.supervising.currentData(),
            stop_work=self.stop_work.currentData(), repeat_of_id=self.repeat_of)

    def show_errors(self, fields: dict[str, str]) -> None:
        for key, label in self.errors.items():
            label.show_message(fields.get(key, ""))
        self.error.show_message("\n".join(v for k, v in fields.items() if k not in self.errors))

    def save(self) -> None:
        if self._busy:
            return
        self.show_errors({})
        if self.hazard_id is not None:
            self._save_edits()
            return
        try:
            form = self.form()
        except ValidationError as exc:  # a date typed that cannot be read
            self.show_errors(i18n.field_texts(exc))
            return
        missing = {}
        if form.project_id is None:
            missing["project_id"] = QCoreApplication.translate("HazardDialog", "请选择项目")
        if self.chosen_level() is None:
            missing["level"] = QCoreApplication.translate("HazardDialog", "请选择隐患等级")
        if missing:
            self.show_errors(missing)
            return
        if not self._repeat_checked(form):
            return
        self._busy = True
        form = dataclasses.replace(form, repeat_of_id=self.repeat_of)  # as answered just now
        run_service(self, self.state, hazards.record, form,
                    changes=Changes(hazards=True, reports=True),
                    label=QCoreApplication.translate("HazardDialog", "正在登记隐患…"),
                    on_result=self._recorded, on_error=self._failed)

    def _repeat_checked(self, form: HazardForm) -> bool:
        """Offer to link a very similar open hazard as the earlier one; False: go back."""
        if self.repeat_of is not None:
            return True
        found = self.state.read(similar.similar_open, project_id=form.project_id,
                                description=form.description, location=form.location,
                                catalogue_item_id=form.catalogue_item_id)
        if not found:
            return True
        best = found[0]
        text = QCoreApplication.translate(
            "HazardDialog",
            "该项目已有一项相似的未销项隐患：\n{number}  {location}\n{description}\n（{reason}）\n\n"
            "是否作为该隐患的重复隐患登记，并与之关联？\n选择“否”返回修改，不保存。")
        if dialogs.ask(self, QCoreApplication.translate("HazardDialog", "可能是重复隐患"),
                       text.format(number=best.number, location=best.location,
                                   description=best.description,
                                   reason=i18n.service_text(best.reason))):
            self.repeat_of = best.hazard_id
            return True
        return False

    def _recorded(self, row: HazardRow) -> None:
        self.saved = row
        sources = self.photos.pending()
        if not sources:
            self._done()
            return
        task = run_task(self, photo_import.import_photos, self.state.db.session, self.state.actor,
                        owner_id=row.id, sources=sources, store_dir=self.state.config.attachments_dir,
                        label=QCoreApplication.translate("HazardDialog", "正在保存照片…"),
                        on_result=self._photos_saved, on_error=self._photos_failed)
        task.cancelled.connect(self._done)

    def _photos_saved(self, result: photo_import.ImportResult) -> None:
        self.state.announce(result.changes)
        if result.failed:
            dialogs.warn(self,
                QCoreApplication.translate("HazardDialog", "部分照片未保存"),
                i18n.service_text(result.summary()))
        self._done()

    def _photos_failed(self, exc: BaseException) -> None:
        handle_failure(self, exc)
        self._done()

    def _done(self) -> None:
        if self.hazard_id is None and self.saved is not None and self.saved.level == 1 \
                and self.letter is None and self.state.can("document.draft"):
            self._offer_letter(self.saved)
            return
        self._busy = False
        super().accept()

    def _offer_letter(self, row: HazardRow) -> None:
        """A level 1 calls for the stop-work suggestion at once: offer to draft it now."""
        text = QCoreApplication.translate(
            "HazardDialog", "已登记一级隐患 {number}。一级隐患须立即提出停工或局部停工建议，"
            "并于当日报告承保机构和属地建设主管部门。\n\n是否现在起草停工建议书？（草稿生成后交技术负责人签发）")
        if not dialogs.ask(self, QCoreApplication.translate("HazardDialog", "停工建议书"),
                           text.format(number=row.number)):
            self.letter = None
            self._busy = False
            super().accept()
            return
        run_service(self, self.state, documents.generate_draft, kind=major_hazards.LETTER_KIND,
                    scope_type="hazard", scope_id=row.id,
                    store_dir=self.state.config.attachments_dir,
                    work_dir=Path(tempfile.gettempdir()), changes=Changes(documents=True),
                    label=QCoreApplication.translate("HazardDialog", "正在起草停工建议书…"),
                    on_result=self._letter_drafted, on_error=self._letter_failed)

    def _letter_drafted(self, doc: DocumentRow) -> None:
        self.letter = doc
        self._busy = False
        super().accept()

    def _letter_failed(self, exc: BaseException) -> None:
        handle_failure(self, exc)  # the hazard is saved; the letter can be drafted on its page
        self._busy = False
        super().accept()

    def _failed(self, exc: BaseException) -> None:
        self._busy = False
        if isinstance(exc, ValidationError):
            self.show_errors(i18n.field_texts(exc))
        elif isinstance(exc, ConflictError):
            dialogs.show_error(self, exc)
            if self.hazard_id is not None:
                self._deadline_edited = True
                self._load_hazard(self.hazard_id)
        elif isinstance(exc, dialogs.USER_ERRORS):
            self.error.show_message(i18n.error_text(exc))
        else:
            handle_failure(self, exc)

    def _save_edits(self) -> None:
        try:
            edits = self.edits()
        except ValidationError as exc:
            self.show_errors(i18n.field_texts(exc))
            return
        if not edits:
            super().accept()
            return
        self._busy = True
        assert self.detail is not None
        run_service(self, self.state, hazards.update, self.hazard_id,
                    expected_version=self.detail.row.version,
                    changes=Changes(hazards=True, reports=True).touch("hazards", self.hazard_id or 0),
                    label=QCoreApplication.translate("HazardDialog", "正在保存…"),
                    on_result=self._recorded, on_error=self._failed, **edits)

    def accept(self) -> None:  # Enter in a line edit means save, through the same checks
        self.save()
