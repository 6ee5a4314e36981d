"""The health window: findings as cards with the buttons that fit, what is checked, hostile text."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import QPoint, Qt, QTranslator
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QFrame, QLabel, QPushButton, QWidget

from client.core.health import BUILTIN_RULES, Check, Finding, Pass, Rule, checked
from client.core.nudges import Track
from client.core.reading import Text
from client.ui import resources
from client.ui.health_window import SNOOZE_S, FindingView, HealthWindow

NOW = 1_800_000_000.0


def _rule(rule_id: str) -> Rule:
    return next(rule for rule in BUILTIN_RULES if rule.id == rule_id)


DISK = replace(_rule("disk-low"), fix="trash")
CPU = _rule("cpu-hog")
DISK_FINDING = Finding("disk-low", DISK, 5.0, "/home")
CPU_FINDING = Finding("cpu-hog", CPU, 97.0, "backup-agent")


@pytest.fixture
def english(qapp: QApplication) -> Iterator[None]:
    """The English catalog, as the app installs it: plurals read naturally."""
    translator = QTranslator()
    assert translator.load(str(resources.resource_root() / "i18n" / "helpdesk_tray_en.qm"))
    qapp.installTranslator(translator)
    yield
    qapp.removeTranslator(translator)


@pytest.fixture
def window(qtbot: QtBot, english: None) -> HealthWindow:
    shown = HealthWindow("en")
    qtbot.addWidget(shown)
    return shown


def _show(
    window: HealthWindow,
    views: Sequence[FindingView] = (),
    checks: Sequence[Check] = (),
    *,
    checked_at: float | None = NOW,
    busy: bool = False,
    sent: Mapping[str, Track] | None = None,
) -> None:
    window.show_state(views, checks, checked_at=checked_at, busy=busy, sent=sent or {})


def _cards(window: HealthWindow, name: str = "healthFinding") -> list[QFrame]:
    return [card for card in window.findChildren(QFrame, name) if card.isVisibleTo(window)]


def _label(card: QWidget, name: str) -> QLabel:
    label = card.findChild(QLabel, name)
    assert label is not None, name
    return label


def _buttons(card: QWidget) -> dict[str, QPushButton]:
    return {b.objectName(): b for b in card.findChildren(QPushButton) if b.isVisibleTo(card)}


def _text(label: QLabel) -> str:
    """What the label reads (the breaks a long word may take are not characters to read)."""
    return label.text().replace("\u200b", "")


def _rows(window: HealthWindow) -> list[tuple[str, str, str]]:
    """What is checked, as the list shows it: check, last value, state."""
    rows = []
    for index in range(window.checks.topLevelItemCount()):
        item = window.checks.topLevelItem(index)
        assert item is not None
        rows.append((item.text(0), item.text(1), item.text(2)))
    return rows


def test_no_findings_is_all_is_well(window: HealthWindow) -> None:
    _show(window, checked_at=None)
    assert window.summary.text() == "All is well"
    assert window.when.text() == "Not checked yet."
    assert _cards(window) == [] and _cards(window, "healthCleared") == []


def test_a_card_says_what_was_found_measured_and_what_helps(window: HealthWindow) -> None:
    _show(window, [FindingView(DISK_FINDING, None, "Empty the trash")])
    assert window.summary.text() == "1 thing needs attention"
    assert window.when.text().startswith("Last checked ")
    (card,) = _cards(window)
    assert card.accessibleName() == "Your disk is almost full"
    assert _label(card, "healthFindingTitle").text() == "Your disk is almost full"
    assert _text(_label(card, "healthFindingAdvice")) == (
        "Free disk space: 5 % (/home) Empty the trash and remove large files you no longer need."
    )
    assert not _label(card, "healthFindingStatus").isVisibleTo(card), "nothing to say yet"


def test_with_a_fix_the_card_offers_it_and_asks_for_the_rules_fix(
    qtbot: QtBot, window: HealthWindow
) -> None:
    _show(window, [FindingView(DISK_FINDING, None, "Empty the trash")])
    (card,) = _cards(window)
    buttons = _buttons(card)
    assert "healthReport" not in buttons, "a fix is offered instead of a report"
    assert buttons["healthFix"].text() == "Fix it: Empty the trash"
    with qtbot.waitSignal(window.fix_requested) as asked:
        qtbot.mouseClick(buttons["healthFix"], Qt.MouseButton.LeftButton)
    assert asked.args == ["trash"], "the rule's fix id, not its title"


def test_without_a_fix_the_card_offers_a_report_of_the_finding(
    qtbot: QtBot, window: HealthWindow
) -> None:
    _show(window, [FindingView(CPU_FINDING, None)])
    (card,) = _cards(window)
    buttons = _buttons(card)
    assert "healthFix" not in buttons
    assert buttons["healthReport"].text() == "Report it…"
    with qtbot.waitSignal(window.report_requested) as asked:
        qtbot.mouseClick(buttons["healthReport"], Qt.MouseButton.LeftButton)
    assert asked.args == ["cpu-hog"]


def test_tell_it_is_offered_only_when_the_policy_lets_the_employee(
    qtbot: QtBot, window: HealthWindow
) -> None:
    _show(window, [FindingView(CPU_FINDING, None, may_tell_it=False)])
    assert "healthTellIt" not in _buttons(_cards(window)[0])
    _show(window, [FindingView(CPU_FINDING, None, may_tell_it=True)])
    (card,) = _cards(window)
    tell = _buttons(card)["healthTellIt"]
    assert tell.text() == "Tell IT"
    with qtbot.waitSignal(window.tell_it_requested) as asked:
        qtbot.mouseClick(tell, Qt.MouseButton.LeftButton)
    assert asked.args == ["cpu-hog"]


def test_remind_me_tomorrow_and_dont_remind_me(qtbot: QtBot, window: HealthWindow) -> None:
    _show(window, [FindingView(CPU_FINDING, None)])
    buttons = _buttons(_cards(window)[0])
    with qtbot.waitSignal(window.snooze_requested) as snoozed:
        qtbot.mouseClick(buttons["healthSnooze"], Qt.MouseButton.LeftButton)
    assert snoozed.args == ["cpu-hog", 24 * 3600.0] and SNOOZE_S == 24 * 3600
    with qtbot.waitSignal(window.dismiss_requested) as dismissed:
        qtbot.mouseClick(buttons["healthDismiss"], Qt.MouseButton.LeftButton)
    assert dismissed.args == ["cpu-hog"]


def _track(**fields: Any) -> Track:
    return replace(Track("cpu-hog", NOW - 3600, NOW, passes=3, value=97.0), **fields)


@pytest.mark.parametrize(
    ("fields", "status", "buttons"),
    [
        ({}, "Found since ", {"healthReport", "healthSnooze", "healthDismiss"}),
        ({"ticket": "IT-12", "report_key": "k"}, "IT knows: ticket IT-12.", set()),
        ({"report_key": "k"}, "IT is being told: the report waits to be sent.", set()),
        ({"declined": True}, "You chose not to tell IT.",
         {"healthReport", "healthSnooze", "healthDismiss"}),
        ({"snoozed_until": NOW + SNOOZE_S}, "You will be reminded after ",
         {"healthReport", "healthSnooze", "healthDismiss"}),
        ({"dismissed": True}, "You will not be reminded of this.",
         {"healthReport", "healthSnooze"}),
    ],
    ids=["found", "ticket", "waiting", "declined", "snoozed", "dismissed"],
)  # fmt: skip
def test_the_card_says_what_became_of_it_and_offers_what_still_fits(
    window: HealthWindow, fields: dict[str, Any], status: str, buttons: set[str]
) -> None:
    _show(window, [FindingView(CPU_FINDING, _track(**fields))])
    (card,) = _cards(window)
    said = _label(card, "healthFindingStatus")
    assert said.isVisibleTo(card)
    assert _text(said).startswith(status)
    assert set(_buttons(card)) == buttons


def test_a_cleared_finding_with_a_ticket_says_its_ticket_is_being_closed(
    window: HealthWindow,
) -> None:
    cleared = _track(report_key="k", ticket="IT-9", cleared_at=NOW)
    unsent = replace(_track(report_key="k2", cleared_at=NOW), id="disk-low")  # no ticket yet
    _show(window, [], sent={"cpu-hog": cleared, "disk-low": unsent})
    assert window.summary.text() == "All is well"
    (card,) = _cards(window, "healthCleared")
    assert _text(_label(card, "healthClearedText")) == (
        "A problem IT was told of has cleared. Ticket IT-9 is being closed."
    )


def test_every_check_is_listed_with_its_value_and_state(window: HealthWindow) -> None:
    rules = [DISK, CPU, _rule("uptime-long"), _rule("battery-worn")]
    found = Pass({"disk.free_percent": 5.0, "cpu.top_percent": 12.0, "uptime.days": 2.0})
    _show(window, [], checked(rules, found))
    assert _rows(window) == [
        ("Free disk space", "5 %", "Needs attention"),
        ("Busiest program", "12 % CPU", "Fine"),
        ("Days since the last restart", "2 days", "Fine"),
        ("Battery health", "—", "Not measured here"),
    ]
    _show(window, [], checked(rules, None))  # before the first pass: nothing measured
    assert {state for _check, _value, state in _rows(window)} == {"Not measured here"}


def test_check_now_is_off_while_a_check_runs(qtbot: QtBot, window: HealthWindow) -> None:
    _show(window, busy=True)
    assert not window.check_button.isEnabled()
    assert window.when.text() == "Checking…"
    with qtbot.assertNotEmitted(window.check_requested):
        qtbot.mouseClick(window.check_button, Qt.MouseButton.LeftButton)
    _show(window, busy=False)
    assert window.check_button.isEnabled()
    with qtbot.waitSignal(window.check_requested):
        qtbot.mouseClick(window.check_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(window.record_requested):
        qtbot.mouseClick(window.record_button, Qt.MouseButton.LeftButton)


def test_cards_are_replaced_not_added_to(window: HealthWindow) -> None:
    _show(window, [FindingView(CPU_FINDING, None), FindingView(DISK_FINDING, None, "Trash")])
    assert len(_cards(window)) == 2
    _show(window, [FindingView(CPU_FINDING, None)])
    assert [card.accessibleName() for card in _cards(window)] == [
        "A program keeps your processor busy"
    ]


HOSTILE = "<b>x</b><img src=x>\x07\x1b[31m\u202e" + "W" * 5000


def test_hostile_text_in_a_finding_stays_plain_and_inside_the_window(
    qtbot: QtBot, window: HealthWindow
) -> None:
    long_title = replace(CPU, title=Text({"en": "T" * 300}))
    _show(
        window,
        [
            FindingView(Finding("cpu-hog", CPU, 97.0, HOSTILE), None, may_tell_it=True),
            FindingView(Finding("cpu-hog-2", long_title, 97.0), None),
        ],
    )
    window.show()
    qtbot.waitExposed(window)
    hostile, titled = _cards(window)
    advice = _label(hostile, "healthFindingAdvice")
    assert advice.textFormat() is Qt.TextFormat.PlainText
    assert _text(advice).startswith("Busiest program: 97 % CPU (<b>x</b><img src=x>")
    assert "W" * 1000 in _text(advice), "the detail is shown, not dropped"
    unshown = [ch for ch in advice.text() if ord(ch) < 0x20 or ch == "\u202e"]
    assert unshown == [], "no control or reordering characters reach the screen"
    assert _text(_label(titled, "healthFindingTitle")) == "T" * 300
    window.adjustSize()
    screen = QGuiApplication.primaryScreen().availableGeometry()
    assert window.width() <= screen.width()
    for card in (hostile, titled):
        assert card.width() <= window.width(), "no card is wider than the window"
        for button in _buttons(card).values():
            right = button.mapTo(window, QPoint(button.width(), 0)).x()
            assert right <= window.width(), f"{button.objectName()} is inside the window"


def test_the_window_speaks_dutch(qtbot: QtBot, dutch: None) -> None:
    window = HealthWindow("nl")
    qtbot.addWidget(window)
    found = Pass({"disk.free_percent": 5.0, "cpu.top_percent": 12.0})
    _show(
        window,
        [FindingView(DISK_FINDING, None, "Leeg de prullenbak", may_tell_it=True),
         FindingView(CPU_FINDING, _track(report_key="k", ticket="IT-12"))],
        checked([DISK, CPU, _rule("battery-worn")], found),
    )  # fmt: skip
    # Expected Dutch as in resources/i18n/helpdesk_tray_nl.ts (contexts HealthWindow).
    assert window.windowTitle() == "Gezondheid van deze computer"
    assert window.check_button.text() == "Nu controleren"
    assert window.record_button.text() == "Wat er is verstuurd…"
    assert window.summary.text() == "1 punt vraagt aandacht", "IT knows of the other"
    assert window.when.text().startswith("Laatst gecontroleerd ")
    disk, cpu = _cards(window)
    assert _label(disk, "healthFindingTitle").text() == "Uw schijf is bijna vol"
    assert _text(_label(disk, "healthFindingAdvice")).startswith("Vrije schijfruimte: 5 % (/home) ")
    assert {b.text() for b in _buttons(disk).values()} == {
        "Oplossen: Leeg de prullenbak",
        "IT inlichten",
        "Morgen herinneren",
        "Niet meer herinneren",
    }
    assert _text(_label(cpu, "healthFindingStatus")) == "IT weet ervan: melding IT-12."
    header = window.checks.headerItem()
    assert [header.text(c) for c in range(3)] == ["Controle", "Laatst gemeten", "Toestand"]
    assert [state for _check, _value, state in _rows(window)] == [
        "Vraagt aandacht",
        "In orde",
        "Hier niet gemeten",
    ]
    _show(window, [FindingView(CPU_FINDING, None)], busy=True)
    assert window.when.text() == "Bezig met controleren…"
    assert _buttons(_cards(window)[0])["healthReport"].text() == "Melden…"
    _show(window)
    assert window.summary.text() == "Alles in orde"
