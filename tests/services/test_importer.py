"""Excel import: messy sheets read right, each problem placed by sheet/row/column, all or none."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from desktop.models import AppSetting, ExternalReport, Hazard, HazardEvent, Policy, Project
from desktop.services import catalogues, projects
from desktop.services.context import PermissionDenied, ValidationError
from desktop.services.exchange import importer
from desktop.services.exchange import xlsx_normalise as xn
from tests.factories import make_project

HEADER_2 = ["序号", "隐患编号", "项目编号", "发 现\n日 期", "隐患部位", "隐患描述", "隐患等级", "整改要求", None,
            "应急措施", "停工建议"]
HEADER_3 = [None] * 7 + ["措施", "期限"] + [None, None]


def hazard_rows(code: str) -> list[list]:
    return [
        [1, "ＹＨ－００１", f"\u3000{code} ", "2026年8月5日", "3#楼\u3000三层 东侧", "临边防护栏杆缺失",
         "Ⅲ级", "立即设置防护栏杆", dt.datetime(2026, 8, 20), None, None],
        [2, "YH-002", None, 46241, "基坑北侧", "基坑边堆载超限", "一级", "立即卸载",
         "2026.8.10", "设置警戒区，专人监护", "局部停工"],
        [3, "YH-003", None, "2026/8/9", "塔吊", "塔吊附着螺栓松动", "２", "紧固并复测",
         "2026-08-30", "暂停塔吊作业", None],
        [4, 4, None, dt.datetime(2026, 8, 12, 15, 30), "脚手架", "连墙件缺失", "重大", "补设连墙件",
         "２０２６年８月１５日", "撤离作业人员", "停工"],
    ]


def hazard_book(path, code: str, rows: list[list] | None = None, *, header2=None):
    """A field team's list: merged title, two-row header with a group, project merged down."""
    wb = Workbook()
    ws = wb.active
    ws.title = "隐患清单"
    ws.append(["2026年第三季度隐患排查清单（现场一组）"] + [None] * 10)
    ws.merge_cells("A1:K1")
    ws.append(header2 or HEADER_2)
    ws.append(HEADER_3)
    for col in "ABCDEFGJK":
        ws.merge_cells(f"{col}2:{col}3")
    ws.merge_cells("H2:I2")
    rows = rows if rows is not None else hazard_rows(code)
    for row in rows:
        ws.append(row)
    if len(rows) > 1:
        ws.merge_cells(f"C4:C{3 + len(rows)}")  # the project written once for every row
    ws.append([])
    ws.append(["合计：共 4 项"])
    cover = wb.create_sheet("填表说明", 0)  # the first sheet is not the table
    cover.append(["本表由现场检查组填写"])
    wb.save(path)
    return path


@pytest.fixture
def proj(db, admin):
    with db.session() as s:
        ids = make_project(s, admin)
        return ids, projects.load(s, ids.project).code


def run(db, actor, path, kind="hazards", *, dry=False, **kw):
    table = importer.read(path, kind=kind, sheet=kw.pop("sheet", None))
    with db.session() as s:
        step = importer.preview if dry else importer.commit
        return step(s, actor, kind=kind, table=table, **kw)


def count(db, model) -> int:
    with db.read() as s:
        return s.execute(select(func.count()).select_from(model)).scalar_one()


def test_values_are_normalised():
    assert xn.parse_date("2026年3月5日") == xn.parse_date("2026.3.5") == xn.parse_date("2026/3/5") \
        == xn.parse_date("2026-03-05") == xn.parse_date(46086) == xn.parse_date("46086") \
        == xn.parse_date("２０２６－０３－０５") == xn.parse_date(dt.datetime(2026, 3, 5, 9)) \
        == xn.parse_date(" 20260305\u3000") == dt.date(2026, 3, 5)
    for bad in ("2026年13月5日", "3月5日", "12", "2026-02-30"):
        with pytest.raises(xn.CellError):
            xn.parse_date(bad)
    assert [xn.parse_level(v) for v in ("一级", 1, "Ⅰ级", "I级", "1级", "重大", "一级（重大）", "１", 2.0,
                                        "较大", "三级隐患", "IV", "低")] == [1] * 8 + [2, 2, 3, 4, 4]
    with pytest.raises(xn.CellError, match="无法识别"):
        xn.parse_level("五级")
    assert xn.parse_decimal("１２０，０００.５元") == Decimal("120000.5") == xn.parse_decimal("￥120,000.50")
    assert xn.ident("ＡＺＸ－２０２６\u3000０１") == "AZX-202601"
    assert xn.ident(320600202600001.0) == "320600202600001"
    assert xn.text("  三层\u3000\u3000东侧 ") == "三层 东侧" and xn.text("整改，措施") == "整改，措施"
    assert xn.parse_bool("是") is True and xn.parse_bool("×") is False and xn.parse_bool("") is None


