"""The outbox at work: reports stored first, then delivered in order, whatever the network does.

Store work runs on the serial runner (one thread: no two writes overlap);
talking to the desk runs on the io runner, so queueing a new report never
waits behind a slow upload. A single-shot timer wakes the sender when the
next report is due; sign-in, the network coming back and a new report wake
it at once.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, QTimer, Signal

from client.core.errors import ClientError, StoreError, as_client_error
from client.core.models import Report
from client.core.outbox import (
    FIRST_RETRY_S,
    Attempt,
    Delivery,
    Failure,
    OutboxItem,
    OutboxSender,
    OutboxState,
    StoreRecovery,
    classify,
    resubmitted,
)
from client.core.ports import DeskPort, OutboxStore
from client.services.tasks import TaskRunner

logger = logging.getLogger(__name__)

#: Longest a timer is armed for; a later due time is re-checked then (clock changes, sleep).
MAX_TIMER_S = 300.0


@dataclass(frozen=True)
class _Recorded:
    attempt: Attempt
    items: list[OutboxItem]
    next_at: float | None


@dataclass(frozen=True)
class _Snapshot:
    items: list[OutboxItem]
    next_at: float | None
    recovery: StoreRecovery | None = None


def _as_client_error(error: Exception) -> ClientError:
    if not isinstance(error, ClientError):  # a bug of ours: keep the traceback in the log
        logger.error("outbox: unexpected error", exc_info=error)
    return as_client_error(error)


class OutboxService(QObject):
    """Keeps reports safe on disk and delivers each exactly once.

    Signals:
        items_changed(list[OutboxItem]): the reports that have not reached the desk.
        report_stored(Report, OutboxItem): a report is safe on disk.
        report_not_stored(Report, ClientError): it could not be stored (the
            dialog keeps the text and says why).
        report_delivered(OutboxItem): the desk has it (``item.ticket``).
        attempt_failed(OutboxItem, ClientError): an attempt failed; the item
            says whether it waits for a retry or was rejected.
        store_recovered(StoreRecovery): the outbox file was damaged and replaced.
        change_done(int): a report was changed or deleted as the user asked.
        change_failed(int, ClientError): it could not be (it is on its way,
            or the disk failed); the user's text is still with the caller.
    """

    items_changed = Signal(list)
    report_stored = Signal(object, object)
    report_not_stored = Signal(object, object)
    report_delivered = Signal(object)
    attempt_failed = Signal(object, object)
    store_recovered = Signal(object)
    change_done = Signal(int)
    change_failed = Signal(int, object)

    def __init__(
        self,
        serial: TaskRunner,
        io: TaskRunner,
        store: OutboxStore,
        desk: Callable[[], DeskPort | None],
        *,
        clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._serial = serial
        self._io = io
        self._store = store
        self._desk = desk
        self._clock = clock
        self._sender = OutboxSender(store, clock, rng)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.flush)
        self._busy = False
        self._again = False
        #: Reports the user is changing: not sent until they are done.
        self._held: set[int] = set()
        self.items: list[OutboxItem] = []
        #: Seconds the wake-up timer was last armed for (what tests and the log look at).
        self.next_wakeup_s: float | None = None

    # --- what the app and the windows call ----------------------------------------------------

    def start(self) -> None:
        """Pick up where the last run stopped (also after a crash), then send what is due.

        Every waiting report is due at once: while the app was not running the
        cause of a wait may have gone (rights granted, the desk's settings or
        this app updated, the network back).
        """

        def work() -> _Snapshot:
            now = self._clock()
            recovered = self._store.recover(now)
            if recovered:
                logger.warning("%d report(s) were being sent when the app stopped", recovered)
            self._store.due_now(now)
            return _Snapshot(
                self._store.items(), self._store.next_attempt_at(), self._store.recovery()
            )

        self._serial.submit(work, owner=self, on_success=self._on_started, on_error=self._on_error)

    def enqueue(self, report: Report) -> None:
        """Store ``report`` (before any network call), then send it."""
        self._serial.submit(
            lambda: (self._store.add(report, self._clock()), self._store.items()),
            owner=self,
            on_success=lambda result: self._on_stored(report, *result),
            on_error=lambda error: self.report_not_stored.emit(report, _as_client_error(error)),
        )

    def cancel(self, item_id: int) -> None:
        """Forget a report that has not reached the desk (refused while it is on its way)."""
        self._change(item_id, lambda: self._store.remove(item_id))

    def hold(self, item_id: int) -> None:
        """Do not send this report until :meth:`release` (the user is changing it)."""
        self._held.add(item_id)

    def release(self, item_id: int) -> None:
        """Send this report again when it is due."""
        self._held.discard(item_id)
        self.flush()

    def edit(self, item_id: int, subject: str, description: str) -> None:
        """Change a waiting (or rejected) report's text and send it again."""

        def work() -> None:
            item = next((i for i in self._store.items() if i.id == item_id), None)
            if item is None:
                raise StoreError(f"report {item_id} has reached the desk", code="already_sent")
            if item.state is OutboxState.SENDING:
                raise StoreError(f"report {item_id} is being sent", code="being_sent")
            if not item.editable:
                raise StoreError(f"report {item_id} may be at the desk", code="maybe_sent")
            try:
                changed = resubmitted(item, subject, description, self._clock())
                self._store.save(changed, expect=item.state)
            except StoreError as error:
                if error.code != "gone":
                    raise
                # Claimed by another process a moment ago.
                raise StoreError(f"report {item_id} is being sent", code="being_sent") from error

        self._change(item_id, work)

    def retry_now(self) -> None:
        """Try the waiting reports now: the user asked, or the desk is back."""
        self._serial.submit(
            lambda: (self._store.due_now(self._clock()), self._store.items())[1],
            owner=self,
            on_success=self._on_changed,
            on_error=self._on_error,
        )

    @property
    def can_send(self) -> bool:
        """Whether there is a desk to send to (the user is signed in)."""
        return self._desk() is not None

    def flush(self) -> None:
        """Send what is due, one report at a time, oldest first."""
        if self._busy:
            self._again = True
            return
        desk = self._desk()
        if desk is None:
            return  # signed out: flushed again on sign-in
        self._busy, self._again = True, False
        self._timer.stop()
        held = frozenset(self._held)
        self._serial.submit(
            lambda: self._sender.claim(held),
            owner=self,
            on_success=lambda claimed: self._on_claimed(claimed, desk),
            on_error=self._on_flush_error,
        )

    # --- the steps ----------------------------------------------------------------------------

    def _on_claimed(self, claimed: tuple[OutboxItem, Report] | None, desk: DeskPort) -> None:
        if claimed is None:
            self._finish_flush()
            return
        item, report = claimed
        self.items = [item if i.id == item.id else i for i in self.items]
        self.items_changed.emit(self.items)
        self._io.submit(
            lambda: self._sender.deliver(item, report, desk),
            owner=self,
            on_success=lambda ticket: self._record(item, ticket),
            on_error=lambda error: self._record(item, error),
        )

    def _record(self, item: OutboxItem, outcome: Delivery | Exception) -> None:
        held = frozenset(self._held)

        def work() -> _Recorded:
            attempt = self._sender.record(item, outcome)
            return _Recorded(attempt, self._store.items(), self._store.next_attempt_at(held))

        def failed(error: Exception) -> None:
            # The outcome could not be stored (disk full?): the item stays
            # "sending" and is released, to be looked up first, when its claim
            # runs out. Until then the user hears what happened.
            self.attempt_failed.emit(item, _as_client_error(error))
            self._on_flush_error(error)

        self._serial.submit(work, owner=self, on_success=self._on_recorded, on_error=failed)

    def _on_recorded(self, recorded: _Recorded) -> None:
        attempt = recorded.attempt
        self._set_items(recorded.items)
        if attempt.error is None:
            self.report_delivered.emit(attempt.item)
        else:
            self.attempt_failed.emit(attempt.item, _as_client_error(attempt.error))
        self._busy = False
        keep_going = attempt.error is None or classify(attempt.error) is Failure.REJECTED
        if keep_going or self._again:
            self.flush()  # the next report may be due right away
        else:
            self._arm(recorded.next_at)

    def _finish_flush(self) -> None:
        self._busy = False
        if self._again:
            self.flush()
            return
        held = frozenset(self._held)
        self._serial.submit(
            lambda: self._store.next_attempt_at(held),
            owner=self,
            on_success=self._arm,
            on_error=self._on_error,
        )

    def _on_flush_error(self, error: Exception) -> None:
        self._busy = False
        self._on_error(error)
        if self._again:
            self.flush()
        else:  # try again later rather than never
            self._arm(self._clock() + FIRST_RETRY_S)

    # --- results ------------------------------------------------------------------------------

    def _on_started(self, snapshot: _Snapshot) -> None:
        self._set_items(snapshot.items)
        if snapshot.recovery is not None:
            self.store_recovered.emit(snapshot.recovery)
        self.flush()
        self._arm(snapshot.next_at)

    def _on_stored(self, report: Report, item: OutboxItem, items: list[OutboxItem]) -> None:
        logger.info("report %s stored (%d attachment(s))", report.key, len(report.attachments))
        self._set_items(items)
        self.report_stored.emit(report, item)
        self.flush()

    def _change(self, item_id: int, work: Callable[[], object]) -> None:
        def run() -> list[OutboxItem]:
            work()
            return self._store.items()

        def done(items: list[OutboxItem]) -> None:
            self._on_changed(items)
            self.change_done.emit(item_id)

        def failed(error: Exception) -> None:
            self._on_error(error)
            self.change_failed.emit(item_id, _as_client_error(error))

        self._serial.submit(run, owner=self, on_success=done, on_error=failed)

    def _on_changed(self, items: list[OutboxItem]) -> None:
        self._set_items(items)
        self.flush()

    def _set_items(self, items: list[OutboxItem]) -> None:
        if items != self.items:
            self.items = items
            self.items_changed.emit(items)

    def _on_error(self, error: Exception) -> None:
        logger.error("outbox: %s", _as_client_error(error).detail)

    def _arm(self, next_at: float | None) -> None:
        if next_at is None or self._busy:
            return
        delay = min(max(next_at - self._clock(), 0.0), MAX_TIMER_S)
        self.next_wakeup_s = delay
        self._timer.start(int(delay * 1000))
