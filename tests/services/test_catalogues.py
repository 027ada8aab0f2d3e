"""Catalogues as data: bundled editions load once, new editions load beside old ones, editions never change."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from desktop.models import AuditEntry, Catalogue, CatalogueItem, CatalogueItemLink
from desktop.paths import catalogues_dir
from desktop.services import catalogues
from desktop.services.context import NotFound, PermissionDenied


def _bundled(name: str) -> dict:
    return json.loads((catalogues_dir() / name).read_text(encoding="utf-8"))


@pytest.fixture
def loaded(db):
    with db.session() as session:
        results = catalogues.load_all(session)
    return results


def test_bundled_catalogues_load_with_their_items(db, loaded):
    by_code = {r.code: r for r in loaded}
    assert set(by_code) == {"major_hazard@2022", "major_hazard@2024", "danda@2018", "chaowei@2018",
                            "risk_source@starter-1"}
    assert all(r.status == "loaded" for r in loaded)
    assert by_code["major_hazard@2022"].items == 34  # 12 articles, 34 items (建质规〔2022〕2号)
    with db.read() as session:
        rows = {c.code: c for c in catalogues.list_catalogues(session)}
        major = catalogues.search_items(session, "major_hazard", "", limit=100,
                                        catalogue_code="major_hazard@2022")
    assert rows["major_hazard@2022"].doc_no == "建质规〔2022〕2号"
    assert "2024" in rows["major_hazard@2022"].superseded_by
    assert len({i.article for i in major}) == 12
    assert all(i.default_level == 1 and i.official for i in major)
    assert rows["danda@2018"].items == len(_bundled("danda_2018.json")["items"])
    assert rows["chaowei@2018"].kind_label == "超危大工程范围"


def test_verified_flags_are_kept_item_by_item(db, loaded):
    source = {i["code"]: i["verification"] for i in _bundled("major_hazard_2022.json")["items"]}
    with db.read() as session:
        stored = {i.code: i.verification for i in catalogues.search_items(
            session, "major_hazard", "", 100, catalogue_code="major_hazard@2022")}
        walls = catalogues.find_item(session, "major_hazard@2022", "07-2")
        monitoring = catalogues.find_item(session, "major_hazard@2022", "05-3")
    assert stored == source
    assert {"verified", "knowledge_unverified"} <= set(stored.values())
    assert walls.verified and walls.text == "未设置连墙件或连墙件整层缺失"
    assert not monitoring.verified and monitoring.verification_label == "待核对原文"


def test_starter_risk_sources_are_never_presented_as_official(db, loaded):
    with db.read() as session:
        (starter,) = catalogues.list_catalogues(session, kind="risk_source")
        items = catalogues.search_items(session, "risk_source", "", limit=100)
    assert not starter.official
    assert "非官方" in starter.title and "示例" in starter.title
    assert len(items) >= 20
    assert {i.default_level for i in items} == {1, 2, 3, 4}
    assert all(not i.official and not i.verified and i.verification == "example" for i in items)
    assert {"基坑工程", "模板工程", "起重吊装", "脚手架工程", "临时用电", "高处作业", "消防安全"} == {
        i.category for i in items}


def test_loading_again_changes_nothing(db, loaded):
    with db.session() as session:
        audits = session.execute(select(func.count(AuditEntry.id))).scalar_one()
        again = catalogues.load_all(session)
        assert [r.status for r in again] == ["unchanged"] * len(again)
        assert session.execute(select(func.count(AuditEntry.id))).scalar_one() == audits
        assert session.execute(select(func.count(Catalogue.id))).scalar_one() == 5


def test_second_edition_loads_beside_the_first(db, loaded, tmp_path):
    folder = tmp_path / "new"
    folder.mkdir()
    data = _bundled("major_hazard_2022.json")
    data.update(code="major_hazard@2030", edition="2030", issued="2030-01-06", superseded_by="",
                title="房屋市政工程生产安全重大事故隐患判定标准（2030版）（测试用）", doc_no="建质规〔2030〕1号")
    data["items"] = [dict(i, text=i["text"] + "（2030）") for i in data["items"][:5]]
    (folder / "major_hazard_2030.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with db.session() as session:
        (result,) = catalogues.load_all(session, folder)
    assert result.status == "loaded" and result.items == 5
    with db.read() as session:
        editions = [c.edition for c in catalogues.list_catalogues(session, kind="major_hazard")]
        hits = catalogues.search_items(session, "major_hazard", "安全生产许可证")
    assert editions == ["2030", "2024", "2022"]
    assert [(h.edition, h.code) for h in hits] == [("2030", "04-1"), ("2024", "04-1"), ("2022", "04-1")]
    assert hits[0].doc_no == "建质规〔2030〕1号" and hits[2].doc_no == "建质规〔2022〕2号"


def test_a_changed_edition_file_is_refused(db, loaded, tmp_path):
    data = _bundled("major_hazard_2022.json")
    data["items"][0]["text"] = "被改动的条文"
    (tmp_path / "major_hazard_2022.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(catalogues.CatalogueFileError) as info, db.session() as session:
        catalogues.load_all(session, tmp_path)
    assert "不可修改" in info.value.message and "major_hazard@2022" in info.value.message
    with db.read() as session:
        assert catalogues.find_item(session, "major_hazard@2022", "04-1").text.startswith("建筑施工企业")


def test_reformatting_a_file_is_not_a_change(db, loaded, tmp_path):
    text = (catalogues_dir() / "danda_2018.json").read_text(encoding="utf-8")
    compact = json.dumps(json.loads(text), ensure_ascii=False, separators=(",", ":"))
    (tmp_path / "danda_2018.json").write_text(compact.replace("\n", "\r\n"), encoding="utf-8")
    with db.session() as session:
        (result,) = catalogues.load_all(session, tmp_path)
    assert result.status == "unchanged"


@pytest.mark.parametrize(("mutate", "words"), [
    (lambda d: d.update(kind="unknown"), "kind"),
    (lambda d: d["items"][1].update(code=d["items"][0]["code"]), "重复"),
    (lambda d: d["items"][0].update(default_level=7), "default_level"),
    (lambda d: d["items"][0].update(verification="maybe"), "verification"),
    (lambda d: d.update(issued="19/04/2022"), "issued"),
])
def test_malformed_files_are_refused_with_the_reason(db, tmp_path, mutate, words):
    data = _bundled("chaowei_2018.json")
    data["code"] = "chaowei@test"
    mutate(data)
    (tmp_path / "bad.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(catalogues.CatalogueFileError) as info, db.session() as session:
        catalogues.load_all(session, tmp_path)
    assert "bad.json" in info.value.message and words in info.value.message
    with db.read() as session:
        assert session.execute(select(func.count(CatalogueItem.id))).scalar_one() == 0


def test_unreadable_file_and_missing_folder(db, tmp_path):
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    with db.session() as session:
        with pytest.raises(catalogues.CatalogueFileError, match="broken.json"):
            catalogues.load_all(session, tmp_path)
        with pytest.raises(catalogues.CatalogueFileError, match="不存在"):
            catalogues.load_all(session, tmp_path / "nowhere")


def test_search_by_words_across_text_and_sub_items(db, loaded):
    with db.read() as session:
        piping = catalogues.search_items(session, "major_hazard", "管涌", catalogue_code="major_hazard@2022")
        both = catalogues.search_items(session, None, "脚手架 附着式")
        danda = catalogues.search_items(session, "danda", "脚手架", limit=2)
        nothing = catalogues.search_items(session, None, "% _")
        by_code = catalogues.search_items(session, "chaowei", "1-1")
    assert [i.code for i in piping] == ["05-4"]
    assert "基坑底部出现管涌" in piping[0].sub_items
    assert piping[0].reference == "建质规〔2022〕2号 第五条 基坑工程 05-4"
    assert both and all("脚手架" in i.text + i.category and "附着式" in i.text for i in both)
    assert {i.kind for i in both} >= {"major_hazard", "danda", "chaowei"}
    assert len(danda) == 2 and danda[0].threshold == {"height_m_gte": 24}
    assert nothing == []
    assert [i.text[:7] for i in by_code] == ["开挖深度超过5"]


def test_get_item_and_not_found(db, loaded):
    with db.read() as session:
        item = catalogues.find_item(session, "danda@2018", "1-1")
        assert catalogues.get_item(session, item.id) == item
        with pytest.raises(NotFound):
            catalogues.get_item(session, 999_999)
        with pytest.raises(NotFound):
            catalogues.find_item(session, "danda@2018", "99-9")



def test_the_2024_edition_loads_beside_2022_with_its_53_criteria(db, loaded):
    with db.read() as session:
        rows = {c.code: c for c in catalogues.list_catalogues(session, kind="major_hazard")}
        items = catalogues.search_items(session, "major_hazard", "", 100, catalogue_code="major_hazard@2024")
        lifting = catalogues.find_item(session, "major_hazard@2024", "08-4")
        whole = catalogues.find_item(session, "major_hazard@2024", "16")
    new = rows["major_hazard@2024"]
    assert (new.doc_no, new.in_force, new.items) == ("建质规〔2024〕5号", dt.date(2024, 12, 13), 53)
    assert rows["major_hazard@2022"].in_force == dt.date(2022, 4, 19)
    assert len({i.article for i in items}) == 14 and all(i.default_level == 1 for i in items)
    assert (lifting.clause, lifting.edition_label) == ("第八条（四）", "2024版（建质规〔2024〕5号）")
    assert whole.clause == "第十六条"
    # transcribed from a third party: shown as still to be compared with the official text
    assert not lifting.verified and lifting.verification_label == "据转录本，待核对原文"


@pytest.mark.parametrize(("day", "edition"), [
    (dt.date(2024, 12, 12), "2022"), (dt.date(2024, 12, 13), "2024"), (dt.date(2026, 6, 1), "2024"),
    (dt.date(2020, 1, 1), "2022"),  # before any edition: the oldest there is
])
def test_the_default_edition_follows_the_day_found(db, loaded, day, edition):
    with db.read() as session:
        assert catalogues.edition_for(session, "major_hazard", day).edition == edition


def test_items_with_the_same_text_are_linked_across_editions_and_no_others(db, loaded):
    with db.read() as session:
        walls_2022 = catalogues.find_item(session, "major_hazard@2022", "07-2")
        earlier, later = catalogues.linked_items(session, walls_2022.id)
        assert earlier == [] and [(i.edition, i.code) for i in later] == [("2024", "07-2")]
        walls_2024 = catalogues.find_item(session, "major_hazard@2024", "07-2")
        assert [(i.edition, i.code) for i in catalogues.linked_items(session, walls_2024.id)[0]] == [
            ("2022", "07-2")]
        # 2022 第五条（二） reads differently in 2024 (基坑、边坡): no link is invented
        dig = catalogues.find_item(session, "major_hazard@2022", "05-2")
        assert catalogues.linked_items(session, dig.id) == ([], [])
        links = session.execute(select(CatalogueItemLink.basis)).scalars().all()
    assert len(links) == 10 and set(links) == {"same_text"}


def _edition_file(tmp_path, **changes):
    data = _bundled("major_hazard_2022.json")
    data.update(code="major_hazard@2030", edition="2030", issued="2030-03-01", superseded_by="",
                title="房屋市政工程生产安全重大事故隐患判定标准（2030版）", doc_no="建质规〔2030〕1号")
    data["items"] = [dict(data["items"][0], replaces=[{"catalogue": "major_hazard@2024", "code": "04-1"}]),
                     dict(data["items"][1], text="新条文")]
    data.update(changes)
    path = tmp_path / "major_hazard_2030.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_an_admin_imports_an_edition_unchecked_then_marks_it_checked(db, loaded, users, tmp_path):
    path = _edition_file(tmp_path)
    with db.session() as session:
        with pytest.raises(PermissionDenied):
            catalogues.import_edition(session, users["tech_lead"], path)
        result = catalogues.import_edition(session, users["admin"], path)
    assert result.status == "loaded" and result.items == 2
    with db.read() as session:
        row = next(c for c in catalogues.list_catalogues(session) if c.code == "major_hazard@2030")
        first = catalogues.find_item(session, "major_hazard@2030", "04-1")
        assert [(i.edition, i.code) for i in catalogues.linked_items(session, first.id)[0]] == [("2024", "04-1")]
        assert catalogues.edition_for(session, "major_hazard", dt.date(2030, 3, 1)).edition == "2030"
    assert not row.text_checked and row.check_label == "未核对原文"
    assert not first.verified  # the item says verified, the edition is not checked yet
    with db.session() as session:
        with pytest.raises(catalogues.CatalogueFileError, match="已载入"):
            catalogues.import_edition(session, users["admin"], path)
        with pytest.raises(PermissionDenied):
            catalogues.mark_checked(session, users["clerk"], row.id)
        checked = catalogues.mark_checked(session, users["admin"], row.id)
        entry = session.execute(select(AuditEntry).where(AuditEntry.action == "check")).scalar_one()
    assert checked.text_checked and checked.check_label.startswith("已核对原文（系统管理员甲")
    assert entry.entity == "catalogues" and entry.entity_id == row.id and entry.user_id == users["admin"].user_id
    with db.read() as session:
        assert catalogues.find_item(session, "major_hazard@2030", "04-1").verified
        with pytest.raises(catalogues.ServiceError, match="无需再次"), db.session() as again:
            catalogues.mark_checked(again, users["admin"], row.id)


def test_a_malformed_edition_is_refused_with_its_reason(db, loaded, users, tmp_path):
    path = _edition_file(tmp_path, in_force="2030/3/1")
    with pytest.raises(catalogues.CatalogueFileError, match="in_force") as info, db.session() as session:
        catalogues.import_edition(session, users["admin"], path)
    assert "major_hazard_2030.json" in info.value.message
