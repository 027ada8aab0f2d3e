"""Restore drill: the restore killed (SIGKILL) at every step, then the next start-up puts the
data folder back to the old data or the new, with `riskdesk check` clean; a restore refused
while another process holds the data folder; `init` refusing to create a database beside
restore leftovers; the restore audited."""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from desktop.cli import main
from desktop.config import Config
from desktop.db import Database
from desktop.services.context import Actor
from desktop.services.exchange import attachments, backup, restore_journal
from tests.factories import make_project

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL and POSIX locks")
ROOT = Path(__file__).resolve().parent.parent

# The child runs the real command line; the journal's steps are wrapped so that the process
# kills itself just before or just after step N is recorded (N = the number of moves: at
# the "complete" mark), or while unpacking (N = -1), before anything was moved.
CHILD = textwrap.dedent("""
    import os, signal, sys
    from desktop.services.exchange import backup, restore_journal
    data, zip_path, n, when = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]

    def die():
        os.kill(os.getpid(), signal.SIGKILL)

    J = restore_journal.Journal
    real_advance, real_complete, real_settle = J.advance, J.complete, backup._settle_database

    def advance(self, index):
        if index == n and when == "before": die()
        real_advance(self, index)
        if index == n and when == "after": die()

    def complete(self):
        if n == len(self.moves) and when == "before": die()
        real_complete(self)
        if n == len(self.moves) and when == "after": die()

    def settle(*args, **kwargs):
        if n == -1: die()
        return real_settle(*args, **kwargs)

    J.advance, J.complete, backup._settle_database = advance, complete, settle
    from desktop.cli import main
    sys.exit(main(["--data-dir", data, "restore", zip_path, "--yes", "--user", "admin"]))
""")


def photo(seed: int) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), (seed * 40 % 256, 90, 160)).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    """A data folder made by `init`; a backup of it with project 备份中的项目; then project
    备份后的项目 and a second photo added: "old" data = both projects, "new" = the first."""
    base = tmp_path_factory.mktemp("restore-drill")
    password = base / "pw.txt"
    password.write_text("Anquan2024\n", encoding="utf-8")
    data = base / "data"
    saved_stdin = sys.stdin
    sys.stdin = io.StringIO("")
    try:
        assert main(["--data-dir", str(data), "init", "--agency-name", "绍兴安途安全风控咨询有限公司",
                     "--admin", "admin", "--password-file", str(password)]) == 0
    finally:
        sys.stdin = saved_stdin
    config = Config.load(data)
    db = Database(config.database_url)
    try:
        with db.session() as s:
            ids = make_project(s, Actor.system(), name="备份中的项目")
            attachments.store_file(s, Actor.system(), store_dir=config.attachments_dir,
                                   data=photo(1), owner_type="project", owner_id=ids.project)
        zip_path = backup.backup(db, config, base / "backups" / "b.zip").path
        with db.session() as s:
            ids = make_project(s, Actor.system(), name="备份后的项目")
            attachments.store_file(s, Actor.system(), store_dir=config.attachments_dir,
                                   data=photo(2), owner_type="project", owner_id=ids.project)
    finally:
        db.dispose()
    return data, zip_path


def projects(data: Path) -> set[str]:
    con = sqlite3.connect(data / "riskdesk.sqlite3")
    try:
        return {name.split("（")[0][:6] for (name,) in con.execute("SELECT name FROM projects")}
    finally:
        con.close()


def restore_entries(data: Path) -> list[tuple[str, str]]:
    con = sqlite3.connect(data / "riskdesk.sqlite3")
    try:
        return con.execute("SELECT username, after FROM audit_log WHERE action = 'restore'").fetchall()
    finally:
        con.close()


def copy_of(prepared, tmp_path) -> Path:
    data, _ = prepared
    target = tmp_path / "data"
    shutil.copytree(data, target, ignore=shutil.ignore_patterns("locks"))
    return target


def check_clean(data: Path, capsys) -> str:
    """`riskdesk check` on the folder (the start-up recovers first): exit 0; stderr returned."""
    capsys.readouterr()
    code = main(["--data-dir", str(data), "check"])
    out, err = capsys.readouterr()
    assert code == 0, out + err
    assert "Traceback" not in out + err
    return err


@pytest.fixture(autouse=True)
def _admin_password(monkeypatch):
    """The commands sign in as the folder's administrator (child processes inherit it)."""
    monkeypatch.setenv("RISKDESK_PASSWORD", "Anquan2024")


OLD, NEW = {"备份中的项目", "备份后的项目"}, {"备份中的项目"}
MOVES = 4  # the database aside, the store aside, the new store in, the new database in
POINTS = [(-1, "-")] + [(n, w) for n in range(MOVES + 1) for w in ("before", "after")]


