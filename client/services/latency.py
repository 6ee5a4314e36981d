"""How long the GUI thread's event loop goes without running: the tray's responsiveness.

A precise timer asks to run every few milliseconds. When it runs late, the
loop was busy with something else for that long: a click, a repaint, a
notification would have waited as long. The tests and benchmarks use this to
show that no network fault ever blocks the GUI thread; in the field,
``HELPDESK_TRAY_WATCH_LOOP=1`` logs every stall over the threshold, so a
report that "the tray froze" comes with numbers.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal

logger = logging.getLogger(__name__)

#: Blocked longer than this, the user notices (the budget in architecture §12).
STALL_THRESHOLD_MS = 50.0


class EventLoopMonitor(QObject):
    """Measures how late the event loop runs a short periodic timer.

    Signals:
        stalled(float): the loop was blocked longer than the threshold (ms).
    """

    stalled = Signal(float)

    def __init__(
        self,
        interval_ms: int = 10,
        threshold_ms: float = STALL_THRESHOLD_MS,
        *,
        clock: Callable[[], float] = time.perf_counter,
        keep_samples: bool = False,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._interval_ms = interval_ms
        self._threshold_ms = threshold_ms
        self._clock = clock
        self._keep_samples = keep_samples
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._last = 0.0
        self.max_stall_ms = 0.0
        self.ticks = 0
        #: Every tick's lateness in ms (only with ``keep_samples``, for percentiles).
        self.samples: list[float] = []

    def start(self) -> None:
        """Start measuring (from zero)."""
        self.reset()
        self._timer.start()

    def stop(self) -> None:
        """Stop measuring; the figures stay readable."""
        self._timer.stop()

    def reset(self) -> None:
        """Forget what was measured so far."""
        self._last = self._clock()
        self.max_stall_ms = 0.0
        self.ticks = 0
        self.samples = []

    def _on_timer_timeout(self) -> None:
        now = self._clock()
        late_ms = max((now - self._last) * 1000.0 - self._interval_ms, 0.0)
        self._last = now
        self.ticks += 1
        if self._keep_samples:
            self.samples.append(late_ms)
        self.max_stall_ms = max(self.max_stall_ms, late_ms)
        if late_ms > self._threshold_ms:
            logger.warning("the event loop was blocked for %.0f ms", late_ms)
            self.stalled.emit(late_ms)
