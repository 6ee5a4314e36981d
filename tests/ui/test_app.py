"""The wired-up app against an in-memory desk: first start, offline, recovery, fallbacks."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QPixmap, QPixmapCache
from PySide6.QtWidgets import QApplication, QMessageBox, QSystemTrayIcon

from client.adapters.autostart import LoginEntry
from client.adapters.network_watch import NetworkManagerWatch
from client.app import TrayApp, connector_for
from client.core.errors import AuthFailed, SecretStoreError, Unavailable
from client.core.models import (
    Agent,
    Attachment,
    AttachmentInfo,
    EventKind,
    Report,
    Stage,
    TicketEvent,
)
from client.core.ports import NetworkWatch, credential_account
from client.core.redact import Redactor
from client.core.settings import SettingsLayer, merge
from client.core.tracking import Action
from client.core.tray_state import STARTING, ConnectionState, TrayIconKind, TrayStatus
from client.services.crash import CrashHandler
from client.services.tasks import SyncTaskRunner
from client.start import display_problem
from client.ui import texts
from client.ui.crash_dialog import CrashDialog
from client.ui.report_dialog import EditReportDialog, ReportDialog
from client.ui.sign_in_dialog import SignInDialog
from client.ui.tickets_window import TicketsWindow
from client.ui.tray import TrayIcon
from tests.fakes import T0, FakeConnector, FakeDesk, MemoryOutbox, MemorySecretStore, make_evidence
from tests.support.fake_network_manager import (
    CONNECTED_GLOBAL,
    DISCONNECTED,
    FakeNetworkManager,
)

URL = "https://desk.example.org"


class _Harness:
    def __init__(self, qapp: QApplication, desk: FakeDesk, folder: Path, **layers: object) -> None:
        self.desk = desk
        self.folder = folder
        self.connector = FakeConnector(desk)
        self.secrets = MemorySecretStore()
        self.saved: dict[str, object] = {}
        self.crash = CrashHandler()
        self.outbox = MemoryOutbox()
        self.released = 0  # times the app handed freed memory back
        self.prepared = 0  # times it set the allocator up before large work
        self.layers = layers
        self.qapp = qapp

    def build(
        self,
        values: Mapping[str, object] | None = None,
        *,
        locked_url: bool = False,
        open_network: Callable[[], NetworkWatch] | None = None,
        policy_values: Mapping[str, object] | None = None,
        login_entry: Callable[[], LoginEntry] | None = None,
        tray: TrayIcon | None = None,
    ) -> TrayApp:
        """The app with the user's settings file saying ``values`` (over a working desk)."""
        policy = {**({"desk.url": URL} if locked_url else {}), **(policy_values or {})}
        user = {"desk.url": URL, "desk.username": "anna", **(values or {})}
        result = merge(
            [SettingsLayer("IT policy", policy, locks=True), SettingsLayer("user", user)]
        )
        self.app = TrayApp(
            self.qapp,
            result,
            io=SyncTaskRunner(),
            serial=SyncTaskRunner(),
            outbox_store=self.outbox,
            connector_for=lambda kind: self.connector,
            secrets=self.secrets,
            save_settings=self._save,
            redactor=Redactor(),
            crash=self.crash,
            evidence=make_evidence(SyncTaskRunner()),
            tray_retries=0,
            open_network=open_network,
            release_memory=self._release,
            settle_ms=0,
            before_large_work=self._prepare,
            files_folder=self.folder / "ticket-files",
            login_entry=login_entry,
            tray=tray,
        )
        self.crash.flush_early()
        return self.app

    def _release(self) -> None:
        self.released += 1

    def _prepare(self) -> None:
        self.prepared += 1

    def _save(self, values: Mapping[str, object]) -> None:
        self.saved.update(values)

    def store_token(self) -> None:
        self.secrets.entries[credential_account(URL, "anna")] = self.connector.token


@pytest.fixture
def harness(qapp: QApplication, fake_desk: FakeDesk, tmp_path: Path) -> Iterator[_Harness]:
    harness = _Harness(qapp, fake_desk, tmp_path)
    yield harness
    for widget in QApplication.topLevelWidgets():
        widget.close()
        widget.deleteLater()
    # A window closed just now arms the app's settle timer: let it run here, on this
    # thread, not when a garbage collection on another thread destroys the app.
    qapp.processEvents()
    qapp.setQuitOnLastWindowClosed(False)


def _windows(kind: type) -> list:  # type: ignore[type-arg]
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]


