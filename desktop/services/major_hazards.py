"""Major hazards (重大事故隐患): the level they force, the letter and reports closing needs.

A hazard judged against an item of the major-hazard standard (重大事故隐患判定标准) is level 1,
wherever it is recorded — the window, the importer, an edit. Only a review that finds it is not
a major hazard after all ("经复核不属于重大事故隐患", with the reason; hazards.review_not_major)
removes the link and lets the level go down. A level-1 hazard is closed only once its stop-work
suggestion (停工建议书) is signed and both same-day reports (insurer, authority) are logged.

This module holds the rules as plain functions over values, so every path that writes hazards
(services.hazards, services.importer, a bulk import) calls the same ones.
"""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import Exists, SQLColumnExpression, exists, select
from sqlalchemy.orm import Session

from desktop.messages import Series
from desktop.models import Catalogue, CatalogueItem, Document, ExternalReport, Hazard
from desktop.models.enums import DocStatus, HazardStatus, Recipient, ReportReason
from desktop.services import catalogues
from desktop.services.context import Message, ValidationError, msg

KIND = "major_hazard"
NOT_MAJOR = msg("经复核不属于重大事故隐患")
LETTER_KIND = "stop_work"
_OPEN = (HazardStatus.RECORDED.value, HazardStatus.NOTIFIED.value, HazardStatus.RECTIFYING.value,
         HazardStatus.CLOSURE_SUBMITTED.value)
_SAME_DAY = (Recipient.INSURER.value, Recipient.AUTHORITY.value)


def is_major(is_major_flag: bool, catalogue_item_id: int | None) -> bool:
    return bool(is_major_flag) or catalogue_item_id is not None


def level_problems(level: int, is_major_flag: bool, catalogue_item_id: int | None) -> dict[str, Message]:
    """A major hazard is level 1: the field message when it is given another level."""
    if is_major(is_major_flag, catalogue_item_id) and level in (2, 3, 4):
        return {"level": msg("该隐患已对照重大事故隐患判定标准，属于重大事故隐患，须定为一级；"
                             "如经复核不属于重大事故隐患，请先登记复核意见及理由，再调整等级")}
    return {}


def proposal(item: catalogues.CatalogueItemRow) -> Message:
    """Why choosing this item proposes level 1, in the standard's own words."""
    return msg("所选条目为《{title}》{clause}：{text}。符合该情形的属于重大事故隐患，定为一级隐患，"
               "须提出停工或局部停工建议，并于当日报告承保机构和属地建设主管部门。",
               title=item.catalogue_title, clause=item.clause, text=item.text)


# -- the standard item a row of an imported list names ---------------------------------------

_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")}


def parse_chinese_number(text: str) -> int | None:
    """一 … 九十九 (and plain digits) → int; None for anything else."""
    text = text.strip()
    if text.isdigit():
        return int(text)
    if not text or any(c not in _DIGITS and c != "十" for c in text):
        return None
    if "十" not in text:
        return _DIGITS[text] if len(text) == 1 else None
    tens, _, ones = text.partition("十")
    if len(tens) > 1 or len(ones) > 1 or "十" in ones:
        return None
    return (_DIGITS[tens] if tens else 1) * 10 + (_DIGITS[ones] if ones else 0)


def _reference(text: str) -> tuple[str | None, str | None]:
    """(edition year or None, item code) from 第五条（二）, 第五条第二项, 5-2, 05-2 or 第十六条."""
    year = re.search(r"(20\d\d)", text)
    edition = year.group(1) if year else None
    rest = re.sub(r"20\d\d\s*(版|年)?|建质规〔\d+〕\d+号", "", text)
    code = re.search(r"(\d{1,2})\s*[-－—.]\s*(\d{1,2})", rest)
    if code:
        return edition, f"{int(code.group(1)):02d}-{int(code.group(2))}"
    article = re.search(r"第\s*([一二三四五六七八九十\d]+)\s*条", rest)
    if article is None:
        return edition, None
    number = parse_chinese_number(article.group(1))
    item = re.search(r"[（(]\s*([一二三四五六七八九十\d]+)\s*[)）]|第\s*([一二三四五六七八九十\d]+)\s*项",
                     rest[article.end():])
    if number is None:
        return edition, None
    if item is None:
        return edition, f"{number:02d}"
    sub = parse_chinese_number(item.group(1) or item.group(2))
    return edition, (f"{number:02d}-{sub}" if sub is not None else None)


