"""Toasts on the desktop: a real D-Bus notification server, clicks, hostile titles, the tray."""

from __future__ import annotations

import html
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from jeepney import DBusAddress, HeaderFields, MessageType, new_signal
from pytestqt.qtbot import QtBot

from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from client.adapters.notification_bus import DBusNotificationBus
from client.core.models import Agent, Stage, TicketRef, TicketSummary
from client.core.settings import Settings
from client.core.tracking import ChangeKind, TicketChange
from client.services.notifier import Notifier
from client.services.tasks import SyncTaskRunner, TaskRunner
from client.ui.notifications import Notifications, one_line, toast_text
from tests.fakes import T0, FakeClock
from tests.support.notify_server import NAME, PATH, NotifyServer


def _opener(address: str | None) -> Callable[[], DBusNotificationBus] | None:
    """How the app opens the bus (``None``: no bus, the tray only)."""
    return None if address is None else partial(DBusNotificationBus.open, address, 3.0)


class RecordingTray(QSystemTrayIcon):
    """A tray icon that keeps the balloons it was asked to show."""

    def __init__(self) -> None:
        super().__init__()
        self.messages: list[tuple[str, str]] = []

    def showMessage(self, title: str, body: str, *args: Any) -> None:  # noqa: N802 (Qt's name)
        self.messages.append((title, body))


def _change(
    number: int = 12,
    kind: ChangeKind = ChangeKind.AGENT_REPLIED,
    *,
    title: str = "Printer jams",
    stage: Stage = Stage.IN_PROGRESS,
    agent: str | None = "Sanne",
    replied_at: datetime | None = T0,
) -> TicketChange:
    ticket = TicketSummary(
        ref=TicketRef(str(number), f"INC-{number}"),
        title=title,
        stage=stage,
        native_status="open",
        updated=T0,
        created=T0 - timedelta(days=1),
        agent=Agent(agent) if agent else None,
        agent_replied_at=replied_at,
    )
    before = TicketSummary(ticket.ref, title, Stage.IN_PROGRESS, "open", T0, T0)
    return TicketChange(kind, ticket, before, replied=replied_at is not None)


@pytest.fixture
def tray(qapp: QApplication) -> RecordingTray:
    return RecordingTray()


#: Builds ``Notifications`` on the session bus at an address (``None``: no bus at all).
MakeNotifications = Callable[[str | None], Notifications]


@pytest.fixture
def make(tray: RecordingTray, sync_runner: SyncTaskRunner) -> Iterator[MakeNotifications]:
    """Build ``Notifications`` on a given bus; each is hung up after the test."""
    made: list[Notifications] = []

    def build(bus_address: str | None) -> Notifications:
        notifications = Notifications(tray, sync_runner, open_bus=_opener(bus_address))
        made.append(notifications)
        return notifications

    yield build
    for notifications in made:
        notifications.close()


def _wait_for(qtbot: QtBot, server: NotifyServer, count: int) -> list[dict[str, Any]]:
    qtbot.waitUntil(lambda: len(server.notifications()) >= count)
    return server.notifications()


def test_a_change_becomes_one_desktop_notification(
    qtbot: QtBot, notify_server: NotifyServer, make: MakeNotifications, tray: RecordingTray
) -> None:
    notifications = make(notify_server.address)
    notifications.show(_change())
    (sent,) = _wait_for(qtbot, notify_server, 1)
    assert notifications.uses_bus
    assert (sent["app_name"], sent["replaces_id"], sent["expire_timeout"]) == (
        "helpdesk-tray",
        0,
        -1,
    )
    assert "INC-12" in sent["summary"]
    assert "Printer jams" in sent["body"] and "Sanne" in sent["body"]
    assert sent["actions"][0:2] == ["default", "Open"] and sent["actions"][2] == "open"
    assert sent["hints"] == {"urgency": ["y", 1]}
    assert tray.messages == []
    assert [c["call"] for c in notify_server.calls()] == ["GetCapabilities", "Notify"]


