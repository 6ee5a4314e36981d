"""The tickets window: rows, stages, empty and offline states, untrusted text."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt

from client.core.models import Stage
from client.core.outbox import OutboxItem, OutboxState
from client.core.tray_state import ConnectionState, TrayIconKind, TrayStatus
from client.ui import texts
from client.ui.tickets_window import TicketsWindow, TicketTableModel
from tests.fakes import FakeDesk

ONLINE = TrayStatus(TrayIconKind.NORMAL, True, ConnectionState.ONLINE)


def _window(qtbot: QtBot) -> TicketsWindow:
    window = TicketsWindow()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def _cell(window: TicketsWindow, row: int, column: TicketTableModel.Column) -> str:
    text = window.model.data(window.model.index(row, column))
    assert isinstance(text, str)
    return text


def test_tickets_are_listed_with_their_stage_and_agent(qtbot: QtBot, fake_desk: FakeDesk) -> None:
    fake_desk.add_ticket("Printer jams", Stage.ASSIGNED, agent="Joost Bakker")
    fake_desk.add_ticket("VPN drops")
    window = _window(qtbot)
    summaries = [t.summary for t in fake_desk.tickets.values()]
    window.show_tickets(summaries, loaded=True)
    window.show_status(ONLINE)
    assert window.model.rowCount() == 2
    assert window.view.pages.currentWidget() is window.view.table
    assert _cell(window, 0, TicketTableModel.Column.STAGE) == texts.stage_label(Stage.ASSIGNED)
    assert _cell(window, 0, TicketTableModel.Column.AGENT) == "Joost Bakker"
    assert _cell(window, 1, TicketTableModel.Column.AGENT)  # "not assigned yet", in words
    assert _cell(window, 0, TicketTableModel.Column.TICKET) == "FIN-101"
    assert not window.view.banner.isVisible()


def test_no_tickets_says_so_kindly(qtbot: QtBot) -> None:
    window = _window(qtbot)
    loading = window.view.empty.text()
    window.show_tickets([], loaded=True)
    assert window.view.pages.currentWidget() is window.view.empty
    assert window.view.empty.text() and window.view.empty.text() != loading


def test_offline_and_signed_out_are_explained(qtbot: QtBot) -> None:
    window = _window(qtbot)
    window.show_status(
        TrayStatus(
            TrayIconKind.OFFLINE,
            True,
            ConnectionState.OFFLINE,
            error_code="unavailable",
            error_reason="tls",
        )
    )
    assert window.view.banner.isVisible()
    assert window.view.banner.text() == texts.unavailable_message("tls")
    assert not window.view.sign_in.isVisible()
    window.show_status(TrayStatus(TrayIconKind.ATTENTION, False, ConnectionState.UNKNOWN))
    assert window.view.sign_in.isVisible()
    with qtbot.waitSignal(window.sign_in_requested):
        qtbot.mouseClick(window.view.sign_in, Qt.MouseButton.LeftButton)


def test_hostile_titles_are_shown_as_plain_text(qtbot: QtBot, fake_desk: FakeDesk) -> None:
    hostile = '<img src="http://evil.example/x.png"><b>bold</b><script>alert(1)</script>'
    fake_desk.add_ticket(hostile)
    fake_desk.add_ticket("A" * 1_000_000)
    window = _window(qtbot)
    window.show_tickets([t.summary for t in fake_desk.tickets.values()], loaded=True)
    assert _cell(window, 0, TicketTableModel.Column.SUBJECT) == hostile
    assert len(_cell(window, 1, TicketTableModel.Column.SUBJECT)) == 300
    # Item views draw DisplayRole as plain text; labels that may carry desk text are plain.
    for label in (window.view.banner, window.view.empty):
        assert label.textFormat() == Qt.TextFormat.PlainText


def test_buttons_emit_intents(qtbot: QtBot) -> None:
    window = _window(qtbot)
    with qtbot.waitSignal(window.report_requested):
        qtbot.mouseClick(window.view.report, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(window.refresh_requested):
        qtbot.mouseClick(window.view.refresh, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(window.visibility_changed) as signal:
        window.close()
    assert signal.args == [False]


def test_the_empty_list_explains_why(qtbot: QtBot) -> None:
    window = _window(qtbot)
    texts_seen = set()
    for status, loaded in (
        (TrayStatus(TrayIconKind.ATTENTION, False, ConnectionState.UNKNOWN), False),
        (TrayStatus(TrayIconKind.OFFLINE, True, ConnectionState.OFFLINE), False),
        (TrayStatus(TrayIconKind.NORMAL, True, ConnectionState.UNKNOWN), False),
        (ONLINE, True),
    ):
        window.show_tickets([], loaded=loaded)
        window.show_status(status)
        texts_seen.add(window.view.empty.text())
    assert len(texts_seen) == 4  # signed out, offline, loading, really no tickets


def test_with_reports_waiting_the_empty_list_still_says_why_tickets_are_missing(
    qtbot: QtBot,
) -> None:
    window = _window(qtbot)
    item = OutboxItem(1, "k1", "No network in room 2.14", "", OutboxState.RETRY, 0.0)
    window.show_reports([item])
    window.show_status(TrayStatus(TrayIconKind.OFFLINE, True, ConnectionState.OFFLINE))
    window.show_tickets([], loaded=False)
    assert "as soon as the service desk can be reached" in window.view.empty.text()

    window.show_status(ONLINE)
    window.show_tickets([], loaded=True)
    assert window.view.empty.text() == "", "not 'you have no tickets' above a waiting report"


def test_the_stage_that_needs_the_user_stands_out(qtbot: QtBot, fake_desk: FakeDesk) -> None:
    fake_desk.add_ticket("Waiting", Stage.WAITING_ON_YOU)
    fake_desk.add_ticket("Working", Stage.IN_PROGRESS)
    window = _window(qtbot)
    window.show_tickets([t.summary for t in fake_desk.tickets.values()], loaded=True)
    column = TicketTableModel.Column.STAGE
    waiting = window.model.index(0, column)
    working = window.model.index(1, column)
    assert window.model.data(waiting, Qt.ItemDataRole.FontRole).bold()
    assert window.model.data(waiting, Qt.ItemDataRole.ForegroundRole) is not None
    assert window.model.data(working, Qt.ItemDataRole.FontRole) is None


def test_the_window_is_called_what_the_menu_calls_it(qtbot: QtBot) -> None:
    window = _window(qtbot)
    assert window.view.title.text() == "My tickets"
    assert window.windowTitle().startswith("My tickets")


def test_an_open_ticket_stays_open_while_the_status_and_reports_change(
    qtbot: QtBot, fake_desk: FakeDesk
) -> None:
    ref = fake_desk.add_ticket("Printer jams", Stage.RESOLVED, agent="Joost Bakker")
    window = _window(qtbot)
    window.show_tickets([t.summary for t in fake_desk.tickets.values()], loaded=True)
    window.show_status(ONLINE)
    assert window.open_ticket(ref)
    # "Still broken": the open count changes, and a report may be on its way meanwhile.
    window.show_status(TrayStatus(TrayIconKind.NORMAL, True, ConnectionState.ONLINE,
                                  open_tickets=1))  # fmt: skip
    window.show_reports([])
    still = window.tracking
    assert still and window.tracker.ref == ref
    window.show_list()  # the employee goes back
    back = window.tracking
    assert not back and window.view.pages.currentWidget() is window.view.table
