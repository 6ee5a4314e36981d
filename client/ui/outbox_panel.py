"""Reports still on this computer: waiting to be sent, or refused by the desk."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from client.core.outbox import OutboxItem, OutboxState
from client.ui import texts
from client.ui.widgets import Card


class OutboxRow(Card):
    """One report: what it is about, where it is, and what the user can do with it."""

    def __init__(self, item: OutboxItem, status: str, parent: QWidget | None = None) -> None:
        super().__init__(f"outboxItem{item.id}", item.subject[:200], status, parent)
        self.item = item
        self.subject = self.title
        self.status = self.detail
        self.status.setObjectName("status")
        if item.state is OutboxState.REJECTED:
            self.status.setProperty("role", "error")
        self.edit = QPushButton(self.tr("Change…"))
        self.edit.setObjectName("edit")
        self.edit.setVisible(item.editable)
        self.cancel = QPushButton(self.tr("Delete"))
        self.cancel.setObjectName("cancel")
        self.cancel.setVisible(item.state is not OutboxState.SENDING)
        self.row.addWidget(self.edit)
        self.row.addWidget(self.cancel)


class OutboxPanel(QWidget):
    """The list of reports that have not reached the desk; hidden when there are none.

    Signals:
        edit_requested(OutboxItem), cancel_requested(OutboxItem), retry_requested():
            user intents.
    """

    edit_requested = Signal(object)
    cancel_requested = Signal(object)
    retry_requested = Signal()

    def __init__(
        self,
        parent: QWidget | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        super().__init__(parent)
        self.setObjectName("outboxPanel")
        self._now = now
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 6)
        header = QHBoxLayout()
        self.title = QLabel()
        self.title.setObjectName("outboxTitle")
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.retry = QPushButton(self.tr("Try again now"))
        self.retry.setObjectName("retry")
        self.retry.clicked.connect(self.retry_requested)
        header.addWidget(self.title)
        header.addStretch()
        header.addWidget(self.retry)
        layout.addLayout(header)
        self.problem = QLabel()
        self.problem.setObjectName("problem")
        self.problem.setProperty("role", "error")
        self.problem.setWordWrap(True)
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        self.problem.hide()
        layout.addWidget(self.problem)
        self._rows = QVBoxLayout()
        layout.addLayout(self._rows)
        self.rows: list[OutboxRow] = []
        self.show_items([])

    def show_problem(self, text: str) -> None:
        """Say why what the user asked for could not be done (until the list changes)."""
        self.problem.setText(text)
        self.problem.show()

    def show_items(self, items: list[OutboxItem]) -> None:
        """Show these reports (oldest first)."""
        self.problem.hide()
        for row in self.rows:
            self._rows.removeWidget(row)
            row.deleteLater()
        self.rows = []
        for item in items:
            row = OutboxRow(item, self.status_text(item), self)
            row.edit.clicked.connect(lambda _=False, i=item: self.edit_requested.emit(i))
            row.cancel.clicked.connect(lambda _=False, i=item: self.cancel_requested.emit(i))
            self._rows.addWidget(row)
            self.rows.append(row)
        waiting = sum(1 for item in items if item.state.waiting)
        self.title.setText(
            self.tr("%n report(s) not sent yet", "", len(items))
            if waiting == len(items)
            else self.tr("Reports on this computer")
        )
        self.retry.setVisible(any(item.state is OutboxState.RETRY for item in items))
        self.setVisible(bool(items))

    def status_text(self, item: OutboxItem) -> str:
        """Where the report is, in words."""
        if item.state is OutboxState.SENDING:
            return self.tr("Sending…")
        if item.state is OutboxState.REJECTED:
            return self.tr("Not accepted by the service desk: %1").replace(
                "%1", texts.error_message(texts.error_from(item.error_code, item.error_reason))
            )
        if item.state is OutboxState.RETRY and item.error_code == "auth_failed":
            return self.tr("Will be sent after you sign in again.")
        if item.state is OutboxState.RETRY and item.next_attempt_at:
            when = datetime.fromtimestamp(item.next_attempt_at, UTC)
            return self.tr("Saved on this computer. Next try: %1.").replace(
                "%1", texts.moment(when, self._now())
            )
        return self.tr("Saved on this computer; it will be sent in a moment.")
