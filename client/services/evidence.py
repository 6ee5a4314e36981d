"""What goes along with a report, gathered off the GUI thread: diagnostics and the screenshot.

The diagnostics snapshot is taken when the user clicks "Report": CPU use is
measured over a short window (two samples at least ``WINDOW_MS`` apart, the
event loop free in between), while the desk's reachability is checked in
parallel and given at most ``PROBE_CAP_S``: first where it goes (the desk,
or the proxy in effect, which may take a name lookup), then the check itself,
both on a worker; the GUI thread only reads what they found. The window opens
as early as the user opens the tray menu (:meth:`EvidenceService.prepare`),
so by the click it has usually passed already: the dialog is ready at once.
The screenshot's pixels are encoded on a worker too, again after every
change the user makes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from client.core.diagnostics import PROBE_CAP_S, ProbeTarget, assemble, desk_timed_out
from client.core.errors import ClientError, as_client_error
from client.core.models import Attachment
from client.core.ports import DiagnosticsSource, ImageEncoder, Releasable
from client.services.tasks import TaskRunner

logger = logging.getLogger(__name__)

#: How long CPU use is measured for the snapshot's process list (milliseconds).
WINDOW_MS = 200
#: A window opened longer ago than this (the menu stayed open) is started afresh (seconds).
SAMPLE_FRESH_S = 60.0
#: The helper process is ended after this long without evidence work (seconds): longer
#: than a sample stays fresh, so a report never finds its sample's process gone.
RELEASE_AFTER_S = 90.0


@dataclass
class _Collection:
    """One snapshot on its way: the parts that have arrived."""

    number: int
    source: DiagnosticsSource | None = None
    #: Where the desk check goes, once a worker has found out.
    target: ProbeTarget | None = None
    local: dict[str, Any] | None = None
    desk: dict[str, Any] | None = None
    timers: list[QTimer] = field(default_factory=list)


def _ignore(_: object) -> None:
    """Nothing to do with a result."""


class EvidenceService(QObject):
    """Collects diagnostics and encodes screenshots on the io runner.

    ``diagnostics`` and ``encoder`` are factories, called on a worker the
    first time. ``helper``, when given, is what they work through (the
    evidence helper process): it is closed on a worker once evidence work has
    been quiet for ``release_after_s``, and cancelled by :meth:`shutdown`.

    Signals:
        diagnostics_ready(int, dict): collection number, the snapshot.
        diagnostics_failed(int, ClientError): it could not be taken at all.
        screenshot_ready(int, Attachment): encoding number, the image file.
        screenshot_failed(int, ClientError)
        files_read(int, list[Attachment], list[ClientError]): the files that
            could be added, and why the others could not (``detail``: the name).
    """

    diagnostics_ready = Signal(int, object)
    diagnostics_failed = Signal(int, object)
    screenshot_ready = Signal(int, object)
    screenshot_failed = Signal(int, object)
    files_read = Signal(int, object, object)

    def __init__(
        self,
        io: TaskRunner,
        diagnostics: Callable[[], DiagnosticsSource],
        encoder: Callable[[], ImageEncoder],
        read_file: Callable[[str, int], Attachment],
        *,
        helper: Releasable | None = None,
        release_after_s: float = RELEASE_AFTER_S,
        window_ms: int = WINDOW_MS,
        cap_s: float = PROBE_CAP_S,
        clock: Callable[[], float] = time.monotonic,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._io = io
        self._make_source = diagnostics
        self._make_encoder = encoder
        self._read_file = read_file
        self._source: DiagnosticsSource | None = None
        self._encoder: ImageEncoder | None = None
        self._window_ms = window_ms
        self._cap_s = cap_s
        self._cap_ms = int(cap_s * 1000)
        self._numbers = 0
        self._current: _Collection | None = None
        self._clock = clock
        #: A sample taken when the tray menu opened: (source, sample, when).
        self._prepared: tuple[DiagnosticsSource, object, float] | None = None
        self._helper = helper
        self._release_timer = QTimer(self)
        self._release_timer.setSingleShot(True)
        self._release_timer.setInterval(round(release_after_s * 1000))
        self._release_timer.timeout.connect(self._release)

    def _submit(self, work: Callable[[], Any], **callbacks: Any) -> None:
        """Run ``work`` on the io runner; the helper stays until it has been quiet a while."""
        if self._helper is not None:
            self._release_timer.start()
        self._io.submit(work, owner=self, **callbacks)

    def _release(self) -> None:
        helper = self._helper
        if helper is not None:
            self._prepared = None  # its sample lived in the helper
            self._io.submit(
                helper.close, owner=self, on_success=_ignore, on_error=self._on_release_error
            )

    def _on_release_error(self, error: Exception) -> None:
        logger.warning("the evidence helper did not end cleanly: %s", error)

    @property
    def release_pending(self) -> bool:
        """Whether the helper is due to be let go once evidence work has been quiet."""
        return self._release_timer.isActive()

    def shutdown(self) -> None:
        """The app is quitting: end the helper at once."""
        self._release_timer.stop()
        if self._helper is not None:
            self._helper.cancel()

    def _next_number(self) -> int:
        self._numbers += 1
        return self._numbers

    # --- diagnostics --------------------------------------------------------------------------

    def _start(self) -> tuple[DiagnosticsSource, object, float]:  # worker thread
        source = self._source or self._make_source()
        self._source = source
        return source, source.sample(), self._clock()

    def prepare(self) -> None:
        """A report may follow (the tray menu opened): open the CPU window now."""

        def keep(prepared: tuple[DiagnosticsSource, object, float]) -> None:
            self._prepared = prepared

        self._submit(self._start, on_success=keep, on_error=self._on_prepare_error)

    def _on_prepare_error(self, error: Exception) -> None:
        logger.info("diagnostics could not be prepared: %s", as_client_error(error).detail)

    def collect_diagnostics(self) -> int:
        """Start a snapshot; its number comes back with the result."""
        collection = _Collection(self._next_number())
        if self._current is not None:
            self._finish(self._current)  # its timers with it: only the latest counts
        self._current = collection
        prepared, self._prepared = self._prepared, None
        if prepared is not None and self._clock() - prepared[2] <= SAMPLE_FRESH_S:
            self._on_sampled(collection, *prepared)
            return collection.number
        self._submit(
            self._start,
            on_success=lambda started: self._on_sampled(collection, *started),
            on_error=lambda error: self._fail(collection, error),
        )
        return collection.number

    def _on_sampled(
        self, collection: _Collection, source: DiagnosticsSource, sample: object, taken: float
    ) -> None:
        if collection is not self._current:
            return
        collection.source = source
        self._submit(
            source.probe_target,
            on_success=lambda target: self._on_target(collection, target),
            on_error=lambda error: self._fail(collection, error),
        )
        # Name resolution cannot be interrupted: past the cap, the desk counts as not answering.
        self._after(collection, self._cap_ms, lambda: self._on_probe_overdue(collection))
        # The rest of the CPU window, if it has not passed yet.
        left_ms = max(self._window_ms - int((self._clock() - taken) * 1000), 0)
        self._after(collection, left_ms, lambda: self._take_local(collection, sample))

    def _on_target(self, collection: _Collection, target: ProbeTarget) -> None:
        source = collection.source
        if collection is not self._current or source is None:
            return
        collection.target = target
        self._submit(
            lambda: source.probe_desk(target),
            on_success=lambda desk: self._on_part(collection, desk=desk),
            on_error=lambda error: self._fail(collection, error),
        )

    def _after(self, collection: _Collection, msecs: int, then: Callable[[], None]) -> None:
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.timeout.connect(then)
        collection.timers.append(timer)
        timer.start(msecs)

    def _take_local(self, collection: _Collection, sample: object) -> None:
        source = collection.source
        if collection is not self._current or source is None:
            return
        self._submit(
            lambda: source.local(sample),
            on_success=lambda local: self._on_part(collection, local=local),
            on_error=lambda error: self._fail(collection, error),
        )

    def _on_probe_overdue(self, collection: _Collection) -> None:
        if collection is self._current and collection.desk is None:
            logger.info("diagnostics: the desk check took longer than %d ms", self._cap_ms)
            # Built from what the workers found: nothing that may block is asked here.
            self._on_part(collection, desk=desk_timed_out(collection.target, self._cap_s))

    def _on_part(
        self,
        collection: _Collection,
        *,
        local: dict[str, Any] | None = None,
        desk: dict[str, Any] | None = None,
    ) -> None:
        if collection is not self._current:
            return
        if local is not None:
            collection.local = local
        if desk is not None and collection.desk is None:
            collection.desk = desk
        if collection.local is None or collection.desk is None:
            return
        self._finish(collection)
        self.diagnostics_ready.emit(collection.number, assemble(collection.local, collection.desk))

    def _fail(self, collection: _Collection, error: Exception) -> None:
        if collection is not self._current:
            return
        self._finish(collection)
        problem = as_client_error(error)
        logger.error("diagnostics could not be taken: %s", problem.detail)
        self.diagnostics_failed.emit(collection.number, problem)

    def _finish(self, collection: _Collection) -> None:
        self._current = None
        for timer in collection.timers:
            timer.stop()
            timer.deleteLater()

    # --- the screenshot -----------------------------------------------------------------------

    def encode_screenshot(self, width: int, height: int, stride: int, rgb: bytes) -> int:
        """Encode RGB pixels as the screenshot file; the number comes back with the result."""
        number = self._next_number()

        def encode() -> Attachment:
            encoder = self._encoder or self._make_encoder()
            self._encoder = encoder
            return encoder.encode(width, height, stride, rgb, "screenshot")

        self._submit(
            encode,
            on_success=lambda image: self.screenshot_ready.emit(number, image),
            on_error=lambda error: self._screenshot_failed(number, error),
        )
        return number

    def _screenshot_failed(self, number: int, error: Exception) -> None:
        problem: ClientError = as_client_error(error)
        logger.error("the screenshot could not be encoded: %s", problem.detail)
        self.screenshot_failed.emit(number, problem)

    # --- the user's own files -----------------------------------------------------------------

    def read_files(self, paths: list[str], budget: int) -> int:
        """Read files the user added, within ``budget`` bytes together; the number comes back."""
        number = self._next_number()

        def read() -> tuple[list[Attachment], list[ClientError]]:
            added: list[Attachment] = []
            problems: list[ClientError] = []
            left = budget
            for path in paths:
                try:
                    attachment = self._read_file(path, left)
                except ClientError as error:
                    problems.append(error)
                    continue
                added.append(attachment)
                left -= attachment.size
            return added, problems

        self._submit(
            read,
            on_success=lambda result: self.files_read.emit(number, *result),
            on_error=lambda error: self.files_read.emit(number, [], [as_client_error(error)]),
        )
        return number
