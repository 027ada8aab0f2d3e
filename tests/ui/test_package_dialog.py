"""The review package: export one insurer's period with progress, then verify it in the dialog."""

from __future__ import annotations

import zipfile

import pytest

from desktop.services import signing
from desktop.ui import package_dialog
from desktop.ui.app_state import AppState
from desktop.ui.package_dialog import PackageDialog, PackagePanel


@pytest.fixture
def signed(db, config, hazard_data):
    with db.session() as session:
        signing.setup_key(session, data_dir=config.data_dir)
    return hazard_data


@pytest.fixture
def panel(qtbot, state, signed):
    widget = PackagePanel(state)
    qtbot.addWidget(widget)
    widget.refresh()
    return widget


def test_export_then_verify(qtbot, panel, signed, dialog_log, monkeypatch, tmp_path):
    assert panel.insurer.count() == 1 and panel.insurer.currentData() == signed.insurer
    assert panel.projects.count() == 1
    panel.set_projects([signed.project])
    assert panel.chosen_projects() == [signed.project]
    target = tmp_path / "审阅包.zip"
    monkeypatch.setattr(package_dialog, "choose_save_file", lambda *_a: str(target))
    with qtbot.waitSignal(panel.verified, timeout=30_000) as verified:
        panel.export_button.click()  # no file chosen yet: the chooser asks first
    assert zipfile.is_zipfile(target)
    assert dialog_log.kinds() == ["ask", "inform"]
    assert "现在核验" in dialog_log.texts("ask")[0]
    check = verified.args[0]
    assert check.ok and check.signature_ok
    assert "结论：资料包完整" in panel.report.toPlainText()
    qtbot.waitUntil(lambda: panel.task is None)
    assert panel.verify_button.isEnabled()


def test_declining_to_verify_leaves_the_report_empty(qtbot, panel, dialog_log, tmp_path):
    dialog_log.answer = False
    panel.out_path.setText(str(tmp_path / "p.zip"))
    with qtbot.waitSignal(panel.exported, timeout=30_000):
        panel.export()
    assert dialog_log.kinds() == ["ask"] and panel.report.toPlainText() == ""
    qtbot.waitUntil(lambda: panel.task is None)
    with qtbot.waitSignal(panel.verified, timeout=30_000):
        panel.verify_button.click()
    assert panel.check.ok


def test_a_bad_period_is_shown_beside_the_form(panel, dialog_log, tmp_path):
    panel.period.setText("2026Q5")
    panel.out_path.setText(str(tmp_path / "p.zip"))
    assert panel.export() is None
    assert "期间格式无效" in panel.error.text()
    assert dialog_log.calls == []


def test_a_tampered_package_fails_verification(qtbot, panel, dialog_log, tmp_path):
    dialog_log.answer = False
    target = tmp_path / "p.zip"
    panel.out_path.setText(str(target))
    with qtbot.waitSignal(panel.exported, timeout=30_000):
        panel.export()
    qtbot.waitUntil(lambda: panel.task is None)
    with zipfile.ZipFile(target, "a") as zf:
        zf.writestr("extra.txt", "added later")
    with qtbot.waitSignal(panel.verified, timeout=30_000) as verified:
        panel.verify()
    assert not verified.args[0].ok
    assert dialog_log.kinds()[-1] == "warn" and "多出文件" in dialog_log.texts("warn")[0]


def test_dialog_wraps_the_panel(qtbot, state, signed):
    dialog = PackageDialog(state)
    qtbot.addWidget(dialog)
    assert dialog.panel.insurer.count() == 1


def test_inspectors_may_export(qtbot, db, users, config, signed):
    widget = PackagePanel(AppState(db=db, config=config, actor=users["inspector"]))
    qtbot.addWidget(widget)
    widget.refresh()
    assert widget.export_button.isEnabled()
