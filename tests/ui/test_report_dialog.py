"""The report dialog against an in-memory desk."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt

from client.core.errors import Forbidden, Rejected, Unavailable
from client.core.reports import MAX_SUBJECT_LENGTH
from client.services.reporting import ReportService
from client.services.tasks import SyncTaskRunner
from client.ui import texts
from client.ui.report_dialog import ReportDialog
from tests.fakes import (
    FailingOutbox,
    FakeConnector,
    FakeDesk,
    MemoryOutbox,
    make_account,
    make_outbox,
)


def _dialog(
    qtbot: QtBot, runner: SyncTaskRunner, desk: FakeDesk, store: MemoryOutbox | None = None
) -> ReportDialog:
    account = make_account(runner, FakeConnector(desk))
    account.restore()
    outbox = make_outbox(runner, account, store)
    dialog = ReportDialog(ReportService(outbox), max_attachment_bytes=1000)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitActive(dialog)
    return dialog


def test_an_empty_subject_says_what_is_missing(
    qtbot: QtBot, sync_runner: SyncTaskRunner, fake_desk: FakeDesk
) -> None:
    dialog = _dialog(qtbot, sync_runner, fake_desk)
    qtbot.keyClicks(dialog.view.description, "It makes a grinding noise")
    qtbot.mouseClick(dialog.view.send, Qt.MouseButton.LeftButton)
    assert dialog.view.message.isVisible()
    assert dialog.view.message.text()
    assert dialog.focusWidget() is dialog.view.subject
    assert fake_desk.calls == []
    assert dialog.view.description.toPlainText() == "It makes a grinding noise"
    qtbot.keyClicks(dialog.view.subject, "P")
    assert not dialog.view.message.isVisible()  # typing clears the complaint


def test_sending_shows_the_ticket_number(
    qtbot: QtBot, sync_runner: SyncTaskRunner, fake_desk: FakeDesk
) -> None:
    dialog = _dialog(qtbot, sync_runner, fake_desk)
    qtbot.keyClicks(dialog.view.subject, "Printer jams")
    qtbot.keyClicks(dialog.view.description, "Floor 2, every morning")
    with qtbot.waitSignal(dialog.report_sent) as signal:
        qtbot.mouseClick(dialog.view.send, Qt.MouseButton.LeftButton)
    ref = signal.args[0]
    assert str(ref) in dialog.view.done_title.text()
    assert dialog.view.done.isVisible() and not dialog.view.form.isVisible()
    ((name, report),) = [c for c in fake_desk.calls if c[0] == "create_ticket"]
    assert (report.subject, report.description) == ("Printer jams", "Floor 2, every morning")


def test_ctrl_return_sends(qtbot: QtBot, sync_runner: SyncTaskRunner, fake_desk: FakeDesk) -> None:
    dialog = _dialog(qtbot, sync_runner, fake_desk)
    qtbot.keyClicks(dialog.view.subject, "Mouse is dead")
    with qtbot.waitSignal(dialog.report_sent):
        # Through the window, as the platform delivers keys: that is where shortcuts live.
        qtbot.keyClick(
            dialog.windowHandle(), Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier
        )


def test_an_unreachable_desk_still_saves_the_report(
    qtbot: QtBot, sync_runner: SyncTaskRunner, fake_desk: FakeDesk
) -> None:
    store = MemoryOutbox()
    dialog = _dialog(qtbot, sync_runner, fake_desk, store)
    fake_desk.fail_with = Unavailable("down", reason="unreachable")
    qtbot.keyClicks(dialog.view.subject, "No network")
    qtbot.keyClicks(dialog.view.description, "The cable is plugged in")
    qtbot.mouseClick(dialog.view.send, Qt.MouseButton.LeftButton)
    assert dialog.view.done.isVisible()
    text = dialog.view.done_text.text()
    assert texts.unavailable_message("unreachable", retrying=False) in text
    assert "keep trying" not in text  # the page says what happens instead
    (item,) = store.items()
    assert (item.subject, item.description) == ("No network", "The cable is plugged in")


def test_a_report_the_desk_refuses_for_a_rule_waits_and_says_so(
    qtbot: QtBot, sync_runner: SyncTaskRunner, fake_desk: FakeDesk
) -> None:
    store = MemoryOutbox()
    dialog = _dialog(qtbot, sync_runner, fake_desk, store)
    refusal = Forbidden("Cross-site request forgery protection refused this request", "csrf")
    fake_desk.fail_with = refusal
    qtbot.keyClicks(dialog.view.subject, "Outlook asks for my password")
    qtbot.mouseClick(dialog.view.send, Qt.MouseButton.LeftButton)
    text = dialog.view.done_text.text()
    assert texts.error_message(refusal) in text
    assert "can be reached" not in text  # the desk was reached: it refused
    (item,) = store.items()
    assert item.state.waiting


def test_a_report_that_cannot_be_saved_keeps_the_text_and_explains(
    qtbot: QtBot, sync_runner: SyncTaskRunner, fake_desk: FakeDesk
) -> None:
    dialog = _dialog(qtbot, sync_runner, fake_desk, FailingOutbox())
    qtbot.keyClicks(dialog.view.subject, "Disk is full")
    qtbot.keyClicks(dialog.view.description, "Cannot save anything")
    qtbot.mouseClick(dialog.view.send, Qt.MouseButton.LeftButton)
    assert dialog.view.form.isVisible() and not dialog.view.done.isVisible()
    assert dialog.view.message.isVisible() and dialog.view.message.text()
    assert dialog.view.subject.text() == "Disk is full"
    assert dialog.view.description.toPlainText() == "Cannot save anything"
    assert dialog.view.send.isEnabled()
    assert fake_desk.calls == []


def test_a_refused_report_says_where_it_is_kept(
    qtbot: QtBot, sync_runner: SyncTaskRunner, fake_desk: FakeDesk
) -> None:
    dialog = _dialog(qtbot, sync_runner, fake_desk)
    fake_desk.fail_with = Rejected("too big", reason="too_large")
    qtbot.keyClicks(dialog.view.subject, "Big log")
    qtbot.mouseClick(dialog.view.send, Qt.MouseButton.LeftButton)
    assert dialog.view.done.isVisible()
    assert texts.error_message(Rejected(reason="too_large")) in dialog.view.done_text.text()


def test_show_my_tickets_after_sending(
    qtbot: QtBot, sync_runner: SyncTaskRunner, fake_desk: FakeDesk
) -> None:
    dialog = _dialog(qtbot, sync_runner, fake_desk)
    qtbot.keyClicks(dialog.view.subject, "Screen flickers")
    qtbot.mouseClick(dialog.view.send, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(dialog.tickets_requested):
        qtbot.mouseClick(dialog.view.show_tickets, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()


def test_enter_in_the_subject_moves_on_instead_of_sending(
    qtbot: QtBot, sync_runner: SyncTaskRunner, fake_desk: FakeDesk
) -> None:
    dialog = _dialog(qtbot, sync_runner, fake_desk)
    qtbot.keyClicks(dialog.view.subject, "Half a thought")
    qtbot.keyClick(dialog.view.subject, Qt.Key.Key_Return)
    assert fake_desk.calls == []
    assert dialog.focusWidget() is dialog.view.description


def test_start_over_is_offered_only_for_an_old_draft(
    qtbot: QtBot, sync_runner: SyncTaskRunner, fake_desk: FakeDesk
) -> None:
    dialog = _dialog(qtbot, sync_runner, fake_desk)
    assert not dialog.view.start_over.isVisible()


def test_what_was_typed_in_the_panel_is_where_the_report_starts(
    qtbot: QtBot, sync_runner: SyncTaskRunner, fake_desk: FakeDesk
) -> None:
    dialog = _dialog(qtbot, sync_runner, fake_desk)
    dialog.start_with("  Teams has no sound\nSince this morning, in every call.  ")
    assert dialog.view.subject.text() == "Teams has no sound"
    assert dialog.view.description.toPlainText() == "Since this morning, in every call."
    assert dialog.focusWidget() is dialog.view.description, "say more, or send"
    # Typed in the panel again with a draft open: added, the draft kept.
    dialog.start_with("Also no microphone")
    assert dialog.view.subject.text() == "Teams has no sound"
    assert dialog.view.description.toPlainText().splitlines() == [
        "Since this morning, in every call.",
        "Also no microphone",
    ]
    dialog.start_with("Also no microphone")  # the same text twice is there once
    assert dialog.view.description.toPlainText().count("Also no microphone") == 1


def test_a_long_first_line_from_the_panel_is_cut_for_the_subject_and_kept_whole(
    qtbot: QtBot, sync_runner: SyncTaskRunner, fake_desk: FakeDesk
) -> None:
    dialog = _dialog(qtbot, sync_runner, fake_desk)
    text = "word " * 100
    dialog.start_with(text)
    subject = dialog.view.subject.text()
    assert subject.endswith("…") and len(subject) <= MAX_SUBJECT_LENGTH
    assert dialog.view.description.toPlainText() == text.strip()
