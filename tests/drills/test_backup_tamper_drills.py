"""Drills on the backup → restore path (review 13: D2, D4, D7, D8): a backup whose database was
edited and whose audit chain was recomputed is refused before anything moves; a backup without
checkpoints, or with checkpoints no trusted key signed, is restored with that said plainly;
missing attachment files are counted and the set-aside folder is kept; two restores in one
second keep two set-aside copies; the schema revision is read from the database itself."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import sqlite3
import zipfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PIL import Image
from sqlalchemy import select

from desktop import cli
from desktop.config import Config
from desktop.db import Database, DataError
from desktop.models import AuditEntry, Hazard
from desktop.services import audit, checkpoints, hazards, signing, users
from desktop.services.context import Actor
from desktop.services.exchange import attachments, backup
from tests.cli_users import login_options
from tests.factories import make_project

PASSWORD = "Drill-pass-2026"


def jpeg(colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def folder(tmp_path, capsys):
    """A folder made by `init`, two hazards with a photo each, a backup from the command line
    (with the signed checkpoint file in it)."""
    data = tmp_path / "data"
    pw = tmp_path / "pw.txt"
    pw.write_text(PASSWORD + "\n", encoding="utf-8")
    assert cli.main(["--data-dir", str(data), "init", "--agency-name", "绍兴安途安全风控咨询有限公司",
                     "--admin", "admin", "--admin-name", "管理员", "--password-file", str(pw)]) == 0
    Config(data_dir=data, values={"audit_checkpoint_every": 5}).save()
    config = Config.load(data)
    db = Database(config.database_url)
    watch = checkpoints.install(db, config)
    try:
        admin = users.login(db, "admin", PASSWORD)
        with db.session() as s:
            ids = make_project(s, admin)
            for text, colour in (("临边防护缺失", "red"), ("配电箱未上锁", "blue")):
                h = hazards.record(s, admin, hazards.HazardForm(
                    project_id=ids.project, description=text, level=3, measures="立即整改",
                    found_at=dt.datetime(2026, 8, 5, 10)))
                attachments.store_file(s, admin, store_dir=config.attachments_dir, data=jpeg(colour),
                                       owner_type="hazard", owner_id=h.id, role="before")
        assert watch.finish(reason="drill") is None
    finally:
        db.dispose()
    assert cli.main(["--data-dir", str(data), "backup", "--out", str(tmp_path / "b.zip"),
                     *login_options(tmp_path, "admin", PASSWORD)]) == 0
    capsys.readouterr()
    return data


def restore_cli(capsys, data: Path, zip_path: Path) -> tuple[int, str]:
    code = cli.main(["--data-dir", str(data), "restore", str(zip_path), "--yes",
                     *login_options(data.parent, "admin", PASSWORD)])
    out, err = capsys.readouterr()
    return code, out + err


def tree(folder: Path) -> dict[str, str]:
    """Every file under `folder` with its hash (locks and logs are not data)."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*"))
            if p.is_file() and p.relative_to(folder).parts[0] not in ("locks", "logs")}


def unpack_db(zip_path: Path, into: Path) -> Path:
    into.mkdir(parents=True, exist_ok=True)
    target = into / "riskdesk.sqlite3"
    with zipfile.ZipFile(zip_path) as z:
        target.write_bytes(z.read(backup.DB_SQLITE))
    return target


def rezip(source: Path, target: Path, *, replace: dict[str, bytes] | None = None,
          drop: set[str] = frozenset(), manifest: dict | None = None) -> Path:
    """The backup with members swapped or left out and its manifest recomputed (it is not
    signed: anyone can do this)."""
    replace = replace or {}
    with zipfile.ZipFile(source) as zin:
        members = {n: replace.get(n, zin.read(n)) for n in zin.namelist()
                   if n != backup.MANIFEST and n not in drop}
        old = json.loads(zin.read(backup.MANIFEST))
    new = {**old, **(manifest or {})}
    new["files"] = [{"path": n, "sha256": hashlib.sha256(d).hexdigest(), "size": len(d)}
                    for n, d in members.items()]
    with zipfile.ZipFile(target, "w") as zout:
        for name, data in members.items():
            zout.writestr(name, data)
        zout.writestr(backup.MANIFEST, json.dumps(new, ensure_ascii=False))
    return target


