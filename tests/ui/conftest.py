"""GUI test fixtures: a Qt warning fails the test, modal dialogs never block, app state at hand."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QtMsgType, qInstallMessageHandler

from desktop.config import Config
from desktop.services import agency
from desktop.ui import dialogs, i18n, pdf_viewer
from desktop.ui.app_state import AppState
from desktop.ui.resources import ensure_chinese_font

from . import shots

# Said by the offscreen platform plugin itself whenever a window is shown; not our code.
PLATFORM_NOISE = ("This plugin does not support propagateSizeHints()",)
FAILING = (QtMsgType.QtWarningMsg, QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # our handler below is stricter than pytest-qt's capture and must not be replaced by it
    for item in items:
        if "tests/ui/" in item.nodeid.replace("\\", "/"):
            item.add_marker(pytest.mark.no_qt_log)


@pytest.fixture(scope="session", autouse=True)
def _screenshot_folder(tmp_path_factory):
    """Screenshots go to $RISKDESK_SCREENSHOTS when set, else into this run's temporary folder."""
    wanted = os.environ.get("RISKDESK_SCREENSHOTS")
    shots.use(Path(wanted) if wanted else tmp_path_factory.mktemp("screenshots"))


@dataclass
class QtWarnings:
    records: list[str] = field(default_factory=list)
    previous: Any = None

    def handle(self, kind: QtMsgType, context: Any, message: str) -> None:
        if kind in FAILING and not message.startswith(PLATFORM_NOISE):
            where = f" ({context.file}:{context.line})" if context and context.file else ""
            self.records.append(f"{kind.name}: {message}{where}")

    def take(self) -> list[str]:
        taken, self.records = self.records, []
        return taken


@pytest.fixture(autouse=True)
def qt_warnings():
    """Record Qt warnings through setup, test and teardown; any left over fail the test."""
    recorder = QtWarnings()
    recorder.previous = qInstallMessageHandler(recorder.handle)
    yield recorder
    qInstallMessageHandler(recorder.previous)
    if recorder.records:
        pytest.fail("Qt warnings during the test:\n" + "\n".join(recorder.records), pytrace=False)


@dataclass
class DialogLog:
    """Stands in for desktop.ui.dialogs: records messages, answers questions, runs dialogs."""

    calls: list[tuple[str, str, str]] = field(default_factory=list)
    answer: bool = True
    folder: str = ""  # what choose_folder returns ("" = cancelled)
    on_run: Any = None  # set by a test that expects a modal dialog: fn(dialog) -> bool
    viewers: list[Any] = field(default_factory=list)  # PDF viewers the app opened

    def _record(self, kind: str, title: str, text: str) -> None:
        self.calls.append((kind, title, text))

    def kinds(self) -> list[str]:
        return [c[0] for c in self.calls]

    def texts(self, kind: str) -> list[str]:
        return [c[2] for c in self.calls if c[0] == kind]

    def run(self, dialog: Any) -> bool:
        if self.on_run is None:
            raise AssertionError(f"unexpected modal dialog: {type(dialog).__name__}")
        return bool(self.on_run(dialog))


@pytest.fixture(autouse=True)
def dialog_log(monkeypatch):
    log = DialogLog()

    def ask(_parent, title, text):  # type: ignore[no-untyped-def]
        log._record("ask", title, text)
        return log.answer

    monkeypatch.setattr(dialogs, "ask", ask)
    for kind in ("inform", "warn", "about"):
        monkeypatch.setattr(dialogs, kind,
                            lambda _p, title, text, k=kind: log._record(k, title, text))
    monkeypatch.setattr(dialogs, "error",
                        lambda _p, title, text, details="": log._record("error", title, text))
    monkeypatch.setattr(dialogs, "run", log.run)

    def choose_folder(_parent, title, start):  # type: ignore[no-untyped-def]
        log._record("choose_folder", title, start)
        return log.folder

    monkeypatch.setattr(dialogs, "choose_folder", choose_folder)
    # the print dialog and the print preview are modal too
    monkeypatch.setattr(pdf_viewer, "run_print_dialog", log.run)
    monkeypatch.setattr(pdf_viewer, "run_preview", log.run)
    monkeypatch.setattr(pdf_viewer, "present", log.viewers.append)  # kept, not shown
    return log


@pytest.fixture(scope="session", autouse=True)
def _chinese_font(qapp):
    ensure_chinese_font(qapp)


@pytest.fixture(autouse=True)
def _chinese_interface():
    """Every test starts with the source language (no translator installed)."""
    i18n.uninstall_translators()
    yield
    i18n.uninstall_translators()


@pytest.fixture
def config(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    return Config.load(folder)


@pytest.fixture
def agency_profile(db, admin):
    """A set-up agency: profile plus the administrator from the `users` fixture."""
    with db.session() as session:
        return agency.setup_agency(session, name="绍兴市安信建设风控服务有限公司", short_name="安信风控",
                                   address="浙江省绍兴市越城区人民中路 100 号", phone="0575-88001234")


HAZARDS = [  # (days ago, level, location, description)
    (40, 3, "3#楼 5 层临边", "临边防护栏杆缺失"),
    (30, 2, "基坑北侧", "基坑周边堆载超过设计荷载"),
    (25, 4, "生活区", "灭火器压力不足"),
    (20, 1, "塔吊 2#", "塔吊起重力矩限制器失效"),
    (12, 3, "1#楼 8 层", "卸料平台未设限载标识"),
    (8, 2, "脚手架东立面", "连墙件间距过大"),
    (5, 4, "钢筋加工棚", "电箱门未上锁"),
    (1, 3, "2#楼电梯井", "电梯井口防护门缺失"),
]


@pytest.fixture
def hazard_data(db, admin, agency_profile):
    """One project with eight hazards of every level, some past their deadline."""
    import datetime as dt

    from desktop.services import hazards
    from desktop.services.context import now
    from tests.factories import make_project

    with db.session() as session:
        ids = make_project(session, admin)
        for days, level, location, description in HAZARDS:
            found = now() - dt.timedelta(days=days)
            hazards.record(session, admin, hazards.HazardForm(
                project_id=ids.project, description=description, level=level, location=location,
                category="高处坠落" if "临边" in description else "",
                measures="立即整改并复查", contingency="设警戒区" if level <= 2 else "",
                stop_work="partial" if level == 1 else "none", found_at=found))
    return ids


@pytest.fixture
def state(qapp, db, admin, config):
    return AppState(db=db, config=config, actor=admin)