def test_first_start_asks_to_sign_in_with_the_policy_address(
    qtbot: QtBot, harness: _Harness
) -> None:
    app = harness.build({"desk.username": ""}, locked_url=True)
    app.start()
    qtbot.waitUntil(lambda: bool(_windows(SignInDialog)))
    (dialog,) = _windows(SignInDialog)
    assert dialog.view.url.text() == URL and dialog.view.url.isReadOnly()
    assert app.tray.sign_in_action.isVisible()
    qtbot.keyClicks(dialog.view.username, "anna")
    qtbot.keyClicks(dialog.view.password, "wrong")
    qtbot.mouseClick(dialog.view.sign_in, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and dialog.view.message.isVisible()
    assert dialog.view.password.text() == ""
    qtbot.keyClicks(dialog.view.password, harness.connector.password)
    qtbot.mouseClick(dialog.view.sign_in, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert harness.secrets.entries == {credential_account(URL, "anna"): harness.connector.token}
    assert harness.saved == {"desk.url": URL, "desk.username": "anna"}
    assert app.presenter.status.signed_in and not app.tray.sign_in_action.isVisible()


def test_without_a_keyring_the_sign_in_says_it_lasts_until_a_restart(
    qtbot: QtBot, harness: _Harness
) -> None:
    harness.secrets.fail_with = SecretStoreError("no Secret Service")
    app = harness.build({"desk.username": ""}, locked_url=True)
    app.start()
    qtbot.waitUntil(lambda: bool(_windows(SignInDialog)))
    (dialog,) = _windows(SignInDialog)
    assert "only need to do this once" in dialog.view.intro.text()
    qtbot.keyClicks(dialog.view.username, "anna")
    qtbot.keyClicks(dialog.view.password, harness.connector.password)
    qtbot.mouseClick(dialog.view.sign_in, Qt.MouseButton.LeftButton)
    assert app.presenter.status.signed_in, "signed in all the same"
    assert dialog.isVisible(), "not closed on a promise it could not keep"
    assert "until the app or the computer restarts" in dialog.view.message.text()
    assert not dialog.view.sign_in.isVisible() and dialog.view.cancel.text() == "OK"
    qtbot.mouseClick(dialog.view.cancel, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible() and dialog.result() == dialog.DialogCode.Accepted


@pytest.mark.parametrize(
    ("policy", "kind", "queue"),
    [
        (
            {"desk.kind": "request-tracker", "desk.queue": "IT Helpdesk"},
            "request-tracker",
            "IT Helpdesk",
        ),
        ({"desk.kind": "request-tracker"}, "request-tracker", "General"),
        ({"desk.kind": "redmine", "desk.queue": "it-helpdesk"}, "redmine", "it-helpdesk"),
        ({"desk.kind": "zammad", "desk.queue": "Werkplekbeheer"}, "zammad", "Werkplekbeheer"),
        ({"desk.kind": "topdesk", "desk.queue": "Servicedesk"}, "topdesk", "Servicedesk"),
        ({}, "django-helpdesk", None),
    ],
)
def test_the_policy_chooses_the_desk(policy: dict[str, str], kind: str, queue: str | None) -> None:
    settings = merge([SettingsLayer("IT policy", policy, locks=True)])
    connector = connector_for(settings.settings.desk_kind, settings)
    assert connector.kind == kind
    assert getattr(connector, "queue", None) == queue


@pytest.mark.parametrize(
    ("kind", "offered"),
    [("request-tracker", True), ("django-helpdesk", False), ("redmine", False)],
)
def test_keep_me_signed_in_is_offered_where_sessions_end(
    qtbot: QtBot, harness: _Harness, kind: str, offered: bool
) -> None:
    app = harness.build({"desk.username": "", "desk.kind": kind})
    app.start()
    qtbot.waitUntil(lambda: bool(_windows(SignInDialog)))
    (dialog,) = _windows(SignInDialog)
    assert dialog.view.keep.isVisible() is offered and not dialog.view.keep.isChecked()
    qtbot.keyClicks(dialog.view.username, "anna")
    qtbot.keyClicks(dialog.view.password, harness.connector.password)
    dialog.view.keep.setChecked(True)  # even a box the user cannot see changes nothing
    qtbot.mouseClick(dialog.view.sign_in, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert harness.connector.kept_password is offered


@pytest.mark.parametrize(
    ("kind", "label", "says"),
    [
        ("django-helpdesk", "Password", "user name and password"),
        ("request-tracker", "Password", "user name and password"),
        ("redmine", "Password or API key", "API access key"),
        ("zammad", "Password or token", "Token Access"),
        ("topdesk", "Application password", "Your own password does not work for apps"),
    ],
)
def test_the_sign_in_asks_for_what_the_chosen_desk_takes(
    qtbot: QtBot, harness: _Harness, kind: str, label: str, says: str
) -> None:
    app = harness.build({"desk.username": "", "desk.kind": kind})
    app.start()
    qtbot.waitUntil(lambda: bool(_windows(SignInDialog)))
    (dialog,) = _windows(SignInDialog)
    assert dialog.view.password_label.text() == label
    assert dialog.view.password_label.buddy() is dialog.view.password
    assert says in dialog.view.intro.text()
    login = "Login name" if kind == "topdesk" else "User name"  # as TOPdesk calls it
    assert dialog.view.username_label.text() == login


def test_the_desk_away_at_start_shows_offline_then_recovers(
    qtbot: QtBot, harness: _Harness
) -> None:
    harness.store_token()
    harness.desk.add_ticket("Printer jams", Stage.IN_PROGRESS, agent="Joost Bakker")
    harness.desk.fail_with = Unavailable("no route to host", reason="unreachable")
    app = harness.build()
    app.start()
    qtbot.waitUntil(lambda: app.presenter.status.icon is TrayIconKind.OFFLINE)
    assert texts.unavailable_message("unreachable") in app.tray.toolTip()
    # The network works and the desk's server turns connections away: not the network.
    harness.desk.fail_with = Unavailable("connection refused", reason="refused")
    app.poller.poll_now(force=True)
    tip = app.tray.toolTip()
    assert "Your network is fine" in tip and "Check that you are connected" not in tip
    assert _windows(SignInDialog) == []  # being offline is not being signed out
    harness.desk.fail_with = None
    app.poller.poll_now(force=True)  # what the backoff timer does when it fires
    assert app.presenter.status.icon is TrayIconKind.NORMAL
    assert app.presenter.status.connection is ConnectionState.ONLINE
    assert app.presenter.status.open_tickets == 1


def test_the_network_coming_back_brings_the_desk_back_at_once(
    qtbot: QtBot, harness: _Harness, dbus_session: str
) -> None:
    """NetworkManager says the network is back: the tray polls now, not when its backoff ends."""
    manager = FakeNetworkManager(dbus_session, DISCONNECTED)  # the laptop left the office
    try:
        harness.store_token()
        app = harness.build(open_network=lambda: NetworkManagerWatch.open(dbus_session))
        app.start()
        qtbot.waitUntil(lambda: app.presenter.status.connection is ConnectionState.ONLINE)
        assert not app.network.listening, "a tray whose desk answers does not listen"
        harness.desk.fail_with = Unavailable("no route to host", reason="unreachable")
        app.poller.poll_now(force=True)
        assert app.presenter.status.icon is TrayIconKind.OFFLINE
        qtbot.waitUntil(lambda: app.network.listening)
        delay = app.poller.next_delay_s
        assert delay is not None and delay >= 10.0  # backing off
        harness.desk.fail_with = None
        polls = sum(1 for name, _ in harness.desk.calls if name == "changed_tickets")
        with qtbot.waitSignal(app.network.online_changed, timeout=5000) as online:
            manager.set_state(CONNECTED_GLOBAL)
        assert online.args == [True]
        assert sum(1 for name, _ in harness.desk.calls if name == "changed_tickets") == polls + 1
        assert app.presenter.status.connection is ConnectionState.ONLINE
        app._on_about_to_quit()
        assert not app.network.listening
    finally:
        manager.stop()


def test_report_from_the_tray_reaches_the_desk(qtbot: QtBot, harness: _Harness) -> None:
    harness.store_token()
    app = harness.build()
    app.start()
    qtbot.waitUntil(lambda: app.poller.loaded)
    app.tray.report_action.trigger()
    (dialog,) = _windows(ReportDialog)
    qtbot.keyClicks(dialog.view.subject, "Outlook freezes")
    qtbot.mouseClick(dialog.view.send, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.view.done.isVisible)  # once the diagnostics are in
    assert [t.title for t in app.poller.tickets] == ["Outlook freezes"]
    (files,) = harness.desk.attachments.values()
    assert [f.filename for f in files] == ["diagnostics.json", "screenshot.webp"]
    (sent,) = [call for name, call in harness.desk.calls if name == "create_ticket"]
    assert sent.description.startswith("Disk ")  # the summary for the agent comes first
    qtbot.mouseClick(dialog.view.show_tickets, Qt.MouseButton.LeftButton)
    (window,) = _windows(TicketsWindow)
    assert window.model.rowCount() == 1


def test_on_a_first_start_reporting_asks_to_sign_in_first(qtbot: QtBot, harness: _Harness) -> None:
    app = harness.build({"desk.url": "", "desk.username": ""})
    app.start()
    qtbot.waitUntil(lambda: bool(_windows(SignInDialog)))
    _windows(SignInDialog)[0].reject()
    app.tray.report_action.trigger()
    assert _windows(ReportDialog) == [] and len(_windows(SignInDialog)) == 1


def test_with_an_expired_sign_in_a_report_is_kept_until_the_next_sign_in(
    qtbot: QtBot, harness: _Harness
) -> None:
    app = harness.build()  # a desk is configured, but no credential is stored
    app.start()
    qtbot.waitUntil(lambda: bool(_windows(SignInDialog)))
    _windows(SignInDialog)[0].reject()
    app.tray.report_action.trigger()
    (dialog,) = _windows(ReportDialog)
    qtbot.keyClicks(dialog.view.subject, "Written while signed out")
    qtbot.mouseClick(dialog.view.send, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.view.done.isVisible)
    assert [i.subject for i in app.outbox.items] == ["Written while signed out"]
    assert harness.desk.tickets == {}
    app.windows.sign_in()
    sign_in = _windows(SignInDialog)[0]
    qtbot.keyClicks(sign_in.view.password, harness.connector.password)
    qtbot.mouseClick(sign_in.view.sign_in, Qt.MouseButton.LeftButton)
    assert app.outbox.items == []
    assert [t.summary.title for t in harness.desk.tickets.values()] == ["Written while signed out"]


def test_a_revoked_token_asks_to_sign_in_again(qtbot: QtBot, harness: _Harness) -> None:
    harness.store_token()
    app = harness.build()
    app.start()
    qtbot.waitUntil(lambda: app.poller.loaded)
    harness.desk.fail_with = AuthFailed("revoked")
    app.poller.poll_now(force=True)
    (dialog,) = _windows(SignInDialog)
    assert dialog.view.message.isVisible()
    assert app.presenter.status.icon is TrayIconKind.ATTENTION


def test_without_a_tray_the_window_opens_instead(qtbot: QtBot, harness: _Harness) -> None:
    # The offscreen platform has no system tray: exactly the "no tray host" case.
    harness.store_token()
    app = harness.build()
    app.start()
    qtbot.waitUntil(lambda: bool(_windows(TicketsWindow)))
    assert harness.qapp.quitOnLastWindowClosed()


def test_opening_my_tickets_clears_the_attention(qtbot: QtBot, harness: _Harness) -> None:
    harness.store_token()
    ref = harness.desk.add_ticket("VPN drops")
    app = harness.build()
    app.account.restore()
    qtbot.waitUntil(lambda: app.poller.loaded)
    harness.desk.change(ref, stage=Stage.ASSIGNED, agent=Agent("Joost"))
    app.poller.poll_now(force=True)
    news = app.presenter.status
    assert news.icon is TrayIconKind.ATTENTION
    app.tray.tickets_action.trigger()
    seen = app.presenter.status
    assert seen.icon is TrayIconKind.NORMAL
    harness.desk.change(ref, stage=Stage.WAITING_ON_YOU)  # while it is open, behind others
    app.poller.poll_now(force=True)
    assert app.presenter.status.icon is TrayIconKind.ATTENTION
    app.tray.tickets_action.trigger()  # raised again: what it shows is seen
    raised = app.presenter.status
    assert raised.icon is TrayIconKind.NORMAL


def test_memory_goes_back_to_the_system_once_a_window_closes(
    qtbot: QtBot, harness: _Harness
) -> None:
    harness.store_token()
    app = harness.build()
    app.account.restore()
    app.windows.show_tickets()
    (window,) = _windows(TicketsWindow)
    assert harness.released == 0  # not while it is in use
    drawn = QPixmapCache.insert(QPixmap(64, 64))  # what a window's style had cached
    frozen = gc.get_freeze_count()
    window.close()
    qtbot.waitUntil(lambda: harness.released == 1)
    assert not QPixmapCache.find(drawn, QPixmap()), "cached drawings let go"
    assert gc.get_freeze_count() > frozen, "what lives on is frozen: later passes skip it"
    assert harness.prepared == 0
    app.windows.report()
    assert harness.prepared == 1  # before the screenshot's buffers
    (dialog,) = _windows(ReportDialog)
    dialog.reject()
    qtbot.waitUntil(lambda: harness.released == 2)


def test_a_closed_tickets_window_is_let_go_unless_it_holds_a_reply(
    qtbot: QtBot, harness: _Harness
) -> None:
    harness.store_token()
    ref = harness.desk.add_ticket("VPN drops")
    app = harness.build()
    app.account.restore()
    qtbot.waitUntil(lambda: app.poller.loaded)
    app.windows.show_tickets()
    (window,) = _windows(TicketsWindow)
    with qtbot.waitSignal(window.destroyed):
        window.close()  # nothing in it to keep: built again when next asked for
    app.windows.show_ticket(ref)
    (window,) = _windows(TicketsWindow)
    qtbot.waitUntil(lambda: window.tracker.ref == ref)
    qtbot.keyClicks(window.tracker.view.reply, "It drops at 9:00 every day")
    window.close()
    app.windows.show_tickets()
    (again,) = _windows(TicketsWindow)
    assert again is window  # the reply the employee wrote is still there
    assert window.tracker.view.reply.toPlainText() == "It drops at 9:00 every day"


def test_an_unexpected_error_is_shown_once(qtbot: QtBot, harness: _Harness) -> None:
    harness.build()
    for _ in range(2):
        try:
            raise ZeroDivisionError("in a slot")
        except ZeroDivisionError as exc:
            harness.crash.report(type(exc), exc, exc.__traceback__)
    assert len(_windows(CrashDialog)) == 1


@pytest.mark.parametrize(
    ("environ", "platform", "problem"),
    [
        ({}, "linux", True),
        ({"DISPLAY": ":77"}, "linux", True),  # set, but nothing listens there
        ({"DISPLAY": "remote.example.org:0"}, "linux", False),
        ({"WAYLAND_DISPLAY": "wayland-0"}, "linux", False),
        ({"QT_QPA_PLATFORM": "offscreen"}, "linux", False),
        ({}, "win32", False),
    ],
)
def test_no_display_is_explained(environ: dict[str, str], platform: str, problem: bool) -> None:
    message = display_problem(environ, platform)
    assert (message is not None) is problem
    if message:
        assert "make screenshots" in message


def test_a_hard_crash_of_the_last_run_is_shown_once_at_start(
    qtbot: QtBot, harness: _Harness
) -> None:
    app = harness.build()
    app.show_previous_crash("Fatal Python error: Segmentation fault\n  File x.py, line 1")
    (dialog,) = _windows(CrashDialog)
    assert "last time" in dialog.text()
    assert "Segmentation fault" in dialog.detailedText()


def test_text_closed_by_accident_is_there_when_reporting_again(
    qtbot: QtBot, harness: _Harness
) -> None:
    harness.store_token()
    app = harness.build()
    app.start()
    app.tray.report_action.trigger()
    (dialog,) = _windows(ReportDialog)
    qtbot.keyClicks(dialog.view.subject, "Long story")
    qtbot.keyClicks(dialog.view.description, "A very long description " * 10)
    dialog.reject()  # Esc
    assert _windows(ReportDialog) == []
    app.tray.report_action.trigger()
    (again,) = _windows(ReportDialog)
    assert again.view.subject.text() == "Long story"
    assert again.view.start_over.isVisible()
    qtbot.mouseClick(again.view.start_over, Qt.MouseButton.LeftButton)
    assert again.view.subject.text() == "" and again.view.description.toPlainText() == ""


def test_a_draft_from_before_offers_a_new_screenshot_taken_without_the_dialog(
    qtbot: QtBot, harness: _Harness
) -> None:
    harness.store_token()
    app = harness.build()
    app.start()
    app.tray.report_action.trigger()
    (dialog,) = _windows(ReportDialog)
    assert not dialog.view.new_screenshot.isVisible(), "a fresh report has a fresh screenshot"
    old = dialog._items.grab  # noqa: SLF001
    assert old.screen is not None
    qtbot.keyClicks(dialog.view.subject, "The VPN drops")
    dialog.reject()  # closed with text: kept
    app.tray.report_action.trigger()
    assert dialog.view.new_screenshot.isVisible()
    assert "take a new one" in dialog.view.message.text()
    qtbot.mouseClick(dialog.view.new_screenshot, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible(), "out of the way while the screen is taken"
    qtbot.waitUntil(dialog.isVisible)
    new = dialog._items.grab  # noqa: SLF001
    assert new is not old and new.screen is not None
    assert dialog.view.subject.text() == "The VPN drops", "the words stay"
    assert not dialog.view.new_screenshot.isVisible()


def _waiting_reports(
    qtbot: QtBot, harness: _Harness, *subjects: str
) -> tuple[TrayApp, TicketsWindow]:
    """The app with these reports waiting (the desk refuses connections), "My tickets" open."""
    harness.store_token()
    app = harness.build()
    app.start()
    qtbot.waitUntil(lambda: app.poller.loaded)
    harness.desk.fail_creates_with = Unavailable("down", reason="unreachable")
    for subject in subjects:
        app.reports.send(Report(subject, "first"))
    app.tray.tickets_action.trigger()
    (window,) = _windows(TicketsWindow)
    return app, window


def _delete(
    qtbot: QtBot, window: TicketsWindow, row: int, meanwhile: Callable[[], object] = lambda: None
) -> None:
    """Click "Delete" on a waiting report and confirm; ``meanwhile`` runs while asked."""
    qtbot.mouseClick(window.view.outbox.rows[row].cancel, Qt.MouseButton.LeftButton)
    question = window.findChild(QMessageBox, "confirmDelete")
    assert question is not None
    meanwhile()
    delete = next(
        b
        for b in question.buttons()
        if question.buttonRole(b) == QMessageBox.ButtonRole.DestructiveRole
    )
    qtbot.mouseClick(delete, Qt.MouseButton.LeftButton)


def test_reports_that_wait_are_listed_and_can_be_changed_or_deleted(
    qtbot: QtBot, harness: _Harness
) -> None:
    app, window = _waiting_reports(qtbot, harness, "Typo in subjct", "Never mind")
    rows = window.view.outbox.rows
    assert [r.subject.text() for r in rows] == ["Typo in subjct", "Never mind"]
    assert window.view.outbox.isVisible() and window.view.outbox.retry.isVisible()
    assert app.presenter.status.waiting_reports == 2

    _delete(qtbot, window, 1)
    assert [r.subject.text() for r in window.view.outbox.rows] == ["Typo in subjct"]

    harness.desk.fail_creates_with = None
    qtbot.mouseClick(window.view.outbox.rows[0].edit, Qt.MouseButton.LeftButton)
    (editor,) = _windows(EditReportDialog)
    editor.view.subject.setText("Typo in subject")
    qtbot.mouseClick(editor.view.send, Qt.MouseButton.LeftButton)
    assert window.view.outbox.rows == [] and not window.view.outbox.isVisible()
    titles = [t.summary.title for t in harness.desk.tickets.values()]
    assert titles == ["Typo in subject"]
    assert window.model.rowCount() == 1  # it shows as a ticket now


def test_a_change_that_comes_too_late_keeps_the_text_and_says_why(
    qtbot: QtBot, harness: _Harness
) -> None:
    _app, window = _waiting_reports(qtbot, harness, "Typo in subjct")
    qtbot.mouseClick(window.view.outbox.rows[0].edit, Qt.MouseButton.LeftButton)
    (editor,) = _windows(EditReportDialog)
    harness.outbox.claim_next(1e12)  # the command line sends it meanwhile
    editor.view.subject.setText("Typo in subject")
    qtbot.mouseClick(editor.view.send, Qt.MouseButton.LeftButton)

    assert editor.isVisible(), "the dialog stays, with the user's text"
    assert editor.view.subject.text() == "Typo in subject"
    being_sent = texts.error_message(texts.error_from("being_sent", None))
    assert editor.view.message.text().startswith(being_sent)
    assert not editor.view.send.isEnabled()
    assert window.view.outbox.problem.isHidden(), "said once, in the dialog"


def test_deleting_a_report_that_is_on_its_way_is_refused_in_plain_words(
    qtbot: QtBot, harness: _Harness
) -> None:
    _app, window = _waiting_reports(qtbot, harness, "Printer on fire")
    # Sending starts while the question is open.
    _delete(qtbot, window, 0, meanwhile=lambda: harness.outbox.claim_next(1e12))

    assert window.view.outbox.problem.isVisible()
    being_sent = texts.error_message(texts.error_from("being_sent", None))
    assert window.view.outbox.problem.text() == being_sent
    assert [i.subject for i in harness.outbox.items()] == ["Printer on fire"]


def test_reports_waiting_from_a_previous_run_are_sent_at_start(
    qtbot: QtBot, harness: _Harness
) -> None:
    harness.store_token()
    harness.outbox.add(Report("Written yesterday, offline", ""), 1.0)
    app = harness.build()
    app.start()
    qtbot.waitUntil(lambda: app.poller.loaded)
    qtbot.waitUntil(lambda: not app.outbox.items)
    assert [t.summary.title for t in harness.desk.tickets.values()] == [
        "Written yesterday, offline"
    ]


def test_a_report_sent_later_says_so_and_names_the_files_left_out(
    qtbot: QtBot, harness: _Harness
) -> None:
    harness.store_token()
    harness.desk.refused_names = frozenset({"setup.exe"})
    files = (
        Attachment("setup.exe", "application/octet-stream", b"MZ"),
        Attachment("notes.txt", "text/plain", b"it hangs"),
    )
    harness.outbox.add(Report("Written yesterday, offline", "", attachments=files), 1.0)
    app = harness.build()
    messages: list[tuple[str, ...]] = []
    app.tray.showMessage = lambda *shown: messages.append(shown)  # type: ignore[method-assign]
    app.start()
    qtbot.waitUntil(lambda: bool(messages))
    ((title, text, *_),) = messages
    (ticket,) = harness.desk.tickets
    assert f"“Written yesterday, offline” has reached the service desk as ticket {ticket}" in text
    assert "setup.exe: the service desk does not accept this type of file" in text
    assert "notes.txt" not in text


def test_a_ticket_opened_in_the_tracker_shows_its_conversation_and_takes_an_answer(
    qtbot: QtBot, harness: _Harness
) -> None:
    harness.store_token()
    ref = harness.desk.add_ticket("Printer jams", Stage.RESOLVED, agent="Sanne")
    app = harness.build()
    app.account.restore()
    qtbot.waitUntil(lambda: app.poller.loaded)
    app.tray.tickets_action.trigger()
    (window,) = _windows(TicketsWindow)
    assert window.open_ticket(ref)
    assert ("ticket", ref) in harness.desk.calls, "the conversation is fetched at once"
    assert window.tracker.view.conversation.model_.messages[0].who == "You"  # the report
    qtbot.keyClicks(window.tracker.view.reply, "Jams again on the second page")
    qtbot.mouseClick(window.tracker.view.buttons[Action.REOPEN], Qt.MouseButton.LeftButton)
    assert ("reopen", (ref, "Jams again on the second page")) in harness.desk.calls
    assert window.tracker.view.reply.toPlainText() == "", "sent: the box is empty again"
    # The poll after it changed the status and the list: the employee stays on the ticket.
    assert window.tracking and window.tracker.ref == ref
    assert window.tracker.view.message.text() == (
        "The service desk knows it is still broken. The ticket is open again."
    )
    qtbot.mouseClick(window.tracker.view.back, Qt.MouseButton.LeftButton)
    assert not window.tracking
    assert app.poller.watched is None


def test_a_left_click_opens_the_panel_and_it_leads_to_a_report_and_a_ticket(
    qtbot: QtBot, harness: _Harness
) -> None:
    harness.store_token()
    ref = harness.desk.add_ticket("Printer jams", Stage.WAITING_ON_YOU, agent="Joost Bakker")
    app = harness.build()
    app.start()
    qtbot.waitUntil(lambda: app.presenter.status.open_tickets == 1)
    for window in _windows(TicketsWindow):  # no tray offscreen: it opened instead
        window.close()
    home = app.windows.home
    assert not home.seen and not home.showing, "nothing of it before the first click"
    app.tray.activated.emit(QSystemTrayIcon.ActivationReason.Trigger)
    panel = app.windows.home.panel
    assert panel is not None and panel.isVisible()
    (card,) = panel.cards
    assert card.title.text() == "Printer jams" and card.stage.text() == "Waiting for you"

    qtbot.keyClicks(panel.box, "Teams has no sound")
    qtbot.keyClick(panel.box, Qt.Key.Key_Return)
    assert not _windows(ReportDialog), "not at once: the screen is taken without the panel"
    qtbot.waitUntil(lambda: bool(_windows(ReportDialog)))
    (dialog,) = _windows(ReportDialog)
    assert dialog.view.subject.text() == "Teams has no sound"
    assert not app.windows.home.showing, "closed (and deleted) on Enter"

    app.tray.activated.emit(QSystemTrayIcon.ActivationReason.Trigger)
    panel = app.windows.home.panel  # built anew: a closed panel is deleted
    assert panel is not None
    qtbot.mouseClick(panel.cards[0], Qt.MouseButton.LeftButton)
    (window,) = _windows(TicketsWindow)
    assert window.tracking and window.tracker.ref == ref


def test_show_home_opens_the_panel_where_there_is_a_tray_else_my_tickets(
    qtbot: QtBot, harness: _Harness
) -> None:
    harness.store_token()
    app = harness.build()
    app.start()
    for window in _windows(TicketsWindow):
        window.close()
    app.tray.show()  # as if a tray had appeared
    app.windows.show_home()
    assert app.windows.home.panel is not None and app.windows.home.panel.isVisible()
    app.tray.hide()  # no tray: the panel has nowhere to open, "My tickets" does
    app.windows.home.panel.hide()
    app.windows.show_home()
    assert _windows(TicketsWindow) and not app.windows.home.showing


class _Opened(QObject):
    """Stands in for the desktop: records what the app asked it to open."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url)


@pytest.fixture
def desktop_opens() -> Iterator[_Opened]:
    opened = _Opened()
    QDesktopServices.setUrlHandler("file", opened, "open")  # type: ignore[arg-type]  # the stub is wrong
    yield opened
    QDesktopServices.unsetUrlHandler("file")


def test_a_file_in_the_conversation_opens_from_the_desk(
    qtbot: QtBot, harness: _Harness, desktop_opens: _Opened
) -> None:
    harness.store_token()
    ref = harness.desk.add_ticket("Printer jams", Stage.IN_PROGRESS, agent="Joost Bakker")
    picture = AttachmentInfo("printer.png", 5, "image/png", "https://desk/files/1")
    script = AttachmentInfo("fix.sh", 9, "text/x-sh", "https://desk/files/2")
    ticket = harness.desk.tickets[ref]
    said = TicketEvent("2", T0, EventKind.MESSAGE, "Try this", "Joost Bakker", True,
                       attachments=(picture, script))  # fmt: skip
    harness.desk.tickets[ref] = replace(ticket, events=(*ticket.events, said))
    harness.desk.files = {picture.url: b"\x89PNG!", script.url: b"#!/bin/sh"}
    app = harness.build()
    app.start()
    qtbot.waitUntil(lambda: app.poller.loaded)
    app.windows.show_ticket(ref)
    (window,) = _windows(TicketsWindow)
    conversation = window.tracker.view.conversation
    qtbot.waitUntil(lambda: len(conversation.model_.messages) == 2)

    conversation.file_requested.emit(picture)  # a click on it
    qtbot.waitUntil(lambda: len(desktop_opens.urls) == 1)
    kept = Path(desktop_opens.urls[0].toLocalFile())
    assert kept.read_bytes() == b"\x89PNG!" and kept.name == "printer.png"
    assert "is open in its own program" in window.tracker.view.message.text()

    conversation.file_requested.emit(script)  # could run: its folder, not the file
    qtbot.waitUntil(lambda: len(desktop_opens.urls) == 2)
    assert Path(desktop_opens.urls[1].toLocalFile()) == kept.parent
    assert "was not opened" in window.tracker.view.message.text()

    harness.desk.files.clear()  # gone at the desk: said, nothing opened
    conversation.file_requested.emit(picture)
    qtbot.waitUntil(lambda: window.tracker.view.message.property("role") == "error")
    assert len(desktop_opens.urls) == 2


def _sign_in_by_hand(qtbot: QtBot, harness: _Harness) -> None:
    """Fill in the open sign-in dialog and sign in; the report waiting for it opens."""
    (sign_in,) = _windows(SignInDialog)
    qtbot.keyClicks(sign_in.view.url, URL)
    qtbot.keyClicks(sign_in.view.username, "anna")
    qtbot.keyClicks(sign_in.view.password, harness.connector.password)
    qtbot.mouseClick(sign_in.view.sign_in, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(_windows(ReportDialog)))


def test_words_typed_before_the_first_sign_in_open_the_report_after_it(
    qtbot: QtBot, harness: _Harness
) -> None:
    app = harness.build({"desk.url": "", "desk.username": ""})  # a first start: no desk yet
    app.start()
    qtbot.waitUntil(lambda: bool(_windows(SignInDialog)))
    (sign_in,) = _windows(SignInDialog)
    sign_in.reject()  # closed at first; then the employee tries the panel
    app.windows.home.report_requested.emit("Teams has no sound")
    qtbot.waitUntil(lambda: bool(_windows(SignInDialog)))
    assert not _windows(ReportDialog), "no desk to report to yet: sign in first"
    _sign_in_by_hand(qtbot, harness)
    (dialog,) = _windows(ReportDialog)
    assert dialog.view.subject.text() == "Teams has no sound", "nothing typed is lost"


def test_a_fixs_record_waiting_for_the_first_sign_in_goes_with_the_report(
    qtbot: QtBot, harness: _Harness
) -> None:
    from client.core.models import Attachment

    app = harness.build({"desk.url": "", "desk.username": ""})  # a first start: no desk yet
    app.start()
    qtbot.waitUntil(lambda: bool(_windows(SignInDialog)))
    record = Attachment("fix-notes-cache-record.json", "application/json", b'{"x": 1}')
    app.windows.report("I tried IT's fix", [record])  # "No, report it" before signing in
    _sign_in_by_hand(qtbot, harness)
    (dialog,) = _windows(ReportDialog)
    assert dialog._items is not None
    assert record in dialog._items.attachments(), "the record is not lost at the sign-in"


def test_words_typed_while_a_sent_report_still_shows_start_a_new_report(
    qtbot: QtBot, harness: _Harness
) -> None:
    harness.store_token()
    app = harness.build()
    app.start()
    qtbot.waitUntil(lambda: app.poller.loaded)
    app.windows.report("Outlook freezes")
    (dialog,) = _windows(ReportDialog)
    qtbot.mouseClick(dialog.view.send, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.view.done.isVisible)  # the thank-you page
    app.windows.home.report_requested.emit("Now Teams freezes too")
    qtbot.waitUntil(lambda: any(
        d.view.subject.text() == "Now Teams freezes too" for d in _windows(ReportDialog)
    ))  # fmt: skip


def test_news_of_a_ticket_reaches_the_tracker_only_while_it_shows_that_ticket(
    qtbot: QtBot, harness: _Harness
) -> None:
    harness.store_token()
    printer = harness.desk.add_ticket("Printer jams", Stage.IN_PROGRESS, agent="Joost Bakker")
    vpn = harness.desk.add_ticket("VPN drops", Stage.IN_PROGRESS, agent="Joost Bakker")
    app = harness.build()
    app.start()
    qtbot.waitUntil(lambda: app.poller.loaded)
    app.windows.show_ticket(printer)
    tracker = app.windows.tracker
    assert tracker is not None and tracker.ref == printer
    app.windows.show_ticket(vpn)  # the employee moved on before the answer came
    assert tracker.ref == vpn
    message = tracker.view.message
    app.windows.action_failed(printer, "The service desk could not be reached.")
    app.windows.tell(printer, "printer.png is open in its own program.")
    assert message.text() == "", "nothing about the printer on the VPN ticket"
    app.windows.action_failed(vpn, "The service desk could not be reached.")
    assert message.text() == "The service desk could not be reached."


class _Entry:
    """A log-in entry that remembers what it was told (the platform's is tested on its own)."""

    def __init__(self, starts: bool) -> None:
        self.on = starts
        self.told: list[bool] = []

    def starts(self) -> bool:
        return self.on

    def set(self, on: bool) -> None:
        self.told.append(on)
        self.on = on


def test_start_when_i_log_in_is_the_users_choice_kept_and_applied(
    qtbot: QtBot, harness: _Harness
) -> None:
    entry = _Entry(starts=True)
    app = harness.build(login_entry=lambda: entry)
    action = app.tray.autostart_action
    assert action.isChecked() and action.isEnabled()
    action.trigger()  # the employee turns it off
    assert not action.isChecked()
    assert (harness.saved["startup.autostart"], entry.told) == (False, [False])
    action.trigger()
    assert (harness.saved["startup.autostart"], entry.told) == (True, [False, True])


def test_the_menu_shows_whether_anything_starts_the_tray_at_log_in(
    qtbot: QtBot, harness: _Harness
) -> None:
    entry = _Entry(starts=False)  # a source install: no installer's entry, none of the user's
    app = harness.build(login_entry=lambda: entry)
    assert app.tray.autostart_action.isChecked(), "the setting, before anything is read"
    app.tray.menu.aboutToShow.emit()  # the employee opens the menu
    assert not app.tray.autostart_action.isChecked()
    assert entry.told == [], "reading changes nothing"


def test_it_decides_start_at_log_in_and_the_entry_says_so(qtbot: QtBot, harness: _Harness) -> None:
    entry = _Entry(starts=True)
    app = harness.build(policy_values={"startup.autostart": True}, login_entry=lambda: entry)
    action = app.tray.autostart_action
    assert action.isChecked() and not action.isEnabled()
    assert action.toolTip() == "Set by your IT department."
    app._on_tray_autostart_chosen(False)  # noqa: SLF001 - a greyed entry cannot be chosen
    assert "startup.autostart" not in harness.saved and entry.told == []


def test_a_log_in_entry_that_cannot_be_written_leaves_the_choice_as_it_was(
    qtbot: QtBot, harness: _Harness
) -> None:
    class Broken(_Entry):
        def set(self, on: bool) -> None:
            raise PermissionError("read-only home")

    app = harness.build(login_entry=lambda: Broken(starts=True))
    app.tray.autostart_action.trigger()
    assert app.tray.autostart_action.isChecked(), "shown as it still is"
    assert "startup.autostart" not in harness.saved, "and kept as it still is"


def test_at_log_in_the_tray_host_is_waited_for_longer_and_longer_about_a_minute_and_a_half() -> (
    None
):
    from client.app import TRAY_RETRIES, tray_retry_ms

    waits = [tray_retry_ms(n) for n in range(1, TRAY_RETRIES + 1)]
    assert waits[:3] == [500, 1000, 2000] and max(waits) == 16_000
    assert 60_000 <= sum(waits) <= 120_000


def test_a_wrong_it_setting_is_told_once_naming_the_key_and_safe_defaults_apply(
    qtbot: QtBot, harness: _Harness
) -> None:
    app = harness.build(policy_values={"network.retries": "three", "startup.autostart": 2})
    messages: list[tuple[str, ...]] = []
    app.tray.showMessage = lambda *shown: messages.append(shown)  # type: ignore[method-assign]
    app.start()
    qtbot.waitUntil(lambda: bool(messages))
    ((_title, text, *_),) = messages
    assert "'network.retries'" in text and "'startup.autostart'" in text
    assert "tell your IT department" in text
    assert app.tray.autostart_action.isEnabled(), "a wrong value locks nothing"


def test_the_collector_is_on_once_the_app_starts_and_start_up_is_frozen_after(
    qtbot: QtBot, harness: _Harness
) -> None:
    app = harness.build()
    frozen = gc.get_freeze_count()
    gc.disable()  # as client/entry.py leaves it while the tray loads
    try:
        app.start()  # after the icon's first frame (client/start.py)
        assert gc.isenabled()
        qtbot.waitUntil(lambda: gc.get_freeze_count() > frozen, timeout=3000)
    finally:
        gc.enable()


def test_the_app_is_built_around_the_icon_already_shown(qtbot: QtBot, harness: _Harness) -> None:
    # client/start.py shows the icon first, with the starting status, and builds the app
    # around it once it is drawn: the same icon, now the app's, its menu wired.
    harness.store_token()
    shown = TrayIcon(STARTING)
    assert "Connecting to the service desk" in shown.toolTip()
    stale = TrayStatus(TrayIconKind.OFFLINE, True, ConnectionState.OFFLINE, open_tickets=3)
    shown.apply_status(stale)  # whatever it showed, the app's status replaces it
    app = harness.build(tray=shown)
    assert app.tray is shown
    assert shown.parent() is app
    assert shown.toolTip() == shown.tooltip_text(app.presenter.status)
    assert shown.toolTip() != shown.tooltip_text(stale)
    with qtbot.waitSignal(app.windows.panel_opened, timeout=3000):
        shown.panel_requested.emit()  # a click on the icon: the panel opens
    app.start()
    qtbot.waitUntil(lambda: app.presenter.status.signed_in, timeout=3000)
    assert shown.toolTip() == shown.tooltip_text(app.presenter.status)
    assert not shown.sign_in_action.isVisible()