def forge(db_file: Path, description: str) -> None:
    """What the tester did: a hazard's description and its `create` snapshot changed, and the
    whole chain recomputed with the audit module's own hash function (no secret needed)."""
    db = Database(f"sqlite:///{db_file}")
    try:
        with db.session() as s:
            entries = s.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars().all()
            forged = next(e for e in entries if e.entity == "hazards" and e.action == "create")
            forged.after = {**forged.after, "description": description}
            s.execute(select(Hazard).where(Hazard.id == forged.entity_id)).scalar_one().description = description
            prev = audit.GENESIS
            for e in entries:
                e.prev_hash = prev
                e.hash = prev = audit.entry_hash(
                    prev_hash=prev, created_at=e.created_at, username=e.username, action=e.action,
                    entity=e.entity, entity_id=e.entity_id, before=e.before, after=e.after, note=e.note)
    finally:
        db.dispose()


def sql(db_file: Path, *statements: str) -> None:
    con = sqlite3.connect(db_file)
    try:
        for statement in statements:
            con.execute(statement)
        con.commit()
    finally:
        con.close()


# -- D2: the backup's database against the signed checkpoints in the same backup -------------


def test_an_untouched_backup_says_what_was_checked(capsys, folder):
    config = Config.load(folder)
    checked = backup.check_backup(config, folder.parent / "b.zip")
    assert checked.audit is not None and checked.audit.compared >= 3 and checked.warnings == ()
    assert "文件完整" in checked.summary and "审计记录与备份中的" in checked.summary
    code, out = restore_cli(capsys, folder, folder.parent / "b.zip")
    assert code == 0, out
    assert f"恢复前核对：文件完整（{checked.files} 个文件的校验值一致）；审计记录与备份中的 " \
           f"{checked.audit.compared} 个签名检查点一致" in out
    assert "解压 2 个附件文件" in out and "注意" not in out and "可自行删除" in out


def test_a_backup_edited_and_rechained_is_refused_and_nothing_moves(capsys, folder, tmp_path):
    db_file = unpack_db(folder.parent / "b.zip", tmp_path / "fb")
    forge(db_file, "3#塔式起重机力矩限制器正常")
    forged = rezip(folder.parent / "b.zip", tmp_path / "forged.zip",
                   replace={backup.DB_SQLITE: db_file.read_bytes()})
    assert backup.verify_backup(forged)  # every hash agrees: the manifest proves nothing
    before = tree(folder)
    config = Config.load(folder)
    with pytest.raises(backup.RestoreRefused, match="审计链与签名检查点不符") as refused:
        backup.restore(config, forged, actor=Actor.system())
    assert "未做任何改动" in refused.value.message
    with pytest.raises(backup.RestoreRefused, match="审计链与签名检查点不符"):
        backup.check_backup(config, forged)  # what the window runs before it asks
    assert tree(folder) == before  # nothing moved, no restore-aside, the checkpoints as they were
    assert not list(folder.glob(".riskdesk-backup-check-*"))
    code, out = restore_cli(capsys, folder, forged)  # (signing in writes to the folder itself)
    assert code != 0 and "审计链与签名检查点不符" in out and "不能恢复" in out
    assert "已从备份恢复" not in out
    assert not list(folder.glob("restore-aside-*")) and not list(folder.glob(".restore-*"))
    con = sqlite3.connect(folder / "riskdesk.sqlite3")
    try:
        assert not con.execute("SELECT count(*) FROM hazards WHERE description LIKE '3#%'").fetchone()[0]
    finally:
        con.close()
    assert checkpoints.read(folder)[-1]["kind"] != checkpoints.RESTORE


def test_a_backup_with_its_newest_audit_entries_cut_is_refused(folder, tmp_path):
    db_file = unpack_db(folder.parent / "b.zip", tmp_path / "cut")
    sql(db_file, "DELETE FROM audit_log WHERE id > (SELECT max(id) - 3 FROM audit_log)")
    cut = rezip(folder.parent / "b.zip", tmp_path / "cut.zip",
                replace={backup.DB_SQLITE: db_file.read_bytes()})
    before = tree(folder)
    with pytest.raises(backup.RestoreRefused, match="审计记录缺失：最近 3 条审计记录不在备份中"):
        backup.restore(Config.load(folder), cut, actor=Actor.system())
    assert tree(folder) == before