def test_toasts_shown_while_the_bus_opens_on_a_worker_all_arrive_in_order(
    qtbot: QtBot, notify_server: NotifyServer, tray: RecordingTray
) -> None:
    runner = TaskRunner(QThreadPool())
    notifications = Notifications(tray, runner, open_bus=_opener(notify_server.address))
    try:
        for number in (12, 13, 14):
            notifications.show(_change(number))
        sent = _wait_for(qtbot, notify_server, 3)
    finally:
        runner.wait_for_done(5000)
        notifications.close()
    assert [s["summary"] for s in sent] == [f"Ticket INC-{n}: new reply" for n in (12, 13, 14)]
    assert tray.messages == []


def test_the_words_say_what_happened() -> None:
    title, body = toast_text(_change(kind=ChangeKind.WAITING_ON_YOU, stage=Stage.WAITING_ON_YOU))
    assert title == "Ticket INC-12: waiting for you"
    assert body == "“Printer jams” — Sanne needs an answer from you", "a hold says what it asks"
    _, body = toast_text(_change(kind=ChangeKind.AGENT_REPLIED))
    assert body == "“Printer jams” — Sanne replied"
    title, body = toast_text(_change(kind=ChangeKind.ASSIGNED, replied_at=None))
    assert (title, body) == ("Ticket INC-12: Sanne is on it", "“Printer jams”")
    title, _ = toast_text(_change(kind=ChangeKind.STAGE_CHANGED, replied_at=None))
    assert title == "Ticket INC-12: In progress"


def test_a_click_opens_the_ticket_it_belongs_to(
    qtbot: QtBot, notify_server: NotifyServer, make: MakeNotifications
) -> None:
    notifications = make(notify_server.address)
    notifications.show(_change(12))
    notifications.show(_change(13))
    first, second = _wait_for(qtbot, notify_server, 2)
    with qtbot.waitSignal(notifications.open_requested) as opened:
        notify_server.invoke(second["id"])
    assert opened.args == [TicketRef("13", "INC-13")]
    with qtbot.waitSignal(notifications.open_requested) as opened:
        notify_server.invoke(first["id"], "open")  # the button instead of the toast itself
    assert opened.args == [TicketRef("12", "INC-12")]


def test_news_on_a_ticket_replaces_its_toast_until_that_is_closed(
    qtbot: QtBot, notify_server: NotifyServer, make: MakeNotifications
) -> None:
    notifications = make(notify_server.address)
    notifications.show(_change(12))
    notifications.show(_change(13))
    first, _ = _wait_for(qtbot, notify_server, 2)
    qtbot.waitUntil(lambda: len(notifications.on_screen) == 2)  # the server's answers are in
    notifications.show(_change(12, ChangeKind.RESOLVED, stage=Stage.RESOLVED))
    replaced = _wait_for(qtbot, notify_server, 3)[2]
    assert (replaced["replaces_id"], replaced["id"]) == (first["id"], first["id"])
    with qtbot.waitSignal(notifications.open_requested):
        notify_server.invoke(first["id"])  # the server then says it is closed
    qtbot.waitUntil(lambda: notifications.on_screen == [TicketRef("13", "INC-13")])
    notifications.show(_change(12, ChangeKind.REOPENED))
    assert _wait_for(qtbot, notify_server, 4)[3]["replaces_id"] == 0


def test_a_click_signal_from_anyone_but_the_server_is_ignored(
    qtbot: QtBot, notify_server: NotifyServer, make: MakeNotifications
) -> None:
    notifications = make(notify_server.address)
    opened: list[TicketRef] = []
    notifications.open_requested.connect(opened.append)
    notifications.show(_change(12))
    notifications.show(_change(13))
    first, second = _wait_for(qtbot, notify_server, 2)
    qtbot.waitUntil(lambda: len(notifications.on_screen) == 2)  # so the id is known
    emitter = DBusAddress(PATH, interface=NAME)
    forged = new_signal(emitter, "ActionInvoked", "us", (second["id"], "default"))
    forged.header.fields[HeaderFields.destination] = first["sender"]
    notify_server.connection.send(forged)
    notify_server.invoke(first["id"])  # sent after the forgery, so it arrives after it
    qtbot.waitUntil(lambda: bool(opened))
    assert opened == [TicketRef("12", "INC-12")]


