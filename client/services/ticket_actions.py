"""What the user does with a ticket from the tray: reply, "it's fixed", "still broken", ...

Each action runs on the io runner against the signed-in desk, one at a time
per ticket; the outcome comes back as a signal. Files for a reply are read
on the worker too, within the policy's size limit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from client.core.errors import ConfigurationError, as_client_error
from client.core.models import Attachment, TicketRef
from client.core.ports import DeskPort
from client.core.tracking import Action
from client.services.tasks import TaskRunner

logger = logging.getLogger(__name__)


class TicketActions(QObject):
    """Carries out the user's actions on tickets.

    Signals:
        done(TicketRef, Action): the desk has it.
        failed(TicketRef, Action, ClientError): it did not happen (nothing was lost:
            the tracker keeps the user's text).
    """

    done = Signal(object, object)
    failed = Signal(object, object, object)

    def __init__(
        self,
        io: TaskRunner,
        desk: Callable[[], DeskPort | None],
        read_file: Callable[[str, int], Attachment],
        *,
        max_bytes: int,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._io = io
        self._desk = desk
        self._read_file = read_file
        self._max_bytes = max_bytes
        self._busy: set[TicketRef] = set()

    def run(self, ref: TicketRef, action: Action, text: str, paths: list[str]) -> bool:
        """Start ``action`` on ``ref``; False if one is still on its way for that ticket."""
        if ref in self._busy:
            return False
        desk = self._desk()
        if desk is None:
            self.failed.emit(ref, action, ConfigurationError("not signed in"))
            return False
        self._busy.add(ref)
        self._io.submit(
            lambda: self._carry_out(desk, ref, action, text, paths),
            owner=self,
            on_success=lambda _none: self._finish(ref, action),
            on_error=lambda error: self._fail(ref, action, error),
        )
        return True

    def _carry_out(  # worker thread
        self, desk: DeskPort, ref: TicketRef, action: Action, text: str, paths: list[str]
    ) -> None:
        if action is Action.REPLY:
            files: list[Attachment] = []
            for path in paths:
                files.append(self._read_file(path, self._max_bytes - sum(f.size for f in files)))
            desk.reply(ref, text, files)
        elif action is Action.CONFIRM:
            desk.confirm_resolved(ref, text)
        elif action is Action.FIXED_ITSELF:
            desk.confirm_resolved(ref, text or "It fixed itself.")
        elif action is Action.REOPEN:
            desk.reopen(ref, text)
        elif action is Action.URGENT:
            desk.mark_urgent(ref, text)

    def _finish(self, ref: TicketRef, action: Action) -> None:
        self._busy.discard(ref)
        logger.info("ticket %s: %s done", ref, action.value)
        self.done.emit(ref, action)

    def _fail(self, ref: TicketRef, action: Action, error: Exception) -> None:
        self._busy.discard(ref)
        problem = as_client_error(error)
        logger.warning("ticket %s: %s failed: %s", ref, action.value, problem.detail)
        self.failed.emit(ref, action, problem)
