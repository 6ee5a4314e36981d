"""One instance per session; a second launch knocks and the first shows itself."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtWidgets import QApplication

from client.services.single_instance import SingleInstance, private_folder


@pytest.fixture
def name() -> str:
    return f"helpdesk-tray-test-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def first(qapp: object, name: str) -> Iterator[SingleInstance]:
    instance = SingleInstance(name)
    assert instance.acquire()
    yield instance
    instance.release()


def test_the_second_instance_knocks_and_leaves(
    qtbot: QtBot, first: SingleInstance, name: str
) -> None:
    with qtbot.waitSignal(first.activation_requested, timeout=3000):
        assert not SingleInstance(name).acquire()


def test_nobody_running_means_no_knock_is_answered(qapp: QApplication, name: str) -> None:
    lonely = SingleInstance(name)
    assert not lonely.notify_running()
    assert lonely.acquire()
    lonely.release()


def test_a_knock_that_is_not_the_message_is_ignored(
    qtbot: QtBot, first: SingleInstance, name: str
) -> None:
    with qtbot.assertNotEmitted(first.activation_requested, wait=200):
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as other:
            other.connect(str(private_folder() / f"{name}.sock"))
            other.sendall(b"hack\n")


def test_after_release_the_next_launch_becomes_the_instance(
    qapp: QApplication, first: SingleInstance, name: str
) -> None:
    first.release()
    second = SingleInstance(name)
    assert second.acquire()
    second.release()


def test_only_the_user_can_reach_the_lock_and_the_socket(
    qapp: QApplication, first: SingleInstance, name: str
) -> None:
    folder = private_folder()
    assert folder.stat().st_mode & 0o777 == 0o700
    assert (folder / f"{name}.sock").exists() and (folder / f"{name}.lock").exists()


def test_a_stale_socket_from_a_crash_does_not_block_the_next_start(
    qapp: QApplication, name: str
) -> None:
    stale = private_folder() / f"{name}.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as dead:
        dead.bind(str(stale))  # bound, then closed without unlinking: what a crash leaves
    instance = SingleInstance(name)
    assert instance.acquire()
    instance.release()


def test_two_launches_at_the_same_moment_make_one_instance(qapp: QApplication, name: str) -> None:
    import subprocess
    import sys

    code = (
        "import sys; from PySide6.QtCore import QCoreApplication;"
        "from client.services.single_instance import SingleInstance;"
        "app = QCoreApplication([]); s = SingleInstance(sys.argv[1]);"
        "print(s.acquire(), flush=True); sys.stdin.read()"
    )
    children = [
        subprocess.Popen(
            [sys.executable, "-c", code, name],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    answers = [child.stdout.readline().strip() for child in children]  # type: ignore[union-attr]
    for child in children:
        child.communicate("")
    assert sorted(answers) == ["False", "False", "False", "True"]