def item_for_reference(session: Session, text: str | None, found: dt.date) -> int | None:
    """The standard item an imported row names (判定依据), in the edition it names or else the
    edition in force on the day found; None when the cell is empty. Refused when not found."""
    if text is None or not str(text).strip():
        return None
    text = str(text).strip()
    year, code = _reference(text)
    if year is not None:
        editions = [c for c in catalogues.list_catalogues(session, KIND) if c.edition == year]
        edition = editions[0] if editions else None
    else:
        edition = catalogues.edition_for(session, KIND, found)
    if edition is None:
        raise ValidationError({"catalogue_item_id": msg(
            "找不到判定条款“{text}”所指的重大事故隐患判定标准版本", text=text)})
    item_id = session.execute(select(CatalogueItem.id).where(
        CatalogueItem.catalogue_id == edition.id, CatalogueItem.code == code)).scalar_one_or_none() \
        if code is not None else None
    if item_id is None:
        raise ValidationError({"catalogue_item_id": msg(
            "《{title}》中没有判定条款“{text}”（可写作“第五条（二）”或“05-2”）",
            title=edition.title, text=text)})
    return item_id


def edition_problem(session: Session, item_id: int, found: dt.date) -> Message | None:
    """Why a standard item cannot judge a hazard found on `found`: the item's edition was not
    the one in force that day (the 2022 standard was repealed on 2024-12-13 by the 2024 one;
    a hazard found before then cannot be judged by a standard not yet in force)."""
    catalogue_id = session.execute(select(CatalogueItem.catalogue_id).where(
        CatalogueItem.id == item_id)).scalar_one_or_none()
    in_force = catalogues.edition_for(session, KIND, found)
    if catalogue_id is None or in_force is None or catalogue_id == in_force.id:
        return None
    chosen = next((c for c in catalogues.list_catalogues(session, KIND) if c.id == catalogue_id), None)
    if chosen is None:
        return None
    return msg("发现日期 {day} 适用《{title}》（{edition}版），所选条目出自{other}版；请按发现当日施行的版本选择判定条款",
               day=found.isoformat(), title=in_force.title, edition=in_force.edition, other=chosen.edition)


def is_standard_item(session: Session, item_id: int) -> bool:
    kind = session.execute(select(Catalogue.kind).join(
        CatalogueItem, CatalogueItem.catalogue_id == Catalogue.id).where(
        CatalogueItem.id == item_id)).scalar_one_or_none()
    return kind == KIND


# -- the stop-work letter and the same-day reports -------------------------------------------

def _letter_signed(hazard_id_column: int | SQLColumnExpression[int]) -> Exists:
    return exists().where(
        Document.kind == LETTER_KIND, Document.scope_type == "hazard",
        Document.scope_id == hazard_id_column, Document.deleted_at.is_(None),
        Document.status.in_((DocStatus.SIGNED.value, DocStatus.SUPERSEDED.value)))


def letter_signed(session: Session, hazard_id: int) -> bool:
    """The stop-work suggestion was signed and issued (签发; a correction keeps it so)."""
    return bool(session.execute(select(_letter_signed(hazard_id))).scalar())


def reports_logged(session: Session, hazard_id: int) -> set[str]:
    """The same-day reports of a level-1 hazard that were made (insurer / authority)."""
    return set(session.execute(select(ExternalReport.recipient).where(
        ExternalReport.hazard_id == hazard_id, ExternalReport.status == "done",
        ExternalReport.reason == ReportReason.LEVEL1.value)).scalars())


def closure_problems(session: Session, hazard: Hazard) -> dict[str, Message]:
    """What a level-1 hazard still lacks before it may be closed; empty when nothing."""
    if hazard.level != 1:
        return {}
    missing: list[Message] = []
    if not letter_signed(session, hazard.id):
        missing.append(msg("停工建议书未签发"))
    made = reports_logged(session, hazard.id)
    missing += [msg("未登记当日向{recipient}的报告", recipient=Recipient(r).label)
                for r in _SAME_DAY if r not in made]
    if not missing:
        return {}
    return {"level1": msg("一级隐患须签发停工建议书，并登记当日向承保机构和建设主管部门的报告后方可销项。"
                          "尚缺：{missing}", missing=Series(missing))}


def letters_unsigned(session: Session) -> list[int]:
    """Open level-1 hazards whose stop-work suggestion is not signed yet (停工建议书待签发)."""
    return list(session.execute(select(Hazard.id).where(
        Hazard.level == 1, Hazard.status.in_(_OPEN), Hazard.deleted_at.is_(None),
        ~_letter_signed(Hazard.id)).order_by(Hazard.id)).scalars())


def letter_drafted(session: Session, hazard_id: int) -> bool:
    """A stop-work letter exists for the hazard (a draft or signed): no need to offer one."""
    return session.execute(select(Document.id).where(
        Document.kind == LETTER_KIND, Document.scope_type == "hazard",
        Document.scope_id == hazard_id, Document.deleted_at.is_(None)).limit(1)).first() is not None
