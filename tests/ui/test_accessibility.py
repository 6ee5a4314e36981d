"""Everyone can use it: every control has a name a screen reader reads, and Tab gets out.

Names are read the way a screen reader gets them, through Qt's accessibility
interface (``QAccessible.queryAccessibleInterface(widget).text(Name)``); that
works offscreen, and it includes the names Qt derives from a control's text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible, QColor, QImage
from PySide6.QtWidgets import QApplication, QWidget

from client.core.models import (
    Agent,
    Attachment,
    AttachmentInfo,
    EventKind,
    Stage,
    Ticket,
    TicketEvent,
    TicketRef,
    TicketSummary,
)
from client.core.outbox import OutboxItem, OutboxState
from client.core.profile import Article
from client.services.reporting import ReportService
from client.services.tasks import SyncTaskRunner
from client.ui.article_view import ArticleBrowser
from client.ui.panel import TrayPanel
from client.ui.payload_preview import PayloadPreview
from client.ui.report_dialog import ReportDialog
from client.ui.report_items import ReportItems
from client.ui.screenshot import Edits, Grab, ScreenshotEditor
from client.ui.sign_in_dialog import SignInDialog
from client.ui.tickets_window import TicketsWindow
from tests.fakes import T0, FakeConnector, FakeDesk, make_account, make_evidence, make_outbox

REF = TicketRef("7", "IT-7")
SUMMARY = TicketSummary(REF, "Printer jams", Stage.WAITING_ON_YOU, "hold", T0, T0, Agent("Joost"))


def unnamed(window: QWidget) -> list[str]:
    """The visible controls Tab can reach in ``window`` that a screen reader cannot name."""
    found = []
    for widget in [window, *window.findChildren(QWidget)]:
        if not widget.isVisible() or not widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
            continue
        face = QAccessible.queryAccessibleInterface(widget)
        if face is None or not face.text(QAccessible.Text.Name).strip():
            found.append(f"{type(widget).__name__} {widget.objectName()!r}")
    return found


def _screen() -> QImage:
    image = QImage(640, 400, QImage.Format.Format_RGB32)
    image.fill(QColor("#3060a0"))
    return image


def _tickets_window() -> TicketsWindow:
    window = TicketsWindow()
    window.show_tickets([SUMMARY], loaded=True)
    window.show_reports([OutboxItem(1, "k", "VPN drops", "", OutboxState.RETRY, 0.0)])
    return window


def _tracker() -> QWidget:
    window = _tickets_window()
    window.show()
    window.open_ticket(REF)
    file = AttachmentInfo("screenshot.webp", 1000, "image/webp", "https://d/f/1")
    said = TicketEvent("2", T0 + timedelta(minutes=1), EventKind.MESSAGE, "Which tray?",
                       "Joost", True, attachments=(file,))  # fmt: skip
    window.show_ticket_detail(Ticket(SUMMARY, "It jams", (said,)))
    return window


def _panel() -> QWidget:
    panel = TrayPanel()
    panel.show_tickets([SUMMARY], frozenset({REF}), loaded=True)
    return panel


def _report_dialog() -> QWidget:
    runner = SyncTaskRunner()
    account = make_account(runner, FakeConnector(FakeDesk()))
    account.restore()
    evidence = make_evidence(runner)
    items = ReportItems(evidence, max_bytes=10_000_000)
    outbox = make_outbox(runner, account)
    service = ReportService(outbox)
    dialog = ReportDialog(service, max_attachment_bytes=10_000_000, items=items)
    # Everything lives as long as the dialog, and goes with it (never with a collection).
    for part in (account, evidence, items, outbox, service):
        part.setParent(dialog)
    items.start(Grab(screen=_screen()))
    return dialog


def _preview() -> QWidget:
    shot = QImage(64, 48, QImage.Format.Format_RGB32)
    shot.fill(QColor("#808080"))
    from PySide6.QtCore import QBuffer, QByteArray

    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QBuffer.OpenModeFlag.WriteOnly)
    shot.save(buffer, "PNG")  # type: ignore[call-overload]  # the stub wants bytes; Qt a str
    files = [
        Attachment("diagnostics.json", "application/json", b'{"schema": 1}'),
        Attachment("screenshot.png", "image/png", bytes(data.data())),
    ]
    return PayloadPreview("Printer jams", "It jams.", files)


def _sign_in() -> QWidget:
    account = make_account(SyncTaskRunner(), FakeConnector(FakeDesk()))
    return SignInDialog(account, url="", url_locked=False, username="", offer_keep=True)


def _editor() -> QWidget:
    return ScreenshotEditor(Grab(screen=_screen()), Edits())


def _articles() -> QWidget:
    def body(_article: Article, then: Callable[[bytes | None], None]) -> None:
        then(b"Press **Connect**.")

    browser = ArticleBrowser(body)
    browser.set_articles([Article("vpn", "The VPN at home", "en", "articles/vpn.md")])
    return browser


def _fix_consent() -> QWidget:
    from client.ui.fix_dialog import FixDialog, FixParameter, FixView

    dialog = FixDialog(
        FixView("trash", "Empty the trash", "Deletes old files.", "Deletes files for good.",
                300, False, (FixParameter("days", "Older than (days)", (), 0, 365, "30"),
                             FixParameter("where", "Where", ("home", "work")))),
    )  # fmt: skip
    dialog.show_consent()
    return dialog


def _fix_running() -> QWidget:
    dialog = _fix_consent()
    assert hasattr(dialog, "show_step")
    dialog.show_step("fix")
    return dialog


def _fix_result() -> QWidget:
    from client.core.fixes import FixRun, Outcome, Step

    dialog = _fix_consent()
    assert hasattr(dialog, "show_result")
    dialog.show_result(
        FixRun("trash", 1, "linux", "a" * 64, "b" * 64, "you", 1.0, Outcome.STILL_THERE,
               (Step("detect", 1, "found"), Step("fix", 0), Step("detect_again", 1)))
    )  # fmt: skip
    return dialog


def _fix_refused() -> QWidget:
    dialog = _fix_consent()
    assert hasattr(dialog, "show_refused")
    dialog.show_refused("needs_admin")
    return dialog


def _record() -> QWidget:
    from client.core.fixes import FixRun, Outcome
    from client.core.record import SentReport
    from client.ui.record_window import RecordWindow

    window = RecordWindow()
    window.show_entries(
        [SentReport(2.0, "#7", "Printer", (("description", 10),)),
         FixRun("trash", 1, "linux", "a" * 64, "b" * 64, "you", 1.0, Outcome.SOLVED)],
        {"trash": "Empty the trash"},
    )  # fmt: skip
    return window


def _panel_with_matches() -> QWidget:
    from client.services.self_help import Suggestion

    panel = _panel()
    assert hasattr(panel, "show_suggestions") and hasattr(panel, "box")
    panel.box.setText("trash")
    panel.show_suggestions("trash", [Suggestion("fix", "trash", "Empty the trash", "Disk full"),
                                     Suggestion("article", "vpn", "VPN werkt niet")])  # fmt: skip
    return panel


def _health() -> QWidget:
    from dataclasses import replace

    from client.core.health import BUILTIN_RULES, Finding, Pass, checked
    from client.core.nudges import Track
    from client.ui.health_window import FindingView, HealthWindow

    disk, cpu = (replace(rule, fix="trash" if rule.id == "disk-low" else "")
                 for rule in BUILTIN_RULES if rule.id in ("disk-low", "cpu-hog"))  # fmt: skip
    window = HealthWindow("en")
    told = Track("gone", 1.0, 2.0, report_key="k", ticket="IT-9", cleared_at=3.0)
    window.show_state(
        [FindingView(Finding("disk-low", disk, 5.0, "/home"), None, "Empty the trash", True),
         FindingView(Finding("cpu-hog", cpu, 97.0, "backup"), None)],
        checked([disk, cpu], Pass({"disk.free_percent": 5.0, "cpu.top_percent": 97.0})),
        checked_at=1.0, busy=False, sent={"gone": told},
    )  # fmt: skip
    return window


WINDOWS: dict[str, Callable[[], QWidget]] = {
    "the health window": _health,
    "a fix's consent": _fix_consent,
    "a fix running": _fix_running,
    "a fix's result": _fix_result,
    "a fix that needs IT": _fix_refused,
    "what IT ran here": _record,
    "the panel with matches": _panel_with_matches,
    "my tickets": _tickets_window,
    "the tracker": _tracker,
    "the panel": _panel,
    "the report dialog": _report_dialog,
    "what will be sent": _preview,
    "sign in": _sign_in,
    "the black-out editor": _editor,
    "help articles": _articles,
}


@pytest.fixture
def shown(qtbot: QtBot) -> Iterator[Callable[[str], QWidget]]:
    def show(name: str) -> QWidget:
        window = WINDOWS[name]()
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        return window

    yield show


@pytest.mark.parametrize("name", list(WINDOWS))
def test_every_control_has_a_name_a_screen_reader_reads(
    shown: Callable[[str], QWidget], name: str
) -> None:
    assert unnamed(shown(name)) == []


def test_tab_leaves_the_ticket_list_for_the_buttons_after_it(
    qtbot: QtBot, shown: Callable[[str], QWidget]
) -> None:
    window = shown("my tickets")
    assert isinstance(window, TicketsWindow)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.view.table.setFocus()
    reached = []
    for _ in range(12):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        reached.append(QApplication.focusWidget())
    assert window.view.table not in reached[:1], "Tab leaves the table"
    retry = window.view.outbox.retry
    assert retry.isVisible() and retry in reached, "the waiting reports' buttons are reached"


#: Controls whose name alone does not say what happens: a screen reader hears a description.
DESCRIBED = {
    "my tickets": ["refresh", "tickets", "edit", "cancel"],
    "the tracker": ["conversation", "action-fixed_itself", "action-urgent", "action-reply"],
    "the panel": ["whatsWrong"],
    "the report dialog": ["subject", "preview", "edit", "remove", "send"],
    "sign in": ["keepSignedIn"],
    "the black-out editor": ["canvas"],
    "help articles": ["articleList"],
    "a fix's consent": ["fixRun"],
    "a fix running": ["fixCancel"],
    "a fix's result": ["fixNo"],
    "a fix that needs IT": ["fixAskIt"],
    "what IT ran here": ["recordExport"],
    "the panel with matches": ["suggestion"],
    "the health window": ["healthTellIt"],
}


def _descriptions(window: QWidget, name: str) -> list[str]:
    return [
        QAccessible.queryAccessibleInterface(widget).text(QAccessible.Text.Description)
        for widget in window.findChildren(QWidget, name)
        if widget.isVisible()
    ]


@pytest.mark.parametrize("window_name", list(DESCRIBED))
def test_controls_whose_name_is_not_enough_are_described(
    shown: Callable[[str], QWidget], window_name: str
) -> None:
    window = shown(window_name)
    for name in DESCRIBED[window_name]:
        said = _descriptions(window, name)
        assert said and all(text.strip() for text in said), f"{window_name}: {name}"


def test_each_items_remove_button_says_which_item_it_removes(
    qtbot: QtBot, shown: Callable[[str], QWidget], tmp_path: Path
) -> None:
    dialog = shown("the report dialog")
    items = dialog.findChild(ReportItems)
    assert items is not None
    (tmp_path / "error.log").write_text("disk full\n")
    items.add_files([str(tmp_path / "error.log")])
    qtbot.waitUntil(lambda: len(_descriptions(dialog, "remove")) == 3)
    assert _descriptions(dialog, "remove") == [
        "Leaves “Diagnostics of this computer” out of the report.",
        "Leaves “Screenshot” out of the report.",
        "Leaves “error.log” out of the report.",
    ], "three buttons named Remove: which item each is for is heard"


def test_the_health_windows_cards_are_named_and_tab_reaches_every_button(
    qtbot: QtBot, shown: Callable[[str], QWidget]
) -> None:
    from PySide6.QtWidgets import QFrame, QPushButton

    window = shown("the health window")
    cards = [c for c in window.findChildren(QFrame, "healthFinding") if c.isVisible()]
    assert [QAccessible.queryAccessibleInterface(c).text(QAccessible.Text.Name) for c in cards] == [
        "Your disk is almost full",
        "A program keeps your processor busy",
    ]
    buttons = [b for b in window.findChildren(QPushButton) if b.isVisible()]
    assert len(buttons) == 9  # check now, 4 + 3 on the cards, what was sent
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    first = window.findChild(QPushButton, "healthCheckNow")
    assert first is not None
    first.setFocus()
    reached: list[QWidget | None] = [first]
    for _ in range(3 * len(buttons)):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        reached.append(QApplication.focusWidget())
    missed = [b.text() for b in buttons if b not in reached]
    assert missed == [], "Tab reaches every button"
