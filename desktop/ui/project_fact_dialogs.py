"""Editing a project's facts after entry: a 危大 item (计划→施工中→完成 with the actual dates),
a construction stage, a policy, a contact. Each dialog calls one service with the version it
showed; a refusal appears under its field, a newer version saved elsewhere is said as such."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QWidget

from desktop.services import organisations, project_facts, projects
from desktop.services.context import Changes
from desktop.ui.app_state import AppState
from desktop.ui.project_dialog import FieldDialog, OptionalDateEdit, danger_status_label, money
from desktop.ui.translatable import QT_TRANSLATE_NOOP

STATUS_HINT = QT_TRANSLATE_NOOP(
    "ProjectFacts", "状态按 计划→施工中→完成 依次变更：开始施工时填写实际开始日期，完成时填写实际完成日期。"
                    "超危大工程开始或完成后，项目将提示重新评估风险等级。")


def _tr(text: str) -> str:
    return QCoreApplication.translate("ProjectFacts", text)


def _date(key: str, value: dt.date | None) -> OptionalDateEdit:
    field = OptionalDateEdit(value)
    field.key = key
    return field


def _changes(project_id: int) -> Changes:
    return Changes().touch("projects", project_id)


class DangerItemDialog(FieldDialog):
    def __init__(self, state: AppState, project_id: int, item: projects.DangerLine, parent: QWidget | None = None) -> None:
        super().__init__(state, _tr(QT_TRANSLATE_NOOP("ProjectFacts", "修改危大工程")), parent)
        self.project_id, self.item = project_id, item
        self.name = QLineEdit(item.name)
        self.is_super = QCheckBox(_tr(QT_TRANSLATE_NOOP("ProjectFacts", "超过一定规模（超危大工程）")))
        self.is_super.setChecked(item.is_super)
        self.status = QComboBox()
        self.status.setObjectName("dangerStatus")
        for status in project_facts.DANGER_STATUSES:
            self.status.addItem(danger_status_label(status), status)
        self.status.setCurrentIndex(max(0, self.status.findData(item.status)))
        self.planned_start = _date("planned_start", item.planned_start)
        self.planned_end = _date("planned_end", item.planned_end)
        self.actual_start = _date("actual_start", item.actual_start)
        self.actual_end = _date("actual_end", item.actual_end)
        self.parameters = QLineEdit(item.parameters or "")
        self.status.setToolTip(_tr(STATUS_HINT))
        for key, text, widget in (
                ("name", QT_TRANSLATE_NOOP("ProjectFacts", "名称"), self.name),
                ("is_super", "", self.is_super),
                ("status", QT_TRANSLATE_NOOP("ProjectFacts", "状态"), self.status),
                ("planned_start", QT_TRANSLATE_NOOP("ProjectFacts", "计划开始"), self.planned_start),
                ("planned_end", QT_TRANSLATE_NOOP("ProjectFacts", "计划结束"), self.planned_end),
                ("actual_start", QT_TRANSLATE_NOOP("ProjectFacts", "实际开始"), self.actual_start),
                ("actual_end", QT_TRANSLATE_NOOP("ProjectFacts", "实际完成"), self.actual_end),
                ("parameters", QT_TRANSLATE_NOOP("ProjectFacts", "规模参数"), self.parameters)):
            self.field(key, _tr(text) if text else "", widget)
        self.setMinimumWidth(460)

    def submit(self) -> None:
        edit = project_facts.DangerEdit(
            name=self.name.text(), is_super=self.is_super.isChecked(), status=self.status.currentData(),
            planned_start=self.planned_start.value(), planned_end=self.planned_end.value(),
            actual_start=self.actual_start.value(), actual_end=self.actual_end.value(),
            parameters=self.parameters.text())
        self.state.write(project_facts.update_danger_item, self.item.id, edit,
                         expected_version=self.item.version, changes=_changes(self.project_id))


class StageDialog(FieldDialog):
    def __init__(self, state: AppState, project_id: int, stage: projects.StageLine, parent: QWidget | None = None) -> None:
        super().__init__(state, _tr(QT_TRANSLATE_NOOP("ProjectFacts", "修改施工阶段")), parent)
        self.project_id, self.stage = project_id, stage
        self.name = QLineEdit(stage.name)
        self.dates = {key: _date(key, value) for key, value in (
            ("planned_start", stage.planned_start), ("planned_end", stage.planned_end),
            ("actual_start", stage.actual_start), ("actual_end", stage.actual_end))}
        self.field("name", _tr(QT_TRANSLATE_NOOP("ProjectFacts", "施工阶段")), self.name)
        for key, text in (("planned_start", QT_TRANSLATE_NOOP("ProjectFacts", "计划开始")),
                          ("planned_end", QT_TRANSLATE_NOOP("ProjectFacts", "计划结束")),
                          ("actual_start", QT_TRANSLATE_NOOP("ProjectFacts", "实际开始")),
                          ("actual_end", QT_TRANSLATE_NOOP("ProjectFacts", "实际结束"))):
            self.field(key, _tr(text), self.dates[key])

    def submit(self) -> None:
        self.state.write(project_facts.update_stage, self.stage.id, name=self.name.text(),
                         **{k: w.value() for k, w in self.dates.items()},
                         expected_version=self.stage.version, changes=_changes(self.project_id))


class PolicyDialog(FieldDialog):
    def __init__(self, state: AppState, project_id: int, policies: list[projects.PolicyLine],
                 parent: QWidget | None = None) -> None:
        super().__init__(state, _tr(QT_TRANSLATE_NOOP("ProjectFacts", "修改保单")), parent)
        self.project_id, self.policies = project_id, policies
        self.which = QComboBox()
        self.which.setObjectName("policyChoice")
        for p in policies:
            self.which.addItem(p.policy_no, p.id)
        self.policy_no, self.premium, self.fee = QLineEdit(), QLineEdit(), QLineEdit()
        self.insurer = QComboBox()
        for org in state.read(organisations.list_orgs, "insurer"):
            self.insurer.addItem(org.name, org.id)
        self.start, self.end = _date("start_date", None), _date("end_date", None)
        if len(policies) > 1:
            self.field("policy", _tr(QT_TRANSLATE_NOOP("ProjectFacts", "选择保单")), self.which)
        for key, text, widget in (
                ("policy_no", QT_TRANSLATE_NOOP("ProjectFacts", "保单号"), self.policy_no),
                ("insurer_id", QT_TRANSLATE_NOOP("ProjectFacts", "承保机构"), self.insurer),
                ("start_date", QT_TRANSLATE_NOOP("ProjectFacts", "保险起期"), self.start),
                ("end_date", QT_TRANSLATE_NOOP("ProjectFacts", "保险止期"), self.end),
                ("premium", QT_TRANSLATE_NOOP("ProjectFacts", "保费（元）"), self.premium),
                ("prevention_fee", QT_TRANSLATE_NOOP("ProjectFacts", "事故预防费用（元）"), self.fee)):
            self.field(key, _tr(text), widget)
        self.which.currentIndexChanged.connect(self._show)
        self._show()
        self.setMinimumWidth(460)

    def current(self) -> projects.PolicyLine:
        return self.policies[max(0, self.which.currentIndex())]

    def _show(self) -> None:
        p = self.current()
        self.policy_no.setText(p.policy_no)
        self.insurer.setCurrentIndex(max(0, self.insurer.findData(p.insurer_id)))
        self.start.set_value(p.start_date)
        self.end.set_value(p.end_date)
        self.premium.setText(money(p.premium))
        self.fee.setText(money(p.prevention_fee))

    def submit(self) -> None:
        p = self.current()
        form = projects.PolicyForm(
            policy_no=self.policy_no.text(), insurer_id=self.insurer.currentData() or 0,
            start_date=self.start.value(), end_date=self.end.value(),
            premium=self.premium.text().strip() or None, prevention_fee=self.fee.text().strip() or None)
        self.state.write(project_facts.update_policy, p.id, form, expected_version=p.version,
                         changes=_changes(self.project_id))


class ContactDialog(FieldDialog):
    def __init__(self, state: AppState, project_id: int, contacts: list[projects.ContactLine],
                 parent: QWidget | None = None) -> None:
        super().__init__(state, _tr(QT_TRANSLATE_NOOP("ProjectFacts", "修改联系人")), parent)
        self.project_id, self.contacts = project_id, contacts
        self.which = QComboBox()
        self.which.setObjectName("contactChoice")
        for c in contacts:
            self.which.addItem(f"{c.role}　{c.name}", c.id)
        self.role, self.name, self.phone = QLineEdit(), QLineEdit(), QLineEdit()
        self.left = QCheckBox(_tr(QT_TRANSLATE_NOOP("ProjectFacts", "已离开项目（不再列出，记录保留）")))
        for key, text, widget in (
                ("contact", QT_TRANSLATE_NOOP("ProjectFacts", "选择联系人"), self.which),
                ("role", QT_TRANSLATE_NOOP("ProjectFacts", "岗位"), self.role),
                ("name", QT_TRANSLATE_NOOP("ProjectFacts", "姓名"), self.name),
                ("phone", QT_TRANSLATE_NOOP("ProjectFacts", "电话"), self.phone),
                ("left", "", self.left)):
            self.field(key, _tr(text) if text else "", widget)
        self.which.currentIndexChanged.connect(self._show)
        self._show()

    def current(self) -> projects.ContactLine:
        return self.contacts[max(0, self.which.currentIndex())]

    def _show(self) -> None:
        c = self.current()
        self.role.setText(c.role)
        self.name.setText(c.name)
        self.phone.setText(c.phone)
        self.left.setChecked(False)

    def submit(self) -> None:
        c = self.current()
        if self.left.isChecked():
            self.state.write(project_facts.remove_contact, c.id, expected_version=c.version,
                             changes=_changes(self.project_id))
            return
        self.state.write(project_facts.update_contact, c.id, role=self.role.text(),
                         name=self.name.text(), phone=self.phone.text(), expected_version=c.version,
                         changes=_changes(self.project_id))
