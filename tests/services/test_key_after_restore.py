"""The registered key and the folder's key apart — a backup from before a key rotation
restored, or the key file gone: restore and `check` say so, every refusal names where the
registered key may be (retired-keys/, an exported file) and how to put it back
(`key-import`), never "a backup" (backups never hold the key); `key-import` then puts it back
and keeps the folder's other key. A restore cut off after its last move is put on the record
by the next start-up."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import sys
import types
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop.cli import main
from desktop.config import Config
from desktop.db import Database
from desktop.models import AgencyProfile, AuditEntry
from desktop.services import pdf_signing, rotation, signing
from desktop.services.check import run_check
from desktop.services.context import Actor, PermissionDenied, ServiceError, msg
from desktop.services.exchange import backup, key_export, packages, restore_journal

ADMIN = Actor(1, "admin", "admin")
NAME = "绍兴安途安全风控咨询有限公司"


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """A data folder made by `riskdesk init` (with its key); the commands sign in as admin."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    monkeypatch.setenv("RISKDESK_PASSWORD", "Anquan2024")
    monkeypatch.delenv("RISKDESK_KEY_PASSPHRASE", raising=False)
    password = tmp_path / "pw.txt"
    password.write_text("Anquan2024\n", encoding="utf-8")
    data = tmp_path / "data"
    assert main(["--data-dir", str(data), "init", "--agency-name", NAME, "--admin", "admin",
                 "--password-file", str(password)]) == 0
    return Config.load(data)


def _backup(config: Config, out: Path) -> Path:
    db = Database(config.database_url)
    try:
        return backup.backup(db, config, out).path
    finally:
        db.dispose()


def _registered(config: Config) -> str:
    db = Database(config.database_url)
    try:
        with db.read() as s:
            key = signing.registered_public_key(s)
    finally:
        db.dispose()
    assert key is not None
    return key


def _no_backup_advice(text: str) -> None:
    assert "从备份恢复" not in text and "请在“机构信息”中生成签名密钥" not in text


def test_a_backup_from_before_a_rotation_names_the_retired_key_until_it_is_imported(
        folder, tmp_path, capsys):
    before = _backup(folder, tmp_path / "pre-rot.zip")
    old_key = signing.key_path(folder.data_dir).read_bytes()
    db = Database(folder.database_url)
    try:
        with db.session() as s:
            done = rotation.rotate_key(s, ADMIN, data_dir=folder.data_dir)
    finally:
        db.dispose()
    new_key = signing.key_path(folder.data_dir).read_bytes()
    retired = done.retired_key
    assert retired.read_bytes() == old_key

    # restore says at once that the folder's key is not the registered one, and where it is
    result = backup.restore(folder, before, actor=ADMIN)
    said = "\n".join(result.warnings)
    assert "与机构登记的公钥不一致" in said and str(retired) in said and "key-import" in said
    _no_backup_advice(said)

    registered = _registered(folder)
    assert signing.public_hex(signing.load_private_key(folder.data_dir)) != registered
    # check reports it as a problem, with the same advice
    db = Database(folder.database_url)
    try:
        report = run_check(db, folder)
    finally:
        db.dispose()
    assert not report.ok
    problem = next(p for p in report.problems if p.startswith("签名私钥："))
    assert str(retired) in problem and "key-import" in problem
    _no_backup_advice(problem)

    # every refusal names the retired file and the command, never a backup
    refusals = []
    with pytest.raises(ServiceError) as info:
        packages.write_package(types.SimpleNamespace(public_key=registered),  # type: ignore[arg-type]
                               out_path=tmp_path / "p.zip", data_dir=folder.data_dir)
    refusals.append((info.value.message, "不能签名资料包"))
    with pytest.raises(ServiceError) as info:
        pdf_signing.credentials(folder.data_dir, NAME, expected_public=registered)
    refusals.append((info.value.message, "文书无法签名"))
    db = Database(folder.database_url)
    try:
        with db.session() as s, pytest.raises(ServiceError) as info:
            rotation.rotate_key(s, ADMIN, data_dir=folder.data_dir)
        refusals.append((info.value.message, "不能更换密钥"))
        with db.session() as s, pytest.raises(ServiceError) as info:
            signing.setup_key(s, data_dir=folder.data_dir, actor=ADMIN)
        refusals.append((info.value.message, "不一致"))
        # exporting the folder's key would keep a file that key-import refuses as the agency's
        with db.session() as s, pytest.raises(ServiceError) as info:
            key_export.export_signing_key(s, ADMIN, data_dir=folder.data_dir,
                                          out_path=tmp_path / "exported.pem",
                                          passphrase="绍兴安途 2026 备用口令")
        exported_refusal = info.value.message
    finally:
        db.dispose()
    assert not (tmp_path / "exported.pem").exists()
    assert "不是机构资料中登记的签名公钥" in exported_refusal and "riskdesk check" in exported_refusal
    assert signing.fingerprint(registered) in exported_refusal
    for text, what in refusals:
        assert what in text and str(retired) in text and "riskdesk key-import" in text, text
        _no_backup_advice(text)
    assert not (tmp_path / "p.zip").exists()

    # the retired key goes back in without a passphrase; the folder's other key is kept
    capsys.readouterr()
    assert main(["--data-dir", str(folder.data_dir), "key-import", str(retired), "--user", "admin"]) == 0
    assert signing.key_path(folder.data_dir).read_bytes() == old_key
    kept = [p for p in (folder.data_dir / signing.RETIRED_DIR).iterdir() if p.read_bytes() == new_key]
    assert len(kept) == 1 and "replaced" in kept[0].name
    if os.name == "posix":
        assert kept[0].stat().st_mode & 0o777 == 0o600
    db = Database(folder.database_url)
    try:
        with db.read() as s:
            after = s.execute(select(AuditEntry.after).where(AuditEntry.action == "key.import")
                              .order_by(AuditEntry.id.desc()).limit(1)).scalar_one()
        assert after["replaced_key_kept"] == str(kept[0])
        assert run_check(db, folder).ok
        with db.session() as s:  # the agency can rotate (and sign) again
            rotation.rotate_key(s, ADMIN, data_dir=folder.data_dir)
    finally:
        db.dispose()
    assert signing.retired_match(folder.data_dir, _registered(folder)) is None


