"""The data commands (export-package, verify, import, backup, restore) as a script runs them."""

from __future__ import annotations

import argparse
import datetime as dt
import io
import signal
import sys
import zipfile

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from desktop import cli_data
from desktop.config import Config
from desktop.db import Database
from desktop.models import Hazard, Project
from desktop.services import agency, hazards, projects, signing
from tests.cli_users import TEST_PASSWORD, as_user
from tests.factories import make_project


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def no_terminal(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    monkeypatch.setenv("RISKDESK_PASSWORD", TEST_PASSWORD)


def call(capsys, *argv: str) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="riskdesk")
    parser.add_argument("--data-dir")
    cli_data.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(as_user(argv))  # the data commands run as the admin
    code = args.handler(args)
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


@pytest.fixture
def folder(db, admin, tmp_path):
    """A data folder whose settings name the test database; an agency with its key and a project."""
    if not db.is_sqlite:
        Config(data_dir=tmp_path, values={"database_url": db.url}).save()
    with db.session() as s:
        agency.setup_agency(s, name="绍兴安途安全风控咨询有限公司")
        signing.setup_key(s, data_dir=tmp_path)
        ids = make_project(s, admin)
        hazards.record(s, admin, hazards.HazardForm(
            project_id=ids.project, description="临边防护缺失", level=3, measures="设置防护栏杆",
            found_at=dt.datetime(2026, 8, 5, 10)))
        code = projects.load(s, ids.project).code
    return tmp_path, ids, code


def test_export_then_verify(capsys, folder):
    data, ids, _ = folder
    out = data / "out" / "package.zip"
    code, stdout, stderr = call(capsys, "--data-dir", data, "export-package", "--insurer", "人民财产",
                                "--period", "2026Q3", "--out", out)
    assert code == 0 and "已导出评审资料包" in stdout and "签名公钥指纹" in stdout
    assert "进度 100%" in stderr  # stderr is not a terminal here: a short log instead of a bar
    code, stdout, _ = call(capsys, "--data-dir", data, "verify", out)
    assert code == 0 and "签名：有效" in stdout and "未提供公钥" not in stdout  # the folder's own key
    with zipfile.ZipFile(out) as zin, zipfile.ZipFile(data / "cut.zip", "w") as zout:
        for info in zin.infolist():
            if not info.filename.startswith("登记表/项目"):
                zout.writestr(info, zin.read(info.filename))
    code, stdout, _ = call(capsys, "verify", data / "cut.zip")
    assert code == 1 and "缺少文件：登记表/项目清单.xlsx" in stdout and "未通过核验" in stdout
    code, _, stderr = call(capsys, "--data-dir", data, "export-package", "--insurer",
                           str(ids.insurer), "--period", "2026Q9", "--out", data / "x.zip")
    assert code == 1 and "期间格式无效" in stderr


def test_ctrl_c_cancels_cleanly(capsys, folder, monkeypatch):
    data, ids, _ = folder
    original = cli_data.TextProgress.__call__

    def interrupted(self, done, total, text):
        if done > 0 and not self.cancelled:
            signal.raise_signal(signal.SIGINT)  # as if the user pressed Ctrl+C mid-way
        return original(self, done, total, text)

    monkeypatch.setattr(cli_data.TextProgress, "__call__", interrupted)
    code, _, stderr = call(capsys, "--data-dir", data, "export-package", "--insurer",
                           str(ids.insurer), "--period", "2026Q3", "--out", data / "out" / "p.zip")
    assert code == 130 and "正在取消" in stderr and "已取消" in stderr
    assert list((data / "out").iterdir()) == []
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def workbook(path, code, rows):
    wb = Workbook()
    ws = wb.active
    ws.append(["隐患编号", "项目编号", "发现日期", "隐患描述", "隐患等级", "整改措施"])
    for row in rows:
        ws.append([row[0], code, *row[1:]])
    wb.save(path)
    return path


def test_import_dry_run_then_commit(capsys, folder, db):
    data, _, code = folder
    good = workbook(data / "team.xlsx", code, [["T-1", "2026年9月1日", "配电箱无门", "三级", "加装箱门"],
                                              ["T-2", 46267, "吊篮钢丝绳断丝", "4", "更换钢丝绳"]])
    rc, stdout, _ = call(capsys, "--data-dir", data, "import", "hazards", good, "--dry-run")
    assert rc == 0 and "新增 2 条" in stdout and "未写入任何数据" in stdout
    rc, stdout, _ = call(capsys, "--data-dir", data, "import", "hazards", good)
    assert rc == 0 and "已导入" in stdout
    bad = workbook(data / "bad.xlsx", code, [["T-3", "2026年9月31日", "x", "三级", "y"]])
    rc, stdout, stderr = call(capsys, "--data-dir", data, "import", "hazards", bad,
                              "--map", "level=E")
    assert rc == 1 and "第 2 行 C 列（发现日期）：日期不存在" in stdout and "导入未执行" in stderr
    with db.read() as s:
        assert s.execute(select(func.count(Hazard.id))).scalar_one() == 3
    rc, _, stderr = call(capsys, "--data-dir", data, "import", "hazards", bad, "--map", "level")
    assert rc == 2 and "字段=列" in stderr


