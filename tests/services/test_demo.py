"""Demo data: generated through the services, consistent enough that the health check passes."""

from __future__ import annotations

import io
import sys

import pytest
from PIL import Image
from sqlalchemy import func, select

from desktop import cli, clock
from desktop.cli import main
from desktop.config import Config
from desktop.db import Database
from desktop.demo import generator as demo
from desktop.models import (
    ArchiveItem,
    Attachment,
    Catalogue,
    Drill,
    ExternalReport,
    Hazard,
    HazardEvent,
    Inspection,
    Project,
    TrainingAttendance,
    TrainingAttendee,
    User,
)
from desktop.services import major_hazards
from desktop.services.check import run_check
from desktop.services.exchange import attachments
from desktop.services.queries import training_view


def _generate(folder, projects, seed=7):
    config = Config(data_dir=folder)
    db = Database(config.database_url)
    db.migrate(backup=False)
    with db.session() as session:
        summary = demo.generate(session, store_dir=config.attachments_dir, projects=projects, seed=seed,
                                key_dir=config.data_dir)
    return db, config, summary


def _counts(db):
    with db.read() as s:
        count = lambda model: s.execute(select(func.count()).select_from(model)).scalar_one()
        return {
            "states": dict(s.execute(select(Hazard.status, func.count()).group_by(Hazard.status)).all()),
            "levels": dict(s.execute(select(Hazard.level, func.count()).group_by(Hazard.level)).all()),
            "kinds": set(s.execute(select(Inspection.kind).distinct()).scalars()),
            "events": set(s.execute(select(HazardEvent.kind).distinct()).scalars()),
            "hazards": count(Hazard), "projects": count(Project),
            "photos": s.execute(select(func.count()).where(Attachment.owner_type != "document")).scalar_one(),
            "drills": count(Drill), "archive": count(ArchiveItem), "attendance": count(TrainingAttendance),
            "users": count(User), "catalogues": count(Catalogue),
            "reports_done": s.execute(select(func.count()).where(ExternalReport.status == "done")).scalar_one(),
        }


@pytest.mark.slow
def test_small_demo_passes_the_check(tmp_path):
    db, config, summary = _generate(tmp_path, projects=6)
    report = run_check(db, config)
    assert report.ok, report.text
    c = _counts(db)
    assert c["projects"] == 6 + 2  # and two completed long ago, their files due for destruction
    assert c["users"] == 9 and c["catalogues"] == 5
    assert 40 <= c["hazards"] <= 300 and c["photos"] > c["hazards"]
    assert {"first_identification", "full_coverage", "routine"} <= c["kinds"]
    assert {"recorded", "issue_notice", "record_delivery", "submit_closure", "verify_close"} <= c["events"]
    assert c["states"].get("closed", 0) > c["hazards"] / 3
    assert c["archive"] > 10 and c["attendance"] > 0 and c["reports_done"] > 0
    assert summary.hazards == c["states"] and summary.photos == c["photos"]
    with db.read() as s:  # the major-hazard rules hold in the demo too
        linked = s.execute(select(Hazard.level).where(Hazard.catalogue_item_id.is_not(None))).scalars().all()
        assert linked and set(linked) == {1}
        for h in s.execute(select(Hazard).where(Hazard.level == 1, Hazard.status == "closed")).scalars():
            assert major_hazards.letter_signed(s, h.id) and major_hazards.reports_logged(s, h.id) == {
                "insurer", "authority"}
    assert "演示密码均为 Demo-2024-desk" in summary.lines()[0]
    with db.read() as s:
        sha = s.execute(select(Attachment.sha256).where(Attachment.role == "before").limit(1)).scalar_one()
        statuses = set(s.execute(select(ArchiveItem.status)).scalars())
    assert Image.open(io.BytesIO(attachments.thumbnail(config.attachments_dir, sha, 128))).size[0] == 128
    assert {"active", "destroyed", "destruction_requested"} <= statuses
    with db.read() as s:  # recent sessions carry rosters: coverage counts people, never above the headcount
        named = s.execute(select(func.count()).select_from(TrainingAttendee)).scalar_one()
        rows = [r for h in training_view.halves(clock.today(), back=1) for r in training_view.half_year_rows(s, h)]
    assert named > 100 and rows
    assert all(r.status.managers_trained <= r.status.headcount_managers
               and r.status.workers_trained <= r.status.headcount_workers for r in rows)
    db.dispose()