def test_a_missing_key_file_is_a_problem_for_check_and_no_refusal_says_generate_one(folder, tmp_path,
                                                                                   capsys):
    signing.key_path(folder.data_dir).rename(tmp_path / "away.pem")
    registered = _registered(folder)
    capsys.readouterr()
    assert main(["--data-dir", str(folder.data_dir), "check"]) == 1
    out, err = capsys.readouterr()
    assert "签名私钥：发现问题（见结论）" in out and "签名私钥：机构签名私钥文件不存在" in out
    assert "key-export" in out and "key-import" in out and "retired-keys" in out
    _no_backup_advice(out)
    # the terminal gets Chinese only: the log line stays in the log file
    assert "check found problems" not in err and err == "riskdesk：检查发现 1 个问题。\n"
    with pytest.raises(ServiceError) as info:
        pdf_signing.credentials(folder.data_dir, NAME, expected_public=registered)
    assert "找不到机构签名私钥" in info.value.message and "key-import" in info.value.message
    _no_backup_advice(info.value.message)
    db = Database(folder.database_url)
    try:
        with db.session() as s, pytest.raises(ServiceError) as info:
            signing.setup_key(s, data_dir=folder.data_dir, actor=ADMIN)
    finally:
        db.dispose()
    assert "私钥文件丢失" in info.value.message and "key-import" in info.value.message
    _no_backup_advice(info.value.message)


def test_key_import_is_refused_to_others_in_its_own_words(folder, tmp_path):
    db = Database(folder.database_url)
    try:
        with db.session() as s, pytest.raises(PermissionDenied, match="无权导入机构签名私钥"):
            key_export.import_signing_key(s, Actor(2, "clerk", "clerk"), data_dir=folder.data_dir,
                                          source=tmp_path / "k.pem", passphrase=None)
        # the registered key in place: nothing to import, the folder untouched
        key = signing.key_path(folder.data_dir).read_bytes()
        with db.session() as s, pytest.raises(ServiceError, match="已有签名私钥"):
            key_export.import_signing_key(s, ADMIN, data_dir=folder.data_dir,
                                          source=signing.key_path(folder.data_dir), passphrase=None)
    finally:
        db.dispose()
    assert signing.key_path(folder.data_dir).read_bytes() == key
    assert not (folder.data_dir / signing.RETIRED_DIR).exists()


