"""A report with its screenshot and diagnostics, from the dialog to the real desk and its agent.

The dialog, its items, the outbox (a real SQLite file) and the django-helpdesk
adapter are the app's own; the agent opens the ticket in django-helpdesk's
staff pages and downloads what arrived.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QImage, QPainter

from client.adapters.desks.django_helpdesk import DjangoHelpdeskConnector
from client.adapters.http import HttpConfig
from client.adapters.store import SqliteOutbox
from client.services.outbox import OutboxService
from client.services.reporting import ReportService
from client.services.tasks import SyncTaskRunner
from client.ui.report_dialog import ReportDialog
from client.ui.report_items import SCREENSHOT, ReportItems
from client.ui.screenshot import Grab
from demo.agent_console import AgentConsole
from tests.fakes import make_evidence
from tests.support.desk_fixture import AGENT_PASSWORD, DeskAccess

pytestmark = pytest.mark.desk


def _screen() -> QImage:
    image = QImage(1920, 1080, QImage.Format.Format_RGB32)
    image.fill(QColor("#204a87"))
    painter = QPainter(image)
    painter.fillRect(QRect(200, 150, 900, 600), QColor("#eeeeec"))
    painter.setPen(QColor("black"))
    for line in range(20):
        painter.drawText(220, 180 + 26 * line, f"Budget 2027 row {line}: #VALUE!")
    painter.end()
    return image


class Dialog:
    def __init__(self, qtbot: QtBot, desk: DeskAccess, tmp_path: Path) -> None:
        runner = SyncTaskRunner()
        port = DjangoHelpdeskConnector(HttpConfig()).open(desk.url, desk.anna_token)
        self.store = SqliteOutbox(tmp_path / "outbox.sqlite3")
        outbox = OutboxService(runner, runner, self.store, lambda: port)
        self.items = ReportItems(make_evidence(runner, desk.url), max_bytes=20 << 20)
        self.dialog = ReportDialog(
            ReportService(outbox), max_attachment_bytes=20 << 20, items=self.items
        )
        self.items.setParent(self.dialog)
        qtbot.addWidget(self.dialog)
        self.items.start(Grab(screen=_screen()))
        self.dialog.show()
        qtbot.waitUntil(lambda: self.items.ready)
        self.qtbot = qtbot

    def send(self, subject: str) -> str:
        """Send; the ticket's id at the desk."""
        self.qtbot.keyClicks(self.dialog.view.subject, subject)
        with self.qtbot.waitSignal(self.dialog.report_sent) as sent:
            self.qtbot.mouseClick(self.dialog.view.send, Qt.MouseButton.LeftButton)
        return str(sent.args[0].id)


def _arrived(desk: DeskAccess, ticket_id: str) -> dict[str, bytes]:
    with AgentConsole(desk.url, "joost", AGENT_PASSWORD) as agent:
        page = agent.ticket_page(int(ticket_id))
        return {
            unquote(link.rsplit("/", 1)[-1]): agent.download(link) for link in page.attachment_links
        }


def test_the_screenshot_and_the_diagnostics_reach_the_agent_byte_for_byte(
    qtbot: QtBot, demo_desk: DeskAccess, tmp_path: Path
) -> None:
    dialog = Dialog(qtbot, demo_desk, tmp_path)
    sent = {a.filename: a.data for a in dialog.items.attachments()}
    ticket = dialog.send("Excel shows #VALUE! everywhere")
    arrived = _arrived(demo_desk, ticket)
    assert arrived == sent
    assert b'"reachable": true' in arrived["diagnostics.json"], "the desk answered the check"


def test_an_item_the_user_removed_never_arrives(
    qtbot: QtBot, demo_desk: DeskAccess, tmp_path: Path
) -> None:
    dialog = Dialog(qtbot, demo_desk, tmp_path)
    (row,) = [r for r in dialog.dialog.view.items.rows if r.item.key == SCREENSHOT]
    qtbot.mouseClick(row.remove, Qt.MouseButton.LeftButton)
    ticket = dialog.send("Private spreadsheet on screen")
    assert set(_arrived(demo_desk, ticket)) == {"diagnostics.json"}


def test_a_file_the_desk_refuses_is_named_and_the_ticket_is_still_made(
    qtbot: QtBot, demo_desk: DeskAccess, tmp_path: Path
) -> None:
    tool = tmp_path / "fixer.exe"
    tool.write_bytes(b"MZ" + bytes(64))
    dialog = Dialog(qtbot, demo_desk, tmp_path)
    dialog.items.add_files([str(tool)])
    qtbot.waitUntil(lambda: dialog.items.ready)
    ticket = dialog.send("The fixer IT sent me does not start")
    assert set(_arrived(demo_desk, ticket)) == {"diagnostics.json", "screenshot.webp"}
    done = dialog.dialog.view.done_text.text()
    assert "fixer.exe" in done and "does not accept this type of file" in done
