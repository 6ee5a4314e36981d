"""What the tray icon says: one value computed from sign-in, connection and unseen changes.

The value itself (``TrayStatus``) is in ``client.core.tray_state``.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from client.core.tray_state import ConnectionState, TrayIconKind, TrayStatus
from client.services.account import Account, AccountState
from client.services.notifier import Notifier
from client.services.outbox import OutboxService
from client.services.poller import TicketPoller


class TrayStatusPresenter(QObject):
    """Combines the account, the poller, the outbox and the notifier's news into a ``TrayStatus``.

    What counts as news the user has not seen is the notifier's to say (its
    policy: no attention for the user's own actions or mere updates).

    Signals:
        status_changed(TrayStatus): emitted when the status differs from the last one.
    """

    status_changed = Signal(object)

    def __init__(
        self,
        account: Account,
        poller: TicketPoller,
        outbox: OutboxService,
        notifier: Notifier,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._account = account
        self._poller = poller
        self._outbox = outbox
        self._notifier = notifier
        self.status = self._compute()
        account.state_changed.connect(self._on_changed)
        poller.connection_state_changed.connect(self._on_changed)
        poller.snapshot_updated.connect(self._on_changed)
        outbox.items_changed.connect(self._on_changed)
        notifier.attention_changed.connect(self._on_changed)

    def _on_changed(self, *_: object) -> None:
        self._update()

    def _compute(self) -> TrayStatus:
        signed_in = self._account.state is AccountState.SIGNED_IN
        signing_in = self._account.state is AccountState.SIGNING_IN
        connection = self._poller.state
        error = self._poller.last_error
        waiting = sum(1 for item in self._outbox.items if item.state.waiting)
        rejected = len(self._outbox.items) - waiting
        if signed_in and connection is ConnectionState.OFFLINE:
            icon = TrayIconKind.OFFLINE
        elif (not signed_in and not signing_in) or self._notifier.attention or rejected:
            icon = TrayIconKind.ATTENTION
        else:
            icon = TrayIconKind.NORMAL
        return TrayStatus(
            icon=icon,
            signed_in=signed_in,
            connection=connection,
            signing_in=signing_in,
            open_tickets=sum(1 for t in self._poller.tickets if t.stage.is_open),
            unseen=len(self._notifier.unseen),
            waiting_reports=waiting,
            rejected_reports=rejected,
            error_code=error.code if error else None,
            error_reason=getattr(error, "reason", None) or None,
        )

    def _update(self) -> None:
        status = self._compute()
        if status != self.status:
            self.status = status
            self.status_changed.emit(status)
