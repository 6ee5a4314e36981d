"""Reports still on this computer: waiting to be sent, or refused by the desk.

A report the desk refused for who we are (signed out, no rights, a rule
against the app's requests) says why it waits; after a day it says what IT
must do, and stands out as needing attention.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from client.core.outbox import TELL_IT_AFTER_S, OutboxItem, OutboxState
from client.ui import texts
from client.ui.widgets import Card, discard


class OutboxRow(Card):
    """One report: what it is about, where it is, and what the user can do with it.

    ``status`` has the dynamic properties ``role`` (``"warning"`` while it
    waits for a refusal to be fixed, ``"error"`` when rejected or once IT
    must act) and ``askIt`` (whether the words say what IT must do).
    """

    def __init__(
        self, item: OutboxItem, status: str, parent: QWidget | None = None, *, ask_it: bool = False
    ) -> None:
        super().__init__(f"outboxItem{item.id}", item.subject[:200], status, parent)
        self.item = item
        self.subject = self.title
        self.status = self.detail
        self.status.setObjectName("status")
        self.show_status(status, ask_it=ask_it)
        self.edit = QPushButton(self.tr("Change…"))
        self.edit.setObjectName("edit")
        self.edit.setVisible(item.editable)
        # Each report has its own: which one it is for is heard, not only seen.
        self.edit.setAccessibleDescription(
            texts.fill(self.tr("Change the report “%1” before it is sent."), item.subject[:200])
        )
        self.cancel = QPushButton(self.tr("Delete"))
        self.cancel.setObjectName("cancel")
        self.cancel.setAccessibleDescription(
            texts.fill(self.tr("Delete the report “%1”: it will not be sent."), item.subject[:200])
        )
        self.cancel.setVisible(item.state is not OutboxState.SENDING)
        self.row.addWidget(self.edit)
        self.row.addWidget(self.cancel)

    def show_status(self, text: str, *, ask_it: bool = False) -> None:
        """Say where the report is; ``ask_it``: the words tell what IT must do."""
        self.status.setText(text)
        if self.item.state is OutboxState.REJECTED or ask_it:
            role = "error"
        elif self.item.waiting_for is not None and self.item.state is not OutboxState.SENDING:
            role = "warning"
        else:
            role = ""
        self.status.setProperty("role", role)
        self.status.setProperty("askIt", ask_it)
        style = self.status.style()  # the role's colours follow a change
        style.unpolish(self.status)
        style.polish(self.status)


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
        self.retry.clicked.connect(self._on_retry_clicked)
        #: The attempts each report had when the employee asked to try again (see show_items).
        self._trying: dict[int, int] | None = None
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
        # What came of "Try again now": one line, until the list changes again.
        self.tried = QLabel()
        self.tried.setObjectName("tried")
        self.tried.setWordWrap(True)
        self.tried.setTextFormat(Qt.TextFormat.PlainText)
        self.tried.hide()
        layout.addWidget(self.tried)
        self._rows = QVBoxLayout()
        layout.addLayout(self._rows)
        self.rows: list[OutboxRow] = []
        # A wait crosses the one-day mark with nothing else changing: the words change then.
        self._retell = QTimer(self)
        self._retell.setSingleShot(True)
        self._retell.timeout.connect(self.refresh)
        # Seconds until the words of a waiting report change by themselves (tests look).
        self.next_refresh_s: float | None = None
        self.show_items([])

    def show_problem(self, text: str) -> None:
        """Say why what the user asked for could not be done (until the list changes)."""
        self.problem.setText(text)
        self.problem.show()

    def _on_retry_clicked(self) -> None:
        self._trying = {row.item.id: row.item.attempts for row in self.rows}
        self.retry.setEnabled(False)
        self.retry.setText(self.tr("Trying…"))
        self.tried.hide()
        self.retry_requested.emit()

    def _after_trying(self, items: list[OutboxItem]) -> None:
        """Once every report asked for was tried (or went), say how it went."""
        if self._trying is None:
            self.tried.hide()
            return
        tried = {item.id: item for item in items if item.id in self._trying}
        if any(item.attempts <= self._trying[key] for key, item in tried.items()):
            return  # still on its way
        self._trying = None
        self.retry.setEnabled(True)
        self.retry.setText(self.tr("Try again now"))
        left = [item for item in tried.values() if item.ticket is None]
        if left:
            self.tried.setText(
                self.tr("Tried again just now: not sent yet. It keeps trying by itself.")
            )
            self.tried.show()

    def show_items(self, items: list[OutboxItem]) -> None:
        """Show these reports (oldest first)."""
        self.problem.hide()
        self._after_trying(items)
        for row in self.rows:
            discard(self._rows, row)
        self.rows = []
        for item in items:
            row = OutboxRow(item, self.status_text(item), self, ask_it=self._ask_it(item))
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
        self._arm_retell()

    @Slot()
    def refresh(self) -> None:
        """Say again where each report is (a wait may have passed the one-day mark)."""
        for row in self.rows:
            row.show_status(self.status_text(row.item), ask_it=self._ask_it(row.item))
        self._arm_retell()

    def _ask_it(self, item: OutboxItem) -> bool:
        return item.state is not OutboxState.SENDING and item.tell_it(self._now().timestamp())

    def _arm_retell(self) -> None:
        now = self._now().timestamp()
        marks = [
            item.waiting_since + TELL_IT_AFTER_S - now
            for item in (row.item for row in self.rows)
            if item.waiting_for is not None
            and item.waiting_since is not None
            and not item.tell_it(now)
        ]
        self.next_refresh_s = min(marks, default=None)
        if self.next_refresh_s is None:
            self._retell.stop()
        else:
            self._retell.start(int(max(self.next_refresh_s, 0.0) * 1000) + 1000)

    def status_text(self, item: OutboxItem) -> str:
        """Where the report is, in words."""
        if item.state is OutboxState.SENDING:
            return self.tr("Sending…")
        if item.state is OutboxState.REJECTED:
            return self.tr("Not accepted by the service desk: %1").replace(
                "%1", texts.error_message(texts.error_from(item.error_code, item.error_reason))
            )
        waiting = texts.waiting_reason(item, self._now())
        if waiting is not None:
            return waiting
        if item.state is OutboxState.RETRY and item.next_attempt_at:
            when = datetime.fromtimestamp(item.next_attempt_at, UTC)
            return self.tr("Saved on this computer. Next try: %1.").replace(
                "%1", texts.moment(when, self._now())
            )
        return self.tr("Saved on this computer; it will be sent in a moment.")
