"""The conversation as messages: sides, faces, files that open, and hostile text kept as text."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QMenu

from client.core.models import (
    AttachmentInfo,
    EventKind,
    Stage,
    Ticket,
    TicketEvent,
    TicketRef,
    TicketSummary,
)
from client.ui.conversation import (
    LINE_CHARS,
    ConversationView,
    MessageDelegate,
    conversation,
    own_words,
)
from tests.fakes import T0

SUMMARY = TicketSummary(TicketRef("7", "IT-7"), "Printer", Stage.IN_PROGRESS, "open", T0, T0)
DIAGNOSTICS = AttachmentInfo("diagnostics.json", 4200, "application/json", "https://d/a/1")
SCREENSHOT = AttachmentInfo("screenshot.webp", 118_000, "image/webp", "https://d/a/2")


def _ticket(*events: TicketEvent, description: str = "It jams") -> Ticket:
    return Ticket(SUMMARY, description, events)


def _said(n: int, text: str, by_agent: bool = True, **fields: object) -> TicketEvent:
    author = "Joost Bakker" if by_agent else "anna"
    return TicketEvent(str(n), T0 + timedelta(minutes=n), EventKind.MESSAGE, text, author,
                       by_agent, **fields)  # type: ignore[arg-type]  # fmt: skip


@pytest.fixture
def view(qtbot: QtBot) -> ConversationView:
    widget = ConversationView(now=lambda: T0 + timedelta(hours=1))
    qtbot.addWidget(widget)
    widget.resize(600, 400)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_the_summary_for_the_agent_is_not_shown_as_the_employees_words() -> None:
    created = TicketEvent("1", T0, EventKind.CREATED, attachments=(DIAGNOSTICS, SCREENSHOT))
    text = "Disk /: 31 % free · memory 42 % used\n\nSince this morning every page is blank."
    assert (
        own_words(_ticket(created, description=text)) == "Since this morning every page is blank."
    )
    # Only a summary, no words: nothing of the employee's to show.
    assert own_words(_ticket(created, description="Disk /: 31 % free · memory 42 % used")) == ""
    # A ticket made elsewhere (the desk's web form) keeps its text whole.
    plain = TicketEvent("1", T0, EventKind.CREATED)
    assert own_words(_ticket(plain, description=text)) == text


def test_the_report_carries_its_files_and_stage_changes_are_notes() -> None:
    created = TicketEvent("1", T0, EventKind.CREATED, attachments=(DIAGNOSTICS, SCREENSHOT))
    moved = TicketEvent("2", T0 + timedelta(minutes=1), EventKind.STATUS_CHANGE, "",
                        "Joost Bakker", True, Stage.IN_PROGRESS)  # fmt: skip
    messages = conversation(_ticket(created, moved, _said(3, "On it")))
    assert [(m.who, m.mine, m.note) for m in messages] == [
        ("You", True, ""),
        ("Joost Bakker", False, "Now: In progress"),
        ("Joost Bakker", False, ""),
    ]
    assert messages[0].files == (DIAGNOSTICS, SCREENSHOT)
    assert not messages[1].text and not messages[1].files  # drawn as a quiet line


def test_the_desk_on_the_left_with_a_face_the_employee_on_the_right(
    view: ConversationView,
) -> None:
    view.show_messages(conversation(_ticket(_said(1, "Is it plugged in?"), _said(2, "Yes", False))))
    delegate = view.delegate
    width = view.viewport().width()
    rows = [view.model_.index(n) for n in range(3)]
    layouts = [
        delegate._layout(view.model_.messages[i.row()], width, view.font(), i.row())  # noqa: SLF001
        for i in rows
    ]
    report, desk, reply = layouts
    assert desk.face is not None and desk.bubble.left() > desk.face.right()
    assert report.face is None and reply.face is None
    assert reply.bubble.right() > width - 20 and desk.bubble.left() < width / 4


@pytest.mark.parametrize(
    "text",
    [
        '<img src="http://127.0.0.1:9/x.png"><b>bold</b>',
        "<script>alert('x')</script>",
        "مرحبا، تم حل المشكلة",
    ],
)
def test_hostile_text_is_shown_as_written(view: ConversationView, text: str) -> None:
    view.show_messages(conversation(_ticket(_said(1, text))))
    assert text in view.plain_text()
    assert view.model_.messages[1].text == text


def test_a_megabyte_message_is_cut_and_long_words_wrap(view: ConversationView) -> None:
    view.show_messages(conversation(_ticket(_said(1, "A" * 1_000_000))))
    shown = view.model_.messages[1].text
    assert len(shown) == LINE_CHARS and shown.endswith("…")
    layout = view.delegate._layout(view.model_.messages[1], 600, view.font(), 1)  # noqa: SLF001
    assert layout.bubble.right() <= 600, "one long word still fits the window"
    assert layout.body is not None and layout.body.lineCount() > 5


def test_five_hundred_messages_paint_only_what_is_on_screen(
    qtbot: QtBot, view: ConversationView, monkeypatch: pytest.MonkeyPatch
) -> None:
    painted: list[int] = []
    original = MessageDelegate.paint

    def counting(self: MessageDelegate, painter: object, option: object, index: object) -> None:
        painted.append(index.row())  # type: ignore[attr-defined]
        original(self, painter, option, index)  # type: ignore[arg-type]

    monkeypatch.setattr(MessageDelegate, "paint", counting)
    events = [_said(n, f"Message {n}", by_agent=n % 2 == 0) for n in range(1, 501)]
    view.show_messages(conversation(_ticket(*events)))
    qtbot.waitUntil(lambda: 500 in painted)  # the latest is in view
    assert len(set(painted)) < 30, "what is off screen is not drawn"
    assert view.model_.rowCount() == 501


def test_a_file_opens_by_click_and_by_enter(qtbot: QtBot, view: ConversationView) -> None:
    one = _said(1, "The log", attachments=(SCREENSHOT,))
    two = _said(2, "Both", attachments=(DIAGNOSTICS, SCREENSHOT))
    view.show_messages(conversation(_ticket(one, two)))
    index = view.model_.index(1)
    view.scrollTo(index)
    layout = view.delegate._layout(view.model_.messages[1], view.visualRect(index).width(),  # noqa: SLF001
                                   view.font(), 1)  # fmt: skip
    rect, info, _ = layout.files[0]
    where = view.visualRect(index).topLeft() + rect.center().toPoint()
    with qtbot.waitSignal(view.file_requested) as asked:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert asked.args == [SCREENSHOT] and info == SCREENSHOT
    with qtbot.assertNotEmitted(view.file_requested):  # the text beside is no link
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    view.setFocus()
    view.setCurrentIndex(index)
    with qtbot.waitSignal(view.file_requested) as asked:
        qtbot.keyClick(view, Qt.Key.Key_Return)
    assert asked.args == [SCREENSHOT]
    view.setCurrentIndex(view.model_.index(2))  # two files: Enter offers them
    qtbot.keyClick(view, Qt.Key.Key_Return)
    menu = view.findChild(QMenu, "conversationFiles")
    assert menu is not None and [a.text() for a in menu.actions()] == [
        "diagnostics.json · 4.2 kB",
        "screenshot.webp · 118.0 kB",
    ]
    with qtbot.waitSignal(view.file_requested) as asked:
        menu.actions()[0].trigger()
    assert asked.args == [DIAGNOSTICS]


def test_a_screen_reader_hears_the_conversation_and_each_message(view: ConversationView) -> None:
    view.show_messages(conversation(_ticket(_said(1, "Is it plugged in?"))))
    face = QAccessible.queryAccessibleInterface(view)
    assert face is not None and face.text(QAccessible.Text.Name) == "Conversation"
    said = view.model_.data(view.model_.index(1), Qt.ItemDataRole.AccessibleTextRole)
    assert said == "Joost Bakker, Today, 09:01: Is it plugged in?"


def test_while_loading_or_failing_it_says_so(view: ConversationView) -> None:
    view.show_status("Loading the conversation…")
    assert view.model_.rowCount() == 0 and view.plain_text() == "Loading the conversation…"
    view.show_messages(conversation(_ticket()))
    assert view.status == "" and view.model_.rowCount() == 1