@pytest.mark.slow  # eleven child processes, about a minute on two cores
@pytest.mark.parametrize("step,when", POINTS, ids=[f"{n}-{w}" for n, w in POINTS])
def test_a_restore_killed_at_any_step_is_finished_or_undone_at_start_up(prepared, tmp_path,
                                                                        capsys, step, when):
    _, zip_path = prepared
    data = copy_of(prepared, tmp_path)
    child = subprocess.run([sys.executable, "-c", CHILD, str(data), str(zip_path), str(step), when],
                           cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert child.returncode == -signal.SIGKILL, child.stderr
    journal = restore_journal.journal_path(data)
    had_journal = journal.exists()
    assert had_journal == (step >= 0)
    if had_journal:
        assert len(json.loads(journal.read_text(encoding="utf-8"))["moves"]) == MOVES
    err = check_clean(data, capsys)
    finished = step == MOVES and when == "after"
    if had_journal:
        assert ("已完成" if finished else "已自动放回原有数据") in err
        assert err.count("上次恢复备份（") == 1  # said once, not also as a log line
    assert projects(data) == (NEW if finished else OLD)
    if finished:  # the restore is on the record, as when it is not cut off
        assert [(user, json.loads(after)["file"]) for user, after in restore_entries(data)] \
            == [("admin", str(zip_path))]
    assert not journal.exists()
    assert not [p for p in data.iterdir() if p.name.startswith(".restore-")]
    asides = [p for p in data.iterdir() if p.name.startswith("restore-aside-")]
    assert len(asides) == (1 if finished else 0)  # the old data kept aside only when replaced
    assert check_clean(data, capsys) == ""  # nothing left to recover


HOLDER = textwrap.dedent("""
    import sys
    from desktop import datalock
    with datalock.hold(sys.argv[1], "窗口"):
        print("held", flush=True)
        sys.stdin.readline()
""")


def test_restore_is_refused_while_another_process_holds_the_folder(prepared, tmp_path, capsys):
    _, zip_path = prepared
    data = copy_of(prepared, tmp_path)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(data)], cwd=ROOT, text=True,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(backup.RestoreRefused) as info:
            backup.restore(Config.load(data), zip_path, actor=Actor.system())
        text = info.value.message
        assert "数据目录正被使用" in text and f"进程 {holder.pid}" in text and "窗口" in text
        assert "自 " in text  # since when
        assert projects(data) == OLD
        capsys.readouterr()
        assert main(["--data-dir", str(data), "restore", str(zip_path), "--yes", "--user", "admin"]) != 0
        assert "数据目录正被使用" in capsys.readouterr().err
    finally:
        holder.communicate("\n", timeout=30)
    assert projects(data) == OLD
    restored = backup.restore(Config.load(data), zip_path, actor=Actor.system())  # the holder has gone: allowed
    assert projects(data) == NEW and restored.warnings == ()


def test_a_killed_holder_does_not_block_a_restore(prepared, tmp_path):
    _, zip_path = prepared
    data = copy_of(prepared, tmp_path)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(data)], cwd=ROOT, text=True,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    holder.kill()
    holder.communicate(timeout=30)  # waits, and closes its pipes
    assert list((data / "locks").glob(f"*-{holder.pid}.json"))  # its note is still there
    backup.restore(Config.load(data), zip_path, actor=Actor.system())
    assert projects(data) == NEW
    assert not list((data / "locks").glob(f"*-{holder.pid}.*"))  # cleared as stale


def test_the_restore_is_audited_with_the_backup_and_its_manifest_hash(prepared, tmp_path):
    import hashlib
    import zipfile

    _, zip_path = prepared
    data = copy_of(prepared, tmp_path)
    backup.restore(Config.load(data), zip_path, actor=Actor(1, "admin", "admin"))
    with zipfile.ZipFile(zip_path) as z:
        expected = hashlib.sha256(z.read("manifest.json")).hexdigest()
    con = sqlite3.connect(data / "riskdesk.sqlite3")
    try:
        username, after = con.execute("SELECT username, after FROM audit_log WHERE action = "
                                      "'restore' ORDER BY id DESC").fetchone()
    finally:
        con.close()
    after = json.loads(after)
    assert username == "admin"
    assert after["file"] == str(zip_path) and after["manifest_sha256"] == expected


def test_init_refuses_a_new_database_beside_restore_leftovers(prepared, tmp_path, capsys,
                                                               monkeypatch):
    _, zip_path = prepared
    data = copy_of(prepared, tmp_path)
    backup.restore(Config.load(data), zip_path, actor=Actor.system())
    aside = next(p for p in data.iterdir() if p.name.startswith("restore-aside-"))
    for suffix in ("", "-wal", "-shm"):  # the database lost after the restore
        Path(f"{data / 'riskdesk.sqlite3'}{suffix}").unlink(missing_ok=True)
    password = tmp_path / "pw.txt"
    password.write_text("Anquan2024\n", encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    capsys.readouterr()
    code = main(["--data-dir", str(data), "init", "--agency-name", "某机构", "--admin", "admin",
                 "--password-file", str(password)])
    err = capsys.readouterr().err
    assert code == 1 and aside.name in err and "不会新建空数据库" in err
    assert not (data / "riskdesk.sqlite3").exists()


def test_an_unreadable_journal_stops_the_start_up_with_a_message(prepared, tmp_path, capsys):
    data = copy_of(prepared, tmp_path)
    restore_journal.journal_path(data).write_text("{not json", encoding="utf-8")
    capsys.readouterr()
    assert main(["--data-dir", str(data), "check"]) == 1
    err = capsys.readouterr().err
    assert "上次恢复备份未能自动完成或撤销" in err and "restore-aside" in err
    assert "Traceback" not in err and restore_journal.journal_path(data).exists()  # kept for a person
