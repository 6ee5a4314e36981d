"""The Windows branch of the single instance, with the platform faked.

On Windows the instance is a named pipe through Qt's QLocalServer; on Linux the
same Qt class is a Unix-domain socket, so the branch's own logic (knock first,
else listen; read the knock; tell the app) runs for real here, only
``sys.platform`` says "win32".
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtNetwork import QLocalSocket
from PySide6.QtWidgets import QApplication

from client.services.single_instance import SingleInstance


@pytest.fixture
def windows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "win32")


@pytest.fixture
def name(tmp_path: Path) -> str:
    # A pipe name on Windows; on Linux Qt makes it a socket file, here kept in tmp_path.
    return str(tmp_path / "helpdesk-tray-pipe")


@pytest.fixture
def first(qapp: QApplication, windows: None, name: str) -> Iterator[SingleInstance]:
    instance = SingleInstance(name)
    assert instance.acquire()
    yield instance
    instance.release()


def test_the_first_instance_owns_the_pipe_and_makes_no_lock_file(
    first: SingleInstance, name: str, tmp_path: Path
) -> None:
    assert [p.name for p in tmp_path.iterdir()] == [Path(name).name]  # the pipe alone


def test_a_second_launch_knocks_on_the_pipe_and_leaves(
    qtbot: QtBot, first: SingleInstance, name: str
) -> None:
    with qtbot.waitSignal(first.activation_requested, timeout=3000):
        assert not SingleInstance(name).acquire()
    with qtbot.waitSignal(first.activation_requested, timeout=3000):
        assert SingleInstance(name).notify_running()


def test_a_knock_that_is_not_the_message_is_ignored(
    qtbot: QtBot, first: SingleInstance, name: str
) -> None:
    other = QLocalSocket()
    other.connectToServer(name)
    assert other.waitForConnected(1000)
    with qtbot.assertNotEmitted(first.activation_requested, wait=200):
        other.write(b"hack\n")
        other.waitForBytesWritten(1000)
        other.disconnectFromServer()


def test_nobody_running_means_no_knock_is_answered(
    qapp: QApplication, windows: None, name: str
) -> None:
    lonely = SingleInstance(name)
    assert not lonely.notify_running()
    assert lonely.acquire()
    lonely.release()


def test_after_release_the_next_launch_becomes_the_instance(
    qapp: QApplication, first: SingleInstance, name: str
) -> None:
    first.release()
    second = SingleInstance(name)
    assert second.acquire()
    second.release()
