"""The report dialog against an in-memory desk."""

from __future__ import annotations

from PySide6.QtCore import Qt

from client.core.errors import Unavailable
from client.services.reporting import ReportService
from client.services.tasks import SyncTaskRunner
from client.ui.report_dialog import ReportDialog
from tests.fakes import FakeConnector, FakeDesk, make_account


def _dialog(qtbot, runner: SyncTaskRunner, desk: FakeDesk) -> ReportDialog:  # type: ignore[no-untyped-def]
    account = make_account(runner, FakeConnector(desk))
    account.restore()
    dialog = ReportDialog(ReportService(runner, account), max_attachment_bytes=1000)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitActive(dialog)
    return dialog


def test_an_empty_subject_says_what_is_missing(
    qtbot, sync_runner: SyncTaskRunner, fake_desk: FakeDesk
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
    qtbot, sync_runner: SyncTaskRunner, fake_desk: FakeDesk
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


def test_ctrl_return_sends(qtbot, sync_runner: SyncTaskRunner, fake_desk: FakeDesk) -> None:
    dialog = _dialog(qtbot, sync_runner, fake_desk)
    qtbot.keyClicks(dialog.view.subject, "Mouse is dead")
    with qtbot.waitSignal(dialog.report_sent):
        # Through the window, as the platform delivers keys: that is where shortcuts live.
        qtbot.keyClick(
            dialog.windowHandle(), Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier
        )


def test_a_failure_keeps_the_text_and_explains(
    qtbot, sync_runner: SyncTaskRunner, fake_desk: FakeDesk
) -> None:
    dialog = _dialog(qtbot, sync_runner, fake_desk)
    fake_desk.fail_with = Unavailable("down", reason="connection")
    qtbot.keyClicks(dialog.view.subject, "No network")
    qtbot.keyClicks(dialog.view.description, "The cable is plugged in")
    qtbot.mouseClick(dialog.view.send, Qt.MouseButton.LeftButton)
    assert dialog.view.form.isVisible() and not dialog.view.done.isVisible()
    assert dialog.view.message.isVisible() and dialog.view.message.text()
    assert dialog.view.subject.text() == "No network"
    assert dialog.view.description.toPlainText() == "The cable is plugged in"
    assert dialog.view.send.isEnabled()
    fake_desk.fail_with = None
    with qtbot.waitSignal(dialog.report_sent):
        qtbot.mouseClick(dialog.view.send, Qt.MouseButton.LeftButton)


def test_show_my_tickets_after_sending(
    qtbot, sync_runner: SyncTaskRunner, fake_desk: FakeDesk
) -> None:
    dialog = _dialog(qtbot, sync_runner, fake_desk)
    qtbot.keyClicks(dialog.view.subject, "Screen flickers")
    qtbot.mouseClick(dialog.view.send, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(dialog.tickets_requested):
        qtbot.mouseClick(dialog.view.show_tickets, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
