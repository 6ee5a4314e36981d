"""The task runner: work on a pool, results on the GUI thread, late results dropped."""

from __future__ import annotations

import threading

from pytestqt.qtbot import QtBot

from PySide6.QtCore import QCoreApplication, QObject, QThread, QThreadPool
from PySide6.QtWidgets import QApplication

from client.services.tasks import SyncTaskRunner, TaskRunner


def test_results_come_back_on_the_gui_thread(qtbot: QtBot) -> None:
    pool = QThreadPool()
    runner = TaskRunner(pool)
    owner = QObject()
    seen: dict[str, object] = {}
    worker_thread: list[int] = []

    def work() -> int:
        worker_thread.append(threading.get_ident())
        return 42

    def done(result: int) -> None:
        seen["result"] = result
        seen["gui"] = QThread.currentThread() is owner.thread()

    runner.submit(work, owner=owner, on_success=done, on_error=lambda e: seen.update(error=e))
    qtbot.waitUntil(lambda: "result" in seen)
    assert seen == {"result": 42, "gui": True}
    assert worker_thread and worker_thread[0] != threading.get_ident()
    pool.waitForDone()


def test_errors_come_back_too(qtbot: QtBot) -> None:
    pool = QThreadPool()
    runner = TaskRunner(pool)
    owner = QObject()
    errors: list[Exception] = []

    def fail() -> None:
        raise ValueError("boom")

    runner.submit(fail, owner=owner, on_success=lambda _: None, on_error=errors.append)
    qtbot.waitUntil(lambda: bool(errors))
    assert isinstance(errors[0], ValueError)
    pool.waitForDone()


def test_a_result_for_a_destroyed_owner_is_dropped(qtbot: QtBot) -> None:
    pool = QThreadPool()
    runner = TaskRunner(pool)
    owner = QObject()
    release = threading.Event()
    delivered: list[object] = []

    def slow() -> str:
        release.wait(10)
        return "late"

    runner.submit(slow, owner=owner, on_success=delivered.append, on_error=delivered.append)
    with qtbot.waitSignal(owner.destroyed):
        owner.deleteLater()
    release.set()
    assert pool.waitForDone(5000)
    # Deliver everything already posted: a (wrongly) queued result would run now.
    QCoreApplication.sendPostedEvents()
    QCoreApplication.processEvents()
    assert delivered == []


def test_the_sync_runner_runs_inline(qapp: QApplication) -> None:
    runner = SyncTaskRunner()
    results: list[object] = []
    runner.submit(lambda: 7, owner=runner, on_success=results.append, on_error=results.append)
    assert results == [7]
