"""What goes with a report: listed item by item, removable, previewable, blacked out for real."""

from __future__ import annotations

import io
import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from pytestqt.qtbot import QtBot

from PySide6.QtCore import QMimeData, QPoint, QPointF, QRect, Qt, QUrl
from PySide6.QtGui import QColor, QDropEvent, QImage, QPainter
from PySide6.QtWidgets import QApplication, QLabel, QPlainTextEdit, QScrollArea

from client.core.diagnostics import SCHEMA_ID
from client.core.models import Report
from client.services.reporting import ReportService
from client.services.tasks import SyncTaskRunner
from client.ui.payload_preview import PayloadPreview
from client.ui.report_dialog import ReportDialog
from client.ui.report_items import DIAGNOSTICS, SCREENSHOT, Part, ReportItems, _Row
from client.ui.screenshot import Grab, ScreenshotEditor, grab_screens
from tests.fakes import FakeConnector, FakeDesk, make_account, make_evidence, make_outbox

LIMIT = 5 * 1024 * 1024


def _screen() -> QImage:
    """A desktop with windows and text on it (not a flat colour: that encodes unlike a screen)."""
    image = QImage(1920, 1080, QImage.Format.Format_RGB32)
    image.fill(QColor("#3a6ea5"))
    painter = QPainter(image)
    for n in range(12):
        window = QRect(60 + n * 140, 40 + n * 70, 700, 420)
        painter.fillRect(window, QColor("#f0f0f0"))
        painter.setPen(QColor("#202020"))
        for line in range(14):
            painter.drawText(window.x() + 12, window.y() + 30 + line * 26, f"Line {line} of {n}")
    painter.end()
    return image


def _sides(rect: QRect) -> tuple[int, int, int, int]:
    return rect.x(), rect.y(), rect.width(), rect.height()


class Reporting:
    """A report dialog with its items, over the in-memory desk."""

    def __init__(self, qtbot: QtBot, desk: FakeDesk, grab: Grab) -> None:
        runner = SyncTaskRunner()
        account = make_account(runner, FakeConnector(desk))
        account.restore()
        self.desk = desk
        self.items = ReportItems(make_evidence(runner), max_bytes=LIMIT)
        self.dialog = ReportDialog(
            ReportService(make_outbox(runner, account)), max_attachment_bytes=LIMIT,
            items=self.items,
        )  # fmt: skip
        self.items.setParent(self.dialog)
        qtbot.addWidget(self.dialog)
        self.items.start(grab)
        self.dialog.show()
        qtbot.waitUntil(lambda: self.items.ready)
        self.qtbot = qtbot

    def row(self, key: str) -> _Row:
        (row,) = [r for r in self.dialog.view.items.rows if r.item.key == key]
        return row

    def send(self, subject: str = "Excel crashes") -> Report:
        self.qtbot.keyClicks(self.dialog.view.subject, subject)
        self.qtbot.mouseClick(self.dialog.view.send, Qt.MouseButton.LeftButton)
        self.qtbot.waitUntil(self.dialog.view.done.isVisible)
        (report,) = [r for name, r in self.desk.calls if name == "create_ticket"]
        assert isinstance(report, Report)
        return report


@pytest.fixture
def reporting(qtbot: QtBot, fake_desk: FakeDesk) -> Iterator[Reporting]:
    yield Reporting(qtbot, fake_desk, Grab(screen=_screen()))


def test_each_item_is_listed_with_its_size_and_sent(reporting: Reporting) -> None:
    details = [row.detail.text() for row in reporting.dialog.view.items.rows]
    assert details[0].startswith("diagnostics.json · ") and "summary" in details[0]
    assert details[1].startswith("screenshot.webp · ")
    report = reporting.send()
    assert [a.filename for a in report.attachments] == ["diagnostics.json", "screenshot.webp"]
    assert json.loads(report.attachments[0].data)["schema"] == SCHEMA_ID
    assert report.description.startswith("Disk ")


