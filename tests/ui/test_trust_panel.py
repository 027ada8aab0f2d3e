"""受信任的签名公钥: add a key from a .pem file with a name, list it, remove it; who may."""

from __future__ import annotations

import stat

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from desktop.services import signing, trust
from desktop.ui import trust_panel
from desktop.ui.app_state import AppState
from desktop.ui.trust_panel import TrustPanel


@pytest.fixture
def pem(tmp_path):
    public = signing.public_hex(Ed25519PrivateKey.generate())
    path = tmp_path / "agency.pem"
    path.write_bytes(signing.public_pem(public))
    return path, signing.fingerprint(public)


def test_add_list_and_remove(qtbot, state, config, pem, dialog_log, monkeypatch, tmp_path):
    path, fingerprint = pem
    panel = TrustPanel(state)
    qtbot.addWidget(panel)
    panel.refresh()
    assert panel.table.rowCount() == 0
    monkeypatch.setattr(trust_panel, "choose_key_file", lambda *_a: str(path))
    assert panel.add_from_file() is None and "请先填写" in panel.error.text()
    panel.name.setText("绍兴安途安全风控咨询有限公司")
    panel.add_button.click()
    assert panel.table.rowCount() == 1
    assert panel.table.item(0, 0).text() == "绍兴安途安全风控咨询有限公司"
    assert panel.table.item(0, 1).text() == fingerprint
    assert dialog_log.kinds() == ["inform"] and fingerprint in dialog_log.texts("inform")[0]
    assert stat.S_IMODE(trust.trust_path(config.data_dir).stat().st_mode) == 0o600
    panel.name.setText("再加一次")
    panel.add_button.click()  # the same key again: refused, said in words
    assert dialog_log.kinds()[-1] == "warn" and "已在受信任名单中" in dialog_log.calls[-1][2]
    junk = tmp_path / "junk.pem"
    junk.write_text("not a key")
    monkeypatch.setattr(trust_panel, "choose_key_file", lambda *_a: str(junk))
    panel.add_button.click()
    assert "无法识别的公钥文件" in dialog_log.calls[-1][2] and panel.table.rowCount() == 1
    panel.table.selectRow(0)
    assert panel.remove_button.isEnabled()
    dialog_log.answer = False
    assert panel.remove_selected() is None and panel.table.rowCount() == 1
    dialog_log.answer = True
    panel.remove_button.click()
    assert panel.table.rowCount() == 0 and trust.list_entries(config.data_dir) == []


def test_only_who_may_edit_the_list_sees_the_buttons_enabled(qtbot, db, users, config, pem):
    trust.add_entry(config.data_dir, users["admin"], pem[0], "某机构")
    panel = TrustPanel(AppState(db=db, config=config, actor=users["inspector"]))
    qtbot.addWidget(panel)
    panel.refresh()
    assert panel.table.rowCount() == 1  # the list is shown to everyone
    panel.table.selectRow(0)
    assert not panel.add_button.isEnabled() and not panel.remove_button.isEnabled()
