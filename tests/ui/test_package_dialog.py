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
    target = tmp_path / "评审资料包.zip"
    monkeypatch.setattr(package_dialog, "choose_save_file", lambda *_a: str(target))
    with qtbot.waitSignal(panel.verified, timeout=30_000) as verified:
        panel.export_button.click()  # no file chosen yet: the chooser asks first
    assert zipfile.is_zipfile(target)
    assert dialog_log.kinds() == ["ask", "inform"]
    assert "现在核验" in dialog_log.texts("ask")[0]
    check = verified.args[0]
    assert check.ok and check.signature_ok
    assert "结论：资料包完整" in panel.report.toPlainText()
    verdict = panel.verdict.text()  # intact, the signer named with its key, and trusted as ours
    assert "完整性：完整" in verdict and "绍兴市安信建设风控服务有限公司" in verdict
    assert check.fingerprint in verdict and "信任：已核实（本机构自己的签名密钥）" in verdict
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


def test_another_package_shows_its_signer_and_trust_state(qtbot, panel, state, users, dialog_log,
                                                          monkeypatch, tmp_path):
    """A package from elsewhere: a forgery in another's name is intact but its signer is not
    verified; once that agency's real key is trusted, the forgery is refused."""
    from desktop.services import trust
    from tests.services.test_trust import forge

    dialog_log.answer = False
    real = tmp_path / "p.zip"
    panel.out_path.setText(str(real))
    with qtbot.waitSignal(panel.exported, timeout=30_000):
        panel.export()
    qtbot.waitUntil(lambda: panel.task is None)
    forged = forge(real, tmp_path / "forged.zip", agency="诸暨某风控公司")
    monkeypatch.setattr(package_dialog, "choose_package", lambda *_a: str(forged))
    with qtbot.waitSignal(panel.verified, timeout=30_000) as verified:
        panel.verify_other_button.click()
    check = verified.args[0]
    assert check.intact and check.status == "untrusted"
    assert "诸暨某风控公司" in panel.verdict.text() and check.fingerprint in panel.verdict.text()
    assert "签名者未经核实" in panel.verdict.text()
    assert dialog_log.kinds()[-1] == "warn" and dialog_log.calls[-1][1] == "签名者未经核实"
    qtbot.waitUntil(lambda: panel.task is None)
    pem = tmp_path / "zhuji.pem"
    pem.write_bytes(signing.public_pem(signing.public_hex(
        signing.load_private_key(state.config.data_dir))))
    trust.add_entry(state.config.data_dir, users["admin"], pem, "诸暨某风控公司")
    with qtbot.waitSignal(panel.verified, timeout=30_000) as verified:
        panel.verify_other_button.click()
    assert verified.args[0].exit_code == 1
    assert "与预期不符" in panel.verdict.text() and dialog_log.calls[-1][1] == "核验未通过"


def test_a_reviewer_may_verify_but_not_export(qtbot, db, users, config, signed):
    reviewer = PackagePanel(AppState(db=db, config=config, actor=users["reviewer"]))
    qtbot.addWidget(reviewer)
    reviewer.refresh()
    assert reviewer.insurer.count() == 1
    assert not reviewer.export_button.isEnabled() and reviewer.verify_other_button.isEnabled()


def test_a_package_signed_by_another_agencys_trusted_key_is_refused_in_the_window(
        qtbot, panel, state, users, dialog_log, monkeypatch, tmp_path):
    """Review 13, D1: agency B's listed key signs a package naming another agency. The window
    says what the command line says — not "核验通过", not "已核实"."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from desktop.services import trust
    from tests.services.test_trust import forge

    dialog_log.answer = False
    real = tmp_path / "p.zip"
    panel.out_path.setText(str(real))
    with qtbot.waitSignal(panel.exported, timeout=30_000):
        panel.export()
    qtbot.waitUntil(lambda: panel.task is None)
    other = Ed25519PrivateKey.generate()
    pem = tmp_path / "otherB.pem"
    pem.write_bytes(signing.public_pem(signing.public_hex(other)))
    trust.add_entry(state.config.data_dir, users["admin"], pem, "乙安全咨询公司")
    forged = forge(real, tmp_path / "f2.zip", key=other, agency="诸暨某风控公司")
    monkeypatch.setattr(package_dialog, "choose_package", lambda *_a: str(forged))
    with qtbot.waitSignal(panel.verified, timeout=30_000) as verified:
        panel.verify_other_button.click()
    check = verified.args[0]
    assert check.intact and check.exit_code == 1 and not check.ok
    verdict = panel.verdict.text()
    assert "已核实" not in verdict
    assert ("信任：与预期不符——资料包自称由“诸暨某风控公司”签发，但该公钥登记为“乙安全咨询公司”的公钥"
            in verdict)
    assert dialog_log.calls[-1][1] == "核验未通过" and "乙安全咨询公司" in dialog_log.calls[-1][2]
    qtbot.waitUntil(lambda: panel.task is None)
