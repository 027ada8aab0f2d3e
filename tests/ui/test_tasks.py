"""The task runner: results and errors come back by signal; the progress dialog cancels."""

from __future__ import annotations

import sys
import threading

import pytest
from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QPushButton

from desktop.db import DataError
from desktop.services import users
from desktop.services.context import Changes, ServiceError
from desktop.ui.tasks import Cancelled, Task, run_service, run_task


@pytest.fixture
def pool():
    pool = QThreadPool()
    yield pool
    pool.waitForDone(5000)


def test_result_comes_back_on_the_gui_thread(qtbot, pool):
    seen = {}

    def work(a, b, *, progress):
        seen["worker"] = threading.current_thread()
        progress(1, 2, "半程")
        return a + b

    results = []
    task = run_task(None, work, 2, 3, label="计算中", on_result=results.append, pool=pool)
    with qtbot.waitSignal(task.finished, timeout=5000):
        pass
    assert results == [5]
    assert seen["worker"] is not threading.main_thread()


def test_progress_reaches_the_dialog_and_cancel_stops_the_work(qtbot, pool):
    go_on = threading.Event()
    steps = []

    def work(*, progress):
        for i in range(1000):
            if not progress(i, 1000, f"第 {i} 项"):
                steps.append(i)
                raise Cancelled
            if i == 1:
                go_on.wait(5)
        return "done"

    results = []
    task = run_task(None, work, label="导出中", on_result=results.append, pool=pool)
    with qtbot.waitSignal(task.progressed, timeout=5000):
        pass
    assert task.dialog.maximum() == 1000
    with qtbot.waitSignals([task.cancelled, task.finished], timeout=5000):
        task.dialog.findChild(QPushButton).click()  # the dialog's 取消 button
        assert task.is_cancelled
        assert task.dialog.labelText() == "正在取消，请稍候…"
        go_on.set()
    assert results == [] and steps


def test_service_errors_become_one_message(qtbot, pool, dialog_log):
    def work(*, progress):
        raise ServiceError("项目已竣工，不能再登记检查。")

    task = run_task(None, work, label="保存中", pool=pool)
    with qtbot.waitSignal(task.finished, timeout=5000):
        pass
    assert dialog_log.calls == [("warn", "操作未完成", "项目已竣工，不能再登记检查。")]


def test_data_errors_are_told_in_chinese(qtbot, pool, dialog_log):
    def work(*, progress):
        raise DataError("磁盘空间已满，数据未能保存。请清理磁盘后重试。")

    task = run_task(None, work, label="保存中", pool=pool)
    with qtbot.waitSignal(task.finished, timeout=5000):
        pass
    assert dialog_log.calls == [("warn", "数据错误", "磁盘空间已满，数据未能保存。请清理磁盘后重试。")]


def test_a_bug_goes_to_the_crash_path(qtbot, pool, monkeypatch):
    hooked = []
    monkeypatch.setattr(sys, "excepthook", lambda *info: hooked.append(info[1]))

    def work(*, progress):
        raise KeyError("oops")

    task = run_task(None, work, label="处理中", pool=pool)
    with qtbot.waitSignal(task.finished, timeout=5000):
        pass
    assert len(hooked) == 1 and isinstance(hooked[0], KeyError)


def test_a_custom_error_handler_replaces_the_message(qtbot, pool, dialog_log):
    failures = []
    task = run_task(None, lambda *, progress: 1 / 0, label="x", on_error=failures.append, pool=pool)
    with qtbot.waitSignal(task.finished, timeout=5000):
        pass
    assert isinstance(failures[0], ZeroDivisionError) and dialog_log.calls == []


def test_run_service_writes_in_its_own_session_and_announces(qtbot, pool, state):
    created = []
    announced = []
    state.changed.connect(announced.append)
    task = run_service(None, state, users.create_user, label="创建用户", pool=pool,
                       changes=Changes(users=True), on_result=created.append,
                       username="zhang", display_name="张工", role="inspector",
                       password="Zhang-Gong-12345")
    with qtbot.waitSignal(task.finished, timeout=5000):
        pass
    assert created[0].username == "zhang"
    assert announced and announced[0].users
    names = state.read(users.list_users, state.actor)
    assert "zhang" in [u.username for u in names]


def test_run_service_passes_progress_to_services_that_take_it(qtbot, pool, state):
    def count_users(session, *, progress):
        progress(1, 1, "")
        return users.count(session)

    results = []
    task = run_service(None, state, count_users, label="统计", write=False, pool=pool,
                       on_result=results.append)
    with qtbot.waitSignal(task.finished, timeout=5000):
        pass
    assert results == [state.read(users.count)]


def test_a_task_object_can_run_without_a_dialog(qtbot, pool):
    task = Task(lambda x, *, progress: x * 2, 21)
    with qtbot.waitSignal(task.succeeded, timeout=5000) as blocker:
        task.start(pool)
    assert blocker.args == [42]
