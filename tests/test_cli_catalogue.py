"""`riskdesk catalogue`: list the editions, import a further one (unchecked), mark it checked."""

from __future__ import annotations

import argparse
import json

from desktop import cli_catalogue
from desktop.config import Config
from desktop.paths import catalogues_dir
from desktop.services import catalogues
from tests.cli_users import login_options


def call(capsys, *argv: str) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="riskdesk")
    parser.add_argument("--data-dir")
    cli_catalogue.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args([str(a) for a in argv])
    code = args.handler(args)
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_catalogue_list_import_check(capsys, db, tmp_path, users):
    login = login_options(tmp_path)
    if not db.is_sqlite:
        Config(data_dir=tmp_path, values={"database_url": db.url}).save()
    with db.session() as s:
        catalogues.load_all(s)
    data = json.loads((catalogues_dir() / "major_hazard_2024.json").read_text(encoding="utf-8"))
    data.update(code="major_hazard@2030", edition="2030", issued="2030-01-01", in_force="2030-02-01")
    new = tmp_path / "2030.json"
    new.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    rc, out, _ = call(capsys, "--data-dir", tmp_path, "catalogue", "import", new, *login)
    assert rc == 0 and "已导入" in out and "未核对原文" in out and "53 条" in out
    rc, out, err = call(capsys, "--data-dir", tmp_path, "catalogue", "import", new, *login)
    assert rc == 1 and "已载入" in err
    rc, out, _ = call(capsys, "--data-dir", tmp_path, "catalogue", "list")
    line = next(x for x in out.splitlines() if x.startswith("major_hazard@2030"))
    assert rc == 0 and "2030-02-01 起施行" in line and line.endswith("未核对原文")
    assert "major_hazard@2024" in out and "2024-12-13 起施行" in out
    rc, out, _ = call(capsys, "--data-dir", tmp_path, "catalogue", "check", "major_hazard@2030", *login)
    assert rc == 0 and "已核对原文" in out
    rc, out, _ = call(capsys, "--data-dir", tmp_path, "catalogue", "list")
    assert "未核对原文" not in out
    rc, _, err = call(capsys, "--data-dir", tmp_path, "catalogue", "check", "nothing@1", *login)
    assert rc == 2 and "没有代码为" in err
    rc, _, err = call(capsys, "--data-dir", tmp_path, "catalogue", "import")
    assert rc == 2 and "请给出 JSON 或 Excel 文件" in err


def test_catalogue_import_from_excel(capsys, db, tmp_path, users):
    from tests.services.test_catalogue_sheet import workbook

    login = login_options(tmp_path)
    if not db.is_sqlite:
        Config(data_dir=tmp_path, values={"database_url": db.url}).save()
    with db.session() as s:
        catalogues.load_all(s)
    path = workbook(tmp_path / "2030.xlsx")
    rc, out, _ = call(capsys, "--data-dir", tmp_path, "catalogue", "import", path, *login)
    assert rc == 0 and "已导入" in out and "3 条" in out and "未核对原文" in out
    bad = workbook(tmp_path / "bad.xlsx", [("第四条", "04-1", "基坑工程", "", None, "一级", None)])
    rc, _, err = call(capsys, "--data-dir", tmp_path, "catalogue", "import", bad, *login)
    assert rc == 1 and "第 3 行 D 列（内容）：不能为空" in err
