"""The tray icon: icon and words per status, a menu with no dead entries."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtWidgets import QSystemTrayIcon

from client.core.errors import BadResponse
from client.core.tray_state import ConnectionState, TrayIconKind, TrayStatus
from client.ui import texts
from client.ui.tray import TrayIcon

SIGNED_OUT = TrayStatus(TrayIconKind.ATTENTION, False, ConnectionState.UNKNOWN)
ONLINE = TrayStatus(TrayIconKind.NORMAL, True, ConnectionState.ONLINE, open_tickets=2)
OFFLINE = TrayStatus(
    TrayIconKind.OFFLINE,
    True,
    ConnectionState.OFFLINE,
    error_code="unavailable",
    error_reason="timeout",
)
NEWS = TrayStatus(TrayIconKind.ATTENTION, True, ConnectionState.ONLINE, open_tickets=1, unseen=1)


def test_every_menu_entry_does_something(qtbot: QtBot) -> None:
    tray = TrayIcon(SIGNED_OUT)
    expected = {
        tray.panel_action: tray.panel_requested,
        tray.report_action: tray.report_requested,
        tray.tickets_action: tray.tickets_requested,
        tray.articles_action: tray.articles_requested,
        tray.record_action: tray.record_requested,
        tray.health_action: tray.health_requested,
        tray.sign_in_action: tray.sign_in_requested,
        tray.quit_action: tray.quit_requested,
        tray.autostart_action: tray.autostart_chosen,
    }
    entries = [a for a in tray.menu.actions() if not a.isSeparator()]
    assert set(entries) == set(expected)
    for action, signal in expected.items():
        with qtbot.waitSignal(signal):
            action.trigger()


def test_the_menu_follows_the_status(qtbot: QtBot) -> None:
    tray = TrayIcon(SIGNED_OUT)
    assert tray.sign_in_action.isVisible()
    tray.apply_status(ONLINE)
    assert not tray.sign_in_action.isVisible()
    assert "2" in tray.tickets_action.text()
    with qtbot.waitSignal(tray.menu_opened):
        tray.menu.aboutToShow.emit()


@pytest.mark.parametrize("status", [SIGNED_OUT, ONLINE, OFFLINE, NEWS])
def test_each_status_has_its_own_icon_and_words(qtbot: QtBot, status: TrayStatus) -> None:
    tray = TrayIcon(status)
    assert not tray.icon().isNull()
    assert tray.toolTip().count("\n") == 1


def test_offline_says_why(qtbot: QtBot) -> None:
    tray = TrayIcon(OFFLINE)
    assert texts.unavailable_message("timeout") in tray.toolTip()
    images = [TrayIcon(s).icon().pixmap(22, 22).toImage() for s in (ONLINE, OFFLINE, NEWS)]
    assert images[0] != images[1] and images[1] != images[2] and images[0] != images[2]


def test_a_desk_that_answers_nonsense_is_not_called_a_network_problem(qtbot: QtBot) -> None:
    status = TrayStatus(
        TrayIconKind.OFFLINE, True, ConnectionState.OFFLINE, error_code="bad_response"
    )
    tip = TrayIcon(status).toolTip()
    assert texts.error_message(BadResponse()) in tip
    assert "network" not in tip


# A popup menu grabs the keyboard; the offscreen platform says it cannot.
@pytest.mark.qt_log_ignore("This plugin does not support grabbing the keyboard")
def test_entries_never_move_while_the_menu_is_open(qtbot: QtBot) -> None:
    from datetime import datetime

    from client.core.availability import Availability
    from client.core.profile import Agent
    from client.ui.agent_card import AgentCardData

    tray = TrayIcon(ONLINE)
    tray.menu.popup(tray.menu.pos())  # the employee opened it; the profile is still being read
    qtbot.waitUntil(tray.menu.isVisible)
    before = [a.objectName() for a in tray.menu.actions() if a.isVisible()]
    data = AgentCardData(Agent("joost", "Joost Bakker"), Availability(True), datetime.now())
    tray.show_agent(data)  # the profile came in while the menu is open
    tray.show_departments([("finance", "Finance"), ("hr", "HR")], "", True)
    assert [a.objectName() for a in tray.menu.actions() if a.isVisible()] == before
    tray.menu.hide()
    qtbot.waitUntil(lambda: not tray.menu.isVisible())
    shown = [a.objectName() for a in tray.menu.actions() if a.isVisible()]
    assert shown[0] == "agentCardAction" and "" in shown, "the card, and the departments' submenu"
    assert tray.departments_menu is not None
    assert [a.text() for a in tray.departments_menu.actions()] == ["Finance", "HR"]


def test_a_left_click_asks_for_the_panel_and_a_right_click_keeps_the_menu(qtbot: QtBot) -> None:
    tray = TrayIcon(ONLINE)
    with qtbot.waitSignal(tray.panel_requested):
        tray.activated.emit(QSystemTrayIcon.ActivationReason.Trigger)
    assert not tray.menu.isVisible()
    with qtbot.waitSignal(tray.panel_wanted):  # a quick second click: open, not toggle
        tray.activated.emit(QSystemTrayIcon.ActivationReason.DoubleClick)
    with qtbot.assertNotEmitted(tray.panel_requested), qtbot.assertNotEmitted(tray.panel_wanted):
        tray.activated.emit(QSystemTrayIcon.ActivationReason.Context)


def test_the_menu_offers_the_panel_where_the_tray_hides_the_icon(qtbot: QtBot) -> None:
    # Offscreen, like a StatusNotifierItem host, the tray does not say where the icon is:
    # a left click there may open the menu, so the panel is an entry in it.
    tray = TrayIcon(ONLINE)
    assert tray.geometry().isEmpty()
    tray.menu.aboutToShow.emit()
    assert tray.panel_action.isVisible()


def test_the_first_drawing_of_the_icon_is_told_once_and_draws_the_same_picture(
    qtbot: QtBot,
) -> None:
    # client/start.py builds the app once the icon is first drawn: an X11 tray paints
    # it, a StatusNotifierItem host, Windows and macOS take it as a picture.
    from PySide6.QtCore import QRect, QSize
    from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap

    from client.ui import resources

    def drawn_by(icon: object) -> QPixmap:
        picture = QPixmap(22, 22)
        picture.fill(QColor("white"))
        painter = QPainter(picture)
        icon.paint(painter, QRect(0, 0, 22, 22))  # type: ignore[attr-defined]
        painter.end()
        return picture

    plain = resources.tray_icon(TrayIconKind.NORMAL)
    told: list[str] = []
    icon = resources.first_drawn(plain, lambda: told.append("drawn"))
    assert told == [], "made, not yet drawn"
    assert icon.availableSizes() == plain.availableSizes()
    painted = drawn_by(icon)
    assert told == ["drawn"]
    assert painted.toImage() == drawn_by(plain).toImage()
    icon.pixmap(QSize(22, 22))
    QPixmap(icon.pixmap(QSize(16, 16)))
    assert told == ["drawn"], "once, however often it is drawn"

    as_picture: list[str] = []
    taken = resources.first_drawn(plain, lambda: as_picture.append("taken"))
    copy = QIcon(taken)  # a tray host may be handed a copy of it
    image = copy.pixmap(QSize(22, 22)).toImage()
    assert as_picture == ["taken"]
    assert image == plain.pixmap(QSize(22, 22)).toImage()
    # A host on a high-density screen asks for a size at a scale (Windows, macOS).
    for scale in (1.0, 1.5, 2.0):
        scaled = taken.pixmap(QSize(16, 16), scale)
        assert scaled.toImage() == plain.pixmap(QSize(16, 16), scale).toImage()


def test_a_changed_copy_of_the_first_drawn_icon_is_drawn_and_freed_safely(qtbot: QtBot) -> None:
    # Changing a copy makes Qt clone the icon's engine; PySide leaves the clone's Python
    # half to Python, which freed it at once (a crash) until the clone was kept.
    import gc

    from PySide6.QtCore import QSize
    from PySide6.QtGui import QIcon, QPixmap
    from shiboken6 import Shiboken

    from client.ui import resources

    plain = resources.tray_icon(TrayIconKind.NORMAL)
    told: list[str] = []
    icon = resources.first_drawn(plain, lambda: told.append("drawn"))
    copy = QIcon(icon)
    copy.addPixmap(QPixmap(8, 8))  # the copy now has an engine of its own
    del icon
    gc.collect()
    expected = plain.pixmap(QSize(22, 22)).toImage()
    assert copy.pixmap(QSize(22, 22)).toImage() == expected
    assert told == ["drawn"], "the copy shares the one telling"
    kept = list(resources._CLONES)
    assert kept and all(Shiboken.isValid(engine) for engine in kept)
    del copy
    gc.collect()
    assert not any(Shiboken.isValid(engine) for engine in kept), "Qt deleted its clone"


def test_on_a_double_density_screen_the_first_drawn_icon_gives_the_scale_asked_for() -> None:
    # A host asks for a picture at a scale (Windows, macOS: each screen its own); on a
    # screen of twice the density, one at scale 1 must not come back at scale 2.
    import os
    import subprocess
    import sys

    code = (
        "from PySide6.QtCore import QSize\nfrom PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\nfrom client.ui import resources\n"
        "from client.core.tray_state import TrayIconKind\nresources.register_search_paths()\n"
        "plain = resources.tray_icon(TrayIconKind.NORMAL)\n"
        "icon = resources.first_drawn(plain, lambda: None)\n"
        "for p in (icon.pixmap(QSize(16, 16), 1.0), plain.pixmap(QSize(16, 16), 1.0)):\n"
        "    print(p.width(), p.devicePixelRatio())\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QT_SCALE_FACTOR": "2"}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    first_drawn, plain = result.stdout.split("\n")[:2]
    assert first_drawn == plain == "16 1.0"
