"""The panel at the tray icon: the product's home.

A left click on the icon opens it: the employee's agent at the top, a
"What's wrong?" box, the open tickets as parcel cards, reports still waiting
to be sent, and a way to all tickets. It closes on Escape and when it loses
focus, and works by keyboard alone (Tab through the box, the cards and the
links; Enter opens).

Shows what it is given and emits what the user asked for. Everything from the
desk is shown as plain text, cut to what a card can hold.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QEvent,
    QPoint,
    Qt,
    QTimer,
    QUrl,
    Signal,
)
from PySide6.QtGui import (
    QGuiApplication,
    QHideEvent,
    QKeyEvent,
    QMouseEvent,
    QPaintEvent,
    QScreen,
)
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from client.core.models import Stage, TicketRef, TicketSummary
from client.core.outbox import OutboxItem
from client.core.placement import Rect, panel_position
from client.core.tracking import expectations
from client.core.tray_state import ConnectionState, TrayStatus
from client.ui import resources, texts
from client.ui.agent_card import AgentCard, AgentCardData
from client.ui.faces import round_picture
from client.ui.stepper import StageLine
from client.ui.widgets import discard, plain_tooltip, text_label, urgent_badge

if TYPE_CHECKING:
    from client.services.self_help import Suggestion
    from client.ui.suggestions import SuggestionList

logger = logging.getLogger(__name__)

#: The panel's width (logical pixels); its height follows what it holds.
PANEL_WIDTH = 380
#: Open tickets shown as cards; the rest are one click further, under "All my tickets".
MAX_CARDS = 4
#: Reports waiting to be sent that are named one by one.
MAX_WAITING = 3
TITLE_CHARS = 120
FACE_SIDE = 32

_NO_TIME = QT_TRANSLATE_NOOP("Panel", "No expected time yet")
_DUE = QT_TRANSLATE_NOOP("Panel", "Expected by %1")
_USUALLY = QT_TRANSLATE_NOOP("Panel", "Usually by %1")
_LATE_DUE = QT_TRANSLATE_NOOP("Panel", "Was expected by %1")
_LATE_USUALLY = QT_TRANSLATE_NOOP("Panel", "Taking longer than usual")


@dataclass(frozen=True)
class Parcel:
    """What one ticket card says: computed from the ticket, shown as given."""

    ref: TicketRef
    title: str
    stage_text: str
    next_text: str
    expected_text: str
    handler: str
    news: bool
    summary: TicketSummary


def _cut(text: str, chars: int) -> str:
    text = " ".join(text[: chars * 4].split())  # one line: desk titles may hold anything
    return text if len(text) <= chars else text[: chars - 1] + "…"


def carded(tickets: Sequence[TicketSummary]) -> list[TicketSummary]:
    """The tickets that get a card: the open ones, and the resolved (to confirm)."""
    return [t for t in tickets if t.stage.is_open or t.stage is Stage.RESOLVED]


def parcels(
    tickets: Sequence[TicketSummary],
    unseen: frozenset[TicketRef],
    now: datetime,
    limit: int | None = None,
) -> list[Parcel]:
    """The open (and resolved, to confirm) tickets as cards, the first ``limit`` of them.

    Those with news first, then the ones waiting for the employee, then the most
    recently changed. Only the cards shown are worked out (500 tickets cost 4 cards).
    """
    translate = QCoreApplication.translate
    shown = carded(tickets)
    shown.sort(key=lambda t: t.updated, reverse=True)
    shown.sort(key=lambda t: (t.ref not in unseen, t.stage is not Stage.WAITING_ON_YOU))
    expected_of = expectations(tickets)  # the history read once, for every card
    cards = []
    for ticket in shown[:limit]:
        handler = _cut(ticket.agent.name, 100) if ticket.agent else ""
        expected = expected_of(ticket)
        by = expected.by(ticket.created)
        if by is None and ticket.stage.is_open:
            when = translate("Panel", str(_NO_TIME))
        elif by is None:
            when = ""
        elif expected.due is not None:
            late = by < now and ticket.stage.is_open
            when = texts.fill(translate("Panel", str(_LATE_DUE if late else _DUE)),
                              texts.moment(by, now))  # fmt: skip
        elif by < now:  # no promise was made: no time in the past, just the fact
            when = translate("Panel", str(_LATE_USUALLY))
        else:
            when = texts.fill(translate("Panel", str(_USUALLY)), texts.moment(by, now))
        cards.append(
            Parcel(
                ticket.ref,
                _cut(ticket.title, TITLE_CHARS),
                texts.stage_label(ticket.stage),
                texts.next_step(ticket.stage, handler),
                when,
                handler,
                ticket.ref in unseen,
                ticket,
            )
        )
    return cards


class ParcelCard(QFrame):
    """One open ticket: title, its way so far, what happens next, when, and who has it.

    Focusable: Enter or Space opens it, as a click does.

    Signals:
        clicked(TicketRef): the employee wants to see this ticket.
    """

    clicked = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("parcelCard")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        row = QHBoxLayout(self)
        self.face = QLabel()
        self.face.setObjectName("parcelFace")
        self.face.setFixedSize(FACE_SIDE, FACE_SIDE)
        row.addWidget(self.face, 0, Qt.AlignmentFlag.AlignTop)
        words = QVBoxLayout()
        words.setSpacing(2)
        top = QHBoxLayout()
        self.title = text_label("parcelTitle")
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.news = QLabel("●")
        self.news.setObjectName("parcelNews")
        self.news.setAccessibleName(self.tr("News"))
        self.urgent = urgent_badge("parcelUrgent")
        top.addWidget(self.title, 1)
        top.addWidget(self.urgent, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.news, 0, Qt.AlignmentFlag.AlignTop)
        words.addLayout(top)
        way = QHBoxLayout()
        self.line = StageLine()
        self.stage = text_label("parcelStage", wrap=False)
        way.addWidget(self.line, 1)
        way.addWidget(self.stage)
        words.addLayout(way)
        self.next = text_label("parcelNext")
        self.expected = text_label("parcelExpected")
        words.addWidget(self.next)
        words.addWidget(self.expected)
        row.addLayout(words, 1)
        self.parcel: Parcel | None = None

    def show_parcel(self, parcel: Parcel) -> None:
        """Show one ticket."""
        self.parcel = parcel
        self.setObjectName(f"parcelCard-{parcel.ref.id}")  # for the probe, and tests
        self.title.setText(parcel.title)
        self.line.set_stage(parcel.summary.stage)
        self.stage.setText(parcel.stage_text)
        self.next.setText(parcel.next_text)
        self.expected.setText(parcel.expected_text)
        self.expected.setVisible(bool(parcel.expected_text))
        self.news.setVisible(parcel.news)
        self.urgent.setVisible(parcel.summary.urgent)
        ratio = self.devicePixelRatioF()
        self.face.setPixmap(round_picture(None, parcel.handler or "?", FACE_SIDE, ratio))
        self.face.setVisible(bool(parcel.handler))
        words = [parcel.title, parcel.stage_text]
        if parcel.summary.urgent:
            words.insert(0, self.urgent.text())
        if parcel.news:
            words.insert(0, self.tr("News:"))
        self.setAccessibleName(" · ".join(words))
        self.setAccessibleDescription(" ".join(filter(None, (parcel.next_text,
                                                            parcel.expected_text))))  # fmt: skip
        self.setToolTip(
            plain_tooltip(texts.fill(self.tr("Ticket %1: %2"), parcel.ref, parcel.title))
        )

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802, D102
        if event.button() is Qt.MouseButton.LeftButton and self.rect().contains(
            event.position().toPoint()
        ):
            self._open()
            return
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802, D102
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self._open()
            return
        super().keyPressEvent(event)

    def _open(self) -> None:
        if self.parcel is not None:
            self.clicked.emit(self.parcel.ref)


class TrayPanel(QFrame):
    """The home panel; see the module doc.

    Signals:
        report_requested(str): start a report with this text (may be empty).
        ticket_requested(TicketRef): show this ticket in the tracker.
        tickets_requested(): show all tickets.
        sign_in_requested(): the employee wants to sign in.
        contact_requested(QUrl): e-mail, call or chat with their agent.
        help_wanted(str): the employee typed in the box: find what may help.
        suggestion_chosen(str, str): they chose a match (its kind and id).
        dismissed(): it closed because the focus went elsewhere (a click beside it).
        painted(): it is on screen, drawn, after being shown (work that can wait waits
            for this: the employee sees the panel first).
        closed(): it is hidden, however that came about.
        health_requested(): show the health of this computer.
    """

    report_requested = Signal(str)
    ticket_requested = Signal(object)
    tickets_requested = Signal()
    sign_in_requested = Signal()
    contact_requested = Signal(QUrl)
    help_wanted = Signal(str)
    suggestion_chosen = Signal(str, str)
    dismissed = Signal()
    painted = Signal()
    closed = Signal()
    health_requested = Signal()

    def __init__(
        self,
        parent: QWidget | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        super().__init__(parent)
        resources.dress(self, "trayPanel", self.tr("IT help"), ring=False)  # see paintEvent
        self.setWindowFlags(
            Qt.WindowType.Tool
            | Qt.WindowType.FramelessWindowHint
            | Qt.WindowType.WindowStaysOnTopHint
        )
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setFixedWidth(PANEL_WIDTH)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.setSpacing(8)
        self.agent_card = AgentCard()
        self.agent_card.contact_requested.connect(self.contact_requested)
        self.agent_card.hide()  # until the profile names the employee's agent
        layout.addWidget(self.agent_card)
        self.box = QLineEdit()
        self.box.setObjectName("whatsWrong")
        self.box.setPlaceholderText(self.tr("What's wrong? Type it and press Enter"))
        self.box.setAccessibleName(self.tr("What's wrong?"))
        self.box.setAccessibleDescription(
            self.tr("Press Enter to report it to the service desk, with a screenshot.")
        )
        self.box.returnPressed.connect(self._on_box_return_pressed)
        self.box.textEdited.connect(self.help_wanted)
        layout.addWidget(self.box)
        #: The matches under the box, made when there are first some to show.
        self.suggestions: SuggestionList | None = None
        self.banner = text_label("panelBanner")
        self.banner.setProperty("role", "warning")
        self.banner.hide()
        layout.addWidget(self.banner)
        self.sign_in = QPushButton(self.tr("Sign in…"))
        self.sign_in.setObjectName("panelSignIn")
        self.sign_in.clicked.connect(self.sign_in_requested)
        self.sign_in.hide()
        layout.addWidget(self.sign_in)
        self.heading = QLabel(self.tr("Your open tickets"))
        self.heading.setObjectName("panelHeading")
        font = self.heading.font()
        font.setBold(True)
        self.heading.setFont(font)
        layout.addWidget(self.heading)
        self.cards_box = QVBoxLayout()
        self.cards_box.setSpacing(6)
        layout.addLayout(self.cards_box)
        self.cards: list[ParcelCard] = []
        self.empty = text_label("panelEmpty")
        layout.addWidget(self.empty)
        self.waiting = text_label("panelWaiting")
        self.waiting.hide()
        layout.addWidget(self.waiting)
        self.all_tickets = QPushButton(self.tr("All my tickets"))
        self.all_tickets.setObjectName("panelAllTickets")
        self.all_tickets.setFlat(True)
        self.all_tickets.clicked.connect(self._on_all_tickets_clicked)
        self.health = QPushButton(self.tr("Health of this computer"))
        self.health.setObjectName("panelHealth")
        self.health.setFlat(True)
        self.health.clicked.connect(self._on_health_clicked)
        links = QHBoxLayout()
        links.addWidget(self.health)
        links.addStretch(1)
        links.addWidget(self.all_tickets)
        layout.addLayout(links)
        self._now = now
        #: Where it opened against (icon, pointer); ``None``: the window system places it.
        self._anchor: tuple[Rect | None, tuple[int, int] | None] | None = None
        self._closing = False
        self._drawn = False

    # --- what it shows -----------------------------------------------------------------

    def show_health(self, attention: int | None) -> None:
        """How many health findings need the employee's attention (0: the plain link).

        ``None``: no health checks run here, and there is no link.
        """
        self.health.setVisible(attention is not None)
        if attention is None:
            return
        if attention:
            self.health.setText(self.tr("Health: %n thing(s) to look at", "", attention))
        else:
            self.health.setText(self.tr("Health of this computer"))
        role = "warning" if attention else ""
        if self.health.property("role") != role and (role or self.health.property("role")):
            self.health.setProperty("role", role)  # restyled only when it changes: first
            self.health.style().unpolish(self.health)  # opens stay quick
            self.health.style().polish(self.health)

    def show_agent(self, data: AgentCardData | None) -> None:
        """The employee's agent at the top (``None``: no card)."""
        if data is not None:
            self.agent_card.show_agent(data)
        self.agent_card.setVisible(data is not None)
        self._fit()

    def set_agent_photo(self, png: bytes | None) -> None:
        """The agent's prepared photo (``None``: initials)."""
        self.agent_card.set_photo(png)

    def show_tickets(
        self, tickets: Sequence[TicketSummary], unseen: frozenset[TicketRef], loaded: bool
    ) -> None:
        """The open tickets as cards, news first."""
        cards = parcels(tickets, unseen, self._now(), limit=MAX_CARDS)
        total = len(carded(tickets))
        while len(self.cards) > min(len(cards), MAX_CARDS):
            discard(self.cards_box, self.cards.pop())
        while len(self.cards) < min(len(cards), MAX_CARDS):
            card = ParcelCard(self)
            card.clicked.connect(self._on_card_clicked)
            self.cards_box.addWidget(card)
            if self.isVisible():  # now, not at the layout's own (queued) time: it is measured
                card.show()
            self.cards.append(card)
        for card, parcel in zip(self.cards, cards, strict=False):
            card.show_parcel(parcel)
        more = total - len(self.cards)
        self.all_tickets.setText(
            self.tr("All my tickets (%n more open)", "", more) if more > 0 else
            self.tr("All my tickets")
        )  # fmt: skip
        if cards:
            self.empty.hide()
        else:
            self.empty.setText(
                self.tr("No open tickets. If something is wrong, say so above.")
                if loaded
                else self.tr("Looking up your tickets…")
            )
            self.empty.show()
        self._set_tab_order()
        self._fit()

    def show_suggestions(self, text: str, suggestions: Sequence[Suggestion]) -> None:
        """What may help with ``text`` (ignored once the box holds other words)."""
        if text != self.box.text() or (self.suggestions is None and not suggestions):
            return
        if self.suggestions is None:
            # Made on first use: the panel's first opening does not wait for it.
            from client.ui.suggestions import SuggestionList

            self.suggestions = SuggestionList("panelSuggestions")
            self.suggestions.chosen.connect(self._on_suggestion_chosen)
            self.suggestions.left_upwards.connect(self.box.setFocus)
            layout = self.layout()
            assert isinstance(layout, QVBoxLayout)
            layout.insertWidget(layout.indexOf(self.box) + 1, self.suggestions)
        self.suggestions.show_suggestions(suggestions)
        self._set_tab_order()  # Tab from the box goes through the matches
        self._fit()

    def show_reports(self, items: Sequence[OutboxItem]) -> None:
        """Reports that have not reached the service desk yet."""
        waiting = [item for item in items if item.ticket is None]
        if not waiting:
            self.waiting.hide()
            self._fit()
            return
        lines = [self.tr("Waiting to be sent (%n):", "", len(waiting))]
        lines += [f"• {_cut(item.subject, 80)}" for item in waiting[:MAX_WAITING]]
        if len(waiting) > MAX_WAITING:
            lines.append(self.tr("and %n more", "", len(waiting) - MAX_WAITING))
        self.waiting.setText("\n".join(lines))
        self.waiting.show()
        self._fit()

    def show_status(self, status: TrayStatus) -> None:
        """Signed in or not, connected or not: said in a line above the tickets."""
        signed_out = not status.signed_in and not status.signing_in
        self.sign_in.setVisible(signed_out)
        if signed_out:
            text = self.tr("Sign in to report problems and follow your tickets.")
        elif status.connection is ConnectionState.OFFLINE:
            text = texts.status_message(status.error_code, status.error_reason)
        else:
            text = ""
        self.banner.setText(text)
        self.banner.setVisible(bool(text))
        self._set_tab_order()
        self._fit()

    def _set_tab_order(self) -> None:
        matches = self.suggestions.buttons if self.suggestions is not None else []
        chain: list[QWidget] = [self.box, *matches, self.sign_in, *self.cards, self.all_tickets]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

    # --- where and when it shows ---------------------------------------------------------

    def open_at(
        self, icon: Rect | None, pointer: tuple[int, int] | None, place: bool = True
    ) -> None:
        """Show it next to the tray icon (see client.core.placement), and focus the box.

        ``place=False``: the window system places windows itself (Wayland).
        """
        self._anchor = (icon, pointer) if place else None
        self._place()
        if place:
            logger.info("panel at %d,%d (icon %s, pointer %s)", self.x(), self.y(), icon, pointer)
        self.show()
        self.raise_()
        self.activateWindow()
        self.box.setFocus(Qt.FocusReason.PopupFocusReason)

    def _place(self) -> None:
        """Fit its contents, and stand where it belongs for that size (against the tray)."""
        self.adjustSize()
        if self._anchor is None:
            return
        icon, pointer = self._anchor
        screen = self._screen_of(icon, pointer)
        whole, free = screen.geometry(), screen.availableGeometry()
        x, y = panel_position(
            (self.width(), self.height()),
            Rect(whole.x(), whole.y(), whole.width(), whole.height()),
            Rect(free.x(), free.y(), free.width(), free.height()),
            icon=icon,
            pointer=pointer,
        )
        self.move(x, y)

    def _fit(self) -> None:
        """What it shows changed while open: it grows or shrinks towards the tray's side."""
        if self.isVisible():
            self._place()

    @staticmethod
    def _screen_of(icon: Rect | None, pointer: tuple[int, int] | None) -> QScreen:
        points = []
        if icon is not None and not icon.empty:
            points.append(QPoint(icon.x + icon.width // 2, icon.y + icon.height // 2))
        if pointer is not None:
            points.append(QPoint(*pointer))
        for point in points:
            screen = QGuiApplication.screenAt(point)
            if screen is not None:
                return screen
        return QGuiApplication.primaryScreen()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802, D102
        super().paintEvent(event)
        if not self._drawn:
            self._drawn = True
            # Once this frame is on screen, not while it is being drawn.
            QTimer.singleShot(0, self, self._on_first_frame)  # not after it is gone

    def _on_first_frame(self) -> None:
        """On screen: what the first frame did not need (nobody can use it yet) comes now."""
        resources.ring_focus()  # the first window's style classes: ~15 ms, after the frame
        self.box.setClearButtonEnabled(True)  # the style's icon, loaded now
        self.painted.emit()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802, D102
        self._drawn = False
        super().hideEvent(event)
        self.closed.emit()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802, D102
        if event.key() == Qt.Key.Key_Escape:
            self.step_aside()
            return
        # Down from the box: into the matches under it (Up from the first comes back).
        down = event.key() == Qt.Key.Key_Down and self.focusWidget() is self.box
        if down and self.suggestions is not None and self.suggestions.focus(0):
            return
        super().keyPressEvent(event)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802, D102
        # Focus went elsewhere (a click beside it, another window): it steps aside.
        if (
            event.type() == QEvent.Type.ActivationChange
            and not self.isActiveWindow()
            and self.isVisible()
            and not self._closing  # hiding deactivates it too, on the way out
        ):
            self.hide()
            self.dismissed.emit()
        super().changeEvent(event)

    # --- what the employee asks for --------------------------------------------------------

    def step_aside(self) -> None:
        """Hide it on purpose (a choice made in it, a click on the icon): no dismissal."""
        self._closing = True
        try:
            self.hide()
        finally:
            self._closing = False

    def _on_box_return_pressed(self) -> None:
        text = self.box.text().strip()
        self.step_aside()
        self.report_requested.emit(text)
        self.box.clear()  # the report dialog has it now

    def _on_suggestion_chosen(self, kind: str, item_id: str) -> None:
        self.step_aside()
        self.suggestion_chosen.emit(kind, item_id)

    def _on_card_clicked(self, ref: TicketRef) -> None:
        self.step_aside()
        self.ticket_requested.emit(ref)

    def _on_all_tickets_clicked(self) -> None:
        self.step_aside()
        self.tickets_requested.emit()

    def _on_health_clicked(self) -> None:
        self.step_aside()
        self.health_requested.emit()