def test_a_backup_without_its_checkpoint_file_restores_with_a_plain_warning(capsys, folder, tmp_path):
    bare = rezip(folder.parent / "b.zip", tmp_path / "bare.zip", drop={backup.CHECKPOINTS_ENTRY})
    checked = backup.check_backup(Config.load(folder), bare)
    assert checked.audit is not None and checked.audit.compared == 0
    assert "校验通过" not in checked.summary and "未能与签名检查点核对" in checked.summary
    assert "备份中没有签名检查点文件，但备份的审计记录表明此前已写入签名检查点" in checked.warnings[0]
    code, out = restore_cli(capsys, folder, bare)
    assert code == 0, out
    assert "注意：备份中没有签名检查点文件" in out and "审计记录与备份中的" not in out


def test_checkpoints_re_signed_with_a_key_the_folder_does_not_trust_are_not_believed(folder, tmp_path):
    """The forger also swaps the registered key in the backup and signs new checkpoints: the
    restoring folder checks them against its own key, not the one in the backup."""
    db_file = unpack_db(folder.parent / "b.zip", tmp_path / "rs")
    forge(db_file, "无隐患")
    other = Ed25519PrivateKey.generate()
    other_hex = signing.public_hex(other)
    sql(db_file, f"UPDATE agency_profile SET signing_public_key = '{other_hex}'")
    con = sqlite3.connect(db_file)
    count, last_id = con.execute("SELECT count(id), max(id) FROM audit_log").fetchone()
    last_hash = con.execute("SELECT hash FROM audit_log WHERE id = ?", (last_id,)).fetchone()[0]
    con.close()
    body = {"v": 1, "kind": "checkpoint", "reason": "backup", "count": count, "last_id": last_id,
            "last_hash": last_hash, "at": "2026-12-01T02:00:00+00:00", "key": other_hex}
    line = {**body, "sig": other.sign(checkpoints.signed_bytes(body)).hex()}
    resigned = rezip(folder.parent / "b.zip", tmp_path / "resigned.zip", replace={
        backup.DB_SQLITE: db_file.read_bytes(),
        backup.CHECKPOINTS_ENTRY: (json.dumps(line) + "\n").encode()})
    checked = backup.check_backup(Config.load(folder), resigned)
    assert checked.audit is not None and checked.audit.compared == 0
    assert "审计记录与备份中的" not in checked.summary
    assert "都无法用本机构的密钥核实" in checked.warnings[0]


# -- D4: attachment files missing ------------------------------------------------------------


def test_missing_attachment_files_are_said_at_backup_and_restore(capsys, folder, tmp_path):
    config = Config.load(folder)
    blobs = sorted(p for p in config.attachments_dir.glob("??/??/*") if p.is_file())
    assert len(blobs) == 2
    gone = tmp_path / "gone.bin"
    gone.write_bytes(blobs[0].read_bytes())
    blobs[0].chmod(0o600)
    blobs[0].unlink()  # lost from the store
    out_zip = tmp_path / "missing.zip"
    code = cli.main(["--data-dir", str(folder), "backup", "--out", str(out_zip),
                     *login_options(tmp_path, "admin", PASSWORD)])
    out, _ = capsys.readouterr()
    assert code == 0 and "注意：数据库中有 1 条附件记录的文件不在附件库中（缺 1 个文件）" in out
    db = Database(config.database_url)
    try:
        result = backup.backup(db, config, tmp_path / "missing2.zip")
    finally:
        db.dispose()
    assert result.attachments_missing == 1 and any("不在附件库中" in w for w in result.warnings)
    # the complete store is put back, then the backup missing a file restored over it
    blobs[0].write_bytes(gone.read_bytes())
    code, out = restore_cli(capsys, folder, out_zip)
    assert code == 0, out
    assert "解压 1 个附件文件" in out
    assert "注意：恢复后的数据库中有 1 条附件记录的文件不在备份中（缺 1 个文件）" in out
    assert "请保留" in out and "可自行删除" not in out
    warning_at, aside_at = out.index("不在备份中"), out.index("原有数据保留在")
    assert warning_at < aside_at  # said before the set-aside folder is mentioned
    aside = next(folder.glob("restore-aside-*"))
    assert (aside / "attachments" / blobs[0].relative_to(config.attachments_dir)).is_file()


