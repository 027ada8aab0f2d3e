"""The 合规自查 page: the annex checklist (C-1a … C-8c) filled in from the data for a period and
a scope on a worker, grouped by section in its status colours, with evidence and gaps; a gap
opens its record, manual items are answered here, the checklist is exported or drafted."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, QModelIndex, QSettings, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from desktop.services import compliance
from desktop.services.checklist_items import ITEMS, MANUAL_ALLOWED, ChecklistResult, ItemResult
from desktop.services.context import Changes, now
from desktop.services.periods import Period, parse
from desktop.services.queries import compliance_view
from desktop.ui import dialogs, table_copy
from desktop.ui import training_dialogs as forms
from desktop.ui.app_state import AppState
from desktop.ui.checklist_models import (
    GAP_COLUMNS,
    ChecklistTreeModel,
    GapColumn,
    GapLine,
    GapTableModel,
    evidence_text,
    status_text,
)
from desktop.ui.i18n import service_text
from desktop.ui.lazy_model import ROW_ROLE
from desktop.ui.pages.base import Page
from desktop.ui.project_dialog import plain_table
from desktop.ui.quality_panels import ComplaintsPanel, EvaluationsPanel, IncidentsPanel
from desktop.ui.tasks import run_service
from desktop.ui.training_dialogs import RecordDialog, button, compact, text_box
from desktop.ui.translatable import QT_TRANSLATE_NOOP
from desktop.ui.widgets import ErrorLabel, Heading

KIND_TEXT = {"quarter": QT_TRANSLATE_NOOP("CompliancePage", "季度"),
             "half": QT_TRANSLATE_NOOP("CompliancePage", "半年度"),
             "year": QT_TRANSLATE_NOOP("CompliancePage", "年度"),
             "month": QT_TRANSLATE_NOOP("CompliancePage", "月度")}
SCOPE_TEXT = {"agency": QT_TRANSLATE_NOOP("CompliancePage", "全机构"),
              "project": QT_TRANSLATE_NOOP("CompliancePage", "项目"),
              "insurer": QT_TRANSLATE_NOOP("CompliancePage", "承保机构"),
              "authority": QT_TRANSLATE_NOOP("CompliancePage", "建设主管部门")}
ANSWERS = ("met", "not_met", "not_applicable")  # what a manual answer may say
EVIDENCE_FILTER = QT_TRANSLATE_NOOP("CompliancePage",
                                    "依据文件 (*.pdf *.docx *.xlsx *.jpg *.jpeg *.png)")


def _tr(text: str) -> str:
    return QCoreApplication.translate("CompliancePage", text)


class ManualAnswerDialog(RecordDialog):
    """Answer an item the data cannot decide: the answer, its grounds, optionally the file."""

    def __init__(self, state: AppState, result: ItemResult, *, period: str, scope_type: str,
                 scope_id: int | None, parent: QWidget | None = None) -> None:
        super().__init__(state, _tr(QT_TRANSLATE_NOOP("CompliancePage", "人工填写：{item}")).format(
            item=result.item.ref), parent)
        self.item_result, self.period, self.scope = result, period, (scope_type, scope_id)
        point = QLabel(service_text(result.item.text))
        point.setWordWrap(True)
        self.form.addRow(_tr(QT_TRANSLATE_NOOP("CompliancePage", "检查要点")), point)
        self.answer = QComboBox()
        for value in ANSWERS:
            self.answer.addItem(status_text(value), value)
        self.answer.setCurrentIndex(max(0, self.answer.findData(result.status)))
        self.note = text_box(result.note, 80)
        self.note.setPlaceholderText(_tr(QT_TRANSLATE_NOOP(
            "CompliancePage", "依据，如：制度文件名称、评价文号")))
        self.evidence = QLineEdit()
        self.evidence.setReadOnly(True)
        self.browse = QPushButton(_tr(QT_TRANSLATE_NOOP("CompliancePage", "选择文件(&B)…")))
        self.browse.clicked.connect(self.choose_evidence)
        if not state.can("settings.edit"):  # the file is kept among the agency's own files
            for widget in (self.evidence, self.browse):
                widget.setEnabled(False)
                widget.setToolTip(_tr(QT_TRANSLATE_NOOP(
                    "CompliancePage", "依据文件存入机构资料，仅系统管理员可以上传；可在说明中写明文件名称。")))
        row = QWidget()
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(self.evidence, 1)
        line.addWidget(self.browse)
        self.add_fields([
            ("answer", _tr(QT_TRANSLATE_NOOP("CompliancePage", "结论")), self.answer),
            ("note", _tr(QT_TRANSLATE_NOOP("CompliancePage", "说明")), self.note),
            ("evidence", _tr(QT_TRANSLATE_NOOP("CompliancePage", "依据文件（可选）")), row)])
        self.setMinimumWidth(520)
        self.answer.setFocus()

    def choose_evidence(self) -> None:
        path = forms.choose_open_file(
            self, _tr(QT_TRANSLATE_NOOP("CompliancePage", "选择依据文件")), _tr(EVIDENCE_FILTER))
        if path:
            self.evidence.setText(path)

    def submit(self) -> None:
        self.state.write(compliance_view.answer_with_file, self.item_result.item.id,
                         period=self.period, scope_type=self.scope[0], scope_id=self.scope[1],
                         answer=self.answer.currentData(), note=self.note.toPlainText(),
                         evidence=self.evidence.text() or None,
                         store_dir=self.state.config.attachments_dir)


class CompliancePage(Page):
    key = "compliance"
    title_source = QT_TRANSLATE_NOOP("Pages", "合规自查")

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(state, parent)
        self.result: ChecklistResult | None = None
        self._ticket = 0  # the latest evaluation asked for: older answers are dropped
        self.choices: compliance_view.ScopeChoices | None = None
        self._choosers()
        self.summary = QLabel()
        self.summary.setObjectName("complianceSummary")
        self.summary.setWordWrap(True)
        self.error = ErrorLabel()
        self.run_button = button(_tr(QT_TRANSLATE_NOOP("CompliancePage", "开始自查(&C)")),
                                 self.evaluate, "runCheck")
        self.answer_button = button(_tr(QT_TRANSLATE_NOOP("CompliancePage", "人工填写(&M)…")),
                                    self.answer_current, "answerItem")
        self.export_buttons = [
            button(_tr(QT_TRANSLATE_NOOP("CompliancePage", "导出 PDF…")),
                   lambda: self.export("pdf"), "exportPdf"),
            button(_tr(QT_TRANSLATE_NOOP("CompliancePage", "导出 Excel…")),
                   lambda: self.export("xlsx"), "exportXlsx"),
            button(_tr(QT_TRANSLATE_NOOP("CompliancePage", "生成文书草稿(&D)")), self.draft,
                   "draftSelfCheck")]
        self._views()
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("complianceSplitter")
        self._layout()
        state.actor_changed.connect(lambda _a: self._enable())
        self._item_selected()

    def _choosers(self) -> None:
        self.kind, self.period, self.scope, self.target = (QComboBox() for _ in range(4))
        for combo, name in ((self.kind, "periodKind"), (self.period, "period"),
                            (self.scope, "scope"), (self.target, "scopeTarget")):
            combo.setObjectName(name)
        for value, text in KIND_TEXT.items():
            self.kind.addItem(_tr(text), value)
        for value, text in SCOPE_TEXT.items():
            self.scope.addItem(_tr(text), value)
        compact(self.target, 12).setMaximumWidth(360)
        compact(self.period, 11)
        self._fill_periods()
        self._fill_targets()
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.scope.currentIndexChanged.connect(self._scope_changed)
        for combo in (self.period, self.target):
            combo.activated.connect(lambda _i: self.evaluate())

    def _views(self) -> None:
        self.tree_model = ChecklistTreeModel()
        self.tree = table_copy.install(QTreeView())
        self.tree.setObjectName("checklistTree")
        self.tree.setModel(self.tree_model)
        self.tree_model.setParent(self.tree)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setIndentation(14)
        for column, width in enumerate((self._ref_width(), 460, 86, 120)):
            self.tree.setColumnWidth(column, width)
        self.tree.selectionModel().currentChanged.connect(lambda _c, _p: self._item_selected())
        self.tree.activated.connect(lambda _i: self.answer_current())
        self.detail = QLabel()
        self.detail.setObjectName("itemDetail")
        self.detail.setWordWrap(True)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.gaps = GapTableModel(GapColumn, GAP_COLUMNS)
        self.gap_table = plain_table(self.gaps, "gapTable")
        for column, width in enumerate((self._ref_width(), 230, 520, 90)):
            self.gap_table.setColumnWidth(column, width)
        self.gap_table.activated.connect(lambda _i: self.open_gap(self.current_gap()))
        self.gap_caption = QLabel()
        self.late_only = QCheckBox(_tr(QT_TRANSLATE_NOOP("CompliancePage", "仅显示已逾期(&L)")))
        self.late_only.toggled.connect(lambda _b: self._item_selected())

    def _layout(self) -> None:
        head = QHBoxLayout()
        head.addWidget(Heading(self.title()))
        head.addStretch(1)
        widget: QWidget
        for widget in (self.run_button, self.answer_button, *self.export_buttons):
            head.addWidget(widget)
        bar = QHBoxLayout()
        for label, widget in ((QT_TRANSLATE_NOOP("CompliancePage", "期间(&Q)"), self.kind),
                              ("", self.period),
                              (QT_TRANSLATE_NOOP("CompliancePage", "范围(&S)"), self.scope),
                              ("", self.target)):
            if label:
                caption = QLabel(_tr(label))
                caption.setBuddy(widget)
                bar.addWidget(caption)
            bar.addWidget(widget)
        bar.addStretch(1)
        gaps = QWidget()
        box = QVBoxLayout(gaps)
        box.setContentsMargins(0, 4, 0, 0)
        caption_row = QHBoxLayout()
        caption_row.addWidget(self.gap_caption, 1)
        caption_row.addWidget(self.late_only)
        box.addLayout(caption_row)
        box.addWidget(self.gap_table, 1)
        for widget in (self.tree, self.detail, self._quality_tabs(gaps)):
            self.splitter.addWidget(widget)
        self.splitter.setSizes([400, 70, 220])
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addLayout(bar)
        layout.addWidget(self.summary)
        layout.addWidget(self.error)
        layout.addWidget(self.splitter, 1)

    def _quality_tabs(self, gaps: QWidget) -> QTabWidget:
        """The gaps beside the complaints (C-7d), incidents (C-8) and evaluations (C-7e/f)
        the checklist counts; recording one of them evaluates the checklist again."""
        self.complaints = ComplaintsPanel(self.state)
        self.incidents = IncidentsPanel(self.state)
        self.evaluations = EvaluationsPanel(self.state)
        self.quality_tabs = QTabWidget()
        self.quality_tabs.setObjectName("complianceTabs")
        self.quality_tabs.addTab(gaps, QCoreApplication.translate("CompliancePage", "问题清单"))
        self.quality_tabs.addTab(self.complaints, QCoreApplication.translate("CompliancePage", "投诉"))
        self.quality_tabs.addTab(self.incidents, QCoreApplication.translate("CompliancePage", "事故与漏判"))
        self.quality_tabs.addTab(self.evaluations, QCoreApplication.translate("CompliancePage", "评价"))
        for panel in (self.complaints, self.incidents, self.evaluations):
            panel.recorded.connect(self.evaluate)
        return self.quality_tabs

    def show_complaints(self) -> None:
        """The complaints tab (the duties list opens it for a reply falling due)."""
        self.quality_tabs.setCurrentWidget(self.complaints)

    def _enable(self) -> None:
        have = self.result is not None
        item = self.current_item()
        self.answer_button.setEnabled(have and item is not None and item.item.id in MANUAL_ALLOWED
                                      and self.state.can("compliance.answer"))
        for widget in self.export_buttons[:2]:
            widget.setEnabled(have and self.state.can("export"))
        self.export_buttons[2].setEnabled(have and self.state.can("document.draft"))

    # -- the period and the scope -----------------------------------------------------------

    def _fill_periods(self) -> None:
        self.period.clear()
        for p in compliance_view.periods(self.kind.currentData(), now().date()):
            self.period.addItem(service_text(p.chinese), p.label)
            self.period.setItemData(self.period.count() - 1, p.label, Qt.ItemDataRole.ToolTipRole)

    def _kind_changed(self) -> None:
        self._fill_periods()
        self.evaluate()

    def _fill_targets(self) -> None:
        scope = self.scope.currentData()
        self.target.clear()
        self.target.setEnabled(scope != "agency")
        if scope == "agency" or self.choices is None:
            return
        options = {"project": self.choices.projects, "insurer": self.choices.insurers,
                   "authority": self.choices.authorities}[scope]
        for value, text in options:
            self.target.addItem(text, value)

    def _scope_changed(self) -> None:
        self._fill_targets()
        self.evaluate()

    def _load_choices(self) -> None:
        self.choices = self.state.read(compliance_view.scope_choices)
        chosen = self.target.currentData()
        self._fill_targets()
        self.target.setCurrentIndex(max(0, self.target.findData(chosen)))

    def chosen_period(self) -> Period:
        return parse(self.period.currentData())

    def chosen_scope(self) -> tuple[str, int | None]:
        scope = self.scope.currentData()
        return scope, (None if scope == "agency" else self.target.currentData())

    def choose(self, period: str, scope_type: str = "agency", scope_id: int | None = None) -> None:
        """Select a period (2026Q3, 2026H1, 2026, 2026-03) and a scope, without evaluating."""
        kind = "quarter" if "Q" in period else "half" if "H" in period else \
            "month" if "-" in period else "year"
        for combo, value in ((self.kind, kind), (self.scope, scope_type)):
            combo.blockSignals(True)
            combo.setCurrentIndex(combo.findData(value))
            combo.blockSignals(False)
        self._fill_periods()
        self.period.setCurrentIndex(max(0, self.period.findData(parse(period).label)))
        self._load_choices()
        self.target.setCurrentIndex(max(0, self.target.findData(scope_id)))

    # -- evaluating ---------------------------------------------------------------------------

    def wants(self, changes: Changes) -> bool:
        return any((changes.projects, changes.hazards, changes.inspections, changes.documents,
                    changes.training, changes.archive, changes.users))

    def refresh(self) -> None:
        self._load_choices()
        self.evaluate()

    def evaluate(self) -> None:
        """Fill in the checklist on a worker; the answer shows when it comes back."""
        if self.period.currentData() is None:
            return
        scope_type, scope_id = self.chosen_scope()
        if scope_type != "agency" and scope_id is None:
            self.error.show_message(_tr(QT_TRANSLATE_NOOP("CompliancePage", "请选择{scope}。")).format(
                scope=_tr(SCOPE_TEXT[scope_type])))
            return
        self.error.show_message("")
        self._ticket += 1
        ticket = self._ticket
        working = _tr(QT_TRANSLATE_NOOP("CompliancePage", "正在逐项自查…"))
        if self.result is None:
            self.summary.setText(working)
        run_service(self, self.state, compliance.evaluate, write=False,
                    period=self.chosen_period(), scope_type=scope_type, scope_id=scope_id,
                    label=working,
                    on_result=lambda result: self._show(result) if ticket == self._ticket else None)

    def _show(self, result: ChecklistResult) -> None:
        chosen = self.current_item()
        self.result = result
        self.tree_model.set_result(result)
        for row in range(self.tree_model.rowCount()):
            self.tree.setFirstColumnSpanned(row, QModelIndex(), True)
        self.tree.expandAll()
        c, p = result.counts, result.period
        self.summary.setText(_tr(QT_TRANSLATE_NOOP(
            "CompliancePage", "{scope}（{n} 个项目），{period}（{start} 至 {end}），截至 {as_of}："
            "符合 {met} 项，不符合 {not_met} 项，尚未到期 {not_due} 项，不适用 {na} 项，待人工填写 {manual} 项")).format(
            scope=service_text(result.scope_name), n=len(result.project_ids),
            period=service_text(p.chinese), start=p.start,
            end=p.end, as_of=result.as_of, met=c["met"], not_met=c["not_met"], not_due=c["not_due"],
            na=c["not_applicable"], manual=c["manual"]))
        index = self.tree_model.index_of(chosen.item.id) if chosen is not None else QModelIndex()
        if index.isValid():
            self.tree.setCurrentIndex(index)
        self._item_selected()

    def _ref_width(self) -> int:
        """The 条目 column: room for the longest 序号…第…点 (indented in the tree)."""
        return max(82, max(self.fontMetrics().horizontalAdvance(i.ref) for i in ITEMS) + 40)

    def current_item(self) -> ItemResult | None:
        index = self.tree.currentIndex()
        return self.tree_model.data(index, ROW_ROLE) if index.isValid() else None

    def _item_selected(self) -> None:
        item = self.current_item()
        results = [item] if item is not None else list(self.result.items if self.result else ())
        gaps = [(r.item.id, g) for r in results for g in r.gaps
                if g.due or not self.late_only.isChecked()]
        self.gaps.set_rows([GapLine(n, item_id, g) for n, (item_id, g) in enumerate(gaps)])
        what = item.item.ref if item is not None \
            else _tr(QT_TRANSLATE_NOOP("CompliancePage", "全部条目"))
        self.gap_caption.setText(_tr(QT_TRANSLATE_NOOP(
            "CompliancePage", "<b>问题清单</b>（{what}：{n} 项，双击或回车打开相关记录）")).format(
            what=what, n=len(gaps)) if self.result is not None else _tr(QT_TRANSLATE_NOOP(
                "CompliancePage", "<b>问题清单</b>（正在自查…）")))  # not "0 项" before the answer
        self.detail.setText(self._describe(item))
        self._enable()

    @staticmethod
    def _describe(result: ItemResult | None) -> str:
        if result is None:
            return _tr(QT_TRANSLATE_NOOP("CompliancePage", "选择一个条目查看检查要点、判定方法和依据。"))
        lines = [f"<b>{result.item.ref}</b>　{service_text(result.item.content)}",
                 _tr(QT_TRANSLATE_NOOP("CompliancePage", "判定方法：{basis}")).format(
                     basis=service_text(result.item.basis))]
        if result.evidence:
            lines.append(_tr(QT_TRANSLATE_NOOP("CompliancePage", "依据：{text}")).format(
                text=evidence_text(result)))
        if result.note:
            who = f"（{result.answered_by}）" if result.answered_by else ""
            lines.append(_tr(QT_TRANSLATE_NOOP("CompliancePage", "说明：{note}")).format(
                note=result.note + who))
        return "<br>".join(lines)

    def current_gap(self) -> GapLine | None:
        index = self.gap_table.currentIndex()
        return self.gaps.data(index, ROW_ROLE) if index.isValid() else None

    # -- a gap opens its record ---------------------------------------------------------------

    def _page(self, key: str) -> Any:
        finder = getattr(self.window(), "page", None)
        try:
            return finder(key) if finder is not None else None
        except KeyError:
            return None

    @staticmethod
    def target_of(line: GapLine) -> tuple[str, str, tuple[Any, ...]] | None:
        """(page key, method to call on that page, its arguments); None: nowhere to go."""
        gap, item = line.gap, line.item_id
        if gap.ref_type == "hazards" and gap.ref_id is not None:
            return "hazards", "show_ids", ([gap.ref_id], service_text(gap.missing))
        if gap.ref_type == "drills" and gap.ref_id is not None:
            return "training", "show_drill", (gap.ref_id,)
        if item.startswith(("C-4", "C-5")):
            tab = "halves" if item.startswith("C-4") else "assists" if item == "C-5a" else "drills"
            return "training", "show_project", (gap.project_id, tab)
        if item in ("C-7a", "C-7b"):
            return "documents", "", ()
        if gap.project_id is not None:
            return "projects", "open_project", (gap.project_id,)
        return None

    def open_gap(self, line: GapLine | None) -> None:
        if line is None:
            return
        target = self.target_of(line)
        if target is None:
            dialogs.inform(self, _tr(QT_TRANSLATE_NOOP("CompliancePage", "没有相关记录")), _tr(
                QT_TRANSLATE_NOOP("CompliancePage", "该问题属于全机构事项，没有可打开的单条记录。")))
            return
        key, method, args = target
        page = self._page(key)
        if page is not None and method and hasattr(page, method):
            getattr(page, method)(*args)
        self.navigate.emit(key)

    # -- acting -------------------------------------------------------------------------------

    def answer_current(self) -> None:
        item = self.current_item()
        if item is None or not self.answer_button.isEnabled():
            return
        scope_type, scope_id = self.chosen_scope()
        dialog = ManualAnswerDialog(self.state, item, period=self.chosen_period().label,
                                    scope_type=scope_type, scope_id=scope_id, parent=self)
        if dialogs.run(dialog):
            self.evaluate()

    def export(self, fmt: str) -> None:
        if self.result is None:
            return
        name = _tr(QT_TRANSLATE_NOOP("CompliancePage", "合规自查 {period}.{ext}")).format(
            period=self.result.period.label, ext=fmt)
        filters = _tr(QT_TRANSLATE_NOOP("CompliancePage", "PDF 文件 (*.pdf)")) if fmt == "pdf" \
            else _tr(QT_TRANSLATE_NOOP("CompliancePage", "Excel 工作簿 (*.xlsx)"))
        path = forms.choose_save_file(
            self, _tr(QT_TRANSLATE_NOOP("CompliancePage", "导出自查表")), name, filters)
        if not path:
            return
        if not path.lower().endswith(f".{fmt}"):
            path += f".{fmt}"
        run_service(self, self.state, compliance_view.export_selfcheck, self.result, path=path,
                    write=False, store_dir=self.state.config.attachments_dir,
                    prepared_by=self.state.actor.display_name,
                    label=_tr(QT_TRANSLATE_NOOP("CompliancePage", "正在导出自查表…")),
                    on_result=self._exported)

    def _exported(self, path: Any) -> None:
        dialogs.inform(self, _tr(QT_TRANSLATE_NOOP("CompliancePage", "导出完成")), _tr(
            QT_TRANSLATE_NOOP("CompliancePage", "自查表（工作稿）已导出到：\n{path}")).format(path=path))

    def draft(self) -> None:
        if self.result is None:
            return
        scope_type, scope_id = self.chosen_scope()
        forms.draft_document(self, self.state, kind="self_check", scope_type=scope_type,
                             scope_id=scope_id, period=self.result.period.label)

    # -- layout memory ------------------------------------------------------------------------

    def save_state(self, settings: QSettings) -> None:
        settings.setValue("tree", self.tree.header().saveState())
        settings.setValue("gaps", self.gap_table.horizontalHeader().saveState())
        settings.setValue("splitter", self.splitter.saveState())
        settings.setValue("kind", self.kind.currentData())

    def restore_state(self, settings: QSettings) -> None:
        for key, header in (("tree", self.tree.header()),
                            ("gaps", self.gap_table.horizontalHeader())):
            saved = settings.value(key)
            if saved is not None:
                header.restoreState(saved)
        splitter = settings.value("splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)
        kind = self.kind.findData(settings.value("kind", "quarter"))
        if kind >= 0 and kind != self.kind.currentIndex():
            self.kind.blockSignals(True)
            self.kind.setCurrentIndex(kind)
            self.kind.blockSignals(False)
            self._fill_periods()
