"""导出评审资料包: one insurer's signed review package for a period, then its verification report."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop import clock
from desktop.fileutil import human_size
from desktop.services import agency, organisations, periods, trust
from desktop.services.exchange import packages
from desktop.services.exchange.packages import PackageCheck, PackageResult
from desktop.services.queries import project_list
from desktop.ui import dialogs, file_dialogs, i18n
from desktop.ui.app_state import AppState
from desktop.ui.i18n import error_text
from desktop.ui.tasks import Task, run_task
from desktop.ui.widgets import ErrorLabel

ZIP_FILTER = "Review package (*.zip)"


def choose_save_file(parent: QWidget | None, title: str, start: str, filters: str) -> str:
    """Where to write the package, or "" when cancelled (a seam: tests replace it)."""
    return file_dialogs.save_file(parent, title, start, filters)


def choose_package(parent: QWidget | None, title: str) -> str:
    """A package to verify, or "" when cancelled (a seam: tests replace it)."""
    return file_dialogs.open_file(parent, title, ZIP_FILTER)


class PackagePanel(QWidget):
    exported = Signal(object)  # packages.PackageResult
    verified = Signal(object)  # packages.PackageCheck

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.task: Task | None = None
        self.result: PackageResult | None = None
        self.check: PackageCheck | None = None
        self.insurer = QComboBox()
        self.insurer.currentIndexChanged.connect(self._load_projects)
        self.period = QLineEdit(periods.quarter_of(clock.today()).label)
        self.period.setPlaceholderText("2026Q3")
        self.period.setToolTip(QCoreApplication.translate(
            "PackageDialog", "月 2026-03、季度 2026Q3、半年 2026H1 或年度 2026"))
        self.projects = QListWidget()
        self.projects.setMinimumHeight(120)
        self.out_path = QLineEdit()
        self.browse_button = QPushButton(QCoreApplication.translate("PackageDialog", "选择…"))
        self.browse_button.clicked.connect(self.choose_output)
        self.export_button = QPushButton(QCoreApplication.translate("PackageDialog", "导出评审资料包"))
        self.export_button.clicked.connect(self.export)
        self.verify_button = QPushButton(QCoreApplication.translate("PackageDialog", "核验资料包"))
        self.verify_button.clicked.connect(self.verify)
        self.verify_other_button = QPushButton(
            QCoreApplication.translate("PackageDialog", "核验其他资料包…"))
        self.verify_other_button.clicked.connect(self.verify_other)
        self.verdict = QLabel()
        self.verdict.setObjectName("packageVerdict")
        self.verdict.setWordWrap(True)
        self.verdict.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error = ErrorLabel()
        self.report = QPlainTextEdit()
        self.report.setReadOnly(True)
        self.report.setPlaceholderText(QCoreApplication.translate("PackageDialog", "核验结果将显示在这里。"))
        out_row = QHBoxLayout()
        out_row.addWidget(self.out_path, 1)
        out_row.addWidget(self.browse_button)
        form = QFormLayout()
        form.addRow(QCoreApplication.translate("PackageDialog", "承保机构"), self.insurer)
        form.addRow(QCoreApplication.translate("PackageDialog", "期间"), self.period)
        form.addRow(QCoreApplication.translate("PackageDialog", "项目（不勾选则为期间内全部承保项目）"),
                    self.projects)
        form.addRow(QCoreApplication.translate("PackageDialog", "保存到"), out_row)
        buttons = QHBoxLayout()
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.verify_button)
        buttons.addWidget(self.verify_other_button)
        buttons.addStretch(1)
        intro = QLabel(QCoreApplication.translate(
            "PackageDialog", "评审资料包内有项目清单、期间内的隐患台账、已签发文书和隐患照片，由本机构密钥签名，"
            "保险公司可逐个文件核对。"))
        intro.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        layout.addWidget(self.verdict)
        layout.addWidget(self.report, 1)
        self._update_buttons()

    def refresh(self) -> None:
        chosen = self.insurer.currentData()
        self.insurer.blockSignals(True)
        self.insurer.clear()
        for org in self.state.read(organisations.list_orgs, "insurer"):
            self.insurer.addItem(org.name, org.id)
        self.insurer.setCurrentIndex(max(self.insurer.findData(chosen), 0))
        self.insurer.blockSignals(False)
        self._load_projects()

    def _load_projects(self) -> None:
        self.projects.clear()
        insurer_id = self.insurer.currentData()
        if insurer_id is None:
            self._update_buttons()
            return
        flt = project_list.ProjectFilter(insurer_id=insurer_id)
        ids = self.state.read(project_list.project_ids, flt)
        for row in self.state.read(project_list.rows_by_ids, ids):
            item = QListWidgetItem(f"{row.code}  {row.name}")
            item.setData(Qt.ItemDataRole.UserRole, row.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.projects.addItem(item)
        self._update_buttons()

    def chosen_projects(self) -> list[int] | None:
        ids = [self.projects.item(n).data(Qt.ItemDataRole.UserRole) for n in range(self.projects.count())
               if self.projects.item(n).checkState() == Qt.CheckState.Checked]
        return ids or None

    def set_projects(self, ids: list[int]) -> None:
        for n in range(self.projects.count()):
            item = self.projects.item(n)
            checked = item.data(Qt.ItemDataRole.UserRole) in ids
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def _update_buttons(self) -> None:
        idle = self.task is None
        allowed = self.state.can("package.sign")  # signed with the agency's key: not a reviewer
        self.export_button.setEnabled(idle and allowed and self.insurer.currentData() is not None)
        self.verify_button.setEnabled(idle and self.result is not None)
        self.verify_other_button.setEnabled(idle)

    def _track(self, task: Task) -> Task:
        self.task = task
        task.finished.connect(lambda: self._done(task))
        self._update_buttons()
        return task

    def _done(self, task: Task) -> None:
        if self.task is task:
            self.task = None
        self._update_buttons()

    def choose_output(self) -> None:
        name = QCoreApplication.translate("PackageDialog", "评审资料包-{insurer}-{period}.zip").format(
            insurer=self.insurer.currentText()[:20], period=self.period.text().strip())
        start = str(Path(self.out_path.text()).parent / name) if self.out_path.text() else name
        chosen = choose_save_file(self, QCoreApplication.translate("PackageDialog", "保存评审资料包"),
                                  start, ZIP_FILTER)
        if chosen:
            self.out_path.setText(chosen)

    def export(self) -> Task | None:
        self.error.show_message("")
        insurer_id = self.insurer.currentData()
        try:
            period = periods.parse(self.period.text())
        except ValueError as exc:
            self.error.show_message(error_text(exc))
            return None
        if insurer_id is None:
            self.error.show_message(QCoreApplication.translate("PackageDialog", "请选择承保机构"))
            return None
        if not self.out_path.text().strip():
            self.choose_output()
            if not self.out_path.text().strip():
                return None
        self.result, self.check = None, None
        self.report.clear()
        return self._track(run_task(
            self, packages.export_package, self.state.db, self.state.config, self.state.actor,
            insurer_id=insurer_id, period=period.label, out_path=Path(self.out_path.text().strip()),
            project_ids=self.chosen_projects(), on_result=self._exported,
            label=QCoreApplication.translate("PackageDialog", "正在导出评审资料包…")))

    def _exported(self, result: PackageResult) -> None:
        self.result = result
        self._update_buttons()
        self.exported.emit(result)
        question = QCoreApplication.translate(
            "PackageDialog", "评审资料包已导出：{path}\n共 {files} 个文件，{size}。\n签名公钥指纹：{fingerprint}\n\n"
            "现在核验一遍吗？").format(path=result.path, files=result.files,
                                     size=human_size(result.size), fingerprint=result.fingerprint)
        if dialogs.ask(self, QCoreApplication.translate("PackageDialog", "导出完成"), question):
            self.verify()

    def verify(self) -> Task | None:
        if self.result is None:
            return None
        return self._verify(self.result.path)

    def verify_other(self) -> Task | None:
        """A package from elsewhere (another agency's, or one sent back): checked against the
        trust list and this agency's own keys."""
        chosen = choose_package(self, QCoreApplication.translate("PackageDialog", "选择要核验的资料包"))
        return self._verify(Path(chosen)) if chosen else None

    def _verify(self, path: Path) -> Task | None:
        try:
            profile = self.state.read(agency.agency_profile)
            trusted = trust.for_verification(self.state.config.data_dir,
                                             agency_name=profile.name if profile else "")
        except dialogs.USER_ERRORS as exc:
            dialogs.show_error(self, exc)
            return None
        self.check = None
        self.verdict.clear()
        self.report.clear()
        return self._track(run_task(
            self, packages.verify_package, path, trusted, on_result=self._verified,
            label=QCoreApplication.translate("PackageDialog", "正在核验评审资料包…")))

    def _verified(self, check: PackageCheck) -> None:
        self.check = check
        self.verdict.setText(verdict_text(check))
        self.report.setPlainText(_report(check))
        self.verified.emit(check)
        if check.ok:
            dialogs.inform(self, QCoreApplication.translate("PackageDialog", "核验通过"),
                           verdict_text(check))
        elif check.status == packages.UNTRUSTED:
            dialogs.warn(self, QCoreApplication.translate("PackageDialog", "签名者未经核实"),
                         verdict_text(check))
        else:
            dialogs.warn(self, QCoreApplication.translate("PackageDialog", "核验未通过"), _report(check))


class PackageDialog(QDialog):
    """The panel as a dialog, for pages that offer the export beside their own lists."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(QCoreApplication.translate("PackageDialog", "导出评审资料包"))
        self.panel = PackagePanel(state, self)
        self.panel.refresh()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.panel)
        layout.addWidget(buttons)
        self.resize(640, 560)


def verdict_text(check: packages.PackageCheck) -> str:
    """Three lines: intact or not; the signer (the agency it claims, its key's fingerprint);
    whether the signer is verified, and through which trust entry."""
    if check.intact:
        lines = [QCoreApplication.translate(
            "PackageDialog", "完整性：完整，{n} 个文件全部核对一致").format(n=check.files)]
    else:
        lines = [QCoreApplication.translate("PackageDialog", "完整性：未通过——资料包损坏或被篡改")]
    if check.signature_ok:
        agency_name = trust.visible(check.agency) or QCoreApplication.translate(
            "PackageDialog", "未写明机构")
        lines.append(QCoreApplication.translate(
            "PackageDialog", "签名者：{agency}（公钥指纹 {fingerprint}）").format(
                agency=agency_name, fingerprint=check.fingerprint))
    entry = check.signer.entry
    if entry is not None:
        if entry.source == trust.OWN:
            who = QCoreApplication.translate("PackageDialog", "本机构自己的签名密钥")
        else:
            who = QCoreApplication.translate(
                "PackageDialog", "受信任名单中的“{name}”").format(name=entry.name)
        if check.signer.via:
            who = QCoreApplication.translate(
                "PackageDialog", "{who}签署的密钥更换声明").format(who=who)
        lines.append(QCoreApplication.translate(
            "PackageDialog", "信任：已核实（{who}）").format(who=who))
    elif check.signer.other is not None:
        claimed = trust.visible(check.agency) or QCoreApplication.translate(
            "PackageDialog", "未写明机构")
        if check.signer.reason == trust.STATEMENT:
            text = QCoreApplication.translate(
                "PackageDialog", "信任：与预期不符——资料包自称由“{agency}”签发，但启用其签名密钥的"
                "密钥更换声明写明的机构是“{name}”，可能是伪造的资料包")
        elif check.signer.other_via:
            text = QCoreApplication.translate(
                "PackageDialog", "信任：与预期不符——资料包自称由“{agency}”签发，但其签名密钥是经"
                "密钥更换声明由“{name}”的公钥启用的，可能是伪造的资料包")
        else:
            text = QCoreApplication.translate(
                "PackageDialog", "信任：与预期不符——资料包自称由“{agency}”签发，但该公钥登记为"
                "“{name}”的公钥，可能是伪造的资料包")
        lines.append(text.format(agency=claimed, name=trust.visible(check.signer.other_name)))
    elif check.signer.expected is not None:
        lines.append(QCoreApplication.translate(
            "PackageDialog", "信任：与预期不符——不是{name}的公钥，可能是伪造的资料包").format(
                name=check.signer.expected.name))
    elif check.signature_ok:
        lines.append(QCoreApplication.translate(
            "PackageDialog", "信任：签名者未经核实——该公钥不在受信任名单中，"
            "请核对公钥登记函后在“受信任的签名公钥”中添加"))
    return "\n".join(lines)


def _report(check: packages.PackageCheck) -> str:
    """The verification report in the interface language, a line per finding."""
    return "\n".join(i18n.service_text(line) for line in check.lines)
