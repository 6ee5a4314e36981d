"""The tray's first second (client/start.py): the icon, then the app, built once.

Each case runs ``client.start.run`` in a fresh process (offscreen, a home of its
own) with ``client.app.assemble`` replaced by a stand-in that says what it was
asked, so that what ``run`` does around it is seen: when the app is built, how
often, what happens to the employee's first click, and what a failure does.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QSystemTrayIcon
import client.app, client.start

events = []
QSystemTrayIcon.isSystemTrayAvailable = staticmethod(lambda: {tray_host})


class Windows:
    def show_home(self):
        events.append("panel")


class App:
    windows = Windows()

    def start(self):
        events.append("started")


def assemble(qapp, tray, *rest):
    events.append("assemble")
    if {fails}:
        raise RuntimeError("the app could not be built")
    tray.report_requested.connect(lambda: events.append("report"))
    tray.quit_requested.connect(qapp.quit)
    QTimer.singleShot(1200, tray.quit_requested.emit)  # past the longest wait for a drawing
    return App()


class Tray(client.start.TrayIcon):
    def show(self):
        super().show()
        if {click_at_once}:
            self.report_requested.emit()  # before the app is built: the click must not be lost


client.app.assemble = assemble
client.start.TrayIcon = Tray
code = client.start.run(["helpdesk-tray"], {environ!r})
print(code, events)
"""


def _run(tmp_path: Path, *, tray_host: bool, fails: bool = False, click: bool = False) -> str:
    environ = {
        "HELPDESK_TRAY_HOME": str(tmp_path / "home"),
        "HELPDESK_TRAY_POLICY": str(tmp_path / "none.toml"),
        "QT_QPA_PLATFORM": "offscreen",
        "USER": "anna",
    }
    code = SCRIPT.format(tray_host=tray_host, fails=fails, click_at_once=click, environ=environ)
    env = {**os.environ, **environ}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    lines = result.stdout.strip().splitlines()
    return lines[-1] if lines else f"exit {result.returncode}"


def test_an_icon_no_host_draws_gets_its_app_once_after_the_longest_wait(tmp_path: Path) -> None:
    # Offscreen nothing draws the icon: the app is built when the wait ends, and only then.
    assert _run(tmp_path, tray_host=True) == "0 ['assemble', 'started']"


def test_a_click_before_the_app_is_built_builds_it_and_is_not_lost(tmp_path: Path) -> None:
    assert _run(tmp_path, tray_host=True, click=True) == "0 ['assemble', 'started', 'report']"


def test_without_a_tray_host_the_app_is_built_at_once(tmp_path: Path) -> None:
    assert _run(tmp_path, tray_host=False) == "0 ['assemble', 'started']"


@pytest.mark.parametrize("tray_host", [True, False])
def test_an_app_that_cannot_be_built_ends_the_process_not_a_silent_icon(
    tmp_path: Path, tray_host: bool
) -> None:
    # Not an icon that looks alive and does nothing: tried once, logged, the process ends.
    outcome = _run(tmp_path, tray_host=tray_host, fails=True)
    # From the event loop, run returns 1; before it, the error leaves run (exit code 1).
    assert outcome == ("1 ['assemble']" if tray_host else "exit 1")
    log = (tmp_path / "home").rglob("*.log")
    assert any("the app could not be built" in p.read_text() for p in log)
