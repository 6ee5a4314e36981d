"""The health presenter: a real health service's news as quiet toasts, the view, "tell IT?"."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, cast

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QLabel,
    QMessageBox,
    QPushButton,
    QSystemTrayIcon,
)

from client.core.fixes import Fix, FixRun, Outcome
from client.core.health import BUILTIN_RULES, Finding, Rule
from client.core.models import Report
from client.core.nudges import Track
from client.core.reading import Text
from client.services.health import HealthOptions, HealthService
from client.services.tasks import SyncTaskRunner
from client.ui.health_presenter import HealthPresenter
from client.ui.health_window import HealthWindow
from client.ui.notifications import Notifications
from client.ui.windows import Windows
from tests.fakes import FakeClock

HOUR = 3600.0


def _rule(rule_id: str) -> Rule:
    return next(rule for rule in BUILTIN_RULES if rule.id == rule_id)


#: Found in one pass; IT's fix "trash" helps; IT may hear of it after an hour.
DISK = replace(_rule("disk-low"), fix="trash", persist_passes=1, escalate_after_h=1.0)
#: Counts after two passes in a row; no fix (a report is offered).
CPU = replace(_rule("cpu-hog"), persist_passes=2, escalate_after_h=1.0)
TRASH = Fix("trash", 1, Text({"en": "Empty the trash"}), Text({"en": ""}), Text({"en": ""}),
            Text({"en": "Deletes old files."}))  # fmt: skip


class RecordingTray(QSystemTrayIcon):
    """A tray icon that keeps the balloons it was asked to show."""

    def __init__(self) -> None:
        super().__init__()
        self.messages: list[tuple[str, str]] = []

    def showMessage(self, title: str, body: str, *args: Any) -> None:  # noqa: N802 (Qt's name)
        self.messages.append((title, body))


class MemoryBook:
    """The book of findings in memory (``BookStore``)."""

    def __init__(self) -> None:
        self.kept: dict[str, Track] = {}

    def load(self) -> dict[str, Track]:
        return dict(self.kept)

    def save(self, book: dict[str, Track]) -> None:
        self.kept = dict(book)


class FakeProbe:
    """A health pass that measures what the test says (``Probe``)."""

    def __init__(self) -> None:
        self.facts: dict[str, float] = {}

    def measure(self, request: dict[str, Any]) -> dict[str, Any]:
        return {"facts": dict(self.facts), "details": {"disk.free_percent": "/home"}}

    def cancel(self) -> None:
        pass


class Home:
    def __init__(self) -> None:
        self.counts: list[int] = []

    def show_health(self, attention: int) -> None:
        self.counts.append(attention)


class FakeWindows:
    """What the presenter uses of ``Windows``: the panel's home, and the report dialog."""

    def __init__(self) -> None:
        self.home = Home()
        self.reports: list[str] = []

    def report(self, text: str = "", attachments: Sequence[object] = ()) -> None:
        self.reports.append(text)


@dataclass
class Setup:
    clock: FakeClock
    probe: FakeProbe
    health: HealthService
    presenter: HealthPresenter
    tray: RecordingTray
    notifications: Notifications
    windows: FakeWindows
    sent: list[Report] = field(default_factory=list)
    chosen: list[tuple[str, str]] = field(default_factory=list)

    def check(self, **facts: float) -> None:
        """A pass that finds ``facts`` ("disk__free_percent" for "disk.free_percent")."""
        self.probe.facts = {name.replace("__", "."): value for name, value in facts.items()}
        self.health.check_now()

    @property
    def toasts(self) -> list[tuple[str, str]]:
        return self.tray.messages

    def window(self) -> HealthWindow:
        window = self.presenter.window
        assert isinstance(window, HealthWindow)
        return window


def _build(qapp: QApplication, mode: str, rules: Sequence[Rule]) -> Setup:
    clock = FakeClock(1_800_000_000.0)
    probe, runner = FakeProbe(), SyncTaskRunner()
    sent: list[Report] = []
    chosen: list[tuple[str, str]] = []
    health = HealthService(
        runner, lambda: probe, MemoryBook(), lambda: rules, sent.append, lambda: None,
        options=HealthOptions(mode=mode, quiet_after_s=0.0), clock=clock,
    )  # fmt: skip
    tray = RecordingTray()
    notifications = Notifications(tray, runner)  # no bus: the tray's balloon
    windows = FakeWindows()
    presenter = HealthPresenter(
        health, notifications, cast(Windows, windows), "en", ask_first=mode == "ask",
        fix=lambda fix_id: TRASH if fix_id == "trash" else None,
        choose=lambda kind, item: chosen.append((kind, item)), show_record=lambda: None,
    )  # fmt: skip
    return Setup(clock, probe, health, presenter, tray, notifications, windows, sent, chosen)


