"""Drills against the audit trail: someone with the database file (but not the agency key)
cuts the newest entries, recomputes the whole chain after an edit, or edits a hazard row in
SQL; each is caught by `riskdesk check`, which passes on the untouched folder."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import zipfile

import pytest
from sqlalchemy import select

from desktop import cli
from desktop.config import Config
from desktop.db import Database
from desktop.models import AuditEntry
from desktop.services import audit, checkpoints, hazards, users
from desktop.services.context import Actor
from desktop.services.exchange import backup
from tests.cli_users import login_options
from tests.factories import make_project

PASSWORD = "Drill-pass-2026"


@pytest.fixture
def folder(tmp_path, capsys):
    """A data folder made by `init`, a project and two hazards recorded by a signed-in admin,
    then a backup from the command line: checkpoints at init, every 5 entries, at the backup."""
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
            for text in ("临边防护缺失", "配电箱未上锁"):
                hazards.record(s, admin, hazards.HazardForm(
                    project_id=ids.project, description=text, level=3, measures="立即整改",
                    found_at=dt.datetime(2026, 8, 5, 10)))
        assert watch.finish(reason="drill") is None
    finally:
        db.dispose()
    assert cli.main(["--data-dir", str(data), "backup", "--out", str(tmp_path / "b.zip"),
                     *login_options(tmp_path, "admin", PASSWORD)]) == 0
    capsys.readouterr()
    return data


def check(capsys, data) -> tuple[int, str]:
    code = cli.main(["--data-dir", str(data), "check", "--quick"])
    out, _ = capsys.readouterr()
    return code, out


def sql(data, *statements: str) -> None:
    con = sqlite3.connect(data / "riskdesk.sqlite3")
    try:
        for statement in statements:
            con.execute(statement)
        con.commit()
    finally:
        con.close()


def test_the_untouched_folder_passes(capsys, folder):
    with zipfile.ZipFile(folder.parent / "b.zip") as z:  # the backup keeps the file as it was
        kept = z.read(backup.CHECKPOINTS_ENTRY)
    assert kept and (folder / checkpoints.FILE).read_bytes().startswith(kept)
    lines = checkpoints.read(folder)
    assert len(lines) >= 4 and {line["reason"] for line in lines} >= {"command init", "backup", "every"}
    assert (folder / checkpoints.FILE).stat().st_mode & 0o777 == 0o600
    code, out = check(capsys, folder)
    assert code == 0, out
    assert f"与 {len(lines)} 个签名检查点一致" in out and "业务记录：3 条与最后一次审计记录一致" in out


def test_cutting_the_newest_entries_is_caught(capsys, folder):
    sql(folder, "DELETE FROM audit_log WHERE id > (SELECT max(id) - 3 FROM audit_log)")
    code, out = check(capsys, folder)
    assert code == 1
    assert "审计记录链：正常" in out  # the chain alone cannot tell: what is left is consistent
    assert "最近 3 条审计记录缺失" in out


def test_recomputing_the_whole_chain_after_an_edit_is_caught(capsys, folder):
    config = Config.load(folder)
    db = Database(config.database_url)
    try:  # the forger rewrites a hazard's recorded description, the row, and every hash after
        with db.session() as s:
            entries = s.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars().all()
            forged = next(e for e in entries if e.entity == "hazards" and e.action == "create")
            forged.after = {**forged.after, "description": "无隐患"}
            prev = audit.GENESIS
            for e in entries:
                e.prev_hash = prev
                e.hash = prev = audit.entry_hash(
                    prev_hash=prev, created_at=e.created_at, username=e.username, action=e.action,
                    entity=e.entity, entity_id=e.entity_id, before=e.before, after=e.after,
                    note=e.note)
            forged_id = forged.id
        sql(folder, f"UPDATE hazards SET description = '无隐患' WHERE id = "
                    f"(SELECT entity_id FROM audit_log WHERE id = {forged_id})")
    finally:
        db.dispose()
    code, out = check(capsys, folder)
    assert code == 1
    assert "审计记录链：正常" in out and "业务记录：3 条与最后一次审计记录一致" in out  # both forged well
    first = min(c["last_id"] for c in checkpoints.read(folder) if c["last_id"] >= forged_id)
    assert f"审计记录第 {first} 条之前的链与签名检查点不符，审计日志可能被重算" in out


def test_a_hazard_row_edited_in_sql_is_caught_and_named(capsys, folder):
    con = sqlite3.connect(folder / "riskdesk.sqlite3")
    number = con.execute("SELECT number FROM hazards ORDER BY id LIMIT 1").fetchone()[0]
    con.close()
    sql(folder, f"UPDATE hazards SET level = 4, measures = '无需整改' WHERE number = '{number}'")
    code, out = check(capsys, folder)
    assert code == 1
    assert f"隐患 {number}：当前内容与最后一次审计记录不一致（字段：level、measures）" in out


def test_a_forged_or_deleted_checkpoint_file_is_reported(capsys, folder):
    path = folder / checkpoints.FILE
    lines = path.read_text(encoding="utf-8").splitlines()
    last = json.loads(lines[-1])
    last["count"] -= 1  # someone lowers the newest checkpoint to hide a cut
    path.write_text("\n".join([*lines[:-1], json.dumps(last)]) + "\n", encoding="utf-8")
    code, out = check(capsys, folder)
    assert code == 1 and f"审计检查点文件第 {len(lines)} 行的签名无效" in out
    path.unlink()
    code, out = check(capsys, folder)
    assert code == 1 and "审计检查点文件缺失或为空" in out
    config = Config.load(folder)
    db = Database(config.database_url)
    try:  # the next checkpoint begins the file again, and the log keeps saying so
        checkpoints.write(db, folder, reason="drill")
    finally:
        db.dispose()
    code, out = check(capsys, folder)
    assert code == 0 and "检查点文件曾不在数据目录中" in out


def test_a_restore_starts_a_new_history_in_the_file(capsys, folder, tmp_path):
    """Restoring an older backup is not a cut: the restore is marked, signed, and check passes."""
    zip_path = tmp_path / "b.zip"
    config = Config.load(folder)
    db = Database(config.database_url)
    try:
        admin = users.login(db, "admin", PASSWORD)
        with db.session() as s:  # more work after the backup, then the backup is restored
            audit.record(s, admin, action="note", entity="audit_log", entity_id=None)
        checkpoints.write(db, folder, reason="drill")
    finally:
        db.dispose()
    backup.restore(config, zip_path, actor=Actor.system())
    assert checkpoints.read(folder)[-1]["kind"] == checkpoints.RESTORE
    code, out = check(capsys, folder)
    assert code == 0, out
    assert "曾从备份恢复" in out


def test_a_bulk_write_passing_the_nth_entry_is_checkpointed_after_its_commit(folder):
    config = Config.load(folder)  # audit_checkpoint_every is 5 here
    db = Database(config.database_url)
    watch = checkpoints.install(db, config)
    try:
        before = len(checkpoints.read(folder))
        with db.session() as s:
            audit.record_many(s, Actor.system(), [
                audit.Pending("note", "audit_log", None, note=str(n)) for n in range(12)])
            assert len(checkpoints.read(folder)) == before  # nothing before the commit
        lines = checkpoints.read(folder)
        with db.read() as s:
            now = checkpoints.head(s)
        assert len(lines) == before + 1 and lines[-1]["reason"] == "every"
        assert (lines[-1]["count"], lines[-1]["last_id"], lines[-1]["last_hash"]) == \
            (now.count, now.last_id, now.last_hash)
        assert watch.pending
    finally:
        db.dispose()


def test_the_checkpoint_line_says_only_what_is_so(capsys, folder):
    """With checkpoints in the file, `check` does not also say there are none yet."""
    code, out = check(capsys, folder)
    assert code == 0 and "个签名检查点一致" in out
    assert "审计检查点：尚无" not in out


def _hazard_numbers(data) -> list[str]:
    con = sqlite3.connect(data / "riskdesk.sqlite3")
    try:
        return [n for (n,) in con.execute("SELECT number FROM hazards ORDER BY id")]
    finally:
        con.close()


def test_a_hazard_row_deleted_in_sql_is_caught_and_named(capsys, folder):
    number = _hazard_numbers(folder)[0]
    sql(folder, f"DELETE FROM hazard_events WHERE hazard_id = (SELECT id FROM hazards WHERE number = '{number}')",
        f"DELETE FROM hazards WHERE number = '{number}'")
    code, out = check(capsys, folder)
    assert code == 1
    assert f"隐患 {number}：审计记录显示存在，但数据库中已无此记录" in out


def test_a_hazard_row_inserted_in_sql_is_caught_and_named(capsys, folder):
    number = _hazard_numbers(folder)[0]
    columns = [c for (_, c, *_) in sqlite3.connect(folder / "riskdesk.sqlite3")
               .execute("PRAGMA table_info(hazards)") if c not in ("id", "number")]
    listed = ", ".join(columns)
    sql(folder, f"INSERT INTO hazards (number, {listed}) SELECT 'YH-2026-09999', {listed} "
                f"FROM hazards WHERE number = '{number}'")
    code, out = check(capsys, folder)
    assert code == 1
    assert "隐患 YH-2026-09999：数据库中有此记录，但审计记录中没有其创建记录" in out
    assert number not in out  # the copied row itself is untouched


def test_rows_removed_through_the_recycle_bin_pass(capsys, folder):
    """Delete, restore, delete again and purge: each step is in the log, so nothing is missing;
    a row soft-deleted and then removed in SQL is only noticed once restored in the log."""
    from desktop.models import Hazard
    from desktop.services import recycle

    config = Config.load(folder)
    db = Database(config.database_url)
    try:
        admin = users.login(db, "admin", PASSWORD)
        with db.session() as s:
            first, second = s.execute(select(Hazard.id, Hazard.version).order_by(Hazard.id)).all()
            recycle.soft_delete(s, admin, "hazards", first.id, expected_version=first.version)
        with db.session() as s:
            recycle.restore(s, admin, "hazards", first.id)
        with db.session() as s:
            version = s.get_one(Hazard, first.id).version
            recycle.soft_delete(s, admin, "hazards", first.id, expected_version=version)
        with db.session() as s:
            recycle.purge(s, admin, "hazards", first.id)
        checkpoints.write(db, folder, reason="drill")
    finally:
        db.dispose()
    code, out = check(capsys, folder)
    assert code == 0, out
    assert "业务记录：" in out and "已无此记录" not in out
    number = _hazard_numbers(folder)[0]
    sql(folder, f"DELETE FROM hazard_events WHERE hazard_id = {second.id}",
        f"DELETE FROM hazards WHERE id = {second.id}")
    code, out = check(capsys, folder)
    assert code == 1 and f"隐患 {number}：审计记录显示存在，但数据库中已无此记录" in out


def test_a_lost_database_is_named_and_init_refuses_to_start_afresh(capsys, folder, tmp_path):
    """The database file is gone but the signed checkpoints (and attachments) are still there:
    `check` says the database is missing and to restore a backup; `init` builds nothing."""
    for leftover in folder.glob("riskdesk.sqlite3*"):
        leftover.unlink()
    code = cli.main(["--data-dir", str(folder), "check"])
    _, err = capsys.readouterr()
    assert code != 0
    assert "数据目录中没有可用的数据库" in err and "审计检查点文件记有" in err
    assert "riskdesk restore" in err and "请先运行“riskdesk init”" not in err
    pw = tmp_path / "pw.txt"
    code = cli.main(["--data-dir", str(folder), "init", "--agency-name", "新机构", "--admin", "admin2",
                     "--password-file", str(pw)])
    _, err = capsys.readouterr()
    assert code != 0 and "不会在此新建空数据库" in err and "riskdesk restore" in err
    assert not (folder / "riskdesk.sqlite3").exists()


def test_attachments_alone_also_stop_init(capsys, tmp_path):
    """A folder holding only an attachment store (no checkpoint file) is not a new folder."""
    data = tmp_path / "lost"
    blob = data / "attachments" / "ab" / "cd" / ("abcd" + "0" * 60)
    blob.parent.mkdir(parents=True)
    blob.write_bytes(b"photo")
    pw = tmp_path / "pw.txt"
    pw.write_text(PASSWORD + "\n", encoding="utf-8")
    code = cli.main(["--data-dir", str(data), "check"])
    _, err = capsys.readouterr()
    assert code != 0 and "附件库中有 1 个文件" in err
    code = cli.main(["--data-dir", str(data), "init", "--agency-name", "新机构", "--admin", "admin",
                     "--password-file", str(pw)])
    _, err = capsys.readouterr()
    assert code != 0 and "附件库中有 1 个文件" in err and "不会在此新建空数据库" in err
    assert not (data / "riskdesk.sqlite3").exists()
    blob.unlink()  # an empty store (folders only) is a new folder: init goes ahead
    assert cli.main(["--data-dir", str(data), "init", "--agency-name", "新机构", "--admin", "admin",
                     "--password-file", str(pw)]) == 0


def test_a_purged_row_put_back_in_sql_is_caught_and_named(capsys, folder):
    """An old copy of a purged hazard (same id, same content: its create entry and its last
    audited state both match) put back from outside is named; a hazard the program records
    after the purge passes, whatever id the database gives it."""
    from desktop.models import Hazard
    from desktop.services import recycle

    config = Config.load(folder)
    db = Database(config.database_url)
    try:
        admin = users.login(db, "admin", PASSWORD)
        with db.session() as s:
            first, version = s.execute(select(Hazard.id, Hazard.version).order_by(Hazard.id.desc())).first()
            recycle.soft_delete(s, admin, "hazards", first, expected_version=version)
        con = sqlite3.connect(folder / "riskdesk.sqlite3")
        try:  # the copy kept from just before the purge
            number = con.execute("SELECT number FROM hazards WHERE id = ?", (first,)).fetchone()[0]
            columns = [c for (_, c, *_) in con.execute("PRAGMA table_info(hazards)")]
            saved = con.execute(f"SELECT {', '.join(columns)} FROM hazards WHERE id = ?", (first,)).fetchone()
        finally:
            con.close()
        with db.session() as s:
            recycle.purge(s, admin, "hazards", first)
        checkpoints.write(db, folder, reason="drill")
    finally:
        db.dispose()
    code, out = check(capsys, folder)
    assert code == 0, out
    con = sqlite3.connect(folder / "riskdesk.sqlite3")
    try:
        con.execute(f"INSERT INTO hazards ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                    saved)
        con.commit()
    finally:
        con.close()
    code, out = check(capsys, folder)
    assert code == 1
    assert f"隐患 {number}：审计记录显示已被清除，但数据库中仍有此记录" in out
    assert "当前内容与最后一次审计记录不一致" not in out  # the content alone would not show it
    sql(folder, f"DELETE FROM hazards WHERE id = {first}")
    db = Database(config.database_url)
    try:
        admin = users.login(db, "admin", PASSWORD)
        with db.session() as s:
            project = s.execute(select(Hazard.project_id)).scalars().first()
            hazards.record(s, admin, hazards.HazardForm(
                project_id=project, description="脚手架连墙件缺失", level=3, measures="立即整改",
                found_at=dt.datetime(2026, 8, 6, 9)))
        checkpoints.write(db, folder, reason="drill")
    finally:
        db.dispose()
    code, out = check(capsys, folder)
    assert code == 0, out
