"""My tickets: every ticket of the user with its stage, who handles it and when it last moved."""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import QDateTime, QLocale, QModelIndex, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QCloseEvent,
    QColor,
    QFont,
    QShowEvent,
    QStandardItem,
    QStandardItemModel,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from client.core.models import Stage, Ticket, TicketRef, TicketSummary
from client.core.outbox import OutboxItem
from client.core.tracking import expectation
from client.core.tray_state import ConnectionState, TrayStatus
from client.ui import colours, resources, texts
from client.ui.outbox_panel import OutboxPanel
from client.ui.tracker import TicketTracker
from client.ui.widgets import plain_tooltip


class TicketTableModel(QStandardItemModel):
    """The user's tickets as table rows.

    Every cell is worked out once, when the tickets arrive, and then held by
    Qt: the view asks each cell for eight roles on every layout and paint, and
    a model answering from Python took the GUI thread 20-70 ms each time the
    window's layout moved (a report queued or sent; docs/performance.md).
    """

    class Column(enum.IntEnum):
        """The columns, in order."""

        TICKET = 0
        SUBJECT = 1
        STAGE = 2
        AGENT = 3
        UPDATED = 4

    class Role(enum.IntEnum):
        """Extra data roles."""

        SUMMARY = Qt.ItemDataRole.UserRole + 1

    def __init__(
        self,
        parent: QWidget | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        super().__init__(0, len(self.Column), parent)
        self._now = now
        self.setHorizontalHeaderLabels(
            [
                self.tr("Ticket"),
                self.tr("Subject"),
                self.tr("Stage"),
                self.tr("Handled by"),
                self.tr("Last change"),
            ]
        )

    def set_tickets(self, tickets: list[TicketSummary]) -> None:
        """Replace the rows ("Last change" is worded as of now: each poll words it again)."""
        now = self._now()
        rows = [self._row(ticket, now) for ticket in tickets]
        self.beginResetModel()
        self.blockSignals(True)  # one reset for the view, not a signal per row
        try:
            self.setRowCount(0)
            for row in rows:
                self.appendRow(row)
        finally:
            self.blockSignals(False)
            self.endResetModel()

    def _row(self, ticket: TicketSummary, now: datetime) -> list[QStandardItem]:
        # Untrusted text from the desk: shown as plain text by the view,
        # and a megabyte-long title is cut for the table.
        title = ticket.title[:300]
        local = QDateTime.fromSecsSinceEpoch(int(ticket.updated.timestamp()))
        cells = (
            (str(ticket.ref), str(ticket.ref)),
            (title, title),
            (texts.stage_label(ticket.stage), texts.stage_label(ticket.stage)),
            ((ticket.agent.name if ticket.agent else self.tr("Not assigned yet")),) * 2,
            (
                texts.moment(ticket.updated, now),
                QLocale().toString(local, QLocale.FormatType.LongFormat),
            ),
        )
        row = []
        for text, tip in cells:
            item = QStandardItem(text)
            item.setToolTip(plain_tooltip(tip))  # a title from the desk, shown as written
            item.setEditable(False)
            item.setData(ticket, self.Role.SUMMARY)
            row.append(item)
        stage = row[self.Column.STAGE]
        colour = _stage_colour(ticket.stage)
        if colour is not None:
            stage.setForeground(QBrush(colour))
        if ticket.stage is Stage.WAITING_ON_YOU:  # the one stage that needs the user
            font = QFont()
            font.setBold(True)
            stage.setFont(font)
        return row


def _stage_colour(stage: Stage) -> QColor | None:
    """The colour of a stage that needs one, for the palette (light or dark).

    In high contrast: none (the user's own colours).
    """
    if colours.high_contrast():
        return None
    scheme = colours.scheme_for()
    found = {
        Stage.WAITING_ON_YOU: scheme.stage_waiting,
        Stage.RESOLVED: scheme.stage_resolved,
        Stage.CLOSED: scheme.stage_done,
        Stage.CANCELLED: scheme.stage_done,
    }.get(stage)
    return QColor(found) if found else None


class TicketsWindowView(QVBoxLayout):
    """The widgets of the tickets window; no behaviour."""

    def __init__(self, window: QWidget, model: TicketTableModel) -> None:
        super().__init__(window)
        header = QHBoxLayout()
        self.title = QLabel(self.tr("My tickets"))
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.title.setFont(font)
        self.report = QPushButton(self.tr("Report a problem…"))
        self.report.setObjectName("report")
        self.refresh = QPushButton(self.tr("Refresh"))
        self.refresh.setObjectName("refresh")
        self.refresh.setAccessibleDescription(
            self.tr("Asks the service desk for the latest news on your tickets.")
        )
        header.addWidget(self.title)
        header.addStretch()
        header.addWidget(self.refresh)
        header.addWidget(self.report)
        self.addLayout(header)

        self.banner = QLabel()
        self.banner.setObjectName("banner")
        self.banner.setWordWrap(True)
        self.banner.setTextFormat(Qt.TextFormat.PlainText)
        self.banner.setProperty("role", "warning")
        self.banner.hide()
        self.sign_in = QPushButton(self.tr("Sign in…"))
        self.sign_in.setObjectName("signIn")
        self.sign_in.hide()
        banner_row = QHBoxLayout()
        banner_row.addWidget(self.banner, 1)
        banner_row.addWidget(self.sign_in)
        self.addLayout(banner_row)

        self.outbox = OutboxPanel(window)
        self.addWidget(self.outbox)

        self.pages = QStackedWidget()
        self.table = QTableView()
        self.table.setObjectName("tickets")
        self.table.setAccessibleName(self.tr("Your tickets"))
        self.table.setAccessibleDescription(self.tr("Enter opens the ticket."))
        # Tab moves on to what comes after the list, not from cell to cell (a keyboard trap).
        self.table.setTabKeyNavigation(False)
        self.table.setModel(model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.setShowGrid(False)
        horizontal = self.table.horizontalHeader()
        # Fitted to the contents when the tickets change, not on every resize:
        # ResizeToContents measures every cell again each time the layout moves.
        horizontal.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        horizontal.setSectionResizeMode(
            TicketTableModel.Column.SUBJECT, QHeaderView.ResizeMode.Stretch
        )
        model.modelReset.connect(self.table.resizeColumnsToContents)
        self.empty = QLabel()
        self.empty.setObjectName("empty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setTextFormat(Qt.TextFormat.PlainText)
        self.tracker = TicketTracker()
        self.pages.addWidget(self.table)
        self.pages.addWidget(self.empty)
        self.pages.addWidget(self.tracker)
        self.addWidget(self.pages, 1)


class TicketsWindow(QWidget):
    """Shows the tickets and the connection status; asks for reports and refreshes.

    Signals:
        report_requested(), refresh_requested(), sign_in_requested(): user intents.
        visibility_changed(bool): shown or hidden (the poller polls faster while shown).
        ticket_opened(TicketRef | None): the tracker shows this ticket (``None``: the list).
        action_requested(TicketRef, Action, str, list[str]): see ``TicketTracker``.
        file_requested(TicketRef, AttachmentInfo): see ``TicketTracker``.
    """

    report_requested = Signal()
    refresh_requested = Signal()
    sign_in_requested = Signal()
    visibility_changed = Signal(bool)
    edit_report_requested = Signal(object)
    cancel_report_requested = Signal(object)
    retry_reports_requested = Signal()
    ticket_opened = Signal(object)
    action_requested = Signal(object, object, str, list)
    file_requested = Signal(object, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        resources.dress(self, "ticketsWindow", self.tr("My tickets"))
        self.resize(760, 560)  # room for a conversation in the tracker
        self.model = TicketTableModel(self)
        self.view = TicketsWindowView(self, self.model)
        self._loaded = False
        self._status: TrayStatus | None = None
        self._tickets: list[TicketSummary] = []
        self.tracker = self.view.tracker
        self.view.table.activated.connect(self._on_table_activated)
        self.tracker.back_requested.connect(self.show_list)
        self.tracker.action_requested.connect(self.action_requested)
        self.tracker.file_requested.connect(self.file_requested)
        self.view.report.clicked.connect(self.report_requested)
        self.view.refresh.clicked.connect(self.refresh_requested)
        self.view.sign_in.clicked.connect(self.sign_in_requested)
        self.view.outbox.edit_requested.connect(self.edit_report_requested)
        self.view.outbox.cancel_requested.connect(self._on_outbox_cancel_requested)
        self.view.outbox.retry_requested.connect(self.retry_reports_requested)
        self._update_empty_state()

    def show_tickets(self, tickets: list[TicketSummary], loaded: bool) -> None:
        """Show ``tickets``; ``loaded`` says whether the desk has answered yet."""
        self._loaded = loaded
        self._tickets = list(tickets)
        self.model.set_tickets(tickets)
        shown = self.tracker.ref if self.tracking else None
        if shown is not None:
            summary = next((t for t in tickets if t.ref == shown), None)
            if summary is not None:
                self.tracker.show_ticket(summary, expectation(summary, self._tickets))
            return
        self._update_empty_state()

    @property
    def tracking(self) -> bool:
        """Whether one ticket is shown (not the list)."""
        return self.view.pages.currentWidget() is self.tracker

    def open_ticket(self, ref: TicketRef) -> bool:
        """Show the tracker for ``ref`` (False when it is not among the tickets)."""
        summary = next((t for t in self._tickets if t.ref == ref), None)
        if summary is None:
            return False
        self.tracker.show_ticket(summary, expectation(summary, self._tickets))
        self.view.pages.setCurrentWidget(self.tracker)
        self.ticket_opened.emit(ref)
        return True

    def show_ticket_detail(self, ticket: Ticket) -> None:
        """The conversation of a ticket arrived (shown if it is the one open)."""
        self.tracker.show_detail(ticket)

    def show_list(self) -> None:
        """Back from the tracker to all tickets."""
        self._update_empty_state(leave_tracker=True)
        self.ticket_opened.emit(None)

    def _on_table_activated(self, index: QModelIndex) -> None:
        summary = self.model.data(index, TicketTableModel.Role.SUMMARY)
        if summary is not None:
            self.open_ticket(summary.ref)

    def show_reports(self, items: list[OutboxItem]) -> None:
        """Show the reports that have not reached the desk (above the tickets)."""
        self.view.outbox.show_items(items)
        self._update_empty_state()

    def show_report_problem(self, text: str) -> None:
        """A waiting report could not be changed or deleted: say why."""
        self.view.outbox.show_problem(text)

    def _on_outbox_cancel_requested(self, item: OutboxItem) -> None:
        question = QMessageBox(self)
        question.setObjectName("confirmDelete")
        question.setIcon(QMessageBox.Icon.Question)
        question.setWindowTitle(self.tr("Delete this report?"))
        if item.check_first:
            text = self.tr(
                "“%1” may already have reached the service desk. Delete it from this computer? "
                "If it did arrive, the ticket stays at the service desk."
            )
        else:
            text = self.tr("“%1” has not reached the service desk. Delete it from this computer?")
        question.setText(text.replace("%1", item.subject[:120]))
        delete = question.addButton(self.tr("Delete"), QMessageBox.ButtonRole.DestructiveRole)
        question.setDefaultButton(
            question.addButton(self.tr("Keep"), QMessageBox.ButtonRole.RejectRole)
        )
        question.finished.connect(
            lambda _r: (
                self.cancel_report_requested.emit(item)
                if question.clickedButton() is delete
                else None
            )
        )
        question.finished.connect(question.deleteLater)
        question.open()  # not a nested event loop: the answer arrives as a signal

    def show_status(self, status: TrayStatus) -> None:
        """Explain what is wrong, if anything (signed out, desk unreachable)."""
        self._status = status
        self._update_empty_state()
        self.view.sign_in.setVisible(not status.signed_in)
        if not status.signed_in:
            self._set_banner(self.tr("You are not signed in to the service desk."))
        elif status.connection is ConnectionState.OFFLINE:
            self._set_banner(texts.status_message(status.error_code, status.error_reason))
        else:
            self._set_banner("")

    def _set_banner(self, text: str) -> None:
        self.view.banner.setText(text)
        self.view.banner.setVisible(bool(text))

    def _update_empty_state(self, leave_tracker: bool = False) -> None:
        """The list, or why it is empty; an open ticket stays open unless the user goes back.

        A status or outbox change (after "Still broken", say) must not take the
        employee away from the ticket they are looking at.
        """
        if self.tracking and not leave_tracker:
            return
        if self.model.rowCount():
            self.view.pages.setCurrentWidget(self.view.table)
            return
        status = self._status
        if status is not None and not status.signed_in:
            text = self.tr("Sign in to see your tickets.")
        elif self._loaded and self.view.outbox.rows:
            text = ""  # only reports on their way: not "you have no tickets"
        elif self._loaded:
            text = self.tr("You have no tickets. If something is not working, report it here.")
        elif status is not None and status.connection is ConnectionState.OFFLINE:
            text = self.tr(
                "Your tickets will show here as soon as the service desk can be reached."
            )
        else:
            text = self.tr("Loading your tickets…")
        self.view.empty.setText(text)
        self.view.pages.setCurrentWidget(self.view.empty)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802, D102
        super().showEvent(event)
        self.visibility_changed.emit(True)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802, D102
        super().closeEvent(event)
        self.visibility_changed.emit(False)