def test_hostile_titles_arrive_escaped_and_on_one_short_line(
    qtbot: QtBot, notify_server: NotifyServer, make: MakeNotifications
) -> None:
    notifications = make(notify_server.address)
    hostile = "<img src=http://x> <b>bold</b> & co\nsecond line\u202e" + "x" * 500
    notifications.show(_change(title=hostile, agent="<i>Eve</i>"))
    (sent,) = _wait_for(qtbot, notify_server, 1)
    body = sent["body"]
    assert "<" not in body and ">" not in body and "\n" not in body and "\u202e" not in body
    assert "&lt;img src=http://x&gt; &lt;b&gt;bold&lt;/b&gt; &amp; co second line" in body
    assert "&lt;i&gt;Eve&lt;/i&gt;" in body
    assert len(html.unescape(body)) <= 200
    assert "\n" not in sent["summary"]


def test_a_server_without_markup_gets_plain_text_without_tags(
    qtbot: QtBot, dbus_session: str, tmp_path: Path, make: MakeNotifications
) -> None:
    server = NotifyServer.start(dbus_session, tmp_path / "plain.jsonl", capabilities=("body",))
    try:
        notifications = make(dbus_session)
        notifications.show(_change(title="<b>bold</b> & co"))
        (sent,) = _wait_for(qtbot, server, 1)
    finally:
        server.stop()
    assert sent["body"].startswith("“‹b›bold‹/b› & co”")
    assert sent["actions"] == []  # no "actions" capability: nothing to click


def test_several_tickets_at_once_share_one_toast_that_opens_the_list(
    qtbot: QtBot, notify_server: NotifyServer, make: MakeNotifications
) -> None:
    notifications = make(notify_server.address)
    notifications.show_summary([_change(n) for n in (1, 2, 3, 4)])
    (sent,) = _wait_for(qtbot, notify_server, 1)
    assert sent["summary"] == "4 of your tickets changed"
    assert "INC-1" in sent["body"] and "INC-4" in sent["body"]
    with qtbot.waitSignal(notifications.tickets_requested):
        notify_server.invoke(sent["id"])


def test_without_a_notification_server_the_tray_shows_it(
    qtbot: QtBot, dbus_session: str, make: MakeNotifications, tray: RecordingTray
) -> None:
    notifications = make(dbus_session)  # a bus where nobody owns the name
    notifications.show(_change(12))
    notifications.show(_change(13, title="<b>x</b>"))
    assert not notifications.uses_bus
    assert [title for title, _ in tray.messages] == [
        "Ticket INC-12: new reply",
        "Ticket INC-13: new reply",
    ]
    assert "<" not in tray.messages[1][1]
    with qtbot.waitSignal(notifications.open_requested) as opened:
        tray.messageClicked.emit()
    assert opened.args == [TicketRef("13", "INC-13")]


def test_a_balloon_waits_while_the_menu_or_panel_is_open(
    qtbot: QtBot, make: MakeNotifications, tray: RecordingTray
) -> None:
    notifications = make(None)
    notifications.hold(True)  # the employee opened the menu
    notifications.show(_change(12))
    notifications.show(_change(13))
    assert tray.messages == [], "nothing lands on the open menu"
    with qtbot.assertNotEmitted(notifications.open_requested):
        tray.messageClicked.emit()  # a click meant for the menu opens no ticket
    notifications.hold(False)  # it closed: the latest news now
    assert [title for title, _ in tray.messages] == ["Ticket INC-13: new reply"]
    notifications.hold(False)
    assert len(tray.messages) == 1, "shown once"
    with qtbot.waitSignal(notifications.open_requested) as opened:
        tray.messageClicked.emit()
    assert opened.args == [TicketRef("13", "INC-13")]


