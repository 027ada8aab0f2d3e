"""The health check: passes on a good folder, names each kind of problem on a bad one."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import update

from desktop.config import Config
from desktop.models import AuditEntry
from desktop.services import agency, catalogues
from desktop.services.check import run_check
from desktop.services.exchange import attachments
from tests.factories import make_project


@pytest.fixture
def folder(sqlite_db, tmp_path):
    """An initialised data folder around the test database (tmp_path/riskdesk.sqlite3)."""
    config = Config(data_dir=tmp_path)
    assert config.sqlite_path == sqlite_db.sqlite_path
    with sqlite_db.session() as session:
        catalogues.load_all(session)
        agency.setup_agency(session, name="绍兴安途安全风控咨询有限公司")
        admin = agency.create_first_admin(session, username="admin", display_name="管理员",
                                          password="Secret-Desk-2026")
    return sqlite_db, config, admin


def _photo(db, config, owner: int, admin_id: int) -> str:
    from desktop.services.context import Actor

    actor = Actor(admin_id, "admin", "admin")
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "grey").save(out, "JPEG")
    with db.session() as session:
        return attachments.store_file(session, actor, store_dir=config.attachments_dir,
                                      data=out.getvalue(), owner_type="project", owner_id=owner).sha256


def test_good_folder_passes(folder):
    db, config, _ = folder
    report = run_check(db, config)
    assert report.ok and report.problems == ()
    assert report.schema_current == report.schema_head
    assert report.counts["用户"] == 1 and report.counts["目录条目"] >= 97
    assert any("审计记录链：正常" in line for line in report.lines)
    assert report.text.splitlines()[-1] == "结论：检查通过，未发现问题。"
    assert "审计检查点：尚无（备份、导出或会话结束时写入）" in report.lines  # services only: none written
    # SQLite has no database roles: nothing said of the audit table's privileges
    assert report.warnings == () and "db grants" not in report.text and "提醒" not in report.text


def test_missing_attachment_and_edited_audit_are_reported(folder):
    db, config, admin = folder
    from desktop.services.context import Actor

    with db.session() as session:
        project = make_project(session, Actor(admin.id, "admin", "admin")).project
    sha = _photo(db, config, project, admin.id)
    assert run_check(db, config).ok
    attachments.blob_path(config.attachments_dir, sha).unlink()
    with db.engine.begin() as conn:
        conn.execute(update(AuditEntry).where(AuditEntry.id == 3).values(note="悄悄改过"))
    report = run_check(db, config)
    assert not report.ok and len(report.problems) == 2
    assert "附件文件缺失：1 个" in report.problems[0]
    assert "审计记录 #3 的内容被修改" in report.problems[1]
    assert sha in report.text


def test_uninitialised_and_outdated_schemas(tmp_path):
    from alembic import command

    from desktop.db import Database

    config = Config(data_dir=tmp_path)
    db = Database(config.database_url)
    empty = run_check(db, config)
    assert not empty.ok and "尚未初始化" in empty.problems[0]
    db.migrate(backup=False)
    no_agency = run_check(db, config)
    assert not no_agency.ok and "机构信息或管理员" in no_agency.problems[0]
    with db.engine.begin() as conn:
        command.downgrade(db._alembic_config(conn), "0001")
    old = run_check(db, config)
    assert not old.ok and old.schema_current == "0001" and "升级" in old.problems[0]
    db.dispose()


def test_damaged_database_file_is_a_problem_not_a_crash(tmp_path):
    from desktop.db import Database

    config = Config(data_dir=tmp_path)
    config.sqlite_path.write_bytes(b"this is not a database" * 100)
    db = Database(config.database_url)
    report = run_check(db, config)
    assert not report.ok and "损坏" in report.problems[0]
    db.dispose()
