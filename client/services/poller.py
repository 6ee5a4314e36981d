"""Watching the user's tickets: one poll at a time, re-armed after each result, backing off."""

from __future__ import annotations

import enum
import logging
import random
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from client.core.errors import AuthFailed, ClientError, Unavailable
from client.core.models import Cursor, TicketRef, TicketSummary
from client.core.ports import DeskPort
from client.core.tracking import diff
from client.services.tasks import TaskRunner

logger = logging.getLogger(__name__)


class ConnectionState(enum.Enum):
    """Whether the desk answered the last poll."""

    UNKNOWN = "unknown"
    ONLINE = "online"
    OFFLINE = "offline"


class TicketPoller(QObject):
    """Asks the desk what changed, on a single-shot timer re-armed after every result.

    Never two polls in flight; fast while someone is looking, slow otherwise;
    exponential backoff with jitter while the desk is away.

    Signals:
        snapshot_updated(): the ticket list changed in any way (also the first load).
        tickets_changed(list[TicketChange]): what changed since the previous snapshot
            (never for the first snapshot: that is not news).
        connection_state_changed(ConnectionState): emitted on a change only.
        credential_rejected(): the desk refused the credential; polling stopped.
    """

    snapshot_updated = Signal()
    tickets_changed = Signal(list)
    connection_state_changed = Signal(object)
    credential_rejected = Signal()

    def __init__(
        self,
        runner: TaskRunner,
        *,
        slow_interval_s: float,
        fast_interval_s: float = 20.0,
        min_gap_s: float = 5.0,
        backoff_start_s: float = 15.0,
        backoff_max_s: float = 600.0,
        jitter: float = 0.1,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._slow = slow_interval_s
        self._fast_interval = fast_interval_s
        self._min_gap = min_gap_s
        self._backoff_start = backoff_start_s
        self._backoff_max = backoff_max_s
        self._jitter = jitter
        self._clock = clock
        self._rng = rng or random.Random()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._desk: DeskPort | None = None
        self._generation = 0
        self._in_flight = False
        self._fast = False
        self._failures = 0
        self._last_started: float | None = None
        self._cursor: Cursor | None = None
        self._snapshot: dict[TicketRef, TicketSummary] = {}
        self._loaded = False
        self.state = ConnectionState.UNKNOWN
        self.last_error: ClientError | None = None
        #: Seconds the timer was last armed for (what tests and the log look at).
        self.next_delay_s: float | None = None

    @property
    def tickets(self) -> list[TicketSummary]:
        """The user's tickets, most recently changed first."""
        return sorted(self._snapshot.values(), key=lambda t: t.updated, reverse=True)

    @property
    def loaded(self) -> bool:
        """Whether at least one poll succeeded since :meth:`start`."""
        return self._loaded

    def start(self, desk: DeskPort) -> None:
        """Watch ``desk`` from scratch and poll at once."""
        self.stop()
        self._desk = desk
        self.poll_now(force=True)

    def stop(self) -> None:
        """Stop watching; a poll still in flight is ignored when it returns."""
        self._generation += 1
        self._timer.stop()
        self._desk = None
        self._in_flight = False
        self._failures = 0
        self._cursor = None
        self._snapshot = {}
        self._loaded = False
        self._set_state(ConnectionState.UNKNOWN)

    def set_fast(self, fast: bool) -> None:
        """Poll often while the user is looking at their tickets."""
        if fast == self._fast:
            return
        self._fast = fast
        if fast and self.poll_now():
            return
        if self._in_flight or self._desk is None or self._failures:
            return  # the running poll, or the backoff, arms the timer itself
        since = 0.0 if self._last_started is None else self._clock() - self._last_started
        self._arm(max(self._interval() - since, 1.0))

    def poll_now(self, *, force: bool = False) -> bool:
        """Poll now unless one is in flight or (unless forced) one just started.

        Returns whether a poll was started.
        """
        if self._desk is None or self._in_flight:
            return False
        now = self._clock()
        if (
            not force
            and self._last_started is not None
            and now - self._last_started < self._min_gap
        ):
            return False
        self._timer.stop()
        self._in_flight = True
        self._last_started = now
        desk, cursor, generation = self._desk, self._cursor, self._generation
        self._runner.submit(
            lambda: desk.changed_tickets(cursor),
            owner=self,
            on_success=lambda result: self._on_polled(generation, result),
            on_error=lambda error: self._on_poll_failed(generation, error),
        )
        return True

    def _on_timer_timeout(self) -> None:
        self.poll_now(force=True)

    def _on_polled(self, generation: int, result: tuple[list[TicketSummary], Cursor]) -> None:
        if generation != self._generation:
            return
        self._in_flight = False
        changed, cursor = result
        self._cursor = cursor
        self._failures = 0
        self.last_error = None
        previous = dict(self._snapshot)
        for summary in changed:
            self._snapshot[summary.ref] = summary
        first = not self._loaded
        self._loaded = True
        self._set_state(ConnectionState.ONLINE)
        changes = [] if first else diff(previous, self._snapshot)
        if first:
            logger.info("%d ticket(s) loaded", len(self._snapshot))
        if first or changes:
            self.snapshot_updated.emit()
        if changes:
            logger.info("%d ticket change(s)", len(changes))
            self.tickets_changed.emit(changes)
        self._arm(self._interval())

    def _on_poll_failed(self, generation: int, error: Exception) -> None:
        if generation != self._generation:
            return
        self._in_flight = False
        if isinstance(error, AuthFailed):
            logger.warning("the desk refused the credential; polling stopped")
            self.last_error = error
            self.stop()
            self.credential_rejected.emit()
            return
        if not isinstance(error, ClientError):
            logger.error("poll failed unexpectedly", exc_info=error)
            error = ClientError(str(error))
        self.last_error = error
        self._failures += 1
        delay = min(self._backoff_start * 2 ** (self._failures - 1), self._backoff_max)
        if isinstance(error, Unavailable) and error.retry_after:
            delay = max(delay, error.retry_after)
        if self._failures == 1 or self.state is not ConnectionState.OFFLINE:
            logger.warning("the desk is not answering (%s: %s)", error.code, error.detail)
        self._set_state(ConnectionState.OFFLINE)
        self._arm(delay)

    def _interval(self) -> float:
        return self._fast_interval if self._fast else self._slow

    def _arm(self, seconds: float) -> None:
        spread = seconds * self._jitter
        delay = max(1.0, seconds + self._rng.uniform(-spread, spread))
        self.next_delay_s = delay
        self._timer.start(int(delay * 1000))

    def _set_state(self, state: ConnectionState) -> None:
        if state is not self.state:
            self.state = state
            self.connection_state_changed.emit(state)