def test_the_count_is_what_was_unpacked_not_what_the_manifest_says(folder, tmp_path):
    with zipfile.ZipFile(folder.parent / "b.zip") as z:
        blob = next(n for n in z.namelist() if n.startswith(backup.STORE_PREFIX))
    partial = rezip(folder.parent / "b.zip", tmp_path / "partial.zip", drop={blob})
    with zipfile.ZipFile(partial) as z:
        assert json.loads(z.read(backup.MANIFEST))["attachments"] == 2  # the manifest's claim
    result = backup.restore(Config.load(folder), partial, actor=Actor.system())
    assert result.attachments == 1 and result.attachments_missing == 1
    assert any("请保留" in w and str(result.aside) in w for w in result.warnings)


# -- D7: two restores in one second --------------------------------------------------------


def test_two_restores_in_the_same_second_keep_both_set_aside_copies(folder, tmp_path, monkeypatch):
    config = Config.load(folder)
    sql(config.sqlite_path, "CREATE TABLE marker (v TEXT)", "INSERT INTO marker VALUES ('ORIGINAL')")
    moment = dt.datetime(2026, 12, 8, 10, 0, 0, tzinfo=dt.UTC)
    monkeypatch.setattr(backup, "_now", lambda: moment)
    first = backup.restore(config, folder.parent / "b.zip", actor=Actor.system())
    second = backup.restore(config, folder.parent / "b.zip", actor=Actor.system())
    assert first.aside is not None and second.aside is not None and first.aside != second.aside
    assert second.aside.name == f"{first.aside.name}-2"
    con = sqlite3.connect(first.aside / "database" / "riskdesk.sqlite3")
    try:
        assert con.execute("SELECT v FROM marker").fetchall() == [("ORIGINAL",)]
    finally:
        con.close()


# -- D8: the schema revision read from the database -----------------------------------------


@pytest.mark.parametrize("claimed", ["current", None])
def test_a_newer_database_behind_a_lying_manifest_is_refused(folder, tmp_path, claimed):
    config = Config.load(folder)
    db_file = unpack_db(folder.parent / "b.zip", tmp_path / "newer")
    with zipfile.ZipFile(folder.parent / "b.zip") as z:
        current = json.loads(z.read(backup.MANIFEST))["revision"]
    sql(db_file, "UPDATE alembic_version SET version_num = '0099'")
    newer = rezip(folder.parent / "b.zip", tmp_path / "newer.zip",
                  replace={backup.DB_SQLITE: db_file.read_bytes()},
                  manifest={"revision": current if claimed else None})
    before = tree(folder)
    with pytest.raises(backup.RestoreRefused, match="备份来自更新版本的 RiskDesk.*请先升级程序"):
        backup.restore(config, newer, actor=Actor.system())
    assert tree(folder) == before


def test_a_database_from_a_newer_version_says_upgrade_the_program(capsys, folder):
    config = Config.load(folder)
    sql(config.sqlite_path, "UPDATE alembic_version SET version_num = '0099'")
    db = Database(config.database_url)
    try:
        assert not db.upgrades_data()  # no "正在升级数据库…" first
        with pytest.raises(DataError, match="数据库来自更新版本的 RiskDesk（结构版本 0099），请升级程序"):
            db.migrate()
    finally:
        db.dispose()
    code = cli.main(["--data-dir", str(folder), "check", "--quick"])
    out, err = capsys.readouterr()
    assert code == 1 and "数据库来自更新版本的 RiskDesk" in out + err
    assert "riskdesk init" not in out + err and "Can't locate revision" not in out + err
    code = cli.main(["--data-dir", str(folder), "backup", "--out", str(folder.parent / "x.zip"),
                     *login_options(folder.parent, "admin", PASSWORD)])
    out, err = capsys.readouterr()
    assert code != 0 and "数据库来自更新版本的 RiskDesk" in out + err
    assert "正在升级数据库" not in out + err and "Can't locate revision" not in out + err
