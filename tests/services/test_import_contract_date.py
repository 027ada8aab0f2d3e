"""The insurer's project list may carry the service contract date: read, checked like a typed
one, and the first-identification rule counts from it (from the policy start without it)."""

from __future__ import annotations

import datetime as dt

from openpyxl import Workbook
from sqlalchemy import select

from desktop.models import Policy, Project
from desktop.services import obligations
from desktop.services.exchange import importer


def _book(path, rows):
    wb = Workbook()
    ws = wb.active
    ws.append(["保单号", "工程名称", "保险公司", "保险起期", "保险止期", "合同签订日期", "项目状态", "竣工日期"])
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def _run(db, actor, path, *, dry=False):
    table = importer.read(path, kind="projects")
    with db.session() as s:
        return (importer.preview if dry else importer.commit)(s, actor, kind="projects", table=table)


def test_contract_date_column_is_imported_and_used(db, users, tmp_path):
    path = _book(tmp_path / "清单.xlsx", [
        ["P-1", "越城区某学校", "中国人民财产保险股份有限公司绍兴市分公司", "2026-01-01", "2027-12-31",
         "2026年2月3日", "在建", None],
        ["P-2", "柯桥区某综合体", "中国人民财产保险股份有限公司绍兴市分公司", "2026-03-01", "2027-12-31",
         None, "在建", None],
    ])
    report = _run(db, users["clerk"], path)
    assert report.new == 2 and report.ok, report.lines()
    with db.read() as s:
        by_policy = {p.policy_no: s.get(Project, p.project_id) for p in s.execute(select(Policy)).scalars()}
        assert by_policy["P-1"].service_contract_date == dt.date(2026, 2, 3)
        assert by_policy["P-2"].service_contract_date is None
        late = obligations.first_inspection_missing(s, dt.date(2026, 3, 16),
                                                    [p.id for p in by_policy.values()])
        # P-1 from its contract (2026-02-03 + 15 days), P-2 from its policy start (2026-03-01 + 15)
        assert late == [by_policy["P-1"].id]
        assert obligations.first_inspection_missing(s, dt.date(2026, 3, 17), [by_policy["P-2"].id]) == [
            by_policy["P-2"].id]


def test_a_contract_date_that_is_no_date_is_a_row_problem(db, users, tmp_path):
    path = _book(tmp_path / "bad.xlsx", [
        ["P-3", "上虞区某厂房", "中国人民财产保险股份有限公司绍兴市分公司", "2026-01-01", "2027-12-31",
         "2026-03-01", "在建", None],
        ["P-4", "诸暨市某道路", "中国人民财产保险股份有限公司绍兴市分公司", "2026-01-01", "2027-12-31",
         "2026-13-01", "在建", None],
    ])
    report = _run(db, users["clerk"], path, dry=True)
    assert {(p.row, p.column) for p in report.problems} == {(3, "F")}, report.lines()
