"""Every agency rule's value is checked when saved, with the reason in Chinese: a value that
would break later records (a numbering pattern with an unknown field), contradict itself (level 1
given longer than level 4) or shorten what may only be extended (archive retention) is refused
and nothing is stored."""

from __future__ import annotations

import pytest

from desktop.services import hazards, rules
from desktop.services.context import ValidationError
from tests.factories import make_project
from tests.services.test_hazards import form


@pytest.mark.parametrize(("key", "value", "words"), [
    ("numbering.agency_code", "绍安衡\u3000风控", "不含括号、空格和符号"),
    ("numbering.agency_code", "绍安衡【风控】", "不含括号、空格和符号"),
    ("hazard.deadline_days", {"1": True, "2": 7, "3": 15, "4": 30}, "整数天"),
    ("hazard.deadline_days", {"1": 30, "2": 7, "3": 15, "4": 1}, "一级 ≤ 二级 ≤ 三级 ≤ 四级"),
    ("numbering.hazard", "YH-{year}-{seq:05d}-{oops}", "无法识别的占位符"),
    ("numbering.hazard", "YH-{year}-{seq:05d}-{code}", "无法识别的占位符"),
    ("numbering.document", "{code}{prefix}〔{year}〕{seq}号{x}", "无法识别的占位符"),
    ("complaint.reply_working_days", {"normal": -5, "checking": 30}, "1 到 60"),
    ("complaint.reply_working_days", {"normal": "十", "checking": 30}, "1 到 60"),
    ("complaint.reply_working_days", {"normal": 10}, "1 到 60"),
    ("complaint.reply_working_days", {"normal": 30, "checking": 10}, "不应短于"),
    ("training.hazard_lookback_months", -3, "1 到 24"),
    ("compliance.deadlines", {"stage_grace_days": "x"}, "整数天"),
    ("compliance.deadlines", {"report_due_days": {"month": 0}}, "成果出具期限"),
    ("compliance.deadlines", {"unknown": 3}, "格式有误"),
    ("numbering.prefixes", {"stop_work": 5}, "类别字"),
    ("numbering.prefixes", {"stop_work": "停〔工"}, "类别字"),
])
def test_a_bad_value_is_refused_and_not_stored(db, admin, key, value, words):
    with db.read() as s:
        before = rules.get(s, key)
    with db.session() as s, pytest.raises(ValidationError, match=words) as refused:
        rules.set_value(s, admin, key, value)
    assert key in refused.value.fields
    with db.read() as s:
        assert rules.get(s, key) == before


@pytest.mark.parametrize(("key", "value"), [
    ("numbering.agency_code", "绍安衡风控"),
    ("numbering.agency_code", "ABC安全2"),
    ("hazard.deadline_days", {"1": 1, "2": 7, "3": 7, "4": 30}),
    ("complaint.reply_working_days", {"normal": 10, "checking": 30}),
    ("compliance.deadlines", {"stage_grace_days": 20, "report_due_days": {"month": 5}}),
    ("numbering.prefixes", {"stop_work": "停工"}),
    ("training.hazard_lookback_months", 12),
])
def test_a_good_value_is_stored(db, admin, key, value):
    with db.session() as s:
        rules.set_value(s, admin, key, value)
    with db.read() as s:
        assert rules.get(s, key) == value


def test_a_numbering_pattern_that_was_accepted_numbers_the_next_hazard(db, admin):
    with db.session() as s:
        rules.set_value(s, admin, "numbering.hazard", "YH{year}-{seq:04d}")
        proj = make_project(s, admin)
        assert hazards.record(s, admin, form(proj)).number.startswith("YH")


def test_archive_retention_may_be_extended_but_not_shortened(db, admin):
    with db.session() as s:
        rules.set_value(s, admin, "archive.retention_years", 10)
    with db.session() as s, pytest.raises(ValidationError, match="只能延长"):
        rules.set_value(s, admin, "archive.retention_years", 6)
    with db.read() as s:
        assert rules.get(s, "archive.retention_years") == 10
