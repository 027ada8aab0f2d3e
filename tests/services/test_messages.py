"""Service messages: the Chinese text stays exactly as before, the template and params ride along."""

from __future__ import annotations

import importlib.util
import pickle
from pathlib import Path

import pytest

from desktop.db import DataError, translate_error
from desktop.messages import Lines, Message, Series, msg
from desktop.models.enums import Role
from desktop.services import hazards, periods, permissions, projects
from desktop.services.context import (
    Cancelled,
    ConflictError,
    NotFound,
    PermissionDenied,
    ServiceError,
    ValidationError,
)
from tests.factories import make_project

ROOT = Path(__file__).resolve().parents[2]


def test_str_of_an_error_is_the_formatted_chinese_and_it_keeps_template_and_params():
    err = NotFound(msg("找不到项目 {id}。", id=7))
    assert str(err) == err.message == "找不到项目 7。"
    assert err.template == "找不到项目 {id}。" and err.params == {"id": 7}
    assert isinstance(err.message, str) and err.message == "找不到项目 7。"


def test_a_plain_string_still_works_and_has_no_template():
    err = ServiceError("旧式的错误说明")
    assert str(err) == "旧式的错误说明" and err.template is None and err.params == {}


def test_validation_error_keeps_chinese_fields_and_a_message_per_field():
    err = ValidationError({"name": msg("请填写项目名称"),
                           "code": msg("项目编号“{code}”已被其他项目使用", code="P-1"),
                           "note": "界面自己的说明"})
    assert err.fields == {"name": "请填写项目名称", "code": "项目编号“P-1”已被其他项目使用",
                          "note": "界面自己的说明"}
    assert err.messages["code"].template == "项目编号“{code}”已被其他项目使用"
    assert err.messages["code"].params == {"code": "P-1"}
    assert err.messages["note"].template is None
    assert str(err) == "请填写项目名称；项目编号“P-1”已被其他项目使用；界面自己的说明"


def test_nested_messages_enum_members_and_lists_format_as_the_chinese_did():
    text = msg("隐患 {number} 当前状态为“{status}”，不能{step}。", number="YH-2026-00001",
               status=Role.TECH_LEAD, step=msg("复查销项"))
    assert text == "隐患 YH-2026-00001 当前状态为“技术负责人”，不能复查销项。"
    assert msg("以下档案不能申请销毁：{problems}", problems=[msg("甲"), "乙"]) == "以下档案不能申请销毁：甲；乙"
    assert msg("尚未登记向{names}的报告", names=Series(["承保机构", "建设主管部门"])) \
        == "尚未登记向承保机构、建设主管部门的报告"
    assert msg("{a}\n{b}", a="x", b=Lines(["1", "2"])) == "x\n1\n2"
    assert msg("文件过大（{size:.1f} MB）", size=2.25) == "文件过大（2.2 MB）"
    assert msg("编号格式须包含 {{year}} 和 {{seq}}") == "编号格式须包含 {year} 和 {seq}"


def test_a_message_survives_pickling():
    text = msg("第 {row} 行：{problem}", row=3, problem=msg("此处应为数字"))
    again = pickle.loads(pickle.dumps(text))
    assert again == text and again.template == text.template
    assert again.params["problem"].template == "此处应为数字"


def test_real_refusals_carry_their_template(db, users):
    reviewer = users[Role.REVIEWER.value]
    with pytest.raises(PermissionDenied) as denied:
        permissions.require(reviewer, "hazard.record")
    assert str(denied.value) == "只读审阅无权登记隐患。"
    assert denied.value.template == "{role}无权{action}。"
    assert denied.value.params["action"].template == "登记隐患"
    admin = users[Role.ADMIN.value]
    with db.session() as session:
        ids = make_project(session, admin)
        row = hazards.record(session, admin, hazards.HazardForm(
            project_id=ids.project, description="临边防护缺失", level=3, measures="设置防护"))
        with pytest.raises(ConflictError) as conflict:
            hazards.update(session, admin, row.id, expected_version=row.version + 5,
                           location="3#楼")
        with pytest.raises(ValidationError) as refused:
            projects.create_project(session, admin, projects.ProjectForm(code="", name=""))
    assert str(conflict.value).startswith("该隐患已被他人修改（当前版本 ")
    assert conflict.value.params["what"].template == "隐患"
    assert refused.value.fields["code"] == "请填写项目编号"
    assert refused.value.messages["code"].template == "请填写项目编号"


def test_periods_name_themselves_with_a_template_per_quarter():
    q3 = periods.parse("2026Q3").chinese
    assert q3 == "2026年第三季度" and q3.template == "{year}年第三季度"
    assert periods.parse("2026-03").chinese == "2026年3月"
    with pytest.raises(ValueError) as bad:
        periods.parse("2026Q9")
    assert isinstance(bad.value.args[0], Message)
    assert str(bad.value) == "期间格式无效：2026Q9（应为 2026-03、2026Q3、2026H1 或 2026）"


def test_data_errors_and_cancellation_carry_templates_too():
    import sqlite3

    busy = sqlite3.OperationalError("database is locked")
    busy.sqlite_errorcode, busy.sqlite_errorname = 5, "SQLITE_BUSY"  # as SQLite sets them
    locked = translate_error(busy)
    assert isinstance(locked, DataError)
    assert str(locked) == "数据库正被其他程序占用（已锁定），请稍后重试。"
    assert locked.template == "数据库正被其他程序占用（已锁定），请稍后重试。"
    assert Cancelled().message == "操作已取消。" and Cancelled().template == "操作已取消。"


def _tool():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("i18n_tool", ROOT / "tools" / "i18n.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_extractor_finds_literal_templates_and_refuses_others(tmp_path):
    tool = _tool()
    found = tool.message_templates()
    assert "{role}无权{action}。" in found and "；" in found and "、" in found
    assert "{year}年第三季度" in found and "一级隐患待报告（当日）" in found
    good = tmp_path / "good.py"
    good.write_text('raise NotFound(msg("找不到 {x}", x=1))\n', encoding="utf-8")
    assert "找不到 {x}" in tool.message_templates([good])
    bad = tmp_path / "bad.py"
    bad.write_text('text = "动态"\nraise NotFound(msg(text))\n', encoding="utf-8")
    with pytest.raises(SystemExit, match="bad.py:2"):
        tool.message_templates([bad])


def test_no_service_raises_a_bare_chinese_string():
    """Every refusal in the core is a msg(...): a Chinese literal straight in an error's call
    (or a ValidationError's dict) would show in Chinese in English mode."""
    import ast
    import re

    cjk = re.compile(r"[\u4e00-\u9fff]")
    errors = {"ServiceError", "PermissionDenied", "NotFound", "ValidationError", "ConflictError",
              "TransitionError", "Cancelled", "DataError", "LoginFailed", "ImportRefused",
              "CatalogueFileError", "CellError", "RestoreRefused"}
    found = []
    for path in [*sorted((ROOT / "desktop" / "services").rglob("*.py")), ROOT / "desktop" / "db.py"]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", getattr(
                    node.func, "attr", "")) in errors):
                continue
            inside = set()
            for sub in ast.walk(node):
                if isinstance(sub, ast.Call) and getattr(sub.func, "id", "") == "msg":
                    inside.update(id(n) for n in ast.walk(sub))
            found += [f"{path.name}:{sub.lineno}" for sub in ast.walk(node)
                      if isinstance(sub, ast.Constant) and isinstance(sub.value, str)
                      and cjk.search(sub.value) and id(sub) not in inside]
    assert found == []
