"""Desktop notifications about tickets: the words, and the desktop's server or the tray.

The notifier (``services/notifier.py``) decides what is news; this shows it.
Backends, tried in turn (architecture, "Tray, notifications, windows"):

1. On Linux, ``org.freedesktop.Notifications`` on the session bus, spoken
   with jeepney. Qt's own balloon sends no desktop notification on XEmbed
   trays, and PySide's QtDBus marshals the ids with the wrong type
   (docs/reference: qt-on-linux §5).
2. ``QSystemTrayIcon.showMessage``, when there is no bus or nobody owns the
   name. Its ``messageClicked`` carries nothing, so the last toast's ticket
   is kept (Syncthing ``TrayIconMessageClickedAction``).

One connection both sends the notifications and hears their clicks: some
servers (KDE Plasma) send ``ActionInvoked`` only to the connection that sent
the notification. Opening it (authentication, two round trips) runs on the
task runner; after that nothing blocks: a ``QSocketNotifier`` wakes us when
the bus has something, and a notification is one small write.

Ticket titles and agent names come from the desk and are not trusted: they
are cut to one short line, and servers that read markup in the body get it
escaped.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QObject,
    QSocketNotifier,
    Signal,
    Slot,
)
from PySide6.QtWidgets import QSystemTrayIcon

from client.core.models import TicketRef
from client.core.notify_events import BusEvent, Invoked, Refused, Shown
from client.core.ports import NotificationBus
from client.core.tracking import ChangeKind, TicketChange
from client.services.tasks import TaskRunner
from client.ui import texts

logger = logging.getLogger(__name__)

#: Action keys that open the ticket: a click on the toast, and its button.
_OPEN_ACTIONS = ("default", "open")
#: How long the tray balloon stays (the D-Bus server decides for itself).
_TRAY_MS = 10_000
#: Notifications whose click (or answer) we still wait for; bounded whatever the server does.
_MAX_SHOWN = 100

_TITLE_CHARS = 100
_BODY_CHARS = 200


#: Toast titles by kind of change; ``%1`` is the ticket (e.g. INC-12).
_TITLES = {
    ChangeKind.WAITING_ON_YOU: QT_TRANSLATE_NOOP("Notifications", "Ticket %1: waiting for you"),
    ChangeKind.RESOLVED: QT_TRANSLATE_NOOP("Notifications", "Ticket %1: resolved"),
    ChangeKind.REOPENED: QT_TRANSLATE_NOOP("Notifications", "Ticket %1: reopened"),
    ChangeKind.AGENT_REPLIED: QT_TRANSLATE_NOOP("Notifications", "Ticket %1: new reply"),
}


def _tr(text: object) -> str:
    """A text marked with ``QT_TRANSLATE_NOOP("Notifications", ...)``, translated."""
    return QCoreApplication.translate("Notifications", str(text))


#: What never goes from a desk into a toast: Unicode's control characters
#: (category Cc) become spaces, invisible characters that reorder text vanish.
#: A table, not ``unicodedata`` or ``html``: those two cost an idle tray 1.4 MB
#: (docs/performance.md).
_UNSHOWN: dict[int, str | None] = {
    **{code: " " for code in (*range(0x20), *range(0x7F, 0xA0))},
    **dict.fromkeys(
        map(ord, "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
    ),
}
#: The characters markup-reading notification servers would take for markup.
_MARKUP = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def one_line(text: str, limit: int) -> str:
    """``text`` from a desk as one line of at most ``limit`` characters."""
    text = " ".join(text.translate(_UNSHOWN).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _cut_lines(text: str, lines: int = 6) -> str:
    """A notice's body: a few short lines (the tray balloon and servers show no more)."""
    return "\n".join(one_line(line, _BODY_CHARS) for line in text.splitlines()[:lines])


def as_markup(text: str) -> str:
    """Plain ``text`` for a server that reads markup in the body."""
    return text.translate(_MARKUP)


def as_plain(text: str) -> str:
    """Plain ``text`` for a place that may or may not read markup: no tag survives."""
    return text.replace("<", "‹").replace(">", "›")