def test_messy_hazard_list_is_read_and_imported(db, users, proj, tmp_path):
    ids, code = proj
    path = hazard_book(tmp_path / "现场组隐患清单.xlsx", code)
    table = importer.read(path, kind="hazards")
    assert table.sheet == "隐患清单" and table.header_rows == (2, 3) and len(table.rows) == 5
    assert table.column("I").header == "整改要求 / 期限"
    report = run(db, users["clerk"], path, dry=True)
    assert report.ok and report.new == 4 and not report.committed, report.lines()
    assert {m.field: m.column for m in report.mapping} == {
        "number": "B", "project_code": "C", "found_date": "D", "location": "E", "description": "F",
        "level": "G", "measures": "H", "deadline": "I", "contingency": "J", "stop_work": "K"}
    assert report.unmapped == ("A“序号”",)
    assert count(db, Hazard) == 0  # a preview writes nothing
    report = run(db, users["clerk"], path)
    assert report.committed and report.new == 4
    with db.read() as s:
        rows = s.execute(select(Hazard).order_by(Hazard.id)).scalars().all()
        assert [h.external_ref for h in rows] == ["YH-001", "YH-002", "YH-003", "4"]
        assert [h.level for h in rows] == [3, 1, 2, 1]
        assert [h.found_date for h in rows] == [dt.date(2026, 8, d) for d in (5, 7, 9, 12)]
        assert [h.deadline for h in rows] == [dt.date(2026, 8, d) for d in (20, 10, 30, 15)]
        assert rows[0].location == "3#楼 三层 东侧" and rows[1].stop_work == "partial"
        assert {h.project_id for h in rows} == {ids.project}
        assert rows[0].number.startswith("YH-2026-")  # the agency's number; the team's kept aside
        reports = s.execute(select(func.count()).select_from(ExternalReport)).scalar_one()
        assert reports == 4  # two level-1 hazards, each owed to the insurer and the authority
        event = s.execute(select(HazardEvent).where(HazardEvent.kind == "imported")
                          .order_by(HazardEvent.id)).scalars().first()
        assert event.data == {"external_ref": "YH-001", "file": "现场组隐患清单.xlsx",
                              "sheet": "隐患清单", "row": 4}


def test_preview_lists_every_problem_by_sheet_row_and_column(db, users, proj, tmp_path):
    _, code = proj
    rows = hazard_rows(code)
    rows[1][3] = "2026年13月5日"  # D5: no such month
    rows[2][6] = "五级"  # G6: no such level
    rows[3][7] = None  # H7: no measures (N-10)
    rows[0][10] = None
    rows[0][6] = "一级"  # row 4 becomes level 1 without a stop-work suggestion (N-07) or contingency
    path = hazard_book(tmp_path / "bad.xlsx", code, rows)
    report = run(db, users["clerk"], path, dry=True)
    where = {(p.row, p.column) for p in report.problems}
    assert where == {(5, "D"), (6, "G"), (7, "H"), (4, "K"), (4, "J")}, report.lines()
    texts = [p.text for p in report.problems]
    assert "工作表“隐患清单”第 5 行 D 列（发 现 日 期）：日期不存在“2026年13月5日”" in texts
    assert any(t.startswith("工作表“隐患清单”第 7 行 H 列（整改要求 / 措施）：请填写整改措施") for t in texts)
    assert any("第 4 行 K 列" in t and "停工或局部停工建议" in t for t in texts)
    assert report.new == 0  # rows 5–7 fail when read, row 4 in the hazard service
    assert count(db, Hazard) == 0


def test_one_bad_row_writes_nothing(db, users, proj, tmp_path):
    _, code = proj
    rows = hazard_rows(code)
    rows[3][6] = "五级"
    path = hazard_book(tmp_path / "one-bad.xlsx", code, rows)
    with pytest.raises(importer.ImportRefused) as err:
        run(db, users["clerk"], path)
    assert [(p.row, p.column) for p in err.value.report.problems] == [(7, "G")]
    assert count(db, Hazard) == count(db, HazardEvent) == count(db, ExternalReport) == 0
    good = run(db, users["clerk"], hazard_book(tmp_path / "good.xlsx", code))
    with db.read() as s:  # the refused import gave its hazard numbers back
        assert s.get(Hazard, good.created_ids[0]).number.endswith("-00001")