@pytest.fixture
def make(qapp: QApplication, qtbot: QtBot) -> Iterator[Any]:
    made: list[Setup] = []

    def build(mode: str = "ask", rules: Sequence[Rule] = (DISK, CPU)) -> Setup:
        setup = _build(qapp, mode, rules)
        made.append(setup)
        return setup

    yield build
    for setup in made:
        if setup.presenter.window is not None:
            setup.window().close()  # deleted on close
        setup.notifications.close()


def _cards(window: HealthWindow) -> dict[str, QFrame]:
    return {
        card.accessibleName(): card
        for card in window.findChildren(QFrame, "healthFinding")
        if card.isVisibleTo(window)
    }


def _button(card: QFrame, name: str) -> QPushButton:
    button = card.findChild(QPushButton, name)
    assert button is not None and button.isVisibleTo(card), name
    return button


def test_a_nudge_is_one_quiet_toast_that_offers_its_fix(make: Any) -> None:
    setup = make()
    setup.check(disk__free_percent=5.0)
    setup.check(disk__free_percent=5.0)  # the same finding again: no second nudge
    assert setup.toasts == [
        ("Your disk is almost full", "IT has a fix you can run yourself: Empty the trash.")
    ]


def test_a_nudge_without_a_fix_says_what_helps(make: Any) -> None:
    setup = make(rules=(replace(DISK, fix=""),))
    setup.check(disk__free_percent=5.0)
    assert setup.toasts == [
        ("Your disk is almost full", "Empty the trash and remove large files you no longer need.")
    ]


def test_when_it_lasts_the_employee_is_asked_whether_it_may_tell_it(make: Any) -> None:
    setup = make("ask")
    setup.check(disk__free_percent=5.0)
    setup.clock.advance(HOUR + 1)
    setup.check(disk__free_percent=5.0)
    assert setup.toasts[1:] == [
        (
            "Tell IT about this?",
            "Your disk is almost full. It has lasted a while. Open to see what IT would get.",
        )
    ]
    assert setup.sent == [], "asked, not sent"


def test_when_the_policy_files_it_the_employee_is_told(make: Any) -> None:
    setup = make("auto")
    setup.check(disk__free_percent=5.0)
    setup.clock.advance(HOUR + 1)
    setup.check(disk__free_percent=5.0)
    (title, body) = setup.toasts[-1]
    assert title == "IT has been told"
    assert body.startswith("Your disk is almost full. It has lasted a while, so IT has been told")
    assert [report.subject for report in setup.sent] == ["[Health] Your disk is almost full"]


@pytest.mark.parametrize(
    ("outcome", "toast"),
    [(Outcome.SOLVED, "Fixed for you"), (Outcome.FAILED, "A fix did not help"),
     (Outcome.NOTHING_FOUND, None)],
)  # fmt: skip
def test_a_fix_that_ran_on_its_own_is_told_unless_there_was_nothing_to_fix(
    make: Any, outcome: Outcome, toast: str | None
) -> None:
    setup = make()
    finding = Finding("disk-low", DISK, 5.0)
    run = FixRun("trash", 1, "linux", "a" * 64, "b" * 64, "health check", 1.0, outcome)
    setup.health.fixed.emit(finding, run)
    if toast is None:
        assert setup.toasts == []
    else:
        assert setup.toasts == [
            (toast, "Your disk is almost full: IT's fix ran on its own, as IT allows for this one.")
        ]


def test_the_panel_counts_what_needs_a_look(make: Any) -> None:
    setup = make()
    counts = setup.windows.home.counts
    setup.check(disk__free_percent=5.0, cpu__top_percent=97.0)
    assert counts[-1] == 1, "the processor is counted only after two passes"
    setup.check(disk__free_percent=5.0, cpu__top_percent=97.0)
    assert counts[-1] == 2
    setup.health.dismiss("disk-low")
    assert counts[-1] == 1, "dismissed: no longer counted"
    setup.health.tell_it("cpu-hog")
    assert counts[-1] == 0, "IT was told: nothing left to look at"
    assert setup.presenter.attention() == 0


def test_show_opens_the_view_up_to_date_and_reuses_it(qtbot: QtBot, make: Any) -> None:
    setup = make()
    setup.check(disk__free_percent=5.0)
    setup.presenter.show()
    window = setup.window()
    qtbot.waitExposed(window)
    assert list(_cards(window)) == ["Your disk is almost full"]
    assert window.checks.topLevelItemCount() == 2
    assert window.when.text().startswith("Last checked ")
    setup.check(disk__free_percent=5.0, cpu__top_percent=97.0)  # the open view follows
    qtbot.waitUntil(lambda: set(_cards(window)) == {"Your disk is almost full"})
    assert setup.presenter.attention() == 1, "a busy moment is no finding yet"
    setup.check(disk__free_percent=5.0, cpu__top_percent=97.0)  # it lasts: a finding now
    both = {"Your disk is almost full", "A program keeps your processor busy"}
    qtbot.waitUntil(lambda: set(_cards(window)) == both)  # new cards show from the event loop
    setup.presenter.show()
    assert setup.presenter.window is window, "a second show() reuses the window"


