"""One instance per session; a second launch knocks and the first shows itself."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator

import pytest

from client.services.single_instance import SingleInstance, _address


@pytest.fixture
def name() -> str:
    return f"helpdesk-tray-test-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def first(qapp: object, name: str) -> Iterator[SingleInstance]:
    instance = SingleInstance(name)
    assert instance.acquire()
    yield instance
    instance.release()


def test_the_second_instance_knocks_and_leaves(qtbot, first: SingleInstance, name: str) -> None:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(first.activation_requested, timeout=3000):
        assert not SingleInstance(name).acquire()


def test_nobody_running_means_no_knock_is_answered(qapp, name: str) -> None:  # type: ignore[no-untyped-def]
    lonely = SingleInstance(name)
    assert not lonely.notify_running()
    assert lonely.acquire()
    lonely.release()


def test_a_knock_that_is_not_the_message_is_ignored(
    qtbot, first: SingleInstance, name: str
) -> None:  # type: ignore[no-untyped-def]
    with qtbot.assertNotEmitted(first.activation_requested, wait=200):
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as other:
            other.connect(_address(name))
            other.sendall(b"hack\n")


def test_after_release_the_next_launch_becomes_the_instance(
    qapp, first: SingleInstance, name: str
) -> None:  # type: ignore[no-untyped-def]
    first.release()
    second = SingleInstance(name)
    assert second.acquire()
    second.release()