def test_a_removed_item_never_leaves_the_computer(reporting: Reporting) -> None:
    reporting.qtbot.mouseClick(reporting.row(SCREENSHOT).remove, Qt.MouseButton.LeftButton)
    reporting.qtbot.mouseClick(reporting.row(DIAGNOSTICS).remove, Qt.MouseButton.LeftButton)
    assert reporting.row(DIAGNOSTICS).remove.text() == "Add back"
    report = reporting.send()
    assert report.attachments == ()
    assert not report.description.startswith("Disk "), "no summary without the diagnostics"


def test_a_removed_item_can_be_put_back(reporting: Reporting) -> None:
    reporting.qtbot.mouseClick(reporting.row(SCREENSHOT).remove, Qt.MouseButton.LeftButton)
    reporting.qtbot.mouseClick(reporting.row(SCREENSHOT).remove, Qt.MouseButton.LeftButton)
    assert [a.filename for a in reporting.send().attachments][-1] == "screenshot.webp"


def test_the_users_files_are_added_and_the_unsendable_ones_explained(
    reporting: Reporting, tmp_path: Path
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("it started after the update", encoding="utf-8")
    huge = tmp_path / "memory.dmp"
    huge.write_bytes(bytes(LIMIT))
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(tmp_path / "agent.sock"))
        data = QMimeData()
        data.setUrls([QUrl.fromLocalFile(str(p)) for p in
                      (notes, tmp_path, huge, tmp_path / "agent.sock")])  # fmt: skip
        drop = QDropEvent(
            QPointF(10, 10), Qt.DropAction.CopyAction, data, Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
        )  # fmt: skip
        reporting.dialog.dropEvent(drop)
    reporting.qtbot.waitUntil(lambda: reporting.items.ready)
    message = reporting.dialog.view.message.text()
    assert reporting.dialog.view.message.isVisible()
    for name in (tmp_path.name, "memory.dmp", "agent.sock"):
        assert f"“{name}”" in message
    assert "folder" in message and "too large" in message and "not an ordinary file" in message
    assert reporting.row("file:0").title.text() == "notes.txt"
    assert [a.filename for a in reporting.send().attachments][-1] == "notes.txt"


def test_the_preview_shows_exactly_the_bytes_that_will_be_sent(reporting: Reporting) -> None:
    reporting.qtbot.keyClicks(reporting.dialog.view.subject, "Printer")
    reporting.qtbot.mouseClick(reporting.dialog.view.items.preview, Qt.MouseButton.LeftButton)
    (preview,) = reporting.dialog.findChildren(PayloadPreview)
    tabs = preview.tabs
    names = [tabs.tabText(i) for i in range(tabs.count())]
    assert names == ["Text of the ticket", "diagnostics.json", "screenshot.webp"]
    text, shown_json, scroll = (tabs.widget(i) for i in range(3))
    assert isinstance(text, QPlainTextEdit) and isinstance(shown_json, QPlainTextEdit)
    assert text.toPlainText().startswith("Printer\n\nDisk ")
    assert shown_json.toPlainText() == reporting.items.attachments()[0].data.decode()
    assert isinstance(scroll, QScrollArea)
    picture = scroll.widget()
    assert isinstance(picture, QLabel) and not picture.pixmap().isNull(), "the image decoded"


def test_black_boxes_drawn_by_mouse_are_in_the_pixels_sent(reporting: Reporting) -> None:
    reporting.qtbot.mouseClick(reporting.row(SCREENSHOT).edit, Qt.MouseButton.LeftButton)
    (editor,) = reporting.dialog.findChildren(ScreenshotEditor)
    canvas = editor.canvas
    reporting.qtbot.waitExposed(editor)
    picture = reporting.items.grab.screen
    assert picture is not None
    # Where the picture shows (scaled to fit, centred), worked out here, not by the canvas.
    scale = min(canvas.width() / picture.width(), canvas.height() / picture.height())
    left = (canvas.width() - picture.width() * scale) / 2
    top = (canvas.height() - picture.height() * scale) / 2
    wanted = QRect(100, 100, 600, 300)
    start = QPoint(round(left + wanted.left() * scale), round(top + wanted.top() * scale))
    end = QPoint(
        round(left + (wanted.left() + wanted.width()) * scale),
        round(top + (wanted.top() + wanted.height()) * scale),
    )
    reporting.qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=start)
    reporting.qtbot.mouseMove(canvas, pos=end)
    reporting.qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=end)
    reporting.qtbot.mouseClick(editor.done_button, Qt.MouseButton.LeftButton)
    reporting.qtbot.waitUntil(lambda: reporting.items.ready)
    (box,) = reporting.items.edits.boxes
    # Each canvas pixel covers a few picture pixels; rounding may cost one of them, and one more.
    slack = 1 / scale + 1
    for got, meant in zip(_sides(box), _sides(wanted), strict=True):
        assert abs(got - meant) <= slack, (box, wanted)
    (shot,) = [a for a in reporting.items.attachments() if a.filename == "screenshot.webp"]
    decoded = Image.open(io.BytesIO(shot.data)).convert("RGB")
    inner = decoded.crop((box.x() + 2, box.y() + 2, box.right() - 1, box.bottom() - 1))
    assert set(inner.get_flattened_data()) == {(0, 0, 0)}
    assert decoded.getpixel((10, 10)) != (0, 0, 0)


