"""IT's self-fixes in the running tray: may one run here, run it, keep the record.

A run goes to the io runner (the helper process does the work; the thread
waits for it), and its record to the serial runner (``record.sqlite3``,
next to the outbox). Whether a fix may run is decided with what the tray
knows now: the IT policy's kill switch, the profile's verification (its age
and its last update), this system, whether the tray runs elevated, and
whether the runner can contain a script here (client/core/fixes.py,
``not_allowed``). Nothing about fixes is imported until a fix is wanted: an
idle tray holds none of it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QObject, Signal

from client.core.errors import as_client_error
from client.services.tasks import TaskRunner

if TYPE_CHECKING:
    from client.core.fixes import Fix, FixRun, NotAllowed
    from client.core.record import Entry, SentReport
    from client.services.profile import ProfileService

logger = logging.getLogger(__name__)


class Record(Protocol):
    """Where runs and sent reports are kept (``client.adapters.record_store.SqliteRecord``)."""

    def add(self, entry: FixRun | SentReport) -> None: ...  # noqa: D102
    def entries(self, limit: int = 500) -> list[Entry]: ...  # noqa: D102
    def export(self, target: Path) -> int: ...  # noqa: D102
    def recovery(self) -> Any: ...  # noqa: D102


class Runner(Protocol):
    """What runs a fix (``client.adapters.fix_runner.FixRunner``)."""

    def run(  # noqa: D102
        self,
        fix: Fix,
        variant: Any,
        read: Any,
        arguments: Any,
        *,
        started_by: str,
        on_step: Callable[[str], None],
    ) -> FixRun: ...
    def prepare(self) -> None: ...  # noqa: D102
    def cancel(self) -> None: ...  # noqa: D102


@dataclass(frozen=True)
class FixContext:
    """What decides whether fixes may run on this computer, besides the profile."""

    #: The IT policy's ``fixes.enabled`` (the kill switch).
    enabled: bool
    platform: str
    #: The tray runs with administrator rights.
    elevated: bool
    #: The runner can end everything a script starts on this system.
    contained: bool


class FixService(QObject):
    """Runs fixes from the verified profile and keeps the record.

    Signals:
        step(str): a step of the running fix began (``detect``, ``fix``, ``detect_again``).
        finished(FixRun): a run ended (or was refused), and is in the record.
        record_changed(): an entry was added.
        record_problem(ClientError): the record could not be read or written; or
            (``code`` ``"record_recovered"``) a damaged record was moved aside.
    """

    step = Signal(str)
    finished = Signal(object)
    record_changed = Signal()
    record_problem = Signal(object)

    def __init__(
        self,
        io: TaskRunner,
        serial: TaskRunner,
        profile: ProfileService | None,
        context: Callable[[], FixContext],
        runner: Callable[[], Runner],
        record: Callable[[], Record],
        *,
        clock: Callable[[], float] = time.time,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._io = io
        self._serial = serial
        self._profile = profile
        self._context = context
        self._make_runner = runner
        self._make_record = record
        self._clock = clock
        self._runner: Runner | None = None
        self._record: Record | None = None
        self._running: str = ""

    @property
    def running(self) -> str:
        """The id of the fix running now ("" when none)."""
        return self._running

    def fixes(self) -> tuple[Fix, ...]:
        """The profile's fixes (none without a profile)."""
        return self._profile.fixes() if self._profile is not None else ()

    def fix(self, fix_id: str) -> Fix | None:
        """The profile's fix with this id, if the profile has it."""
        return next((f for f in self.fixes() if f.id == fix_id), None)

    def refusal(self, fix: Fix) -> NotAllowed | None:
        """Why ``fix`` may not run here now, or ``None``."""
        from client.core.fixes import not_allowed

        verified = self._profile is not None and self._profile.trusted
        context = self._context()
        return not_allowed(
            fix,
            platform=context.platform,
            enabled=context.enabled,
            verified=verified,
            elevated=context.elevated,
            contained=context.contained,
        )

    def run(self, fix_id: str, values: Mapping[str, str], started_by: str = "you") -> None:
        """Run the fix with these parameter values; :attr:`finished` tells how it went."""
        from client.core.fixes import BadValue, FixRun, Outcome, arguments_for

        fix = self.fix(fix_id)
        if fix is None or self._running:
            logger.warning("fix %s not run: %s", fix_id, "running" if fix else "not in profile")
            return
        context = self._context()
        variant = fix.variant(context.platform)
        refused = self.refusal(fix)
        reason = refused.value if refused is not None else ""
        try:
            arguments = arguments_for(fix, values)
        except BadValue as error:
            logger.warning("fix %s: %s", fix.id, error)
            reason = reason or "bad_value"
            arguments = []
        if reason or variant is None or self._profile is None:
            self._finish(
                FixRun(
                    fix.id,
                    fix.version,
                    context.platform,
                    variant.detect.sha256 if variant else "",
                    variant.fix.sha256 if variant else "",
                    started_by,
                    self._clock(),
                    Outcome.NOT_ALLOWED,
                    reason=reason or "platform",
                )  # fmt: skip
            )
            return
        if self._runner is None:
            self._runner = self._make_runner()
        runner, read = self._runner, self._profile.file_reader()
        runner.prepare()
        # Looked up here, on the GUI thread: the worker only calls it (PySide makes a
        # signal's Python object on first lookup, which is not safe on two threads at once).
        on_step = self.step.emit
        self._running = fix.id
        logger.info("fix %s (version %d) started by %s", fix.id, fix.version, started_by)
        self._io.submit(
            lambda: runner.run(
                fix, variant, read, arguments, started_by=started_by, on_step=on_step
            ),
            owner=self,
            on_success=self._finish,
            on_error=lambda error: self._failed(fix, variant, started_by, error),
        )

    def cancel(self) -> None:
        """Stop the running fix; everything it started is ended, then :attr:`finished`."""
        if self._running and self._runner is not None:
            self._runner.cancel()

    def close(self) -> None:
        """The app is quitting: a running fix ends, with all it started."""
        self.cancel()

    def _failed(self, fix: Fix, variant: Any, started_by: str, error: Exception) -> None:
        logger.error("fix %s could not be run: %s", fix.id, as_client_error(error).detail)
        from client.core.fixes import runner_failed

        self._finish(runner_failed(fix, variant, started_by, self._clock()))

    def _finish(self, run: FixRun) -> None:
        self._running = ""
        logger.info("fix %s: %s %s", run.fix_id, run.outcome.value, run.reason)
        self.keep(run)
        self.finished.emit(run)

    # --- the record -----------------------------------------------------------------------

    def keep(self, entry: FixRun | SentReport) -> None:
        """Add ``entry`` to the record (on the serial runner)."""
        self._serial.submit(
            lambda: self._opened().add(entry),
            owner=self,
            on_success=lambda _none: self.record_changed.emit(),
            on_error=lambda error: self.record_problem.emit(as_client_error(error)),
        )

    def entries(self, then: Callable[[list[Entry]], None], owner: QObject) -> None:
        """Read the record's newest entries; ``then`` gets them."""
        self._serial.submit(
            lambda: self._opened().entries(),
            owner=owner,
            on_success=then,
            on_error=lambda error: self.record_problem.emit(as_client_error(error)),
        )

    def export(self, target: Path, then: Callable[[int], None], owner: QObject) -> None:
        """Write the whole record to ``target`` (JSON); ``then`` gets how many entries."""
        self._serial.submit(
            lambda: self._opened().export(target),
            owner=owner,
            on_success=then,
            on_error=lambda error: self.record_problem.emit(as_client_error(error)),
        )

    def _opened(self) -> Record:  # serial runner
        if self._record is None:
            record = self._make_record()
            recovery = record.recovery()
            self._record = record
            if recovery is not None:
                from client.core.errors import StoreError

                self.record_problem.emit(
                    StoreError(
                        f"{recovery.damaged_copy}: {recovery.salvaged} entries carried over",
                        code="record_recovered",
                    )
                )
        return self._record
