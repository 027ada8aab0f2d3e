"""A PostgreSQL backup's audit log is compared with the signed checkpoints it carries before
anything is restored, as a SQLite backup's is (session 8 left it said but not done): the log
and the registered key are read out of the pg_dump file with pg_restore, no server involved.
An untouched backup says how many checkpoints it matched; a dump whose newest audit entries
were cut (and the manifest recomputed: it is not signed) is refused and nothing moves."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import uuid
import zipfile
from pathlib import Path

import pytest

from desktop.config import Config
from desktop.db import Database
from desktop.services import agency, checkpoints, hazards, signing, users
from desktop.services.context import Actor
from desktop.services.exchange import backup, backup_accounts
from tests.factories import make_project

PG_URL = os.environ.get("RISKDESK_TEST_PG_URL", "")
PASSWORD = "Secret-Desk-2026"

pytestmark = pytest.mark.skipif(not PG_URL or shutil.which("pg_restore") is None,
                                reason="RISKDESK_TEST_PG_URL not set, or no pg_restore")


@pytest.fixture
def pg_folder(tmp_path, _pg_template):
    """A data folder on a fresh PostgreSQL database: the agency key, an administrator, a
    project and two hazards, checkpoints every 5 entries; yields (config, database URL)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin_url = make_url(PG_URL).set(drivername="postgresql+psycopg")
    server = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    names = [f"riskdesk_a{uuid.uuid4().hex[:8]}", f"riskdesk_b{uuid.uuid4().hex[:8]}"]
    with server.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{names[0]}" TEMPLATE "{_pg_template}"'))
        conn.execute(text(f'CREATE DATABASE "{names[1]}"'))  # scratch, for the forger's re-dump
    url = admin_url.set(database=names[0]).render_as_string(hide_password=False)
    config = Config(data_dir=tmp_path / "data", values={"database_url": url, "audit_checkpoint_every": 5})
    config.save()
    config = Config.load(tmp_path / "data")
    db = Database(url)
    watch = checkpoints.install(db, config)
    try:
        with db.session() as s:
            users.create_user(s, Actor.system(), username="admin", display_name="管理员", role="admin",
                              password=PASSWORD)
            agency.setup_agency(s, name="绍兴安途安全风控咨询有限公司")
        with db.session() as s:
            signing.setup_key(s, data_dir=config.data_dir, actor=Actor.system())
        admin = users.login(db, "admin", PASSWORD)
        with db.session() as s:
            ids = make_project(s, admin)
            for text_ in ("临边防护缺失", "配电箱未上锁"):
                hazards.record(s, admin, hazards.HazardForm(
                    project_id=ids.project, description=text_, level=3, measures="立即整改",
                    found_at=dt.datetime(2026, 8, 5, 10)))
        assert watch.finish(reason="drill") is None
    finally:
        db.dispose()
    try:
        yield config, admin_url.set(database=names[1]).render_as_string(hide_password=False)
    finally:
        with server.connect() as conn:
            for name in names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


def _backup(config: Config, out: Path) -> Path:
    db = Database(config.database_url)
    try:
        return backup.backup(db, config, out).path
    finally:
        db.dispose()


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    from sqlalchemy.engine import make_url

    u = make_url(url)
    env = dict(os.environ, PGPASSWORD=str(u.password or ""))
    return u.set(drivername="postgresql", password=None).render_as_string(hide_password=False), env


def _cut_newest(made: Path, scratch_url: str, n: int, out: Path) -> Path:
    """What a forger with a PostgreSQL server does: the dump restored elsewhere, the newest `n`
    audit entries deleted, dumped again, the zip's manifest recomputed."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    dump = out.parent / "orig.pgdump"
    with zipfile.ZipFile(made) as z:
        dump.write_bytes(z.read(backup.DB_PG))
    conninfo, env = _libpq(scratch_url)
    subprocess.run(["pg_restore", "--no-owner", f"--dbname={conninfo}", str(dump)], env=env, check=True,
                   capture_output=True)
    engine = create_engine(make_url(scratch_url))
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE id > (SELECT max(id) FROM audit_log) - :n"), {"n": n})
    engine.dispose()
    forged = out.parent / "forged.pgdump"
    subprocess.run(["pg_dump", "--format=custom", "--no-owner", f"--dbname={conninfo}", f"--file={forged}"],
                   env=env, check=True, capture_output=True)
    with zipfile.ZipFile(made) as zin:
        members = {name: zin.read(name) for name in zin.namelist() if name != backup.MANIFEST}
        manifest = json.loads(zin.read(backup.MANIFEST))
    members[backup.DB_PG] = forged.read_bytes()
    manifest["files"] = [{"path": k, "sha256": hashlib.sha256(v).hexdigest(), "size": len(v)}
                         for k, v in members.items()]
    with zipfile.ZipFile(out, "w") as zout:
        for name, data in members.items():
            zout.writestr(name, data)
        zout.writestr(backup.MANIFEST, json.dumps(manifest, ensure_ascii=False))
    return out


def _audit_count(config: Config) -> int:
    from sqlalchemy import text

    db = Database(config.database_url)
    try:
        with db.engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM audit_log")).scalar_one())
    finally:
        db.dispose()


def test_an_untouched_dump_is_compared_and_a_cut_one_refused(pg_folder, tmp_path):
    config, scratch = pg_folder
    made = _backup(config, tmp_path / "pg.zip")
    checked = backup.check_backup(config, made)
    assert checked.audit.compared >= 1 and not checked.warnings
    assert "审计记录与备份中的" in str(checked.summary) and "签名检查点一致" in str(checked.summary)

    cut = _cut_newest(made, scratch, 3, tmp_path / "cut.zip")
    assert backup.verify_backup(cut)  # every hash agrees: the manifest proves nothing
    before = _audit_count(config)
    with pytest.raises(backup.RestoreRefused, match="审计记录缺失：最近 3 条审计记录不在备份中"):
        backup.restore(config, cut, actor=Actor.system())
    assert _audit_count(config) == before  # nothing restored

    result = backup.restore(config, made, actor=Actor.system())
    assert "签名检查点一致" in result.checked
    assert not [w for w in result.warnings if "审计" in str(w)]


def test_rows_are_streamed_from_the_dump_with_their_escapes(pg_folder, tmp_path):
    config, _ = pg_folder
    made = _backup(config, tmp_path / "pg.zip")
    dump = tmp_path / "db.pgdump"
    with zipfile.ZipFile(made) as z:
        dump.write_bytes(z.read(backup.DB_PG))
    rows = list(backup_accounts.pgdump_rows(dump, "users", ("username", "display_name", "deleted_at")))
    assert rows == [("admin", "管理员", None)]
    audit_rows = list(backup_accounts.pgdump_rows(dump, "audit_log", ("id", "hash")))
    assert len(audit_rows) >= 10 and all(len(h or "") == 64 for _, h in audit_rows)
    with pytest.raises(Exception, match="缺少列 nonexistent"):
        list(backup_accounts.pgdump_rows(dump, "users", ("username", "nonexistent")))
