"""Self-help in the running app: type, see a fix, agree, watch it run, answer, report.

The whole path with real parts: the demo's fixes published in a real TUF
repository on 127.0.0.1 and verified by the tray's profile code; the search
built from them; the real fix dialog; the real runner and helper process,
running the demo's scripts as the unprivileged account of
tests/support/fix_user.py; the record in a real SQLite file; and the report
dialog the "No" opens, carrying the run's record.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from client.adapters.fix_runner import FixRunner
from client.adapters.profile_source import read_fixes
from client.adapters.record_store import SqliteRecord
from client.app import TrayApp
from client.core.fixes import FixRun, Outcome
from client.core.models import Person
from client.core.record import SentReport
from client.services.fixes import FixContext
from demo.profile_site import DEMO_DIR
from tests.support.fix_user import FixUser
from tests.support.tuf_site import ARTICLE, PHOTO, Site, served_site
from tests.ui.test_app_profile import _build, _document, _png, close_windows  # noqa: F401

pytestmark = [
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the runner is Linux's"),
    pytest.mark.usefixtures("close_windows"),  # every window and app closed after each test
]


@pytest.fixture
def fix_site(tmp_path: Path) -> Iterator[Site]:
    """The test profile with the demo's fixes (their scripts pinned by the admin code)."""
    fixes, scripts, problems = read_fixes(DEMO_DIR)
    assert problems == ()
    with served_site(tmp_path) as served:
        document = _document()
        document["fixes"] = fixes
        served.publish(document, {PHOTO: _png(), ARTICLE: b"# VPN\n\nStart opnieuw.\n", **scripts})
        yield served


def self_fix_app(
    qapp: QApplication,
    site: Site,
    tmp_path: Path,
    user: FixUser,
    policy: dict[str, object] | None = None,
    *,
    elevated: bool = False,
) -> TrayApp:
    app: TrayApp = _build(
        qapp, site, tmp_path, {"profile.department": "FIN", **(policy or {})},
        person=Person("anna", "Anna Jansen"),
        record_path=tmp_path / "data" / "record.sqlite3",
        # As the app's own context, but for the rights: these machines run tests as root.
        fix_context=lambda: FixContext(app._settings.fixes_enabled, "linux", elevated, True),
        fix_runner=lambda: FixRunner(user.command),
    ).app  # fmt: skip
    assert app.profile is not None
    app.profile.start()
    return app


def type_in_panel(qtbot: QtBot, app: TrayApp, text: str) -> list[str]:
    app.windows.home.open(place=False)  # a click on the icon
    panel = app.windows.home.panel
    assert panel is not None
    qtbot.keyClicks(panel.box, text)
    return [s.id for s in panel.suggestions.shown] if panel.suggestions is not None else []


def slow_notes(user: FixUser) -> Path:
    cache = user.home / ".cache" / "example-notes"
    cache.mkdir(parents=True)
    (cache / "big.bin").write_bytes(os.urandom(11 * 1024 * 1024))
    for part in (cache / "big.bin", cache, cache.parent):
        os.chown(part, user.uid, -1)
    return cache


def test_a_fix_found_while_typing_runs_with_consent_and_no_opens_a_report_with_its_record(
    qtbot: QtBot, qapp: QApplication, fix_site: Site, tmp_path: Path, fix_user: FixUser
) -> None:
    if fix_user.uid == os.getuid():
        pytest.skip("the demo fix changes the account's home: needs the separate account")
    cache = slow_notes(fix_user)
    app = self_fix_app(qapp, fix_site, tmp_path, fix_user)

    shown = type_in_panel(qtbot, app, "notities zijn super traag")
    assert shown[0] == "notes-cache", shown
    panel = app.windows.home.panel
    assert panel is not None and panel.suggestions is not None
    assert panel.suggestions.isVisible()
    assert "Fix it yourself" in panel.suggestions.buttons[0].text()

    qtbot.mouseClick(panel.suggestions.buttons[0], Qt.MouseButton.LeftButton)
    dialog = app.self_fix.dialog
    assert dialog is not None and dialog.pages.currentWidget() is dialog.consent_page
    assert "cached copies" in dialog.changes.text()
    assert "cannot be put back" in dialog.undo.text()
    assert dialog.duration.text().startswith("Up to 1 minute")
    assert cache.joinpath("big.bin").exists(), "nothing runs before the employee agrees"

    with qtbot.waitSignal(app.fixes.finished, timeout=60_000) as finished:
        qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    run = finished.args[0]
    assert isinstance(run, FixRun) and run.outcome is Outcome.SOLVED
    assert not cache.joinpath("big.bin").exists(), "the fix really ran, as the employee"
    assert dialog.pages.currentWidget() is dialog.result_page
    assert dialog.headline.text() == "Solved: the problem is gone."
    assert "exit code 1" in dialog.details.toPlainText()  # the first check found it

    qtbot.mouseClick(dialog.no_button, Qt.MouseButton.LeftButton)  # "it is still slow"
    report = app.windows.report_dialog
    assert report is not None and report.isVisible()
    text = report.view.subject.text() + report.view.description.toPlainText()
    assert "Empty the Notes app's cache" in text and "did not solve" in text
    assert report._items is not None
    names = [a.filename for a in report._items.attachments()]
    assert "fix-notes-cache-record.json" in names
    attached = next(a for a in report._items.attachments() if a.filename.startswith("fix-"))
    assert json.loads(attached.data)["outcome"] == "solved"
    report.view.description.appendPlainText("Notes is still slow.")
    assert not report.view.suggestions.isVisible(), "the fix that did not help is not offered"

    entries = SqliteRecord(tmp_path / "data" / "record.sqlite3").entries()
    assert [(e.fix_id, e.outcome) for e in entries if isinstance(e, FixRun)] == [
        ("notes-cache", Outcome.SOLVED)
    ]


