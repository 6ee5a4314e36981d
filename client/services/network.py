"""Whether the network is up, as the operating system says: a poll and a retry when it returns."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QSocketNotifier, Signal, Slot

from client.core.ports import NetworkWatch
from client.services.tasks import TaskRunner

logger = logging.getLogger(__name__)


class NetworkMonitor(QObject):
    """Listens to the system's network state (``open_watch`` runs on ``runner``).

    Without a watch (no NetworkManager, another OS) it stays silent and the
    poller's schedule and backoff find the desk again by themselves.

    Signals:
        online_changed(bool): the network went away (``False``) or came back (``True``).
    """

    online_changed = Signal(bool)

    def __init__(
        self,
        runner: TaskRunner,
        open_watch: Callable[[], NetworkWatch] | None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._open_watch = open_watch
        self._watch: NetworkWatch | None = None
        self._notifier: QSocketNotifier | None = None
        self._opening = False

    @property
    def listening(self) -> bool:
        """Whether the system's word on the network reaches us."""
        return self._watch is not None

    def start(self) -> None:
        """Start listening (in the background); once, however often the desk goes away."""
        if self._open_watch is None or self._watch is not None or self._opening:
            return
        self._opening = True
        self._runner.submit(
            self._open_watch, owner=self, on_success=self._on_opened, on_error=self._on_failed
        )

    def close(self) -> None:
        """Stop listening (at quit)."""
        if self._notifier is not None:
            self._notifier.setEnabled(False)
            self._notifier.deleteLater()
            self._notifier = None
        if self._watch is not None:
            self._watch.close()
            self._watch = None

    def _on_opened(self, watch: NetworkWatch) -> None:
        self._opening = False
        self._watch = watch
        self._notifier = QSocketNotifier(watch.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._on_readable)
        logger.info("network state from the system: %s", "up" if watch.online else "down")

    def _on_failed(self, error: Exception) -> None:
        self._opening = False
        logger.info("no word from the system on the network (%s); polling on schedule", error)

    @Slot()
    def _on_readable(self) -> None:
        if self._watch is None:
            return
        try:
            changes = self._watch.read()
        except (ConnectionError, OSError) as error:
            logger.info("lost the system's word on the network: %s", error)
            self.close()
            return
        for online in changes:
            logger.info("the network is %s", "back" if online else "gone")
            self.online_changed.emit(online)
