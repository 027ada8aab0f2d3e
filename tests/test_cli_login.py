"""The command line acts as a person: who may run which data command, and the audit says who."""

from __future__ import annotations

import io
import sys

import pytest
from sqlalchemy import select

from desktop import cli
from desktop.config import Config
from desktop.db import Database
from desktop.models import AuditEntry
from desktop.services import users
from desktop.services.context import Actor

PASSWORD = "Anquan-2026x"


@pytest.fixture(autouse=True)
def no_terminal(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    monkeypatch.delenv("RISKDESK_PASSWORD", raising=False)


@pytest.fixture
def folder(tmp_path, capsys):
    data = tmp_path / "data"
    pw = tmp_path / "pw.txt"
    pw.write_text(PASSWORD + "\n", encoding="utf-8")
    assert cli.main(["--data-dir", str(data), "init", "--agency-name", "绍兴安途安全风控咨询有限公司",
                     "--admin", "admin", "--admin-name", "王建国", "--password-file", str(pw)]) == 0
    db = Database(Config.load(data).database_url)
    try:
        with db.session() as s:
            users.create_user(s, Actor.system(), username="reader", display_name="李审阅",
                              role="reviewer", password=PASSWORD)
    finally:
        db.dispose()
    capsys.readouterr()
    return data


def run(capsys, *argv) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def audit_rows(data) -> list[tuple[str, str]]:
    db = Database(Config.load(data).database_url)
    try:
        with db.read() as s:
            return [tuple(r) for r in s.execute(
                select(AuditEntry.username, AuditEntry.action).order_by(AuditEntry.id))]
    finally:
        db.dispose()


def test_the_password_from_the_environment_and_the_user_in_the_audit(capsys, folder, tmp_path,
                                                                    monkeypatch):
    monkeypatch.setenv("RISKDESK_PASSWORD", PASSWORD)
    code, _, err = run(capsys, "--data-dir", folder, "backup", "--out", tmp_path / "b.zip",
                         "--user", "admin")
    assert code == 0, err
    rows = audit_rows(folder)
    assert ("admin", "login") in rows and ("admin", "backup") in rows
    assert ("system", "backup") not in rows


def test_no_password_and_no_terminal_is_refused_without_asking(capsys, folder, tmp_path):
    code, _, err = run(capsys, "--data-dir", folder, "backup", "--out", tmp_path / "b.zip",
                       "--user", "admin")
    assert code == 2 and "缺少用户 admin 的密码" in err and "RISKDESK_PASSWORD" in err
    assert not (tmp_path / "b.zip").exists()


def test_wrong_passwords_lock_the_account_as_in_the_window(capsys, folder, tmp_path, monkeypatch):
    command = ["--data-dir", folder, "backup", "--out", tmp_path / "b.zip", "--user", "admin"]
    monkeypatch.setenv("RISKDESK_PASSWORD", "wrong-password-1")
    for _ in range(users.MAX_FAILURES - 1):
        code, _, err = run(capsys, *command)
        assert code == 1 and "用户名或密码不正确" in err
    code, _, err = run(capsys, *command)
    assert code == 1 and "账户已锁定" in err
    monkeypatch.setenv("RISKDESK_PASSWORD", PASSWORD)
    code, _, err = run(capsys, *command)  # even the right password, until the lock expires
    assert code == 1 and "已锁定" in err and not (tmp_path / "b.zip").exists()
    assert [a for u, a in audit_rows(folder) if u == "admin"].count("login_failed") == \
        users.MAX_FAILURES - 1


def test_the_role_matrix_applies(capsys, folder, tmp_path, monkeypatch):
    monkeypatch.setenv("RISKDESK_PASSWORD", PASSWORD)
    code, _, err = run(capsys, "--data-dir", folder, "export-package", "--insurer", "1",
                       "--period", "2026Q3", "--out", tmp_path / "p.zip", "--user", "reader")
    assert code == 1 and "无权导出以本机构密钥签名的评审资料包" in err
    code, _, err = run(capsys, "--data-dir", folder, "backup", "--out", tmp_path / "b.zip",
                       "--user", "reader")
    assert code == 1 and "无权备份数据" in err
    code, _, err = run(capsys, "--data-dir", folder, "restore", tmp_path / "b.zip", "--yes",
                       "--user", "reader")
    assert code == 1 and "无权恢复数据" in err
    assert not (tmp_path / "p.zip").exists() and not (tmp_path / "b.zip").exists()


def test_commands_that_only_read_need_no_login(capsys, folder):
    assert run(capsys, "--data-dir", folder, "check", "--quick")[0] == 0
    assert run(capsys, "--data-dir", folder, "trust", "list")[0] == 0
