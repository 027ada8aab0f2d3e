"""Duplicates refused by the database: one copy of a field team's number per project, whoever
imports it; the bulk import keeps the audit chain, the numbering and the hazard rules."""

from __future__ import annotations

import threading

import pytest
from openpyxl import Workbook
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from desktop.models import AuditEntry, ExternalReport, Hazard, HazardEvent
from desktop.services import audit, hazards
from desktop.services.exchange import import_hazards, importer
from tests.services.test_importer import count, hazard_book, proj, run  # noqa: F401


def forty_rows(path, code: str):
    wb = Workbook()
    ws = wb.active
    ws.append(["隐患编号", "项目编号", "发现日期", "隐患描述", "隐患等级", "整改措施", "应急措施", "停工建议"])
    for i in range(1, 41):
        level = 1 if i % 10 == 0 else 3
        ws.append([f"XC-{i:03d}", code, "2026-08-05", f"问题 {i}", level, "整改", "警戒",
                   "局部停工" if level == 1 else None])
    wb.save(path)
    return path


def _raw_hazard(s, project_id: int, number: str, ref: str | None) -> None:
    s.execute(insert(Hazard.__table__).values(
        number=number, external_ref=ref, project_id=project_id, found_at=func.now(),
        found_date=func.current_date(), description="x", level=3, version=1))


def test_the_database_refuses_a_second_copy_of_a_reference(db, proj):
    ids, _ = proj
    with db.session() as s:
        _raw_hazard(s, ids.project, "A-1", None)
        _raw_hazard(s, ids.project, "A-2", None)  # hand-recorded hazards have no reference
        _raw_hazard(s, ids.project, "A-3", "XC-001")
    with pytest.raises(IntegrityError), db.session() as s:
        _raw_hazard(s, ids.project, "A-4", "XC-001")
    assert count(db, Hazard) == 3


def test_a_concurrent_duplicate_insert_is_told_in_chinese(db, users, proj, tmp_path, monkeypatch):
    """The other desk wrote the rows after this import checked them: the index refuses."""
    ids, code = proj
    path = forty_rows(tmp_path / "list.xlsx", code)
    table = importer.read(path, kind="hazards")
    real_check = import_hazards.check

    def check_then_other_desk_writes(session, *args, **kwargs):
        result = real_check(session, *args, **kwargs)
        _raw_hazard(session, ids.project, "OTHER-1", "XC-007")
        return result

    monkeypatch.setattr(import_hazards, "check", check_then_other_desk_writes)
    with pytest.raises(import_hazards.DuplicateImport) as err, db.session() as s:
        importer.commit(s, users["clerk"], kind="hazards", table=table)
    assert "另一处刚刚导入了同一清单中的隐患" in err.value.message
    assert "未写入任何数据" in err.value.message
    assert count(db, Hazard) == 0


