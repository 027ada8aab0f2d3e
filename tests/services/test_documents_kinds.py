"""应急预案编制建议书, 预防费用台账, 报送登记簿: registered kinds, drafted, signed and read back
from the stored PDF as a reviewer would."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from desktop.services import agency, documents, fees, training
from desktop.services.context import NotFound, ValidationError, now
from desktop.services.exchange import attachments
from desktop.services.periods import quarter_of
from tests.factories import make_project

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
RULE_ID = re.compile(r"(?<![A-Za-z0-9])[NC]-\d")


def pdftext(path) -> str:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                         text=True, check=True)
    return "".join(out.stdout.split())


@pytest.fixture
def dirs(tmp_path):
    return {"store_dir": tmp_path / "store", "work_dir": tmp_path / "work"}


@pytest.fixture
def ids(db, users):
    with db.session() as s:
        agency.setup_agency(s, name="绍兴安衡安全风控咨询有限公司", short_name="绍安衡", legal_rep="周总")
        return make_project(s, users["admin"])


def draft(db, actor, dirs, kind, scope_type, scope_id=None, period=""):
    with db.session() as s:
        return documents.generate_draft(s, actor, kind=kind, scope_type=scope_type, scope_id=scope_id,
                                        period=period, **dirs)


def sign(db, actor, row, dirs):
    with db.session() as s:
        return documents.sign(s, actor, row.id, expected_version=row.version, **dirs)


def text_of(dirs, row) -> str:
    return pdftext(documents.file_path(dirs["store_dir"], row))


# -- 应急预案编制建议书 ------------------------------------------------------------------------


def test_plan_advice_prints_each_suggestion_and_both_parties(db, users, ids, dirs):
    with db.session() as s:
        a = training.record_assist(s, users["inspector"], ids.project, kind="written_suggestions",
                                   date=dt.date(2026, 6, 3), title="3#楼施工现场生产安全事故应急预案",
                                   summary="补充塔吊倒塌专项处置程序\n应急物资清单应注明存放位置和数量")
    row = draft(db, users["inspector"], dirs, "emergency_plan_advice", "plan_assist", a.id)
    text = text_of(dirs, row)
    assert "应急预案编制建议书" in text and "草稿" in text
    assert "3#楼施工现场生产安全事故应急预案" in text and "书面修改建议" in text
    assert "（1）补充塔吊倒塌专项处置程序" in text
    assert "（2）应急物资清单应注明存放位置和数量" in text
    assert "2026年6月3日" in text and "浙江某建设集团有限公司" in text and "签收人" in text
    signed = sign(db, users["tech_lead"], row, dirs)
    assert signed.number.startswith("绍安衡预案〔") and signed.number.endswith("号")
    text = text_of(dirs, signed)
    assert signed.number in text and users["tech_lead"].display_name in text
    assert not RULE_ID.search(text)


def test_plan_advice_prints_the_basis_recorded_with_a_suggestion(db, users, ids, dirs):
    with db.session() as s:
        a = training.record_assist(s, users["inspector"], ids.project, kind="written_suggestions",
                                   date=dt.date(2026, 6, 3), title="综合应急预案", summary=(
                                       "补充塔吊倒塌处置程序（依据：《生产安全事故应急预案管理办法》）\n"
                                       "明确夜间值班联系人"))
    text = text_of(dirs, draft(db, users["inspector"], dirs, "emergency_plan_advice",
                               "plan_assist", a.id))
    assert "修改建议" in text and "依据" in text
    assert "补充塔吊倒塌处置程序" in text and "《生产安全事故应急预案管理办法》" in text
    assert "（依据：" not in text  # the basis stands in its own column
    assert "明确夜间值班联系人（未注明）" in text


def test_plan_advice_without_suggestions_says_so(db, users, ids, dirs):
    with db.session() as s:
        a = training.record_assist(s, users["inspector"], ids.project, kind="draft_provided",
                                   date=dt.date(2026, 6, 3), title="综合应急预案")
    text = text_of(dirs, draft(db, users["inspector"], dirs, "emergency_plan_advice",
                               "plan_assist", a.id))
    assert "记录中未登记具体建议内容" in text and "协助编制应急预案" in text


def test_over_long_assist_fields_are_refused(db, users, ids):
    with db.session() as s:
        with pytest.raises(ValidationError) as refused:
            training.record_assist(s, users["inspector"], ids.project, kind="written_suggestions",
                                   date=dt.date(2026, 6, 3), title="预" * 201, summary="建" * 4001)
    assert set(refused.value.fields) == {"title", "summary"}
    assert "不超过 4000 字" in refused.value.fields["summary"]


def test_plan_advice_scope_checks(db, users, ids, dirs):
    with pytest.raises(ValidationError, match="范围"):
        draft(db, users["inspector"], dirs, "emergency_plan_advice", "project", ids.project)
    with pytest.raises(NotFound):
        draft(db, users["inspector"], dirs, "emergency_plan_advice", "plan_assist", 999)
    with pytest.raises(ValidationError, match="不按期间"):
        draft(db, users["inspector"], dirs, "emergency_plan_advice", "plan_assist", 1,
              period="2026Q2")


# -- 预防费用台账 ------------------------------------------------------------------------------


def _fees(db, users, ids):
    admin = users["admin"]
    with db.session() as s:
        fees.ensure_budget(s, admin, ids.policy)
        fees.add_entry(s, admin, ids.policy, fees.FeeForm(
            date=dt.date(2026, 2, 5), kind="service", amount="3500", service_kind="inspection",
            description="首次风险辨识"))
        fees.add_entry(s, admin, ids.policy, fees.FeeForm(
            date=dt.date(2026, 5, 12), kind="service", amount="1200.5", service_kind="training",
            description="二季度安全教育培训"))
        fees.add_entry(s, admin, ids.policy, fees.FeeForm(
            date=dt.date(2026, 6, 1), kind="adjustment", amount="-1000", description="保单批改减少预防费用"))
        fees.add_entry(s, admin, ids.policy, fees.FeeForm(
            date=dt.date(2026, 8, 20), kind="service", amount="800", service_kind="drill",
            description="三季度应急演练"))
        return fees.ledger(s, ids.policy)


def test_fee_ledger_for_a_quarter_carries_the_opening_balance(db, users, ids, dirs):
    _fees(db, users, ids)
    row = draft(db, users["inspector"], dirs, "fee_ledger", "project", ids.project, period="2026Q2")
    text = text_of(dirs, row)
    assert "2026年第二季度预防费用台账" in text and "据实列支、专款专用" in text
    assert "二季度安全教育培训" in text and "1,200.50" in text and "-1,000.00" in text
    assert "首次风险辨识" not in text and "三季度应急演练" not in text  # other quarters
    assert "期初余额20,500.00元" in text  # 24000 budget less 3500 in February
    # to June 30: budget 24000, adjustment -1000, spent 4700.50, balance 18299.50
    assert "服务支出4,700.50元，余额18,299.50元" in text
    assert "本期合计" in text and "安全教育培训" in text


def test_fee_ledger_totals_equal_the_ledger(db, users, ids, dirs):
    led = _fees(db, users, ids)
    row = draft(db, users["inspector"], dirs, "fee_ledger", "project", ids.project, period="2026")
    signed = sign(db, users["tech_lead"], row, dirs)
    text = text_of(dirs, signed)
    assert led.balance == Decimal("17499.50")
    assert (f"预算{led.budget:,.2f}元，调整{led.adjustments:,.2f}元，服务支出{led.spent:,.2f}元，"
            f"余额{led.balance:,.2f}元") in text
    assert led.policy_no in text and signed.number.startswith("绍安衡台账〔2026〕")
    assert signed.number in text and not RULE_ID.search(text)
    assert "编制人：检查人员甲" in text and "技术负责人：技术负责人甲" in text
    assert "周总" not in text  # the legal representative approved nothing the records hold
    # the workbook kept with the signed PDF holds the same entries and totals
    with db.read() as s:
        xlsx = next(f for f in documents.files(s, signed.id) if f.original_name.endswith(".xlsx"))
    wb = load_workbook(io.BytesIO(attachments.open_path(dirs["store_dir"], xlsx.sha256).read_bytes()))
    rows = list(wb["台账"].iter_rows(min_row=2, values_only=True))
    entries = [r for r in rows if r[1] is not None]
    assert [r[4] for r in entries] == [e.description for e in led.entries]
    assert [Decimal(str(r[7])) for r in entries] == [e.balance for e in led.entries]
    period = next(r for r in rows if r[2] == "本期合计")
    assert Decimal(str(period[6])) == led.spent
    final = next(r for r in rows if r[2] == "期末累计")
    assert Decimal(str(final[7])) == led.balance
    assert ("编号", signed.number) in [tuple(r) for r in wb["说明"].iter_rows(values_only=True)]


def test_fee_ledger_without_entries_says_so(db, users, ids, dirs):
    text = text_of(dirs, draft(db, users["inspector"], dirs, "fee_ledger", "project", ids.project,
                               period="2026Q1"))
    assert "本期台账无收支记录" in text and "期初余额0.00元" in text


def test_fee_ledger_scope_checks(db, users, ids, dirs):
    with pytest.raises(ValidationError, match="范围"):
        draft(db, users["inspector"], dirs, "fee_ledger", "insurer", ids.insurer, period="2026Q1")
    with pytest.raises(ValidationError):
        draft(db, users["inspector"], dirs, "fee_ledger", "project", ids.project)  # no period
    with pytest.raises(NotFound):
        draft(db, users["inspector"], dirs, "fee_ledger", "project", 9999, period="2026Q1")


# -- 报送登记簿 --------------------------------------------------------------------------------


@pytest.fixture
def mid_morning(monkeypatch):
    """10:00 China time today: the submissions below are dated up to 30 minutes before now, which
    just after midnight would fall on the day before the documents were signed."""
    from desktop import clock

    instant = clock.to_utc(dt.datetime.combine(clock.today(), dt.time(10))).replace(tzinfo=dt.UTC)
    monkeypatch.setattr(clock, "system_time", lambda: instant)


def _submitted(db, users, ids, dirs):
    """Two signed documents of the project, submitted three times; one of another project."""
    with db.session() as s:
        other = make_project(s, users["admin"], name="柯桥区某学校项目")
        a = training.record_assist(s, users["inspector"], ids.project, kind="written_suggestions",
                                   date=dt.date(2026, 6, 3), title="综合应急预案", summary="补充")
    one = sign(db, users["tech_lead"], draft(db, users["inspector"], dirs, "emergency_plan_advice",
                                             "plan_assist", a.id), dirs)
    two = sign(db, users["tech_lead"], draft(db, users["inspector"], dirs, "fee_ledger", "project",
                                             ids.project, period="2026"), dirs)
    three = sign(db, users["tech_lead"], draft(db, users["inspector"], dirs, "fee_ledger", "project",
                                               other.project, period="2026"), dirs)
    at = now().replace(second=0, microsecond=0) - dt.timedelta(minutes=30)
    with db.session() as s:
        documents.record_submission(s, users["inspector"], one.id, recipient="insurer",
                                    submitted_at=at, channel="电子邮件")
        documents.record_submission(s, users["inspector"], two.id, recipient="authority",
                                    submitted_at=at + dt.timedelta(minutes=5), channel="书面送达")
        documents.record_submission(s, users["inspector"], two.id, recipient="insurer",
                                    submitted_at=at + dt.timedelta(minutes=10), channel="系统报送")
        documents.record_submission(s, users["clerk"], three.id, recipient="insurer",
                                    submitted_at=at + dt.timedelta(minutes=15), channel="传真")
    return one, two, three, other, at


def test_submission_register_lists_every_submission_of_the_period(db, users, ids, dirs, mid_morning):
    one, two, three, _other, at = _submitted(db, users, ids, dirs)
    period = quarter_of(now().date()).label
    row = draft(db, users["inspector"], dirs, "submission_register", "agency", period=period)
    signed = sign(db, users["tech_lead"], row, dirs)
    text = text_of(dirs, signed)
    assert "报送登记簿" in text and "共报送4次" in text
    for doc in (one, two, three):
        assert doc.number in text
    assert "电子邮件" in text and "书面送达" in text and "系统报送" in text and "传真" in text
    assert at.strftime("%Y-%m-%d") in text and at.strftime("%H:%M") in text
    assert users["clerk"].display_name in text and "中国人民财产保险股份有限公司绍兴市分公司" in text
    assert signed.number.startswith("绍安衡报送〔") and "周总" not in text
    assert text.index(one.number) < text.index(three.number)  # in time order
    assert not RULE_ID.search(text)


def test_submission_register_scopes(db, users, ids, dirs, mid_morning):
    _one, _two, three, _other, _at = _submitted(db, users, ids, dirs)
    period = quarter_of(now().date()).label
    project = text_of(dirs, draft(db, users["inspector"], dirs, "submission_register", "project",
                                  ids.project, period=period))
    assert "共报送3次" in project and three.number not in project
    authority = text_of(dirs, draft(db, users["inspector"], dirs, "submission_register", "authority",
                                    ids.authority, period=period))
    assert "共报送1次" in authority and "书面送达" in authority and "电子邮件" not in authority
    insurer = text_of(dirs, draft(db, users["inspector"], dirs, "submission_register", "insurer",
                                  ids.insurer, period=period))
    assert "共报送3次" in insurer and "书面送达" not in insurer
    empty = text_of(dirs, draft(db, users["inspector"], dirs, "submission_register", "agency",
                                period="2025Q1"))
    assert "本期没有报送记录" in empty and "共报送0次" in empty
    with pytest.raises(NotFound):
        draft(db, users["inspector"], dirs, "submission_register", "insurer", ids.authority,
              period=period)
