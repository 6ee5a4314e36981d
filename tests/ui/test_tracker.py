"""The tracker: stages, what comes next, when, who, the conversation, and the user's buttons."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QKeySequence
from PySide6.QtWidgets import QLabel

from client.core.models import (
    Agent,
    EventKind,
    Stage,
    Ticket,
    TicketEvent,
    TicketRef,
    TicketSummary,
)
from client.core.tracking import Action, Expectation
from client.ui.conversation import LINE_CHARS, MESSAGE_CHARS
from client.ui.stepper import StageLine
from client.ui.tickets_window import TicketsWindow
from client.ui.tracker import TicketTracker
from tests.fakes import T0

REF = TicketRef("42", "IT-42")


def _summary(stage: Stage = Stage.IN_PROGRESS, **fields: Any) -> TicketSummary:
    base = TicketSummary(
        ref=REF,
        title="Printer on floor 2 jams",
        stage=stage,
        native_status=stage.value,
        updated=T0,
        created=T0,
        agent=Agent("Sanne de Vries") if stage is not Stage.RECEIVED else None,
    )
    return replace(base, **fields)


@pytest.fixture
def tracker(qtbot: QtBot) -> TicketTracker:
    widget = TicketTracker(now=lambda: T0 + timedelta(hours=1))
    qtbot.addWidget(widget)
    widget.show()
    return widget


def _steps(tracker: TicketTracker) -> list[tuple[str, str]]:
    return [(f"step-{stage.value}", step.value) for stage, step in tracker.view.stepper.steps]


def _shown_buttons(tracker: TicketTracker) -> list[Action]:
    return [a for a, b in tracker.view.buttons.items() if b.isVisibleTo(tracker)]


def test_the_timeline_shows_passed_current_and_coming_stages(tracker: TicketTracker) -> None:
    tracker.show_ticket(_summary(Stage.WAITING_ON_YOU), Expectation())
    assert _steps(tracker) == [
        ("step-received", "done"),
        ("step-assigned", "done"),
        ("step-in_progress", "done"),
        ("step-waiting_on_you", "current"),
        ("step-resolved", "todo"),
        ("step-closed", "todo"),
    ]
    assert "needs something from you" in tracker.view.next.text()
    assert tracker.view.stepper.accessibleName() == "Waiting for you: step 4 of 6"


def test_what_happens_next_names_the_agent(tracker: TicketTracker) -> None:
    tracker.show_ticket(_summary(Stage.ASSIGNED), Expectation())
    assert tracker.view.next.text().startswith("Sanne de Vries has picked up your ticket")
    assert tracker.view.agent.text() == "Handled by Sanne de Vries"
    tracker.show_ticket(_summary(Stage.RECEIVED), Expectation())
    assert tracker.view.agent.text() == "Not assigned to anyone yet"


def test_expected_by_the_due_date_or_the_usual_time_or_plainly_not(tracker: TicketTracker) -> None:
    tracker.show_ticket(_summary(), Expectation(due=T0 + timedelta(days=1)))
    assert tracker.view.expected.text().startswith("Expected by ")
    tracker.show_ticket(_summary(), Expectation(usually=timedelta(hours=5)))
    assert tracker.view.expected.text().startswith("Usually dealt with within 5 hours")
    late = _summary(created=T0 - timedelta(days=2))  # the tracker's now: T0 + 1 hour
    tracker.show_ticket(late, Expectation(usually=timedelta(hours=5)))
    assert tracker.view.expected.text().startswith("Taking longer than usual")
    tracker.show_ticket(late, Expectation(due=T0))
    assert tracker.view.expected.text().startswith("Was expected by ")
    tracker.show_ticket(_summary(), Expectation())  # no basis: said, not left out
    assert tracker.view.expected.text().startswith("No expected time yet")
    assert tracker.view.expected.isVisibleTo(tracker)
    tracker.show_ticket(_summary(Stage.CLOSED), Expectation())  # done: nothing to expect
    assert not tracker.view.expected.isVisibleTo(tracker)


@pytest.mark.parametrize(
    ("stage", "buttons"),
    [
        (Stage.IN_PROGRESS, [Action.FIXED_ITSELF, Action.URGENT, Action.REPLY]),
        (Stage.RESOLVED, [Action.CONFIRM, Action.REOPEN, Action.REPLY]),
        (Stage.CLOSED, [Action.REOPEN]),
    ],
)
def test_the_buttons_fit_the_stage(
    tracker: TicketTracker, stage: Stage, buttons: list[Action]
) -> None:
    tracker.show_ticket(_summary(stage), Expectation())
    assert _shown_buttons(tracker) == buttons


def test_still_broken_needs_a_word_then_asks_with_it(qtbot: QtBot, tracker: TicketTracker) -> None:
    tracker.show_ticket(_summary(Stage.RESOLVED), Expectation())
    asked: list[tuple[object, ...]] = []
    tracker.action_requested.connect(lambda *args: asked.append(args))
    qtbot.mouseClick(tracker.view.buttons[Action.REOPEN], Qt.MouseButton.LeftButton)
    assert asked == [] and "Say what is still wrong" in tracker.view.message.text()
    qtbot.keyClicks(tracker.view.reply, "The paper still jams")
    qtbot.mouseClick(tracker.view.buttons[Action.REOPEN], Qt.MouseButton.LeftButton)
    assert asked == [(REF, Action.REOPEN, "The paper still jams", [])]
    assert not tracker.view.buttons[Action.CONFIRM].isEnabled(), "one action at a time"


def test_a_reply_goes_with_its_files_and_the_box_empties_once_sent(
    qtbot: QtBot,
    tracker: TicketTracker,
) -> None:
    tracker.show_ticket(_summary(), Expectation())
    asked: list[tuple[object, ...]] = []
    tracker.action_requested.connect(lambda *args: asked.append(args))
    tracker.add_files(["/home/anna/error.png"])
    assert tracker.view.files.text() == "With your reply: error.png"
    qtbot.keyClicks(tracker.view.reply, "Here is the error")
    qtbot.mouseClick(tracker.view.buttons[Action.REPLY], Qt.MouseButton.LeftButton)
    assert asked == [(REF, Action.REPLY, "Here is the error", ["/home/anna/error.png"])]
    tracker.action_failed("The service desk can't be reached right now.")
    assert tracker.view.reply.toPlainText() == "Here is the error", "nothing is lost"
    tracker.action_done()
    assert tracker.view.reply.toPlainText() == "" and not tracker.view.files.isVisibleTo(tracker)


def _conversation(tracker: TicketTracker, *texts: str, title: str = "Printer") -> str:
    summary = _summary(title=title)
    tracker.show_ticket(summary, Expectation())
    events = tuple(
        TicketEvent(str(n), T0 + timedelta(minutes=n), EventKind.MESSAGE, text,
                    "Sanne de Vries", by_agent=True)
        for n, text in enumerate(texts, start=1)
    )  # fmt: skip
    tracker.show_detail(Ticket(summary, "It jams", events))
    return tracker.view.conversation.plain_text()


HOSTILE = [
    '<img src="http://127.0.0.1:9/tracker.png">',
    "<b>bold</b> <a href='http://evil.example/'>click</a>",
    "<script>alert('x')</script>",
    "مرحبا، تم حل المشكلة",  # right-to-left
]


@pytest.mark.parametrize("text", HOSTILE)
def test_untrusted_text_shows_as_plain_text(tracker: TicketTracker, text: str) -> None:
    conversation = _conversation(tracker, text, title=text)
    assert text in conversation, "shown literally, not interpreted"
    assert text in tracker.view.title.text()
    for label in tracker.findChildren(QLabel):
        assert label.textFormat() is Qt.TextFormat.PlainText, label.objectName()


def test_a_megabyte_line_is_cut_to_what_a_window_can_show(tracker: TicketTracker) -> None:
    conversation = _conversation(tracker, "A" * 1_000_000, title="T" * 1_000_000)
    longest = max(len(line) for line in conversation.splitlines())
    assert longest == LINE_CHARS and conversation.count("…") >= 1
    assert len(conversation) < MESSAGE_CHARS + 1000
    assert len(tracker.view.title.text()) < 400


def test_the_conversation_is_in_order_with_who_wrote_it(tracker: TicketTracker) -> None:
    conversation = _conversation(tracker, "Is it plugged in?", "Try the other tray")
    assert conversation.index("It jams") < conversation.index("Is it plugged in?")
    assert conversation.index("Is it plugged in?") < conversation.index("Try the other tray")
    messages = tracker.view.conversation.model_.messages
    assert [(m.who, m.mine) for m in messages] == [
        ("You", True),  # the report, on the employee's side
        ("Sanne de Vries", False),  # the desk's, on the other, with her face
        ("Sanne de Vries", False),
    ]


def test_the_tickets_window_opens_a_ticket_and_follows_its_changes(qtbot: QtBot) -> None:
    window = TicketsWindow()
    qtbot.addWidget(window)
    window.show()
    opened: list[object] = []
    window.ticket_opened.connect(opened.append)
    window.show_tickets([_summary(Stage.ASSIGNED)], loaded=True)
    window.view.table.activated.emit(window.model.index(0, 1))
    assert window.tracking and opened == [REF]
    window.show_tickets([_summary(Stage.RESOLVED)], loaded=True)
    assert window.tracking, "a poll does not throw the user back to the list"
    assert _shown_buttons(window.tracker)[0] is Action.CONFIRM
    qtbot.mouseClick(window.tracker.view.back, Qt.MouseButton.LeftButton)
    assert (window.tracking, opened) == (False, [REF, None])
    window.view.table.activated.emit(window.model.index(0, 1))
    assert window.tracker.view.back.shortcut() == QKeySequence(QKeySequence.StandardKey.Back)
    window.tracker.view.back.animateClick()  # what the shortcut does
    qtbot.waitUntil(lambda: not window.tracking)


def test_showing_a_ticket_again_redraws_its_one_line_of_steps(tracker: TicketTracker) -> None:
    for stage in (Stage.RECEIVED, Stage.ASSIGNED, Stage.RESOLVED):
        tracker.show_ticket(_summary(stage), Expectation())
    assert len(tracker.findChildren(StageLine)) == 1
    assert [step.value for _, step in tracker.view.stepper.steps] == ["done"] * 3 + [
        "current",
        "todo",
    ]


def test_a_new_handler_is_announced_once_and_shown_with_initials_until_a_photo_comes(
    qtbot: QtBot, tracker: TicketTracker
) -> None:
    shown: list[Agent] = []
    tracker.handler_shown.connect(shown.append)
    sanne = Agent("Sanne de Vries", "sanne@example.org")
    tracker.show_ticket(_summary(Stage.ASSIGNED, agent=sanne), Expectation())
    tracker.show_ticket(_summary(Stage.IN_PROGRESS, agent=sanne), Expectation())  # a poll
    assert shown == [sanne] and tracker.handler == sanne
    initials = tracker.view.agent_photo.pixmap().toImage()
    face = QImage(72, 72, QImage.Format.Format_RGB32)
    face.fill(QColor(20, 160, 90))
    tracker.set_handler_photo(face)
    photo = tracker.view.agent_photo.pixmap().toImage()
    middle = photo.width() // 2
    assert photo != initials and photo.pixelColor(middle, middle).green() > 120
    joost = Agent("Joost Bakker")
    tracker.show_ticket(_summary(Stage.IN_PROGRESS, agent=joost), Expectation())
    assert shown == [sanne, joost]
    assert tracker.view.agent_photo.pixmap().toImage() != photo, "not Sanne's face on Joost"
    tracker.show_ticket(_summary(Stage.RECEIVED, agent=None), Expectation())
    assert not tracker.view.agent_photo.isVisibleTo(tracker) and shown == [sanne, joost]


def test_once_the_employee_has_answered_the_tracker_says_the_desk_has_it(
    tracker: TicketTracker,
) -> None:
    waiting = _summary(Stage.WAITING_ON_YOU)
    tracker.show_ticket(waiting, Expectation())
    assert tracker.view.next.text().startswith("The service desk needs something from you")
    asked = TicketEvent("1", T0, EventKind.MESSAGE, "Which printer?", "Sanne de Vries",
                        by_agent=True)  # fmt: skip
    answered = TicketEvent("2", T0 + timedelta(minutes=5), EventKind.MESSAGE, "Floor 2", "Anna")
    tracker.show_detail(Ticket(waiting, "It jams", (asked,)))
    assert tracker.view.next.text().startswith("The service desk needs something from you")
    tracker.show_detail(Ticket(waiting, "It jams", (asked, answered)))
    has_it = "The service desk has your answer. Sanne de Vries will take it from here."
    assert tracker.view.next.text() == has_it
    tracker.show_ticket(waiting, Expectation())  # the next poll, before the desk moves it
    assert tracker.view.next.text() == has_it
    tracker.show_ticket(replace(waiting, ref=TicketRef("43", "IT-43")), Expectation())
    assert tracker.view.next.text().startswith("The service desk needs something from you")


def test_urgent_shows_as_such(tracker: TicketTracker) -> None:
    tracker.show_ticket(_summary(urgent=True), Expectation())
    assert tracker.view.urgent.isVisibleTo(tracker) and tracker.view.urgent.text() == "Urgent"
    tracker.show_ticket(_summary(), Expectation())
    assert not tracker.view.urgent.isVisibleTo(tracker)
