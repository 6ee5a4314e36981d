"""Report a problem: say what is wrong, press Send, get a ticket number."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
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

from client.core.errors import ClientError, ValidationError
from client.core.models import Report, TicketRef
from client.core.reports import MAX_SUBJECT_LENGTH, build_report
from client.services.reporting import ReportService
from client.ui import resources, texts

logger = logging.getLogger(__name__)


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
            self.subject_label,
            self.subject,
            self.description_label,
            self.description,
            self.message,
        ):
            form_layout.addWidget(widget)
        self.buttons = QDialogButtonBox()
        self.send = QPushButton(self.tr("Send"))
        self.send.setObjectName("send")
        self.cancel = QPushButton(self.tr("Cancel"))
        self.cancel.setObjectName("cancel")
        self.cancel.setAutoDefault(False)
        self.buttons.addButton(self.send, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.cancel, QDialogButtonBox.ButtonRole.RejectRole)
        self.send.setDefault(True)
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
        self.done_text = QLabel(
            self.tr(
                "Your report has reached the service desk. Someone will pick it up; you can "
                "see where it is under “My tickets”, and we will let you know when something "
                "changes."
            )
        )
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


class ReportDialog(QDialog):
    """Validates through ``core.reports``, sends through ``ReportService``.

    What the user typed is never lost: it stays in the dialog until the desk
    has confirmed the ticket.

    Signals:
        tickets_requested(): the user wants to see their tickets.
        report_sent(TicketRef): this dialog's report became a ticket.
    """

    tickets_requested = Signal()
    report_sent = Signal(object)

    def __init__(
        self,
        service: ReportService,
        *,
        max_attachment_bytes: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("reportDialog")
        self.setWindowTitle(self.tr("Report a problem"))
        self.setWindowIcon(resources.app_icon())
        self.setMinimumWidth(460)
        # Our style only on our windows: the tray menu keeps the platform look.
        self.setStyleSheet(resources.style_sheet())
        self._service = service
        self._max_attachment_bytes = max_attachment_bytes
        self._pending: Report | None = None
        self.view = ReportDialogView(self)
        self.view.send.clicked.connect(self._on_send_clicked)
        self.view.cancel.clicked.connect(self.reject)
        self.view.close.clicked.connect(self.accept)
        self.view.show_tickets.clicked.connect(self._on_show_tickets_clicked)
        self.view.subject.textEdited.connect(self._on_subject_text_edited)
        QShortcut(QKeySequence("Ctrl+Return"), self, self._on_send_clicked)
        service.report_sent.connect(self._on_service_report_sent)
        service.report_failed.connect(self._on_service_report_failed)

    @property
    def sending(self) -> bool:
        """Whether a report is on its way."""
        return self._pending is not None

    def _on_send_clicked(self) -> None:
        if self.sending or not self.view.form.isVisibleTo(self):
            return
        try:
            report = build_report(
                self.view.subject.text(),
                self.view.description.toPlainText(),
                max_attachment_bytes=self._max_attachment_bytes,
            )
        except ValidationError as error:
            self._show_message(texts.error_message(error))
            if error.field == "subject":
                self.view.subject.setFocus()
            return
        self._pending = report
        self._set_busy(True)
        self._service.send(report)

    def _on_service_report_sent(self, report: Report, ref: TicketRef) -> None:
        if self._pending is None or report.key != self._pending.key:
            return
        self._pending = None
        self._set_busy(False)
        self.view.done_title.setText(
            self.tr("Thank you. Your report is ticket %1.").replace("%1", str(ref))
        )
        self.view.form.hide()
        self.view.done.show()
        self.setMinimumHeight(0)
        self.adjustSize()
        self.view.close.setFocus()
        self.report_sent.emit(ref)

    def _on_service_report_failed(self, report: Report, error: ClientError) -> None:
        if self._pending is None or report.key != self._pending.key:
            return
        self._pending = None
        self._set_busy(False)
        self._show_message(
            texts.error_message(error) + "\n" + self.tr("Your text is kept; you can send it again.")
        )

    def _on_subject_text_edited(self, _text: str) -> None:
        self.view.message.hide()

    def _on_show_tickets_clicked(self) -> None:
        self.tickets_requested.emit()
        self.accept()

    def _show_message(self, text: str) -> None:
        self.view.message.setText(text)
        self.view.message.show()

    def _set_busy(self, busy: bool) -> None:
        for widget in (self.view.subject, self.view.description, self.view.send):
            widget.setEnabled(not busy)
        self.view.send.setText(self.tr("Sending…") if busy else self.tr("Send"))
        if busy:
            self.view.message.hide()

    def reject(self) -> None:
        """Closing while sending keeps the dialog open: the outcome must be seen."""
        if self.sending:
            return
        super().reject()