def test_reimporting_the_same_file_creates_no_duplicates(db, users, proj, tmp_path):
    _, code = proj
    path = hazard_book(tmp_path / "list.xlsx", code)
    assert run(db, users["clerk"], path).new == 4
    again = run(db, users["clerk"], path)
    assert again.new == 0 and len(again.existing) == 4 and again.ok
    assert again.existing[0] == "第 4 行：隐患编号 YH-001 已存在"
    assert count(db, Hazard) == 4
    rows = hazard_rows(code) + [
        [5, "YH-001", None, "2026-08-20", "楼梯", "重复编号", 3, "整改", None, None, None]]
    with pytest.raises(importer.ImportRefused) as err:  # the same number twice in one file
        run(db, users["clerk"], hazard_book(tmp_path / "dup.xlsx", code, rows))
    problems = err.value.report.problems
    assert [(p.row, p.column, p.message) for p in problems] == [(8, "B", "与第 4 行重复")]


def test_mapping_given_once_is_remembered_per_source(db, users, proj, tmp_path):
    _, code = proj
    header = list(HEADER_2)
    header[5] = "情况说明"
    path = hazard_book(tmp_path / "odd.xlsx", code, header2=header)
    report = run(db, users["clerk"], path, dry=True, source="二组")
    assert [p.message for p in report.problems] == ["缺少必需的列“隐患描述”（可在列映射中指定对应的列）"]
    assert run(db, users["clerk"], path, source="二组", mapping={"description": "情况说明"}).new == 4
    with db.read() as s:
        key = AppSetting.key == "import.mapping.二组"
        saved = s.execute(select(AppSetting.value).where(key)).scalar_one()
    assert saved["description"] == "情况说明"
    rows = [[1, "E-9", code, "2026-08-21", "大门", "门卫未登记", 4, "加强登记", None, None, None]]
    second = hazard_book(tmp_path / "odd2.xlsx", code, rows, header2=header)
    again = run(db, users["clerk"], second, source="二组")  # no mapping given: the remembered one
    assert again.new == 1
    bad = run(db, users["clerk"], path, dry=True, mapping={"description": "不存在的列", "nonsense": "A"})
    assert {p.message for p in bad.problems} >= {"列映射有误：找不到列“不存在的列”", "列映射有误：未知的字段“nonsense”"}


def project_book(path, rows):
    wb = Workbook()
    ws = wb.active
    ws.title = "承保清单"
    ws.append(["保单号", "工程名称", "保险公司", "施工单位", "保险起期", "保险止期", "保费（元）", "预防费用(元)",
               "项目状态", "竣工日期", "备注"])
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


PROJECT_ROWS = [
    [320600202600001, "越城区某学校新建工程", "中国人民财产保险股份有限公司绍兴市分公司", "浙江某建设集团有限公司",
     "2026年3月5日", 46451, "１２０，０００", "24000", "在建", None],
    ["ＡＺＸ２０２６０００２", " 柯桥区某商业综合体\u3000", "中国太平洋财产保险股份有限公司绍兴中心支公司",
     "浙江某建工集团有限公司", "2026.1.1", "2027/12/31", 98000.0, "19600.00", "竣工", "2026-10-31"],
]


def test_insurer_project_list_is_imported_once(db, users, tmp_path):
    path = project_book(tmp_path / "承保清单.xlsx", PROJECT_ROWS)
    report = run(db, users["clerk"], path, kind="projects")
    assert report.new == 2 and report.ok, report.lines()
    with db.read() as s:
        policies = {p.policy_no: p for p in s.execute(select(Policy)).scalars()}
        assert set(policies) == {"320600202600001", "AZX20260002"}
        first = policies["320600202600001"]
        assert first.premium == Decimal(120000) and first.prevention_fee == Decimal(24000)
        assert (first.start_date, first.end_date) == (dt.date(2026, 3, 5), dt.date(2027, 3, 5))
        done = s.get(Project, policies["AZX20260002"].project_id)
        assert (done.name, done.code, done.status) == ("柯桥区某商业综合体", "AZX20260002", "completed")
        assert done.completion_date == dt.date(2026, 10, 31)
    again = run(db, users["clerk"], path, kind="projects")
    assert again.new == 0 and len(again.existing) == 2
    assert count(db, Project) == count(db, Policy) == 2
    bad = [row[:] for row in PROJECT_ROWS]
    bad[0][0] = "NEW-1"
    bad[0][5] = "2025-01-01"  # ends before it starts
    bad[1][0] = "NEW-2"
    bad[1][9] = None  # completed without a completion date
    path = project_book(tmp_path / "bad.xlsx", bad)
    report = run(db, users["clerk"], path, kind="projects", dry=True)
    assert {(p.row, p.column) for p in report.problems} == {(2, "F"), (3, "J")}, report.lines()


