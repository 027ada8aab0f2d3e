"""Run by tests/services/test_business_time.py in a child process started with a TZ of its own:
records level-1 hazards through each entry point with the computer's clock pinned to 01:00 on
7 December 2026 China time (17:00 UTC on the 6th; 12:00 on the 6th in New York) and prints what
was stored as JSON. Not a test module itself (its name does not start with test_)."""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from pathlib import Path

from desktop import clock

INSTANT = dt.datetime(2026, 12, 6, 17, 0, tzinfo=dt.UTC)


def pinned() -> dt.datetime:
    return INSTANT


def main(folder: Path) -> dict[str, object]:
    clock.system_time = pinned  # the computer's clock, as the tests pin it in-process
    from openpyxl import Workbook
    from sqlalchemy import select

    from desktop.cli import main as cli_main
    from desktop.config import Config
    from desktop.db import Database
    from desktop.models import Hazard
    from desktop.services import (
        capture_devices,
        capture_inbox,
        hazards,
        inspections,
        projects,
        users,
    )
    from desktop.services.context import Actor
    from tests.factories import make_project

    config = Config(data_dir=folder)
    config.save()
    db = Database(config.database_url)
    db.migrate(backup=False)
    level1 = dict(level=1, category="基坑工程", measures="停止开挖，加固支护", contingency="设置警戒区",
                  stop_work="partial")
    with db.session() as s:
        row = users.create_user(s, Actor.system(), username="admin", display_name="管理员", role="admin",
                                password="Secret-Desk-2026")
        admin = Actor(row.id, row.username, row.role, row.display_name)
        ids = make_project(s, admin)
        code = projects.load(s, ids.project).code
        # the window and the services: found "now", and typed in China time
        hazards.record(s, admin, hazards.HazardForm(project_id=ids.project, description="录入：当前时间", **level1))
        hazards.record(s, admin, hazards.HazardForm(project_id=ids.project, description="录入：00:30",
                                                    found_at=dt.datetime(2026, 12, 7, 0, 30), **level1))
        # the capture page: a phone's draft received now, confirmed by the office
        today = inspections.record(s, admin, inspections.InspectionForm(
            project_id=ids.project, kind="routine", date=clock.today(), inspector_ids=(admin.user_id,)))
        _token, device = capture_devices.pair(s, capture_devices.start_pairing(s, admin).token, "手机")
        draft, _ = capture_inbox.receive(s, admin, device, capture_inbox.DraftIn(
            "draft-0001", today.id, "现场采集", 1), drafts_dir=folder / "drafts")
        capture_inbox.confirm(s, admin, draft.id, expected_version=draft.version, store_dir=folder / "store",
                              drafts_dir=folder / "drafts", form=hazards.HazardForm(
                                  project_id=0, description="现场采集", **level1))
    db.dispose()
    # the command line: an Excel list dated 7 December, imported now
    book = Workbook()
    book.active.append(["隐患编号", "项目编号", "发现日期", "隐患部位", "隐患描述", "隐患等级", "整改措施",
                        "应急措施", "停工建议"])
    book.active.append(["YH-1", code, "2026-12-07", "基坑北侧", "命令行导入", "一级", "立即卸载", "设置警戒区",
                        "局部停工"])
    book.save(folder / "hazards.xlsx")
    (folder / "pw.txt").write_text("Secret-Desk-2026\n", encoding="utf-8")
    rc = cli_main(["import", "hazards", str(folder / "hazards.xlsx"), "--data-dir", str(folder),
                   "--user", "admin", "--password-file", str(folder / "pw.txt")])
    db = Database(config.database_url)
    with db.read() as s:
        stored = {h.description: {"found_at": h.found_at.isoformat(), "found_date": h.found_date.isoformat(),
                                  "due": sorted({r.due_at.isoformat() for r in hazards.pending_reports(s, h.id)})}
                  for h in s.execute(select(Hazard)).scalars()}
    db.dispose()
    local = time.localtime(INSTANT.timestamp())
    return {"cli_rc": rc, "process_day": time.strftime("%Y-%m-%d", local), "process_offset": local.tm_gmtoff,
            "today": clock.today().isoformat(), "hazards": stored}


if __name__ == "__main__":
    print("RESULT " + json.dumps(main(Path(sys.argv[1])), ensure_ascii=False))