def test_a_balloon_waits_until_both_menu_and_panel_are_closed(
    make: MakeNotifications, tray: RecordingTray
) -> None:
    notifications = make(None)
    notifications.hold(True, "panel")
    notifications.show(_change(12))
    notifications.hold(True, "menu")  # a second holder keeps what waits
    notifications.hold(False, "menu")
    assert tray.messages == [], "the panel is still open"
    notifications.hold(False, "panel")
    assert [title for title, _ in tray.messages] == ["Ticket INC-12: new reply"]


@pytest.mark.parametrize("bus_address", [None, "disabled:", "unix:path=/nonexistent/bus"])
def test_without_a_session_bus_the_tray_shows_it(
    qtbot: QtBot, make: MakeNotifications, tray: RecordingTray, bus_address: str | None
) -> None:
    notifications = make(bus_address)
    notifications.show(_change(12))
    assert len(tray.messages) == 1


def test_a_server_that_went_away_falls_back_to_the_tray(
    qtbot: QtBot, notify_server: NotifyServer, make: MakeNotifications, tray: RecordingTray
) -> None:
    notifications = make(notify_server.address)
    notifications.show(_change(12))
    _wait_for(qtbot, notify_server, 1)
    notify_server.stop()
    notifications.show(_change(13))
    qtbot.waitUntil(lambda: bool(tray.messages))
    assert tray.messages[0][0] == "Ticket INC-13: new reply"


def test_the_recording_server_refuses_a_wrong_signature_like_real_daemons(
    notify_server: NotifyServer,
) -> None:
    # QtDBus from PySide sends replaces_id as int32 (docs/reference: qt-on-linux §5).
    wrong: tuple[object, ...] = ("app", 0, "", "summary", "body", [], {}, -1)
    reply = notify_server.call("Notify", "sisssasa{sv}i", wrong)
    assert reply.header.message_type is MessageType.error
    assert reply.header.fields[HeaderFields.error_name] == "org.freedesktop.DBus.Error.InvalidArgs"
    right = notify_server.call("Notify", "susssasa{sv}i", wrong)
    assert right.body == (1,)
    assert notify_server.calls()[0] == {"call": "Notify", "rejected": "sisssasa{sv}i"}
    assert len(notify_server.notifications()) == 1


def test_one_toast_per_change_from_policy_to_desktop(
    qtbot: QtBot, notify_server: NotifyServer, make: MakeNotifications, clock: FakeClock
) -> None:
    notifications = make(notify_server.address)
    notifier = Notifier(Settings(), clock=clock)
    notifier.notify.connect(notifications.show)
    notifier.notify_summary.connect(notifications.show_summary)
    changes = [_change(12), _change(13, ChangeKind.WAITING_ON_YOU, stage=Stage.WAITING_ON_YOU)]
    notifier.on_changes(changes)
    notifier.on_changes(changes)  # the same news again: nothing new to show
    notifier.own_action(TicketRef("14", "INC-14"))
    notifier.on_changes([_change(14, ChangeKind.REOPENED, replied_at=None)])  # the user's doing
    notifier.on_changes([_change(15, ChangeKind.RESOLVED, stage=Stage.RESOLVED)])  # a barrier
    sent = _wait_for(qtbot, notify_server, 3)
    assert [s["summary"].split(":")[0] for s in sent] == [
        "Ticket INC-12",
        "Ticket INC-13",
        "Ticket INC-15",
    ]


def test_one_line_cuts_long_text() -> None:
    assert one_line("a\tb\r\nc", 10) == "a b c"
    assert one_line("x" * 20, 10) == "x" * 9 + "…"


