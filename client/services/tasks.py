"""The only code that touches threads: run a callable on a pool, get the result back on the GUI."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

logger = logging.getLogger(__name__)

T = TypeVar("T")


def call(fn: Callable[[], T]) -> tuple[T | None, Exception | None]:
    """Run ``fn``; its result, or the exception it raised (handed on, never swallowed)."""
    try:
        return fn(), None
    except Exception as exc:
        return None, exc


class _Delivery(QObject):
    """Carries one worker result back to the GUI thread, then deletes itself.

    Signals:
        finished(result, error): emitted from the worker; delivered queued.
    """

    finished = Signal(object, object)

    def __init__(
        self,
        owner: QObject,
        on_success: Callable[[Any], None],
        on_error: Callable[[Exception], None],
    ) -> None:
        super().__init__(owner)  # dies with its owner: a late result is dropped
        self._on_success = on_success
        self._on_error = on_error
        self.finished.connect(self._deliver)

    @Slot(object, object)
    def _deliver(self, result: Any, error: Exception | None) -> None:
        try:
            if error is None:
                self._on_success(result)
            else:
                self._on_error(error)
        finally:
            self.deleteLater()


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], Any], delivery: _Delivery) -> None:
        super().__init__()
        self._fn = fn
        self._delivery = delivery

    def run(self) -> None:  # worker thread
        result, error = call(self._fn)
        try:
            self._delivery.finished.emit(result, error)
        except RuntimeError:  # owner (and so the delivery) already destroyed
            logger.debug("result of %r dropped: its owner is gone", self._fn)


class TaskRunner(QObject):
    """Runs plain callables on a thread pool and calls back on the GUI thread.

    The app makes two: ``io`` (several threads: desk requests) and ``serial``
    (one thread: writes that must not overlap).
    """

    def __init__(self, pool: QThreadPool, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = pool

    def submit(
        self,
        fn: Callable[[], T],
        *,
        owner: QObject,
        on_success: Callable[[T], None],
        on_error: Callable[[Exception], None],
    ) -> None:
        """Run ``fn`` on the pool; call back on the GUI thread unless ``owner`` is gone.

        Call only from the GUI thread.
        """
        self._pool.start(_Job(fn, _Delivery(owner, on_success, on_error)))

    def wait_for_done(self, msecs: int = -1) -> bool:
        """Wait for running jobs at shutdown; ``False`` if some are still running."""
        return self._pool.waitForDone(msecs)


class SyncTaskRunner(TaskRunner):
    """Test double: runs ``fn`` inline and calls back at once."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(QThreadPool(), parent)

    def submit(
        self,
        fn: Callable[[], T],
        *,
        owner: QObject,
        on_success: Callable[[T], None],
        on_error: Callable[[Exception], None],
    ) -> None:
        """Run ``fn`` now, then its callback."""
        result, error = call(fn)
        if error is None:
            on_success(result)  # type: ignore[arg-type]
        else:
            on_error(error)