def test_two_simultaneous_imports_of_one_sheet_leave_one_copy(db, users, proj, tmp_path):
    _, code = proj
    path = forty_rows(tmp_path / "list.xlsx", code)
    table = importer.read(path, kind="hazards")
    start = threading.Barrier(2)
    results: list[object] = []

    def desk() -> None:
        start.wait()
        try:
            with db.session() as s:
                results.append(importer.commit(s, users["clerk"], kind="hazards", table=table))
        except Exception as exc:  # the one that lost the race
            results.append(exc)

    threads = [threading.Thread(target=desk) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert count(db, Hazard) == 40
    new = sorted(r.new for r in results if isinstance(r, importer.ImportReport))
    refused = [r for r in results if isinstance(r, import_hazards.DuplicateImport)]
    assert new in ([0, 40], [40]) and len(new) + len(refused) == 2, results
    with db.read() as s:
        assert s.execute(select(func.count(func.distinct(Hazard.external_ref)))).scalar_one() == 40
        assert audit.verify_chain(s).ok


def test_bulk_import_follows_the_single_hazard_rules(db, users, proj, tmp_path):
    ids, code = proj
    path = forty_rows(tmp_path / "list.xlsx", code)
    before = count(db, AuditEntry)
    calls: list[tuple[int, int]] = []
    report = run(db, users["clerk"], path,
                 progress=lambda done, total, text: calls.append((done, total)))
    assert report.new == 40 and report.committed
    with db.read() as s:
        rows = s.execute(select(Hazard).order_by(Hazard.id)).scalars().all()
        numbers = [h.number for h in rows]
        assert numbers == [f"YH-2026-{i:05d}" for i in range(1, 41)]  # gap-free, in sheet order
        expected = hazards.default_deadline(s, 3, rows[0].found_date)
        assert rows[0].deadline == expected and rows[9].level == 1
        assert rows[9].deadline == hazards.default_deadline(s, 1, rows[9].found_date)
        assert s.execute(select(func.count()).select_from(ExternalReport)).scalar_one() == 4 * 2
        kinds = s.execute(select(HazardEvent.kind, func.count()).group_by(HazardEvent.kind)).all()
        assert dict(kinds) == {"recorded": 40, "imported": 40}
        entries = s.execute(select(AuditEntry).where(AuditEntry.entity == "hazards",
                                                     AuditEntry.action == "create")
                            .order_by(AuditEntry.id)).scalars().all()
        assert [e.entity_id for e in entries] == [h.id for h in rows]
        assert entries[0].after == audit.snapshot(rows[0])  # the row as written, field for field
        assert "第 2 行（原编号 XC-001）" in entries[0].note
        assert audit.verify_chain(s).ok
    assert count(db, AuditEntry) == before + 40 + 1  # one per hazard and the import's own
    assert calls and calls[-1][0] == calls[-1][1]


def test_bulk_audit_entries_chain_like_single_ones(db, users):
    actor = users["admin"]
    with db.session() as s:
        audit.record(s, actor, action="update", entity="x", entity_id=1, after={"a": 1})
        audit.record_many(s, actor, [audit.Pending("create", "x", i, after={"i": i}, note="批")
                                     for i in range(2, 2500)])
        audit.record(s, actor, action="update", entity="x", entity_id=9, after={"b": 2})
    with db.read() as s:
        report = audit.verify_chain(s)
        assert report.ok and report.entries >= 2501
    with db.session() as s:  # an edit of one bulk-written entry is still caught
        entry = s.execute(select(AuditEntry).where(AuditEntry.entity_id == 1200)).scalar_one()
        entry.note = "改过"
    with db.read() as s:
        assert not audit.verify_chain(s).ok


def test_migration_keeps_the_first_copy_of_earlier_duplicates(db, proj):
    """A database that already holds two copies (the race of old) still migrates."""
    from alembic import command

    ids, _ = proj
    with db.engine.begin() as conn:
        command.downgrade(db._alembic_config(conn), "0003")
    with db.session() as s:
        for number, ref in (("A-1", "XC-001"), ("A-2", "XC-001"), ("A-3", "XC-002"), ("A-4", None),
                            ("A-5", None)):
            _raw_hazard(s, ids.project, number, ref)
    db.migrate(backup=False)
    with db.read() as s:
        refs = dict(s.execute(select(Hazard.number, Hazard.external_ref)).all())
    assert refs == {"A-1": "XC-001", "A-2": None, "A-3": "XC-002", "A-4": None, "A-5": None}
    with pytest.raises(IntegrityError), db.session() as s:
        _raw_hazard(s, ids.project, "A-6", "XC-002")


def test_project_list_is_written_in_bulk_with_stages_policies_and_audit(db, users, tmp_path):
    from desktop.models import Policy, Project, ProjectStage
    from desktop.services import projects
    from tests.services.test_importer import project_book

    rows = [[f"PL-{i:03d}", f"某工程{i // 2}", "中国人民财产保险股份有限公司绍兴市分公司",
             "浙江某建设集团有限公司", "2026-01-01", "2027-12-31", "1000", "200", "在建", None,
             f"某工程{i // 2}"] for i in range(6)]
    path = project_book(tmp_path / "list.xlsx", rows)  # the last column (备注) holds the code
    report = run(db, users["clerk"], path, kind="projects", mapping={"code": "备注"})
    assert report.new == 6 and report.ok, report.lines()
    with db.read() as s:
        by_code = {p.code: p for p in s.execute(select(Project)).scalars()}
        assert sorted(by_code) == ["某工程0", "某工程1", "某工程2"]  # two policies a project
        policies = s.execute(select(Policy).order_by(Policy.id)).scalars().all()
        assert [p.project_id for p in policies] == [by_code[f"某工程{i // 2}"].id for i in range(6)]
        stages = s.execute(select(ProjectStage.name).order_by(ProjectStage.seq).where(
            ProjectStage.project_id == by_code["某工程1"].id)).scalars().all()
        assert tuple(stages) == projects.DEFAULT_STAGES
        entries = {(e.entity, e.entity_id): e for e in s.execute(select(AuditEntry)).scalars()}
        for obj in [*by_code.values(), *policies]:
            assert entries[obj.__tablename__, obj.id].after == audit.snapshot(obj)
        assert audit.verify_chain(s).ok
    again = run(db, users["clerk"], path, kind="projects", mapping={"code": "备注"})
    assert again.new == 0 and len(again.existing) == 6


def test_a_project_row_reports_its_project_and_policy_problems_together(db, users, tmp_path):
    from tests.services.test_importer import PROJECT_ROWS, project_book

    bad = [row[:] for row in PROJECT_ROWS]
    bad[1][5] = "2025-01-01"  # the policy ends before it starts (F) …
    bad[1][9] = None  # … and the completed project has no completion date (J)
    report = run(db, users["clerk"], project_book(tmp_path / "bad.xlsx", bad), kind="projects",
                 dry=True)
    assert {(p.row, p.column) for p in report.problems} == {(3, "F"), (3, "J")}, report.lines()


def test_a_concurrent_duplicate_policy_is_told_in_chinese(db, users, tmp_path, monkeypatch):
    from desktop.models import Policy, Project
    from desktop.services.exchange import import_projects
    from tests.services.test_importer import PROJECT_ROWS, project_book

    table = importer.read(project_book(tmp_path / "p.xlsx", PROJECT_ROWS), kind="projects")
    real_check = import_projects.check

    def check_then_other_desk_writes(session, *args, **kwargs):
        result = real_check(session, *args, **kwargs)
        first = result[0][0]
        session.execute(insert(Project.__table__).values(code="OTHER", name="他处", version=1))
        project_id = session.execute(select(Project.id).where(Project.code == "OTHER")).scalar_one()
        session.execute(insert(Policy.__table__).values(
            project_id=project_id, policy_no=first.policy["policy_no"],
            insurer_id=first.policy["insurer_id"], version=1))
        return result

    monkeypatch.setattr(import_projects, "check", check_then_other_desk_writes)
    with pytest.raises(import_projects.DuplicatePolicy) as err, db.session() as s:
        importer.commit(s, users["clerk"], kind="projects", table=table)
    assert "另一处刚刚导入了同一清单中的保单或项目" in err.value.message
    assert count(db, Policy) == 0
