"""Logging set up once: a rotating file, stderr in development, secrets masked, a tail kept."""

from __future__ import annotations

import collections
import logging
import os
import threading
from pathlib import Path

from client.core.redact import Redactor

LOG_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
MAX_LOG_BYTES = 1024 * 1024
LOG_BACKUPS = 3


class RedactingFilter(logging.Filter):
    """Masks secrets in the fully formatted message (arguments and tracebacks included)."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self._redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:  # noqa: D102
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.msg = self._redactor.redact(message)
        record.args = None
        if record.exc_text:
            record.exc_text = self._redactor.redact(record.exc_text)
        return True


class LogTail(logging.Handler):
    """The last lines logged, kept in memory for crash dialogs and reports."""

    def __init__(self, capacity: int = 500) -> None:
        super().__init__()
        self._lines: collections.deque[str] = collections.deque(maxlen=capacity)
        self._lines_lock = threading.Lock()
        self.setFormatter(logging.Formatter(LOG_FORMAT))

    def emit(self, record: logging.LogRecord) -> None:  # noqa: D102
        line = self.format(record)
        with self._lines_lock:
            self._lines.append(line)

    def lines(self, count: int | None = None) -> list[str]:
        """The newest ``count`` lines (all kept lines by default), oldest first."""
        with self._lines_lock:
            kept = list(self._lines)
        return kept if count is None else kept[-count:]


class RotatingLog(logging.FileHandler):
    """A log file kept under a size, with a few older ones beside it.

    When the next line would take the file past ``max_bytes``, the file
    becomes ``<name>.1`` (an older ``.1`` becomes ``.2``, and so on, up to
    ``backups``; the oldest goes) and a new one starts. The standard library's
    ``RotatingFileHandler`` does the same, but importing ``logging.handlers``
    also loads pickle and the socket and queue handlers: 0.5 MB that an idle
    tray would keep, and a few ms of every start (docs/performance.md).
    """

    def __init__(self, path: Path, *, max_bytes: int, backups: int) -> None:
        if backups < 1:
            raise ValueError("a rotating log keeps at least one older file")
        super().__init__(path, encoding="utf-8")
        self._path = path
        self._max_bytes = max_bytes
        self._backups = backups

    def emit(self, record: logging.LogRecord) -> None:  # noqa: D102
        try:
            line = self.format(record) + self.terminator  # formatted once
            stream = self.stream if self.stream is not None else self._open()
            written = stream.tell()
            if written and written + len(line.encode()) > self._max_bytes:
                stream.close()
                self.stream = None  # a roll that fails: the next line opens the file again
                self._roll()
                stream = self._open()
            self.stream = stream
            stream.write(line)
            stream.flush()
        except RecursionError:  # as logging's own handlers
            raise
        except Exception:  # noqa: BLE001 - as logging's own handlers: never raise into the app
            self.handleError(record)

    def _roll(self) -> None:
        for number in range(self._backups - 1, 0, -1):
            older = self._path.with_name(f"{self._path.name}.{number}")
            if older.exists():
                os.replace(older, self._path.with_name(f"{self._path.name}.{number + 1}"))
        os.replace(self._path, self._path.with_name(f"{self._path.name}.1"))


def setup_logging(
    log_file: Path | None, level: str, redactor: Redactor, *, to_stderr: bool
) -> LogTail:
    """Configure the root logger once; returns the in-memory tail.

    Every handler sits behind the redacting filter, so no handler can see a
    token. A log file that cannot be opened (read-only home, full disk) is
    reported on stderr and the client runs on without it.
    """
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    root.setLevel(level)
    formatter = logging.Formatter(LOG_FORMAT)
    redacting = RedactingFilter(redactor)
    handlers: list[logging.Handler] = []
    tail = LogTail()
    handlers.append(tail)
    if to_stderr:
        handlers.append(logging.StreamHandler())
    if log_file is not None:
        try:
            log_file.parent.mkdir(parents=True, exist_ok=True)
            handlers.append(RotatingLog(log_file, max_bytes=MAX_LOG_BYTES, backups=LOG_BACKUPS))
        except OSError as exc:
            fallback = logging.StreamHandler()
            fallback.setFormatter(formatter)
            fallback.handle(
                logging.makeLogRecord(
                    {"msg": f"log file {log_file} unavailable: {exc}", "levelno": logging.WARNING}
                )
            )
    for handler in handlers:
        handler.addFilter(redacting)
        if handler is not tail:
            handler.setFormatter(formatter)
        root.addHandler(handler)
    # urllib3 logs full URLs (with query strings) at DEBUG; keep it quieter than us.
    logging.getLogger("urllib3").setLevel(max(logging.INFO, root.level))
    return tail
