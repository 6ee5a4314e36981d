"""Unexpected errors: logged, signalled once per fingerprint, early ones kept."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import QThread

from client.core.crash import CrashInfo
from client.core.redact import Redactor
from client.services.crash import CrashHandler


def _fail(message: str) -> None:
    raise KeyError(message)


def _report(handler: CrashHandler, message: str) -> None:
    try:
        _fail(message)
    except KeyError:
        handler.report(*sys.exc_info())


def test_the_same_crash_is_shown_once(qtbot: QtBot, caplog: pytest.LogCaptureFixture) -> None:
    handler = CrashHandler()
    handler.flush_early()
    seen: list[CrashInfo] = []
    handler.crashed.connect(seen.append)
    _report(handler, "ticket 1")
    _report(handler, "ticket 2")
    assert len(seen) == 1
    assert sum("unexpected error" in r.getMessage() for r in caplog.records) == 2


def test_crashes_before_anyone_listens_are_delivered_later(qtbot: QtBot) -> None:
    handler = CrashHandler()
    _report(handler, "early")
    seen: list[CrashInfo] = []
    handler.crashed.connect(seen.append)
    assert seen == []
    handler.flush_early()
    assert len(seen) == 1 and "early" in seen[0].summary


def test_a_crash_in_a_worker_thread_reaches_the_gui_thread(qtbot: QtBot) -> None:
    handler = CrashHandler()
    handler.flush_early()
    threads: list[bool] = []
    handler.crashed.connect(
        lambda _info: threads.append(QThread.currentThread() is handler.thread())
    )
    previous = threading.excepthook
    handler.install()
    try:
        with qtbot.waitSignal(handler.crashed, timeout=3000) as signal:
            thread = threading.Thread(target=_fail, args=("in a thread",))
            thread.start()
            thread.join()
    finally:
        handler.uninstall()
    assert threading.excepthook is previous
    assert threads == [True], "delivered on the GUI thread"
    assert "in a thread" in signal.args[0].summary


def test_a_hard_crash_of_the_last_run_is_picked_up(qtbot: QtBot, tmp_path: Path) -> None:
    crash_file = tmp_path / "crash.log"
    crash_file.write_text("Fatal Python error: Segmentation fault\n")
    handler = CrashHandler()
    assert handler.enable_faulthandler(crash_file) == "Fatal Python error: Segmentation fault"
    handler.uninstall()
    assert crash_file.read_text() == ""


def test_secrets_are_masked_in_what_the_user_sees(qtbot: QtBot) -> None:
    redactor = Redactor(["tok-9f8e7d6c5b4a3928"])
    handler = CrashHandler(redactor)
    handler.flush_early()
    seen: list[CrashInfo] = []
    handler.crashed.connect(seen.append)
    try:
        raise RuntimeError("request with tok-9f8e7d6c5b4a3928 failed")
    except RuntimeError:
        handler.report(*sys.exc_info())
    assert "tok-9f8e7d6c5b4a3928" not in seen[0].details + seen[0].summary
