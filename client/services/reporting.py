"""Sending a report, as the report dialog sees it: saved, then sent (or delayed, or refused)."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal

from client.core.errors import ClientError, ConfigurationError
from client.core.models import Report
from client.core.outbox import OutboxItem, OutboxState
from client.services.outbox import OutboxService

logger = logging.getLogger(__name__)


class ReportService(QObject):
    """Hands reports to the outbox and tells the dialog what became of each.

    Every report goes through the outbox, so it is on disk before the network
    is tried; the first attempt's outcome is reported here, later ones show in
    "My tickets".

    Signals:
        report_saved(Report): the report is safe on this computer.
        report_not_saved(Report, ClientError): it could not be saved; the
            dialog keeps the text.
        report_sent(Report, OutboxItem): the desk created the ticket
            (``item.ticket``), without the attachments in ``item.refused``.
        report_delayed(Report, ClientError): the desk could not be reached;
            the outbox will send it when it can.
        report_rejected(Report, ClientError): the desk refused it; it waits in
            "My tickets" to be changed and sent again.
        delivered_later(OutboxItem): a report whose first attempt is over
            (saved for later, or from an earlier session) reached the desk.
    """

    report_saved = Signal(object)
    report_not_saved = Signal(object, object)
    report_sent = Signal(object, object)
    report_delayed = Signal(object, object)
    report_rejected = Signal(object, object)
    delivered_later = Signal(object)

    def __init__(self, outbox: OutboxService, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._outbox = outbox
        self._awaiting: dict[str, Report] = {}
        outbox.report_stored.connect(self._on_outbox_report_stored)
        outbox.report_not_stored.connect(self._on_outbox_report_not_stored)
        outbox.report_delivered.connect(self._on_outbox_report_delivered)
        outbox.attempt_failed.connect(self._on_outbox_attempt_failed)

    def send(self, report: Report) -> None:
        """Save the report and send it; the outcome arrives as signals."""
        logger.info(
            "report %s: %d attachment(s), %d bytes",
            report.key,
            len(report.attachments),
            report.size,
        )
        self._awaiting[report.key] = report
        self._outbox.enqueue(report)

    def _on_outbox_report_stored(self, report: Report, _item: OutboxItem) -> None:
        if report.key not in self._awaiting:
            return
        self.report_saved.emit(report)
        if not self._outbox.can_send:
            # Signed out (the sign-in expired): it waits for the next sign-in.
            self._awaiting.pop(report.key)
            self.report_delayed.emit(report, ConfigurationError("not signed in"))

    def _on_outbox_report_not_stored(self, report: Report, error: ClientError) -> None:
        if self._awaiting.pop(report.key, None) is not None:
            logger.error("report %s could not be saved: %s", report.key, error.detail)
            self.report_not_saved.emit(report, error)

    def _on_outbox_report_delivered(self, item: OutboxItem) -> None:
        report = self._awaiting.pop(item.key, None)
        if report is not None:
            self.report_sent.emit(report, item)
        else:
            self.delivered_later.emit(item)

    def _on_outbox_attempt_failed(self, item: OutboxItem, error: ClientError) -> None:
        report = self._awaiting.pop(item.key, None)
        if report is None:
            return
        if item.state is OutboxState.REJECTED:
            self.report_rejected.emit(report, error)
        else:
            self.report_delayed.emit(report, error)
