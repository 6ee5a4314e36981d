"""The composition root with a signed profile: the department's agent on the tray menu.

Real parts: a TUF repository served on 127.0.0.1, the profile helper process
that verifies it, the kept copy, the ProfileService and the tray's menu.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from pytestqt.qtbot import QtBot

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QUrl, Slot
from PySide6.QtGui import QColor, QDesktopServices
from PySide6.QtWidgets import QApplication, QWidget

from client.app import TrayApp, profile_service
from client.core.models import Agent, Person, Stage
from client.core.paths import Paths
from client.core.ports import credential_account
from client.core.redact import Redactor
from client.core.settings import SettingsLayer, merge
from client.services.crash import CrashHandler
from client.services.tasks import SyncTaskRunner
from client.ui.colours import contrast_ratio
from tests.fakes import FakeConnector, FakeDesk, MemoryOutbox, MemorySecretStore, make_evidence
from tests.support.tuf_site import ARTICLE, PHOTO, Site, served_site

ALWAYS = {d: "00:00-24:00" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


ARTICLE_TEXT = (
    b"# VPN opnieuw instellen\n\nStart de app opnieuw. <script>alert(1)</script>\n\n"
    b"Meer op [het intranet](https://intranet.example.org/vpn).\n"
)


def _document(**finance: Any) -> dict[str, Any]:
    return {
        "format": 1,
        "version": 2,
        "articles": [
            {"id": "vpn", "title": "VPN opnieuw instellen", "language": "nl", "body": ARTICLE}
        ],
        "agents": [
            {
                "id": "joost",
                "name": "Joost Bakker",
                "photo": PHOTO,
                "email": "joost@example.org",
                "hours": {"time_zone": "Europe/Amsterdam", "week": ALWAYS},
            },
            {"id": "sanne", "name": "Sanne de Vries"},
        ],
        "departments": [
            {
                "id": "finance",
                "name": {"en": "Finance", "nl": "Financiën"},
                "queue": "Finance",
                "agent": "joost",
                "backup": "sanne",
                "match": {"policy": "FIN", "desk": "Financial Administration"},
            },
            {"id": "hr", "name": "HR", "agent": "sanne", "queue": "HR", "match": {"policy": "HR"}},
        ],
    }


def _png(colour: tuple[int, int, int] = (20, 160, 90)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (200, 200), colour).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    with served_site(tmp_path) as served:
        served.publish(_document(), {PHOTO: _png(), ARTICLE: ARTICLE_TEXT})
        yield served


URL = "https://desk.example.org"
#: The apps a test built: stopped at its end, here, so that no timer of theirs is still
#: running when a garbage collection on another thread (the web server's) destroys them.
_BUILT: list[TrayApp] = []


@dataclass
class _Built:
    app: TrayApp
    desk: FakeDesk
    saved: list[dict[str, object]]


def _build(
    qapp: QApplication,
    site: Site,
    tmp_path: Path,
    policy: dict[str, object],
    user: dict[str, object] | None = None,
    person: Person | None = None,
    **extra: Any,
) -> _Built:
    paths = Paths(tmp_path / "cfg", tmp_path / "data", tmp_path / "cache", tmp_path / "log",
                  tmp_path / "policy" / "policy.toml")  # fmt: skip
    paths.profile_root_file.parent.mkdir(parents=True, exist_ok=True)
    paths.profile_root_file.write_bytes(site.trusted_root)
    settings = merge(
        [
            SettingsLayer(
                "IT policy",
                {"profile.url": site.url, "desk.url": URL, "desk.username": "anna", **policy},
                locks=True,
            ),
            SettingsLayer("user", user or {}),
        ]
    )
    io_runner = SyncTaskRunner()
    fake_desk = FakeDesk()
    if person is not None:
        fake_desk.person = person
    connector = FakeConnector(fake_desk)
    secrets = MemorySecretStore()
    secrets.entries[credential_account(URL, "anna")] = connector.token
    saved: list[dict[str, object]] = []
    app = TrayApp(
        qapp,
        settings,
        io=io_runner,
        serial=SyncTaskRunner(),
        outbox_store=MemoryOutbox(),
        connector_for=lambda kind: connector,
        secrets=secrets,
        save_settings=lambda values: saved.append(dict(values)),
        redactor=Redactor(),
        crash=CrashHandler(),
        evidence=make_evidence(SyncTaskRunner()),
        tray_retries=0,
        profile=profile_service(io_runner, settings, paths),
        **extra,
    )
    _BUILT.append(app)
    return _Built(app, fake_desk, saved)


def _app(qapp: QApplication, site: Site, tmp_path: Path, policy: dict[str, object]) -> TrayApp:
    return _build(qapp, site, tmp_path, policy, person=Person("anna", "Anna Jansen")).app


@pytest.fixture
def close_windows(qapp: QApplication) -> Iterator[None]:
    yield
    for widget in QApplication.topLevelWidgets():
        widget.close()
        widget.deleteLater()
    while _BUILT:
        app = _BUILT.pop()
        app._on_about_to_quit()  # what quitting stops: timers, helpers, the outbox
        app.deleteLater()
    # Deleted here, on this thread, with whatever timers they still hold: not later by a
    # garbage collection on another thread ("Timers cannot be stopped from another thread").
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    qapp.processEvents()


def test_the_departments_agent_is_on_the_tray_menu_with_their_photo(
    qtbot: QtBot, qapp: QApplication, site: Site, tmp_path: Path, close_windows: None
) -> None:
    app = _app(qapp, site, tmp_path, {"profile.department": "FIN"})
    assert app.profile is not None
    app.profile.start()  # what app.start() schedules: the kept copy, then a verified update
    before = app.tray.agent_card
    assert app.profile.view is None, "verified and kept, but not read before it is needed"
    app.tray.menu.aboutToShow.emit()  # the employee opens the menu
    card = app.tray.agent_card
    assert before is None, "not built before anyone opens the menu"
    assert card is not None and card.name.text() == "Joost Bakker"
    assert card.availability.text().startswith("Available")
    centre = card.photo.pixmap().toImage()
    middle = centre.width() // 2
    assert centre.pixelColor(middle, middle).green() > 120, "the helper's photo is shown"
    assert app.tray.menu.actions()[0].objectName() == "agentCardAction"
    app.profile.stop()


def test_another_department_shows_its_own_agent_with_initials(
    qtbot: QtBot, qapp: QApplication, site: Site, tmp_path: Path, close_windows: None
) -> None:
    app = _app(qapp, site, tmp_path, {"profile.department": "HR"})
    assert app.profile is not None
    app.profile.start()
    app.tray.menu.aboutToShow.emit()
    card = app.tray.agent_card
    assert card is not None and card.name.text() == "Sanne de Vries"
    app.profile.stop()


def test_without_a_known_department_no_card_is_shown(
    qtbot: QtBot, qapp: QApplication, site: Site, tmp_path: Path, close_windows: None
) -> None:
    app = _app(qapp, site, tmp_path, {})
    assert app.profile is not None
    app.profile.start()
    app.tray.menu.aboutToShow.emit()
    assert app.tray.agent_card is None
    app.profile.stop()


def test_without_a_profile_in_the_policy_nothing_of_it_runs(
    qapp: QApplication, tmp_path: Path
) -> None:
    paths = Paths(tmp_path, tmp_path, tmp_path, tmp_path, tmp_path / "policy.toml")
    assert profile_service(SyncTaskRunner(), merge([]), paths) is None


def _open_menu(app: TrayApp) -> None:
    app.tray.menu.aboutToShow.emit()


def _sent_queues(desk: FakeDesk) -> list[str | None]:
    return [report.queue for name, report in desk.calls if name == "create_ticket"]


def test_a_report_goes_to_the_departments_queue_and_the_dialog_says_to_whom(
    qtbot: QtBot, qapp: QApplication, site: Site, tmp_path: Path, close_windows: None
) -> None:
    built = _build(qapp, site, tmp_path, {"profile.department": "FIN", "desk.queue": "General"})
    app = built.app
    assert app.profile is not None
    app.profile.start()
    app.account.restore()
    app.windows.report()
    dialog = app.windows.report_dialog
    assert dialog is not None
    assert dialog.view.destination.text() == "Your report goes to Joost Bakker, Finance."
    assert dialog.queue == "Finance"
    dialog.view.subject.setText("Invoice run fails")
    dialog._send()
    qtbot.waitUntil(lambda: bool(_sent_queues(built.desk)))
    assert _sent_queues(built.desk) == ["Finance"]
    app.profile.stop()


def test_without_a_department_the_policys_queue_is_used_and_nothing_is_promised(
    qtbot: QtBot, qapp: QApplication, site: Site, tmp_path: Path, close_windows: None
) -> None:
    built = _build(qapp, site, tmp_path, {"desk.queue": "General"},
                   person=Person("anna", "Anna Jansen"))  # fmt: skip
    app = built.app
    assert app.profile is not None
    app.profile.start()
    app.account.restore()
    app.windows.report()
    dialog = app.windows.report_dialog
    assert dialog is not None
    assert dialog.queue == "General" and not dialog.view.destination.isVisibleTo(dialog)
    app.profile.stop()


def test_the_desks_record_of_the_user_names_the_department(
    qtbot: QtBot, qapp: QApplication, site: Site, tmp_path: Path, close_windows: None
) -> None:
    person = Person("anna", "Anna Jansen", department="financial administration")
    app = _build(qapp, site, tmp_path, {}, person=person).app
    assert app.profile is not None
    app.profile.start()
    app.account.restore()
    _open_menu(app)
    card = app.tray.agent_card
    assert card is not None and card.name.text() == "Joost Bakker"
    menu = app.tray.departments_menu
    assert menu is None or not menu.menuAction().isVisible(), "the desk said which: no choice"
    app.profile.stop()


def test_the_employee_chooses_their_department_and_it_is_remembered(
    qtbot: QtBot, qapp: QApplication, site: Site, tmp_path: Path, close_windows: None
) -> None:
    built = _build(qapp, site, tmp_path, {}, person=Person("anna", "Anna Jansen"))
    app = built.app
    assert app.profile is not None
    app.profile.start()
    app.account.restore()
    _open_menu(app)
    first = app.tray.agent_card
    assert first is None, "nothing says which department yet"
    menu = app.tray.departments_menu
    assert menu is not None and menu.menuAction().isVisible()
    choices = {a.text(): a for a in menu.actions()}
    assert set(choices) == {"Finance", "HR"} and not any(a.isChecked() for a in choices.values())
    choices["HR"].trigger()
    card = app.tray.agent_card
    assert card is not None and card.name.text() == "Sanne de Vries"
    assert built.saved == [{"profile.my_department": "hr"}]
    app.profile.stop()
    # The next start: the choice comes from the user's own settings file.
    later = _build(qapp, site, tmp_path / "later", {}, {"profile.my_department": "hr"},
                   Person("anna", "Anna Jansen")).app  # fmt: skip
    assert later.profile is not None
    later.profile.start()
    later.account.restore()
    _open_menu(later)
    card = later.tray.agent_card
    assert card is not None and card.name.text() == "Sanne de Vries"
    later_menu = later.tray.departments_menu
    assert later_menu is not None
    assert [a.text() for a in later_menu.actions() if a.isChecked()] == ["HR"]
    later.profile.stop()


def test_a_refused_update_is_said_on_the_card_with_what_it_needs_from_it(
    qtbot: QtBot, qapp: QApplication, site: Site, tmp_path: Path, close_windows: None
) -> None:
    app = _app(qapp, site, tmp_path, {"profile.department": "FIN"})
    assert app.profile is not None
    app.profile.start()  # verified and kept
    # IT's scheduled job stopped: the web server serves an expired timestamp (a freeze).
    site.repo.resign_timestamp(site.keys["timestamp"], lifetime=timedelta(days=-1))
    app.profile.update_now()
    _open_menu(app)
    card = app.tray.agent_card
    assert card is not None and card.name.text() == "Joost Bakker", "the last good one stays"
    assert card.stale.isVisibleTo(card)
    assert card.stale.text() == "IT's information has expired (timestamp). IT must sign it again."
    app.profile.stop()


def test_the_tracker_shows_the_profiles_photo_of_a_known_handler_else_the_desks(
    qtbot: QtBot, qapp: QApplication, site: Site, tmp_path: Path, close_windows: None
) -> None:
    built = _build(qapp, site, tmp_path, {"profile.department": "FIN"})
    app, desk = built.app, built.desk
    assert app.profile is not None
    desk.photos = {"Kim Visser": _png((200, 30, 30))}  # red: the desk's photo
    known = desk.add_ticket("VPN drops", Stage.ASSIGNED, agent="Joost Bakker")
    stranger = desk.add_ticket("Printer jams", Stage.ASSIGNED, agent="Kim Visser")
    app.profile.start()
    app.account.restore()
    qtbot.waitUntil(lambda: app.poller.loaded)

    def centre() -> QColor:
        window = app.windows.tickets_window
        assert window is not None
        image = window.tracker.view.agent_photo.pixmap().toImage()
        return image.pixelColor(image.width() // 2, image.height() // 2)

    app.windows.show_ticket(known)
    qtbot.waitUntil(lambda: centre().green() > 120)  # the profile's photo of Joost (green)
    window = app.windows.tickets_window
    assert window is not None
    handled = window.tracker.view.agent.text()  # and whether he is at work now
    assert handled.startswith("Handled by Joost Bakker · ")
    assert any(word in handled for word in ("Available", "Away", "Back")), handled
    assert [a for name, a in desk.calls if name == "agent_photo"] == [], "IT's photo: no request"
    app.windows.show_ticket(stranger)
    qtbot.waitUntil(lambda: centre().red() > 150)  # not in the profile: the desk's photo
    assert window.tracker.view.agent.text() == "Handled by Kim Visser", "no hours known"
    assert [a for name, a in desk.calls if name == "agent_photo"] == [Agent("Kim Visser")]


class _Browser(QObject):
    """Stands for the web browser: the links the app asked the system to open."""

    def __init__(self) -> None:
        super().__init__()
        self.opened: list[QUrl] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.opened.append(url)


def test_the_help_articles_open_from_the_menu_safely_and_links_go_to_the_browser(
    qtbot: QtBot, qapp: QApplication, site: Site, tmp_path: Path, close_windows: None
) -> None:
    app = _app(qapp, site, tmp_path, {"profile.department": "FIN"})
    assert app.profile is not None
    assert not app.tray.articles_action.isVisible(), "not before the profile is read"
    app.profile.start()
    _open_menu(app)
    assert app.tray.articles_action.isVisible()
    app.tray.articles_action.trigger()
    window = app.windows.articles_window
    assert window is not None and window.isVisible()
    assert [window.list.item(r).text() for r in range(window.list.count())] == [
        "VPN opnieuw instellen (Dutch)"
    ]
    qtbot.waitUntil(lambda: "Start de app opnieuw." in window.view.text.toPlainText())
    assert "alert" not in window.view.text.toPlainText(), "a script in an article is left out"
    browser = _Browser()
    for scheme in ("https", "file"):
        QDesktopServices.setUrlHandler(scheme, browser, "open")  # type: ignore[arg-type]  # str at run time
    try:
        window.link_requested.emit(QUrl("https://intranet.example.org/vpn"))
        window.link_requested.emit(QUrl("file:///etc/passwd"))  # never, whatever asks
    finally:
        for scheme in ("https", "file"):
            QDesktopServices.unsetUrlHandler(scheme)
    assert browser.opened == [QUrl("https://intranet.example.org/vpn")]
    with qtbot.waitSignal(window.destroyed):
        window.close()
    assert app.windows.articles_window is None


def test_offline_the_kept_profile_is_shown_and_past_its_age_marked_with_what_it_needs(
    qtbot: QtBot, qapp: QApplication, site: Site, tmp_path: Path, close_windows: None
) -> None:
    first = _app(qapp, site, tmp_path, {"profile.department": "FIN"})
    assert first.profile is not None
    first.profile.start()  # verified and kept in this user's cache
    kept = tmp_path / "cache" / "profile" / "last-good.json"
    record = json.loads(kept.read_text())
    record["verified_at"] -= 8 * 86400  # a week and a day without a verified update
    kept.write_text(json.dumps(record))
    # The next start: the web server cannot be reached (nothing listens on port 9).
    offline = _app(qapp, site, tmp_path, {"profile.department": "FIN",
                                          "profile.url": "http://127.0.0.1:9/profile"})  # fmt: skip
    assert offline.profile is not None
    offline.profile.start()
    assert offline.profile.last_update.refusal == "unreachable"
    _open_menu(offline)
    card = offline.tray.agent_card
    assert card is not None and card.name.text() == "Joost Bakker", "the kept profile, offline"
    assert card.stale.text().startswith("This may be out of date: last confirmed")
    offline.faces.show_articles()
    window = offline.windows.articles_window
    assert window is not None and window.list.count() == 1, "the articles stay readable"
    assert window.stale.text() == card.stale.text()


def test_an_agent_whose_photo_it_switched_off_shows_initials_not_the_desks_photo(
    qtbot: QtBot, qapp: QApplication, site: Site, tmp_path: Path, close_windows: None
) -> None:
    built = _build(qapp, site, tmp_path, {"profile.department": "FIN"})
    app, desk = built.app, built.desk
    assert app.profile is not None
    desk.photos = {"Sanne de Vries": _png((200, 30, 30))}  # the desk has one; IT published none
    ticket = desk.add_ticket("Contract question", Stage.ASSIGNED, agent="Sanne de Vries")
    app.profile.start()
    app.account.restore()
    qtbot.waitUntil(lambda: app.poller.loaded)
    app.windows.show_ticket(ticket)
    window = app.windows.tickets_window
    assert window is not None
    qtbot.waitUntil(lambda: window.tracker.handler is not None)
    image = window.tracker.view.agent_photo.pixmap().toImage()
    centre = image.pixelColor(image.width() // 2, image.height() // 2)
    assert not (centre.red() > 150 and centre.green() < 80), "not the desk's red photo"
    assert [a for name, a in desk.calls if name == "agent_photo"] == [], "never asked"


def test_an_open_articles_window_follows_a_new_profile(
    qtbot: QtBot, qapp: QApplication, site: Site, tmp_path: Path, close_windows: None
) -> None:
    app = _app(qapp, site, tmp_path, {"profile.department": "FIN"})
    assert app.profile is not None
    app.profile.start()
    _open_menu(app)
    app.faces.show_articles()
    window = app.windows.articles_window
    assert window is not None and window.list.count() == 1
    newer = _document()
    newer["version"] = 3
    newer["articles"].append(
        {"id": "printer", "title": "Printer offline", "language": "en", "body": "articles/p.md"}
    )
    site.publish(newer, {PHOTO: _png(), ARTICLE: ARTICLE_TEXT, "articles/p.md": b"# Printer"})
    app.profile.update_now()  # what the 6-hourly update does
    titles = [window.list.item(r).text() for r in range(window.list.count())]
    assert titles == ["Printer offline", "VPN opnieuw instellen (Dutch)"]
    assert window.view.article is not None and window.view.article.id == "vpn", "still open"


def _publish_accent(site: Site, accent: str, version: int = 2) -> None:
    """The profile, version ``version``, with the organisation's colour ``accent``."""
    document = _document()
    document["version"] = version
    document["organisation"] = {"name": {"en": "Example Council IT"}, "accent": accent}
    site.publish(document, {PHOTO: _png(), ARTICLE: ARTICLE_TEXT})