def test_import_needs_permission_and_a_workbook(db, users, tmp_path):
    path = project_book(tmp_path / "p.xlsx", PROJECT_ROWS)
    with pytest.raises(PermissionDenied):
        run(db, users["inspector"], path, kind="projects")
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(ValidationError, match="另存为"):
        importer.read(tmp_path / "old.xls", kind="projects")
    (tmp_path / "fake.xlsx").write_text("hello")
    with pytest.raises(ValidationError, match="无法打开"):
        importer.read(tmp_path / "fake.xlsx", kind="projects")
    with pytest.raises(ValidationError, match="没有名为“台账”的工作表"):
        importer.read(path, kind="projects", sheet="台账")
    wb = Workbook()
    wb.active.append(["姓名", "电话"])
    wb.save(tmp_path / "contacts.xlsx")
    with pytest.raises(ValidationError, match="找不到可识别的表头"):
        importer.read(tmp_path / "contacts.xlsx", kind="hazards")


def test_a_list_for_one_project_needs_no_project_column(db, users, proj, tmp_path):
    ids, _ = proj
    wb = Workbook()
    ws = wb.active
    ws.append(["编号", "检查日期", "存在问题", "级别", "整改意见", "责任单位"])
    ws.append(["1", "2026-09-02", "配电箱未接地", "三级", "立即接地", "浙江某机电安装有限公司"])
    wb.save(tmp_path / "site.xlsx")
    refused = run(db, users["clerk"], tmp_path / "site.xlsx", dry=True)
    assert [p.message for p in refused.problems] == [
        "缺少用于确定项目的列（项目编号、保单号或项目名称），或在导入时指定项目"]
    report = run(db, users["clerk"], tmp_path / "site.xlsx", project_id=ids.project)
    assert report.new == 1
    with db.read() as s:
        hazard = s.get(Hazard, report.created_ids[0])
        assert (hazard.project_id, hazard.external_ref, hazard.level) == (ids.project, "1", 3)
        assert hazard.responsible_unit_id != ids.contractor  # the named unit, created on import


def standard_book(path, code: str, rows: list[list]):
    """A list that names the standard's clause for its major hazards (判定依据)."""
    wb = Workbook()
    ws = wb.active
    ws.append(["隐患编号", "项目编号", "发现日期", "隐患描述", "隐患等级", "整改措施", "应急措施", "停工建议",
               "判定依据", "是否重大隐患"])
    for row in rows:
        ws.append([row[0], code, *row[1:]])
    wb.save(path)
    return path


def test_a_major_hazard_must_come_as_level_1(db, users, proj, tmp_path):
    ids, code = proj
    with db.session() as s:
        catalogues.load_all(s)
    rows = [["Z-1", "2026-09-02", "外架连墙件整层缺失", "三级", "补设连墙件", "撤离架上人员", None, "第七条（二）", None],
            ["Z-2", "2026-09-02", "基坑超挖", "二级", "回填反压", "设置警戒", None, None, "是"],
            ["Z-3", "2026-09-02", "塔吊力矩限制器失效", "一级", "停机维修", "停止吊装", "停工", "第八条（九十）", None]]
    report = run(db, users["clerk"], standard_book(tmp_path / "major.xlsx", code, rows), dry=True)
    where = {(p.row, p.column): p.message for p in report.problems}
    assert set(where) == {(2, "E"), (3, "E"), (4, "I")}, report.lines()
    assert "须定为一级" in where[(2, "E")] and "须定为一级" in where[(3, "E")]
    assert "没有判定条款" in where[(4, "I")]
    assert all("N-" not in t for t in where.values())
    rows = [["Z-1", "2026-09-02", "外架连墙件整层缺失", "一级", "补设连墙件", "撤离架上人员", "局部停工",
             "第七条（二）", None],
            ["Z-4", "2024-11-02", "外架连墙件整层缺失", "一级", "补设连墙件", "撤离架上人员", "停工", "7-2", None]]
    report = run(db, users["clerk"], standard_book(tmp_path / "ok.xlsx", code, rows))
    with db.read() as s:
        judged = [catalogues.get_item(s, s.get(Hazard, i).catalogue_item_id) for i in report.created_ids]
        assert all(s.get(Hazard, i).is_major and s.get(Hazard, i).level == 1 for i in report.created_ids)
    # found after 2024-12-13: the 2024 standard; before it: the 2022 one
    assert [(j.edition, j.code) for j in judged] == [("2024", "07-2"), ("2022", "07-2")]
