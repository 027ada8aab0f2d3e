"""Duplicates refused by the database: one copy of a field team's number per project, whoever
imports it; the bulk import keeps the audit chain, the numbering and the hazard rules."""

from __future__ import annotations

import threading

import pytest
from openpyxl import Workbook
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from desktop.models import AuditEntry, ExternalReport, Hazard, HazardEvent
from desktop.services import audit, hazards, import_hazards, importer
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
    report = run(db, users["clerk"], path, progress=lambda done, total, text: calls.append((done, total)))
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
