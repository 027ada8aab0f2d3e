"""Backups never hold the signing key in clear; the key leaves only by an encrypted export;
the data folder and its private files keep owner-only modes through init, backup, restore."""

from __future__ import annotations

import hashlib
import io
import json
import os
import stat
import sys
import zipfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from sqlalchemy import text

from desktop.cli import main
from desktop.config import Config
from desktop.db import Database
from desktop.services import signing
from desktop.services.context import Actor, PermissionDenied, ServiceError, ValidationError
from desktop.services.exchange import backup, key_export

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
PASSPHRASE = "绍兴安途 2026 备用口令"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """A data folder made by `riskdesk init`, as an agency makes it."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    os.umask(0o022)  # the usual desktop umask: what is not set explicitly is world-readable
    password = tmp_path / "pw.txt"
    password.write_text("Anquan2024\n", encoding="utf-8")
    data = tmp_path / "data"
    assert main(["--data-dir", str(data), "init", "--agency-name", "绍兴安途安全风控咨询有限公司",
                 "--admin", "admin", "--password-file", str(password)]) == 0
    config = Config.load(data)
    config.set("backup_keep", 3)
    config.save()
    return config


def private_paths(config: Config) -> dict[str, int]:
    paths = {"folder": config.data_dir, "settings": config.data_dir / "settings.json",
             "key": signing.key_path(config.data_dir), "database": config.sqlite_path}
    return {name: mode(p) for name, p in paths.items() if p.exists()}


@posix_only
def test_modes_after_init_backup_and_restore(folder, tmp_path):
    expected = {"folder": 0o700, "settings": 0o600, "key": 0o600, "database": 0o600}
    assert private_paths(folder) == expected
    db = Database(folder.database_url)
    try:
        result = backup.backup(db, folder, tmp_path / "b" / "x.zip")
        assert mode(result.path) == 0o600  # a backup holds the agency's records
        assert private_paths(folder) == expected
    finally:
        db.dispose()
    for path, m in [(folder.data_dir, 0o755), (folder.sqlite_path, 0o644)]:
        os.chmod(path, m)  # loosened by hand, or by an older version
    restored = backup.restore(folder, result.path, actor=Actor.system())
    assert private_paths(folder) == expected
    assert mode(restored.aside / "database" / "riskdesk.sqlite3") == 0o644  # the old one, as it was


def test_a_backup_never_holds_the_private_key(folder, tmp_path):
    db = Database(folder.database_url)
    try:
        result = backup.backup(db, folder, tmp_path / "b" / "x.zip")
    finally:
        db.dispose()
    key_pem = signing.key_path(folder.data_dir).read_bytes()
    raw = result.path.read_bytes()
    assert b"PRIVATE KEY" not in raw and key_pem not in raw
    with zipfile.ZipFile(result.path) as z:
        assert backup.KEY_ENTRY not in z.namelist()
        assert json.loads(z.read("manifest.json"))["signing_key"] == "not included"
    before = signing.key_path(folder.data_dir).read_bytes()
    backup.restore(folder, result.path, actor=Actor.system())  # the data folder's own key stays in place
    assert signing.key_path(folder.data_dir).read_bytes() == before


def test_the_key_is_exported_encrypted_and_imported_on_a_new_machine(folder, tmp_path):
    db = Database(folder.database_url)
    admin = Actor(1, "admin", "admin")
    out = tmp_path / "usb" / "agency-key.pem"
    try:
        with db.session() as s:
            with pytest.raises(ValidationError, match="至少 10 个字符"):
                key_export.export_signing_key(s, admin, data_dir=folder.data_dir, out_path=out,
                                              passphrase="short")
            with pytest.raises(PermissionDenied):
                key_export.export_signing_key(s, Actor(2, "clerk", "clerk"),
                                              data_dir=folder.data_dir, out_path=out,
                                              passphrase=PASSPHRASE)
        assert not out.exists()
        with db.session() as s:
            printed = key_export.export_signing_key(s, admin, data_dir=folder.data_dir,
                                                    out_path=out, passphrase=PASSPHRASE)
            public = signing.registered_public_key(s)
        assert printed == signing.fingerprint(public)
        exported = out.read_bytes()
        assert exported.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
        if os.name == "posix":
            assert mode(out) == 0o600
        with pytest.raises(TypeError):  # unreadable without the passphrase
            serialization.load_pem_private_key(exported, password=None)
        result = backup.backup(db, folder, tmp_path / "b" / "x.zip")
    finally:
        db.dispose()
    # a new machine: the backup restored into an empty folder has no key until it is imported
    other = Config(data_dir=tmp_path / "new-machine")
    backup.restore(other, result.path, actor=Actor.system())
    assert not signing.key_path(other.data_dir).exists()
    again = Database(other.database_url)
    try:
        with again.session() as s:
            with pytest.raises(ServiceError, match="口令不正确"):
                key_export.import_signing_key(s, admin, data_dir=other.data_dir, source=out,
                                              passphrase=PASSPHRASE + "x")
            stranger = tmp_path / "stranger.pem"
            stranger.write_bytes(_fresh_encrypted_key())
            with pytest.raises(ServiceError, match="与机构登记的公钥不一致"):
                key_export.import_signing_key(s, admin, data_dir=other.data_dir, source=stranger,
                                              passphrase=PASSPHRASE)
        assert not signing.key_path(other.data_dir).exists()
        with again.session() as s:
            key_export.import_signing_key(s, admin, data_dir=other.data_dir, source=out,
                                          passphrase=PASSPHRASE)
        assert signing.public_hex(signing.load_private_key(other.data_dir)) == public
        if os.name == "posix":
            assert mode(signing.key_path(other.data_dir)) == 0o600
        with again.session() as s, pytest.raises(ServiceError, match="已有签名私钥"):
            key_export.import_signing_key(s, admin, data_dir=other.data_dir, source=out,
                                          passphrase=PASSPHRASE)
        with again.read() as s:
            actions = [a for (a,) in s.execute(
                text("SELECT action FROM audit_log ORDER BY id"))]
        assert "key.import" in actions
    finally:
        again.dispose()


def _fresh_encrypted_key() -> bytes:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(PASSPHRASE.encode()))


def test_an_older_backup_with_the_key_in_clear_restores_it_owner_only(folder, tmp_path):
    db = Database(folder.database_url)
    try:
        result = backup.backup(db, folder, tmp_path / "b" / "x.zip")
    finally:
        db.dispose()
    key_pem = signing.key_path(folder.data_dir).read_bytes()
    old = tmp_path / "b" / "old.zip"  # as versions before this one wrote it: the key inside
    with zipfile.ZipFile(result.path) as zin, zipfile.ZipFile(old, "w") as zout:
        manifest = json.loads(zin.read("manifest.json"))
        for info in zin.infolist():
            if info.filename != "manifest.json":
                zout.writestr(info.filename, zin.read(info.filename))
        zout.writestr(backup.KEY_ENTRY, key_pem)
        manifest["files"].append({"path": backup.KEY_ENTRY, "size": len(key_pem),
                                  "sha256": hashlib.sha256(key_pem).hexdigest()})
        del manifest["signing_key"]
        zout.writestr("manifest.json", json.dumps(manifest))
    other = Config(data_dir=tmp_path / "elsewhere")
    backup.restore(other, old, actor=Actor.system())
    assert signing.key_path(other.data_dir).read_bytes() == key_pem
    if os.name == "posix":
        assert mode(signing.key_path(other.data_dir)) == 0o600
        assert mode(other.data_dir) == 0o700


def test_the_command_line_exports_and_imports_the_key(folder, tmp_path, capsys, monkeypatch):
    passphrase = tmp_path / "pp.txt"
    passphrase.write_text(PASSPHRASE + "\n", encoding="utf-8")
    out = tmp_path / "usb" / "key.pem"
    capsys.readouterr()
    monkeypatch.setenv("RISKDESK_PASSWORD", "Anquan2024")  # the commands sign in as admin
    assert main(["--data-dir", str(folder.data_dir), "key-export", "--out", str(out),
                 "--passphrase-file", str(passphrase), "--user", "admin"]) == 0
    assert "指纹" in capsys.readouterr().out
    assert out.read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    assert main(["--data-dir", str(folder.data_dir), "backup", "--out", str(tmp_path / "b.zip"),
                 "--user", "admin"]) == 0
    other = tmp_path / "new-machine"
    # a new machine has no accounts: the backup's own administrator signs the restore
    assert main(["--data-dir", str(other), "restore", str(tmp_path / "b.zip"), "--yes"]) == 2
    assert main(["--data-dir", str(other), "restore", str(tmp_path / "b.zip"), "--yes",
                 "--user", "admin"]) == 0
    monkeypatch.delenv("RISKDESK_KEY_PASSPHRASE", raising=False)
    capsys.readouterr()
    assert main(["--data-dir", str(other), "key-import", str(out), "--user", "admin"]) == 2  # no passphrase
    assert "口令" in capsys.readouterr().err
    monkeypatch.setenv("RISKDESK_KEY_PASSPHRASE", PASSPHRASE)
    assert main(["--data-dir", str(other), "key-import", str(out), "--user", "admin"]) == 0
    assert signing.key_path(other).read_bytes() == signing.key_path(folder.data_dir).read_bytes()
