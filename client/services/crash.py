"""Unexpected errors: logged, turned into a signal on the GUI thread, shown once each."""

from __future__ import annotations

import faulthandler
import logging
import sys
import threading
from dataclasses import replace
from pathlib import Path
from types import TracebackType
from typing import IO

from PySide6.QtCore import QObject, Signal

from client.core.crash import CrashInfo, crash_info
from client.core.redact import Redactor

logger = logging.getLogger(__name__)


class CrashHandler(QObject):
    """Installs ``sys.excepthook`` and ``threading.excepthook``; emits each crash once.

    Crashes that happen before anything listens (start-up) are kept and
    delivered by :meth:`flush_early`.

    Signals:
        crashed(CrashInfo): a crash with a fingerprint not seen before in this run.
    """

    crashed = Signal(object)

    def __init__(self, redactor: Redactor | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._redactor = redactor or Redactor()
        self._seen: set[str] = set()
        self._early: list[CrashInfo] | None = []
        self._fault_file: IO[str] | None = None
        self._previous_hooks: tuple[object, object] | None = None

    def install(self) -> None:
        """Route uncaught exceptions of every thread here."""
        self._previous_hooks = (sys.excepthook, threading.excepthook)
        sys.excepthook = self._on_exception
        threading.excepthook = self._on_thread_exception

    def uninstall(self) -> None:
        """Put the previous hooks back and stop recording hard crashes."""
        if self._previous_hooks is not None:
            sys.excepthook, threading.excepthook = self._previous_hooks  # type: ignore[assignment]
            self._previous_hooks = None
        if self._fault_file is not None:
            faulthandler.disable()
            self._fault_file.close()
            self._fault_file = None

    def enable_faulthandler(self, crash_file: Path) -> str | None:
        """Write hard crashes (segfault, abort) to ``crash_file``.

        Returns what the previous run left there, if it crashed hard, and
        starts the file afresh.
        """
        previous = None
        try:
            text = crash_file.read_text(encoding="utf-8", errors="replace").strip()
            previous = text or None
        except FileNotFoundError:
            pass
        except OSError as exc:
            logger.warning("cannot read %s: %s", crash_file, exc)
        try:
            crash_file.parent.mkdir(parents=True, exist_ok=True)
            self._fault_file = crash_file.open("w", encoding="utf-8")
            faulthandler.enable(self._fault_file)
        except OSError as exc:
            logger.warning("hard crashes will not be recorded: %s", exc)
        if previous:
            previous = self._redactor.redact(previous)
            logger.error("the previous session ended in a hard crash:\n%s", previous)
        return previous

    def flush_early(self) -> None:
        """Start emitting; deliver crashes that happened before anyone listened."""
        early, self._early = self._early or [], None
        for info in early:
            self.crashed.emit(info)

    def report(
        self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        """Log an unexpected exception and emit it once per fingerprint (secrets masked)."""
        raw = crash_info(exc_type, exc, tb)
        info = replace(
            raw,
            summary=self._redactor.redact(raw.summary),
            details=self._redactor.redact(raw.details),
        )
        logger.critical("unexpected error %s\n%s", info.fingerprint, info.details)
        if info.fingerprint in self._seen:
            return
        self._seen.add(info.fingerprint)
        if self._early is not None:
            self._early.append(info)
        else:
            self.crashed.emit(info)  # queued to the GUI thread when raised elsewhere

    def _on_exception(
        self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        self.report(exc_type, exc, tb)

    def _on_thread_exception(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            self.report(args.exc_type, args.exc_value, args.exc_traceback)
