"""The tray panel's life: built when it opens, kept up to date while open, deleted when closed.

An idle tray nobody clicked holds none of it (docs/performance.md): the panel
module is imported and its widgets built when the employee first opens it,
and the widgets are deleted again once it closes (as "My tickets" is): an
idle tray keeps no window it does not show. A later opening builds it anew
from the modules already loaded, well within the budget (docs/performance.md).

The app tells it what changed (:meth:`Home.refresh`); it reads the state
through the callables it was given and passes the panel's intents on.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QUrl, Signal

from client.core.models import TicketRef, TicketSummary
from client.core.outbox import OutboxItem
from client.core.tray_state import TrayStatus

if TYPE_CHECKING:
    from client.core.placement import Rect
    from client.services.self_help import Suggestion
    from client.ui.agent_card import AgentCardData
    from client.ui.panel import TrayPanel

#: A click on the icon that just took the focus from the open panel closes it, and
#: does not open it again (the focus loss and the click arrive as two events). Only
#: a focus loss counts: a card or the box chosen a moment ago blocks nothing.
REOPEN_GUARD_S = 0.3


class Home(QObject):
    """Opens the panel at the icon and routes what the employee asks for in it.

    Signals:
        opening(): the panel is about to be shown: what it shows should be current now.
        opened(): the panel is on screen (the tickets are worth asking the desk for).
        closed(): the panel closed and is being deleted (its memory may be given back).
        report_requested(str), ticket_requested(TicketRef), tickets_requested(),
        sign_in_requested(), contact_requested(QUrl), help_wanted(str),
        suggestion_chosen(str, str), health_requested(): the panel's intents.
    """

    opening = Signal()
    opened = Signal()
    closed = Signal()
    report_requested = Signal(str)
    ticket_requested = Signal(object)
    tickets_requested = Signal()
    sign_in_requested = Signal()
    contact_requested = Signal(QUrl)
    help_wanted = Signal(str)
    suggestion_chosen = Signal(str, str)
    health_requested = Signal()

    def __init__(
        self,
        tickets: Callable[[], tuple[Sequence[TicketSummary], bool]],
        unseen: Callable[[], frozenset[TicketRef]],
        reports: Callable[[], Sequence[OutboxItem]],
        status: Callable[[], TrayStatus],
        parent: QObject | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(parent)
        self._tickets = tickets
        self._unseen = unseen
        self._reports = reports
        self._status = status
        self._clock = clock
        self.panel: TrayPanel | None = None
        self._agent: AgentCardData | None = None
        self._photo: bytes | None = None
        self._hidden_at = -1.0
        self._attention: int | None = None  # health findings to look at (None: no checks)
        #: Whether the panel was ever opened: until then nothing is worked out for it.
        self.seen = False

    @property
    def showing(self) -> bool:
        """Whether the panel is on screen."""
        return self.panel is not None and self.panel.isVisible()

    def toggle(self, icon: Rect | None, pointer: tuple[int, int] | None, place: bool) -> None:
        """A click on the icon: open the panel there, or close it when it is open."""
        if self.showing:
            assert self.panel is not None
            self.panel.step_aside()
        elif self._clock() - self._hidden_at > REOPEN_GUARD_S:
            self.open(icon, pointer, place)

    def open(
        self, icon: Rect | None = None, pointer: tuple[int, int] | None = None, place: bool = True
    ) -> None:
        """Show the panel next to the icon (or in the tray's corner), up to date."""
        self.seen = True
        panel = self._build()
        self.opening.emit()  # the agent's availability, as of now
        self.refresh()
        panel.open_at(icon, pointer, place)

    def _build(self) -> TrayPanel:
        if self.panel is None:
            from client.ui.panel import TrayPanel  # deferred: see the module doc

            panel = TrayPanel()
            panel.report_requested.connect(self.report_requested)
            panel.ticket_requested.connect(self.ticket_requested)
            panel.tickets_requested.connect(self.tickets_requested)
            panel.sign_in_requested.connect(self.sign_in_requested)
            panel.contact_requested.connect(self.contact_requested)
            panel.help_wanted.connect(self.help_wanted)
            panel.suggestion_chosen.connect(self.suggestion_chosen)
            panel.health_requested.connect(self.health_requested)
            panel.show_health(self._attention)
            panel.dismissed.connect(self._on_panel_dismissed)
            panel.painted.connect(self.opened)  # what can wait (a poll, the helper) waits
            panel.closed.connect(self._on_panel_closed)
            panel.show_agent(self._agent)
            panel.set_agent_photo(self._photo)
            self.panel = panel
        return self.panel

    def refresh(self) -> None:
        """The tickets, reports or status changed: the panel shows them (once built)."""
        panel = self.panel
        if panel is None:
            return
        tickets, loaded = self._tickets()
        panel.show_status(self._status())
        panel.show_tickets(tickets, self._unseen(), loaded)
        panel.show_reports(self._reports())

    def show_health(self, attention: int | None) -> None:
        """How many health findings need a look, shown on the panel's link.

        ``None``: no health checks run here, and the panel has no link.
        """
        self._attention = attention
        if self.panel is not None:
            self.panel.show_health(attention)

    def show_suggestions(self, text: str, suggestions: Sequence[Suggestion]) -> None:
        """What may help with the words typed in the panel (if it is open)."""
        if self.panel is not None:
            self.panel.show_suggestions(text, suggestions)

    def show_agent(self, data: AgentCardData | None) -> None:
        """The employee's agent for the top of the panel (``None``: none)."""
        self._agent = data
        if self.panel is not None:
            self.panel.show_agent(data)

    def set_agent_photo(self, png: bytes | None) -> None:
        """The agent's prepared photo (``None``: initials)."""
        self._photo = png
        if self.panel is not None:
            self.panel.set_agent_photo(png)

    def _on_panel_dismissed(self) -> None:
        self._hidden_at = self._clock()

    def _on_panel_closed(self) -> None:
        panel, self.panel = self.panel, None
        if panel is not None:
            panel.deleteLater()  # not now: it may be in the middle of its own event
            self.closed.emit()

    def close(self) -> None:
        """Hide and delete the panel (at quit)."""
        if self.panel is not None:
            self.panel.step_aside()  # closed: deleted
