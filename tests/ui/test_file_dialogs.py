"""File dialogs start in 文档, then in the folder last used; Qt's own texts in Chinese."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog

from desktop.config import Config
from desktop.ui import file_dialogs, i18n


@pytest.fixture
def seen(monkeypatch, tmp_path):
    """QFileDialog's static functions replaced: record where each opened, answer from `answers`."""
    record: dict = {"starts": [], "answers": []}

    def fake(kind):  # type: ignore[no-untyped-def]
        def call(_parent, _title, start, *_rest):  # type: ignore[no-untyped-def]
            record["starts"].append((kind, start))
            answer = record["answers"].pop(0) if record["answers"] else ""
            return answer if kind == "folder" else (answer if kind != "many" else [answer], "")
        return staticmethod(call)

    monkeypatch.setattr(QFileDialog, "getOpenFileName", fake("open"))
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", fake("many"))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", fake("save"))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", fake("folder"))
    monkeypatch.setattr(file_dialogs, "documents_folder", lambda: tmp_path / "文档")
    yield record
    file_dialogs.remember_in(None)


def test_first_the_documents_folder_then_the_last_one_used(qapp, seen, tmp_path, config):
    file_dialogs.remember_in(config)
    (tmp_path / "文档").mkdir()
    work = tmp_path / "项目资料"
    work.mkdir()
    seen["answers"] = [str(work / "台账.xlsx")]
    assert file_dialogs.save_file(None, "导出", "隐患台账.xlsx", "*.xlsx") == str(work / "台账.xlsx")
    assert seen["starts"][0] == ("save", str(tmp_path / "文档" / "隐患台账.xlsx"))
    assert file_dialogs.open_file(None, "选择", "*.xlsx") == ""  # cancelled: nothing remembered
    assert seen["starts"][1] == ("open", str(work))
    assert file_dialogs.open_files(None, "照片", "*.jpg") == [""]
    assert seen["starts"][2] == ("many", str(work))
    stored = json.loads((config.data_dir / "settings.json").read_text(encoding="utf-8"))
    assert stored["last_folder"] == str(work)
    assert Config.load(config.data_dir).get("last_folder") == str(work)  # kept for next time
    chosen = tmp_path / "备份"
    chosen.mkdir()
    seen["answers"] = [str(chosen)]
    assert file_dialogs.folder(None, "备份文件夹") == str(chosen)
    assert seen["starts"][3] == ("folder", str(work)) and file_dialogs.start_folder() == chosen


def test_a_full_path_is_kept_and_a_vanished_folder_forgotten(qapp, seen, tmp_path, config):
    file_dialogs.remember_in(config)
    (tmp_path / "文档").mkdir()
    config.set("last_folder", str(tmp_path / "已删除"))
    assert file_dialogs.start_folder() == tmp_path / "文档"
    backups = tmp_path / "backups" / "riskdesk-1.zip"
    file_dialogs.save_file(None, "保存备份", str(backups), "*.zip")
    assert seen["starts"] == [("save", str(backups))]


def test_qt_file_dialog_speaks_chinese(qapp, tmp_path):
    assert i18n.install_translators("zh_CN", cache_dir=tmp_path) == "zh_CN"
    dialog = QFileDialog()
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
    assert dialog.labelText(QFileDialog.DialogLabel.LookIn) == "查找范围(&L)："
    assert dialog.labelText(QFileDialog.DialogLabel.FileType) == "文件类型(&T)："
    assert QCoreApplication.translate("QFileDialog", "File &name:") == "文件名称(&N)："
    assert dialog.labelText(QFileDialog.DialogLabel.Accept) == "打开(&O)"
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    assert box.button(QDialogButtonBox.StandardButton.Cancel).text() == "取消"
    dialog.deleteLater()
