"""The first run: the wizard's rules without a window, then the wizard itself."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel

from desktop.services import agency, users
from desktop.services.context import ServiceError, ValidationError
from desktop.ui import first_run_logic as logic
from desktop.ui.first_run import FirstRunWizard

GOOD_AGENCY = logic.AgencyForm(name="绍兴市安信建设风控服务有限公司", short_name="安信风控",
                               credit_code="91350100M000100Y43", phone="0575-88001234")
GOOD_ADMIN = logic.AdminForm(username="wang", display_name="王主任", password="Anxin-Feng-2024",
                             confirm="Anxin-Feng-2024")


def test_agency_needs_a_name_and_a_valid_credit_code():
    assert logic.validate_agency(GOOD_AGENCY) == {}
    assert set(logic.validate_agency(logic.AgencyForm(name="  "))) == {"name"}
    bad = logic.AgencyForm(name="某机构", credit_code="91350100M000100Y44")
    assert set(logic.validate_agency(bad)) == {"credit_code"}
    lower_case = logic.AgencyForm(name="某机构", credit_code="91350100m000100y43")
    assert logic.validate_agency(lower_case) == {}


@pytest.mark.parametrize(("form", "field", "words"), [
    (logic.AdminForm("", "王", "Anxin-Feng-2024", "Anxin-Feng-2024"), "username", "用户名"),
    (logic.AdminForm("wang li", "王", "Anxin-Feng-2024", "Anxin-Feng-2024"), "username", "空格"),
    (logic.AdminForm("wang", " ", "Anxin-Feng-2024", "Anxin-Feng-2024"), "display_name", "姓名"),
    (logic.AdminForm("wang", "王", "short1", "short1"), "password", "至少 10 位"),
    (logic.AdminForm("wang", "王", "1234567890", "1234567890"), "password", "字母和数字"),
    (logic.AdminForm("wang", "王", "password1234", "password1234"), "password", "过于常见"),
    (logic.AdminForm("wang", "王", "wang20262026", "wang20262026"), "password", "容易被猜到"),
    (logic.AdminForm("wang", "王", "Anxin-Feng-2024", "Anxin-Feng-2025"), "confirm", "不一致"),
])
def test_admin_form_rules(form, field, words):
    errors = logic.validate_admin(form)
    assert field in errors and words in errors[field]


def test_folders_must_be_absolute_and_not_files(tmp_path):
    (tmp_path / "a-file").write_text("x")
    assert logic.validate_folders(logic.FoldersForm()) == {}
    assert logic.validate_folders(logic.FoldersForm(str(tmp_path / "new" / "att"))) == {}
    errors = logic.validate_folders(logic.FoldersForm("relative/att", str(tmp_path / "a-file")))
    assert "绝对路径" in errors["attachments_dir"] and "是一个文件" in errors["backup_dir"]
    errors = logic.validate_folders(logic.FoldersForm(str(tmp_path / "a-file" / "below")))
    assert "无法创建" in errors["attachments_dir"]


def test_page_of_sends_the_user_to_the_first_page_with_a_problem():
    assert logic.page_of({"password": "x"}) == logic.ADMIN_PAGE
    assert logic.page_of({"backup_dir": "x", "phone": "y"}) == logic.AGENCY_PAGE
    assert logic.page_of({"unknown": "x"}) == logic.AGENCY_PAGE


def test_apply_creates_agency_and_admin_and_signs_in(db, config, tmp_path):
    assert not logic.is_initialised(db)
    folders = logic.FoldersForm(attachments_dir=str(tmp_path / "att"))
    actor = logic.apply(db, config, GOOD_AGENCY, GOOD_ADMIN, folders)
    assert actor.username == "wang" and actor.role == "admin"
    assert logic.is_initialised(db)
    with db.read() as session:
        assert agency.agency_profile(session).short_name == "安信风控"
        assert users.count(session) == 1
    reloaded = type(config).load(config.data_dir)
    assert reloaded.attachments_dir == tmp_path / "att" and reloaded.get("backup_dir") == ""


def test_apply_refuses_invalid_input_before_writing(db, config):
    with pytest.raises(ValidationError) as caught:
        logic.apply(db, config, logic.AgencyForm(), GOOD_ADMIN, logic.FoldersForm())
    assert "name" in caught.value.fields
    assert not logic.is_initialised(db)
    assert not (config.data_dir / "settings.json").exists()


def test_apply_twice_is_refused(db, config):
    logic.apply(db, config, GOOD_AGENCY, GOOD_ADMIN, logic.FoldersForm())
    with pytest.raises(ServiceError, match="已经初始化"):
        logic.apply(db, config, GOOD_AGENCY, GOOD_ADMIN, logic.FoldersForm())


def test_a_folder_without_its_database_but_with_its_data_is_not_a_new_folder(config, monkeypatch):
    """What the window must not create an empty database beside (as `riskdesk init` refuses):
    attachment files, data a restore set aside; a new folder, or one whose store holds only
    thumbnails, starts afresh. The missing file is never created by asking."""
    from desktop.db import Database

    monkeypatch.delenv("RISKDESK_DATABASE_URL", raising=False)
    db = Database(config.database_url)
    try:
        assert logic.lost_database(db, config) is None  # a new folder
        thumb = config.attachments_dir / "thumbs" / "ab" / "abcd.jpg"
        thumb.parent.mkdir(parents=True)
        thumb.write_bytes(b"small")
        assert logic.lost_database(db, config) is None  # made from a file, not the file
        blob = config.attachments_dir / "ab" / "cd" / ("abcd" + "0" * 60)
        blob.parent.mkdir(parents=True)
        blob.write_bytes(b"photo")
        lost = logic.lost_database(db, config)
        assert lost is not None and "附件库中有 1 个文件" in lost and "不会在此新建空数据库" in lost
        assert not config.sqlite_path.exists()
        config.sqlite_path.touch()  # an empty file holds no schema: still lost
        assert logic.lost_database(db, config) == lost
        assert config.sqlite_path.stat().st_size == 0  # and left as it was
        blob.unlink()
        config.sqlite_path.unlink()
        aside = config.data_dir / "restore-aside-20260301-101500"
        (aside / "database").mkdir(parents=True)
        lost = logic.lost_database(db, config)
        assert lost is not None and "恢复留下的数据（restore-aside-20260301-101500）" in lost
        assert not config.sqlite_path.exists()
        db.migrate(backup=False)  # a database there: it is opened as usual
        assert logic.lost_database(db, config) is None
    finally:
        db.dispose()


def test_the_logic_module_imports_no_qt():
    import subprocess
    import sys

    code = ("import sys, desktop.ui.first_run_logic\n"
            "sys.exit(1 if [m for m in sys.modules if m.startswith('PySide6')] else 0)")
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


# -- the wizard -----------------------------------------------------------------------


@pytest.fixture
def wizard(qtbot, db, config):
    wizard = FirstRunWizard(db, config)
    qtbot.addWidget(wizard)
    wizard.show()
    return wizard


def fill_agency(wizard, form=GOOD_AGENCY):  # type: ignore[no-untyped-def]
    wizard.name.setText(form.name)
    wizard.short_name.setText(form.short_name)
    wizard.credit_code.setText(form.credit_code)
    wizard.phone.setText(form.phone)


def fill_admin(wizard, form=GOOD_ADMIN):  # type: ignore[no-untyped-def]
    wizard.username.setText(form.username)
    wizard.display_name.setText(form.display_name)
    wizard.password.setText(form.password)
    wizard.confirm.setText(form.confirm)


def test_wizard_stays_on_a_page_with_errors(wizard):
    wizard.next()
    assert wizard.currentId() == logic.AGENCY_PAGE
    assert wizard.agency_page.error.text() == "请填写机构名称"
    fill_agency(wizard)
    wizard.next()
    assert wizard.currentId() == logic.ADMIN_PAGE
    fill_admin(wizard, logic.AdminForm("wang", "王主任", "Anxin-Feng-2024", "different1"))
    wizard.next()
    assert wizard.currentId() == logic.ADMIN_PAGE
    assert "不一致" in wizard.admin_page.error.text()
    hint = wizard.admin_page.findChild(QLabel, "passwordHint")
    assert hint is not None and "至少 10 位" in hint.text()
    fill_admin(wizard, logic.AdminForm("wang", "王主任", "admin1234567", "admin1234567"))
    wizard.next()
    assert wizard.currentId() == logic.ADMIN_PAGE
    assert "过于常见" in wizard.admin_page.error.text()


def test_wizard_finishes_with_a_signed_in_admin(qtbot, wizard, db):
    fill_agency(wizard)
    wizard.next()
    fill_admin(wizard)
    wizard.next()
    assert wizard.currentId() == logic.FOLDERS_PAGE
    with qtbot.waitSignal(wizard.accepted):
        wizard.accept()  # what 完成 does after the last page's check
    assert wizard.actor is not None and wizard.actor.username == "wang"
    assert logic.is_initialised(db)


def test_wizard_goes_back_to_the_page_the_service_refused(wizard, db):
    fill_agency(wizard, logic.AgencyForm(name="某机构", phone="电话号码"))  # the service checks phones
    wizard.next()
    fill_admin(wizard)
    wizard.next()
    wizard.accept()
    assert wizard.actor is None and wizard.isVisible()
    assert wizard.currentId() == logic.AGENCY_PAGE
    assert "电话号码格式不正确" in wizard.agency_page.error.text()
    assert not logic.is_initialised(db)


def test_browse_fills_the_folder_and_cancel_keeps_it(wizard, dialog_log, tmp_path):
    from PySide6.QtWidgets import QPushButton

    browse = [b for b in wizard.folders_page.findChildren(QPushButton) if b.text() == "浏览…"]
    assert len(browse) == 2
    dialog_log.folder = str(tmp_path / "att")
    browse[0].click()
    assert wizard.attachments_dir.text() == str(tmp_path / "att")
    assert dialog_log.calls[-1][:2] == ("choose_folder", "选择文件夹")
    dialog_log.folder = ""  # cancelled
    browse[0].click()
    assert wizard.attachments_dir.text() == str(tmp_path / "att")


# -- 从备份恢复 on a new folder --------------------------------------------------------------


def test_restore_from_a_backup_asks_for_the_backups_administrator(qtbot, wizard, db, config, dialog_log,
                                                                   monkeypatch, tmp_path):
    if not db.is_sqlite:
        pytest.skip("the restore of a PostgreSQL database is covered by tests/test_restore_new_folder.py")
    import sqlite3

    from desktop.config import Config
    from desktop.db import Database
    from desktop.services.exchange import backup
    from desktop.ui import first_run
    from desktop.ui.backup_admin_dialog import BackupAdminDialog

    source = Config.load(tmp_path / "source")  # the agency's old computer
    source.data_dir.mkdir()
    old = Database(source.database_url)
    try:
        old.migrate(backup=False)
        logic.apply(old, source, GOOD_AGENCY, GOOD_ADMIN, logic.FoldersForm())
        saved = backup.backup(old, source, tmp_path / "agency.zip").path
    finally:
        old.dispose()
    config.set("database_url", db.url)  # the new folder: the wizard's (empty) database
    monkeypatch.setattr(first_run, "choose_backup_file", lambda *_a: str(saved))
    typed: list[tuple[str, str]] = []

    def sign(dialog: BackupAdminDialog) -> bool:
        assert "还没有用户账户" in dialog.findChildren(QLabel)[0].text()
        dialog.attempt()  # nothing typed: asked again, not accepted
        assert dialog.credentials is None and "请输入备份中系统管理员的用户名和密码" in dialog.error.text()
        dialog.username.setText(typed[-1][0])
        dialog.password.setText(typed[-1][1])
        dialog.attempt()
        return dialog.credentials is not None

    dialog_log.on_run = sign
    typed.append(("wang", "Wrong-Feng-2024"))
    wizard.restore_button.click()
    qtbot.waitUntil(lambda: wizard.task is None and dialog_log.calls != [], timeout=30_000)
    assert dialog_log.kinds() == ["warn"]
    assert "备份中没有用户 wang，或密码不正确" in dialog_log.texts("warn")[0]
    assert not logic.is_initialised(db) and wizard.isVisible()  # nothing moved
    assert not [p for p in config.data_dir.iterdir() if p.name.startswith("restore-aside-")]
    typed.append(("wang", GOOD_ADMIN.password))
    with qtbot.waitSignal(wizard.restored, timeout=30_000) as done:
        wizard.restore_button.click()
    assert done.args[0].by.username == "wang"
    done_text = dialog_log.texts("warn")[1]  # what could not be checked is said, not "校验通过"
    assert "恢复人：王主任" in done_text and "重新打开" in done_text
    assert "备份中没有签名检查点" in done_text  # the backup was made without a signing key
    assert not wizard.isVisible() and wizard.actor is None  # closed; the program is opened again
    assert logic.is_initialised(db)
    con = sqlite3.connect(db.sqlite_path)
    try:
        assert con.execute("SELECT username FROM audit_log WHERE action = 'restore'").fetchall() == [("wang",)]
    finally:
        con.close()
