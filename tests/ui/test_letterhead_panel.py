"""信笺与印章 in the settings: upload, preview and remove the logo, seal and own signature."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from desktop.services import agency, letterhead
from desktop.ui import letterhead_panel
from desktop.ui.app_state import AppState
from desktop.ui.letterhead_panel import LetterheadPanel


def write_png(path, *, clear=True):
    im = Image.new("RGBA" if clear else "RGB", (200, 200), (0, 0, 0, 0) if clear else "white")
    im.paste((200, 0, 0, 255) if clear else (200, 0, 0), (40, 40, 160, 160))
    buf = io.BytesIO()
    im.save(buf, "PNG")
    path.write_bytes(buf.getvalue())
    return path


@pytest.fixture
def profile(db):
    with db.session() as s:
        agency.setup_agency(s, name="绍兴安途安全风控咨询有限公司")


def test_admin_uploads_previews_and_removes_the_seal(qtbot, state, profile, dialog_log, monkeypatch, tmp_path):
    panel = LetterheadPanel(state)
    qtbot.addWidget(panel)
    panel.refresh()
    assert not panel.seal.is_set and not panel.seal.remove_button.isEnabled()
    monkeypatch.setattr(letterhead_panel, "choose_image_file",
                        lambda *_a: str(write_png(tmp_path / "white.png", clear=False)))
    panel.seal.upload_button.click()  # no transparency: refused in words, nothing set
    assert dialog_log.kinds()[-1] == "warn" and "背景透明" in dialog_log.calls[-1][2]
    assert not panel.seal.is_set
    monkeypatch.setattr(letterhead_panel, "choose_image_file",
                        lambda *_a: str(write_png(tmp_path / "seal.png")))
    panel.seal.upload_button.click()
    assert panel.seal.is_set and panel.seal.remove_button.isEnabled()
    assert state.read(letterhead.current).seal_sha256 is not None
    panel.line.setText("地址：绍兴市越城区 电话：0575-88001234")
    panel.line_button.click()
    assert state.read(letterhead.current).letterhead == "地址：绍兴市越城区 电话：0575-88001234"
    dialog_log.answer = True
    panel.seal.remove_button.click()
    assert not panel.seal.is_set and state.read(letterhead.current).seal_sha256 is None


def test_a_user_sets_only_their_own_signature(qtbot, db, users, config, profile, monkeypatch, tmp_path):
    inspector = users["inspector"]
    panel = LetterheadPanel(AppState(db=db, config=config, actor=inspector))
    qtbot.addWidget(panel)
    panel.refresh()
    assert not panel.seal.upload_button.isEnabled() and not panel.logo.upload_button.isEnabled()
    assert not panel.line.isEnabled() and panel.signature.upload_button.isEnabled()
    monkeypatch.setattr(letterhead_panel, "choose_image_file",
                        lambda *_a: str(write_png(tmp_path / "sig.png")))
    panel.signature.upload_button.click()
    assert panel.signature.is_set
    with db.read() as s:
        assert letterhead.signature_sha(s, inspector.user_id) is not None
        assert letterhead.signature_sha(s, users["tech_lead"].user_id) is None


def test_an_admin_sets_another_users_signature_from_the_users_panel(qtbot, state, db, users, profile,
                                                                   dialog_log, monkeypatch, tmp_path):
    from desktop.ui.pages.users_panel import UsersPanel

    panel = UsersPanel(state)
    qtbot.addWidget(panel)
    panel.refresh()
    assert not panel.signature_button.isEnabled()
    rows = [panel.model.row_at(r) for r in range(panel.model.rowCount())]
    panel.table.selectRow(next(i for i, r in enumerate(rows) if r.username == "tech_lead"))
    assert panel.signature_button.isEnabled()
    monkeypatch.setattr(letterhead_panel, "choose_image_file",
                        lambda *_a: str(tmp_path / "missing.png"))
    assert not panel.set_signature() and dialog_log.kinds()[-1] == "warn"  # unreadable: said
    monkeypatch.setattr(letterhead_panel, "choose_image_file",
                        lambda *_a: str(write_png(tmp_path / "sig.png")))
    panel.signature_button.click()
    with db.read() as s:
        assert letterhead.signature_sha(s, users["tech_lead"].user_id) is not None
