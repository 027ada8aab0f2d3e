"""The login dialog: success, wrong password, empty fields, lockout, all shown inline."""

from __future__ import annotations

from PySide6.QtCore import Qt

from desktop.services.users import MAX_FAILURES
from desktop.ui.login_dialog import LoginDialog


def make(qtbot, db, **kwargs):  # type: ignore[no-untyped-def]
    dialog = LoginDialog(db, **kwargs)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def sign_in(qtbot, dialog, username, password):  # type: ignore[no-untyped-def]
    dialog.username.setText(username)
    dialog.password.setText(password)
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)


def test_correct_password_signs_in(qtbot, db, users):
    dialog = make(qtbot, db, agency_name="安信风控")
    with qtbot.waitSignal(dialog.accepted):
        sign_in(qtbot, dialog, "tech_lead", "Secret-Desk-2026")
    assert dialog.actor is not None and dialog.actor.role == "tech_lead"
    assert dialog.error.isHidden()


def test_wrong_password_is_refused_with_the_reason(qtbot, db, users):
    dialog = make(qtbot, db)
    sign_in(qtbot, dialog, "inspector", "wrong-pass1")
    assert dialog.actor is None and dialog.isVisible()
    assert dialog.error.text() == "用户名或密码不正确。"
    assert dialog.password.text() == ""  # typed again, not kept


def test_unknown_user_gets_the_same_message(qtbot, db, users):
    dialog = make(qtbot, db)
    sign_in(qtbot, dialog, "nobody", "Secret-Desk-2026")
    assert dialog.error.text() == "用户名或密码不正确。"


def test_empty_fields_are_asked_for(qtbot, db, users):
    dialog = make(qtbot, db)
    sign_in(qtbot, dialog, "", "")
    assert dialog.error.text() == "请输入用户名和密码。"


def test_lockout_after_repeated_failures(qtbot, db, users):
    dialog = make(qtbot, db, username="clerk")
    assert dialog.username.text() == "clerk"
    for _ in range(MAX_FAILURES):
        sign_in(qtbot, dialog, "clerk", "bad-pass99")
    assert "已锁定" in dialog.error.text() and "15 分钟" in dialog.error.text()
    sign_in(qtbot, dialog, "clerk", "Secret-Desk-2026")  # even the right password waits
    assert dialog.actor is None
    assert "账户因多次密码错误已锁定" in dialog.error.text()


def test_a_database_failure_is_shown_not_raised(qtbot, db, users, monkeypatch):
    from desktop.db import DataError
    from desktop.services import users as user_service

    def broken(*_args):  # type: ignore[no-untyped-def]
        raise DataError("数据库正被其他程序占用（已锁定），请稍后重试。")

    monkeypatch.setattr(user_service, "login", broken)
    dialog = make(qtbot, db)
    sign_in(qtbot, dialog, "admin", "Secret-Desk-2026")
    assert dialog.error.text().startswith("数据库正被其他程序占用")
