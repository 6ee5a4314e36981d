"""Report a problem: say what is wrong, press Send, get a ticket number."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QMimeData, QObject, Qt, QTimer, Signal
from PySide6.QtGui import (
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QKeyEvent,
    QKeySequence,
    QShortcut,
    QTextCursor,
)
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from client.core.errors import ClientError, Forbidden, NotFound, ValidationError
from client.core.models import Attachment, Report
from client.core.outbox import OutboxItem
from client.core.reports import MAX_SUBJECT_LENGTH, build_report, ticket_text
from client.services.outbox import OutboxService
from client.services.reporting import ReportService
from client.ui import resources, texts
from client.ui.report_items import ReportItems, ReportItemsView
from client.ui.screenshot import Grab, ScreenshotEditor
from client.ui.suggestions import SuggestionList
from client.ui.widgets import pick_files

if TYPE_CHECKING:
    from client.services.self_help import Suggestion

logger = logging.getLogger(__name__)
translate = QCoreApplication.translate
fill = texts.fill

#: How long Send waits for the diagnostics and the screenshot before it sends without them (ms).
ITEMS_WAIT_MS = 10_000


def _local_files(data: QMimeData) -> list[str]:
    """The local files being dragged in (none for text, links, ...)."""
    if not data.hasUrls():
        return []
    return [url.toLocalFile() for url in data.urls() if url.isLocalFile()]


class ReportDialogView(QVBoxLayout):
    """The widgets of the report dialog; no behaviour."""

    def __init__(self, dialog: QDialog) -> None:
        super().__init__(dialog)
        # Two pages, only one shown; the dialog shrinks to the thank-you page.
        self.form = QWidget()
        self.form.setObjectName("form")
        form = self.form
        form_layout = QVBoxLayout(form)
        form_layout.setContentsMargins(0, 0, 0, 0)
        self.intro = QLabel(
            self.tr(
                "Tell us what is wrong. The service desk will get back to you, and you can "
                "follow your report under “My tickets”."
            )
        )
        self.intro.setWordWrap(True)
        # Where the report goes ("Your report goes to Joost Bakker, Finance."), when known.
        self.destination = QLabel()
        self.destination.setObjectName("destination")
        self.destination.setWordWrap(True)
        self.destination.setTextFormat(Qt.TextFormat.PlainText)
        self.destination.hide()
        self.subject_label = QLabel(self.tr("What is the problem, in a few words?"))
        self.subject = QLineEdit()
        self.subject.setObjectName("subject")
        self.subject.setMaxLength(MAX_SUBJECT_LENGTH)
        self.subject.setPlaceholderText(self.tr("For example: the printer on floor 2 jams"))
        self.subject_label.setBuddy(self.subject)
        self.description_label = QLabel(self.tr("What happened? What did you expect? (optional)"))
        self.description = QPlainTextEdit()
        self.description.setObjectName("description")
        self.description.setTabChangesFocus(True)
        self.description_label.setBuddy(self.description)
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setProperty("role", "error")
        self.message.hide()
        for widget in (
            self.intro,
            self.destination,
            self.subject_label,
            self.subject,
            self.description_label,
            self.description,
        ):
            form_layout.addWidget(widget)
        self.suggestions = SuggestionList("reportSuggestions")
        form_layout.addWidget(self.suggestions)
        self.items = ReportItemsView()
        self.items.hide()  # shown when the dialog has items to show
        form_layout.addWidget(self.items)
        form_layout.addWidget(self.message)
        self.buttons = QDialogButtonBox()
        self.send = QPushButton(self.tr("Send"))
        self.send.setObjectName("send")
        self.send.setAccessibleDescription(
            self.tr("Sends the report with the items listed. Without a network it waits and "
                    "goes by itself later. Ctrl+Enter sends too.")
        )  # fmt: skip
        # Enter in the subject line moves on to the description; Ctrl+Enter sends.
        self.send.setAutoDefault(False)
        self.cancel = QPushButton(self.tr("Cancel"))
        self.cancel.setObjectName("cancel")
        self.cancel.setAutoDefault(False)
        self.start_over = QPushButton(self.tr("Start over"))
        self.start_over.setObjectName("startOver")
        self.start_over.setAutoDefault(False)
        self.buttons.addButton(self.send, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.cancel, QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.addButton(self.start_over, QDialogButtonBox.ButtonRole.ResetRole)
        self.start_over.hide()  # after adding: the button box shows what it is given
        # A draft from before has the screen of then: offered with it (see show_draft).
        self.new_screenshot = QPushButton(self.tr("New screenshot"))
        self.new_screenshot.setObjectName("newScreenshot")
        self.new_screenshot.setAutoDefault(False)
        self.new_screenshot.setToolTip(
            self.tr("Take the picture of your screen again, as it is now")
        )
        self.buttons.addButton(self.new_screenshot, QDialogButtonBox.ButtonRole.ResetRole)
        self.new_screenshot.hide()
        form_layout.addWidget(self.buttons)
        self.addWidget(form)

        self.done = QWidget()
        self.done.setObjectName("done")
        done = self.done
        done_layout = QVBoxLayout(done)
        done_layout.setContentsMargins(0, 0, 0, 0)
        self.done_title = QLabel()
        self.done_title.setObjectName("doneTitle")
        self.done_title.setTextFormat(Qt.TextFormat.PlainText)
        self.done_title.setWordWrap(True)
        font = self.done_title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.done_title.setFont(font)
        self.done_text = QLabel()
        self.done_text.setObjectName("doneText")
        self.done_text.setTextFormat(Qt.TextFormat.PlainText)
        self.done_text.setWordWrap(True)
        done_buttons = QHBoxLayout()
        self.show_tickets = QPushButton(self.tr("Show my tickets"))
        self.show_tickets.setObjectName("showTickets")
        self.close = QPushButton(self.tr("Close"))
        self.close.setObjectName("close")
        done_buttons.addStretch()
        done_buttons.addWidget(self.show_tickets)
        done_buttons.addWidget(self.close)
        done_layout.addWidget(self.done_title)
        done_layout.addWidget(self.done_text)
        done_layout.addSpacing(12)
        done_layout.addLayout(done_buttons)
        self.addWidget(done)
        done.hide()

    def show_message(self, text: str, role: str = "error") -> None:
        """Say what went wrong (or, with ``role=""``, just say something) above the buttons."""
        self.message.setProperty("role", role)
        self.message.style().polish(self.message)
        self.message.setText(text)
        self.message.show()


class ReportDialog(QDialog):
    """Validates through ``core.reports``, sends through ``ReportService``.

    What the user typed is never lost: it stays in the dialog until it is
    saved on this computer; from then on the outbox keeps it until the desk
    has it, and the dialog may be closed at any time.

    With ``items``, the diagnostics, the screenshot and the user's files are
    listed under the text, each removable, and sent along.

    Signals:
        tickets_requested(): the user wants to see their tickets.
        report_sent(TicketRef): this dialog's report became a ticket.
        items_ready(): the diagnostics and the screenshot are ready (again, after a change).
        new_screenshot_requested(): take the screenshot again (the dialog must not be on it).
        help_wanted(str): the employee typed: find articles and fixes that may help.
        suggestion_chosen(str, str): they chose one (its kind and id).
    """

    tickets_requested = Signal()
    report_sent = Signal(object)
    items_ready = Signal()
    new_screenshot_requested = Signal()
    help_wanted = Signal(str)
    suggestion_chosen = Signal(str, str)

    def __init__(
        self,
        service: ReportService,
        *,
        max_attachment_bytes: int,
        items: ReportItems | None = None,
        items_wait_ms: int = ITEMS_WAIT_MS,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        resources.dress(self, "reportDialog", self.tr("Report a problem"))
        self.setMinimumWidth(560 if items is not None else 460)
        self._service = service
        self._max_attachment_bytes = max_attachment_bytes
        self._items = items
        self._pending: Report | None = None
        self._waiting_for_items = False
        self._items_were_ready = False
        # Send waits for what is being prepared, but not for ever.
        self._items_wait = QTimer(self)
        self._items_wait.setSingleShot(True)
        self._items_wait.setInterval(items_wait_ms)
        self._items_wait.timeout.connect(self._on_items_wait_timeout)
        self._saved = False
        #: Whether the words typed are searched for articles and fixes (see attach).
        self._suggesting = True
        #: The desk queue the next report goes to ("": the desk's default), fixed when saved.
        self._queue = ""
        self.view = ReportDialogView(self)
        if items is not None:
            self.setAcceptDrops(True)
            # Files dropped on the text fields are added too (not pasted as text);
            # the subject line's filter is installed below, for every dialog.
            self.view.description.viewport().installEventFilter(self)
            self.view.items.show()
            items.changed.connect(self._on_items_changed)
            items.problem.connect(self.view.show_message)
            self.view.items.remove_requested.connect(items.remove)
            self.view.items.restore_requested.connect(items.restore)
            self.view.items.edit_screenshot_requested.connect(self._on_edit_screenshot_requested)
            self.view.items.add_files_requested.connect(self._on_add_files_requested)
            self.view.items.preview_requested.connect(self._on_preview_requested)
            self._on_items_changed()
        self.view.send.clicked.connect(self._on_send_clicked)
        self.view.cancel.clicked.connect(self.reject)
        self.view.close.clicked.connect(self.accept)
        self.view.show_tickets.clicked.connect(self._on_show_tickets_clicked)
        self.view.subject.textEdited.connect(self._on_subject_text_edited)
        self.view.subject.textEdited.connect(self._on_text_typed)
        self.view.description.textChanged.connect(self._on_text_typed)
        self.view.suggestions.chosen.connect(self.suggestion_chosen)
        self.view.start_over.clicked.connect(self._on_start_over_clicked)
        self.view.new_screenshot.clicked.connect(self._on_new_screenshot_clicked)
        self.view.subject.installEventFilter(self)
        QShortcut(QKeySequence("Ctrl+Return"), self, self._on_send_clicked)
        QShortcut(QKeySequence("Ctrl+Enter"), self, self._on_send_clicked)  # the keypad's Enter
        service.report_saved.connect(self._on_service_report_saved)
        service.report_not_saved.connect(self._on_service_report_not_saved)
        service.report_sent.connect(self._on_service_report_sent)
        service.report_delayed.connect(self._on_service_report_delayed)
        service.report_rejected.connect(self._on_service_report_rejected)

    def typed_text(self) -> str:
        """The subject and the description as one text (what the search looks at)."""
        return f"{self.view.subject.text()}\n{self.view.description.toPlainText()}".strip()

    def show_suggestions(self, text: str, suggestions: Sequence[Suggestion]) -> None:
        """Articles and fixes that may help with ``text`` (ignored if the words changed since)."""
        if text == self.typed_text() and self.accepts_text:
            self.view.suggestions.show_suggestions(suggestions)

    def attach(self, attachment: Attachment) -> None:
        """Send this file along (a fix's record), listed with the other items.

        A report that carries a fix's record comes after self-help did not
        help: it suggests no more fixes (not the same one again).
        """
        if self._items is not None:
            self._items.attach(attachment)
        self._suggesting = False
        self.view.suggestions.show_suggestions([])

    def _on_text_typed(self) -> None:
        if self.accepts_text and self._suggesting:
            self.help_wanted.emit(self.typed_text())

    def set_destination(self, queue: str, where: str) -> None:
        """The queue the report will go to, and ``where`` in words (``""``: not said).

        Once Send is pressed (while it waits for the diagnostics, and after)
        nothing changes: the report goes where the dialog said it would.
        """
        if self.sending or self._waiting_for_items:
            return
        self._queue = queue
        self.view.destination.setText(where)
        self.view.destination.setVisible(bool(where))

    @property
    def queue(self) -> str:
        """The desk queue the report will go to (``""``: the desk's default)."""
        return self._queue

    @property
    def sending(self) -> bool:
        """Whether a report is on its way (saving or sending)."""
        return self._pending is not None

    @property
    def accepts_text(self) -> bool:
        """Whether words from the panel can still go into this report (not saved yet)."""
        return not self.sending and not self._saved and self.view.form.isVisibleTo(self)

    @property
    def has_draft(self) -> bool:
        """Whether the user wrote something that is not saved yet (closing must keep it)."""
        unsaved = self.view.form.isVisibleTo(self) and not self._saved
        return unsaved and bool(
            self.view.subject.text().strip() or self.view.description.toPlainText().strip()
        )

    def show_draft(self) -> None:
        """Reopened with text from before: say so, offer to start over, and a new screenshot."""
        self.view.start_over.show()
        self._offer_new_screenshot()
        words = self.tr("Your unsent report is still here.")
        if self.view.new_screenshot.isVisibleTo(self):
            words += " " + self.tr(
                "Its screenshot is from when you first opened it: take a new one if the "
                "screen shows something else now."
            )
        self.view.show_message(words, role="")

    def _offer_new_screenshot(self) -> None:
        items = self._items
        # Only where there is a screenshot to renew (IT may have turned them off).
        self.view.new_screenshot.setVisible(items is not None and items.grab.screen is not None)

    def retake_screenshot(self, grab: Grab) -> None:
        """The new picture of the screen, taken while the dialog was out of the way."""
        if self._items is not None:
            self._items.retake(grab)

    def _on_new_screenshot_clicked(self) -> None:
        self.view.new_screenshot.hide()
        self.view.message.hide()
        self.new_screenshot_requested.emit()

    def start_with(self, text: str) -> None:
        """Begin with what the employee typed in the panel's "What's wrong?" box.

        Its first line (up to the subject's length) becomes the subject, the rest
        the description, and the description has the focus: say more, or send. A
        draft already here keeps its subject; the text is added to its description.
        """
        text = text.strip()
        if not text or not self.accepts_text:
            return
        description = self.view.description
        if self.view.subject.text().strip():
            if text not in description.toPlainText():
                description.appendPlainText(text)
        else:
            first, _, rest = text.partition("\n")
            subject = first if len(first) <= MAX_SUBJECT_LENGTH else ""
            if not subject:  # a word-boundary cut, and the whole text below it
                subject = first[: MAX_SUBJECT_LENGTH - 1].rsplit(" ", 1)[0].rstrip() + "…"
                rest = text
            self.view.subject.setText(subject)
            if rest.strip():
                description.setPlainText(rest.strip())
        description.moveCursor(QTextCursor.MoveOperation.End)
        description.setFocus()

    def _on_start_over_clicked(self) -> None:
        self.view.subject.clear()
        self.view.description.clear()
        self.view.message.hide()
        self.view.start_over.hide()
        self._offer_new_screenshot()  # a new report may be about what is on screen now
        self.view.subject.setFocus()

    def _mine(self, report: Report) -> bool:
        return self._pending is not None and report.key == self._pending.key

    def _build(self) -> Report:
        items = self._items
        return build_report(
            self.view.subject.text(),
            self.view.description.toPlainText(),
            items.attachments() if items is not None else (),
            summary=items.summary() if items is not None else "",
            queue=self._queue,
            max_attachment_bytes=self._max_attachment_bytes,
        )

    def _on_send_clicked(self) -> None:
        if self.sending or self._waiting_for_items or not self.view.form.isVisibleTo(self):
            return
        try:
            self._build()  # say what is wrong now, not after waiting
        except ValidationError as error:
            self.view.show_message(texts.error_message(error))
            if error.field == "subject":
                self.view.subject.setFocus()
            return
        self._set_busy(True)
        if self._items is not None and not self._items.ready:
            self._waiting_for_items = True  # sent as soon as the diagnostics are in
            self._items_wait.start()
            self.view.send.setText(self.tr("Preparing…"))
            self.view.cancel.setEnabled(True)  # nothing is saved yet: the user may stop
            return
        self._send()

    def _on_items_wait_timeout(self) -> None:
        if self._waiting_for_items and self._items is not None:
            logger.warning("report items not ready after %d ms: sending without them",
                           self._items_wait.interval())  # fmt: skip
            self._items.give_up_waiting()  # ready now: sends from _on_items_changed

    def _stop_waiting(self) -> None:
        self._waiting_for_items = False
        self._items_wait.stop()

    def _send(self) -> None:
        self._stop_waiting()
        try:
            report = self._build()
        except ValidationError as error:  # a file added meanwhile made it too large
            self._set_busy(False)
            self.view.show_message(texts.error_message(error))
            return
        self._pending = report
        self._saved = False
        self._service.send(report)

    # --- the items ----------------------------------------------------------------------------

    def _on_items_changed(self) -> None:
        items = self._items
        assert items is not None
        self.view.items.show_items(items.items(), items.screenshot_image())
        # The preview shows what Send would send: only once everything is prepared.
        self.view.items.preview.setEnabled(items.ready)
        self.view.items.preview.setToolTip("" if items.ready else self.tr("Still preparing…"))
        if items.ready and not self._items_were_ready:
            # Once the new rows are shown and laid out (both are queued events).
            QTimer.singleShot(0, self, self.items_ready.emit)  # not after the dialog is gone
        self._items_were_ready = items.ready
        if items.ready and self._waiting_for_items:
            self._send()

    def _on_edit_screenshot_requested(self) -> None:
        items = self._items
        assert items is not None
        editor = ScreenshotEditor(items.grab, items.edits, self)
        editor.accepted.connect(lambda: items.set_edits(editor.edits()))
        editor.finished.connect(editor.deleteLater)
        editor.open()

    def _on_add_files_requested(self) -> None:
        pick_files(self, self.tr("Add files to your report"), "filePicker", self._add_paths)

    def _add_paths(self, paths: list[str]) -> None:
        if self._items is not None:
            self.view.message.hide()
            self._items.add_files(list(paths))

    def _on_preview_requested(self) -> None:
        items = self._items
        assert items is not None
        from client.ui.payload_preview import PayloadPreview  # deferred: rarely opened

        preview = PayloadPreview(
            " ".join(self.view.subject.text().split()),
            ticket_text(self.view.description.toPlainText(), items.summary()),
            items.attachments(),
            self,
        )
        preview.finished.connect(preview.deleteLater)
        preview.open()

    def _takes_files(self) -> bool:
        """Whether files may be added now (not while sending, nor after)."""
        editing = self.view.form.isVisibleTo(self) and not self.sending
        return self._items is not None and editing and not self._waiting_for_items

    def _consider_drag(self, event: QDragMoveEvent) -> None:
        if self._takes_files() and _local_files(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802, D102
        self._consider_drag(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802, D102
        self._consider_drag(event)

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802, D102
        paths = _local_files(event.mimeData())
        if paths and self._takes_files():
            event.acceptProposedAction()
            self._add_paths(paths)
        else:
            event.ignore()

    def _on_service_report_saved(self, report: Report) -> None:
        if self._mine(report):
            self._saved = True
            self.view.cancel.setText(self.tr("Close"))
            self.view.cancel.setEnabled(True)
            self.view.cancel.setToolTip(
                self.tr("Your report is saved and will be sent even if you close this window.")
            )

    def _on_service_report_not_saved(self, report: Report, error: ClientError) -> None:
        if not self._mine(report):
            return
        self._pending = None
        self._set_busy(False)
        self.view.show_message(
            texts.error_message(error) + "\n" + self.tr("Your text is kept; you can send it again.")
        )

    def _on_service_report_sent(self, report: Report, item: OutboxItem) -> None:
        if not self._mine(report) or item.ticket is None:
            return
        text = self.tr(
            "Your report has reached the service desk. Someone will pick it up; you can "
            "see where it is under “My tickets”, and we will let you know when something "
            "changes."
        )
        if item.refused:
            text += "\n\n" + texts.refused_files(item.refused)
        self._finish(
            self.tr("Thank you. Your report is ticket %1.").replace("%1", str(item.ticket)),
            text,
        )
        self.report_sent.emit(item.ticket)

    def _on_service_report_delayed(self, report: Report, error: ClientError) -> None:
        if self._mine(report):
            if isinstance(error, Forbidden | NotFound):  # the desk answered: it refused us
                then = self.tr(
                    "It will be sent automatically as soon as the service desk accepts it. "
                    "You can see it, and why it waits, under “My tickets”."
                )
            else:
                then = self.tr(
                    "It will be sent automatically as soon as the service desk can be "
                    "reached; you do not need to do anything. You can see it under "
                    "“My tickets”."
                )
            self._finish(
                self.tr("Your report is saved on this computer."),
                texts.error_message(error) + "\n\n" + then,
            )

    def _on_service_report_rejected(self, report: Report, error: ClientError) -> None:
        if self._mine(report):
            self._finish(
                self.tr("The service desk did not accept your report."),
                texts.error_message(error)
                + "\n\n"
                + self.tr(
                    "It is kept under “My tickets”, where you can change it and send it again."
                ),
            )

    def _finish(self, title: str, text: str) -> None:
        self._pending = None
        self._set_busy(False)
        self.view.done_title.setText(title)
        self.view.done_text.setText(text)
        self.view.form.hide()
        self.view.done.show()
        self.setMinimumHeight(0)
        self.adjustSize()
        self.view.close.setFocus()

    def _on_subject_text_edited(self, _text: str) -> None:
        self.view.message.hide()

    def _on_show_tickets_clicked(self) -> None:
        self.tickets_requested.emit()
        self.accept()

    def _set_busy(self, busy: bool) -> None:
        for widget in (self.view.subject, self.view.description, self.view.send, self.view.items):
            widget.setEnabled(not busy)
        self.view.cancel.setEnabled(not busy)
        self.view.send.setText(self.tr("Sending…") if busy else self.tr("Send"))
        if busy:
            self.view.message.hide()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802, D102
        if isinstance(event, QDropEvent) and _local_files(event.mimeData()):
            # Files dragged over a text field: ours, not text to paste (QDragMoveEvent
            # and QDragEnterEvent are QDropEvents too).
            if isinstance(event, QDragMoveEvent):
                self._consider_drag(event)
            else:
                self.dropEvent(event)
            return True
        if watched is self.view.subject and isinstance(event, QKeyEvent):
            enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            ctrl = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
            if event.type() == QEvent.Type.KeyPress and enter and not ctrl:
                # Enter after the subject moves on to the description; Ctrl+Enter sends.
                self.view.description.setFocus()
                return True
        return super().eventFilter(watched, event)

    def reject(self) -> None:
        """Closing is fine once the report is saved; before that it would lose the text."""
        if self.sending and not self._saved:
            return
        if self._waiting_for_items:  # not sent: the text stays as a draft
            self._stop_waiting()
            self._set_busy(False)
        super().reject()


class EditReportDialog(QDialog):
    """Change the text of a report that has not reached the desk, and send it again.

    Closes once the outbox has the change; when the report moved on meanwhile
    (it is being sent, or arrived), it says so and keeps the text.
    """

    def __init__(
        self,
        outbox: OutboxService,
        item: OutboxItem,
        *,
        max_attachment_bytes: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        resources.dress(self, "editReportDialog", self.tr("Change your report"))
        self.setMinimumWidth(460)
        self._outbox = outbox
        self._item = item
        self._max_attachment_bytes = max_attachment_bytes
        self._saving = False
        self.view = ReportDialogView(self)
        self.view.intro.setText(
            self.tr("This report has not reached the service desk yet. Change it, then send it.")
        )
        self.view.subject.setText(item.subject)
        self.view.description.setPlainText(item.description)
        self.view.send.setText(self.tr("Save and send"))
        self.view.send.clicked.connect(self._on_send_clicked)
        self.view.cancel.clicked.connect(self.reject)
        outbox.change_done.connect(self._on_outbox_change_done)
        outbox.change_failed.connect(self._on_outbox_change_failed)

    @property
    def item_id(self) -> int:
        """The report being changed."""
        return self._item.id

    def _on_send_clicked(self) -> None:
        try:
            report = build_report(
                self.view.subject.text(),
                self.view.description.toPlainText(),
                max_attachment_bytes=self._max_attachment_bytes,
            )
        except ValidationError as error:
            self.view.show_message(texts.error_message(error))
            return
        self._saving = True
        self.view.send.setEnabled(False)
        self.view.message.hide()
        self._outbox.edit(self._item.id, report.subject, report.description)

    def _on_outbox_change_done(self, item_id: int) -> None:
        if self._saving and item_id == self._item.id:
            self._saving = False
            self.accept()

    def _on_outbox_change_failed(self, item_id: int, error: ClientError) -> None:
        if not (self._saving and item_id == self._item.id):
            return
        self._saving = False
        self.view.send.setEnabled(error.code not in ("being_sent", "already_sent", "maybe_sent"))
        self.view.show_message(
            texts.error_message(error)
            + "\n"
            + self.tr("Your text is still here, so you can copy it.")
        )


def destination_text(
    department: str, agent: str = "", backup: str = "", agent_away: bool = False
) -> str:
    """Where a report goes, in the user's words: the department and the person who reads it."""
    if agent and agent_away and backup:
        return fill(
            translate("ReportDialog", "Your report goes to %1. %2 helps while %3 is away."),
            department,
            backup,
            agent,
        )
    if agent and not agent_away:
        return fill(translate("ReportDialog", "Your report goes to %1, %2."), agent, department)
    plain = translate("ReportDialog", "Your report goes to the service desk of %1.")
    return fill(plain, department)
