"""The command line in-process (init, check, GUI hand-off, every bad input) and `python -m desktop`."""

from __future__ import annotations

import io
import subprocess
import sys
import types

import pytest

from desktop import __version__
from desktop.cli import main
from desktop.db import Database


@pytest.fixture(autouse=True)
def no_terminal(monkeypatch):
    """Runs as in a script: stdin is not a terminal, so nothing may prompt."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))


@pytest.fixture
def password(tmp_path):
    path = tmp_path / "pw.txt"
    path.write_text("Anquan-Feng-2024\n", encoding="utf-8")
    return path


def init_args(folder, password):
    return ["--data-dir", str(folder), "init", "--agency-name", "绍兴安途安全风控咨询有限公司",
            "--admin", "admin", "--admin-name", "王建国", "--password-file", str(password)]


def run(capsys, argv):
    code = main(argv)
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_init_then_check(tmp_path, password, capsys):
    folder = tmp_path / "data"
    code, out, err = run(capsys, init_args(folder, password))
    assert code == 0, err
    assert "已创建数据库" in out and "已创建管理员账户：admin（王建国）" in out
    assert "房屋市政工程生产安全重大事故隐患判定标准（2022版）（34 条）" in out
    assert (folder / "riskdesk.sqlite3").is_file()
    assert "机构签名密钥指纹：" in out
    key = folder / "agency-signing-key.pem"
    assert key.is_file() and (key.stat().st_mode & 0o777) == 0o600
    assert "riskdesk" in (folder / "logs" / "riskdesk.log").read_text(encoding="utf-8")
    code, out, err = run(capsys, ["check", "--data-dir", str(folder)])  # --data-dir after the command
    assert code == 0, out + err
    assert "结论：检查通过" in out


def test_init_twice_upgrades_and_says_so(tmp_path, password, capsys):
    folder = tmp_path / "data"
    assert run(capsys, init_args(folder, password))[0] == 0
    code, out, _ = run(capsys, ["--data-dir", str(folder), "init"])
    assert code == 0
    assert "无需升级" in out and "已存在" in out and "结构无需升级" in out
    code, _, err = run(capsys, init_args(folder, password))  # changing the agency: a person's act
    assert code == 2 and "须以用户身份运行" in err
    code, out, _ = run(capsys, [*init_args(folder, password), "--user", "admin"])
    assert code == 0 and "忽略 --admin admin" in out


def test_init_upgrades_an_old_schema_after_copying_it(tmp_path, password, capsys):
    from alembic import command

    folder = tmp_path / "data"
    assert run(capsys, init_args(folder, password))[0] == 0
    db = Database(f"sqlite:///{folder / 'riskdesk.sqlite3'}")
    with db.engine.begin() as conn:
        command.downgrade(db._alembic_config(conn), "0001")
    db.dispose()
    code, out, _ = run(capsys, ["--data-dir", str(folder), "init"])
    assert code == 0 and "从结构版本 0001 升级到" in out and "升级完成" in out
    assert out.index("正在升级数据库") < out.index("从结构版本 0001 升级到")  # said before the wait
    assert list((folder / "backups" / "pre-migration").glob("*0001*.sqlite3"))
    assert run(capsys, ["--data-dir", str(folder), "check"])[0] == 0


def test_missing_options_without_a_terminal_fail_before_writing(tmp_path, capsys):
    folder = tmp_path / "data"
    code, _, err = run(capsys, ["--data-dir", str(folder), "init"])
    assert code == 2 and "缺少 --agency-name" in err
    assert not (folder / "riskdesk.sqlite3").exists()


@pytest.mark.parametrize(("extra", "words"), [
    (["--password-file", "/nonexistent/pw.txt"], "密码文件不存在"),
    (["--password-file", "WEAK"], "密码不符合要求"),
    (["--credit-code", "12345"], "统一社会信用代码"),
])
def test_bad_init_inputs(tmp_path, capsys, extra, words):
    weak = tmp_path / "weak.txt"
    weak.write_text("12345678", encoding="utf-8")
    strong = tmp_path / "strong.txt"
    strong.write_text("Anquan-Feng-2024", encoding="utf-8")
    extra = [str(weak) if x == "WEAK" else x for x in extra]
    if "--password-file" not in extra:
        extra += ["--password-file", str(strong)]
    code, _, err = run(capsys, ["--data-dir", str(tmp_path / "d"), "init", "--agency-name", "某机构",
                                "--admin", "admin", *extra])
    assert code == 1 and words in err and err.startswith("riskdesk：")


def test_data_dir_that_is_a_file(tmp_path, password, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, _, err = run(capsys, init_args(blocker, password))
    assert code == 1 and "不是文件夹" in err


def test_damaged_database_is_a_data_error(tmp_path, password, capsys):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "riskdesk.sqlite3").write_bytes(b"garbage" * 1000)
    code, _, err = run(capsys, init_args(folder, password))
    assert code == 1 and "数据库错误" in err and "损坏" in err


def test_check_reports_problems_with_exit_1(tmp_path, password, capsys):
    code, _, err = run(capsys, ["--data-dir", str(tmp_path / "none"), "check"])
    assert code == 1 and "数据目录不存在" in err
    assert not (tmp_path / "none").exists()
    folder = tmp_path / "data"
    assert run(capsys, init_args(folder, password))[0] == 0
    orphan = folder / "attachments" / "ab" / "cd" / ("abcd" + "0" * 60)
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"?")
    code, out, err = run(capsys, ["--data-dir", str(folder), "check"])
    assert code == 1 and "未登记的文件" in out and "检查发现 1 个问题" in err


@pytest.mark.parametrize("argv", [["frobnicate"], ["init", "--bogus"], ["demo", "--projects", "many"]])
def test_usage_errors_exit_2_in_chinese(tmp_path, capsys, argv):
    code, _, err = run(capsys, ["--data-dir", str(tmp_path), *argv])
    assert code == 2 and err.startswith("riskdesk：") and "用法" in err


def test_version_and_help(capsys):
    code, out, _ = run(capsys, ["--version"])
    assert code == 0 and out.strip() == f"riskdesk {__version__}"
    code, out, _ = run(capsys, ["--help"])
    assert code == 0 and "用法：" in out and "init" in out


def test_no_command_opens_the_window(tmp_path, monkeypatch, capsys):
    import desktop

    seen = {}
    fake = types.ModuleType("desktop.app")
    fake.main = lambda config: seen.setdefault("config", config) and 0
    monkeypatch.setitem(sys.modules, "desktop.app", fake)
    monkeypatch.setattr(desktop, "app", fake, raising=False)
    code, _, _ = run(capsys, ["--data-dir", str(tmp_path / "gui")])
    assert code == 0 and seen["config"].data_dir == tmp_path / "gui"


def test_unexpected_errors_are_logged_not_shown(tmp_path, password, monkeypatch, capsys):
    from desktop.services import catalogues

    def broken(session, folder=None, *, actor=None):
        raise RuntimeError("boom")

    monkeypatch.setattr(catalogues, "load_all", broken)
    folder = tmp_path / "data"
    code, _, err = run(capsys, init_args(folder, password))
    assert code == 1 and "内部错误" in err and "riskdesk.log" in err
    assert "Traceback" in (folder / "logs" / "riskdesk.log").read_text(encoding="utf-8")


def test_data_commands_run_through_main(tmp_path, password, capsys):
    folder = tmp_path / "data"
    assert run(capsys, init_args(folder, password))[0] == 0
    command = ["--data-dir", str(folder), "backup", "--out", str(tmp_path / "b.zip")]
    code, _, err = run(capsys, command)  # a data command runs as a person, never anonymously
    assert code == 2 and "须以用户身份运行" in err and not (tmp_path / "b.zip").exists()
    code, out, _ = run(capsys, [*command, "--user", "admin", "--password-file", str(password)])
    assert code == 0 and "已备份" in out and (tmp_path / "b.zip").is_file()


def test_python_dash_m_desktop_version():
    result = subprocess.run([sys.executable, "-m", "desktop", "--version"], capture_output=True,
                            text=True, timeout=60, check=False)
    assert result.returncode == 0 and result.stdout.strip() == f"riskdesk {__version__}"
    lazy = subprocess.run([sys.executable, "-c", (
        "import sys, contextlib, io\nfrom desktop.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()): main(['--version'])\n"
        "print('desktop.cli_data' in sys.modules, 'PySide6' in sys.modules)")],
        capture_output=True, text=True, timeout=60, check=False)
    assert lazy.stdout.split() == ["False", "False"], lazy.stderr