def test_the_record_window_shows_the_run_and_a_sent_report(
    qtbot: QtBot, qapp: QApplication, fix_site: Site, tmp_path: Path, fix_user: FixUser
) -> None:
    app = self_fix_app(qapp, fix_site, tmp_path, fix_user)
    type_in_panel(qtbot, app, "notities traag")
    app.self_fix.choose("fix", "notes-cache")
    dialog = app.self_fix.dialog
    assert dialog is not None
    with qtbot.waitSignal(app.fixes.finished, timeout=60_000):
        dialog.run_button.click()
    dialog.yes_button.click()
    app.account.restore()  # signed in from the keyring, as at start
    app.windows.report("Printer kapot")
    report = app.windows.report_dialog
    assert report is not None
    with qtbot.waitSignal(app.outbox.report_delivered, timeout=10_000):
        report._send()

    app.tray.record_action.trigger()
    window = app.self_fix.record_window
    assert window is not None
    qtbot.waitUntil(lambda: window.list.count() == 2)
    lines = [window.list.item(r).text() for r in range(window.list.count())]
    assert "Report sent: Printer kapot" in lines[0]
    assert "Fix: Empty the Notes app's cache" in lines[1]
    window.list.setCurrentRow(1)
    assert "SHA-256" in window.details.toPlainText()
    entries = SqliteRecord(tmp_path / "data" / "record.sqlite3").entries()
    sent = [e for e in entries if isinstance(e, SentReport)]
    assert sent and sent[0].items[0][0] == "description"


def test_the_kill_switch_stops_every_fix_and_says_so(
    qtbot: QtBot, qapp: QApplication, fix_site: Site, tmp_path: Path, fix_user: FixUser
) -> None:
    app = self_fix_app(qapp, fix_site, tmp_path, fix_user, {"fixes.enabled": False})
    type_in_panel(qtbot, app, "notities traag")
    app.self_fix.choose("fix", "notes-cache")
    dialog = app.self_fix.dialog
    assert dialog is not None and dialog.pages.currentWidget() is dialog.refused_page
    assert "switched off fixes" in dialog.refused_reason.text()
    assert not dialog.ask_it_button.isVisible()


def test_a_fix_that_needs_an_administrator_becomes_ask_it(
    qtbot: QtBot, qapp: QApplication, fix_site: Site, tmp_path: Path, fix_user: FixUser
) -> None:
    app = self_fix_app(qapp, fix_site, tmp_path, fix_user)
    shown = type_in_panel(qtbot, app, "printer drukt onleesbare pagina's")
    assert "printer-driver" in shown
    app.self_fix.choose("fix", "printer-driver")
    dialog = app.self_fix.dialog
    assert dialog is not None and dialog.pages.currentWidget() is dialog.refused_page
    assert dialog.ask_it_button.isVisibleTo(dialog)
    dialog.ask_it_button.click()
    report = app.windows.report_dialog
    assert report is not None
    assert "needs an administrator" in report.view.subject.text() + (
        report.view.description.toPlainText()
    )
    assert report._items is not None
    assert "fix-printer-driver-request.json" in [a.filename for a in report._items.attachments()]


def test_a_tray_running_as_an_administrator_runs_no_fix(
    qtbot: QtBot, qapp: QApplication, fix_site: Site, tmp_path: Path, fix_user: FixUser
) -> None:
    app = self_fix_app(qapp, fix_site, tmp_path, fix_user, elevated=True)
    type_in_panel(qtbot, app, "notities traag")
    app.self_fix.choose("fix", "notes-cache")
    dialog = app.self_fix.dialog
    assert dialog is not None and dialog.pages.currentWidget() is dialog.refused_page
    assert "administrator rights" in dialog.refused_reason.text()


def test_an_article_found_while_typing_opens_in_the_articles_window(
    qtbot: QtBot, qapp: QApplication, fix_site: Site, tmp_path: Path, fix_user: FixUser
) -> None:
    app = self_fix_app(qapp, fix_site, tmp_path, fix_user)
    shown = type_in_panel(qtbot, app, "vpn opnieuw")
    assert shown == ["vpn"]
    panel = app.windows.home.panel
    assert panel is not None and panel.suggestions is not None
    panel.suggestions.buttons[0].click()
    window = app.windows.articles_window
    assert window is not None and window.isVisible()
    qtbot.waitUntil(lambda: "Start opnieuw." in window.view.text.toPlainText())


def test_noise_in_the_box_suggests_nothing(
    qtbot: QtBot, qapp: QApplication, fix_site: Site, tmp_path: Path, fix_user: FixUser
) -> None:
    app = self_fix_app(qapp, fix_site, tmp_path, fix_user)
    assert type_in_panel(qtbot, app, "koffieautomaat doet het niet") == []
    panel = app.windows.home.panel
    assert panel is not None
    assert panel.suggestions is None or not panel.suggestions.isVisible()