def test_a_health_nudge_is_quiet_and_its_click_opens_the_health_view(
    qtbot: QtBot, notify_server: NotifyServer, make: MakeNotifications
) -> None:
    notifications = make(notify_server.address)
    notifications.show_health("Your disk is almost full", "IT has a fix: <Empty the trash>.")
    (sent,) = _wait_for(qtbot, notify_server, 1)
    assert sent["hints"] == {"urgency": ["y", 0]}, "low urgency: it never interrupts"
    assert sent["summary"] == "Your disk is almost full"
    assert sent["body"] == "IT has a fix: &lt;Empty the trash&gt;."
    assert sent["actions"] == ["default", "Open", "open", "Show what helps"]
    qtbot.waitUntil(lambda: len(notifications.on_screen) == 1)  # the server's answer is in
    with (
        qtbot.assertNotEmitted(notifications.tickets_requested),
        qtbot.assertNotEmitted(notifications.open_requested),
        qtbot.waitSignal(notifications.health_requested),
    ):
        notify_server.invoke(sent["id"])  # a click on the toast itself
    qtbot.waitUntil(lambda: notifications.on_screen == [])  # the server closed it
    notifications.show_health("Your disk is almost full", "Still.")
    again = _wait_for(qtbot, notify_server, 2)[1]
    qtbot.waitUntil(lambda: len(notifications.on_screen) == 1)
    with (
        qtbot.assertNotEmitted(notifications.tickets_requested),
        qtbot.waitSignal(notifications.health_requested),
    ):
        notify_server.invoke(again["id"], "open")  # its "Show what helps" button


def test_a_health_toast_replaces_the_last_health_toast_but_no_other(
    qtbot: QtBot, notify_server: NotifyServer, make: MakeNotifications
) -> None:
    notifications = make(notify_server.address)
    notifications.show_notice("Report sent", "Your report was sent.")
    notifications.show_health("Your disk is almost full", "Empty the trash.")
    notice, health = _wait_for(qtbot, notify_server, 2)
    qtbot.waitUntil(lambda: len(notifications.on_screen) == 2)
    assert notice["hints"] == {"urgency": ["y", 1]}, "a notice keeps its normal urgency"
    notifications.show_health("IT has been told", "Your disk is almost full.")
    again = _wait_for(qtbot, notify_server, 3)[2]
    assert again["replaces_id"] == health["id"] != notice["id"]
    notifications.show_notice("Report sent", "Another one.")
    assert _wait_for(qtbot, notify_server, 4)[3]["replaces_id"] == notice["id"]


def test_without_a_bus_a_click_on_the_health_balloon_opens_the_health_view(
    qtbot: QtBot, make: MakeNotifications, tray: RecordingTray
) -> None:
    notifications = make(None)
    notifications.show_health("Your disk is almost full", "<b>Empty</b> the trash.")
    assert tray.messages == [("Your disk is almost full", "‹b›Empty‹/b› the trash.")]
    with (
        qtbot.assertNotEmitted(notifications.tickets_requested),
        qtbot.waitSignal(notifications.health_requested),
    ):
        tray.messageClicked.emit()
    with qtbot.assertNotEmitted(notifications.health_requested):
        tray.messageClicked.emit()  # one click per balloon


def test_toasts_about_two_findings_stand_side_by_side_and_one_finding_replaces_its_own(
    qtbot: QtBot, notify_server: NotifyServer, make: MakeNotifications
) -> None:
    notifications = make(notify_server.address)
    notifications.show_health("Your disk is almost full", "Empty the trash.", "disk-low")
    first = _wait_for(qtbot, notify_server, 1)[0]
    qtbot.waitUntil(lambda: len(notifications.on_screen) == 1)
    notifications.show_health("Your battery is worn", "IT can replace it.", "battery-worn")
    second = _wait_for(qtbot, notify_server, 2)[1]
    assert second["replaces_id"] == 0, "another finding: beside the first, not over it"
    qtbot.waitUntil(lambda: len(notifications.on_screen) == 2)
    notifications.show_health("IT has been told", "Your disk is almost full.", "disk-low")
    third = _wait_for(qtbot, notify_server, 3)[2]
    assert third["replaces_id"] == first["id"], "the same finding: its newer word replaces"