def test_the_advice_names_the_registered_keys_own_retired_file(folder, tmp_path):
    registered = _registered(folder)
    assert "retired-keys" in signing.where_is(folder.data_dir, registered)
    retired = folder.data_dir / signing.RETIRED_DIR
    retired.mkdir()
    (retired / "damaged.pem").write_bytes(b"not a key")
    (retired / "agency-signing-key-x.pem").write_bytes(signing.key_path(folder.data_dir).read_bytes())
    assert signing.retired_match(folder.data_dir, registered) == retired / "agency-signing-key-x.pem"
    assert str(retired / "agency-signing-key-x.pem") in signing.where_is(folder.data_dir, registered)
    assert signing.key_problem(folder.data_dir, registered) is None
    assert signing.key_problem(folder.data_dir, None) is None  # no key registered yet
    with pytest.raises(ServiceError, match="尚未登记签名公钥"):
        signing.registered_key(folder.data_dir, None, msg("不能签名资料包"))


# -- a restore cut off after its last move ---------------------------------------------------

class _Killed(BaseException):
    """Stands for the process being killed: nothing after it runs in the restore."""


def _restore_cut_off(folder: Config, zip_path: Path, monkeypatch, where: str) -> None:
    def die(*args: object, **kwargs: object) -> None:
        raise _Killed

    monkeypatch.setattr(where, die)
    with pytest.raises(_Killed):
        backup.restore(folder, zip_path, actor=ADMIN)
    monkeypatch.undo()
    assert json.loads(restore_journal.journal_path(folder.data_dir).read_text("utf-8"))["complete"]


def _restore_entries(config: Config) -> list[tuple[str, dict, str]]:
    con = sqlite3.connect(config.sqlite_path)
    try:
        rows = con.execute("SELECT username, after, note FROM audit_log WHERE action = 'restore' "
                           "ORDER BY id").fetchall()
    finally:
        con.close()
    return [(u, json.loads(a), n) for u, a, n in rows]


def test_a_restore_finished_at_start_up_is_audited_and_said_once(folder, tmp_path, monkeypatch,
                                                                 capsys):
    import hashlib
    import zipfile

    zip_path = _backup(folder, tmp_path / "b.zip")
    with zipfile.ZipFile(zip_path) as z:
        expected = hashlib.sha256(z.read("manifest.json")).hexdigest()
    before = len(_restore_entries(folder))
    # killed right after the data was swapped in, before the restore was on the record
    _restore_cut_off(folder, zip_path, monkeypatch, "desktop.services.exchange.backup.datamodes.protect")
    assert len(_restore_entries(folder)) == before
    capsys.readouterr()
    assert main(["--data-dir", str(folder.data_dir), "check"]) == 0
    err = capsys.readouterr().err
    assert err.count("上次恢复备份（") == 1 and "已完成" in err
    entries = _restore_entries(folder)
    assert len(entries) == before + 1
    username, after, note = entries[-1]
    assert username == "admin" and after["file"] == str(zip_path)
    assert after["manifest_sha256"] == expected and "restore-aside-" in after["aside"]
    assert "下次启动时完成" in note
    assert not restore_journal.journal_path(folder.data_dir).exists()


def test_a_restore_cut_off_after_its_audit_entry_is_not_audited_twice(folder, tmp_path, monkeypatch,
                                                                     capsys):
    zip_path = _backup(folder, tmp_path / "b.zip")
    before = len(_restore_entries(folder))
    _restore_cut_off(folder, zip_path, monkeypatch,
                     "desktop.services.exchange.backup.checkpoints.after_restore")
    assert len(_restore_entries(folder)) == before + 1  # written before it was cut off
    capsys.readouterr()
    assert main(["--data-dir", str(folder.data_dir), "check"]) == 0
    assert "已完成" in capsys.readouterr().err
    assert len(_restore_entries(folder)) == before + 1
    assert not restore_journal.journal_path(folder.data_dir).exists()


def test_recovery_adds_the_key_warning_to_what_it_says(folder, tmp_path, monkeypatch, capsys):
    zip_path = _backup(folder, tmp_path / "b.zip")
    _restore_cut_off(folder, zip_path, monkeypatch, "desktop.services.exchange.backup.datamodes.protect")
    signing.key_path(folder.data_dir).rename(tmp_path / "away.pem")  # as on a new computer
    capsys.readouterr()
    main(["--data-dir", str(folder.data_dir), "check"])
    err = capsys.readouterr().err
    assert "已完成" in err and "机构签名私钥文件不存在" in err
    db = Database(folder.database_url)
    try:
        with db.read() as s:
            assert s.execute(select(AgencyProfile.signing_public_key)).scalar_one()
    finally:
        db.dispose()