def test_import_reads_a_hidden_sheet_only_when_named_and_keeps_the_caps(capsys, folder, db):
    data, _, code = folder
    path = workbook(data / "hidden.xlsx", code, [["H-1", "2026-09-01", "配电箱无门", "三级", "加装箱门"]])
    from openpyxl import load_workbook

    wb = load_workbook(path)
    wb.active.title = "原表"
    wb.active.sheet_state = "hidden"
    wb.create_sheet("封面").append(["本表由现场检查组填写"])
    wb.save(path)
    rc, stdout, stderr = call(capsys, "--data-dir", data, "import", "hazards", path, "--dry-run")
    assert rc == 1 and "隐藏的工作表未读取（原表）" in stderr
    rc, stdout, _ = call(capsys, "--data-dir", data, "import", "hazards", path, "--sheet", "原表")
    assert rc == 0 and "已导入" in stdout and "新增 1 条" in stdout
    config = Config.load(data)
    config.set("import_max_rows", 1)
    config.save()
    rc, _, stderr = call(capsys, "--data-dir", data, "import", "hazards", path, "--sheet", "原表")
    assert rc == 1 and "超过 1 行，超过导入上限" in stderr


def test_backup_and_restore(capsys, folder, db, monkeypatch):
    data, _, _ = folder
    rc, stdout, _ = call(capsys, "--data-dir", data, "backup", "--out", data / "b" / "one.zip")
    assert rc == 0 and "已备份" in stdout
    with db.session() as s:
        from desktop.services.context import Actor

        make_project(s, Actor.system(), name="备份后新增")
    db.dispose()
    rc, _, stderr = call(capsys, "--data-dir", data, "restore", data / "b" / "one.zip")
    assert rc == 2 and "--yes" in stderr
    monkeypatch.setattr(sys, "stdin", Terminal("no\n"))
    rc, stdout, _ = call(capsys, "--data-dir", data, "restore", data / "b" / "one.zip")
    assert rc == 1 and "未做任何改动" in stdout
    rc, stdout, err = call(capsys, "--data-dir", data, "restore", data / "b" / "one.zip", "--yes")
    assert rc == 0 and "原有数据保留在" in stdout, err
    again = Database(Config.load(data).database_url)
    try:
        with again.read() as s:
            later = select(func.count(Project.id)).where(Project.name.like("备份后新增%"))
            assert s.execute(later).scalar_one() == 0
    finally:
        again.dispose()
    rc, _, stderr = call(capsys, "--data-dir", data, "restore", data / "nothing.zip", "--yes")
    assert rc == 1 and "备份文件无法读取" in stderr


def test_a_folder_without_a_database_is_refused(capsys, tmp_path):
    rc, _, stderr = call(capsys, "--data-dir", tmp_path / "empty", "backup",
                         "--out", tmp_path / "x.zip")
    assert rc == 2 and "riskdesk init" in stderr


def test_restore_force_is_passed_to_the_service_and_its_warnings_printed(capsys, folder,
                                                                         monkeypatch):
    """`riskdesk restore --force` (PostgreSQL: other sessions connected) is the service's
    `force`; without it the service is asked not to force."""
    from desktop.services.exchange import backup

    data, _, _ = folder
    seen: list[bool] = []

    def restore(config, path, progress, *, actor, credentials=None, force=False):  # type: ignore[no-untyped-def]
        seen.append(force)
        return backup.RestoreResult(None, 3, None, 0.1, ("已强制恢复：恢复时另有 2 个会话连接数据库",))

    monkeypatch.setattr(backup, "restore", restore)
    rc, stdout, _ = call(capsys, "--data-dir", data, "restore", data / "b.zip", "--yes", "--force")
    assert rc == 0 and "注意：已强制恢复" in stdout
    rc, _, _ = call(capsys, "--data-dir", data, "restore", data / "b.zip", "--yes")
    assert rc == 0 and seen == [True, False]
