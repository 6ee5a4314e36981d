"""Toasts on Windows (and macOS): no D-Bus, the tray's balloon, which Windows shows as a toast.

``client/app.py`` hands ``Notifications`` no bus opener off Linux
(``open_bus=None``); every toast then goes to ``QSystemTrayIcon.showMessage``,
which Windows 10 and 11 turn into a native toast in the Action Center. Its
``messageClicked`` carries nothing, so the last balloon's target is what a
click opens.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from client.core.models import Stage, TicketRef, TicketSummary
from client.core.tracking import ChangeKind, TicketChange
from client.services.tasks import SyncTaskRunner
from client.ui.notifications import Notifications
from tests.fakes import T0


class BalloonTray(QSystemTrayIcon):
    """A tray icon that keeps every balloon with all its arguments."""

    def __init__(self) -> None:
        super().__init__()
        self.balloons: list[tuple[Any, ...]] = []

    def showMessage(self, *args: Any) -> None:  # noqa: N802 (Qt's name)
        self.balloons.append(args)


class NoThreads(SyncTaskRunner):
    """A runner that fails the test if anything asks for the bus (there is none on Windows)."""

    def submit(self, fn: Callable[[], Any], *, owner: QObject, **callbacks: Any) -> None:
        raise AssertionError("no bus is opened on Windows")


@pytest.fixture
def tray(qapp: QApplication) -> BalloonTray:
    return BalloonTray()


@pytest.fixture
def notifications(tray: BalloonTray) -> Iterator[Notifications]:
    made = Notifications(tray, NoThreads(), open_bus=None)
    yield made
    made.close()


def _change(number: int, title: str = "Printer jams") -> TicketChange:
    ticket = TicketSummary(
        TicketRef(str(number), f"INC-{number}"), title, Stage.IN_PROGRESS, "open", T0,
        T0 - timedelta(days=1), agent_replied_at=T0,
    )  # fmt: skip
    return TicketChange(ChangeKind.AGENT_REPLIED, ticket, ticket, replied=True)


def test_every_toast_is_a_tray_balloon_shown_as_information_for_ten_seconds(
    notifications: Notifications, tray: BalloonTray
) -> None:
    notifications.show(_change(12))
    notifications.show_summary([_change(13), _change(14)])
    notifications.show_notice("Report sent", "Your report was sent.")
    notifications.show_health("Your disk is almost full", "Empty the trash.")
    assert not notifications.uses_bus
    assert len(tray.balloons) == 4
    for title, body, icon, milliseconds in tray.balloons:
        assert title and body
        assert icon == QSystemTrayIcon.MessageIcon.Information
        assert milliseconds == 10_000
    assert tray.balloons[0][0] == "Ticket INC-12: new reply"


def test_a_balloon_is_plain_text_since_windows_shows_tags_as_they_are(
    notifications: Notifications, tray: BalloonTray
) -> None:
    notifications.show(_change(12, title="<b>Printer</b> &amp; <i>scanner</i>\nsecond line"))
    title, body, *_ = tray.balloons[0]
    assert "<" not in title + body and ">" not in title + body


def test_a_click_opens_what_the_last_balloon_was_about(
    qtbot: QtBot, notifications: Notifications, tray: BalloonTray
) -> None:
    notifications.show(_change(12))
    notifications.show(_change(13))  # Windows shows one balloon of ours at a time
    with qtbot.waitSignal(notifications.open_requested) as opened:
        tray.messageClicked.emit()
    assert opened.args == [TicketRef("13", "INC-13")]
    with qtbot.assertNotEmitted(notifications.open_requested):
        tray.messageClicked.emit()  # one click per balloon
    notifications.show_summary([_change(14), _change(15)])
    with qtbot.waitSignal(notifications.tickets_requested):
        tray.messageClicked.emit()
    notifications.show_notice("Report sent", "Your report was sent.")
    with qtbot.waitSignal(notifications.tickets_requested):
        tray.messageClicked.emit()
    notifications.show_health("Your disk is almost full", "Empty the trash.")
    with qtbot.waitSignal(notifications.health_requested):
        tray.messageClicked.emit()


def test_without_a_tray_a_toast_is_dropped_quietly(qapp: QApplication) -> None:
    lonely = Notifications(None, NoThreads(), open_bus=None)
    lonely.show(_change(12))  # logged, not raised: the tray may not be there yet at log-in
    lonely.close()
