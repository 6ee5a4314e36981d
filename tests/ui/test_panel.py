"""The panel at the tray icon: cards, the box, keyboard, placement, and hostile text."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QAccessible, QGuiApplication, QTextDocument
from PySide6.QtWidgets import QApplication, QWidget

from client.core.models import Agent, Stage, TicketRef, TicketSummary
from client.core.outbox import OutboxItem, OutboxState
from client.core.placement import MARGIN, Rect
from client.core.tracking import Step
from client.core.tray_state import ConnectionState, TrayIconKind, TrayStatus
from client.ui import resources, texts
from client.ui.home import REOPEN_GUARD_S, Home
from client.ui.panel import MAX_CARDS, PANEL_WIDTH, ParcelCard, TrayPanel, parcels
from tests.fakes import T0, FakeClock

ONLINE = TrayStatus(TrayIconKind.NORMAL, True, ConnectionState.ONLINE)


def _ticket(number: int, stage: Stage = Stage.IN_PROGRESS, **fields: Any) -> TicketSummary:
    base = TicketSummary(
        ref=TicketRef(str(number), f"IT-{number}"),
        title=f"Problem {number}",
        stage=stage,
        native_status=stage.value,
        updated=T0 + timedelta(minutes=number),
        created=T0,
        agent=Agent("Sanne de Vries") if stage is not Stage.RECEIVED else None,
    )
    return replace(base, **fields)


@pytest.fixture
def panel(qtbot: QtBot) -> TrayPanel:
    widget = TrayPanel()
    qtbot.addWidget(widget)
    widget._now = lambda: T0 + timedelta(hours=1)  # noqa: SLF001 - the words of "when"
    widget.show_status(ONLINE)
    return widget


def _open(qtbot: QtBot, panel: TrayPanel, icon: Rect | None = None) -> None:
    # The employee was in another window in between (and the offscreen platform only
    # activates a window that is not already its focus window).
    elsewhere = QWidget()
    qtbot.addWidget(elsewhere)
    elsewhere.show()
    elsewhere.activateWindow()
    qtbot.waitUntil(elsewhere.isActiveWindow)
    elsewhere.close()
    panel.open_at(icon, None)
    qtbot.waitUntil(panel.isActiveWindow)


def test_cards_put_news_first_then_what_waits_for_the_employee(panel: TrayPanel) -> None:
    tickets = [
        _ticket(1),
        _ticket(2, Stage.WAITING_ON_YOU),
        _ticket(3, Stage.CLOSED),  # done: not a card
        _ticket(4, Stage.RESOLVED),  # to confirm: a card
        _ticket(5),
    ]
    panel.show_tickets(tickets, frozenset({TicketRef("1", "IT-1")}), loaded=True)
    assert [str(card.parcel.ref) for card in panel.cards if card.parcel] == [
        "IT-1",
        "IT-2",
        "IT-5",
        "IT-4",
    ]
    news = [card.news.isVisibleTo(card) for card in panel.cards]
    assert news == [True, False, False, False]
    assert panel.cards[0].accessibleName().startswith("News:")
    waiting = panel.cards[1]
    assert waiting.stage.text() == "Waiting for you"
    assert "needs something from you" in waiting.next.text()
    assert waiting.line.steps[-3:] == [
        (Stage.WAITING_ON_YOU, Step.CURRENT),
        (Stage.RESOLVED, Step.TODO),
        (Stage.CLOSED, Step.TODO),
    ]
    assert waiting.line.accessibleName() == "Waiting for you: step 4 of 6"


def test_only_a_few_cards_and_the_rest_behind_all_tickets(panel: TrayPanel) -> None:
    panel.show_tickets([_ticket(n) for n in range(1, 8)], frozenset(), loaded=True)
    assert len(panel.cards) == MAX_CARDS
    assert panel.all_tickets.text() == "All my tickets (3 more open)"
    panel.show_tickets([_ticket(1)], frozenset(), loaded=True)  # cards go as tickets close
    assert len(panel.cards) == 1 and panel.all_tickets.text() == "All my tickets"


def test_expected_by_is_said_and_so_is_its_absence(panel: TrayPanel) -> None:
    due = _ticket(1, due=T0 + timedelta(days=1))
    history = [_ticket(n, Stage.CLOSED, updated=T0 + timedelta(hours=4)) for n in (7, 8, 9)]
    usual = _ticket(2, created=T0 + timedelta(minutes=30))
    (due_card,) = parcels([due], frozenset(), T0)
    assert due_card.expected_text == "Expected by Tomorrow, 09:00"
    cards = {p.ref.id: p for p in parcels([usual, *history], frozenset(), T0)}
    assert cards["2"].expected_text == "Usually by Today, 13:30"  # 4 h after it came in
    (alone,) = parcels([_ticket(3)], frozenset(), T0)
    assert alone.expected_text == "No expected time yet"
    later = T0 + timedelta(days=3)  # both times have passed
    cards = {p.ref.id: p for p in parcels([due, usual, *history], frozenset(), later)}
    assert cards["1"].expected_text.startswith("Was expected by ")
    assert cards["2"].expected_text == "Taking longer than usual"


def test_no_tickets_yet_and_none_at_all_are_told_apart(panel: TrayPanel) -> None:
    panel.show_tickets([], frozenset(), loaded=False)
    assert panel.empty.text() == "Looking up your tickets…"
    panel.show_tickets([], frozenset(), loaded=True)
    assert panel.empty.text().startswith("No open tickets.")
    assert not panel.cards


def test_hostile_ticket_text_stays_text_and_is_cut(panel: TrayPanel) -> None:
    title = "<img src='http://evil.example/x.png'><b>pwned</b>\n\u202eevil " + "A" * 1_000_000
    panel.show_tickets([_ticket(1, title=title)], frozenset(), loaded=True)
    card = panel.cards[0]
    assert card.title.textFormat() is Qt.TextFormat.PlainText
    assert card.title.text().startswith("<img src='http://evil.example/x.png'><b>pwned</b> ")
    assert "\n" not in card.title.text() and len(card.title.text()) <= 120
    # The tooltip too: Qt would render a title like this as HTML, and load the image.
    shown = QTextDocument()
    shown.setHtml(card.toolTip())
    assert shown.toPlainText().startswith("Ticket IT-1: <img src='http://evil.example/x.png'>")
    agent = Agent("X" * 200)
    panel.show_tickets([_ticket(2, agent=agent)], frozenset(), loaded=True)
    assert len(panel.cards[0].next.text()) < 200  # a 200-character name is cut
    panel.adjustSize()
    assert panel.width() == PANEL_WIDTH  # nothing pushes it wider


def test_waiting_reports_are_listed(panel: TrayPanel) -> None:
    def item(n: int, subject: str) -> OutboxItem:
        return OutboxItem(n, f"k{n}", subject, "", OutboxState.QUEUED, 0.0)

    panel.show_reports([item(n, f"Report {n}") for n in range(1, 6)])
    assert panel.waiting.text().splitlines() == [
        "Waiting to be sent (5):",
        "• Report 1",
        "• Report 2",
        "• Report 3",
        "and 2 more",
    ]
    panel.show_reports([])
    assert not panel.waiting.isVisibleTo(panel)


def test_signed_out_and_offline_are_said_at_the_top(panel: TrayPanel) -> None:
    panel.show_status(TrayStatus(TrayIconKind.NORMAL, False, ConnectionState.ONLINE))
    assert panel.sign_in.isVisibleTo(panel) and panel.banner.text().startswith("Sign in")
    offline = TrayStatus(
        TrayIconKind.OFFLINE, True, ConnectionState.OFFLINE, error_code="unavailable",
        error_reason="refused",
    )  # fmt: skip
    panel.show_status(offline)
    assert not panel.sign_in.isVisibleTo(panel)
    assert panel.banner.text() == texts.status_message("unavailable", "refused")
    assert "not taking connections" in panel.banner.text()


def test_keyboard_alone_reports_a_problem(qtbot: QtBot, panel: TrayPanel) -> None:
    _open(qtbot, panel)
    assert panel.box.hasFocus(), "typing starts at once"
    qtbot.keyClicks(panel.box, "Outlook keeps asking for my password")
    with (
        qtbot.waitSignal(panel.report_requested) as asked,
        qtbot.assertNotEmitted(panel.dismissed),
    ):  # a choice, not a click beside it: the icon may open it again at once
        qtbot.keyClick(panel.box, Qt.Key.Key_Return)
    assert asked.args == ["Outlook keeps asking for my password"]
    assert not panel.isVisible() and panel.box.text() == ""


def test_keyboard_alone_opens_a_ticket_and_all_tickets(qtbot: QtBot, panel: TrayPanel) -> None:
    panel.show_tickets([_ticket(1), _ticket(2)], frozenset(), loaded=True)
    _open(qtbot, panel)
    qtbot.keyClick(panel.box, Qt.Key.Key_Tab)
    first = QApplication.focusWidget()
    assert isinstance(first, ParcelCard) and first.parcel is not None
    with qtbot.waitSignal(panel.ticket_requested) as asked:
        qtbot.keyClick(first, Qt.Key.Key_Space)
    assert asked.args == [first.parcel.ref]
    _open(qtbot, panel)
    for _ in range(3):  # the box, two cards, then the link
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is panel.all_tickets
    with qtbot.waitSignal(panel.tickets_requested):
        qtbot.keyClick(panel.all_tickets, Qt.Key.Key_Space)


def test_a_click_on_a_card_opens_its_ticket(qtbot: QtBot, panel: TrayPanel) -> None:
    panel.show_tickets([_ticket(1)], frozenset(), loaded=True)
    _open(qtbot, panel)
    with qtbot.waitSignal(panel.ticket_requested) as asked:
        qtbot.mouseClick(panel.cards[0], Qt.MouseButton.LeftButton)
    assert asked.args == [TicketRef("1", "IT-1")]
    assert not panel.isVisible()


def test_escape_and_focus_elsewhere_close_it(qtbot: QtBot, panel: TrayPanel) -> None:
    _open(qtbot, panel)
    qtbot.keyClick(panel.box, Qt.Key.Key_Escape)
    assert not panel.isVisible()
    _open(qtbot, panel)
    other = QWidget()
    qtbot.addWidget(other)
    other.show()
    with qtbot.waitSignal(panel.dismissed):
        other.activateWindow()  # a click on another window
    assert not panel.isVisible()


def test_it_opens_against_the_icon_of_a_top_bar_tray(qtbot: QtBot, panel: TrayPanel) -> None:
    screen = QGuiApplication.primaryScreen().geometry()
    icon = Rect(screen.right() - 60, screen.top() + 2, 24, 24)
    _open(qtbot, panel, icon)
    assert panel.y() == icon.bottom + MARGIN
    assert panel.x() <= icon.x and panel.x() + panel.width() >= icon.right
    assert panel.geometry().right() <= screen.right()


def test_without_the_icon_it_opens_in_the_trays_corner(qtbot: QtBot, panel: TrayPanel) -> None:
    free = QGuiApplication.primaryScreen().availableGeometry()
    _open(qtbot, panel, Rect(0, 0, 0, 0))  # a StatusNotifierItem host: no geometry
    assert panel.geometry().right() == free.right() - MARGIN
    assert panel.geometry().bottom() == free.bottom() - MARGIN


def test_every_control_has_a_name_a_screen_reader_reads(qtbot: QtBot, panel: TrayPanel) -> None:
    panel.show_tickets([_ticket(1), _ticket(2, Stage.WAITING_ON_YOU)], frozenset(), True)
    panel.show_status(TrayStatus(TrayIconKind.NORMAL, False, ConnectionState.ONLINE))
    _open(qtbot, panel)
    focusable = [
        w for w in panel.findChildren(QWidget)
        if w.isVisibleTo(panel) and w.focusPolicy() & Qt.FocusPolicy.TabFocus
    ]  # fmt: skip
    assert len(focusable) >= 5  # the box, sign in, two cards, all tickets
    for widget in focusable:
        face = QAccessible.queryAccessibleInterface(widget)
        assert face is not None and face.text(QAccessible.Text.Name).strip(), widget.objectName()


def _shown(home: Home) -> bool:
    return home.showing


class _Sources:
    def __init__(self) -> None:
        self.tickets: list[TicketSummary] = [_ticket(1)]
        self.asked = 0

    def read(self) -> tuple[list[TicketSummary], bool]:
        self.asked += 1
        return self.tickets, True


def test_home_builds_the_panel_when_it_opens_and_deletes_it_when_it_closes(qtbot: QtBot) -> None:
    sources, clock = _Sources(), FakeClock()
    home = Home(sources.read, frozenset, list, lambda: ONLINE, clock=clock)
    home.refresh()  # nothing built: nothing read
    assert not home.showing and not home.seen and sources.asked == 0
    with qtbot.waitSignal(home.opening):  # its contents brought up to date before it shows
        home.open(place=False)
    panel = home.panel
    assert panel is not None and panel.isVisible() and len(panel.cards) == 1
    with qtbot.waitSignal(home.opened):  # then, once it is drawn, what can wait
        pass
    sources.tickets = [_ticket(1), _ticket(2)]
    home.refresh()  # kept up to date while it exists
    assert len(panel.cards) == 2
    with qtbot.waitSignal(home.closed):
        home.toggle(None, None, place=False)  # a click on the icon while it is open
    assert not home.showing, "a closed panel is not kept"
    qtbot.waitUntil(lambda: not QApplication.topLevelWidgets().count(panel))  # deleted
    home.toggle(None, None, place=False)  # and again: it opens, built anew
    again = home.panel
    assert again is not None and again.isVisible() and len(again.cards) == 2
    again.dismissed.emit()  # the click on the icon took the focus: it closed
    again.step_aside()
    home.toggle(None, None, place=False)  # that same click's activation comes next
    assert _shown(home) is False
    clock.advance(REOPEN_GUARD_S + 0.1)
    home.toggle(None, None, place=False)
    assert _shown(home) is True
    home.close()
    assert _shown(home) is False


def test_a_panel_opening_stays_quick_with_many_tickets(qtbot: QtBot, panel: TrayPanel) -> None:
    # 500 tickets, a megabyte-long title: only a few cards are built, the rest are counted.
    tickets = [_ticket(n) for n in range(1, 501)]
    tickets[0] = replace(tickets[0], title="B" * 1_000_000)
    started = time.perf_counter()
    panel.show_tickets(tickets, frozenset(), loaded=True)
    _open(qtbot, panel)
    assert len(panel.cards) == MAX_CARDS
    assert panel.all_tickets.text() == "All my tickets (496 more open)"
    assert time.perf_counter() - started < 5, "sanity bound; the benchmark holds the budget"


def test_a_deactivation_while_hidden_is_no_dismissal(qtbot: QtBot, panel: TrayPanel) -> None:
    # Hidden already (a choice was made in it): the focus leaving is not a click beside it,
    # which would keep the icon from opening it for a moment.
    with qtbot.assertNotEmitted(panel.dismissed):
        QApplication.sendEvent(panel, QEvent(QEvent.Type.ActivationChange))


def test_an_urgent_ticket_says_so_on_its_card(panel: TrayPanel) -> None:
    panel.show_tickets([_ticket(1, urgent=True), _ticket(2)], frozenset(), loaded=True)
    cards = {card.parcel.ref.id: card for card in panel.cards if card.parcel}
    urgent, calm = cards["1"], cards["2"]
    assert urgent.urgent.isVisibleTo(urgent) and urgent.urgent.text() == "Urgent"
    assert urgent.accessibleName().startswith("Urgent · ")
    assert not calm.urgent.isVisibleTo(calm)


def test_tickets_arriving_while_it_is_open_keep_it_against_the_tray(
    qtbot: QtBot, panel: TrayPanel
) -> None:
    free = QGuiApplication.primaryScreen().availableGeometry()
    icon = Rect(free.right() - 40, free.bottom() - 20, 24, 24)  # a task bar at the bottom
    panel.show_tickets([], frozenset(), loaded=False)
    _open(qtbot, panel, icon)
    small = panel.height()
    panel.show_tickets([_ticket(n) for n in range(1, 5)], frozenset(), loaded=True)
    assert panel.height() > small, "it grew for the cards"
    assert panel.geometry().bottom() <= free.bottom(), "upwards, not off the screen"
    assert panel.y() + panel.height() <= icon.y, "still above the icon"


def test_what_the_first_frame_does_not_need_comes_right_after_it(
    qtbot: QtBot, qapp: QApplication
) -> None:
    qapp.setStyle("Fusion")  # as at start: no window of ours dressed yet
    try:
        panel = TrayPanel()
        qtbot.addWidget(panel)
        assert qapp.style().objectName() != "focusRing", "not before the first frame"
        assert not panel.box.isClearButtonEnabled()
        with qtbot.waitSignal(panel.painted):
            _open(qtbot, panel)
        assert qapp.style().objectName() == "focusRing", "the focus ring, before any Tab"
        assert panel.box.isClearButtonEnabled()
    finally:
        resources.ring_focus()  # later tests find the app as our windows leave it


def test_the_health_link_says_how_many_findings_need_a_look(
    qapp: QApplication, panel: TrayPanel
) -> None:
    from PySide6.QtCore import QTranslator

    english = QTranslator()  # the English catalog, as the app installs it: plurals
    assert english.load(str(resources.resource_root() / "i18n" / "helpdesk_tray_en.qm"))
    qapp.installTranslator(english)
    try:
        assert panel.health.text() == "Health of this computer"
        panel.show_health(2)
        assert panel.health.text() == "Health: 2 things to look at"
        assert panel.health.property("role") == "warning"
        panel.show_health(1)
        assert panel.health.text() == "Health: 1 thing to look at"
        panel.show_health(0)
        assert panel.health.text() == "Health of this computer"
        assert panel.health.property("role") == ""
    finally:
        qapp.removeTranslator(english)


def test_the_health_link_asks_for_the_health_view_and_closes_the_panel(
    qtbot: QtBot, panel: TrayPanel
) -> None:
    _open(qtbot, panel)
    with (
        qtbot.assertNotEmitted(panel.dismissed),
        qtbot.assertNotEmitted(panel.tickets_requested),
        qtbot.waitSignal(panel.health_requested),
    ):
        qtbot.mouseClick(panel.health, Qt.MouseButton.LeftButton)
    assert not panel.isVisible()


def test_home_keeps_the_health_count_for_a_panel_built_later(qtbot: QtBot) -> None:
    home = Home(_Sources().read, frozenset, list, lambda: ONLINE)
    home.show_health(2)  # before any panel exists
    home.open(place=False)
    panel = home.panel
    assert panel is not None
    assert panel.health.text().startswith("Health: 2 "), "the count is on the link"
    home.show_health(0)  # and follows while it is open
    assert panel.health.text() == "Health of this computer"
    with qtbot.waitSignal(home.health_requested):
        panel.health.click()
    home.close()


def test_without_health_checks_the_panel_has_no_health_link(qtbot: QtBot) -> None:
    home = Home(_Sources().read, frozenset, list, lambda: ONLINE)
    home.open(place=False)  # the policy has not turned health checks on: nothing to link to
    panel = home.panel
    assert panel is not None and panel.health.isHidden()
    home.show_health(0)  # they are on
    assert not panel.health.isHidden() and panel.health.text() == "Health of this computer"
    home.show_health(None)
    assert panel.health.isHidden()
    home.close()
