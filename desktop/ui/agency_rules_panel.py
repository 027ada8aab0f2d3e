"""The 机构规则 tab: the agency rules an administrator sets — rectification deadlines per level,
the first-identification allowance, the serious level-2 report window, visit frequencies per
risk level, the grading thresholds, archive retention and the agency code of document numbers.
Every value is checked and audited by the services (services/agency_rules.py, rules.py)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.models.enums import RiskLevel
from desktop.services import agency_rules, rules
from desktop.services.context import Changes, ValidationError
from desktop.services.exchange import grading_sheet, xlsx_guard
from desktop.ui import dialogs, file_dialogs, i18n
from desktop.ui.app_state import AppState
from desktop.ui.project_dialog import FieldErrors
from desktop.ui.translatable import QT_TRANSLATE_NOOP
from desktop.ui.widgets import ErrorLabel

NOTE = QT_TRANSLATE_NOOP(
    "AgencyRules", "修改只用于此后新登记的记录：已登记隐患的整改期限和报告时限、已签发文书的文号、"
                   "已作出的风险评定不因修改而改变；首次风险识别期限和检查频次从修改时起用于提醒和自查。"
                   "档案保存年限不少于竣工后五年，只能延长，延长后已归档项目的保存期限随之延长。"
                   "每项修改都记入审计日志。")
LEVEL_WORDS = {"1": QT_TRANSLATE_NOOP("AgencyRules", "一级"), "2": QT_TRANSLATE_NOOP("AgencyRules", "二级"),
               "3": QT_TRANSLATE_NOOP("AgencyRules", "三级"), "4": QT_TRANSLATE_NOOP("AgencyRules", "四级")}
# the grading factors whose level can be chosen, as the assessment names them
FACTORS: tuple[tuple[rules.LevelFactor, str], ...] = (("super_danda_in_progress", QT_TRANSLATE_NOOP("AgencyRules", "超危大工程施工中")),
           ("danda_in_progress", QT_TRANSLATE_NOOP("AgencyRules", "危大工程施工中")),
           ("open_level1_hazard", QT_TRANSLATE_NOOP("AgencyRules", "存在未闭合一级隐患")),
           ("escalated_hazard", QT_TRANSLATE_NOOP("AgencyRules", "拒不整改或拖延整改")),
           ("accident_level", QT_TRANSLATE_NOOP("AgencyRules", "近期发生生产安全事故")))


def _tr(text: str) -> str:
    return QCoreApplication.translate("AgencyRules", text)


def _spin(low: int, high: int, suffix: str = "", name: str = "") -> QSpinBox:
    box = QSpinBox()
    box.setRange(low, high)
    if suffix:
        box.setSuffix(suffix)
    if name:
        box.setObjectName(name)
    return box


def _levels() -> QComboBox:
    combo = QComboBox()
    for level in (RiskLevel.HIGH, RiskLevel.MEDIUM, RiskLevel.LOW):
        combo.addItem(i18n.label(level), level.value)
    return combo


def _row(*widgets: QWidget) -> QWidget:
    box = QWidget()
    line = QHBoxLayout(box)
    line.setContentsMargins(0, 0, 0, 0)
    for w in widgets:
        line.addWidget(w)
    line.addStretch(1)
    return box


class AgencyRulesPanel(QWidget):
    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.loaded: agency_rules.AgencyRules | None = None
        days = _tr(QT_TRANSLATE_NOOP("AgencyRules", " 天"))
        self.deadlines = {k: _spin(0, 365, days, f"deadline{k}") for k in LEVEL_WORDS}
        self.first_days = _spin(1, 180, days, "firstDays")
        self.serious_days = _spin(0, 30, days, "seriousDays")
        self.serious_days.setSpecialValueText(_tr(QT_TRANSLATE_NOOP("AgencyRules", "当日")))
        self.visits = {k: _spin(1, 366, days, f"visit_{k}") for k in ("high", "medium", "low")}
        self.deep, self.shallow = QDoubleSpinBox(), QDoubleSpinBox()
        for box in (self.deep, self.shallow):
            box.setRange(0.1, 100)
            box.setDecimals(1)
            box.setSuffix(_tr(QT_TRANSLATE_NOOP("AgencyRules", " 米")))
        self.deep.setObjectName("deepExcavation")
        self.shallow.setObjectName("shallowExcavation")
        self.density = {k: _spin(1, 10_000, _tr(QT_TRANSLATE_NOOP("AgencyRules", " 项")), f"density_{k}")
                        for k in ("high", "medium")}
        months = _tr(QT_TRANSLATE_NOOP("AgencyRules", " 个月"))
        self.fatal_months = _spin(0, 60, months, "fatalMonths")
        self.accident_months = _spin(0, 60, months, "accidentMonths")
        self.factor_levels: dict[rules.LevelFactor, QComboBox] = {key: _levels() for key, _ in FACTORS}
        self.retention = _spin(5, 100, _tr(QT_TRANSLATE_NOOP("AgencyRules", " 年")), "retentionYears")
        self.code = QLineEdit()
        self.code.setObjectName("agencyCode")
        self.code.setPlaceholderText(_tr(QT_TRANSLATE_NOOP("AgencyRules", "如 绍安衡风控；不填写时用机构简称")))
        self.error = ErrorLabel()
        self.errors = FieldErrors(self.error)
        note = QLabel(_tr(NOTE))
        note.setObjectName("rulesNote")
        note.setWordWrap(True)

        deadlines = QGroupBox(_tr(QT_TRANSLATE_NOOP("AgencyRules", "隐患排查与报告")))
        form = QFormLayout(deadlines)
        row = _row(*(w for k in LEVEL_WORDS for w in (QLabel(_tr(LEVEL_WORDS[k])), self.deadlines[k])))
        self._add(form, "hazard.deadline_days", QT_TRANSLATE_NOOP("AgencyRules", "默认整改期限"), row,
                  QT_TRANSLATE_NOOP("AgencyRules", "依据：明确隐患整改责任、措施、时限、预案"))
        self._add(form, "first_inspection_days", QT_TRANSLATE_NOOP("AgencyRules", "首次风险识别期限（合同签订后）"),
                  self.first_days, QT_TRANSLATE_NOOP(
                      "AgencyRules", "依据：合同签订后，风控机构应及时对项目开展首次风险识别和隐患排查"))
        self._add(form, "hazard.serious_l2_report_days",
                  QT_TRANSLATE_NOOP("AgencyRules", "较严重二级隐患报告期限"), self.serious_days,
                  QT_TRANSLATE_NOOP("AgencyRules", "依据：对可能引发安全事故的严重隐患，上报承保机构和属地建设主管部门"))

        grading = QGroupBox(_tr(QT_TRANSLATE_NOOP("AgencyRules", "风险评估与服务频次")))
        form = QFormLayout(grading)
        high, medium, low = (i18n.label(x) for x in (RiskLevel.HIGH, RiskLevel.MEDIUM, RiskLevel.LOW))
        self._add(form, "risk.visit_interval_days", QT_TRANSLATE_NOOP("AgencyRules", "检查频次（每隔）"),
                  _row(QLabel(high), self.visits["high"], QLabel(medium), self.visits["medium"],
                       QLabel(low), self.visits["low"]),
                  QT_TRANSLATE_NOOP("AgencyRules", "依据：根据风险等级制定服务形式和频次等内容"))
        basis = QT_TRANSLATE_NOOP("AgencyRules", "依据：依据风险识别和隐患排查结果对工程项目进行安全风险评估，"
                                                 "摸清项目风险等级底数")
        self._add(form, "risk.grading", QT_TRANSLATE_NOOP("AgencyRules", "基坑开挖深度"),
                  _row(QLabel(_tr(QT_TRANSLATE_NOOP("AgencyRules", "不小于"))), self.deep, QLabel(high),
                       QLabel(_tr(QT_TRANSLATE_NOOP("AgencyRules", "小于"))), self.shallow, QLabel(low)), basis)
        form.addRow(_tr(QT_TRANSLATE_NOOP("AgencyRules", "未闭合隐患数（每 1 万平方米）")),
                    _row(QLabel(high), self.density["high"], QLabel(medium), self.density["medium"]))
        form.addRow(_tr(QT_TRANSLATE_NOOP("AgencyRules", "死亡或较大事故后保持高风险")), self.fatal_months)
        form.addRow(_tr(QT_TRANSLATE_NOOP("AgencyRules", "一般事故影响期")), self.accident_months)
        for key, text in FACTORS:
            form.addRow(_tr(text), self.factor_levels[key])

        files = QGroupBox(_tr(QT_TRANSLATE_NOOP("AgencyRules", "档案与文号")))
        form = QFormLayout(files)
        self._add(form, "archive.retention_years", QT_TRANSLATE_NOOP("AgencyRules", "档案保存年限（竣工后）"),
                  self.retention, QT_TRANSLATE_NOOP(
                      "AgencyRules", "依据：纸质版档案在项目竣工后应至少保留五年，档案销毁前应报保险机构核准"))
        self._add(form, "numbering.agency_code", QT_TRANSLATE_NOOP("AgencyRules", "机构代字（文号开头）"),
                  self.code, QT_TRANSLATE_NOOP("AgencyRules", "文号为 机构代字〔年份〕序号号，如 绍安衡风控整改〔2026〕7号"))

        self.save_button = QPushButton(_tr(QT_TRANSLATE_NOOP("AgencyRules", "保存规则")))
        self.save_button.setObjectName("saveRules")
        self.reset_button = QPushButton(_tr(QT_TRANSLATE_NOOP("AgencyRules", "放弃修改")))
        self.save_button.clicked.connect(self.save)
        self.reset_button.clicked.connect(self.refresh)
        self.import_button = QPushButton(_tr(QT_TRANSLATE_NOOP("AgencyRules", "从文件导入评定规则…")))
        self.import_button.setObjectName("importGrading")
        self.import_button.setToolTip(_tr(QT_TRANSLATE_NOOP(
            "AgencyRules", "Excel（“项目”“取值”两列）或 JSON 文件；与此处保存时同样检查，有任何问题则不作修改")))
        self.import_button.clicked.connect(self.import_grading)
        self.template_button = QPushButton(_tr(QT_TRANSLATE_NOOP("AgencyRules", "下载模板…")))
        self.template_button.setObjectName("gradingTemplate")
        self.template_button.setToolTip(_tr(QT_TRANSLATE_NOOP(
            "AgencyRules", "写出含现行评定规则取值的 Excel 模板；修改“取值”列后用“从文件导入评定规则…”导入")))
        self.template_button.clicked.connect(self.save_template)
        editable = state.can("settings.edit")
        for group in (deadlines, grading, files):
            group.setEnabled(editable)
        self.save_button.setVisible(editable)
        self.reset_button.setVisible(editable)
        self.import_button.setVisible(editable)
        self.template_button.setVisible(editable)
        buttons = QHBoxLayout()
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.template_button)
        buttons.addStretch(1)
        buttons.addWidget(self.reset_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        for group in (deadlines, grading, files):
            layout.addWidget(group)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        layout.addStretch(1)

    def _add(self, form: QFormLayout, key: str, text: str, widget: QWidget, tip: str) -> None:
        widget.setToolTip(_tr(tip))
        form.addRow(_tr(text), self.errors.wrap(key, widget))

    def refresh(self) -> None:
        r = self.state.read(agency_rules.read)
        self.loaded = r
        for k, box in self.deadlines.items():
            box.setValue(int(r.deadline_days.get(k, 0)))
        self.first_days.setValue(int(r.first_inspection_days))
        self.serious_days.setValue(int(r.serious_l2_report_days))
        for k, box in self.visits.items():
            box.setValue(int(r.visit_interval_days.get(k, 1)))
        g = r.grading
        self.deep.setValue(float(g["deep_excavation_m"]))
        self.shallow.setValue(float(g["shallow_excavation_m"]))
        density = g["open_hazards_per_10k_m2"]
        self.density["high"].setValue(int(density["high"]))
        self.density["medium"].setValue(int(density["medium"]))
        self.fatal_months.setValue(int(g["fatal_accident_months"]))
        self.accident_months.setValue(int(g["accident_months"]))
        for key, combo in self.factor_levels.items():
            combo.setCurrentIndex(max(0, combo.findData(g[key])))
        self.retention.setValue(max(5, int(r.retention_years)))
        self.code.setText(r.agency_code)
        self.errors.clear()

    def values(self) -> agency_rules.AgencyRules:
        assert self.loaded is not None
        grading: rules.Grading = {
            **self.loaded.grading,
            "deep_excavation_m": _number(self.deep.value()), "shallow_excavation_m": _number(self.shallow.value()),
            "open_hazards_per_10k_m2": {"high": self.density["high"].value(),
                                        "medium": self.density["medium"].value()},
            "fatal_accident_months": self.fatal_months.value(), "accident_months": self.accident_months.value()}
        for key, combo in self.factor_levels.items():
            grading[key] = combo.currentData()
        return agency_rules.AgencyRules(
            deadline_days={k: box.value() for k, box in self.deadlines.items()},
            first_inspection_days=self.first_days.value(),
            serious_l2_report_days=self.serious_days.value(),
            visit_interval_days={k: box.value() for k, box in self.visits.items()},
            grading=grading, retention_years=self.retention.value(), agency_code=self.code.text())

    def save(self) -> None:
        if self.loaded is None:
            self.refresh()
        try:
            stored = self.state.write(agency_rules.save, self.values(), changes=Changes(settings=True))
        except ValidationError as exc:
            first = self.errors.show(i18n.field_texts(exc))
            if first is not None:
                first.setFocus()
            return
        except dialogs.USER_ERRORS as exc:
            dialogs.show_error(self, exc)
            return
        self.refresh()
        title = _tr(QT_TRANSLATE_NOOP("AgencyRules", "机构规则"))
        if stored:
            text = _tr(QT_TRANSLATE_NOOP("AgencyRules", "已保存 {n} 项规则，用于此后新登记的记录。"))
            dialogs.inform(self, title, text.format(n=len(stored)))
        else:
            dialogs.inform(self, title, _tr(QT_TRANSLATE_NOOP("AgencyRules", "规则没有修改。")))

    def import_grading(self) -> None:
        """The grading thresholds from an Excel or JSON file (services/exchange/grading_sheet.py);
        the form's unsaved edits are dropped, as the file's values are shown after it."""
        self.errors.clear()
        path = choose_grading_file(self, _tr(QT_TRANSLATE_NOOP("AgencyRules", "选择评定规则文件")))
        if not path:
            return
        try:
            limits = xlsx_guard.Limits(int(self.state.config.get("import_max_mb")),
                                       int(self.state.config.get("import_max_rows")))
            result = self.state.write(grading_sheet.import_file, Path(path), limits=limits,
                                      changes=Changes(settings=True))
        except dialogs.USER_ERRORS as exc:
            self.error.show_message(i18n.error_text(exc))
            return
        self.refresh()
        title = _tr(QT_TRANSLATE_NOOP("AgencyRules", "机构规则"))
        text = _tr(QT_TRANSLATE_NOOP("AgencyRules", "已从 {file} 读取 {n} 项评定规则取值，{changed}。"))
        changed = _tr(QT_TRANSLATE_NOOP("AgencyRules", "已保存，用于此后的风险评估")) if result.stored \
            else _tr(QT_TRANSLATE_NOOP("AgencyRules", "与现行规则相同，未作修改"))
        dialogs.inform(self, title, text.format(file=result.file, n=result.values, changed=changed))


    def save_template(self) -> None:
        """The grading thresholds' Excel template with the current values (the layout the import
        reads; services/exchange/grading_sheet.write_template), written atomically."""
        self.errors.clear()
        path = choose_template_target(self, _tr(QT_TRANSLATE_NOOP("AgencyRules", "保存评定规则模板")),
                                      _tr(QT_TRANSLATE_NOOP("AgencyRules", "评定规则模板.xlsx")))
        if not path:
            return
        if Path(path).suffix.lower() != ".xlsx":
            path += ".xlsx"
        try:
            written = self.state.read(grading_sheet.write_template, self.state.actor, Path(path))
        except dialogs.USER_ERRORS as exc:
            self.error.show_message(i18n.error_text(exc))
            return
        except OSError as exc:  # a folder not writable, a full disk: no partial file is left
            self.error.show_message(_tr(QT_TRANSLATE_NOOP("AgencyRules", "无法写入 {path}：{reason}")).format(
                path=path, reason=exc.strerror or exc))
            return
        title = _tr(QT_TRANSLATE_NOOP("AgencyRules", "机构规则"))
        text = _tr(QT_TRANSLATE_NOOP("AgencyRules", "已写出评定规则模板（含现行取值）：{path}\n"
                                                    "修改“取值”列后用“从文件导入评定规则…”导入。"))
        dialogs.inform(self, title, text.format(path=written))


def choose_template_target(parent: QWidget | None, title: str, suggested: str) -> str:
    """Where to write the template, or "" when cancelled (a seam: tests replace it)."""
    return file_dialogs.save_file(parent, title, suggested, "Excel (*.xlsx)")


def choose_grading_file(parent: QWidget | None, title: str) -> str:
    """The grading file to import, or "" when cancelled (a seam: tests replace it)."""
    path, _ = QFileDialog.getOpenFileName(parent, title, "", GRADING_FILTER)
    return path


GRADING_FILTER = "Excel / JSON (*.xlsx *.xlsm *.json)"


def _number(value: float) -> int | float:
    """A whole number of metres stays an int, as the defaults are."""
    return int(value) if float(value).is_integer() else round(value, 1)
