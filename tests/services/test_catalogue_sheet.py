"""A further catalogue edition imported from Excel (issue 14 §2): the documented layout (版本信息 +
an item sheet found by its header), every bad cell named by sheet, row and column, all or nothing,
未核对原文 until an administrator has checked it."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from desktop.models import AuditEntry, Catalogue, CatalogueItem
from desktop.paths import catalogues_dir
from desktop.services import catalogues
from desktop.services.catalogues import CatalogueFileError
from desktop.services.context import PermissionDenied
from desktop.services.exchange import catalogue_sheet

META_HEADER = ("代码", "类别", "版本", "名称", "文号", "发布日期", "施行日期", "官方文本")
META = ("major_hazard@2030", "重大事故隐患判定标准", "2030", "房屋市政工程生产安全重大事故隐患判定标准（2030版）",
        "建质规〔2030〕1号", dt.date(2030, 1, 10), "2030-03-01", "是")
ITEM_HEADER = ("条款", "编号", "类别", "内容（条文）", "子项", "默认等级", "替代")
ITEMS = [
    ("第四条", "04-1", "基坑工程", "对因基坑工程施工可能造成损害的毗邻重要建筑物……未采取专项防护措施",
     None, "一级", "major_hazard@2024 04-1"),
    ("第四条", "04-2", None, "基坑土方超挖且未采取有效措施", "超挖深度\n未采取措施", 1, None),  # merged 类别
    ("第五条", "05-1", "模板工程", "模板工程的地基基础承载力和变形不满足设计要求", None, "重大",
     "major_hazard@2024 05-1；major_hazard@2022 06-1"),
]


@pytest.fixture
def loaded(db):
    with db.session() as session:
        catalogues.load_all(session)


def workbook(path, items=ITEMS, *, meta=META, meta_header=META_HEADER, item_header=ITEM_HEADER,
             items_first=True):
    book = Workbook()
    items_sheet = book.active
    items_sheet.title = "条目"
    meta_sheet = book.create_sheet("版本信息", 0 if not items_first else None)
    meta_sheet.append(list(meta_header))
    if meta is not None:
        meta_sheet.append(list(meta))
    items_sheet.append(["房屋市政工程生产安全重大事故隐患判定标准（2030版）"])  # a title row above
    items_sheet.merge_cells("A1:G1")
    items_sheet.append(list(item_header))
    for row in items:
        items_sheet.append(list(row))
    if items is ITEMS:
        items_sheet.merge_cells("C3:C4")  # 基坑工程 over both of its items, as official tables do
    book.save(path)
    return path


def count(db) -> int:
    with db.read() as s:
        return s.execute(select(func.count(Catalogue.id))).scalar_one()


def test_an_admin_imports_an_edition_from_excel_unchecked(db, loaded, users, tmp_path):
    path = workbook(tmp_path / "判定标准2030.xlsx")
    with db.session() as s:
        with pytest.raises(PermissionDenied):
            catalogue_sheet.import_file(s, users["tech_lead"], path)
        result = catalogue_sheet.import_file(s, users["admin"], path)
    assert (result.code, result.items, result.status) == ("major_hazard@2030", 3, "loaded")
    with db.read() as s:
        row = next(c for c in catalogues.list_catalogues(s) if c.code == "major_hazard@2030")
        assert row.check_label == "未核对原文" and row.official and row.doc_no == "建质规〔2030〕1号"
        assert (row.issued, row.in_force) == (dt.date(2030, 1, 10), dt.date(2030, 3, 1))
        second = catalogues.find_item(s, "major_hazard@2030", "04-2")
        assert (second.category, second.article, second.sub_items, second.default_level) == (
            "基坑工程", "第四条", ("超挖深度", "未采取措施"), 1)
        assert not second.verified  # until the edition is checked
        third = catalogues.find_item(s, "major_hazard@2030", "05-1")
        assert sorted((i.edition, i.code) for i in catalogues.linked_items(s, third.id)[0]) == [
            ("2022", "06-1"), ("2024", "05-1")]
        assert catalogues.edition_for(s, "major_hazard", dt.date(2030, 3, 1)).edition == "2030"
        entry = s.execute(select(AuditEntry).where(AuditEntry.action == "import")).scalar_one()
        assert entry.after["file"] == "判定标准2030.xlsx" and entry.after["items"] == 3
    with db.session() as s:
        checked = catalogues.mark_checked(s, users["admin"], row.id)
    assert checked.check_label.startswith("已核对原文")
    with db.read() as s:
        assert catalogues.find_item(s, "major_hazard@2030", "04-2").verified


def test_the_sheets_may_come_in_any_order_and_the_same_edition_is_refused_twice(db, loaded, users, tmp_path):
    path = workbook(tmp_path / "a.xlsx", items_first=False)
    with db.session() as s:
        catalogue_sheet.import_file(s, users["admin"], path)
    with pytest.raises(CatalogueFileError, match="已载入"), db.session() as s:
        catalogue_sheet.import_file(s, users["admin"], path)


def test_every_bad_cell_is_named_and_nothing_is_loaded(db, loaded, users, tmp_path):
    before = count(db)
    rows = [
        ("第四条", "04-1", "基坑工程", "", None, "一级", None),                     # row 3: no text
        ("第四条", "04-1", "基坑工程", "基坑超挖", None, "五级", None),              # row 4: twice, bad level
        ("第五条", "05-1", "模板工程", "支撑体系", None, 1, "major_hazard@2024 99-9"),  # row 5: unknown item
        ("第五条", "05-2", "模板工程", "支撑体系", None, 1, "05-1"),                 # row 6: no catalogue
    ]
    path = workbook(tmp_path / "bad.xlsx", rows, meta=("x" * 51, "法规", "2030", "", "", "2030-02-30", None, "也许"))
    with pytest.raises(CatalogueFileError) as info, db.session() as s:
        catalogue_sheet.import_file(s, users["admin"], path)
    text = info.value.message
    assert "未导入任何内容" in text and "bad.xlsx" in text
    for expected in (
        "工作表“版本信息”第 2 行 A 列（代码）：不能超过 50 个字符",
        "工作表“版本信息”第 2 行 B 列（类别）：类别“法规”无效",
        "工作表“版本信息”第 2 行 D 列（名称）：不能为空",
        "工作表“版本信息”第 2 行 F 列（发布日期）：日期不存在“2030-02-30”",
        "工作表“版本信息”第 2 行 H 列（官方文本）：“也许”应填“是”或“否”",
        "工作表“条目”第 3 行 D 列（内容）：不能为空",
        "工作表“条目”第 4 行 B 列（编号）：编号 04-1 与第 3 行重复",
        "工作表“条目”第 4 行 F 列（默认等级）：隐患等级“五级”无法识别",
        "工作表“条目”第 5 行 G 列（替代）：已载入的目录中没有 major_hazard@2024 的条目 99-9",
        "工作表“条目”第 6 行 G 列（替代）：“05-1”应写作“目录代码 条目编号”",
    ):
        assert expected in text, expected
    assert count(db) == before
    with db.read() as s:
        assert s.execute(select(func.count(CatalogueItem.id)).join(Catalogue).where(
            Catalogue.code.like("%2030%"))).scalar_one() == 0


def test_a_workbook_without_its_layout_says_what_is_missing(db, loaded, users, tmp_path):
    book = Workbook()
    book.active.append(["编号", "内容"])
    book.active.append(["01", "某条文"])
    book.save(tmp_path / "no_meta.xlsx")
    with pytest.raises(CatalogueFileError, match="没有“版本信息”工作表"), db.session() as s:
        catalogue_sheet.import_file(s, users["admin"], tmp_path / "no_meta.xlsx")
    path = workbook(tmp_path / "no_items.xlsx", item_header=("条款", "说明", "备注"),
                    items=[("第四条", "x", "y")])
    with pytest.raises(CatalogueFileError, match="含“编号”和“内容”两列"), db.session() as s:
        catalogue_sheet.import_file(s, users["admin"], path)
    path = workbook(tmp_path / "no_kind.xlsx", meta_header=("代码", "版本", "名称", "官方文本"),
                    meta=("risk_source@x", "1", "某表", "否"))
    with pytest.raises(CatalogueFileError, match="缺少列：类别"), db.session() as s:
        catalogue_sheet.import_file(s, users["admin"], path)
    path = workbook(tmp_path / "two.xlsx")
    book = Workbook()
    book.active.title = "版本信息"
    book.active.append(list(META_HEADER))
    book.active.append(list(META))
    book.active.append(list(META))
    book.create_sheet("条目").append(list(ITEM_HEADER))
    book.save(path)
    with pytest.raises(CatalogueFileError, match="只填写一行（现有 2 行）"), db.session() as s:
        catalogue_sheet.import_file(s, users["admin"], path)


def test_a_risk_source_table_with_its_own_headings(db, loaded, users, tmp_path):
    """The provincial 一览表 as published: 序号, 风险源, 风险等级 — no 编号 or 内容 heading."""
    path = workbook(tmp_path / "一览表.xlsx", [(1, "基坑工程", "开挖深度超过5m的基坑", "一级"),
                                               (2, "起重吊装", "塔式起重机安装拆卸", "二级")],
                    item_header=("序号", "类别", "风险源", "风险等级"),
                    meta=("risk_source@zj-2025", "风险源清单", "2025", "施工现场风险源分级与防范措施一览表",
                          "", None, None, "否"))
    with db.session() as s:
        result = catalogue_sheet.import_file(s, users["admin"], path)
    with db.read() as s:
        item = catalogues.find_item(s, "risk_source@zj-2025", "2")
    assert result.items == 2 and (item.text, item.default_level, item.category) == ("塔式起重机安装拆卸", 2, "起重吊装")
    assert item.catalogue_title == "施工现场风险源分级与防范措施一览表" and not item.official


def test_the_file_kind_is_chosen_by_its_suffix(db, loaded, users, tmp_path):
    data = json.loads((catalogues_dir() / "major_hazard_2024.json").read_text(encoding="utf-8"))
    data.update(code="major_hazard@2031", edition="2031", in_force="2031-01-01")
    (tmp_path / "e.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with db.session() as s:
        assert catalogue_sheet.import_file(s, users["admin"], tmp_path / "e.json").items == 53
    for name, words in (("old.xls", "另存为"), ("list.csv", "JSON 文件（.json）或 Excel 文件（.xlsx）")):
        (tmp_path / name).write_bytes(b"x")
        with pytest.raises(CatalogueFileError, match=words), db.session() as s:
            catalogue_sheet.import_file(s, users["admin"], tmp_path / name)
    (tmp_path / "broken.xlsx").write_bytes(b"not a zip")
    with pytest.raises(CatalogueFileError, match="无法打开 Excel 文件"), db.session() as s:
        catalogue_sheet.import_file(s, users["admin"], tmp_path / "broken.xlsx")
