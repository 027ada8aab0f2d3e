"""Major hazards: a standard item forces level 1; only a reasoned review lowers it; closing a
level 1 needs its stop-work letter signed and both same-day reports; the letters still unsigned."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from desktop import clock
from desktop.models import AuditEntry, Hazard
from desktop.models.enums import HazardStatus as S
from desktop.services import agency, catalogues, documents, hazards, major_hazards
from desktop.services.context import TransitionError, ValidationError
from tests.factories import make_project
from tests.services.test_hazards import form, sign_letter, walk_to


@pytest.fixture
def proj(db, admin):
    with db.session() as s:
        catalogues.load_all(s)
        return make_project(s, admin)


def item(s, edition: str, code: str) -> int:
    return catalogues.find_item(s, f"major_hazard@{edition}", code).id


def test_a_linked_item_refuses_any_level_but_1(db, admin, proj):
    with db.session() as s:
        walls = item(s, "2024", "07-2")
        for level in (2, 3, 4):
            with pytest.raises(ValidationError) as info:
                hazards.record(s, admin, form(proj, level=level, catalogue_item_id=walls))
            assert "须定为一级" in info.value.fields["level"]
            assert "经复核不属于重大事故隐患" in info.value.fields["level"]
        with pytest.raises(ValidationError) as info:  # the flag alone (as imported lists carry it)
            hazards.record(s, admin, form(proj, level=3, is_major=True))
        assert set(info.value.fields) == {"level"}
        h = hazards.record(s, admin, form(proj, level=1, catalogue_item_id=walls))
        assert h.level == 1 and h.is_major
        with pytest.raises(ValidationError) as info:
            hazards.update(s, admin, h.id, expected_version=h.version, level=3)
        assert "level" in info.value.fields
        assert hazards.get(s, h.id).level == 1


def test_review_not_major_lowers_the_level_with_reason_unlinks_and_is_audited(db, admin, proj):
    with db.session() as s:
        h = hazards.record(s, admin, form(proj, level=1, catalogue_item_id=item(s, "2024", "07-2")))
        with pytest.raises(ValidationError) as info:
            hazards.review_not_major(s, admin, h.id, expected_version=h.version, reason="  ", level=3)
        assert "reason" in info.value.fields
        h = hazards.review_not_major(s, admin, h.id, expected_version=h.version, level=3,
                                     reason="连墙件仅局部缺失两处，未整层缺失")
        assert (h.level, h.is_major) == (3, False)
        stored = s.get(Hazard, h.id)
        assert stored.catalogue_item_id is None
        assert {r.status for r in hazards.reports(s, h.id)} == {"void"}
        event = hazards.events(s, h.id)[-1]
        assert event.kind == "major_review" and event.note == "连墙件仅局部缺失两处，未整层缺失"
        assert (event.data["level_from"], event.data["level_to"]) == (1, 3)
        entry = s.execute(select(AuditEntry).where(AuditEntry.action == "major_review")).scalar_one()
        assert entry.entity_id == h.id and "经复核不属于重大事故隐患" in entry.note
        with pytest.raises(TransitionError):  # nothing left to review
            hazards.review_not_major(s, admin, h.id, expected_version=h.version, reason="再次", level=4)


def test_review_after_the_notice_keeps_the_level(db, admin, proj):
    with db.session() as s:
        h = hazards.record(s, admin, form(proj, level=1, catalogue_item_id=item(s, "2024", "05-2")))
    h = walk_to(db, admin, h.id, S.NOTIFIED)
    with db.session() as s:
        with pytest.raises(ValidationError) as info:
            hazards.review_not_major(s, admin, h.id, expected_version=h.version, reason="超挖已回填", level=3)
        assert "通知下发后" in info.value.fields["level"]
        h = hazards.review_not_major(s, admin, h.id, expected_version=h.version, reason="超挖已回填", level=1)
        assert (h.level, h.is_major) == (1, False)


def test_closing_level1_needs_the_signed_letter_and_both_reports(db, admin, proj):
    with db.session() as s:
        h = hazards.record(s, admin, form(proj, level=1))
    h = walk_to(db, admin, h.id, S.CLOSURE_SUBMITTED)
    with db.session() as s:
        with pytest.raises(ValidationError) as info:
            hazards.verify_close(s, admin, h.id, expected_version=h.version,
                                 reinspection_date=clock.today())
        text = info.value.fields["level1"]
        assert "停工建议书未签发" in text and "承保机构" in text and "建设主管部门" in text
        for r in hazards.pending_reports(s, h.id):
            hazards.record_report(s, admin, r.id, channel="电话")
        with pytest.raises(ValidationError) as info:
            hazards.verify_close(s, admin, h.id, expected_version=h.version,
                                 reinspection_date=clock.today())
        assert info.value.fields == {"level1": info.value.fields["level1"]}
        assert "尚缺：停工建议书未签发" in info.value.fields["level1"]
        assert "报告" not in info.value.fields["level1"].split("尚缺：")[1]
        assert major_hazards.letters_unsigned(s) == [h.id]
        sign_letter(s, h.id)
        assert major_hazards.letters_unsigned(s) == []
        closed = hazards.verify_close(s, admin, h.id, expected_version=h.version,
                                      reinspection_date=clock.today())
    assert closed.status == S.CLOSED


def test_a_draft_letter_is_not_enough_a_signed_one_is(db, users, proj, tmp_path):
    admin, lead = users["admin"], users["tech_lead"]
    paths = dict(store_dir=tmp_path / "store", work_dir=tmp_path / "work")
    with db.session() as s:
        agency.setup_agency(s, name="绍兴安途安全风控咨询有限公司")
        h = hazards.record(s, admin, form(proj, level=1, catalogue_item_id=item(s, "2024", "07-2")))
        assert not major_hazards.letter_drafted(s, h.id)
        draft = documents.generate_draft(s, admin, kind="stop_work", scope_type="hazard", scope_id=h.id,
                                         **paths)
        assert major_hazards.letter_drafted(s, h.id)
        assert not major_hazards.letter_signed(s, h.id)
        assert major_hazards.letters_unsigned(s) == [h.id]
        documents.sign(s, lead, draft.id, expected_version=draft.version, **paths)
        assert major_hazards.letter_signed(s, h.id)
        assert major_hazards.letters_unsigned(s) == []


def test_cancelled_and_lower_levels_are_not_waiting_for_a_letter(db, admin, proj):
    with db.session() as s:
        one = hazards.record(s, admin, form(proj, level=1))
        hazards.record(s, admin, form(proj, level=2, description="二级隐患"))
        hazards.cancel(s, admin, one.id, expected_version=one.version, reason="误登记")
        kept = hazards.record(s, admin, form(proj, level=1, description="另一一级隐患"))
        assert major_hazards.letters_unsigned(s) == [kept.id]


@pytest.mark.parametrize(("text", "found", "expected"), [
    ("第七条（二）", dt.date(2025, 3, 1), ("2024", "07-2")),
    ("第七条第二项", dt.date(2024, 12, 12), ("2022", "07-2")),
    ("07-2", dt.date(2024, 12, 13), ("2024", "07-2")),
    ("2022版 8-5", dt.date(2026, 1, 5), ("2022", "08-5")),
    ("建质规〔2024〕5号 第十六条", dt.date(2023, 1, 5), ("2024", "16")),
    ("第十一条（三）", dt.date(2025, 1, 1), ("2024", "11-3")),
])
def test_the_standard_item_an_imported_row_names(db, proj, text, found, expected):
    with db.read() as s:
        got = catalogues.get_item(s, major_hazards.item_for_reference(s, text, found))
    assert (got.edition, got.code) == expected


def test_an_unknown_standard_item_is_refused_in_chinese(db, proj):
    with db.read() as s:
        assert major_hazards.item_for_reference(s, "  ", dt.date(2025, 1, 1)) is None
        with pytest.raises(ValidationError) as info:
            major_hazards.item_for_reference(s, "第九十条（一）", dt.date(2025, 1, 1))
    assert "没有判定条款" in info.value.fields["catalogue_item_id"]


def test_choosing_an_item_explains_the_level(db, proj):
    with db.read() as s:
        walls = catalogues.find_item(s, "major_hazard@2024", "07-2")
    text = major_hazards.proposal(walls)
    assert "第七条（二）" in text and "一级" in text and "未设置连墙件或连墙件整层缺失" in text
    assert "N-" not in text and "C-" not in text


@pytest.mark.parametrize(("edition", "found", "allowed"), [
    ("2022", dt.datetime(2025, 3, 1, 9, 0), False),  # repealed on 2024-12-13
    ("2024", dt.datetime(2024, 6, 1, 9, 0), False),  # not yet in force
    ("2022", dt.datetime(2024, 12, 12, 9, 0), True),
    ("2024", dt.datetime(2024, 12, 13, 9, 0), True),
])
def test_an_item_judges_only_hazards_found_while_its_edition_was_in_force(db, admin, proj, edition, found,
                                                                          allowed):
    with db.session() as s:
        chosen = item(s, edition, "05-2")
        if allowed:
            assert hazards.record(s, admin, form(proj, level=1, catalogue_item_id=chosen, found_at=found)).is_major
            return
        with pytest.raises(ValidationError) as info:
            hazards.record(s, admin, form(proj, level=1, catalogue_item_id=chosen, found_at=found))
        assert f"所选条目出自{edition}版" in info.value.fields["catalogue_item_id"]