def test_without_a_screenshot_the_report_still_goes_and_says_why(
    qtbot: QtBot, fake_desk: FakeDesk
) -> None:
    reporting = Reporting(qtbot, fake_desk, grab_screens(allowed=False))
    row = reporting.row(SCREENSHOT)
    assert row.item.part is Part.MISSING
    assert row.detail.text() == "Your IT department has turned off screenshots."
    assert [a.filename for a in reporting.send().attachments] == ["diagnostics.json"]


def test_the_screen_under_the_mouse_is_grabbed_at_full_size(qapp: QApplication) -> None:
    grab = grab_screens(allowed=True)
    screen = QApplication.primaryScreen().geometry()
    assert grab.screen is not None and grab.reason == ""
    assert (grab.screen.width(), grab.screen.height()) == (screen.width(), screen.height())
    assert (screen.width(), screen.height()) == (1920, 1080), "the 1080p virtual screen"


def test_a_slip_of_the_mouse_draws_no_box(reporting: Reporting) -> None:
    reporting.qtbot.mouseClick(reporting.row(SCREENSHOT).edit, Qt.MouseButton.LeftButton)
    (editor,) = reporting.dialog.findChildren(ScreenshotEditor)
    point = QPoint(200, 200)
    reporting.qtbot.mousePress(editor.canvas, Qt.MouseButton.LeftButton, pos=point)
    reporting.qtbot.mouseRelease(editor.canvas, Qt.MouseButton.LeftButton, pos=point + QPoint(1, 1))
    assert editor.edits().boxes == ()


def test_a_black_box_without_a_mouse(reporting: Reporting) -> None:
    """Tab to the picture, arrows move the box, Ctrl+arrows size it, Enter blacks it out."""
    qtbot = reporting.qtbot
    row = reporting.row(SCREENSHOT)
    row.edit.setFocus()
    qtbot.keyClick(row.edit, Qt.Key.Key_Space)  # "Black out or crop…" from the keyboard
    (editor,) = reporting.dialog.findChildren(ScreenshotEditor)
    qtbot.waitExposed(editor)
    editor.activateWindow()
    qtbot.waitUntil(editor.isActiveWindow)
    canvas = editor.canvas
    canvas.setFocus(Qt.FocusReason.TabFocusReason)
    start = canvas.keyboard_box
    assert start is not None  # in the middle of the 1920 × 1080 picture
    assert start == QRect(640, 405, 640, 270)
    qtbot.keyClick(canvas, Qt.Key.Key_Left)  # a twentieth of the width
    qtbot.keyClick(canvas, Qt.Key.Key_Up, Qt.KeyboardModifier.ShiftModifier)  # a hundredth
    qtbot.keyClick(canvas, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)  # wider
    for _ in range(40):  # far past the edge: it stays on the picture
        qtbot.keyClick(canvas, Qt.Key.Key_Down)
    qtbot.keyClick(canvas, Qt.Key.Key_Return)
    assert editor.edits().boxes == (QRect(544, 810, 736, 270),)
    qtbot.keyClick(editor.done_button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: reporting.items.ready)
    assert reporting.items.edits.boxes == (QRect(544, 810, 736, 270),)
