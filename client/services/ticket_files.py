"""A ticket's files, fetched from the desk and kept on this computer to be opened.

Both the download and the writing run on the io runner; the outcome comes
back as a signal. What may open at once, and under what name a file is kept,
are the core's rules (``client.core.downloads``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from client.core.downloads import kept_name, opens_directly
from client.core.errors import ConfigurationError, as_client_error
from client.core.models import AttachmentInfo, TicketRef
from client.core.ports import DeskPort
from client.services.tasks import TaskRunner

logger = logging.getLogger(__name__)


class TicketFiles(QObject):
    """Fetches and keeps a ticket's files.

    Signals:
        ready(TicketRef, str, bool): the file is kept at this path; whether it may open
            at once (else its folder is the place to show).
        failed(TicketRef, AttachmentInfo, ClientError): it could not be fetched or kept.
    """

    ready = Signal(object, str, bool)
    failed = Signal(object, object, object)

    def __init__(
        self,
        io: TaskRunner,
        desk: Callable[[], DeskPort | None],
        save: Callable[[Path, str, bytes], Path],
        folder: Path,
        *,
        max_bytes: int,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._io = io
        self._desk = desk
        self._save = save
        self._folder = folder
        self._max_bytes = max_bytes
        #: Files on their way: a second click (a double click) does not fetch again.
        self._fetching: set[tuple[str, str]] = set()

    def fetch(self, ref: TicketRef, file: AttachmentInfo) -> None:
        """Fetch ``file`` of ticket ``ref`` and keep it (see ``ready`` and ``failed``)."""
        key = (ref.id, file.url)
        if key in self._fetching:
            return
        desk = self._desk()
        if desk is None:
            self.failed.emit(ref, file, ConfigurationError("not signed in"))
            return
        name = kept_name(file.filename)
        folder = self._folder / kept_name(ref.id)

        def work() -> Path:
            data = desk.download(file, self._max_bytes)
            logger.info("file of ticket %s fetched (%d bytes)", ref.id, len(data))
            return self._save(folder, name, data)

        def done(path: Path) -> None:
            self._fetching.discard(key)
            self.ready.emit(ref, str(path), opens_directly(name))

        def problem(error: Exception) -> None:
            self._fetching.discard(key)
            logger.warning("file of ticket %s not fetched: %s", ref.id, error)
            self.failed.emit(ref, file, as_client_error(error))

        self._fetching.add(key)
        self._io.submit(work, owner=self, on_success=done, on_error=problem)