def test_the_views_buttons_reach_the_service_and_the_app(qtbot: QtBot, make: Any) -> None:
    setup = make()
    setup.check(disk__free_percent=5.0, cpu__top_percent=97.0)
    setup.check(disk__free_percent=5.0, cpu__top_percent=97.0)  # the busy program lasts
    setup.presenter.show()
    window = setup.window()
    qtbot.mouseClick(
        _button(_cards(window)["Your disk is almost full"], "healthFix"), Qt.MouseButton.LeftButton
    )
    assert setup.chosen == [("fix", "trash")]
    cpu = _cards(window)["A program keeps your processor busy"]
    qtbot.mouseClick(_button(cpu, "healthReport"), Qt.MouseButton.LeftButton)
    assert setup.windows.reports == [
        "A program keeps your processor busy\n\nIf you do not need it now, close it, or restart it."
    ]
    qtbot.mouseClick(_button(cpu, "healthSnooze"), Qt.MouseButton.LeftButton)
    assert setup.health.book["cpu-hog"].snoozed_until == setup.clock.now + 24 * HOUR

    def snoozed() -> bool:  # the view is refreshed: new cards show from the event loop
        card = _cards(window).get("A program keeps your processor busy")
        status = card.findChild(QLabel, "healthFindingStatus") if card else None
        return status is not None and status.text().startswith("You will be reminded after")

    qtbot.waitUntil(snoozed)
    disk = _cards(window)["Your disk is almost full"]
    qtbot.mouseClick(_button(disk, "healthDismiss"), Qt.MouseButton.LeftButton)
    assert setup.health.book["disk-low"].dismissed


def _tell_it_box(qtbot: QtBot, setup: Setup) -> QMessageBox:
    setup.check(disk__free_percent=5.0)
    setup.presenter.show()
    window = setup.window()
    qtbot.mouseClick(
        _button(_cards(window)["Your disk is almost full"], "healthTellIt"),
        Qt.MouseButton.LeftButton,
    )
    box = setup.presenter.tell_it_box
    assert box is not None
    qtbot.waitUntil(box.isVisible)
    return box


def _box_button(box: QMessageBox, text: str) -> QPushButton:
    (button,) = [b for b in box.buttons() if b.text() == text]
    assert isinstance(button, QPushButton)
    return button


def test_tell_it_shows_exactly_what_is_sent_and_sends_it(qtbot: QtBot, make: Any) -> None:
    setup = make("ask")
    box = _tell_it_box(qtbot, setup)
    report = setup.health.proactive_report(setup.health.findings[0], asked=True)
    assert box.windowTitle() == "Tell IT about this?"
    assert box.text() == "IT gets this report, and nothing else:"
    assert box.informativeText() == report.subject + "\n\n" + report.description
    assert "Free disk space: 5 %" in box.informativeText()
    (attachment,) = report.attachments
    assert box.detailedText() == f"health-finding.json:\n{attachment.data.decode()}"
    document = json.loads(box.detailedText().split(":\n", 1)[1])
    assert (document["finding"], document["value"]) == ("disk-low", 5.0)
    assert setup.sent == []
    qtbot.mouseClick(_box_button(box, "Send to IT"), Qt.MouseButton.LeftButton)
    (sent,) = setup.sent
    assert (sent.subject, sent.description) == (report.subject, report.description)
    assert setup.health.book["disk-low"].told_it
    window = setup.window()
    qtbot.waitUntil(lambda: "Your disk is almost full" in _cards(window))  # refreshed
    card = _cards(window)["Your disk is almost full"]
    assert card.findChild(QPushButton, "healthTellIt") is None, "told: not offered again"
    status = card.findChild(QLabel, "healthFindingStatus")
    assert status is not None
    assert status.text() == "IT is being told: the report waits to be sent."


def test_dont_tell_it_declines(qtbot: QtBot, make: Any) -> None:
    setup = make("ask")
    box = _tell_it_box(qtbot, setup)
    qtbot.mouseClick(_box_button(box, "Don't tell IT"), Qt.MouseButton.LeftButton)
    assert setup.sent == []
    track = setup.health.book["disk-low"]
    assert track.declined and not track.told_it


def test_tell_it_is_not_offered_when_the_policy_does_not_ask(make: Any) -> None:
    setup = make("never")
    setup.check(disk__free_percent=5.0)
    setup.presenter.show()
    card = _cards(setup.window())["Your disk is almost full"]
    assert card.findChild(QPushButton, "healthTellIt") is None


def test_a_click_on_a_health_toast_opens_the_view(qtbot: QtBot, make: Any) -> None:
    setup = make()
    setup.check(disk__free_percent=5.0)
    assert setup.toasts and setup.presenter.window is None, "a toast, no window yet"
    setup.tray.messageClicked.emit()
    window = setup.window()
    qtbot.waitExposed(window)
    assert window.isVisible() and list(_cards(window)) == ["Your disk is almost full"]