def toast_text(change: TicketChange) -> tuple[str, str]:
    """Title and body (plain text, one line each) of the toast about ``change``."""
    ticket = change.ticket
    ref = one_line(str(ticket.ref), 40)
    agent = one_line(ticket.agent.name, 60) if ticket.agent is not None else ""
    if change.kind in _TITLES:
        title = texts.fill(_tr(_TITLES[change.kind]), ref)
    elif change.kind is ChangeKind.ASSIGNED and agent:
        title = texts.fill(
            QCoreApplication.translate("Notifications", "Ticket %1: %2 is on it"), ref, agent
        )
    else:
        stage = texts.stage_label(ticket.stage)
        title = texts.fill(QCoreApplication.translate("Notifications", "Ticket %1: %2"), ref, stage)
    quoted = texts.fill(
        QCoreApplication.translate("Notifications", "“%1”"), one_line(ticket.title, 120)
    )
    if change.kind is ChangeKind.WAITING_ON_YOU and agent:
        # Put on hold with a question: say what it means for the employee, not "replied".
        body = texts.fill(
            QCoreApplication.translate("Notifications", "%1 — %2 needs an answer from you"),
            quoted,
            agent,
        )
    elif change.replied and agent:
        body = texts.fill(
            QCoreApplication.translate("Notifications", "%1 — %2 replied"), quoted, agent
        )
    elif change.replied:
        body = texts.fill(
            QCoreApplication.translate("Notifications", "%1 — the service desk replied"), quoted
        )
    elif change.kind is ChangeKind.WAITING_ON_YOU:
        body = texts.fill(
            QCoreApplication.translate(
                "Notifications", "%1 — the service desk needs an answer from you"
            ),
            quoted,
        )
    else:
        body = quoted
    return one_line(title, _TITLE_CHARS), one_line(body, _BODY_CHARS)


def summary_text(changes: Sequence[TicketChange]) -> tuple[str, str]:
    """Title and body of the one toast about several tickets."""
    # Only ever several (more than the notifier's toasts per poll): no singular needed.
    title = texts.fill(
        QCoreApplication.translate("Notifications", "%1 of your tickets changed"), len(changes)
    )
    item = QCoreApplication.translate("Notifications", "%1 “%2”")
    items = [
        texts.fill(item, one_line(str(c.ref), 40), one_line(c.ticket.title, 40)) for c in changes
    ]
    return one_line(title, _TITLE_CHARS), one_line(" · ".join(items), _BODY_CHARS)


@dataclass(frozen=True)
class _Toast:
    ref: TicketRef | None  # None: the summary of several tickets
    title: str
    body: str  # plain text
    #: "health": about this computer's health (quiet, and a click opens the health view).
    kind: str = ""


