"""`riskdesk grading`: the grading thresholds imported from a file, or their template written, by an
administrator signed in with --user; a bad file is refused with the window's Chinese problems and
exit status 2, nothing changed."""

from __future__ import annotations

import argparse
import json

from openpyxl import load_workbook

from desktop import cli_grading
from desktop.config import Config
from desktop.services import risk
from tests.cli_users import login_options


def call(capsys, *argv: str) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="riskdesk")
    parser.add_argument("--data-dir")
    cli_grading.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args([str(a) for a in argv])
    code = args.handler(args)
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def grading(db):
    with db.read() as s:
        return risk.grading(s)


def test_grading_import_template_and_refusals(capsys, db, tmp_path, users):
    if not db.is_sqlite:
        Config(data_dir=tmp_path, values={"database_url": db.url}).save()
    admin, lead = login_options(tmp_path), login_options(tmp_path, "tech_lead")
    good = tmp_path / "grading.json"
    good.write_text(json.dumps({"deep_excavation_m": 6, "accident_level": "高"}, ensure_ascii=False),
                    encoding="utf-8")
    rc, _, err = call(capsys, "--data-dir", tmp_path, "grading", good, *lead)
    assert rc == 1 and "无权修改系统设置" in err and grading(db)["deep_excavation_m"] != 6
    rc, out, _ = call(capsys, "--data-dir", tmp_path, "grading", good, *admin)
    assert rc == 0 and "已从 grading.json 读取 2 项评定规则取值，已保存" in out
    assert grading(db)["deep_excavation_m"] == 6 and grading(db)["accident_level"] == "high"

    before = grading(db)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"accident_months": 61, "colour": 1}), encoding="utf-8")
    rc, out, err = call(capsys, "--data-dir", tmp_path, "grading", bad, *admin)
    assert rc == 2 and "2 处问题" in err and "评定规则未作任何修改" in err and "“colour”" in err
    assert grading(db) == before

    template = tmp_path / "out" / "评定规则模板.xlsx"
    rc, out, _ = call(capsys, "--data-dir", tmp_path, "grading", "--template", template, *admin)
    assert rc == 0 and "已写出评定规则模板" in out and template.is_file()
    rows = {r[0]: r[1] for r in load_workbook(template).active.iter_rows(min_row=3, values_only=True)}
    assert rows["深基坑开挖深度（米，不小于为高风险）"] == 6 and rows["近期事故风险等级"] == "高"
    rc, out, _ = call(capsys, "--data-dir", tmp_path, "grading", template, *admin)
    assert rc == 0 and "与现行规则相同，未作修改" in out and grading(db) == before

    rc, _, err = call(capsys, "--data-dir", tmp_path, "grading", "--template", tmp_path / "t.csv", *admin)
    assert rc == 2 and ".xlsx 结尾" in err and not (tmp_path / "t.csv").exists()
    rc, _, err = call(capsys, "--data-dir", tmp_path, "grading", tmp_path / "none.xlsx", *admin)
    assert rc == 2 and "找不到评定规则文件" in err
    rc, _, err = call(capsys, "--data-dir", tmp_path, "grading", *admin)
    assert rc == 2 and "二者选一" in err
