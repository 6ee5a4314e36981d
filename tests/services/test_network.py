"""The network listener opens once, however often the desk goes away while it opens."""

from __future__ import annotations

import socket

from PySide6.QtWidgets import QApplication

from client.services.network import NetworkMonitor
from tests.fakes import ManualRunner


class _Watch:
    online = False

    def __init__(self) -> None:
        self.closed = False
        self._ends = socket.socketpair()  # a socket to watch, that never speaks

    def fileno(self) -> int:
        return self._ends[0].fileno()

    def read(self) -> list[bool]:
        return []

    def close(self) -> None:
        self.closed = True
        for end in self._ends:
            end.close()


def test_it_opens_one_listener_while_one_is_on_its_way(qapp: QApplication) -> None:
    opened: list[_Watch] = []

    def open_watch() -> _Watch:
        opened.append(_Watch())
        return opened[-1]

    runner = ManualRunner()
    monitor = NetworkMonitor(runner, open_watch)
    monitor.start()
    monitor.start()  # the desk went away again before the system bus answered
    assert len(runner.jobs) == 1
    runner.finish_next()
    assert monitor.listening and len(opened) == 1
    monitor.start()
    assert runner.jobs == []
    monitor.close()
    assert opened[0].closed and not monitor.listening
