"""The health pass in its helper process, and the book of findings in a small JSON file.

``health-book.json`` (next to the outbox) keeps each finding's life across
restarts: when it was nudged, snoozed, dismissed, and the one proactive
ticket it has (``client/core/nudges.py``). It is small (at most
:data:`client.core.nudges.MAX_TRACKS` findings) and written whole, through a
temporary file and a rename, so a crash leaves the old or the new book,
never half of one. A damaged or enormous file is moved aside (kept for IT,
never read whole) and the book starts empty.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from client import HEALTH_HELPER_FLAG
from client.adapters.helper_process import HelperProblem, OneShotHelper, helper_command

if TYPE_CHECKING:
    from client.core.nudges import Track

logger = logging.getLogger(__name__)

#: A book larger than this is not read (bytes): a sane one is a few KB.
MAX_BOOK_BYTES = 256 * 1024
#: How long one pass may take, its process's start included (seconds).
PASS_TIMEOUT_S = 30.0


class BookFile:
    """The book of findings in one JSON file. Used from one worker at a time."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> dict[str, Track]:
        """The book; an empty one when there is none, or it is damaged (moved aside then)."""
        try:
            size = self.path.stat().st_size
        except FileNotFoundError:
            return {}
        except OSError as error:
            logger.warning("health book not readable: %s", error)
            return {}
        # The book's module loads with a book to read (the idle tray's memory budget).
        from client.core.nudges import book_from_json

        document: object = None
        if size <= MAX_BOOK_BYTES:
            try:
                document = json.loads(self.path.read_bytes())
            except (OSError, ValueError) as error:
                logger.warning("health book not readable: %s", error)
        book = book_from_json(document)
        if not book and (size > MAX_BOOK_BYTES or not _is_empty_book(document)):
            self._move_aside()
        return book

    def save(self, book: dict[str, Track]) -> None:
        """Write the book whole: a crash leaves the old one or the new one."""
        from client.core.nudges import book_as_json

        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = json.dumps(book_as_json(book), separators=(",", ":")).encode()
        handle, name = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.replace(name, self.path)
        except BaseException:
            Path(name).unlink(missing_ok=True)
            raise

    def _move_aside(self) -> None:
        target = self.path.with_name(
            f"{self.path.stem}-damaged-{time.strftime('%Y%m%d-%H%M%S')}{self.path.suffix}"
        )
        try:
            self.path.rename(target)
            logger.warning("health book damaged: moved to %s; starting a new one", target)
        except OSError as error:
            logger.warning("health book damaged and not moved aside: %s", error)


def _is_empty_book(document: object) -> bool:
    return (
        isinstance(document, dict) and document.get("version") == 1 and not document.get("tracks")
    )


class HelperProbe:
    """One health pass: the helper process measures, keeps the history, and answers."""

    def __init__(self, command: list[str] | None = None) -> None:
        self._helper = OneShotHelper(
            command or helper_command(HEALTH_HELPER_FLAG), PASS_TIMEOUT_S, "the health helper"
        )

    def measure(self, request: dict[str, Any]) -> dict[str, Any]:
        """The helper's answer to ``request`` (``client/adapters/health_helper.py``).

        An answer that is the helper's error (a bad request, a bug) is a failed pass,
        never an empty one: nothing may clear on it.
        """
        answer = self._helper.ask(request)
        if "error" in answer:
            raise HelperProblem(f"the health helper failed: {str(answer['error'])[:200]}")
        return answer

    def cancel(self) -> None:
        """Stop a pass that is still running (the app is quitting)."""
        self._helper.cancel()
