"""Unexpected errors: logged, signalled once per fingerprint, early ones kept."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import pytest

from client.core.crash import CrashInfo
from client.services.crash import CrashHandler


def _fail(message: str) -> None:
    raise KeyError(message)


def _report(handler: CrashHandler, message: str) -> None:
    try:
        _fail(message)
    except KeyError:
        handler.report(*sys.exc_info())  # type: ignore[arg-type]


def test_the_same_crash_is_shown_once(qtbot, caplog: pytest.LogCaptureFixture) -> None:  # type: ignore[no-untyped-def]
    handler = CrashHandler()
    handler.flush_early()
    seen: list[CrashInfo] = []
    handler.crashed.connect(seen.append)
    _report(handler, "ticket 1")
    _report(handler, "ticket 2")
    assert len(seen) == 1
    assert sum("unexpected error" in r.getMessage() for r in caplog.records) == 2


def test_crashes_before_anyone_listens_are_delivered_later(qtbot) -> None:  # type: ignore[no-untyped-def]
    handler = CrashHandler()
    _report(handler, "early")
    seen: list[CrashInfo] = []
    handler.crashed.connect(seen.append)
    assert seen == []
    handler.flush_early()
    assert len(seen) == 1 and "early" in seen[0].summary


def test_a_crash_in_a_worker_thread_reaches_the_gui_thread(qtbot) -> None:  # type: ignore[no-untyped-def]
    handler = CrashHandler()
    handler.flush_early()
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
    assert "in a thread" in signal.args[0].summary


def test_a_hard_crash_of_the_last_run_is_picked_up(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    crash_file = tmp_path / "crash.log"
    crash_file.write_text("Fatal Python error: Segmentation fault\n")
    handler = CrashHandler()
    assert handler.enable_faulthandler(crash_file) == "Fatal Python error: Segmentation fault"
    handler.uninstall()
    assert crash_file.read_text() == ""
