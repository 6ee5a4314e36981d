"""The composition root gives the poller IT's intervals: slow with an open ticket, rare without."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtWidgets import QApplication

from client.app import TrayApp
from client.core.models import Stage
from client.core.ports import credential_account
from client.core.redact import Redactor
from client.core.settings import SettingsLayer, merge
from client.services.crash import CrashHandler
from client.services.tasks import SyncTaskRunner
from tests.fakes import FakeConnector, FakeDesk, MemoryOutbox, MemorySecretStore, make_evidence

URL = "https://desk.example.org"
POLICY = {"network.poll_interval_s": 600, "network.rare_poll_interval_s": 3600}


@pytest.fixture
def signed_in_app(qapp: QApplication, fake_desk: FakeDesk) -> Iterator[TrayApp]:
    connector = FakeConnector(fake_desk)
    secrets = MemorySecretStore()
    secrets.entries[credential_account(URL, "anna")] = connector.token
    crash = CrashHandler()
    settings = merge(
        [
            SettingsLayer("IT policy", POLICY, locks=True),
            SettingsLayer("user", {"desk.url": URL, "desk.username": "anna"}),
        ]
    )
    app = TrayApp(
        qapp,
        settings,
        io=SyncTaskRunner(),
        serial=SyncTaskRunner(),
        outbox_store=MemoryOutbox(),
        connector_for=lambda kind: connector,
        secrets=secrets,
        save_settings=lambda values: None,
        redactor=Redactor(),
        crash=crash,
        evidence=make_evidence(SyncTaskRunner()),
        tray_retries=0,
    )
    crash.flush_early()
    yield app
    app.poller.stop()
    for widget in QApplication.topLevelWidgets():
        widget.close()
        widget.deleteLater()
    qapp.setQuitOnLastWindowClosed(False)


def _start_and_close_the_window(qtbot: QtBot, app: TrayApp) -> None:
    """Start, load the tickets, then close "My tickets" (offscreen there is no tray: it opens)."""
    app.start()
    qtbot.waitUntil(lambda: app.poller.loaded)
    for widget in QApplication.topLevelWidgets():
        widget.close()


def test_with_nothing_open_the_app_polls_at_the_policys_rare_interval(
    qtbot: QtBot, signed_in_app: TrayApp, fake_desk: FakeDesk
) -> None:
    fake_desk.add_ticket("Old printer", Stage.CLOSED)
    _start_and_close_the_window(qtbot, signed_in_app)
    assert 3590 <= (signed_in_app.poller.next_delay_s or 0) <= 3600


def test_with_a_ticket_open_the_app_polls_at_the_policys_slow_interval(
    qtbot: QtBot, signed_in_app: TrayApp, fake_desk: FakeDesk
) -> None:
    fake_desk.add_ticket("Printer jams", Stage.RESOLVED)  # waits for the user's word
    _start_and_close_the_window(qtbot, signed_in_app)
    assert 590 <= (signed_in_app.poller.next_delay_s or 0) <= 600