class Notifications(QObject):
    """Shows the notifier's toasts and routes a click on one to its ticket.

    ``tray`` is the fallback (``None``: there is none); ``runner`` opens the
    bus connection off the GUI thread, with ``open_bus`` (``None``: the tray
    only; the app gives the session bus's notification server).

    Signals:
        open_requested(TicketRef): the user clicked the toast about this ticket.
        tickets_requested(): the user clicked the toast about several tickets.
        health_requested(): the user clicked a toast about this computer's health.
    """

    open_requested = Signal(object)
    tickets_requested = Signal()
    health_requested = Signal()

    def __init__(
        self,
        tray: QSystemTrayIcon | None,
        runner: TaskRunner,
        *,
        open_bus: Callable[[], NotificationBus] | None = None,
        app_name: str = "helpdesk-tray",
        app_icon: str = "",
        desktop_entry: str = "",
        timeout_s: float = 3.0,
        retry_s: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._tray = tray
        self._runner = runner
        self._open_bus = open_bus
        self._app_name = app_name
        self._app_icon = app_icon
        self._hints: dict[str, tuple[str, Any]] = {"urgency": ("y", 1)}
        if desktop_entry:
            self._hints["desktop-entry"] = ("s", desktop_entry)
        self._timeout = timeout_s
        self._retry = retry_s
        self._clock = clock
        self._bus: NotificationBus | None = None
        self._watch: QSocketNotifier | None = None
        self._connecting = False
        self._failed_at: float | None = None
        self._waiting: list[_Toast] = []  # for the connection
        self._sent: dict[int, _Toast] = {}  # Notify serial -> toast
        self._shown: dict[int, _Toast] = {}  # notification id -> toast
        self._tray_toast: _Toast | None = None
        #: While the tray's menu or panel is open, a balloon would cover it and take a
        #: click meant for it: the latest one waits until they close (see hold).
        self._holders: set[str] = set()
        self._held_toast: _Toast | None = None
        if tray is not None:
            tray.messageClicked.connect(self._on_tray_message_clicked)

    @property
    def uses_bus(self) -> bool:
        """Whether toasts currently go to the desktop's notification server."""
        return self._bus is not None

    @property
    def on_screen(self) -> list[TicketRef | None]:
        """The tickets whose desktop notification the server has shown (``None``: a summary)."""
        return [toast.ref for toast in self._shown.values()]

    @Slot(object)
    def show(self, change: TicketChange) -> None:
        """Show the toast about ``change``."""
        self._deliver(_Toast(change.ref, *toast_text(change)))

    @Slot(list)
    def show_summary(self, changes: list[TicketChange]) -> None:
        """Show one toast about all ``changes`` (several tickets)."""
        self._deliver(_Toast(None, *summary_text(changes)))

    @Slot(str, str)
    def show_notice(self, title: str, body: str) -> None:
        """A message about the user's reports, not about one ticket (a click opens the list)."""
        self._deliver(_Toast(None, one_line(title, _TITLE_CHARS), _cut_lines(body)))

    @Slot(str, str)
    def show_health(self, title: str, body: str, about: str = "") -> None:
        """A quiet nudge about the computer's health (low urgency; a click opens its view).

        ``about``: the finding; a newer toast about the same one replaces it, one about
        another finding stands beside it.
        """
        kind = f"health:{about}" if about else "health"
        self._deliver(_Toast(None, one_line(title, _TITLE_CHARS), _cut_lines(body), kind))

    def close(self) -> None:
        """Hang up the bus (at quit); toasts still on screen no longer open anything."""
        self._drop_bus()

    def _deliver(self, toast: _Toast) -> None:
        if self._bus is not None:
            self._send(self._bus, toast)
        elif self._connecting:
            self._waiting.append(toast)
        elif self._open_bus is not None and (
            self._failed_at is None or self._clock() - self._failed_at >= self._retry
        ):
            self._waiting.append(toast)
            self._connecting = True
            self._runner.submit(
                self._open_bus,
                owner=self,
                on_success=self._on_bus_opened,
                on_error=self._on_bus_failed,
            )
        else:
            self._show_in_tray(toast)

    def _on_bus_opened(self, bus: NotificationBus) -> None:
        self._connecting = False
        self._failed_at = None
        self._bus = bus
        self._watch = QSocketNotifier(bus.fileno(), QSocketNotifier.Type.Read, self)
        self._watch.activated.connect(self._on_watch_activated)
        logger.info("desktop notifications through the session bus (%s)", sorted(bus.capabilities))
        waiting, self._waiting = self._waiting, []
        for toast in waiting:
            self._send(bus, toast)

    def _on_bus_failed(self, error: Exception) -> None:
        self._connecting = False
        self._failed_at = self._clock()
        logger.info("no desktop notification server (%s); using the tray", error)
        waiting, self._waiting = self._waiting, []
        for toast in waiting:
            self._show_in_tray(toast)

    def _send(self, bus: NotificationBus, toast: _Toast) -> None:
        replaces = next(
            (
                i for i, shown in self._shown.items()
                if shown.ref == toast.ref and shown.kind == toast.kind
            ),
            0,
        )  # fmt: skip
        actions: list[str] = []
        if "actions" in bus.capabilities:
            if toast.kind.startswith("health"):
                button = QCoreApplication.translate("Notifications", "Show what helps")
            elif toast.ref is not None:
                button = QCoreApplication.translate("Notifications", "Open ticket")
            else:
                button = QCoreApplication.translate("Notifications", "Show my tickets")
            actions = [
                "default",
                QCoreApplication.translate("Notifications", "Open"),
                "open",
                button,
            ]
        body = as_markup(toast.body) if "body-markup" in bus.capabilities else as_plain(toast.body)
        try:
            serial = bus.notify(
                app_name=self._app_name,
                replaces_id=replaces,
                app_icon=self._app_icon,
                summary=as_plain(toast.title),  # plain text by the specification; be sure
                body=body,
                actions=actions,
                hints={**self._hints, "urgency": ("y", 0)} if toast.kind else self._hints,
            )
        except OSError as exc:
            self._lose_bus(exc)
            self._show_in_tray(toast)
            return
        self._sent[serial] = toast
        while len(self._sent) > _MAX_SHOWN:  # a server that never answers stays bounded too
            del self._sent[next(iter(self._sent))]

    @Slot()
    def _on_watch_activated(self) -> None:
        bus = self._bus
        if bus is None:
            return
        try:
            events = bus.read()
        except Exception as exc:  # a broken or garbled connection: start over later
            self._lose_bus(exc)
            return
        for event in events:
            self._handle(event)

    def _handle(self, event: BusEvent) -> None:
        if isinstance(event, Shown):
            toast = self._sent.pop(event.serial, None)
            if toast is not None:
                logger.info("notification %d on screen (ticket %s)", event.id, toast.ref or "-")
                self._shown.pop(event.id, None)
                self._shown[event.id] = toast
                while len(self._shown) > _MAX_SHOWN:
                    del self._shown[next(iter(self._shown))]
        elif isinstance(event, Refused):
            toast = self._sent.pop(event.serial, None)
            if toast is not None:
                logger.warning("the notification server refused a toast: %s", event.error)
                self._show_in_tray(toast)
        elif isinstance(event, Invoked):
            toast = self._shown.get(event.id)
            if toast is not None and event.action in _OPEN_ACTIONS:
                self._open(toast)
        else:
            self._shown.pop(event.id, None)

    def _lose_bus(self, error: Exception) -> None:
        logger.warning("lost the session bus for notifications (%s); using the tray", error)
        self._drop_bus()
        self._failed_at = self._clock()

    def _drop_bus(self) -> None:
        if self._watch is not None:
            self._watch.setEnabled(False)
            self._watch.deleteLater()
            self._watch = None
        if self._bus is not None:
            self._bus.close()
            self._bus = None
        self._sent.clear()
        self._shown.clear()

    def hold(self, held: bool, by: str = "") -> None:
        """The tray's menu or panel (``by``) opened (``True``) or closed: balloons wait meanwhile.

        Only the tray's own balloon: the desktop's notifications have their own place.
        The latest toast waits until nothing holds it any more.
        """
        if held:
            self._holders.add(by)
            return
        self._holders.discard(by)
        if not self._holders and self._held_toast is not None:
            toast, self._held_toast = self._held_toast, None
            self._show_in_tray(toast)

    def _show_in_tray(self, toast: _Toast) -> None:
        if self._tray is None:
            logger.info("no way to show a toast (no notification server, no tray)")
            return
        if self._holders:
            self._held_toast = toast  # the latest says what is new; shown on closing
            return
        self._tray_toast = toast
        self._tray.showMessage(
            as_plain(toast.title),
            as_plain(toast.body),
            QSystemTrayIcon.MessageIcon.Information,
            _TRAY_MS,
        )

    @Slot()
    def _on_tray_message_clicked(self) -> None:
        toast, self._tray_toast = self._tray_toast, None  # one click per balloon
        if toast is not None:
            self._open(toast)

    def _open(self, toast: _Toast) -> None:
        if toast.kind.startswith("health"):
            self.health_requested.emit()
        elif toast.ref is None:
            self.tickets_requested.emit()
        else:
            self.open_requested.emit(toast.ref)
