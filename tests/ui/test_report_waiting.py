"""The report dialog while its items are still being prepared: files, Send, Cancel, drops."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QWidget

from client.core.models import Report
from client.services.reporting import ReportService
from client.services.tasks import SyncTaskRunner
from client.ui.report_dialog import ReportDialog
from client.ui.report_items import DIAGNOSTICS, Part, ReportItems
from client.ui.screenshot import Grab
from client.ui.texts import data_size
from tests.fakes import (
    FakeConnector,
    FakeDesk,
    ManualRunner,
    make_account,
    make_evidence,
    make_outbox,
)

LIMIT = 200_000  # the diagnostics take some 10 KB of it


class Held:
    """A report dialog whose diagnostics and files wait until the test lets them through."""

    def __init__(self, qtbot: QtBot, desk: FakeDesk, *, wait_ms: int = 60_000) -> None:
        sync = SyncTaskRunner()
        account = make_account(sync, FakeConnector(desk))
        account.restore()
        self.desk = desk
        self.evidence_jobs = ManualRunner()
        evidence = make_evidence(self.evidence_jobs)
        self.items = ReportItems(evidence, max_bytes=LIMIT)
        self.dialog = ReportDialog(
            ReportService(make_outbox(sync, account)), max_attachment_bytes=LIMIT,
            items=self.items, items_wait_ms=wait_ms,
        )  # fmt: skip
        self.items.setParent(self.dialog)
        evidence.setParent(self.dialog)  # its timers go with the dialog
        qtbot.addWidget(self.dialog)
        self.items.start(Grab(reason="no screen in this test"))
        self.dialog.show()
        self.qtbot = qtbot

    def finish_diagnostics(self) -> None:
        """Let the snapshot through: sample, then the desk check and the rest."""
        while not self.items.ready:
            if self.evidence_jobs.jobs:
                self.evidence_jobs.finish_next()
            else:  # the CPU window's timer submits the last part
                self.qtbot.waitUntil(lambda: bool(self.evidence_jobs.jobs) or self.items.ready)

    def finish_reads(self) -> None:
        """Let every file read that is held through (and the ones they start)."""
        while self.evidence_jobs.jobs:
            self.evidence_jobs.finish_next()

    def sent(self) -> list[Report]:
        return [r for name, r in self.desk.calls if name == "create_ticket"]

    def press_send(self, subject: str = "Outlook hangs") -> None:
        self.qtbot.keyClicks(self.dialog.view.subject, subject)
        self.qtbot.mouseClick(self.dialog.view.send, Qt.MouseButton.LeftButton)


@pytest.fixture
def held(qtbot: QtBot, fake_desk: FakeDesk) -> Held:
    return Held(qtbot, fake_desk)


def _file(folder: Path, name: str, size: int) -> str:
    path = folder / name
    path.write_bytes(b"x" * size)
    return str(path)


def _read_jobs(held: Held) -> int:
    return sum(1 for job in held.evidence_jobs.jobs if "read" in job[0].__qualname__)


def test_files_added_while_others_are_read_are_all_added(held: Held, tmp_path: Path) -> None:
    held.items.add_files([_file(tmp_path, "first.log", 300)])
    held.items.add_files([_file(tmp_path, "second.log", 300)])
    assert _read_jobs(held) == 1, "the second waits for the first, not instead of it"
    held.finish_reads()
    held.finish_diagnostics()
    names = [a.filename for a in held.items.attachments()]
    assert names[-2:] == ["first.log", "second.log"]


def test_files_added_meanwhile_keep_to_the_limit_together(held: Held, tmp_path: Path) -> None:
    held.items.add_files([_file(tmp_path, "first.log", 120_000)])
    held.items.add_files([_file(tmp_path, "second.log", 120_000)])
    problems: list[str] = []
    held.items.problem.connect(problems.append)
    held.finish_reads()
    assert [a.filename for a in held.items.attachments()][-1] == "first.log"
    assert "second.log" in problems[0]
    assert data_size(LIMIT) in problems[0], "the message says how large the files may be"


def test_the_preview_opens_only_once_everything_is_prepared(held: Held) -> None:
    preview = held.dialog.view.items.preview
    assert not preview.isEnabled()
    held.finish_diagnostics()
    assert preview.isEnabled()


def test_send_waits_for_the_diagnostics_then_sends_them(held: Held) -> None:
    held.press_send()
    assert held.dialog.view.send.text() == "Preparing…" and not held.sent()
    held.finish_diagnostics()
    held.qtbot.waitUntil(held.dialog.view.done.isVisible)
    (report,) = held.sent()
    assert [a.filename for a in report.attachments] == ["diagnostics.json"]


def test_send_does_not_wait_for_ever_for_diagnostics_that_hang(
    qtbot: QtBot, fake_desk: FakeDesk
) -> None:
    held = Held(qtbot, fake_desk, wait_ms=50)
    held.press_send()
    # The snapshot never comes: the report leaves without it, and says why.
    qtbot.waitUntil(held.dialog.view.done.isVisible)
    (report,) = held.sent()
    assert report.attachments == ()
    assert report.description.startswith("The diagnostics were not ready in time.")
    assert held.items.items()[0].part is Part.MISSING


def test_cancel_while_waiting_stops_and_keeps_the_text(held: Held) -> None:
    held.press_send()
    cancel = held.dialog.view.cancel
    assert cancel.isEnabled(), "nothing is saved yet: the user may still stop"
    held.qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    assert not held.dialog.isVisible() and held.dialog.has_draft
    held.finish_diagnostics()  # arriving later sends nothing behind the user's back
    assert held.sent() == []
    assert held.dialog.view.send.isEnabled() and held.dialog.view.send.text() == "Send"


def _drop(target: QWidget, paths: list[str]) -> tuple[bool, bool]:
    """Drag ``paths`` onto ``target`` and drop them, as a file manager does."""
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(p) for p in paths])
    data.setText("\n".join(paths))  # file managers offer the paths as text too
    middle = QPoint(target.width() // 2, target.height() // 2)
    actions = Qt.DropAction.CopyAction
    buttons, keys = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(middle, actions, data, buttons, keys)
    QApplication.sendEvent(target, enter)
    drop = QDropEvent(QPointF(middle), actions, data, buttons, keys)
    QApplication.sendEvent(target, drop)
    return enter.isAccepted(), drop.isAccepted()


def test_files_dropped_on_the_subject_are_added_not_typed(held: Held, tmp_path: Path) -> None:
    path = _file(tmp_path, "error.png", 100)
    assert _drop(held.dialog.view.subject, [path]) == (True, True)
    assert held.dialog.view.subject.text() == ""
    held.finish_reads()
    assert [a.filename for a in held.items.attachments()] == ["error.png"]


def test_files_dropped_on_the_description_are_added(held: Held, tmp_path: Path) -> None:
    path = _file(tmp_path, "trace.txt", 100)
    _drop(held.dialog.view.description.viewport(), [path])
    held.finish_reads()
    assert held.dialog.view.description.toPlainText() == ""
    assert [a.filename for a in held.items.attachments()] == ["trace.txt"]


def test_files_dropped_while_sending_are_refused(held: Held, tmp_path: Path) -> None:
    held.press_send()  # waiting for the diagnostics
    assert _drop(held.dialog, [_file(tmp_path, "late.txt", 100)]) == (False, False)
    assert _read_jobs(held) == 0
    held.finish_diagnostics()
    held.qtbot.waitUntil(held.dialog.view.done.isVisible)
    assert _drop(held.dialog, [_file(tmp_path, "after.txt", 100)]) == (False, False)
    (report,) = held.sent()
    assert [a.filename for a in report.attachments] == ["diagnostics.json"]


def test_removed_diagnostics_leave_no_summary(held: Held) -> None:
    held.finish_diagnostics()
    held.items.remove(DIAGNOSTICS)
    assert held.items.summary() == ""


def test_the_queue_shown_when_send_is_pressed_is_the_one_the_report_goes_to(held: Held) -> None:
    held.dialog.set_destination("finance", "Your report goes to Joost Bakker, Finance.")
    held.press_send()  # the diagnostics are still being prepared
    # Meanwhile the employee picks another department in the tray (or the desk names one).
    held.dialog.set_destination("hr", "Your report goes to Sanne de Vries, HR.")
    assert held.dialog.view.destination.text() == "Your report goes to Joost Bakker, Finance."
    held.finish_diagnostics()
    held.qtbot.waitUntil(held.dialog.view.done.isVisible)
    (report,) = held.sent()
    assert report.queue == "finance"
