"""Sending a report: from the dialog's finished text to a ticket number."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal

from client.core.errors import ClientError, ConfigurationError
from client.core.models import Report, TicketRef
from client.services.account import Account
from client.services.tasks import TaskRunner

logger = logging.getLogger(__name__)


class ReportService(QObject):
    """Files reports at the signed-in user's desk.

    Signals:
        report_sent(report, ticket_ref): the desk created the ticket.
        report_failed(report, error): it did not; ``error`` is a ClientError and
            the report is untouched, so the user can send it again.
    """

    report_sent = Signal(object, object)
    report_failed = Signal(object, object)

    def __init__(self, runner: TaskRunner, account: Account, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._account = account

    def send(self, report: Report) -> None:
        """Send ``report`` in the background; the outcome arrives as a signal."""
        desk = self._account.desk
        if desk is None:
            self.report_failed.emit(report, ConfigurationError("not signed in"))
            return
        logger.info(
            "sending report %s (%d attachment(s), %d bytes)",
            report.key,
            len(report.attachments),
            report.size,
        )
        self._runner.submit(
            lambda: desk.create_ticket(report),
            owner=self,
            on_success=lambda ref: self._on_created(report, ref),
            on_error=lambda error: self._on_failed(report, error),
        )

    def _on_created(self, report: Report, ref: TicketRef) -> None:
        logger.info("report %s is ticket %s", report.key, ref)
        self.report_sent.emit(report, ref)

    def _on_failed(self, report: Report, error: Exception) -> None:
        if not isinstance(error, ClientError):
            logger.error("report %s failed unexpectedly", report.key, exc_info=error)
            error = ClientError(str(error))
        else:
            logger.warning("report %s not sent: %s %s", report.key, error.code, error.detail)
        self.report_failed.emit(report, error)
