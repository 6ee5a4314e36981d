"""What goes along with a report, item by item: the user sees each one and decides.

``ReportItems`` holds the state (the diagnostics snapshot, the screenshot and
what the user did to it, the user's own files); ``ReportItemsView`` shows it
and emits what the user asks for. Nothing leaves the computer from here: the
report dialog takes :meth:`ReportItems.attachments` when the user presses Send.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from client.core.diagnostics import CONTENT_TYPE, FILE_NAME, facts, to_json
from client.core.errors import ClientError
from client.core.models import Attachment
from client.services.evidence import EvidenceService
from client.ui import texts
from client.ui.screenshot import Edits, Grab, render, rgb_rows
from client.ui.widgets import Card, discard

logger = logging.getLogger(__name__)


class Part(enum.Enum):
    """Where an item is: on its way to being ready, ready, or not there (and why)."""

    PREPARING = "preparing"
    READY = "ready"
    REMOVED = "removed"
    MISSING = "missing"


DIAGNOSTICS = "diagnostics"
SCREENSHOT = "screenshot"
FILES = "files"
_STARTING = -1


@dataclass(frozen=True)
class Item:
    """One row of the list: what it is, its state, its file once ready."""

    key: str
    title: str
    part: Part
    attachment: Attachment | None = None
    #: Why it is missing (no screenshot possible, diagnostics failed).
    reason: str = ""

    @property
    def removable(self) -> bool:
        """Whether the user can take it out (or put it back)."""
        return self.part in (Part.READY, Part.REMOVED)


class ReportItems(QObject):
    """The diagnostics, the screenshot and the user's files, as they will be sent.

    Signals:
        changed(): an item arrived, changed or was removed.
        problem(str): something the user asked for could not be done (in words).
    """

    changed = Signal()
    problem = Signal(str)

    def __init__(
        self, evidence: EvidenceService, *, max_bytes: int, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._evidence = evidence
        self._max_bytes = max_bytes
        self._grab = Grab()
        self._edits = Edits()
        self._diagnostics: dict[str, Any] | None = None
        self._diagnostics_file: Attachment | None = None
        self._diagnostics_part = Part.MISSING
        self._diagnostics_reason = ""
        self._screenshot: Attachment | None = None
        self._screenshot_part = Part.MISSING
        self._files: list[Attachment] = []
        self._waiting: dict[str, int] = {}  # what is being prepared: its request number
        self._queued: list[str] = []  # files chosen while others are being read
        self._started = False
        evidence.diagnostics_ready.connect(self._on_evidence_diagnostics_ready)
        evidence.diagnostics_failed.connect(self._on_evidence_diagnostics_failed)
        evidence.screenshot_ready.connect(self._on_evidence_screenshot_ready)
        evidence.screenshot_failed.connect(self._on_evidence_screenshot_failed)
        evidence.files_read.connect(self._on_evidence_files_read)

    # --- what the dialog asks -----------------------------------------------------------------

    def start(self, grab: Grab) -> None:
        """The user clicked "Report": take the snapshot, and encode the screenshot."""
        self._grab = grab
        self._started = True
        self._diagnostics_part = Part.PREPARING
        self._request(DIAGNOSTICS, self._evidence.collect_diagnostics)
        self._screenshot_part = Part.MISSING
        if grab.screen is not None:
            self._encode()
        self.changed.emit()

    def retake(self, grab: Grab) -> None:
        """A new picture of the screen replaces the old one (whose black-outs went with it)."""
        self._grab = grab
        self._edits = Edits()
        self._screenshot_part = Part.MISSING
        self._screenshot = None
        if grab.screen is not None:
            self._encode()
        self.changed.emit()

    @property
    def grab(self) -> Grab:
        """The picture of the screen (for the editor)."""
        return self._grab

    @property
    def edits(self) -> Edits:
        """What the user did to the screenshot."""
        return self._edits

    def set_edits(self, edits: Edits) -> None:
        """The user edited the screenshot: encode it again."""
        self._edits = edits
        self._encode()
        self.changed.emit()

    def screenshot_image(self) -> QImage | None:
        """The screenshot as it will be sent (boxes painted in, cropped)."""
        return render(self._grab, self._edits)

    @property
    def diagnostics(self) -> dict[str, Any] | None:
        """The snapshot, once taken (even when removed: the preview can still show it)."""
        return self._diagnostics

    def items(self) -> list[Item]:
        """Every item, in the order the list shows them."""
        # self.tr at each call: an alias hides the context from lupdate, and the
        # Dutch dialog said "Diagnostics of this computer".
        rows = [
            Item(
                DIAGNOSTICS,
                self.tr("Diagnostics of this computer"),
                self._diagnostics_part,
                self._diagnostics_file,
                self._diagnostics_reason,
            ),
            Item(
                SCREENSHOT,
                self.tr("Screenshot"),
                self._screenshot_part,
                self._screenshot,
                self._grab.reason,
            ),
        ]
        rows += [
            Item(f"file:{n}", file.filename, Part.READY, file) for n, file in enumerate(self._files)
        ]
        return rows

    def remove(self, key: str) -> None:
        """Leave an item out (a file is dropped from the list)."""
        if key == DIAGNOSTICS and self._diagnostics_part is Part.READY:
            self._diagnostics_part = Part.REMOVED
        elif key == SCREENSHOT and self._screenshot_part is Part.READY:
            self._screenshot_part = Part.REMOVED
        elif key.startswith("file:"):
            del self._files[int(key.removeprefix("file:"))]
        self.changed.emit()

    def restore(self, key: str) -> None:
        """Put a removed item back."""
        if key == DIAGNOSTICS and self._diagnostics_part is Part.REMOVED:
            self._diagnostics_part = Part.READY
        elif key == SCREENSHOT and self._screenshot_part is Part.REMOVED:
            self._screenshot_part = Part.READY
        self.changed.emit()

    def add_files(self, paths: list[str]) -> None:
        """Read files the user chose (on a worker), within what is left of the size limit.

        Files added while others are still being read are read next, against
        what those leave of the limit.
        """
        self._queued += paths
        if self._queued and FILES not in self._waiting:
            queued, self._queued = self._queued, []
            room = self.room_left
            self._request(FILES, lambda: self._evidence.read_files(queued, room))
        self.changed.emit()

    def attach(self, attachment: Attachment) -> None:
        """Send a file made by the tray along (a fix's record), listed like the user's files."""
        self._files.append(attachment)
        self.changed.emit()

    def give_up_waiting(self) -> None:
        """Stop waiting for what is not ready yet: the report goes without it."""
        if DIAGNOSTICS in self._waiting:
            self._diagnostics_part = Part.MISSING
            self._diagnostics_reason = self.tr("The diagnostics were not ready in time.")
        if SCREENSHOT in self._waiting:
            self._screenshot_part = Part.MISSING
            self._grab = Grab(reason=self.tr("The screenshot was not ready in time."))
        if FILES in self._waiting or self._queued:
            logger.warning("files still being read left out: %s", ", ".join(self._queued))
        self._waiting.clear()
        self._queued.clear()
        self.changed.emit()

    @property
    def ready(self) -> bool:
        """Whether everything has been prepared (after :meth:`start`)."""
        return self._started and not self._waiting

    @property
    def room_left(self) -> int:
        """Bytes the user's files may still take."""
        return max(self._max_bytes - sum(a.size for a in self.attachments()), 0)

    def attachments(self) -> list[Attachment]:
        """The files that go with the report, as they are now."""
        sent = [
            item.attachment
            for item in self.items()
            if item.part is Part.READY and item.attachment is not None
        ]
        return sent

    def summary(self) -> str:
        """The diagnostics' first lines, for the top of the ticket text.

        None when the user removed them; why there are none when they could
        not be taken, so the agent does not look for a file that is not there.
        """
        if self._diagnostics_part is Part.MISSING:
            return self._diagnostics_reason
        if self._diagnostics_part is not Part.READY or self._diagnostics is None:
            return ""
        return texts.diagnostics_summary(facts(self._diagnostics))

    # --- results --------------------------------------------------------------------------

    def _encode(self) -> None:
        image = self.screenshot_image()
        if image is None:
            return
        self._screenshot_part = Part.PREPARING
        pixels = rgb_rows(image)
        self._request(SCREENSHOT, lambda: self._evidence.encode_screenshot(*pixels))

    def _request(self, what: str, start: Callable[[], int]) -> None:
        """Start preparing ``what``; only the latest request's result will count."""
        self._waiting[what] = _STARTING  # a result may come before the number does
        number = start()
        if self._waiting.get(what) == _STARTING:
            self._waiting[what] = number

    def _done(self, what: str, number: int) -> bool:
        """Whether ``number`` is the awaited result for ``what`` (later requests win)."""
        if self._waiting.get(what) not in (number, _STARTING):
            return False
        del self._waiting[what]
        return True

    def _on_evidence_diagnostics_ready(self, number: int, document: dict[str, Any]) -> None:
        if self._done(DIAGNOSTICS, number):
            self._diagnostics = document
            self._diagnostics_file = Attachment(FILE_NAME, CONTENT_TYPE, to_json(document))
            self._diagnostics_part = Part.READY
            self.changed.emit()

    def _on_evidence_diagnostics_failed(self, number: int, error: ClientError) -> None:
        if self._done(DIAGNOSTICS, number):
            self._diagnostics_part = Part.MISSING
            self._diagnostics_reason = self.tr("The diagnostics could not be collected.")
            self.changed.emit()

    def _on_evidence_screenshot_ready(self, number: int, image: Attachment) -> None:
        if self._done(SCREENSHOT, number):
            self._screenshot = image
            self._screenshot_part = Part.READY
            self.changed.emit()

    def _on_evidence_screenshot_failed(self, number: int, error: ClientError) -> None:
        if self._done(SCREENSHOT, number):
            self._screenshot_part = Part.MISSING
            self._grab = Grab(reason=self.tr("The screenshot could not be prepared."))
            self.changed.emit()

    def _on_evidence_files_read(
        self, number: int, added: list[Attachment], problems: list[ClientError]
    ) -> None:
        if not self._done(FILES, number):
            return
        self._files += added
        self.add_files([])  # the files chosen meanwhile, if any
        if problems:
            self.problem.emit("\n".join(texts.file_problem(p, self._max_bytes) for p in problems))


class _Row(Card):
    """One item: what it is, its size or state, and what the user can do with it."""

    def __init__(self, item: Item, detail: str, parent: QWidget | None = None) -> None:
        super().__init__(f"item-{item.key}", item.title[:120], detail, parent)
        self.item = item
        self.detail.setObjectName("detail")
        self.row.setContentsMargins(8, 4, 8, 4)
        self.thumbnail = QLabel()
        self.thumbnail.setObjectName("thumbnail")
        self.thumbnail.hide()
        self.row.insertWidget(0, self.thumbnail)
        self.edit = QPushButton(self.tr("Black out or crop…"))
        self.edit.setObjectName("edit")
        self.edit.setVisible(item.key == SCREENSHOT and item.part is Part.READY)
        self.edit.setAccessibleDescription(
            self.tr("Hide parts of the screenshot, or keep only a part, before it is sent.")
        )
        removed = item.part is Part.REMOVED
        self.remove = QPushButton(self.tr("Add back") if removed else self.tr("Remove"))
        self.remove.setObjectName("remove")
        # Each row has one: which item it is for is heard, not only seen.
        self.remove.setAccessibleDescription(
            texts.fill(self.tr("Puts “%1” back into the report."), item.title[:120])
            if removed
            else texts.fill(self.tr("Leaves “%1” out of the report."), item.title[:120])
        )
        self.remove.setVisible(item.removable)
        self.row.addWidget(self.edit)
        self.row.addWidget(self.remove)
        if item.part is Part.REMOVED:
            self.title.setEnabled(False)


class ReportItemsView(QWidget):
    """The list under the report's text: each item with its size, removable one by one.

    Signals (user intents):
        remove_requested(str), restore_requested(str): an item's key.
        edit_screenshot_requested(), add_files_requested(), preview_requested()
    """

    remove_requested = Signal(str)
    restore_requested = Signal(str)
    edit_screenshot_requested = Signal()
    add_files_requested = Signal()
    preview_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reportItems")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.heading = QLabel(self.tr("Sent with your report (you decide):"))
        self.heading.setObjectName("itemsHeading")
        layout.addWidget(self.heading)
        self._rows_layout = QVBoxLayout()
        self._rows_layout.setSpacing(4)
        layout.addLayout(self._rows_layout)
        buttons = QHBoxLayout()
        self.add_files = QPushButton(self.tr("Add a file…"))
        self.add_files.setObjectName("addFiles")
        self.add_files.setAutoDefault(False)
        self.preview = QPushButton(self.tr("Show exactly what will be sent"))
        self.preview.setObjectName("preview")
        self.preview.setAutoDefault(False)
        buttons.addWidget(self.add_files)
        buttons.addStretch()
        buttons.addWidget(self.preview)
        layout.addLayout(buttons)
        self.add_files.clicked.connect(self.add_files_requested)
        self.preview.clicked.connect(self.preview_requested)
        self.rows: list[_Row] = []

    def show_items(self, items: list[Item], screenshot: QImage | None) -> None:
        """Show these items (``screenshot``: the picture, for a thumbnail)."""
        for row in self.rows:
            discard(self._rows_layout, row)
        self.rows = []
        for item in items:
            row = _Row(item, self._detail(item), self)
            key = item.key
            if item.part is Part.REMOVED:
                row.remove.clicked.connect(lambda _=False, k=key: self.restore_requested.emit(k))
            else:
                row.remove.clicked.connect(lambda _=False, k=key: self.remove_requested.emit(k))
            row.edit.clicked.connect(self.edit_screenshot_requested)
            if key == SCREENSHOT and screenshot is not None and item.part is not Part.MISSING:
                thumb = screenshot.scaled(
                    96, 54, Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )  # fmt: skip
                row.thumbnail.setPixmap(QPixmap.fromImage(thumb))
                row.thumbnail.show()
            self._rows_layout.addWidget(row)
            self.rows.append(row)

    def _detail(self, item: Item) -> str:
        if item.part is Part.PREPARING:
            if item.key == DIAGNOSTICS:
                return self.tr("Collecting…")
            return self.tr("Preparing…")
        if item.part is Part.MISSING:
            return item.reason or self.tr("Not available.")
        assert item.attachment is not None
        name, size = item.attachment.filename, texts.data_size(item.attachment.size)
        if item.part is Part.REMOVED:
            template = self.tr("Will not be sent. %1 · %2")
        elif item.key == DIAGNOSTICS:
            template = self.tr("%1 · %2 · a summary goes at the top of your text")
        else:
            template = "%1 · %2"
        return texts.fill(template, name, size)