def test_the_organisations_accent_colours_the_panel_made_to_stand_out_and_said_in_the_log(
    qtbot: QtBot,
    qapp: QApplication,
    site: Site,
    tmp_path: Path,
    close_windows: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    _publish_accent(site, "#ffd700")
    app = _app(qapp, site, tmp_path, {"profile.department": "FIN"})
    assert app.profile is not None
    app.profile.start()
    for _opening in range(2):
        app.windows.home.open()  # read at the first opening; built anew at each
        panel = app.windows.home.panel
        assert panel is not None
        button = panel.findChild(QWidget, "panelAllTickets")
        assert button is not None
        worn = button.palette().highlight().color()
        yellow = QColor("#ffd700")
        assert worn != yellow and abs(worn.hue() - yellow.hue()) <= 3, "darkened, still yellow"
        assert contrast_ratio(worn, panel.palette().base().color()) >= 3.0
        panel.step_aside()
    said = [r.getMessage() for r in caplog.records if "accent" in r.getMessage()]
    assert said == [f"the profile's accent #ffd700 does not stand out on this desktop (WCAG AA); "
                    f"using {worn.name()} instead"], "said once"  # fmt: skip
    app.windows.show_tickets()  # "My tickets" wears it too
    window = app.windows.tickets_window
    assert window is not None and window.tracker.palette().highlight().color() == worn
    app.profile.stop()


def test_my_tickets_opened_first_wears_the_organisations_accent_too(
    qtbot: QtBot, qapp: QApplication, site: Site, tmp_path: Path, close_windows: None
) -> None:
    _publish_accent(site, "#0057b8")
    app = _app(qapp, site, tmp_path, {"profile.department": "FIN"})
    assert app.profile is not None
    app.profile.start()
    app.windows.show_tickets()  # from a notification: neither the menu nor the panel yet
    window = app.windows.tickets_window
    assert window is not None
    qtbot.waitUntil(lambda: window.tracker.palette().highlight().color() == QColor("#0057b8"))
    _publish_accent(site, "#8b0000", version=3)
    app.profile.update_now()  # what the 6-hourly update does, while the window is open
    qtbot.waitUntil(lambda: window.tracker.palette().highlight().color() == QColor("#8b0000"))
    app.profile.stop()