@pytest.mark.slow
def test_same_seed_same_data(tmp_path):
    texts = []
    for name in ("a", "b"):
        db, _, _ = _generate(tmp_path / name, projects=2, seed=11)
        with db.read() as s:
            texts.append(s.execute(select(Project.name, Hazard.description, Hazard.level)
                                   .join(Hazard, Hazard.project_id == Project.id).order_by(Hazard.id)).all())
        db.dispose()
    assert texts[0] == texts[1] and texts[0]


@pytest.mark.slow
def test_cli_demo_then_refuses_to_mix_with_existing_data(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    folder = tmp_path / "demo"
    assert main(["--data-dir", str(folder), "demo", "--projects", "3", "--seed", "5"]) == 0
    out = capsys.readouterr().out
    assert "已生成演示数据" in out and "演示密码均为" in out
    assert main(["--data-dir", str(folder), "check"]) == 0
    capsys.readouterr()
    assert main(["--data-dir", str(folder), "demo"]) == 1
    assert "已有业务数据" in capsys.readouterr().err
    assert main(["--data-dir", str(folder), "demo", "--projects", "0"]) == 2
    assert cli.DEFAULT_DEMO_PROJECTS == demo.DEFAULT_PROJECTS


@pytest.mark.slow
def test_failed_demo_leaves_no_photos_behind(tmp_path, capsys, monkeypatch):
    def broken(self, sites):
        raise RuntimeError("boom")

    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    monkeypatch.setattr(demo._Demo, "extras", broken)
    folder = tmp_path / "demo"
    assert main(["--data-dir", str(folder), "demo", "--projects", "2"]) == 1
    assert "内部错误" in capsys.readouterr().err
    assert not (folder / "attachments").exists()
    db = Database(Config(data_dir=folder).database_url)
    with db.read() as s:
        assert not demo.has_business_data(s)
    db.dispose()


@pytest.mark.slow
def test_a_signed_document_deleted_outside_the_program_is_reported(tmp_path):
    """The demo passes; deleting a signed 停工建议书 (and what cites it) with SQL does not."""
    import sqlite3

    from desktop.models import Document

    db, config, _ = _generate(tmp_path, projects=4)
    try:
        assert run_check(db, config, hash_files=False).ok
        with db.read() as s:
            doc_id, number = s.execute(select(Document.id, Document.number).where(
                Document.kind == "stop_work", Document.status == "signed").order_by(Document.id)
                .limit(1)).one()
    finally:
        db.dispose()
    con = sqlite3.connect(config.sqlite_path)
    con.execute("DELETE FROM submissions WHERE document_id = ?", (doc_id,))
    con.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
    con.commit()
    con.close()
    db = Database(config.database_url)
    try:
        report = run_check(db, config, hash_files=False)
    finally:
        db.dispose()
    assert not report.ok
    assert f"文书 {number}：审计记录显示存在，但数据库中已无此记录" in report.problems


@pytest.mark.slow
def test_default_demo_has_every_state_and_hundreds_of_hazards(tmp_path):
    db, config, summary = _generate(tmp_path, projects=demo.DEFAULT_PROJECTS, seed=2024)
    c = _counts(db)
    assert set(c["states"]) == {"recorded", "notified", "rectifying", "closure_submitted", "closed", "cancelled"}
    assert set(c["levels"]) == {1, 2, 3, 4}
    assert {"reject", "escalate", "cancel", "reported"} <= c["events"]
    assert 200 <= c["hazards"] <= 800 and 150 <= summary.inspections <= 600
    assert run_check(db, config).ok
    db.dispose()


def test_every_major_hazard_template_names_an_item_of_both_editions(db):
    from desktop.services import catalogues

    with db.session() as s:
        catalogues.load_all(s)
        codes = {t[3] for t in demo.HAZARDS if t[3]}
        assert codes and codes <= set(demo.MAJOR_2024)
        for code in codes:  # found before 2024-12-13: the 2022 item; from then on: the 2024 one
            assert catalogues.find_item(s, "major_hazard@2022", code).default_level == 1
            assert catalogues.find_item(s, "major_hazard@2024", demo.MAJOR_2024[code]).default_level == 1
        assert all(t[2] == (1,) for t in demo.HAZARDS if t[3])  # a major hazard is level 1 only
